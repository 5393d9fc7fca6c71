import CRdKafka
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
        Blocking.detach { withExtendedLifetime(context) { rd_kafka_destroy(rk.pointer) } }
    }

    /// Creates the topics that do not exist yet (existing topics are left unchanged, whatever
    /// their partition count: compare with `listTopics()` where it matters).
    public func createTopics(_ topics: [KafkaTopicSpecification], timeout: Duration = .seconds(30)) async throws {
        for t in topics { try t.validate() }
        let rk = self.rk, ms = timeout.milliseconds
        try await Blocking.run { try Self.createTopicsBlocking(rk.pointer, topics, timeoutMs: ms) }
    }

    /// Topic names with their partition counts.
    public func listTopics(timeout: Duration = .seconds(10)) async throws -> [String: Int] {
        let rk = self.rk, ms = timeout.milliseconds
        return try await Blocking.run { try RDKafka.topicPartitionCounts(rk.pointer, timeoutMs: ms) }
    }

    private static func createTopicsBlocking(_ rk: OpaquePointer, _ topics: [KafkaTopicSpecification], timeoutMs: Int) throws {
        var errstr = [CChar](repeating: 0, count: 512)
        var newTopics: [OpaquePointer?] = []
        defer { for t in newTopics { rd_kafka_NewTopic_destroy(t) } }
        for t in topics {
            guard let nt = rd_kafka_NewTopic_new(t.name, Int32(t.partitions), Int32(t.replicationFactor), &errstr, errstr.count) else {
                throw KafkaError.invalid("topic \(t.name): \(stringFromCBuffer(errstr))")
            }
            newTopics.append(nt)
            for (key, value) in t.config.sorted(by: { $0.key < $1.key }) {
                try rd_kafka_NewTopic_set_config(nt, key, value).check("topic \(t.name) config \(key)=\(value)")
            }
        }
        guard let queue = rd_kafka_queue_new(rk) else { throw KafkaError(code: .state, message: "rd_kafka_queue_new failed") }
        defer { rd_kafka_queue_destroy(queue) }
        let options = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS)
        defer { rd_kafka_AdminOptions_destroy(options) }
        _ = rd_kafka_AdminOptions_set_operation_timeout(options, Int32(clamping: timeoutMs), &errstr, errstr.count)
        _ = rd_kafka_AdminOptions_set_request_timeout(options, Int32(clamping: timeoutMs), &errstr, errstr.count)
        newTopics.withUnsafeMutableBufferPointer { buffer in
            rd_kafka_CreateTopics(rk, buffer.baseAddress, buffer.count, options, queue)
        }
        guard let event = rd_kafka_queue_poll(queue, Int32(clamping: timeoutMs + 1000)) else {
            throw KafkaError(code: .timedOut, message: "create topics: no answer within \(timeoutMs) ms")
        }
        defer { rd_kafka_event_destroy(event) }
        let err = rd_kafka_event_error(event)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            let text = rd_kafka_event_error_string(event).map { String(cString: $0) } ?? ""
            throw KafkaError(code: KafkaError.Code(err), message: "create topics \(topics.map(\.name)): \(text)")
        }
        guard let result = rd_kafka_event_CreateTopics_result(event) else { return }
        var count = 0
        guard let results = rd_kafka_CreateTopics_result_topics(result, &count) else { return }
        for i in 0..<count {
            guard let r = results[i] else { continue }
            let code = rd_kafka_topic_result_error(r)
            if code == RD_KAFKA_RESP_ERR_NO_ERROR || code == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS { continue }
            let name = String(cString: rd_kafka_topic_result_name(r))
            let text = rd_kafka_topic_result_error_string(r).map { String(cString: $0) } ?? ""
            throw KafkaError(code: KafkaError.Code(code), message: "create topic \(name): \(text)")
        }
    }
}
