import Kafka
import KafkaEmbedded
import Testing

@Suite(.timeLimit(.minutes(3)))
struct ConsumerGroupTests {
    @Test func twoMembersSplitPartitionsAndTheSurvivorTakesAllWithoutLoss() async throws {
        let cluster = try EmbeddedKafka(brokers: 1)
        defer { cluster.stop() }
        try cluster.createTopic("grp", partitions: 4)
        let producer = try await KafkaProducer(configuration: cluster.configuration)
        var config = cluster.configuration
        config.groupId = uniqueName("group")
        config.autoOffsetReset = .earliest
        let collected = Collected()

        let a = try await KafkaConsumer(configuration: config)
        try a.subscribe(topics: ["grp"])
        let taskA = Task { try await runMember("a", a, into: collected) }
        try await waitUntil(20, "a assigned all 4") { await collected.assignment("a").count == 4 }
        _ = try await produce(producer, topic: "grp", partitions: 4, range: 0..<200)
        try await waitUntil(20, "200 records") { await collected.count() >= 200 }
        let all = (0..<4).map { KafkaTopicPartition("grp", Int32($0)) }
        @Sendable func committedTotal() async throws -> Int64 {
            try await a.committed(all).values.reduce(0) { $0 + ($1 ?? 0) }
        }
        // Membership changes once the work so far is committed (auto-commit, every second), so
        // nothing needs to be delivered twice.
        try await waitUntil(20, "200 committed") { try await committedTotal() == 200 }

        let b = try await KafkaConsumer(configuration: config)
        try b.subscribe(topics: ["grp"])
        let taskB = Task { try await runMember("b", b, into: collected) }
        try await waitUntil(30, "partitions split") {
            let (pa, pb) = (await collected.assignment("a"), await collected.assignment("b"))
            return pa.count == 2 && pb.count == 2 && pa.isDisjoint(with: pb)
        }
        _ = try await produce(producer, topic: "grp", partitions: 4, range: 200..<400)
        try await waitUntil(20, "400 records") { await collected.count() >= 400 }
        try await waitUntil(20, "400 committed") { try await committedTotal() == 400 }

        await b.close()
        try await taskB.value
        try await waitUntil(30, "a takes all partitions back") { await collected.assignment("a").count == 4 }
        _ = try await produce(producer, topic: "grp", partitions: 4, range: 400..<600)
        try await waitUntil(20, "600 records") { await collected.count() >= 600 }

        let records = await collected.records
        let values = records.compactMap { $0.value.flatMap(Int.init) }
        #expect(Set(values) == Set(0..<600), "every record delivered")
        #expect(values.count == 600, "no record delivered twice")
        await a.close()
        try await taskA.value
        await producer.close()
    }

    @Test func seekOnAssignmentSetsTheStartPosition() async throws {
        let cluster = try EmbeddedKafka(brokers: 1)
        defer { cluster.stop() }
        try cluster.createTopic("seek", partitions: 2)
        let producer = try await KafkaProducer(configuration: cluster.configuration)
        _ = try await produce(producer, topic: "seek", partitions: 2, range: 0..<40)
        var config = cluster.configuration
        config.groupId = uniqueName("seek")
        config.autoOffsetReset = .earliest
        let consumer = try await KafkaConsumer(configuration: config)
        try consumer.subscribe(topics: ["seek"])
        let first = try await withTimeout(20, "records after seek") {
            var firstOffsets: [Int32: Int64] = [:]
            for try await event in consumer.events {
                switch event {
                case .partitionsAssigned(let ps):
                    #expect(Set(ps) == [KafkaTopicPartition("seek", 0), KafkaTopicPartition("seek", 1)])
                    try await consumer.seek([KafkaTopicPartition("seek", 0): .offset(15), KafkaTopicPartition("seek", 1): .offset(3)])
                case .messages(let batch):
                    for m in batch where firstOffsets[m.partition] == nil { firstOffsets[m.partition] = m.offset }
                case .partitionsRevoked:
                    break
                }
                if firstOffsets.count == 2 { break }
            }
            return firstOffsets
        }
        #expect(first == [0: 15, 1: 3])
        await consumer.close()
        await producer.close()
    }

    @Test func aPositionNoLongerInTheLogIsAnErrorWithResetError() async throws {
        let cluster = try EmbeddedKafka(brokers: 1)
        defer { cluster.stop() }
        try cluster.createTopic("gone", partitions: 1)
        let producer = try await KafkaProducer(configuration: cluster.configuration)
        _ = try await produce(producer, topic: "gone", partitions: 1, range: 0..<5)
        var config = cluster.configuration
        config.autoOffsetReset = .error
        let consumer = try await KafkaConsumer(configuration: config)
        try await consumer.assign([KafkaTopicPartition("gone", 0): .offset(1_000)])
        let error = try await withTimeout(20, "out-of-range error") { () -> KafkaError? in
            do {
                for try await _ in consumer.events {}
                return nil
            } catch let error as KafkaError {
                return error
            }
        }
        #expect(error?.code == .autoOffsetReset, "got \(String(describing: error))")
        await consumer.close()
        await producer.close()
    }

    @Test func committedAndWatermarkOffsets() async throws {
        let cluster = try EmbeddedKafka(brokers: 1)
        defer { cluster.stop() }
        try cluster.createTopic("wm", partitions: 1)
        let producer = try await KafkaProducer(configuration: cluster.configuration)
        _ = try await produce(producer, topic: "wm", partitions: 1, range: 0..<10)
        var config = cluster.configuration
        config.groupId = uniqueName("wm")
        config.enableAutoCommit = false
        let consumer = try await KafkaConsumer(configuration: config)
        let tp = KafkaTopicPartition("wm", 0)
        let none: Int64? = nil
        #expect(try await consumer.committed([tp]) == [tp: none])
        let marks = try await consumer.queryWatermarks(tp)
        #expect(marks.low == 0 && marks.high == 10)
        try await consumer.assign([tp: .beginning])
        try await withTimeout(20, "10 records") {
            var n = 0
            for try await event in consumer.events {
                if case .messages(let batch) = event { n += batch.count }
                if n >= 10 { break }
            }
        }
        #expect(try consumer.position([tp]) == [tp: 10])
        #expect(consumer.cachedWatermarks(tp)?.high == 10)
        try await consumer.commit([tp: 7])
        #expect(try await consumer.committed([tp]) == [tp: 7])
        await consumer.close()
        await producer.close()
    }
}
