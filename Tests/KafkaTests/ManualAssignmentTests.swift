import Kafka
import KafkaEmbedded
import Testing

@Suite(.timeLimit(.minutes(2)))
struct ManualAssignmentTests {
    /// `assign` replaces the assignment: records fetched for the old one and not yet handed out are dropped, so the
    /// next records start exactly at the new positions (a changelog reader re-reading a partition relies on it).
    @Test func assignStartsExactlyAtTheNewPositionsAndAnEmptyAssignmentStops() async throws {
        let cluster = try EmbeddedKafka(brokers: 1)
        defer { cluster.stop() }
        try cluster.createTopic("assign", partitions: 2)
        let producer = try await KafkaProducer(configuration: cluster.configuration)
        for i in 0..<2_000 {
            try await producer.send(KafkaProducerMessage(topic: "assign", partition: Int32(i % 2), value: Array("\(i)".utf8)))
        }
        try await producer.flush()
        await producer.close()

        var configuration = cluster.configuration
        configuration.consumerBatchSize = 10
        let consumer = try await KafkaConsumer(configuration: configuration)
        let p0 = KafkaTopicPartition("assign", 0), p1 = KafkaTopicPartition("assign", 1)
        var iterator = consumer.events.makeAsyncIterator()
        /// The next non-empty batch of records (the suite's time limit catches a hang).
        func nextRecords() async throws -> [KafkaMessage] {
            while let event = try await iterator.next() {
                if case .messages(let batch) = event, !batch.isEmpty { return Array(batch) }
            }
            throw TimeoutError(what: "the event stream ended")
        }

        try await consumer.assign([p0: .beginning])
        let first = try await nextRecords()
        #expect(first.first?.offset == 0)
        // Small batches: more of p0 is fetched and waiting while the assignment moves on.
        for round in 0..<5 {
            let target = Int64(200 + round * 100)
            try await consumer.assign([p0: .offset(target)])
            let records = try await nextRecords()
            #expect(records.first?.offset == target, "round \(round): first record after assign")
            #expect(records.allSatisfy { $0.partition == 0 && $0.offset >= target })
        }
        try await consumer.assign([p1: .offset(10)])
        let other = try await nextRecords()
        #expect(other.first?.partition == 1)
        #expect(other.first?.offset == 10)
        #expect(other.allSatisfy { $0.partition == 1 })

        try await consumer.assign([:])
        #expect(try consumer.assignment().isEmpty)
        await consumer.close()
    }
}
