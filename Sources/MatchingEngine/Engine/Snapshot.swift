/// Why snapshot bytes could not be restored.
public struct SnapshotError: Error, Hashable, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// Engine snapshots: a compact, versioned binary format.
///
/// Layout: magic `MESN`, format version (varint), then LEB128 varints (zig-zag for signed values)
/// and length-prefixed UTF-8 strings: configuration, clock, trade and acceptance counters, instruments,
/// interned symbols and traders, the remembered order ids (string ids: per slot free, or an id with whether it was
/// accepted; integer ids: the used-id bits, 64 per word), then per book its ladder shape, last trade and live orders
/// in priority order; finally an FNV-1a-64 checksum of everything before it. Version 3 adds to each instrument its
/// status, maximum order quantity and the grid of its book (instrument changes arrive in the order input, so they
/// are state). Version 4 adds whether order ids are integers. Version 5 drops what the retention window needed (its
/// size, the accepted ids in acceptance order): ids are remembered until the session closes, so which ids are
/// remembered is all there is. Versions 1 (every id ever seen), 2, 3 and 4 are still read; the ids they remember
/// stay remembered until the next session close.
/// Restoring rebuilds the books by re-resting the orders in the same priority order, so a restored
/// engine emits exactly what the original would have.
extension Engine {
    static let snapshotMagic: [UInt8] = Array("MESN".utf8)
    /// Bumped whenever the layout changes; older versions are refused with a clear error.
    public static let snapshotVersion: UInt64 = 5

    public func snapshot() -> [UInt8] { snapshotCapture().encoded() }

    /// What `snapshot()` writes, taken without encoding it: the large arrays (ids, their states, the used-id bits)
    /// are shared copy-on-write and only the live orders are copied, so taking it costs little and the
    /// encoding — most of a snapshot's cost — can run on another thread while the engine goes on.
    public func snapshotCapture() -> EngineSnapshotCapture {
        EngineSnapshotCapture(
            selfTradePrevention: configuration.selfTradePrevention.rawValue,
            sessionCloseMillisOfDay: configuration.sessionCloseMillisOfDay,
            integerOrderIds: configuration.integerOrderIds, clock: clock, nextTradeNumber: nextTradeNumber,
            acceptSequence: acceptSequence, instruments: instruments,
            statuses: books.map { $0.status }, grids: books.map { $0.tickMicros }, symbols: symbols.strings,
            traders: traderIds.strings, orderIds: orderIds.strings, orderState: orderState, usedIntegerIds: usedIntegerIds,
            books: books.map { book in
                var live: [OrderSlot] = []
                forEachLiveOrder(book) { live.append($0) }
                return EngineSnapshotCapture.Book(base: book.base, count: book.count, lastTrade: book.lastTrade, live: live)
            })
    }

    /// Visits a book's live orders in priority order: price level, then time.
    private func forEachLiveOrder(_ book: PriceLadder, _ body: (OrderSlot) -> Void) {
        var level = book.lowestNonEmpty(atOrAbove: 0)
        while level >= 0 {
            var cursor = book.levels[level].head
            while cursor >= 0 {
                let slot = pool.slots[Int(cursor)]
                body(slot)
                cursor = slot.next
            }
            level = book.lowestNonEmpty(atOrAbove: level + 1)
        }
    }

