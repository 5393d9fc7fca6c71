/// The read model's orders by id, split over shards that each grow on their own.
///
/// One dictionary of every order the gateway tracks rehashes all of them whenever it grows, under the read model's
/// lock: at 390,000 orders that took 270 ms, during which every request waited (a gateway whose matcher is slow to
/// report keeps every accepted order as PENDING). With 64 shards a growth step moves 1/64 of the orders.
struct OrderTable {
    private static let shardCount = 64
    private var shards = [[String: ReadModel.OrderState]](repeating: [:], count: OrderTable.shardCount)
    private(set) var count = 0

    private static func shard(_ id: String) -> Int {
        Int(UInt(bitPattern: id.hashValue) % UInt(shardCount))
    }

    subscript(id: String) -> ReadModel.OrderState? {
        get { shards[OrderTable.shard(id)][id] }
        set {
            let shard = OrderTable.shard(id)
            let old = shards[shard].updateValue(forKey: id, newValue)
            count += (newValue == nil ? 0 : 1) - (old == nil ? 0 : 1)
        }
    }
}

extension Dictionary {
    /// Sets or removes `key`'s value; returns the value it replaced.
    fileprivate mutating func updateValue(forKey key: Key, _ value: Value?) -> Value? {
        if let value { return updateValue(value, forKey: key) }
        return removeValue(forKey: key)
    }
}
