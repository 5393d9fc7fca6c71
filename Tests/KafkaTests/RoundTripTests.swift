import Kafka
import KafkaEmbedded
import Testing

@Suite(.timeLimit(.minutes(2)))
struct RoundTripTests {
    @Test func keysHeadersAndPartitionsArePreserved() async throws {
        let cluster = try EmbeddedKafka(brokers: 3)
        defer { cluster.stop() }
        try cluster.createTopic("rt", partitions: 3)
        let producer = try await KafkaProducer(configuration: cluster.configuration)
        var sent: [KafkaDeliveryReport: KafkaProducerMessage] = [:]
        for i in 0..<30 {
            let m = KafkaProducerMessage(
                topic: "rt", partition: Int32(i % 3), key: "k\(i)", value: Array("v\(i)".utf8),
                headers: i % 2 == 0 ? [KafkaHeader(name: "h", string: "\(i)"), KafkaHeader(name: "null", value: nil)] : [])
            let report = try await producer.sendAndAwait(m)
            #expect(report.partition == Int32(i % 3))
            sent[report] = m
        }
        // A null value (tombstone) and an empty value stay distinct.
        let tomb = try await producer.sendAndAwait(KafkaProducerMessage(topic: "rt", partition: 0, key: "gone", value: nil))
        let empty = try await producer.sendAndAwait(KafkaProducerMessage(topic: "rt", partition: 0, key: "empty", value: []))
        await producer.close()

        var config = cluster.configuration
        config.groupId = uniqueName("g")
        config.autoOffsetReset = .earliest
        let consumer = try await KafkaConsumer(configuration: config)
        try consumer.subscribe(topics: ["rt"])
        let received = try await withTimeout(20, "32 records") {
            var records: [Record] = []
            for try await event in consumer.events {
                if case .messages(let batch) = event {
                    records += batch.map(Record.init)
                    try consumer.storeOffsets(batch.nextOffsets)
                }
                if records.count >= 32 { break }
            }
            return records
        }
        #expect(received.count == 32)
        for (report, m) in sent {
            let r = try #require(received.first { $0.partition == report.partition && $0.offset == report.offset })
            #expect(r.key == String(decoding: m.key ?? [], as: UTF8.self))
            #expect(r.value == String(decoding: m.value ?? [], as: UTF8.self))
            #expect(r.headers == m.headers)
        }
        let t = try #require(received.first { $0.offset == tomb.offset && $0.partition == 0 })
        #expect(t.value == nil && t.key == "gone")
        let e = try #require(received.first { $0.offset == empty.offset && $0.partition == 0 })
        #expect(e.value == "" && e.key == "empty")
        await consumer.close()
    }
}