    /// Restores an engine from `snapshot()` bytes.
    public convenience init(snapshot bytes: [UInt8]) throws(SnapshotError) {
        guard bytes.count >= 12, Array(bytes[0..<4]) == Engine.snapshotMagic else {
            throw SnapshotError("not an engine snapshot (missing MESN magic)")
        }
        let checksum = bytes.withUnsafeBufferPointer { Engine.fnv1a64(UnsafeBufferPointer(rebasing: $0[0..<(bytes.count - 8)])) }
        var stored: UInt64 = 0
        for i in 0..<8 { stored |= UInt64(bytes[bytes.count - 8 + i]) << (8 * UInt64(i)) }
        guard stored == checksum else { throw SnapshotError("snapshot checksum mismatch (truncated or corrupted)") }
        var r = SnapshotReader(bytes: bytes, end: bytes.count - 8)
        r.position = 4
        let version = try r.unsigned()
        guard version >= 1 && version <= Engine.snapshotVersion else {
            throw SnapshotError("snapshot format version \(version) is not supported (expected \(Engine.snapshotVersion))")
        }
        guard let policy = SelfTradePrevention(rawValue: UInt8(truncatingIfNeeded: try r.unsigned())) else {
            throw SnapshotError("bad self-trade policy")
        }
        let sessionClose = try r.signed()
        if version >= 2 && version <= 4 { _ = try r.unsigned() }  // the retention window's size, no longer a setting
        let integerIds = version >= 4 ? try r.unsigned() == 1 : false
        let configuration = EngineConfiguration(
            selfTradePrevention: policy, sessionCloseMillisOfDay: sessionClose, integerOrderIds: integerIds)
        let clock = try r.signed()
        let nextTrade = try r.unsigned()
        let acceptSequence = try r.unsigned()
        let instrumentCount = try r.count()
        var instruments: [Instrument] = []
        var shapes: [(status: InstrumentStatus?, grid: Int64?)] = []
        for _ in 0..<instrumentCount {
            let symbol = try r.string()
            let name = try r.string()
            let exchange = try r.string()
            let tick = Price(micros: try r.signed())
            let lot = try r.signed()
            let reference = Price(micros: try r.signed())
            var band: PriceBand?
            if try r.unsigned() == 1 { band = PriceBand(lower: Price(micros: try r.signed()), upper: Price(micros: try r.signed())) }
            var instrument = Instrument(
                symbol: symbol, name: name, exchange: exchange, tickSize: tick, lotSize: lot, referencePrice: reference,
                priceBand: band)
            if version >= 3 {
                let status: InstrumentStatus?
                switch try r.unsigned() {
                case 0: status = nil
                case 1: status = .trading
                case 2: status = .halted
                case 3: status = .delisted
                default: throw SnapshotError("bad instrument status in snapshot")
                }
                let most = try r.signed()
                instrument.maxOrderQuantity = most == 0 ? nil : most
                let grid = try r.signed()
                guard grid > 0, tick.micros % grid == 0 || status?.isListed != true else { throw SnapshotError("bad book grid in snapshot") }
                shapes.append((status, grid))
            } else {
                shapes.append((.trading, nil))
            }
            if let problem = instrument.definitionProblem { throw SnapshotError("bad instrument in snapshot: \(problem)") }
            instruments.append(instrument)
        }
        let symbolStrings = try r.strings()
        let traderStrings = try r.strings()
        // Order-id slots: the string (nil: free) and whether the id was accepted.
        var orderStrings: [String?] = []
        var accepted: [Bool] = []
        var usedWords: [UInt64]?
        if version == 1 {
            for string in try r.strings() { orderStrings.append(string) }
            for _ in orderStrings.indices { accepted.append(try r.unsigned() != 0) }
        } else if version >= 5 && integerIds {
            let words = try r.count()
            guard UInt64(words) <= Engine.integerOrderIdLimit >> 6 else { throw SnapshotError("integer order id out of range in snapshot") }
            var bits: [UInt64] = []
            bits.reserveCapacity(words)
            for _ in 0..<words { bits.append(try r.unsigned()) }
            usedWords = bits
        } else {
            let slots = try r.count()
            orderStrings.reserveCapacity(slots)
            for slot in 0..<slots {
                if integerIds {
                    guard UInt64(slot) < Engine.integerOrderIdLimit else { throw SnapshotError("integer order id out of range in snapshot") }
                    let state = try r.unsigned()
                    guard state == 0 || state == 2 else { throw SnapshotError("bad order-id slot in snapshot") }
                    orderStrings.append(String(slot))
                    accepted.append(state == 2)
                    continue
                }
                switch try r.unsigned() {
                case 0: orderStrings.append(nil); accepted.append(false)
                case 1: orderStrings.append(try r.string()); accepted.append(false)
                case 2: orderStrings.append(try r.string()); accepted.append(true)
                default: throw SnapshotError("bad order-id slot in snapshot")
                }
            }
            if version <= 4 {
                // The retention window's acceptance order: every id in it is one of the accepted ids above.
                for _ in 0..<(try r.count()) {
                    let handle = try r.unsigned()
                    guard handle < UInt64(slots), accepted[Int(handle)] else { throw SnapshotError("bad accepted order id in snapshot") }
                }
            }
        }
        self.init(instruments: [], configuration: configuration, expectedOrders: max(4096, orderStrings.count))
        for (i, instrument) in instruments.enumerated() {
            guard symbols.lookup(instrument.symbol) == nil else { throw SnapshotError("duplicate instruments in snapshot") }
            install(instrument, status: shapes[i].status, gridMicros: shapes[i].grid)
        }
        guard self.instruments.count == instruments.count, symbolStrings.count >= instruments.count else {
            throw SnapshotError("duplicate instruments in snapshot")
        }
        for (i, symbol) in symbolStrings.enumerated() {
            guard self.symbolHandle(symbol).rawValue == UInt32(i) else { throw SnapshotError("symbol table out of order") }
        }
        for (i, trader) in traderStrings.enumerated() {
            guard traderHandle(trader).rawValue == UInt32(i) else { throw SnapshotError("duplicate trader id in snapshot") }
        }
        if !integerIds {
            orderIds = Interner(restoring: orderStrings)
            for (i, order) in orderStrings.enumerated() {
                guard let order else { continue }
                guard orderIds.lookup(order) == UInt32(i) else { throw SnapshotError("duplicate order id in snapshot") }
            }
        }
        if let usedWords {
            usedIntegerIds = usedWords
        } else if integerIds {
            restoreUsedIntegerIds(count: orderStrings.count, accepted: accepted)
        } else {
            orderState = orderStrings.indices.map { i in
                orderStrings[i] == nil ? Engine.released : accepted[i] ? Engine.finished : Engine.neverAccepted
            }
        }
        self.clock = clock
        nextSessionClose = configuration.sessionClose(after: clock)
        self.nextTradeNumber = nextTrade
        self.acceptSequence = acceptSequence
        for (bookIndex, book) in self.books.enumerated() {
            let base = try r.signed()
            let count = Int(truncatingIfNeeded: try r.unsigned())
            if version >= 3 && (base != book.base || count != book.count) {
                // A book rebuilt by an instrument change spans its band and the orders it kept.
                guard count >= 0, count <= max(Int(PriceLadder.maxLevels), book.count), base >= 0 else { throw SnapshotError("bad ladder shape") }
                if count > 0 { book.reshape(base: base, count: count) }
            } else if book.banded {
                guard base == book.base, count == book.count else { throw SnapshotError("ladder shape does not match the price band") }
            } else if count > 0 {
                guard count > 0, count <= Int(PriceLadder.maxLevels), base >= 1 else { throw SnapshotError("bad ladder shape") }
                book.reshape(base: base, count: count)
            }
            if try r.unsigned() == 1 {
                book.lastTrade = LastTrade(
                    price: Price(micros: try r.signed()), quantity: try r.signed(), time: try r.signed(),
                    tradeNumber: try r.unsigned())
            }
            let live = try r.count()
            for _ in 0..<live {
                let handle = try r.unsigned()
                let trader = try r.unsigned()
                guard handle < UInt64(orderHandleBound), trader < UInt64(traderStrings.count),
                    let side = Side(snapshotCode: try r.unsigned()),
                    let type = OrderType(snapshotCode: try r.unsigned()),
                    let tif = TimeInForce(snapshotCode: try r.unsigned())
                else { throw SnapshotError("bad order record in snapshot") }
                let slot = OrderSlot(
                    handle: UInt32(handle), trader: UInt32(trader), book: UInt32(bookIndex), side: side, type: type,
                    timeInForce: tif, price: try r.signed(), quantity: try r.signed(), filled: try r.signed(), prev: -1,
                    next: -1, expiry: try r.signed(), sequence: try r.unsigned())
                guard book.existingIndex(forTick: slot.price) != nil, slot.filled >= 0, slot.filled < slot.quantity,
                    state(Int(handle)) == Engine.finished
                else { throw SnapshotError("order record in snapshot is inconsistent") }
                restoreResting(slot, book)
            }
        }
        guard r.position == r.end else { throw SnapshotError("trailing bytes in snapshot") }
    }
}

