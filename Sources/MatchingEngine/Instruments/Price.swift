/// A price as a fixed-point integer of micro-units (1e-6), the form prices take between components.
///
/// Decimals from the wire are parsed exactly (never through `Double`) by the records' codec before they reach the
/// engine, which converts to ticks of the instrument's tick size, rejecting values off the grid rather than rounding.
public struct Price: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Micro-units: `160.25` is `160_250_000`.
    public var micros: Int64

    public static let microsPerUnit: Int64 = 1_000_000

    @inlinable
    public init(micros: Int64) { self.micros = micros }

    /// A whole number of currency units, e.g. `Price(units: 160)`.
    @inlinable
    public init(units: Int64) { self.micros = units * Price.microsPerUnit }

    /// Shortest exact decimal text: `160`, `160.25`, `0.000001`.
    public var description: String {
        let negative = micros < 0
        let magnitude = micros.magnitude
        let whole = magnitude / UInt64(Price.microsPerUnit)
        var fraction = magnitude % UInt64(Price.microsPerUnit)
        var text = negative ? "-" : ""
        text += String(whole)
        if fraction != 0 {
            var digits = 6
            while fraction % 10 == 0 { fraction /= 10; digits -= 1 }
            let fractionText = String(fraction)
            text += "." + String(repeating: "0", count: digits - fractionText.count) + fractionText
        }
        return text
    }

    @inlinable
    public static func < (lhs: Price, rhs: Price) -> Bool { lhs.micros < rhs.micros }
}
