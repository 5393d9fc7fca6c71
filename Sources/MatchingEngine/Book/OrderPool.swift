#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
///
/// The slots grow by a quarter at a time with `realloc` (slots are plain values; a large block is remapped, not
/// copied), so the pool holds at most 25 % more slots than the most orders that rested at once: 64–80 bytes per
/// resting order at any size, where doubling gave 64–128.
final class OrderPool {
    @exclusivity(unchecked) private(set) var slots: UnsafeMutablePointer<OrderSlot>
    @exclusivity(unchecked) private(set) var capacity: Int
    @exclusivity(unchecked) private var highWater = 0
    @exclusivity(unchecked) private var freeHead: Int32 = -1
    @exclusivity(unchecked) private(set) var live = 0

    init(capacity: Int = 1 << 12) {
        self.capacity = max(16, capacity)
        slots = OrderPool.resize(nil, to: self.capacity)
    }

    deinit { releaseMemory(slots) }

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
        let newCapacity = capacity + capacity / 4
        slots = OrderPool.resize(slots, to: newCapacity)
        capacity = newCapacity
    }

    private static func resize(_ slots: UnsafeMutablePointer<OrderSlot>?, to capacity: Int) -> UnsafeMutablePointer<OrderSlot> {
        guard let raw = realloc(slots, capacity * MemoryLayout<OrderSlot>.stride) else {
            fatalError("out of memory for \(capacity) order slots")
        }
        return raw.bindMemory(to: OrderSlot.self, capacity: capacity)
    }
}

/// The C library's `free` (inside `OrderPool` the name is its own method's).
private func releaseMemory(_ pointer: UnsafeMutableRawPointer?) { free(pointer) }
