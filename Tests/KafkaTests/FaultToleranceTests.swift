import Kafka
import KafkaEmbedded
import Testing

@Suite(.timeLimit(.minutes(3)))
struct FaultToleranceTests {
    /// A partition leader goes down mid-stream and comes back, and produce requests fail
    /// transiently: with the idempotent producer every acknowledged record is delivered
    /// exactly once, in order per partition.
    @Test func brokerDownAndBackDeliversEveryAcknowledgedRecordExactlyOnce() async throws {
        let cluster = try EmbeddedKafka(brokers: 3)
        defer { cluster.stop() }
        try cluster.createTopic("faults", partitions: 2)
        try cluster.setPartitionLeader(KafkaTopicPartition("faults", 0), brokerId: 1)
        try cluster.setPartitionLeader(KafkaTopicPartition("faults", 1), brokerId: 2)

        // One request in flight per connection. With several, librdkafka's idempotent producer takes a later request's
        // success as proof that an earlier, failed one was appended too (a broker refuses sequences out of order);
        // the embedded cluster (librdkafka 2.0.2's mock) does not check sequences, so there an injected error can
        // lose a record the producer reports delivered: 3 runs in about 80 lost the first record sent after the
        // errors were pushed. A real broker does check; this test is about retries over the outage, not the mock.
        var producerConfiguration = cluster.configuration
        producerConfiguration.properties["max.in.flight.requests.per.connection"] = "1"
        let producer = try await KafkaProducer(configuration: producerConfiguration)
        var config = cluster.configuration
        config.autoOffsetReset = .earliest
        /// A consumer reading both partitions from the beginning into `Collected`.
        func startReading() async throws -> (KafkaConsumer, Collected, Task<Void, Error>) {
            let consumer = try await KafkaConsumer(configuration: config)
            try await consumer.assign([KafkaTopicPartition("faults", 0): .beginning, KafkaTopicPartition("faults", 1): .beginning])
            let collected = Collected()
            let reader = Task {
                do {
                    for try await event in consumer.events {
                        if case .messages(let batch) = event { await collected.add(batch) }
                    }
                    await collected.end("the event sequence ended")
                } catch {
                    await collected.end("the event sequence threw \(error)")
                    throw error
                }
            }
            return (consumer, collected, reader)
        }
        let (consumer, collected, reader) = try await startReading()

        var acknowledged: [Int] = []
        func send(_ range: Range<Int>) async throws {
            let messages = range.map { KafkaProducerMessage(topic: "faults", partition: Int32($0 % 2), value: Array("\($0)".utf8)) }
            for (i, report) in zip(range, try await producer.sendAndAwait(contentsOf: messages)) where report.error == nil {
                acknowledged.append(i)
            }
        }
        try await send(0..<200)
        try await waitUntil(20, "first 200 consumed") { await collected.count() >= 200 }

        // Leader of partition 0 down while records keep coming; the consumer's fetches fail too.
        try cluster.setBrokerDown(1)
        let whileDown = Task { try await producer.sendAndAwait(contentsOf: (200..<400).map { KafkaProducerMessage(topic: "faults", partition: Int32($0 % 2), value: Array("\($0)".utf8)) }) }
        try await waitUntil(20, "partition 1 keeps flowing") { await collected.count() >= 300 }
        try cluster.setBrokerUp(1)
        for (i, report) in zip(200..<400, try await whileDown.value) where report.error == nil { acknowledged.append(i) }

        // Transient produce errors force retries that an idempotent producer must not duplicate.
        cluster.pushRequestErrors(.produce, [.notLeaderForPartition, .requestTimedOut, .notLeaderForPartition])
        try await send(400..<600)

        #expect(acknowledged.count == 600, "records acknowledged after the broker came back")
        let expected = Set(acknowledged)
        /// Waits until `collected` holds every acknowledged record; if it does not, records what tells a record
        /// missing from the log (high watermark short) from a fetch that stopped (log complete), and returns false.
        func readsEverything(_ what: String, _ seconds: Double, _ consumer: KafkaConsumer, _ collected: Collected) async -> Bool {
            do {
                try await waitUntil(seconds, what) {
                    Set(await collected.records.compactMap { $0.value.flatMap(Int.init) }).isSuperset(of: expected)
                }
                return true
            } catch {
                var report = ["\(error)", "reader: \(await collected.ending ?? "still iterating")"]
                let read = Set(await collected.records.compactMap { $0.value.flatMap(Int.init) })
                for partition in [Int32(0), 1] {
                    let tp = KafkaTopicPartition("faults", partition)
                    let marks = try? await consumer.queryWatermarks(tp)
                    let position = (try? consumer.position([tp]))?[tp] ?? nil
                    let missing = acknowledged.filter { $0 % 2 == Int(partition) && !read.contains($0) }
                    report.append(
                        "partition \(partition): watermarks \(marks.map { "\($0.low)..\($0.high)" } ?? "unknown"), "
                            + "position \(position.map(String.init) ?? "none"), read \(read.filter { $0 % 2 == Int(partition) }.count), "
                            + "missing \(missing.count) (first \(missing.prefix(10)))")
                }
                Issue.record(Comment(rawValue: report.joined(separator: "; ")))
                return false
            }
        }
        // The consumer that lived through the outage reads everything, and so does a new one.
        let liveReadAll = await readsEverything("the live consumer read every acknowledged record", 30, consumer, collected)
        let (fresh, reread, rereader) = try await startReading()
        let freshReadAll = await readsEverything("a new consumer read every acknowledged record", 60, fresh, reread)
        guard liveReadAll && freshReadAll else {
            for c in [fresh, consumer] { await c.close() }
            await producer.close()
            return
        }
        await fresh.close()
        _ = try await rereader.value
        let records = await reread.records
        var seen: [Int: Int] = [:]
        for r in records { if let v = r.value.flatMap(Int.init) { seen[v, default: 0] += 1 } }
        #expect(acknowledged.allSatisfy { seen[$0] == 1 }, "each acknowledged record exactly once")
        for partition in [Int32(0), 1] {
            let offsets = records.filter { $0.partition == partition }.map(\.offset)
            #expect(offsets == Array(offsets.indices).map(Int64.init), "partition \(partition): dense offsets, in order")
        }
        await consumer.close()
        _ = try await reader.value
        await producer.close()
    }

