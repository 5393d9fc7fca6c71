/// A record to produce.
public struct KafkaProducerMessage: Sendable {
    public var topic: String
    /// `nil` lets librdkafka's partitioner choose (by key hash: `consistent_random`).
    public var partition: Int32?
    public var key: [UInt8]?
    /// `nil` produces a tombstone (deletes the key in a compacted topic).
    public var value: [UInt8]?
    public var headers: [KafkaHeader]
    /// Epoch milliseconds; `nil` lets the client stamp the current time.
    public var timestamp: Int64?

    public init(topic: String, partition: Int32? = nil, key: [UInt8]? = nil, value: [UInt8]?, headers: [KafkaHeader] = [], timestamp: Int64? = nil) {
        self.topic = topic
        self.partition = partition
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
    }

    /// A record with a UTF-8 text key.
    public init(topic: String, partition: Int32? = nil, key: String, value: [UInt8]?, headers: [KafkaHeader] = [], timestamp: Int64? = nil) {
        self.init(topic: topic, partition: partition, key: Array(key.utf8), value: value, headers: headers, timestamp: timestamp)
    }
}

/// The broker's answer for one produced record.
public struct KafkaDeliveryReport: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    /// The record's offset in the partition; -1 when delivery failed (or acks=0).
    public var offset: Int64
    /// Why delivery failed; `nil` when the record is acknowledged.
    public var error: KafkaError?

    public init(topic: String, partition: Int32, offset: Int64, error: KafkaError?) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.error = error
    }
}