/// Appends LEB128 varints and length-prefixed strings.
/// An engine's state at one moment, ready to be encoded as `Engine.snapshot()` bytes anywhere (`Engine.snapshotCapture()`).
public struct EngineSnapshotCapture: Sendable {
    struct Book: Sendable {
        var base: Int64
        var count: Int
        var lastTrade: LastTrade?
        /// In priority order.
        var live: [OrderSlot]
    }

    let selfTradePrevention: UInt8
    let sessionCloseMillisOfDay: Int64
    let integerOrderIds: Bool
    let clock: Int64
    let nextTradeNumber: UInt64
    let acceptSequence: UInt64
    let instruments: [Instrument]
    let statuses: [InstrumentStatus?]
    let grids: [Int64]
    let symbols: [String]
    let traders: [String]
    let orderIds: [String]
    let orderState: [Int32]
    /// Integer ids: one bit per id, set when accepted (the states are not kept).
    let usedIntegerIds: [UInt64]
    let books: [Book]

    /// The snapshot bytes (format version `Engine.snapshotVersion`).
    public func encoded() -> [UInt8] {
        let liveOrders = books.reduce(0) { $0 + $1.live.count }
        // Roughly what the ids and live orders take, so the buffer rarely grows.
        var w = SnapshotWriter(capacity: 4096 + orderState.count * 16 + liveOrders * 40)
        w.raw(Engine.snapshotMagic)
        w.unsigned(Engine.snapshotVersion)
        w.unsigned(UInt64(selfTradePrevention))
        w.signed(sessionCloseMillisOfDay)
        w.unsigned(integerOrderIds ? 1 : 0)
        w.signed(clock)
        w.unsigned(nextTradeNumber)
        w.unsigned(acceptSequence)
        w.unsigned(UInt64(instruments.count))
        for (i, instrument) in instruments.enumerated() {
            w.string(instrument.symbol)
            w.string(instrument.name)
            w.string(instrument.exchange)
            w.signed(instrument.tickSize.micros)
            w.signed(instrument.lotSize)
            w.signed(instrument.referencePrice.micros)
            if let band = instrument.priceBand {
                w.unsigned(1)
                w.signed(band.lower.micros)
                w.signed(band.upper.micros)
            } else {
                w.unsigned(0)
            }
            switch statuses[i] {
            case nil: w.unsigned(0)
            case .trading?: w.unsigned(1)
            case .halted?: w.unsigned(2)
            case .delisted?: w.unsigned(3)
            }
            w.signed(instrument.maxOrderQuantity ?? 0)
            w.signed(grids[i])
        }
        w.strings(symbols)
        w.strings(traders)
        // Forgotten ids are written as free: by the time a snapshot is taken their events are strings.
        if integerOrderIds {
            // The used-id bits as they are (bit i of word w: id 64w + i); sparse words take one byte.
            w.unsigned(UInt64(usedIntegerIds.count))
            for word in usedIntegerIds { w.unsigned(word) }
        } else {
            w.unsigned(UInt64(orderState.count))
        }
        orderState.withUnsafeBufferPointer { states in
            for (handle, state) in states.enumerated() {
                switch state {
                case Engine.forgotten, Engine.released: w.unsigned(0)
                case Engine.neverAccepted: w.unsigned(1); w.string(orderIds[handle])
                default: w.unsigned(2); w.string(orderIds[handle])
                }
            }
        }
        for book in books {
            w.signed(book.base)
            w.unsigned(UInt64(book.count))
            if let last = book.lastTrade {
                w.unsigned(1)
                w.signed(last.price.micros)
                w.signed(last.quantity)
                w.signed(last.time)
                w.unsigned(last.tradeNumber)
            } else {
                w.unsigned(0)
            }
            w.unsigned(UInt64(book.live.count))
            for slot in book.live {
                w.unsigned(UInt64(slot.handle))
                w.unsigned(UInt64(slot.trader))
                w.unsigned(slot.side.snapshotCode)
                w.unsigned(slot.type.snapshotCode)
                w.unsigned(slot.timeInForce.snapshotCode)
                w.signed(slot.price)
                w.signed(slot.quantity)
                w.signed(slot.filled)
                w.signed(slot.expiry)
                w.unsigned(slot.sequence)
            }
        }
        return w.finishWithChecksum()
    }
}

