import Kafka
import Logging

/// The stage runner's view of a Kafka group consumer.
///
/// Rebalances arrive in-band: on `.partitionsAssigned` nothing is fetched until the next event is requested, so the
/// runner's `read(from:)` (a seek to the snapshot positions) decides where every partition starts.
final class KafkaStageConsumer: StageConsumer {
    let consumer: KafkaConsumer
    private var iterator: KafkaConsumer.Events.AsyncIterator
    private let stage: String

    init(consumer: KafkaConsumer, stage: String) {
        self.consumer = consumer
        self.iterator = consumer.events.makeAsyncIterator()
        self.stage = stage
    }

    func subscribe(_ topics: [String]) async throws {
        try consumer.subscribe(topics: topics)
    }

    /// Returns the next event (waits for it: librdkafka's own fetch wait bounds idle polls).
    func poll(maxWaitMilliseconds: Int) async throws -> [ConsumerEvent] {
        let event: KafkaConsumerEvent?
        do {
            event = try await iterator.next()
        } catch let error as KafkaError where error.code == .autoOffsetReset || error.code == .offsetOutOfRange {
            throw StageError(
                "\(stage): a resumed position is no longer in the log (\(error.message)); the broker deleted records "
                    + "before this stage read them. Refusing to skip: restore the input or reset the stage explicitly.")
        }
        guard let event else { throw CancellationError() }
        switch event {
        case .messages(let batch):
            var records: [InputRecord] = []
            records.reserveCapacity(batch.count)
            for message in batch {
                records.append(
                    InputRecord(
                        topic: message.topic, partition: message.partition, offset: message.offset, key: message.key,
                        value: message.value, timestamp: message.timestamp))
            }
            return [.records(records)]
        case .partitionsAssigned(let partitions):
            return [.assigned(partitions.map { TopicPartition($0.topic, $0.partition) })]
        case .partitionsRevoked(let partitions):
            return [.revoked(partitions.map { TopicPartition($0.topic, $0.partition) })]
        }
    }

    func read(from positions: [TopicPartition: Int64?]) async throws {
        var seeks: [KafkaTopicPartition: KafkaOffset] = [:]
        for (partition, offset) in positions {
            let tp = KafkaTopicPartition(partition.topic, partition.partition)
            if let offset {
                seeks[tp] = .offset(offset)
            } else {
                // A task without a snapshot starts at the log's first record, named by its offset: if retention
                // deletes it before the first fetch, the stage stops with an error instead of silently starting later.
                seeks[tp] = .offset(try await consumer.queryWatermarks(tp).low)
            }
        }
        try await consumer.seek(seeks)
    }

    func commit(_ offsets: [TopicPartition: Int64]) async throws {
        var converted: [KafkaTopicPartition: Int64] = [:]
        for (partition, offset) in offsets { converted[KafkaTopicPartition(partition.topic, partition.partition)] = offset }
        try consumer.commitAsync(converted)
    }

    func close() async { await consumer.close() }

    var wakeUp: @Sendable () -> Void { { [consumer] in consumer.wakeUpIterator() } }

    func cachedEndOffsets(_ partitions: [TopicPartition]) -> [TopicPartition: Int64] {
        var ends: [TopicPartition: Int64] = [:]
        for partition in partitions {
            if let (_, high) = consumer.cachedWatermarks(KafkaTopicPartition(partition.topic, partition.partition)), high >= 0 {
                ends[partition] = high
            }
        }
        return ends
    }
}

/// The stage runner's view of a Kafka producer: fire-and-forget sends, `flush` = everything acknowledged.
final class KafkaStageProducer: StageProducer {
    let producer: KafkaProducer
    private var messages: [KafkaProducerMessage] = []
    private var markCount: UInt64 = 0
    private var marks: [UInt64: DeliveryMark] = [:]

    init(producer: KafkaProducer) { self.producer = producer }

    func send(_ records: [OutputRecord]) async throws {
        messages.removeAll(keepingCapacity: true)
        for record in records {
            messages.append(
                KafkaProducerMessage(topic: record.topic, partition: record.partition, key: record.key, value: record.value))
        }
        try await producer.send(contentsOf: messages)
    }

    func flush() async throws { try await producer.flush() }

    func mark() -> OutputMark {
        markCount += 1
        marks[markCount] = producer.mark()
        return OutputMark(position: markCount)
    }

    func isAcknowledged(_ mark: OutputMark) throws -> Bool {
        guard let delivery = marks[mark.position] else { return true }
        guard try producer.isAcknowledged(delivery) else { return false }
        // Marks complete in order, so every earlier one is done too.
        marks = marks.filter { $0.key > mark.position }
        return true
    }

    func waitUntilAcknowledged(_ mark: OutputMark) async throws {
        if let delivery = marks[mark.position] { try await producer.waitUntilAcknowledged(delivery) }
    }

    func whenAcknowledged(_ mark: OutputMark, _ action: @escaping @Sendable () -> Void) {
        guard let delivery = marks[mark.position] else { return action() }
        Task { [producer] in
            _ = try? await producer.waitUntilAcknowledged(delivery)
            action()
        }
    }
}

/// Kafka transactions around a stage's outputs, snapshot and input offsets (transactional mode).
final class KafkaStageTransactions: StageTransactions {
    let producer: KafkaProducer
    let consumer: KafkaConsumer

    init(producer: KafkaProducer, consumer: KafkaConsumer) {
        self.producer = producer
        self.consumer = consumer
    }

    func begin() throws { try producer.beginTransaction() }

    func commit(offsets: [TopicPartition: Int64]) async throws {
        if !offsets.isEmpty {
            var converted: [KafkaTopicPartition: Int64] = [:]
            for (partition, offset) in offsets { converted[KafkaTopicPartition(partition.topic, partition.partition)] = offset }
            try await producer.sendOffsetsToTransaction(converted, groupMetadata: try consumer.groupMetadata())
        }
        try await producer.commitTransaction()
    }

    func abort() async { try? await producer.abortTransaction() }
}

/// Reads changelog partitions from their earliest offset to their end with a group-less consumer.
final class KafkaChangelogReader: ChangelogSource {
    let consumer: KafkaConsumer
    private var iterator: KafkaConsumer.Events.AsyncIterator

    init(consumer: KafkaConsumer) {
        self.consumer = consumer
        self.iterator = consumer.events.makeAsyncIterator()
    }

    func readAll(_ partition: TopicPartition) async throws -> [InputRecord] {
        let tp = KafkaTopicPartition(partition.topic, partition.partition)
        let (low, high) = try await consumer.queryWatermarks(tp)
        guard high > low else { return [] }
        try await consumer.assign([tp: .offset(low)])
        var records: [InputRecord] = []
        // Each offset once and in order, whatever the fetcher hands out twice.
        var next = low
        while next < high {
            guard let event = try await iterator.next() else { throw CancellationError() }
            guard case .messages(let batch) = event else { continue }
            for message in batch
            where message.topic == tp.topic && message.partition == tp.partition && message.offset >= next && message.offset < high {
                records.append(
                    InputRecord(
                        topic: message.topic, partition: message.partition, offset: message.offset, key: message.key,
                        value: message.value, timestamp: message.timestamp))
                next = message.offset + 1
            }
        }
        // Stop fetching: the stage writes this changelog on, and a reader left assigned would fetch every new chunk
        // into a queue nobody reads.
        try await consumer.assign([:])
        return records
    }
}
