import Kafka
import KafkaEmbedded
import Synchronization
import Testing

@Suite(.timeLimit(.minutes(2)))
struct DeliveryMarkTests {
    /// A mark is acknowledged once every record sent before it is in the log, whatever is sent after it.
    @Test func markCoversExactlyTheRecordsSentBeforeIt() async throws {
        let cluster = try EmbeddedKafka(brokers: 1)
        defer { cluster.stop() }
        try cluster.createTopic("marks", partitions: 2)
        let producer = try await KafkaProducer(configuration: cluster.configuration)
        #expect(try producer.isAcknowledged(producer.mark()), "nothing sent: acknowledged at once")

        // Slow acknowledgements, so the records are still in flight when the mark is taken.
        try cluster.setRoundTripTime(broker: 1, milliseconds: 200)
        for i in 0..<500 {
            try await producer.send(KafkaProducerMessage(topic: "marks", partition: Int32(i % 2), value: Array("\(i)".utf8)))
        }
        let mark = producer.mark()
        #expect(try !producer.isAcknowledged(mark), "records are still in flight")
        for i in 500..<1000 {
            try await producer.send(KafkaProducerMessage(topic: "marks", partition: Int32(i % 2), value: Array("\(i)".utf8)))
        }
        try await withTimeout(30, "mark acknowledged") { try await producer.waitUntilAcknowledged(mark) }
        #expect(try producer.isAcknowledged(mark))

        var config = cluster.configuration
        config.autoOffsetReset = .earliest
        let consumer = try await KafkaConsumer(configuration: config)
        var inLog: Int64 = 0
        for p in Int32(0)..<2 { inLog += try await consumer.queryWatermarks(KafkaTopicPartition("marks", p)).high }
        #expect(inLog >= 500, "every record sent before the mark is in the log")

        let last = producer.mark()
        try await withTimeout(30, "last mark acknowledged") { try await producer.waitUntilAcknowledged(last) }
        inLog = 0
        for p in Int32(0)..<2 { inLog += try await consumer.queryWatermarks(KafkaTopicPartition("marks", p)).high }
        #expect(inLog == 1000)
        await consumer.close()
        await producer.close()
    }

    /// A record that cannot be delivered makes its mark (and every later one) throw instead of waiting forever.
    @Test func failedDeliveryFailsTheMark() async throws {
        let cluster = try EmbeddedKafka(brokers: 1)
        defer { cluster.stop() }
        try cluster.createTopic("doomed", partitions: 1)
        var config = cluster.configuration
        config.properties["message.timeout.ms"] = "300"
        let producer = try await KafkaProducer(configuration: config)
        try cluster.setBrokerDown(1)
        try await producer.send(KafkaProducerMessage(topic: "doomed", partition: 0, value: Array("lost".utf8)))
        let mark = producer.mark()
        await #expect(throws: KafkaError.self) {
            try await withTimeout(30, "mark fails") { try await producer.waitUntilAcknowledged(mark) }
        }
        #expect(throws: KafkaError.self) { try producer.isAcknowledged(producer.mark()) }
        try cluster.setBrokerUp(1)
        await producer.close(flushTimeout: .zero)
    }

    /// `wakeUpIterator` ends a wait for records with an empty batch, and is kept for the next wait when nobody waits.
    @Test func wakeUpEndsAWaitForRecords() async throws {
        let cluster = try EmbeddedKafka(brokers: 1)
        defer { cluster.stop() }
        try cluster.createTopic("quiet", partitions: 1)
        var config = cluster.configuration
        config.autoOffsetReset = .earliest
        let consumer = try await KafkaConsumer(configuration: config)
        try await consumer.assign([KafkaTopicPartition("quiet", 0): .beginning])

        consumer.wakeUpIterator()  // nobody waits yet: the next wait returns at once
        let first = try await withTimeout(10, "kept wake-up") { () -> Int in
            var it = consumer.events.makeAsyncIterator()
            guard case .messages(let batch)? = try await it.next() else { return -1 }
            return batch.count
        }
        #expect(first == 0)

        let waiting = Task { () -> Int in
            var iterator = consumer.events.makeAsyncIterator()
            guard case .messages(let batch)? = try await iterator.next() else { return -1 }
            return batch.count
        }
        // Wake until the waiting iterator returns (a wake-up before it waits is kept for it, so one suffices).
        consumer.wakeUpIterator()
        let count = try await withTimeout(10, "woken") { try await waiting.value }
        #expect(count == 0)
        await consumer.close()
    }

    /// `send(_:onDelivery:)` calls back once per record with where it landed, and at once for a record librdkafka
    /// refuses; a record sent while the broker is down is reported only when it is in the log.
    @Test func deliveryCallbackReportsEachRecordOnce() async throws {
        let cluster = try EmbeddedKafka(brokers: 1)
        defer { cluster.stop() }
        try cluster.createTopic("callbacks", partitions: 2)
        let producer = try await KafkaProducer(configuration: cluster.configuration)
        let reports = Mutex<[Int: KafkaDeliveryReport]>([:])
        let duplicates = Mutex(0)
        func send(_ i: Int, partition: Int32) {
            producer.send(KafkaProducerMessage(topic: "callbacks", partition: partition, value: Array("\(i)".utf8))) { report in
                reports.withLock { if $0.updateValue(report, forKey: i) != nil { duplicates.withLock { $0 += 1 } } }
            }
        }
        for i in 0..<1000 { send(i, partition: Int32(i % 2)) }
        send(1000, partition: 9)  // no such partition
        try await withTimeout(30, "1001 reports") { while reports.withLock({ $0.count }) < 1001 { try await Task.sleep(for: .milliseconds(10)) } }
        let all = reports.withLock { $0 }
        #expect(all[1000]?.error != nil)
        #expect(all[1000]?.offset == -1)
        let delivered = (0..<1000).compactMap { all[$0] }.filter { $0.error == nil }
        #expect(delivered.count == 1000)
        for p in Int32(0)..<2 {
            #expect(Set(delivered.filter { $0.partition == p }.map(\.offset)) == Set(0..<500), "partition \(p)")
        }

        try cluster.setBrokerDown(1)
        send(1001, partition: 0)
        #expect(reports.withLock { $0[1001] } == nil, "not in the log while the broker is down")
        try cluster.setBrokerUp(1)
        try await withTimeout(30, "report after the broker is back") { while reports.withLock({ $0[1001] }) == nil { try await Task.sleep(for: .milliseconds(10)) } }
        #expect(reports.withLock { $0[1001]?.offset } == 500)
        #expect(duplicates.withLock { $0 } == 0)
        await producer.close()
    }
}
