/// Maps strings to dense integers (new strings take a released id if there is one, else the next
/// one), and back.
///
/// An open-addressing table of 8-byte entries (the upper 32 bits of the string's 64-bit hash, its id) with linear
/// probing: a lookup touches one table slot and, only when those 32 bits match, compares the stored string. The hash is
/// a fixed (unseeded) function of the UTF-8 bytes, so it costs no per-process setup and is deterministic. The table's
/// size is any number (a slot is `tag × size >> 32`), not a power of two, so the bytes per id are the same at any
/// count: the table holds 2–3 slots per id, 16–24 bytes, besides the 16-byte string and 5 bytes of per-id state.
///
/// Forgetting is two steps so ids in events not yet turned into strings stay readable: `remove`
/// drops the string from lookups (interning it again gives another id), `release` frees the id.
/// Removing leaves the table alone (a random access into a large table costs a cache miss per id):
/// the entry just stops matching, and stale entries are dropped when the table is next rebuilt.
struct Interner {
    /// Upper 32 bits: the hash's tag; lower 32: the id. `empty`: no entry.
    private typealias Entry = UInt64
    private static let empty: Entry = .max

    private(set) var strings: [String] = []
    /// Per id: its string's tag (tells a stale entry of a reused id apart), and whether lookups may find it.
    private var tags: [UInt32] = []
    private var findable: [Bool] = []
    private var findableCount = 0
    private var table: [Entry]
    /// Table entries, stale ones included.
    private var occupied = 0
    /// Released ids, reused lowest first before new ones (so a restored interner hands out the same
    /// ids as the original: the choice depends on the set, not on the order of release).
    private var free = BinaryHeap<UInt32>()

    init() {
        table = Array(repeating: Interner.empty, count: 16)
    }

    /// Restores ids exactly: `strings[i]` is id i's string, `nil` a released id.
    init(restoring strings: [String?]) {
        self.init()
        reserve(strings.count)
        for string in strings {
            let id = UInt32(self.strings.count)
            self.strings.append(string ?? "")
            tags.append(string.map(Interner.tag) ?? 0)
            findable.append(string != nil)
            if string != nil {
                findableCount += 1
                insert(Interner.entry(tags[Int(id)], id))
            } else {
                free.push(id)
            }
        }
    }

    /// Ids ever handed out, released ones included (the bound of valid ids).
    var count: Int { strings.count }

    /// Bytes its storage holds: the arrays' capacities, the table, and each string's own buffer (a string of more
    /// than 15 UTF-8 bytes lives on the heap: 32 bytes of header and its bytes).
    var storageBytes: Int {
        var bytes = strings.capacity * MemoryLayout<String>.stride + tags.capacity * 4 + findable.capacity
            + table.capacity * MemoryLayout<Entry>.stride + free.count * 4
        for string in strings where string.utf8.count > 15 { bytes += 32 + string.utf8.count }
        return bytes
    }

    /// Released ids waiting for reuse.
    var releasedCount: Int { free.count }

    @inline(__always)
    static func hash(_ string: String) -> UInt64 {
        var s = string
        return s.withUTF8 { bytes in
            // 8 bytes at a time, multiply-xorshift mixing (fast for UUIDs and short ids alike).
            var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
            var i = 0
            let n = bytes.count
            let base = bytes.baseAddress
            while i + 8 <= n, let base {
                let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                h = (h ^ word) &* 0xBF58_476D_1CE4_E5B9
                h ^= h >> 31
                i += 8
            }
            if i < n, let base {
                var word: UInt64 = 0
                var shift: UInt64 = 0
                while i < n {
                    word |= UInt64(base[i]) << shift
                    shift += 8
                    i += 1
                }
                h = (h ^ word) &* 0x94D0_49BB_1331_11EB
            }
            h ^= h >> 29
            h = h &* 0xBF58_476D_1CE4_E5B9
            return h ^ (h >> 32)
        }
    }

