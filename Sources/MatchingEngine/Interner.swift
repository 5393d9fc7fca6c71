/// Maps strings to dense integers in first-seen order (so the mapping is deterministic and
/// survives snapshot/restore), and back.
struct Interner {
    private(set) var index: [String: UInt32] = [:]
    private(set) var strings: [String] = []

    init() {}

    @inline(__always)
    mutating func intern(_ string: String) -> UInt32 {
        if let existing = index[string] { return existing }
        let id = UInt32(strings.count)
        index[string] = id
        strings.append(string)
        return id
    }

    func lookup(_ string: String) -> UInt32? { index[string] }

    var count: Int { strings.count }

    mutating func reserve(_ n: Int) {
        index.reserveCapacity(n)
        strings.reserveCapacity(n)
    }
}
