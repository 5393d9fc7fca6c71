/// A record with a fixed JSON shape: deterministic encoding and strict decoding.
///
/// Encoding writes the fields in `fieldNames` order without whitespace; equal records encode byte-identically.
/// Decoding accepts exactly one JSON object with known fields (see docs/records.md for the rules)
/// and throws `RecordDecodingError` naming the field at fault.
public protocol JSONRecord: Sendable, Hashable {
    /// Every JSON field name this record type can carry, in encoding order.
    static var fieldNames: [String] { get }
    /// Largest JSON document `decode` accepts, in bytes.
    static var maximumJSONBytes: Int { get }
    /// Appends the record's JSON to `buffer` (reuse one buffer to avoid allocations).
    func encode(into buffer: inout [UInt8])
    /// Decodes one JSON document (e.g. a Kafka message value, in place).
    static func decode(json: UnsafeRawBufferPointer) throws(RecordDecodingError) -> Self
}

extension JSONRecord {
    @inlinable
    public static var maximumJSONBytes: Int { 64 * 1024 }

    /// The record's JSON bytes.
    @inlinable
    public func encoded() -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(256)
        encode(into: &buffer)
        return buffer
    }

    /// The record's JSON text.
    @inlinable
    public var jsonString: String {
        String(decoding: encoded(), as: UTF8.self)
    }

    @inlinable
    public static func decode(json: [UInt8]) throws(RecordDecodingError) -> Self {
        try json.withUnsafeBytes { raw in Result { () throws(RecordDecodingError) in try decode(json: raw) } }.get()
    }

    @inlinable
    public static func decode(json: ArraySlice<UInt8>) throws(RecordDecodingError) -> Self {
        try json.withUnsafeBytes { raw in Result { () throws(RecordDecodingError) in try decode(json: raw) } }.get()
    }

    @inlinable
    public static func decode(json: String) throws(RecordDecodingError) -> Self {
        var json = json
        return try json.withUTF8 { utf8 in
            Result { () throws(RecordDecodingError) in try decode(json: UnsafeRawBufferPointer(utf8)) }
        }.get()
    }
}

/// Implemented by every record: reads one object at the reader's position.
protocol JSONObjectReadable {
    static func read(from reader: inout JSONReader) throws(RecordDecodingError) -> Self
}

extension JSONObjectReadable where Self: JSONRecord {
    /// Decodes a whole document: size limit, one object, nothing after it.
    @inline(__always)
    static func decodeDocument(_ json: UnsafeRawBufferPointer) throws(RecordDecodingError) -> Self {
        guard json.count <= maximumJSONBytes else {
            throw RecordDecodingError(
                field: nil, reason: "record is \(json.count) bytes; the limit is \(maximumJSONBytes)")
        }
        var reader = JSONReader(json)
        let value = try read(from: &reader)
        try reader.finish()
        return value
    }
}

extension JSONReader {
    /// Unwraps a required field or throws "missing required field".
    @inline(__always)
    func required<T>(_ value: T?, _ field: String) throws(RecordDecodingError) -> T {
        guard let value else { throw error(field, "missing required field") }
        return value
    }

    /// Identifiers (order, trader, trade ids): non-empty, at most 128 UTF-8 bytes.
    mutating func readIdentifier(field: String) throws(RecordDecodingError) -> String {
        let text = try readString(field: field)
        if text.isEmpty { throw error(field, "must not be empty") }
        if text.utf8.count > 128 { throw error(field, "longer than 128 bytes") }
        return text
    }

    /// Symbols: 1 to 32 bytes of printable ASCII other than space, `@`, `"` and `\` (they appear in keys such
    /// as `AAPL@1700000000000`).
    mutating func readSymbol(field: String) throws(RecordDecodingError) -> String {
        let text = try readString(field: field)
        if text.isEmpty { throw error(field, "must not be empty") }
        if text.utf8.count > 32 { throw error(field, "longer than 32 bytes") }
        for c in text.utf8 where c <= 0x20 || c >= 0x7F || c == UInt8(ascii: "@") || c == UInt8(ascii: "\\")
            || c == UInt8(ascii: "\"")
        {
            throw error(field, "'\(text)' is not a symbol (printable ASCII without spaces, '@', quotes)")
        }
        return text
    }

    /// A string that may be `null` (read as absent).
    mutating func readOptionalString(field: String) throws(RecordDecodingError) -> String? {
        if consumeNull() { return nil }
        return try readString(field: field)
    }

    mutating func readOptionalDecimal(field: String) throws(RecordDecodingError) -> FixedDecimal? {
        if consumeNull() { return nil }
        return try readDecimal(field: field)
    }

    mutating func readOptionalInt64(field: String) throws(RecordDecodingError) -> Int64? {
        if consumeNull() { return nil }
        return try readInt64(field: field)
    }

    /// A positive integer (quantities, minutes).
    mutating func readPositive(field: String) throws(RecordDecodingError) -> Int64 {
        let value = try readInt64(field: field)
        if value <= 0 { throw error(field, "must be positive, got \(value)") }
        return value
    }

    /// A non-negative integer (timestamps, offsets, filled quantities).
    mutating func readNonNegative(field: String) throws(RecordDecodingError) -> Int64 {
        let value = try readInt64(field: field)
        if value < 0 { throw error(field, "must not be negative, got \(value)") }
        return value
    }

    /// A positive decimal (order prices, tick sizes).
    mutating func readPositiveDecimal(field: String) throws(RecordDecodingError) -> FixedDecimal {
        let value = try readDecimal(field: field)
        if value.micros <= 0 { throw error(field, "must be positive, got \(value)") }
        return value
    }
}