    /// The upper 32 bits of the hash: what the table keeps and places an entry by.
    @inline(__always)
    static func tag(_ string: String) -> UInt32 { UInt32(truncatingIfNeeded: hash(string) >> 32) }

    @inline(__always)
    private static func entry(_ tag: UInt32, _ id: UInt32) -> Entry { UInt64(tag) << 32 | UInt64(id) }

    /// The slot a tag starts probing at: `tag × size >> 32`, uniform over any table size.
    @inline(__always)
    private func home(_ tag: UInt32) -> Int { Int(truncatingIfNeeded: (UInt64(tag) &* UInt64(table.count)) >> 32) }

    /// The id of `string` if lookups find it, and the slot its probe ended at (the empty one where it would go).
    @inline(__always)
    private func find(_ string: String, _ tag: UInt32) -> (id: UInt32?, slot: Int) {
        let size = table.count
        return table.withUnsafeBufferPointer { entries in
            var slot = home(tag)
            while true {
                let entry = entries[slot]
                if entry == Interner.empty { return (nil, slot) }
                let id = UInt32(truncatingIfNeeded: entry)
                if UInt32(truncatingIfNeeded: entry >> 32) == tag && findable[Int(id)] && strings[Int(id)] == string { return (id, slot) }
                slot += 1
                if slot == size { slot = 0 }
            }
        }
    }

    @inline(__always)
    mutating func intern(_ string: String) -> UInt32 {
        let tag = Interner.tag(string)
        let (found, slot) = find(string, tag)
        if let found { return found }
        let id: UInt32
        if let reused = free.pop() {
            id = reused
            strings[Int(id)] = string
            tags[Int(id)] = tag
            findable[Int(id)] = true
        } else {
            id = UInt32(strings.count)
            strings.append(string)
            tags.append(tag)
            findable.append(true)
        }
        findableCount += 1
        table[slot] = Interner.entry(tag, id)
        occupied += 1
        if occupied * 2 > table.count { rebuild(minimumCapacity: 0) }
        return id
    }

    /// Drops `id`'s string from lookups; `strings[id]` stays readable until `release(id)`.
    mutating func remove(_ id: UInt32) {
        guard Int(id) < strings.count, findable[Int(id)] else { return }
        findable[Int(id)] = false
        findableCount -= 1
    }

    /// Frees a removed id for reuse.
    mutating func release(_ id: UInt32) {
        remove(id)
        strings[Int(id)] = ""
        free.push(id)
    }

    private mutating func insert(_ entry: Entry) {
        place(entry)
        if occupied * 2 > table.count { rebuild(minimumCapacity: 0) }
    }

    /// Stores an entry in the first empty slot of its probe run.
    private mutating func place(_ entry: Entry) {
        var slot = home(UInt32(truncatingIfNeeded: entry >> 32))
        while table[slot] != Interner.empty {
            slot += 1
            if slot == table.count { slot = 0 }
        }
        table[slot] = entry
        occupied += 1
    }

    func lookup(_ string: String) -> UInt32? { find(string, Interner.tag(string)).id }

    mutating func reserve(_ n: Int) {
        strings.reserveCapacity(n)
        tags.reserveCapacity(n)
        findable.reserveCapacity(n)
        if n * 2 > table.count { rebuild(minimumCapacity: n * 2) }
    }

    /// A fresh table holding only the entries lookups can still find, a third full, so a growing table is rebuilt
    /// once per 1.5× more ids (each rebuild re-places every entry: a random write apiece) and stale entries cost one
    /// rebuild per at least a sixth of the table inserted.
    private mutating func rebuild(minimumCapacity: Int) {
        let old = table
        table = Array(repeating: Interner.empty, count: max(16, minimumCapacity, findableCount * 3))
        occupied = 0
        for entry in old where entry != Interner.empty {
            let id = Int(UInt32(truncatingIfNeeded: entry))
            if findable[id] && tags[id] == UInt32(truncatingIfNeeded: entry >> 32) { place(entry) }
        }
    }
}
