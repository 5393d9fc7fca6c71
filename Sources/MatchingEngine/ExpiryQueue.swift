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

    private(set) var heap: [Entry] = []

    var isEmpty: Bool { heap.isEmpty }
    var earliest: Int64 { heap.first?.expiry ?? .max }

    mutating func push(_ entry: Entry) {
        heap.append(entry)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child] < heap[parent] else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Entry? {
        guard let top = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var smallest = parent
                if left < heap.count && heap[left] < heap[smallest] { smallest = left }
                if right < heap.count && heap[right] < heap[smallest] { smallest = right }
                if smallest == parent { break }
                heap.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return top
    }

    mutating func removeAll() { heap.removeAll() }
}
