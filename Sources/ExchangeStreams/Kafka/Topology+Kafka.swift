import ExchangeRecords
import Kafka
import Logging

extension Topology {
    /// What to create for `topics` when keyed topics have `partitions` (delete topics keep the broker's default).
    public static func specifications(partitions: Int, of topics: [Topic] = topics) -> [KafkaTopicSpecification] {
        topics.map {
            KafkaTopicSpecification(
                name: $0.name, partitions: $0.partitions(partitions), config: $0.cleanup == .compact ? ["cleanup.policy": "compact"] : [:])
        }
    }

    /// Creates those of `topics` that do not exist yet (existing ones are left as they are) and returns every topic's
    /// partition count. Only missing topics are asked for, so a cluster that has them all is never sent CreateTopics
    /// (librdkafka's mock cluster, run apart by `exchange broker`, does not implement it).
    @discardableResult
    public static func create(
        _ topics: [Topic] = topics, partitions: Int, kafka: KafkaConfiguration, logger: Logger = Logger(label: "exchange.topology")
    ) async throws -> [String: Int] {
        let admin = try await KafkaAdmin(configuration: kafka, logger: logger)
        var existing = try await admin.listTopics()
        let missing = specifications(partitions: partitions, of: topics).filter { existing[$0.name] == nil }
        guard !missing.isEmpty else { return existing }
        do {
            try await admin.createTopics(missing)
        } catch {
            throw StageError(
                "cannot create the missing topics \(missing.map(\.name).joined(separator: ", ")): \(error). "
                    + "Create them on the cluster (an `exchange broker` of this version creates them all at start).")
        }
        for spec in missing { existing[spec.name] = spec.partitions }
        return existing
    }

    /// Creates every topic missing for `settings`.
    public static func create(settings: StreamsSettings) async throws {
        try await create(partitions: settings.partitions, kafka: settings.kafka)
    }
}