/// Appends varints and strings to a raw buffer: the matcher writes a snapshot on its processing path every snapshot
/// interval, so writing runs at memory speed (one bounds check per field, not per byte; one copy at the end).
struct SnapshotWriter: ~Copyable {
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var count = 0

    init(capacity: Int) {
        self.capacity = max(64, capacity)
        storage = .allocate(capacity: self.capacity)
    }

    deinit { storage.deallocate() }

    private mutating func reserve(_ extra: Int) {
        guard count + extra > capacity else { return }
        let grown = max(capacity * 2, count + extra)
        let new = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        new.update(from: storage, count: count)
        storage.deallocate()
        storage = new
        capacity = grown
    }

    mutating func raw(_ bytes: [UInt8]) {
        reserve(bytes.count)
        bytes.withUnsafeBufferPointer { buffer in
            if let base = buffer.baseAddress { (storage + count).update(from: base, count: buffer.count) }
        }
        count += bytes.count
    }

    mutating func unsigned(_ value: UInt64) {
        reserve(10)
        var v = value
        while v >= 0x80 {
            storage[count] = UInt8(truncatingIfNeeded: v) | 0x80
            count += 1
            v >>= 7
        }
        storage[count] = UInt8(truncatingIfNeeded: v)
        count += 1
    }

