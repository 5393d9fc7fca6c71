/// One partition of one topic: the unit Kafka assigns and the unit a stage task reads.
public struct TopicPartition: Hashable, Sendable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32

    public init(_ topic: String, _ partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public var description: String { "\(topic)/\(partition)" }
}

/// A record read from a stage's input, with the coordinates that make it identifiable.
public struct InputRecord: Sendable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var key: ArraySlice<UInt8>?
    /// `nil` for a tombstone.
    public var value: ArraySlice<UInt8>?
    /// The record's Kafka timestamp (part of the log, so deterministic for a replay).
    public var timestamp: Int64?

    public init(
        topic: String, partition: Int32, offset: Int64, key: ArraySlice<UInt8>?, value: ArraySlice<UInt8>?,
        timestamp: Int64? = nil
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.timestamp = timestamp
    }

    public var topicPartition: TopicPartition { TopicPartition(topic, partition) }
}

/// A record a stage writes. Stages always name the partition: downstream of `incoming_orders` a symbol keeps
/// its partition number in every topic, whatever partitioner a client would pick.
public struct OutputRecord: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    public var key: [UInt8]?
    /// `nil` writes a tombstone (used to retire old snapshot chunks in compacted changelogs).
    public var value: [UInt8]?

    public init(topic: String, partition: Int32, key: [UInt8]?, value: [UInt8]?) {
        self.topic = topic
        self.partition = partition
        self.key = key
        self.value = value
    }

    public init(topic: String, partition: Int32, key: String?, value: [UInt8]?) {
        self.init(topic: topic, partition: partition, key: key.map { Array($0.utf8) }, value: value)
    }
}
