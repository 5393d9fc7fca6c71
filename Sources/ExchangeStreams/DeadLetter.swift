import Foundation

/// A value of `dead_letters`: a record a stage could not use, where it came from, and why.
///
/// The identity is (source topic, partition, offset); the content is a deterministic function of the source record,
/// so a replayed stage writes byte-identical copies.
public struct DeadLetter: Codable, Equatable, Sendable {
    /// Payloads are kept up to this many bytes (a 1 MB poison record would not fit a Kafka message otherwise).
    public static let payloadLimit = 16 * 1024

    public var stage: String
    public var sourceTopic: String
    public var sourcePartition: Int32
    public var sourceOffset: Int64
    public var reason: String
    /// The payload as text when it is UTF-8 (cut at `payloadLimit` bytes).
    public var payload: String?
    /// The payload in base64 when it is not UTF-8 (cut at `payloadLimit` bytes).
    public var payloadBase64: String?
    public var payloadBytes: Int

    enum CodingKeys: String, CodingKey {
        case stage, reason, payload
        case sourceTopic = "source_topic"
        case sourcePartition = "source_partition"
        case sourceOffset = "source_offset"
        case payloadBase64 = "payload_base64"
        case payloadBytes = "payload_bytes"
    }

    public init(stage: String, source: InputRecord, reason: String) {
        self.stage = stage
        sourceTopic = source.topic
        sourcePartition = source.partition
        sourceOffset = source.offset
        self.reason = reason
        let bytes = source.value ?? []
        payloadBytes = bytes.count
        let kept = bytes.prefix(Self.payloadLimit)
        if let text = String(validating: kept, as: UTF8.self) {
            payload = text
        } else {
            payloadBase64 = Data(kept).base64EncodedString()
        }
    }

    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? Array(encoder.encode(self))) ?? Array("{\"reason\":\"unencodable dead letter\"}".utf8)
    }

    /// The output record: topic `dead_letters`, partition 0, key `topic/partition/offset`.
    public func record(topic: String = TopicNames.deadLetters) -> OutputRecord {
        OutputRecord(
            topic: topic, partition: 0, key: "\(sourceTopic)/\(sourcePartition)/\(sourceOffset)", value: encoded())
    }
}
