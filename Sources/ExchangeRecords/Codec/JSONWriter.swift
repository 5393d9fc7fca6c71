/// Deterministic JSON output: fixed field order, no whitespace, minimal numbers, so equal records give
/// byte-identical encodings (the exactly-once design compares duplicates byte for byte).
extension Array where Element == UInt8 {
    /// Appends the bytes of a literal such as `{"order_id":`.
    @inline(__always)
    mutating func appendLiteral(_ literal: StaticString) {
        append(contentsOf: UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// Appends a JSON string literal, escaping `"`, `\` and control characters; other text is copied as UTF-8.
    /// Public for the line protocols of `exchange engine --stdio` and `exchange analytics --stdio`.
    public mutating func appendJSONString(_ string: String) {
        append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { utf8 in
            var runStart = 0
            for i in 0..<utf8.count {
                let c = utf8[i]
                if c >= 0x20 && c != UInt8(ascii: "\"") && c != UInt8(ascii: "\\") { continue }
                if runStart < i { append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i])) }
                runStart = i + 1
                switch c {
                case UInt8(ascii: "\""): appendLiteral("\\\"")
                case UInt8(ascii: "\\"): appendLiteral("\\\\")
                case 0x0A: appendLiteral("\\n")
                case 0x0D: appendLiteral("\\r")
                case 0x09: appendLiteral("\\t")
                case 0x08: appendLiteral("\\b")
                case 0x0C: appendLiteral("\\f")
                default:
                    appendLiteral("\\u00")
                    append(Self.hexDigit(c >> 4))
                    append(Self.hexDigit(c & 0xF))
                }
            }
            if runStart < utf8.count { append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...])) }
        }
        append(UInt8(ascii: "\""))
    }

    @inline(__always)
    private static func hexDigit(_ v: UInt8) -> UInt8 {
        v < 10 ? UInt8(ascii: "0") + v : UInt8(ascii: "a") + v - 10
    }

    /// Appends a decimal integer.
    @inline(__always)
    mutating func appendInteger(_ value: Int64) {
        if value < 0 { append(UInt8(ascii: "-")) }
        appendUnsigned(value.magnitude, minimumDigits: 1)
    }

    /// Appends `value` in decimal, left-padded with zeros to `minimumDigits` (at most 20).
    @inline(__always)
    mutating func appendUnsigned(_ value: UInt64, minimumDigits: Int) {
        if value < 10 && minimumDigits <= 1 {
            append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value))
            return
        }
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)
        Swift.withUnsafeMutableBytes(of: &scratch) { digits in
            var v = value
            var i = 24
            repeat {
                i &-= 1
                let (q, r) = v.quotientAndRemainder(dividingBy: 10)
                digits[i] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: r)
                v = q
            } while v > 0
            while 24 &- i < minimumDigits && i > 4 {
                i &-= 1
                digits[i] = UInt8(ascii: "0")
            }
            append(contentsOf: UnsafeRawBufferPointer(rebasing: digits[i...]))
        }
    }

    /// Appends the minimal JSON number of an exact decimal: `160`, `160.25`, `-0.5`.
    mutating func appendDecimal(_ value: FixedDecimal) {
        if value.micros < 0 { append(UInt8(ascii: "-")) }
        let magnitude = value.micros.magnitude
        let whole = magnitude / 1_000_000
        var fraction = magnitude % 1_000_000
        appendUnsigned(whole, minimumDigits: 1)
        guard fraction != 0 else { return }
        var digits = 6
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        append(UInt8(ascii: "."))
        appendUnsigned(fraction, minimumDigits: digits)
    }
}
