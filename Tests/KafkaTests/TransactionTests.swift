import Kafka
import KafkaEmbedded
import Testing

/// The transactional API end to end. The embedded cluster does not enforce transactions (aborted
/// records stay visible, transactional offsets are never applied), so these tests check only
/// what the API does: every step succeeds in order, committed records are acknowledged with
/// offsets and readable, and a producer can abort and go on with a new transaction.
@Suite(.timeLimit(.minutes(2)))
struct TransactionTests {
    @Test func initBeginProduceSendOffsetsCommitAndAbort() async throws {
        let cluster = try EmbeddedKafka(brokers: 3)
        defer { cluster.stop() }
        try cluster.createTopic("in", partitions: 2)
        try cluster.createTopic("out", partitions: 2)

        var consumerConfig = cluster.configuration
        consumerConfig.groupId = uniqueName("txn-group")
        let consumer = try await KafkaConsumer(configuration: consumerConfig)
        let metadata = try consumer.groupMetadata()

        var config = cluster.configuration
        config.transactionalId = uniqueName("txn")
        let producer = try await KafkaProducer(configuration: config)
        try await producer.initTransactions()

        try producer.beginTransaction()
        let committed = try await produce(producer, topic: "out", partitions: 2, range: 0..<10)
        try await producer.sendOffsetsToTransaction([KafkaTopicPartition("in", 0): 5, KafkaTopicPartition("in", 1): 7], groupMetadata: metadata)
        try await producer.commitTransaction()
        #expect(committed.allSatisfy { $0.offset >= 0 })

        try producer.beginTransaction()
        _ = try await produce(producer, topic: "out", partitions: 2, range: 10..<15)
        try await producer.abortTransaction()

        // After an abort the producer goes on with a new transaction.
        try producer.beginTransaction()
        let again = try await produce(producer, topic: "out", partitions: 2, range: 15..<20)
        try await producer.commitTransaction()
        #expect(again.count == 5)

        // Producing outside a transaction is refused by a transactional producer.
        await #expect(throws: KafkaError.self) {
            try await producer.sendAndAwait(KafkaProducerMessage(topic: "out", value: Array("x".utf8)))
        }

        // The committed records are there (the embedded cluster shows the aborted ones too).
        var readConfig = cluster.configuration
        readConfig.isolationLevel = .readCommitted
        let reader = try await KafkaConsumer(configuration: readConfig)
        try await reader.assign([KafkaTopicPartition("out", 0): .beginning, KafkaTopicPartition("out", 1): .beginning])
        let values = try await withTimeout(20, "committed records") {
            var values = Set<String>()
            for try await event in reader.events {
                if case .messages(let batch) = event { values.formUnion(batch.compactMap(\.valueString)) }
                if values.isSuperset(of: (0..<10).map(String.init) + (15..<20).map(String.init)) { break }
            }
            return values
        }
        #expect(values.isSuperset(of: (0..<10).map(String.init)))
        await reader.close()
        await consumer.close()
        await producer.close()
    }

    @Test func commitWithoutBeginIsAStateError() async throws {
        let cluster = try EmbeddedKafka(brokers: 1)
        defer { cluster.stop() }
        var config = cluster.configuration
        config.transactionalId = uniqueName("txn")
        let producer = try await KafkaProducer(configuration: config)
        try await producer.initTransactions()
        await #expect(throws: KafkaError.self) { try await producer.commitTransaction() }
        await producer.close()
    }
}
