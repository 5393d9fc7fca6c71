import ExchangeRecords

/// The read model's orders by id, split over shards that each grow on their own.
///
/// One dictionary of every order the gateway tracks rehashes all of them whenever it grows, under the read model's
/// lock: at 390,000 orders that took 270 ms, during which every request waited (a gateway whose matcher is slow to
/// report keeps every accepted order as PENDING). With 64 shards a growth step moves 1/64 of the orders.
///
/// An order this gateway accepted is kept as its `NewOrder` until a report or a read needs it whole: the full state
/// (history, fills, view fields) cost about 1.3 KB and 4 µs per accepted order on the request path; the order as
/// accepted takes about half the memory, and its full state is built once, by its first report.
struct OrderTable {
    private static let shardCount = 64
    private var shards = [[Key: ReadModel.OrderState]](repeating: [:], count: OrderTable.shardCount)
    private var accepted = [[Key: NewOrder]](repeating: [:], count: OrderTable.shardCount)
    private(set) var count = 0

    /// An order id with its FNV-1a hash, computed once per call: it picks the shard, and the dictionaries hash the
    /// 64-bit value instead of running SipHash over the id's 36 bytes for every lookup and again for every key moved
    /// when a shard grows (together about 1 µs of an accepted order's 1.6 µs here). The ids are the gateway's own
    /// (random UUIDs) or the engine's, not a client's choice, so they cannot be picked to crowd a shard or a bucket.
    private struct Key: Hashable {
        let id: String
        let hash: UInt64

        init(_ id: String) {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in id.utf8 {
                hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
            }
            self.id = id
            self.hash = hash
        }

        var shard: Int { Int(hash % UInt64(OrderTable.shardCount)) }

        func hash(into hasher: inout Hasher) { hasher.combine(hash) }

        static func == (a: Key, b: Key) -> Bool { a.hash == b.hash && a.id == b.id }
    }

    /// The order's state: a PENDING one for an accepted order no report has mentioned yet.
    subscript(id: String) -> ReadModel.OrderState? {
        get {
            let key = Key(id)
            return shards[key.shard][key] ?? accepted[key.shard][key].map(ReadModel.OrderState.accepted)
        }
        set {
            let key = Key(id)
            let replaced = shards[key.shard].updateValue(forKey: key, newValue) != nil
            let wasAccepted = accepted[key.shard].removeValue(forKey: key) != nil
            count += (newValue == nil ? 0 : 1) - (replaced || wasAccepted ? 1 : 0)
        }
    }

    /// Adds an order as accepted (PENDING); false when the id is known already.
    mutating func insertAccepted(_ order: NewOrder) -> Bool {
        let key = Key(order.orderId)
        guard shards[key.shard][key] == nil else { return false }
        // One lookup to insert; an id accepted already (never seen in practice) gets its first order back.
        if let first = accepted[key.shard].updateValue(order, forKey: key) {
            accepted[key.shard][key] = first
            return false
        }
        count += 1
        return true
    }
}

extension Dictionary {
    /// Sets or removes `key`'s value; returns the value it replaced.
    fileprivate mutating func updateValue(forKey key: Key, _ value: Value?) -> Value? {
        if let value { return updateValue(value, forKey: key) }
        return removeValue(forKey: key)
    }
}
