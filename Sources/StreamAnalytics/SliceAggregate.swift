/// The aggregates of one symbol over one slice (pane) of `sliceWidth` milliseconds.
///
/// Windows are unions of whole slices, so a trade updates one slice and a window's result is the merge of its
/// slices in time order. Slices live in a per-symbol ring buffer; `index` tags which slice a ring slot holds.
struct SliceAggregate: Sendable, Hashable {
    /// The slice number (`time / sliceWidth`) this slot holds, or -1 when it never held one.
    var index: Int64 = -1
    var count: Int64 = 0
    var volume: Int64 = 0
    var priceSum = UInt128Sum()
    var notional = UInt128Sum()
    var high: Int64 = 0
    var low: Int64 = 0
    var openTime: Int64 = 0
    var openSeq: Int64 = 0
    var openPrice: Int64 = 0
    var closeTime: Int64 = 0
    var closeSeq: Int64 = 0
    var closePrice: Int64 = 0

    /// Resets the slot to hold slice `index` with this single trade.
    @inline(__always)
    mutating func start(index: Int64, price: Int64, quantity: Int64, time: Int64, seq: Int64) {
        self.index = index
        count = 1
        volume = quantity
        priceSum = UInt128Sum(high: 0, low: UInt64(price))
        notional = UInt128Sum()
        notional.add(product: UInt64(price), UInt64(quantity))
        high = price
        low = price
        openTime = time
        openSeq = seq
        openPrice = price
        closeTime = time
        closeSeq = seq
        closePrice = price
    }

    @inline(__always)
    mutating func add(price: Int64, quantity: Int64, time: Int64, seq: Int64) {
        count &+= 1
        let (newVolume, overflow) = volume.addingReportingOverflow(quantity)
        volume = overflow ? .max : newVolume
        priceSum.add(UInt64(price))
        notional.add(product: UInt64(price), UInt64(quantity))
        if price > high { high = price }
        if price < low { low = price }
        if time < openTime || (time == openTime && seq < openSeq) {
            openTime = time
            openSeq = seq
            openPrice = price
        }
        if time > closeTime || (time == closeTime && seq >= closeSeq) {
            closeTime = time
            closeSeq = seq
            closePrice = price
        }
    }

    /// Merges a slice that lies later in time into this one (an empty accumulator takes it as is).
    @inline(__always)
    mutating func merge(later other: SliceAggregate) {
        if count == 0 {
            self = other
            return
        }
        count &+= other.count
        let (newVolume, overflow) = volume.addingReportingOverflow(other.volume)
        volume = overflow ? .max : newVolume
        priceSum.add(other.priceSum)
        notional.add(other.notional)
        if other.high > high { high = other.high }
        if other.low < low { low = other.low }
        closeTime = other.closeTime
        closeSeq = other.closeSeq
        closePrice = other.closePrice
    }
}
