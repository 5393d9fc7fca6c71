/// A price as a fixed-point integer of micro-units (1e-6), the form prices take between components.
///
/// Decimals from the wire are parsed exactly (never through `Double`) and the engine converts to
/// ticks of the instrument's tick size, rejecting values off the grid rather than rounding.
public struct Price: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Micro-units: `160.25` is `160_250_000`.
    public var micros: Int64

    public static let microsPerUnit: Int64 = 1_000_000

    @inlinable
    public init(micros: Int64) { self.micros = micros }

    /// A whole number of currency units, e.g. `Price(units: 160)`.
    @inlinable
    public init(units: Int64) { self.micros = units * Price.microsPerUnit }

    /// Parses a plain decimal such as `160`, `160.25` or `-0.000001` exactly.
    /// Returns nil for anything else: exponents, more than 6 significant fraction digits, overflow.
    public init?(parsing text: some StringProtocol) {
        guard let micros = Price.parseMicros(Array(text.utf8)) else { return nil }
        self.micros = micros
    }

    /// Exact decimal → micros over UTF-8 bytes; trailing zero fraction digits beyond 6 are accepted.
    public static func parseMicros(_ bytes: some Collection<UInt8>) -> Int64? {
        var iterator = bytes.makeIterator()
        var negative = false
        var integer: Int64 = 0
        var fraction: Int64 = 0
        var fractionDigits = 0
        var sawDigit = false
        var inFraction = false
        var first = true
        while let byte = iterator.next() {
            defer { first = false }
            switch byte {
            case UInt8(ascii: "-") where first:
                negative = true
            case UInt8(ascii: "."):
                guard !inFraction, sawDigit else { return nil }
                inFraction = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                let digit = Int64(byte &- UInt8(ascii: "0"))
                sawDigit = true
                if inFraction {
                    if fractionDigits < 6 {
                        fraction = fraction * 10 + digit
                        fractionDigits += 1
                    } else if digit != 0 {
                        return nil
                    }
                } else {
                    let (times10, o1) = integer.multipliedReportingOverflow(by: 10)
                    let (sum, o2) = times10.addingReportingOverflow(digit)
                    guard !o1, !o2 else { return nil }
                    integer = sum
                }
            default:
                return nil
            }
        }
        guard sawDigit else { return nil }
        while fractionDigits < 6 { fraction *= 10; fractionDigits += 1 }
        let (scaled, o1) = integer.multipliedReportingOverflow(by: microsPerUnit)
        let (total, o2) = scaled.addingReportingOverflow(fraction)
        guard !o1, !o2 else { return nil }
        return negative ? -total : total
    }

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