    mutating func signed(_ value: Int64) {
        unsigned(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            unsigned(UInt64(utf8.count))
            reserve(utf8.count)
            if let base = utf8.baseAddress { (storage + count).update(from: base, count: utf8.count) }
            count += utf8.count
        }
    }

    mutating func strings(_ values: [String]) {
        unsigned(UInt64(values.count))
        for value in values { string(value) }
    }

    /// The bytes written, followed by their FNV-1a-64 checksum (little-endian).
    consuming func finishWithChecksum() -> [UInt8] {
        let checksum = Engine.fnv1a64(UnsafeBufferPointer(start: storage, count: count))
        reserve(8)
        for i in 0..<8 {
            storage[count] = UInt8(truncatingIfNeeded: checksum >> (8 * UInt64(i)))
            count += 1
        }
        return Array(UnsafeBufferPointer(start: storage, count: count))
    }
}

extension Engine {
    static func fnv1a64(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var checksum: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { checksum = (checksum ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return checksum
    }
}

/// Reads what `SnapshotWriter` wrote, throwing on truncation.
struct SnapshotReader {
    let bytes: [UInt8]
    let end: Int
    var position = 0

    init(bytes: [UInt8], end: Int) {
        self.bytes = bytes
        self.end = end
    }

    mutating func unsigned() throws(SnapshotError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < end else { throw SnapshotError("snapshot truncated") }
            let byte = bytes[position]
            position += 1
            guard shift < 64 else { throw SnapshotError("varint too long in snapshot") }
            result |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    mutating func signed() throws(SnapshotError) -> Int64 {
        let raw = try unsigned()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    mutating func count() throws(SnapshotError) -> Int {
        let value = try unsigned()
        guard value <= UInt64(end - position) * 8 + 64 else { throw SnapshotError("implausible count in snapshot") }
        return Int(value)
    }

    mutating func string() throws(SnapshotError) -> String {
        let length = try count()
        guard length <= end - position else { throw SnapshotError("snapshot truncated in a string") }
        let text = String(decoding: bytes[position..<(position + length)], as: UTF8.self)
        position += length
        return text
    }

    mutating func strings() throws(SnapshotError) -> [String] {
        let n = try count()
        var result: [String] = []
        result.reserveCapacity(n)
        for _ in 0..<n { result.append(try string()) }
        return result
    }
}

/// A vocabulary enum in a snapshot: its position in `allCases`, the raw value the engine's own one-byte enums had.
extension CaseIterable where Self: Equatable, AllCases == [Self] {
    fileprivate init?(snapshotCode: UInt64) {
        guard snapshotCode < UInt64(Self.allCases.count) else { return nil }
        self = Self.allCases[Int(snapshotCode)]
    }

    fileprivate var snapshotCode: UInt64 { UInt64(Self.allCases.firstIndex(of: self) ?? 0) }
}
