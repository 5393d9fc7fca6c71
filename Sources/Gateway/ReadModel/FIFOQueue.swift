/// A first-in, first-out queue over an array with a moving head: O(1) amortized append and pop, for the read model's
/// bounded per-trader lists.
struct FIFOQueue<Element> {
    private var items: [Element] = []
    private var head = 0

    var count: Int { items.count - head }
    var elements: ArraySlice<Element> { items[head...] }

    mutating func append(_ element: Element) {
        items.append(element)
    }

    mutating func popFirst() -> Element? {
        guard head < items.count else { return nil }
        let first = items[head]
        head += 1
        if head >= 1024, head * 2 >= items.count {
            items.removeFirst(head)
            head = 0
        }
        return first
    }
}
