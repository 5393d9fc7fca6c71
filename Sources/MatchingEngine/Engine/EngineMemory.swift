/// What the engine's own storage holds, from the capacities of its arrays (the allocator's overheads aside):
/// for benchmarks and capacity planning.
public struct EngineMemory: Hashable, Sendable {
    /// The order pool: one slot per resting order, up to the most that rested at once.
    public var orderBytes: Int
    /// The books' price levels and their bitmaps.
    public var levelBytes: Int
    /// Everything that remembers ids: their states, the interned strings and their table (string ids), the used-id
    /// bits and the live orders' table (integer ids).
    public var idBytes: Int
    public var openOrders: Int
    public var rememberedIds: Int
    /// Slots the pool holds (its high-water mark, rounded up to a power of two).
    public var orderSlots: Int

    /// One order slot: what each resting order takes.
    public static let bytesPerOrderSlot = MemoryLayout<OrderSlot>.stride

    /// Id storage per remembered id.
    public var bytesPerRememberedId: Double { rememberedIds == 0 ? 0 : Double(idBytes) / Double(rememberedIds) }
}

extension Engine {
    public func memory() -> EngineMemory {
        EngineMemory(
            orderBytes: pool.capacity * EngineMemory.bytesPerOrderSlot,
            levelBytes: books.reduce(0) { $0 + $1.count * MemoryLayout<Level>.stride + ($1.words + $1.summaryWords) * 8 },
            idBytes: orderState.capacity * 4 + orderIds.storageBytes + usedIntegerIds.capacity * 8 + liveIntegerOrders.storageBytes
                + forgottenOrders.capacity * 4,
            openOrders: openOrders, rememberedIds: rememberedOrderIds, orderSlots: pool.capacity)
    }
}
