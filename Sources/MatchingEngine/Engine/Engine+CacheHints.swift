/// Where the state a coming command will read lives, for a caller that asks the CPU to fetch it ahead (the
/// challenge's batch path prefetches a message's state a few messages before it is processed, so the cache misses of
/// several messages overlap instead of each being waited for alone).
///
/// Hints only: the addresses are never to be read or written through, and move when the engine grows. Each function
/// reads only state that is already in cache or that an earlier hint asked for, and changes nothing.
extension Engine {
    /// The word of integer id `id`'s used bit and the start of its probe in the live-order table; nil when the id has
    /// no state yet (or ids are strings).
    public func integerOrderStateAddresses(_ id: UInt64) -> (usedBit: UnsafeRawPointer, liveEntry: UnsafeRawPointer)? {
        guard configuration.integerOrderIds, id < UInt64(usedIntegerIds.count << 6) else { return nil }
        let word = usedIntegerIds.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress.map { $0 + Int(id >> 6) }) }
        guard let word else { return nil }
        return (word, liveIntegerOrders.homeAddress(UInt32(id)))
    }

    /// The pool slot of integer id `id`'s live order, nil when it has none. Reads the live-order table (hint it
    /// first with `integerOrderStateAddresses`).
    public func liveOrderAddress(integer id: UInt64) -> UnsafeRawPointer? {
        guard configuration.integerOrderIds, id < UInt64(usedIntegerIds.count << 6),
              let slot = liveIntegerOrders.slot(UInt32(id)) else { return nil }
        return UnsafeRawPointer(pool.slots + Int(slot))
    }

    /// The price level an order at `price` on `symbol`'s book rests in, nil when the book has no level there yet.
    public func levelAddress(_ symbol: SymbolHandle, price: Price) -> UnsafeRawPointer? {
        let index = Int(symbol.rawValue)
        guard index < books.count else { return nil }
        return Unmanaged.passUnretained(books[index])._withUnsafeGuaranteedRef { book in
            guard let level = book.existingIndex(forTick: price.micros / book.tickMicros) else { return nil }
            return UnsafeRawPointer(book.levels + level)
        }
    }

    /// The last order of the level at `price` (where a new order there is linked in), nil when the level is empty or
    /// not there. Reads the level (hint it first with `levelAddress`).
    public func levelTailAddress(_ symbol: SymbolHandle, price: Price) -> UnsafeRawPointer? {
        let index = Int(symbol.rawValue)
        guard index < books.count else { return nil }
        return Unmanaged.passUnretained(books[index])._withUnsafeGuaranteedRef { book in
            guard let level = book.existingIndex(forTick: price.micros / book.tickMicros) else { return nil }
            let tail = book.levels[level].tail
            return tail >= 0 ? UnsafeRawPointer(pool.slots + Int(tail)) : nil
        }
    }
}