    @Test func sendWaitsInsteadOfFailingWhenTheQueueIsFull() async throws {
        let cluster = try EmbeddedKafka(brokers: 1)
        defer { cluster.stop() }
        try cluster.createTopic("full", partitions: 1)
        var config = cluster.configuration
        config.queueBufferingMaxMessages = 10
        try cluster.setRoundTripTime(broker: 1, milliseconds: 20)
        let producer = try await KafkaProducer(configuration: config)
        for i in 0..<500 {
            try await producer.send(KafkaProducerMessage(topic: "full", value: Array("\(i)".utf8)))
            // `rd_kafka_outq_len` is the records (at most 10, those awaiting their report included) plus the
            // operations waiting in the reply queue: a delivery-report batch each, and error or log events. So it may
            // pass 10 by a few; a queue that did not hold would grow by hundreds here.
            #expect(producer.outstandingCount <= 20)
        }
        try await producer.flush()
        #expect(producer.deliveryFailureCount == 0)
        let consumer = try await KafkaConsumer(configuration: config)
        #expect(try await consumer.queryWatermarks(KafkaTopicPartition("full", 0)).high == 500)
        await consumer.close()
        await producer.close()
    }

    /// `trySend` queues without waiting, answers `false` (queuing nothing) on a full queue, and throws for a record
    /// librdkafka refuses outright.
    @Test func trySendReportsAFullQueueAndRefusedRecords() async throws {
        let cluster = try EmbeddedKafka(brokers: 1)
        defer { cluster.stop() }
        try cluster.createTopic("try", partitions: 1)
        var config = cluster.configuration
        config.queueBufferingMaxMessages = 10
        try cluster.setRoundTripTime(broker: 1, milliseconds: 200)
        let producer = try await KafkaProducer(configuration: config)
        var queued = 0
        var refused = 0
        for i in 0..<100 {
            if try producer.trySend(KafkaProducerMessage(topic: "try", partition: 0, value: Array("\(i)".utf8))) {
                queued += 1
            } else {
                refused += 1
            }
        }
        #expect(queued >= 1 && queued <= 10, "at most the queue's 10 records are taken")
        #expect(refused == 100 - queued)
        try await producer.flush()
        #expect(throws: KafkaError.self) { try producer.trySend(KafkaProducerMessage(topic: "try", partition: 7, value: [1])) }
        let consumer = try await KafkaConsumer(configuration: config)
        #expect(try await consumer.queryWatermarks(KafkaTopicPartition("try", 0)).high == Int64(queued), "nothing refused was sent")
        await consumer.close()
        await producer.close()
    }
}
