/// Live orders by integer id (`EngineConfiguration.integerOrderIds`): id → pool slot, in an open-addressing table
/// with linear probing and backward-shift deletion (no tombstones), at most half full.
///
/// Its size follows the orders resting at once, not the ids ever used, so it stays in cache where an array indexed
/// by id (4 bytes per id ever seen) made every new order's write a cache miss.
struct LiveOrderTable {
    private struct Entry {
        var id: UInt32  // UInt32.max: empty
        var slot: Int32
    }

    private var entries: [Entry]
    private var mask: Int
    private(set) var count = 0

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        entries = Array(repeating: Entry(id: .max, slot: -1), count: size)
        mask = size - 1
    }

    var storageBytes: Int { entries.capacity * MemoryLayout<Entry>.stride }

    @inline(__always)
    private func home(_ id: UInt32) -> Int {
        Int(truncatingIfNeeded: (UInt64(id) &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    /// The slot of a live order, nil when the id has no live order.
    @inline(__always)
    func slot(_ id: UInt32) -> Int32? {
        var i = home(id)
        while true {
            let entry = entries[i]
            if entry.id == id { return entry.slot }
            if entry.id == .max { return nil }
            i = (i + 1) & mask
        }
    }

    @inline(__always)
    mutating func set(_ id: UInt32, _ slot: Int32) {
        if (count + 1) * 2 > entries.count { grow() }
        var i = home(id)
        while true {
            let current = entries[i].id
            if current == id {
                entries[i].slot = slot
                return
            }
            if current == .max {
                entries[i] = Entry(id: id, slot: slot)
                count += 1
                return
            }
            i = (i + 1) & mask
        }
    }

    @inline(__always)
    mutating func remove(_ id: UInt32) {
        var i = home(id)
        while true {
            let current = entries[i].id
            if current == .max { return }
            if current == id { break }
            i = (i + 1) & mask
        }
        // Move later entries of the probe run back into the hole unless their home lies cyclically in (hole, entry].
        var j = i
        while true {
            j = (j + 1) & mask
            let entry = entries[j]
            if entry.id == .max { break }
            let h = home(entry.id)
            let stays = i <= j ? (i < h && h <= j) : (i < h || h <= j)
            if !stays {
                entries[i] = entry
                i = j
            }
        }
        entries[i] = Entry(id: .max, slot: -1)
        count -= 1
    }

    /// Calls `body` with every live order's id (in table order).
    func forEachId(_ body: (UInt32) -> Void) {
        for entry in entries where entry.id != .max { body(entry.id) }
    }

    private mutating func grow() {
        let old = entries
        entries = Array(repeating: Entry(id: .max, slot: -1), count: old.count * 2)
        mask = entries.count - 1
        count = 0
        for entry in old where entry.id != .max { set(entry.id, entry.slot) }
    }
}
