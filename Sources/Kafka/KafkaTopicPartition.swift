/// A partition of a topic.
public struct KafkaTopicPartition: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32

    public init(_ topic: String, _ partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public var description: String { "\(topic)[\(partition)]" }

    public static func < (a: Self, b: Self) -> Bool {
        a.topic == b.topic ? a.partition < b.partition : a.topic < b.topic
    }
}

/// A position in a partition: a concrete offset or one of librdkafka's logical offsets.
public struct KafkaOffset: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    /// The offset of the next record to read.
    public static func offset(_ value: Int64) -> KafkaOffset { KafkaOffset(rawValue: value) }
    /// The oldest record still in the log.
    public static let beginning = KafkaOffset(rawValue: -2)
    /// After the newest record (only new records).
    public static let end = KafkaOffset(rawValue: -1)
    /// The group's committed offset, else `auto.offset.reset`.
    public static let stored = KafkaOffset(rawValue: -1000)
    /// No offset (e.g. nothing committed yet).
    public static let invalid = KafkaOffset(rawValue: -1001)

    /// A concrete (non-logical) offset.
    public var isConcrete: Bool { rawValue >= 0 }

    public var description: String {
        switch rawValue {
        case -2: "beginning"
        case -1: "end"
        case -1000: "stored"
        case -1001: "invalid"
        default: String(rawValue)
        }
    }
}

/// A record header. Values are bytes; `nil` is a header with a null value.
public struct KafkaHeader: Hashable, Sendable {
    public var name: String
    public var value: [UInt8]?

    public init(name: String, value: [UInt8]?) {
        self.name = name
        self.value = value
    }

    public init(name: String, string: String) {
        self.init(name: name, value: Array(string.utf8))
    }
}
