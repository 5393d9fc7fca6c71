/// Any JSON document, as the gateway and the tools read and write it (records have their own fixed shapes).
///
/// Numbers stay as their literal text so prices are never routed through `Double`: the order
/// request parser turns them into fixed-point micros exactly, and views write micros back as
/// exact decimals. Objects keep key order (for readable output); `parse` rejects duplicate keys.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// The member `key` of an object, or nil.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    /// A JSON number for an integer.
    public static func int<I: BinaryInteger>(_ value: I) -> JSONValue { .number(String(value)) }

    /// A JSON number for a fixed-point micro-unit amount (1e-6), written exactly.
    public static func micros(_ value: Int64) -> JSONValue { .number(decimal(value)) }

    /// The shortest exact decimal text of a micro-unit amount: `160250000` → `160.25`.
    public static func decimal(_ micros: Int64) -> String { FixedDecimal(micros: micros).description }

    /// A string, or null when absent.
    public static func optional(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }

    /// The JSON name of this value's type, for error messages.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// Compact UTF-8 serialization.
    public func serialized() -> String {
        var out = ""
        out.reserveCapacity(128)
        write(to: &out)
        return out
    }

    func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += n
        case .string(let s): JSONValue.writeString(s, to: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.write(to: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (i, (key, value)) in members.enumerated() {
                if i > 0 { out += "," }
                JSONValue.writeString(key, to: &out)
                out += ":"
                value.write(to: &out)
            }
            out += "}"
        }
    }

    /// Appends `s` as a JSON string literal (for bodies written directly, without building a value).
    public static func writeString(_ s: String, to out: inout String) {
        // Fast path (ids, symbols, field names): nothing to escape, so append the string whole.
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out += "\""
            out += s
            out += "\""
            return
        }
        // The records' escaper: one JSON string writer for the whole exchange.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(s.utf8.count + 8)
        bytes.appendJSONString(s)
        out += String(decoding: bytes, as: UTF8.self)
    }
}

/// Why a document is not acceptable JSON; `offset` is the byte position.
public struct JSONSyntaxError: Error, Sendable, Equatable {
    public var offset: Int
    public var reason: String
}

extension JSONValue {
    /// Deepest nesting of arrays and objects `parse` accepts (as deep as a foreign record's unknown field may go).
    public static let maximumDepth = 32

    /// Parses one document with the records' reader, as strictly as records are read (RFC 8259: one value, no
    /// trailing data, no comments, valid UTF-8, paired surrogates), and besides: no duplicate keys, at most
    /// `maximumDepth` levels. Callers bound the size (request bodies, files, Kafka values are bounded before).
    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONSyntaxError) -> JSONValue {
        if let result = bytes.withContiguousStorageIfAvailable({ parse(UnsafeRawBufferPointer($0)) }) {
            return try result.get()
        }
        return try Array(bytes).withUnsafeBytes { parse($0) }.get()
    }

    private static func parse(_ bytes: UnsafeRawBufferPointer) -> Result<JSONValue, JSONSyntaxError> {
        var reader = JSONReader(bytes)
        do throws(RecordDecodingError) {
            let value = try reader.readValue(depth: 0)
            try reader.finish()
            return .success(value)
        } catch {
            // The reader's syntax reasons lead with "invalid JSON at byte N:", which `offset` already says.
            var reason = Substring(error.reason)
            for lead in ["invalid JSON at byte \(reader.pos): ", "invalid JSON: "] where reason.hasPrefix(lead) {
                reason = reason.dropFirst(lead.count)
            }
            return .failure(JSONSyntaxError(offset: reader.pos, reason: String(reason)))
        }
    }
}

extension JSONReader {
    /// Reads any JSON value into a tree: strings and numbers by the records' own rules, numbers kept as their text.
    mutating func readValue(depth: Int) throws(RecordDecodingError) -> JSONValue {
        skipWhitespace()
        guard pos < base.count else { throw syntax("a value") }
        switch base[pos] {
        case UInt8(ascii: "\""):
            return .string(try readString(field: nil))
        case UInt8(ascii: "{"):
            guard depth < JSONValue.maximumDepth else { throw error(nil, "nesting deeper than \(JSONValue.maximumDepth)") }
            pos += 1
            var members: [(String, JSONValue)] = []
            if consume(UInt8(ascii: "}")) { return .object(members) }
            repeat {
                skipWhitespace()
                guard pos < base.count, base[pos] == UInt8(ascii: "\"") else { throw syntax("a field name in double quotes") }
                let keyStart = pos
                let key = try readString(field: nil)
                // A scan, not a set: objects are small, and a duplicated `price` is an attack or a bug, not a choice.
                if members.contains(where: { $0.0 == key }) {
                    pos = keyStart
                    throw error(nil, "duplicate key '\(key)'")
                }
                guard consume(UInt8(ascii: ":")) else { throw syntax("':'") }
                members.append((key, try readValue(depth: depth + 1)))
            } while consume(UInt8(ascii: ","))
            guard consume(UInt8(ascii: "}")) else { throw syntax("',' or '}'") }
            return .object(members)
        case UInt8(ascii: "["):
            guard depth < JSONValue.maximumDepth else { throw error(nil, "nesting deeper than \(JSONValue.maximumDepth)") }
            pos += 1
            var items: [JSONValue] = []
            while try nextElement(count: items.count) {
                items.append(try readValue(depth: depth + 1))
            }
            return .array(items)
        case UInt8(ascii: "t") where startsWith("true"):
            pos += 4
            return .bool(true)
        case UInt8(ascii: "f") where startsWith("false"):
            pos += 5
            return .bool(false)
        case UInt8(ascii: "n") where startsWith("null"):
            pos += 4
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = pos
            _ = try scanNumber(field: "", expected: "a number")
            return .number(String(decoding: UnsafeRawBufferPointer(rebasing: base[start..<pos]), as: UTF8.self))
        default:
            throw syntax("a value")
        }
    }
}
