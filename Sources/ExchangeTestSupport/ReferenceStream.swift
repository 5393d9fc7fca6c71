import MatchingEngine

/// glibc's `rand()` (the default TYPE_3 additive feedback generator), reproduced so reference
/// workloads are identical on every platform without calling into libc.
public struct GlibcRandom: Sendable {
    private var state: [Int32]
    /// Position of the oldest value, r[k-31], in the ring.
    private var index = 0

    /// Equivalent of `srand(seed)`.
    public init(seed: UInt32) {
        var r = [Int32](repeating: 0, count: 34)
        r[0] = Int32(bitPattern: seed == 0 ? 1 : seed)
        for i in 1..<31 {
            let hi = Int64(r[i - 1]) / 127_773
            let lo = Int64(r[i - 1]) % 127_773
            var word = 16_807 * lo - 2_836 * hi
            if word < 0 { word += 2_147_483_647 }
            r[i] = Int32(word)
        }
        for i in 31..<34 { r[i] = r[i - 31] }
        // glibc discards the first 310 outputs; keep the last 31 values as the ring.
        for i in 34..<344 { r.append(r[i - 31] &+ r[i - 3]) }
        state = Array(r[(344 - 31)..<344])
    }

    /// Equivalent of `rand()`: a value in 0...2147483647.
    public mutating func next() -> Int32 {
        // state holds the last 31 values r[k-31] ... r[k-1] as a ring starting at `index`.
        let value = state[index] &+ state[(index + 28) % 31]
        state[index] = value
        index = (index + 1) % 31
        return Int32(bitPattern: UInt32(bitPattern: value) >> 1)
    }
}

/// The fixed order stream of issue 3 (used by the fixed-vector test and the benchmark):
/// with `srand(1)`, order i is a GTC LIMIT, a buy when i is even, price `rand() % 10 + (buy ? 1880 : 1884)`
/// whole units, quantity `(rand() % 10 + 1) * 100`, every order from its own trader.
public struct ReferenceOrder: Hashable, Sendable {
    public var index: Int
    public var side: Side
    public var priceUnits: Int64
    public var quantity: Int64

    public static func stream(count: Int) -> [ReferenceOrder] {
        var random = GlibcRandom(seed: 1)
        var orders: [ReferenceOrder] = []
        orders.reserveCapacity(count)
        for i in 0..<count {
            let buy = i % 2 == 0
            let price = Int64(random.next() % 10) + (buy ? 1880 : 1884)
            let quantity = Int64(random.next() % 10 + 1) * 100
            orders.append(ReferenceOrder(index: i, side: buy ? .buy : .sell, priceUnits: price, quantity: quantity))
        }
        return orders
    }

    /// The instrument the stream trades: whole-unit ticks, lot 100, no band.
    public static let instrument = Instrument(
        symbol: "REF", name: "Reference stream", exchange: "TEST", tickSize: Price(units: 1), lotSize: 100,
        referencePrice: Price(units: 1886))
}

/// FNV-1a-64 over the bytes of little-endian UInt64 words, the fill hash of issue 3.
/// Note: issue 3 fixes the offset basis at 1469598103934665603 (not FNV's usual 14695981039346656037);
/// the reference hash `bc44b65bf718798d` depends on it.
public struct FNV1a64: Hashable, Sendable {
    public private(set) var value: UInt64 = 1_469_598_103_934_665_603

    public init() {}

    @inline(__always)
    public mutating func combine(_ word: UInt64) {
        var w = word
        for _ in 0..<8 {
            value = (value ^ (w & 0xff)) &* 0x0000_0100_0000_01b3
            w >>= 8
        }
    }

    public var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
