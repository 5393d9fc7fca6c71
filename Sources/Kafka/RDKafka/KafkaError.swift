import CRdKafka

/// An error reported by librdkafka, a broker, or this wrapper's own validation.
///
/// `code` is librdkafka's `rd_kafka_resp_err_t` (negative values are client-side errors such as
/// `_QUEUE_FULL` or `_TRANSPORT`, positive values are Kafka protocol errors), so callers can
/// branch on it; `message` says what went wrong in words a person can act on.
public struct KafkaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// librdkafka's error code (`rd_kafka_resp_err_t`).
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        init(_ err: rd_kafka_resp_err_t) { self.rawValue = err.rawValue }

        /// librdkafka's symbolic name, e.g. `_QUEUE_FULL` or `UNKNOWN_TOPIC_OR_PART`.
        public var name: String { String(cString: rd_kafka_err2name(rd_kafka_resp_err_t(rawValue: rawValue))) }
        public var description: String { name }

        public static let noError = Code(RD_KAFKA_RESP_ERR_NO_ERROR)
        public static let invalidArgument = Code(RD_KAFKA_RESP_ERR__INVALID_ARG)
        public static let unknownPartition = Code(RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION)
        public static let unknownTopic = Code(RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC)
        public static let unknownTopicOrPartition = Code(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
        public static let queueFull = Code(RD_KAFKA_RESP_ERR__QUEUE_FULL)
        public static let messageTimedOut = Code(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT)
        public static let timedOut = Code(RD_KAFKA_RESP_ERR__TIMED_OUT)
        public static let transport = Code(RD_KAFKA_RESP_ERR__TRANSPORT)
        public static let allBrokersDown = Code(RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
        public static let state = Code(RD_KAFKA_RESP_ERR__STATE)
        public static let fatal = Code(RD_KAFKA_RESP_ERR__FATAL)
        public static let destroyed = Code(RD_KAFKA_RESP_ERR__DESTROY)
        public static let autoOffsetReset = Code(RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET)
        public static let offsetOutOfRange = Code(RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE)
        public static let topicAlreadyExists = Code(RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
        public static let unsupportedFeature = Code(RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE)
        public static let notImplemented = Code(RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED)
        public static let invalidPartitions = Code(RD_KAFKA_RESP_ERR_INVALID_PARTITIONS)
        public static let notLeaderForPartition = Code(RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION)
        public static let leaderNotAvailable = Code(RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE)
        public static let notCoordinator = Code(RD_KAFKA_RESP_ERR_NOT_COORDINATOR)
        public static let coordinatorNotAvailable = Code(RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE)
        public static let requestTimedOut = Code(RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT)
    }

    public var code: Code
    /// What went wrong, naming the property, topic or partition involved where known.
    public var message: String
    /// The client can no longer be used (e.g. an idempotent producer's sequence was broken); recreate it.
    public var isFatal: Bool
    /// The same operation may succeed if retried.
    public var isRetriable: Bool
    /// The current transaction must be aborted (`abortTransaction()`) before the producer can continue.
    public var transactionRequiresAbort: Bool

    public init(code: Code, message: String, isFatal: Bool = false, isRetriable: Bool = false, transactionRequiresAbort: Bool = false) {
        self.code = code
        self.message = message
        self.isFatal = isFatal
        self.isRetriable = isRetriable
        self.transactionRequiresAbort = transactionRequiresAbort
    }

    public var description: String {
        var text = "KafkaError \(code.name) (\(code.rawValue)): \(message)"
        if isFatal { text += " [fatal]" }
        if isRetriable { text += " [retriable]" }
        if transactionRequiresAbort { text += " [transaction requires abort]" }
        return text
    }

    /// From a plain response code, with librdkafka's description and an optional context prefix.
    init(_ err: rd_kafka_resp_err_t, context: String? = nil) {
        let text = String(cString: rd_kafka_err2str(err))
        self.init(code: Code(err), message: context.map { "\($0): \(text)" } ?? text)
    }

    /// From an `rd_kafka_error_t`, which it destroys.
    init(consuming error: OpaquePointer, context: String? = nil) {
        let text = String(cString: rd_kafka_error_string(error))
        self.init(
            code: Code(rd_kafka_error_code(error)),
            message: context.map { "\($0): \(text)" } ?? text,
            isFatal: rd_kafka_error_is_fatal(error) != 0,
            isRetriable: rd_kafka_error_is_retriable(error) != 0,
            transactionRequiresAbort: rd_kafka_error_txn_requires_abort(error) != 0
        )
        rd_kafka_error_destroy(error)
    }

    static func closed(_ what: String) -> KafkaError {
        KafkaError(code: .destroyed, message: "\(what) is closed")
    }

    package static func invalid(_ message: String) -> KafkaError {
        KafkaError(code: .invalidArgument, message: message)
    }
}

extension rd_kafka_resp_err_t {
    /// Throws a `KafkaError` unless this is `NO_ERROR`.
    package func check(_ context: @autoclosure () -> String) throws {
        if self != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(self, context: context()) }
    }
}
