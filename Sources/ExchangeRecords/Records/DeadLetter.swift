/// A value of `dead_letters`: a record a stage could not use, where it came from, and why.
///
/// The raw payload is kept as text when it is valid UTF-8 (`payload_encoding: "utf8"`), otherwise as standard
/// base64 with padding (`"base64"`); `rawPayload` gives the original bytes back either way.
public struct DeadLetter: Sendable, Hashable {
    public enum PayloadEncoding: String, Sendable, Hashable, CaseIterable {
        case utf8
        case base64
    }

    public var sourceTopic: String
    public var sourcePartition: Int32
    public var sourceOffset: Int64
    /// The payload as stored (text or base64, per `payloadEncoding`).
    public var payload: String
    public var payloadEncoding: PayloadEncoding
    /// What is wrong, for a person to act on (e.g. a `RecordDecodingError.description`).
    public var reason: String
    /// The stage that gave up on the record (`split`, `match`, …).
    public var stage: String
    /// Epoch ms: the source record's timestamp (keeps dead letters deterministic; no wall clock).
    public var timestamp: Int64

    public init(
        sourceTopic: String, sourcePartition: Int32, sourceOffset: Int64, payload: String,
        payloadEncoding: PayloadEncoding, reason: String, stage: String, timestamp: Int64
    ) {
        self.sourceTopic = sourceTopic
        self.sourcePartition = sourcePartition
        self.sourceOffset = sourceOffset
        self.payload = payload
        self.payloadEncoding = payloadEncoding
        self.reason = reason
        self.stage = stage
        self.timestamp = timestamp
    }

    /// Wraps raw bytes, as text when they are valid UTF-8, else base64.
    public init(
        sourceTopic: String, sourcePartition: Int32, sourceOffset: Int64, rawPayload: some Collection<UInt8>,
        reason: String, stage: String, timestamp: Int64
    ) {
        let payload: String
        let encoding: PayloadEncoding
        if let text = String(validating: rawPayload, as: UTF8.self) {
            payload = text
            encoding = .utf8
        } else {
            payload = Base64.encode(Array(rawPayload))
            encoding = .base64
        }
        self.init(
            sourceTopic: sourceTopic, sourcePartition: sourcePartition, sourceOffset: sourceOffset, payload: payload,
            payloadEncoding: encoding, reason: reason, stage: stage, timestamp: timestamp)
    }

    /// The original payload bytes; nil if a base64 payload is corrupt.
    public var rawPayload: [UInt8]? {
        switch payloadEncoding {
        case .utf8: Array(payload.utf8)
        case .base64: Base64.decode(payload)
        }
    }
}

private let payloadEncodingTable = FieldTable(DeadLetter.PayloadEncoding.allCases.map(\.rawValue))
private let payloadEncodingCases = Array(DeadLetter.PayloadEncoding.allCases)

extension DeadLetter.PayloadEncoding: WireEnum {
    static var wireTable: FieldTable { payloadEncodingTable }
    static var wireCases: [DeadLetter.PayloadEncoding] { payloadEncodingCases }
}

extension DeadLetter: JSONRecord, JSONObjectReadable {
    static let table = FieldTable([
        "source_topic", "source_partition", "source_offset", "payload", "payload_encoding", "reason", "stage",
        "timestamp",
    ])

    public static var fieldNames: [String] { table.names }

    /// Dead letters carry whole poison records (a 1 MB value becomes about 1.4 MB of base64).
    public static var maximumJSONBytes: Int { 8 * 1024 * 1024 }

    public func encode(into b: inout [UInt8]) {
        b.appendLiteral("{\"source_topic\":")
        b.appendJSONString(sourceTopic)
        b.appendLiteral(",\"source_partition\":")
        b.appendInteger(Int64(sourcePartition))
        b.appendLiteral(",\"source_offset\":")
        b.appendInteger(sourceOffset)
        b.appendLiteral(",\"payload\":")
        b.appendJSONString(payload)
        b.appendLiteral(payloadEncoding == .utf8 ? ",\"payload_encoding\":\"utf8\"" : ",\"payload_encoding\":\"base64\"")
        b.appendLiteral(",\"reason\":")
        b.appendJSONString(reason)
        b.appendLiteral(",\"stage\":")
        b.appendJSONString(stage)
        b.appendLiteral(",\"timestamp\":")
        b.appendInteger(timestamp)
        b.append(UInt8(ascii: "}"))
    }

    public static func decode(json: UnsafeRawBufferPointer) throws(RecordDecodingError) -> Self {
        try decodeDocument(json)
    }

    static func read(from r: inout JSONReader) throws(RecordDecodingError) -> DeadLetter {
        try r.beginObject(field: nil)
        var topic: String?, partition: Int64?, offset: Int64?, payload: String?, encoding: PayloadEncoding?
        var reason: String?, stage: String?, timestamp: Int64?
        var count = 0
        var seen: UInt64 = 0
        while let index = try r.nextField(table, count: &count, seen: &seen) {
            switch index {
            case 0: topic = try r.readString(field: "source_topic")
            case 1:
                let value = try r.readInt64(field: "source_partition")
                if value < -1 || value > Int64(Int32.max) { throw r.error("source_partition", "out of range") }
                partition = value
            case 2: offset = try r.readInt64(field: "source_offset")
            case 3: payload = try r.readString(field: "payload")
            case 4: encoding = try r.readEnum(PayloadEncoding.self, field: "payload_encoding")
            case 5: reason = try r.readString(field: "reason")
            case 6: stage = try r.readString(field: "stage")
            default: timestamp = try r.readInt64(field: "timestamp")
            }
        }
        return DeadLetter(
            sourceTopic: try r.required(topic, "source_topic"),
            sourcePartition: Int32(try r.required(partition, "source_partition")),
            sourceOffset: try r.required(offset, "source_offset"), payload: try r.required(payload, "payload"),
            payloadEncoding: try r.required(encoding, "payload_encoding"), reason: try r.required(reason, "reason"),
            stage: try r.required(stage, "stage"), timestamp: try r.required(timestamp, "timestamp"))
    }
}
