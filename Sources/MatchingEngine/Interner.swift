/// Maps strings to dense integers in first-seen order (so the mapping is deterministic and
/// survives snapshot/restore), and back.
///
/// An open-addressing table of (64-bit hash, id) pairs with linear probing: a lookup touches one
/// table slot and, only when the full hash matches, compares the stored string. The hash is a fixed
/// (unseeded) function of the UTF-8 bytes, so it costs no per-process setup and is deterministic.
struct Interner {
    private struct Entry {
        var hash: UInt64
        var id: UInt32  // UInt32.max: empty
    }

    private(set) var strings: [String] = []
    private var table: [Entry]
    private var mask: Int

    init() {
        table = Array(repeating: Entry(hash: 0, id: .max), count: 16)
        mask = 15
    }

    var count: Int { strings.count }

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
            if entry.hash == h && strings[Int(entry.id)] == string { return entry.id }
            slot = (slot + 1) & mask
        }
        let id = UInt32(strings.count)
        strings.append(string)
        table[slot] = Entry(hash: h, id: id)
        if strings.count * 2 > table.count { rehash(capacity: table.count * 2) }
        return id
    }

    func lookup(_ string: String) -> UInt32? {
        let h = Interner.hash(string)
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let entry = table[slot]
            if entry.id == .max { return nil }
            if entry.hash == h && strings[Int(entry.id)] == string { return entry.id }
            slot = (slot + 1) & mask
        }
    }

    mutating func reserve(_ n: Int) {
        strings.reserveCapacity(n)
        var capacity = table.count
        while capacity < n * 2 { capacity *= 2 }
        if capacity > table.count { rehash(capacity: capacity) }
    }

    private mutating func rehash(capacity: Int) {
        var newTable = Array(repeating: Entry(hash: 0, id: .max), count: capacity)
        let newMask = capacity - 1
        for entry in table where entry.id != .max {
            var slot = Int(truncatingIfNeeded: entry.hash) & newMask
            while newTable[slot].id != .max { slot = (slot + 1) & newMask }
            newTable[slot] = entry
        }
        table = newTable
        mask = newMask
    }
}
