import CRdKafka

/// A consumed record. `key` and `value` are slices of the batch's single byte buffer, so handing
/// out a record allocates nothing; copy with `Array(message.value ?? [])` to keep bytes alone.
public struct KafkaMessage: Sendable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    /// Epoch milliseconds (create or log-append time), `nil` if the record has none.
    public var timestamp: Int64?
    public var key: ArraySlice<UInt8>?
    /// `nil` for a tombstone.
    public var value: ArraySlice<UInt8>?
    public var headers: [KafkaHeader]

    public var topicPartition: KafkaTopicPartition { KafkaTopicPartition(topic, partition) }
    /// The key as UTF-8 text (invalid bytes are repaired).
    public var keyString: String? { key.map { String(decoding: $0, as: UTF8.self) } }
    /// The value as UTF-8 text (invalid bytes are repaired).
    public var valueString: String? { value.map { String(decoding: $0, as: UTF8.self) } }
}

/// Records handed out by one `rd_kafka_consume_batch_queue` call, in the order librdkafka
/// returned them (per partition, by offset). Stored compactly: one byte buffer for all keys and
/// values plus one fixed-size entry per record, so a batch costs a handful of allocations.
public struct KafkaMessageBatch: Sendable, RandomAccessCollection {
    struct Entry: Sendable {
        var topicIndex: Int32
        var partition: Int32
        var offset: Int64
        var timestamp: Int64
        var keyStart: Int32
        var keyLength: Int32  // -1: no key
        var valueStart: Int32
        var valueLength: Int32  // -1: null value
        var headersIndex: Int32  // -1: no headers
    }

    var topics: [String]
    var bytes: [UInt8]
    var entries: [Entry]
    var headers: [[KafkaHeader]]

    public var startIndex: Int { 0 }
    public var endIndex: Int { entries.count }

    public subscript(position: Int) -> KafkaMessage {
        let e = entries[position]
        return KafkaMessage(
            topic: topics[Int(e.topicIndex)],
            partition: e.partition,
            offset: e.offset,
            timestamp: e.timestamp >= 0 ? e.timestamp : nil,
            key: e.keyLength >= 0 ? bytes[Int(e.keyStart)..<Int(e.keyStart + e.keyLength)] : nil,
            value: e.valueLength >= 0 ? bytes[Int(e.valueStart)..<Int(e.valueStart + e.valueLength)] : nil,
            headers: e.headersIndex >= 0 ? headers[Int(e.headersIndex)] : []
        )
    }

    /// For each partition in the batch, the offset after its last record: what to commit or
    /// store once the whole batch is processed.
    public var nextOffsets: [KafkaTopicPartition: Int64] {
        var result: [KafkaTopicPartition: Int64] = [:]
        for e in entries {
            let tp = KafkaTopicPartition(topics[Int(e.topicIndex)], e.partition)
            result[tp] = Swift.max(result[tp] ?? 0, e.offset + 1)
        }
        return result
    }

    /// The same batch without the records of `partitions` (used when a seek makes them stale).
    func removing(_ partitions: Set<KafkaTopicPartition>) -> KafkaMessageBatch {
        var copy = self
        copy.entries = entries.filter { !partitions.contains(KafkaTopicPartition(topics[Int($0.topicIndex)], $0.partition)) }
        return copy
    }

    /// Copies `count` librdkafka messages into a batch; messages carrying an error are returned
    /// separately. Does not destroy the messages.
    static func copying(
        _ messages: UnsafeMutablePointer<UnsafeMutablePointer<rd_kafka_message_t>?>, count: Int
    ) -> (KafkaMessageBatch, [KafkaError]) {
        var total = 0
        for i in 0..<count {
            guard let m = messages[i] else { continue }
            total += m.pointee.len + m.pointee.key_len
        }
        var topics: [String] = []
        var topicHandles: [OpaquePointer?] = []
        var entries: [Entry] = []
        entries.reserveCapacity(count)
        var headers: [[KafkaHeader]] = []
        var errors: [KafkaError] = []
        var cursor = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: total) { buffer, initialized in
            for i in 0..<count {
                guard let m = messages[i] else { continue }
                let msg = m.pointee
                if msg.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                    errors.append(consumerError(m))
                    continue
                }
                let topicIndex: Int
                if let found = topicHandles.firstIndex(where: { $0 == msg.rkt }) {
                    topicIndex = found
                } else {
                    topicHandles.append(msg.rkt)
                    topics.append(String(cString: rd_kafka_topic_name(msg.rkt)))
                    topicIndex = topics.count - 1
                }
                var entry = Entry(
                    topicIndex: Int32(topicIndex), partition: msg.partition, offset: msg.offset,
                    timestamp: rd_kafka_message_timestamp(m, nil),
                    keyStart: Int32(cursor), keyLength: -1, valueStart: 0, valueLength: -1, headersIndex: -1)
                if let key = msg.key {
                    if msg.key_len > 0, let base = buffer.baseAddress {
                        (base + cursor).update(from: key.assumingMemoryBound(to: UInt8.self), count: msg.key_len)
                    }
                    entry.keyLength = Int32(msg.key_len)
                    cursor += msg.key_len
                }
                entry.valueStart = Int32(cursor)
                if let payload = msg.payload {
                    if msg.len > 0, let base = buffer.baseAddress {
                        (base + cursor).update(from: payload.assumingMemoryBound(to: UInt8.self), count: msg.len)
                    }
                    entry.valueLength = Int32(msg.len)
                    cursor += msg.len
                }
                var hdrs: OpaquePointer?
                if rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR, let hdrs {
                    headers.append(readHeaders(hdrs))
                    entry.headersIndex = Int32(headers.count - 1)
                }
                entries.append(entry)
            }
            initialized = cursor
        }
        return (KafkaMessageBatch(topics: topics, bytes: bytes, entries: entries, headers: headers), errors)
    }

    static let empty = KafkaMessageBatch(topics: [], bytes: [], entries: [], headers: [])
}

private func readHeaders(_ hdrs: OpaquePointer) -> [KafkaHeader] {
    var result: [KafkaHeader] = []
    var index = 0
    var name: UnsafePointer<CChar>?
    var value: UnsafeRawPointer?
    var size = 0
    while rd_kafka_header_get_all(hdrs, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
        let bytes = value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }
        result.append(KafkaHeader(name: name.map { String(cString: $0) } ?? "", value: bytes))
        index += 1
    }
    return result
}

/// A consumer error message (`rkmessage->err`) as a `KafkaError` naming its partition.
func consumerError(_ m: UnsafeMutablePointer<rd_kafka_message_t>) -> KafkaError {
    let msg = m.pointee
    var context = "consumer"
    if let rkt = msg.rkt {
        context = "\(String(cString: rd_kafka_topic_name(rkt)))[\(msg.partition)]"
        if msg.offset >= 0 { context += " at offset \(msg.offset)" }
    }
    var text = String(cString: rd_kafka_err2str(msg.err))
    if let payload = msg.payload, msg.len > 0 {
        text = String(decoding: UnsafeRawBufferPointer(start: payload, count: msg.len), as: UTF8.self)
    }
    return KafkaError(code: KafkaError.Code(msg.err), message: "\(context): \(text)",
                      isFatal: msg.err == RD_KAFKA_RESP_ERR__FATAL)
}
