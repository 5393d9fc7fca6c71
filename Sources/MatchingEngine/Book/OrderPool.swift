/// One live order in pooled contiguous storage; `prev`/`next` link it into its price level's FIFO.
struct OrderSlot {
    var handle: UInt32
    var trader: UInt32
    var book: UInt32
    var side: Side
    var type: OrderType
    var timeInForce: TimeInForce
    var price: Int64  // ticks
    var quantity: Int64
    var filled: Int64
    var prev: Int32
    var next: Int32
    var expiry: Int64  // Int64.max: none
    var sequence: UInt64  // acceptance number, breaks expiry ties deterministically

    var leaves: Int64 { quantity - filled }
}

/// Pooled order slots with a free list: no allocation per order once warmed up.
final class OrderPool {
    @exclusivity(unchecked) private(set) var slots: UnsafeMutablePointer<OrderSlot>
    @exclusivity(unchecked) private(set) var capacity: Int
    @exclusivity(unchecked) private var highWater = 0
    @exclusivity(unchecked) private var freeHead: Int32 = -1
    @exclusivity(unchecked) private(set) var live = 0

    init(capacity: Int = 1 << 12) {
        self.capacity = max(16, capacity)
        slots = .allocate(capacity: self.capacity)
    }

    deinit { slots.deallocate() }

    @inline(__always)
    func allocate(_ slot: OrderSlot) -> Int32 {
        live += 1
        if freeHead >= 0 {
            let index = freeHead
            freeHead = slots[Int(index)].next
            slots[Int(index)] = slot
            return index
        }
        if highWater == capacity { grow() }
        let index = highWater
        highWater += 1
        (slots + index).initialize(to: slot)
        return Int32(index)
    }

    @inline(__always)
    func free(_ index: Int32) {
        live -= 1
        slots[Int(index)].next = freeHead
        freeHead = index
    }

    private func grow() {
        let newCapacity = capacity * 2
        let newSlots = UnsafeMutablePointer<OrderSlot>.allocate(capacity: newCapacity)
        newSlots.moveInitialize(from: slots, count: highWater)
        slots.deallocate()
        slots = newSlots
        capacity = newCapacity
    }
}
