/// Fixed-point prices in micro-units (1e-6), the exchange-wide wire convention.
///
/// Parsing is exact: digits are read as text, never through `Double`, so `160.25` is
/// `160_250_000` and `0.1 + 0.2` problems cannot reach the order book.
public enum Micros {
    public static let scale: Int64 = 1_000_000

    public enum ParseError: Error, Equatable, Sendable {
        case notADecimal
        case tooManyDecimals
        case outOfRange
    }

    /// Parses a JSON number literal such as `160.25`, `-3`, `1.5e2` into micros.
    public static func parse(_ text: String) throws(ParseError) -> Int64 {
        var utf8 = Array(text.utf8)
        var negative = false
        if utf8.first == UInt8(ascii: "-") { negative = true; utf8.removeFirst() }
        var exponent = 0
        if let e = utf8.firstIndex(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
            guard let exp = Int(String(decoding: utf8[(e + 1)...], as: UTF8.self)), abs(exp) < 40 else { throw .notADecimal }
            exponent = exp
            utf8.removeSubrange(e...)
        }
        var digits: [UInt8] = []
        var fractionDigits = 0
        var seenPoint = false
        for b in utf8 {
            if b == UInt8(ascii: ".") {
                if seenPoint { throw .notADecimal }
                seenPoint = true
            } else if b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") {
                digits.append(b - UInt8(ascii: "0"))
                if seenPoint { fractionDigits += 1 }
            } else {
                throw .notADecimal
            }
        }
        guard !digits.isEmpty else { throw .notADecimal }
        // value = digits * 10^(exponent - fractionDigits); micros = value * 10^6
        var shift = exponent - fractionDigits + 6
        while shift < 0, digits.count > 1, digits.last == 0 { digits.removeLast(); shift += 1 }
        if shift < 0 {
            if digits.allSatisfy({ $0 == 0 }) { return 0 }
            throw .tooManyDecimals
        }
        var value: Int64 = 0
        for d in digits {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(d))
            if o1 || o2 { throw .outOfRange }
            value = a
        }
        for _ in 0..<shift {
            let (m, o) = value.multipliedReportingOverflow(by: 10)
            if o { throw .outOfRange }
            value = m
        }
        return negative ? -value : value
    }

    /// Formats micros as the shortest exact decimal: `160250000` → `160.25`, `3000000` → `3`.
    public static func format(_ micros: Int64) -> String {
        let negative = micros < 0
        let magnitude = micros.magnitude
        let whole = magnitude / UInt64(scale)
        var fraction = magnitude % UInt64(scale)
        var text = (negative ? "-" : "") + String(whole)
        if fraction != 0 {
            var width = 6
            while fraction % 10 == 0 { fraction /= 10; width -= 1 }
            let f = String(fraction)
            text += "." + String(repeating: "0", count: width - f.count) + f
        }
        return text
    }
}
