import ExchangeRecords
import ExchangeStreams
import Foundation
import Kafka
import Logging

/// An embedded cluster with the exchange's topics, plus helpers to write inputs and read whole topics back.
final class TestExchange: @unchecked Sendable {
    let cluster: EmbeddedKafka
    let settings: StreamsSettings
    let partitions: Int

    init(
        partitions: Int = 3, brokers: Int = 1, transactional: Bool = false, profile: StreamsSettings.Profile = .latency
    ) async throws {
        cluster = try EmbeddedKafka(brokers: brokers)
        self.partitions = partitions
        var settings = StreamsSettings(
            brokerKind: .embedded, bootstrapServers: cluster.bootstrapServers, partitions: partitions, profile: profile)
        settings.snapshotIntervalMilliseconds = 50
        settings.transactional = transactional
        self.settings = settings
        for spec in StreamsTopology.topics(partitions: partitions) {
            try cluster.createTopic(spec.name, partitions: spec.partitions)
        }
    }

    /// Produces records to `incoming_orders` (partition by key with the Java-compatible partitioner; ticks go to
    /// `partition` when given) and waits for their acknowledgement.
    func produce(_ values: [(key: String?, value: [UInt8], partition: Int32?)]) async throws {
        let producer = try await KafkaProducer(configuration: settings.producerConfiguration)
        let messages = values.map {
            KafkaProducerMessage(topic: TopicName.incomingOrders, partition: $0.partition, key: $0.key.map { Array($0.utf8) }, value: $0.value)
        }
        let reports = try await producer.sendAndAwait(contentsOf: messages)
        await producer.close()
        if let failed = reports.first(where: { $0.error != nil }) { throw failed.error! }
    }

    /// Every record of every partition of `topic` currently in the log.
    func read(_ topic: String) async throws -> [InputRecord] {
        var configuration = settings.kafka
        configuration.groupID = "test-reader-\(UUID().uuidString)"
        configuration.autoOffsetReset = .earliest
        let consumer = try await KafkaConsumer(configuration: configuration)
        defer { Task { await consumer.close() } }
        let count = topic == TopicName.deadLetters || topic.hasPrefix("top_profit") ? 1 : partitions
        var ends: [KafkaTopicPartition: Int64] = [:]
        var starts: [KafkaTopicPartition: KafkaOffset] = [:]
        for p in 0..<count {
            let tp = KafkaTopicPartition(topic, Int32(p))
            let (low, high) = try await consumer.queryWatermarks(tp)
            if high > low {
                ends[tp] = high
                starts[tp] = .offset(low)
            }
        }
        guard !starts.isEmpty else { return [] }
        try await consumer.assign(starts)
        var records: [InputRecord] = []
        var remaining = Set(ends.keys)
        for try await event in consumer.events {
            guard case .messages(let batch) = event else { continue }
            for m in batch {
                guard let end = ends[m.topicPartition], m.offset < end else { continue }
                records.append(
                    InputRecord(topic: m.topic, partition: m.partition, offset: m.offset, key: m.key, value: m.value, timestamp: m.timestamp))
                if m.offset == end - 1 { remaining.remove(m.topicPartition) }
            }
            if remaining.isEmpty { break }
        }
        return records
    }

    /// Starts a stage instance in a task (cancel it to "crash" it).
    func start(_ definition: any StageDefinition, progress: StageProgress? = nil) -> Task<Void, Error> {
        let service = StageService(definition, settings: settings, progress: progress, logger: Logger(label: "test.\(definition.name)"))
        return Task { try await service.runUntilCancelled() }
    }
}

/// Stops a stage task abruptly and waits until it has let go of its clients.
func crash(_ task: Task<Void, Error>) async {
    task.cancel()
    _ = try? await task.value
}
