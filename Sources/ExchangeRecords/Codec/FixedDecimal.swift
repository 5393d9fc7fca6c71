/// An exact decimal with six fractional digits, stored as `Int64` micro-units (1e-6).
///
/// Prices, tick sizes and analytics values travel as JSON numbers and are parsed straight from their text
/// (never through `Double`), so `160.25` is exactly `160_250_000` micros. Values needing more than six
/// fractional digits, or beyond ±9,223,372,036,854.775807, are rejected rather than rounded.
public struct FixedDecimal: Sendable, Hashable, Comparable, CustomStringConvertible, LosslessStringConvertible,
    ExpressibleByIntegerLiteral
{
    /// Micro-units per unit.
    public static let scale: Int64 = 1_000_000
    public static let zero = FixedDecimal(micros: 0)

    /// The value in micro-units: `1.5` is `1_500_000`.
    public var micros: Int64

    public init(micros: Int64) {
        self.micros = micros
    }

    /// A whole number of units; traps on overflow (literals and programmer input only).
    public init(integerLiteral value: Int64) {
        self.micros = value * Self.scale
    }

    /// Parses a JSON-number text such as `160.25`, `-0.5` or `1.5e2`; `nil` if it is not exactly representable.
    public init?(_ description: String) {
        var text = description
        let parsed: FixedDecimal? = text.withUTF8 { utf8 in
            var reader = JSONReader(UnsafeRawBufferPointer(utf8))
            guard let value = try? reader.readDecimal(field: "value"), (try? reader.finish()) != nil else { return nil }
            return value
        }
        guard let parsed else { return nil }
        self = parsed
    }

    /// Like `init?(_:)` but says why the text was refused.
    public static func parse(_ text: String, field: String = "value") throws(RecordDecodingError) -> FixedDecimal {
        var text = text
        return try text.withUTF8 { utf8 in
            Result { () throws(RecordDecodingError) -> FixedDecimal in
                var reader = JSONReader(UnsafeRawBufferPointer(utf8))
                let value = try reader.readDecimal(field: field)
                try reader.finish()
                return value
            }
        }.get()
    }

    public static func < (lhs: FixedDecimal, rhs: FixedDecimal) -> Bool {
        lhs.micros < rhs.micros
    }

    /// The minimal JSON number text: `160`, `160.25`, `-0.5`.
    public var description: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        bytes.appendDecimal(self)
        return String(decoding: bytes, as: UTF8.self)
    }
}
