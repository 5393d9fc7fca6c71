/// A binary min-heap of (expiry, acceptance sequence, order) so DAY/TTL orders expire in a
/// deterministic order. Entries of orders that finished earlier are dropped lazily when popped.
struct ExpiryQueue {
    struct Entry: Comparable {
        var expiry: Int64
        var sequence: UInt64
        var order: UInt32

        static func < (a: Entry, b: Entry) -> Bool {
            a.expiry != b.expiry ? a.expiry < b.expiry : a.sequence < b.sequence
        }
    }

    private var heap = BinaryHeap<Entry>()

    var isEmpty: Bool { heap.isEmpty }
    var earliest: Int64 { heap.min?.expiry ?? .max }

    mutating func push(_ entry: Entry) { heap.push(entry) }
    mutating func pop() -> Entry? { heap.pop() }
    mutating func removeAll() { heap.removeAll() }
}
