/// An unsigned 128-bit accumulator, so sums of prices and of price × quantity never overflow.
struct UInt128Sum: Hashable, Sendable {
    var high: UInt64 = 0
    var low: UInt64 = 0

    @inline(__always)
    mutating func add(_ value: UInt64) {
        let (sum, overflow) = low.addingReportingOverflow(value)
        low = sum
        high &+= overflow ? 1 : 0
    }

    @inline(__always)
    mutating func add(product a: UInt64, _ b: UInt64) {
        let (productHigh, productLow) = a.multipliedFullWidth(by: b)
        let (sum, overflow) = low.addingReportingOverflow(productLow)
        low = sum
        high &+= productHigh &+ (overflow ? 1 : 0)
    }

    @inline(__always)
    mutating func add(_ other: UInt128Sum) {
        let (sum, overflow) = low.addingReportingOverflow(other.low)
        low = sum
        high &+= other.high &+ (overflow ? 1 : 0)
    }

    /// `round(self / divisor)`, halves up, saturating at `Int64.max`.
    func roundedQuotient(dividingBy divisor: UInt64) -> Int64 {
        roundedDivision(high: high, low: low, by: divisor)
    }
}

/// `round((high:low) / divisor)` for a non-negative 128-bit dividend, halves up, saturating at `Int64.max`.
func roundedDivision(high: UInt64, low: UInt64, by divisor: UInt64) -> Int64 {
    guard divisor > 0, high < divisor else { return Int64.max }
    let (quotient, remainder) = divisor.dividingFullWidth((high: high, low: low))
    let roundUp = remainder >= divisor - remainder
    let rounded = quotient &+ (roundUp ? 1 : 0)
    return rounded > UInt64(Int64.max) || (roundUp && rounded == 0) ? Int64.max : Int64(rounded)
}

/// `(close − open) / open · 100` in micro-percent, rounded half away from zero, saturating.
func profitPercentMicros(profit: Int64, open: Int64) -> Int64 {
    guard open > 0 else { return 0 }
    let (high, low) = profit.magnitude.multipliedFullWidth(by: 100_000_000)
    let magnitude = roundedDivision(high: high, low: low, by: UInt64(open))
    return profit < 0 ? -magnitude : magnitude
}
