/// Maps strings to dense integers (new strings take a released id if there is one, else the next
/// one), and back.
///
/// An open-addressing table of (64-bit hash, id) pairs with linear probing: a lookup touches one
/// table slot and, only when the full hash matches, compares the stored string. The hash is a fixed
/// (unseeded) function of the UTF-8 bytes, so it costs no per-process setup and is deterministic.
///
/// Forgetting is two steps so ids in events not yet turned into strings stay readable: `remove`
/// drops the string from lookups (interning it again gives another id), `release` frees the id.
/// Removing leaves the table alone (a random access into a large table costs a cache miss per id):
/// the entry just stops matching, and stale entries are dropped when the table is next rebuilt.
struct Interner {
    private struct Entry {
        var hash: UInt64
        var id: UInt32  // UInt32.max: empty
    }

    private(set) var strings: [String] = []
    /// Per id: its string's hash (tells a stale entry of a reused id apart), and whether lookups may find it.
    private var hashes: [UInt64] = []
    private var findable: [Bool] = []
    private var findableCount = 0
    private var table: [Entry]
    private var mask: Int
    /// Table entries, stale ones included.
    private var occupied = 0
    /// Released ids, reused lowest first before new ones (so a restored interner hands out the same
    /// ids as the original: the choice depends on the set, not on the order of release).
    private var free = BinaryHeap<UInt32>()

    init() {
        table = Array(repeating: Entry(hash: 0, id: .max), count: 16)
        mask = 15
    }

    /// Restores ids exactly: `strings[i]` is id i's string, `nil` a released id.
    init(restoring strings: [String?]) {
        self.init()
        reserve(strings.count)
        for string in strings {
            let id = UInt32(self.strings.count)
            self.strings.append(string ?? "")
            hashes.append(string.map(Interner.hash) ?? 0)
            findable.append(string != nil)
            if string != nil {
                findableCount += 1
                insert(Entry(hash: hashes[Int(id)], id: id))
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
        var bytes = strings.capacity * MemoryLayout<String>.stride + hashes.capacity * 8 + findable.capacity
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

    @inline(__always)
    mutating func intern(_ string: String) -> UInt32 {
        let h = Interner.hash(string)
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let entry = table[slot]
            if entry.id == .max { break }
            if entry.hash == h && findable[Int(entry.id)] && strings[Int(entry.id)] == string { return entry.id }
            slot = (slot + 1) & mask
        }
        let id: UInt32
        if let reused = free.pop() {
            id = reused
            strings[Int(id)] = string
            hashes[Int(id)] = h
            findable[Int(id)] = true
        } else {
            id = UInt32(strings.count)
            strings.append(string)
            hashes.append(h)
            findable.append(true)
        }
        findableCount += 1
        table[slot] = Entry(hash: h, id: id)
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
        var slot = Int(truncatingIfNeeded: entry.hash) & mask
        while table[slot].id != .max { slot = (slot + 1) & mask }
        table[slot] = entry
        occupied += 1
        if occupied * 2 > table.count { rebuild(minimumCapacity: 0) }
    }

    func lookup(_ string: String) -> UInt32? {
        let h = Interner.hash(string)
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let entry = table[slot]
            if entry.id == .max { return nil }
            if entry.hash == h && findable[Int(entry.id)] && strings[Int(entry.id)] == string { return entry.id }
            slot = (slot + 1) & mask
        }
    }

    mutating func reserve(_ n: Int) {
        strings.reserveCapacity(n)
        hashes.reserveCapacity(n)
        findable.reserveCapacity(n)
        if n * 2 > table.count { rebuild(minimumCapacity: n * 2) }
    }

    /// A fresh table holding only the entries lookups can still find, at most 40 % full, so stale
    /// entries cost one rebuild per at least a quarter of the live ids inserted.
    private mutating func rebuild(minimumCapacity: Int) {
        var capacity = 16
        while capacity < max(minimumCapacity, findableCount * 5 / 2) { capacity *= 2 }
        var newTable = Array(repeating: Entry(hash: 0, id: .max), count: capacity)
        let newMask = capacity - 1
        var kept = 0
        for entry in table where entry.id != .max && findable[Int(entry.id)] && hashes[Int(entry.id)] == entry.hash {
            var slot = Int(truncatingIfNeeded: entry.hash) & newMask
            while newTable[slot].id != .max { slot = (slot + 1) & newMask }
            newTable[slot] = entry
            kept += 1
        }
        table = newTable
        mask = newMask
        occupied = kept
    }
}
