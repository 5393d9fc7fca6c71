/// A FIFO of order handles in one growable ring buffer: the engine pushes one per accepted order
/// and pops one per forgotten id, so neither end may cost more than O(1).
struct HandleQueue: Sequence {
    private var buffer: [UInt32] = Array(repeating: 0, count: 16)
    private var head = 0
    private(set) var count = 0

    init() {}

    var storageBytes: Int { buffer.capacity * 4 }

    init(_ handles: [UInt32]) {
        for handle in handles { append(handle) }
    }

    mutating func append(_ handle: UInt32) {
        if count == buffer.count { grow() }
        buffer[(head + count) & (buffer.count - 1)] = handle
        count += 1
    }

    mutating func popFirst() -> UInt32? {
        guard count > 0 else { return nil }
        let handle = buffer[head]
        head = (head + 1) & (buffer.count - 1)
        count -= 1
        return handle
    }

    private mutating func grow() {
        var larger = [UInt32](repeating: 0, count: buffer.count * 2)
        for i in 0..<count { larger[i] = buffer[(head + i) & (buffer.count - 1)] }
        buffer = larger
        head = 0
    }

    func makeIterator() -> some IteratorProtocol<UInt32> {
        let buffer = self.buffer, head = self.head, count = self.count
        var i = 0
        return AnyIterator {
            guard i < count else { return nil }
            defer { i += 1 }
            return buffer[(head + i) & (buffer.count - 1)]
        }
    }
}
