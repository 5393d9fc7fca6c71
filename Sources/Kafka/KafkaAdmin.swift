import Foundation
import Logging

/// What to create: a topic with its partition count and topic configs (e.g. `cleanup.policy=compact`).
public struct KafkaTopicSpecification: Sendable, Hashable {
    public var name: String
    public var partitions: Int
    /// -1: the broker's default.
    public var replicationFactor: Int
    public var config: [String: String]

    public init(name: String, partitions: Int, replicationFactor: Int = -1, config: [String: String] = [:]) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.config = config
    }

    /// Throws `KafkaError.invalid` for an empty name or fewer than one partition.
    package func validate() throws {
        guard !name.isEmpty else { throw KafkaError.invalid("topic name is empty") }
        guard partitions >= 1 else { throw KafkaError.invalid("topic \(name): partitions must be at least 1, got \(partitions)") }
    }
}

/// Topic administration.
///
/// Topics are created with the CreateTopics request. librdkafka's mock cluster does not implement
/// it: whoever runs one creates the topics on it (`EmbeddedKafka.createTopics` in KafkaEmbedded;
/// `exchange broker` creates the exchange's topics and any `--topic name` at start).
public final class KafkaAdmin: Sendable {
    private let rk: SendablePointer
    private let context: ClientContext

    /// Throws `KafkaError` for an invalid configuration or an unreachable cluster.
    public init(configuration: KafkaConfiguration, logger: Logger = Logger(label: "kafka.admin")) async throws {
        context = ClientContext(logger: logger)
        let handle = try RDKafka.makeHandle(role: .admin, configuration: configuration, context: context)
        rk = SendablePointer(handle)
        try await RDKafka.verifyConnectivity(rk, configuration) {}
    }

    deinit {
        // The handle's callbacks use `context`: keep it alive until the handle is gone.
        let rk = self.rk, context = self.context
        Blocking.detach { withExtendedLifetime(context) { RDKafka.destroy(rk) } }
    }

    /// Creates the topics that do not exist yet (existing topics are left unchanged, whatever
    /// their partition count: compare with `listTopics()` where it matters).
    public func createTopics(_ topics: [KafkaTopicSpecification], timeout: Duration = .seconds(30)) async throws {
        for t in topics { try t.validate() }
        let rk = self.rk, ms = timeout.milliseconds
        try await Blocking.run { try RDKafka.createTopics(rk.pointer, topics, timeoutMs: ms) }
    }

    /// Topic names with their partition counts.
    public func listTopics(timeout: Duration = .seconds(10)) async throws -> [String: Int] {
        let rk = self.rk, ms = timeout.milliseconds
        return try await Blocking.run { try RDKafka.topicPartitionCounts(rk.pointer, timeoutMs: ms) }
    }
}
