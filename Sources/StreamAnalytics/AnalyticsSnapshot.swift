/// Snapshot format, version 1 (all integers LEB128 varints, signed ones zig-zag encoded):
///
///     "SAGG" version=1
///     size advance grace emitMode outputs
///     symbolCount { utf8Length utf8Bytes }*          -- in SymbolId order
///     streamTime? maxTradeTime? nextCloseIndex       -- optional values as flag byte + value
///     per symbol: liveSliceCount { slice fields }*   -- slices in increasing index order
///
/// Only live slices (those of windows not yet closed) are written, so the same state always gives the same bytes.
extension WindowAggregator {
    static let snapshotMagic: [UInt8] = Array("SAGG".utf8)
    static let snapshotVersion: UInt64 = 1

    /// The aggregator's complete state as compact bytes. Pending outputs are not included: take them first.
    public func snapshot() -> [UInt8] {
        var writer = SnapshotWriter()
        writer.bytes.append(contentsOf: Self.snapshotMagic)
        writer.unsigned(Self.snapshotVersion)
        writer.signed(size)
        writer.signed(advance)
        writer.signed(grace)
        writer.unsigned(UInt64(configuration.emitMode.rawValue))
        writer.unsigned(UInt64(configuration.outputs.rawValue))
        writer.unsigned(UInt64(symbols.count))
        for symbol in symbols {
            writer.unsigned(UInt64(symbol.utf8.count))
            writer.bytes.append(contentsOf: symbol.utf8)
        }
        writer.optional(streamTimeValue)
        writer.optional(maxTradeTime)
        writer.signed(nextCloseIndex)
        let firstLiveSlice = nextCloseIndex * advance / sliceWidth
        for symbol in symbols.indices {
            let live = slices[symbol * ringSize..<(symbol + 1) * ringSize]
                .filter { $0.index >= firstLiveSlice }
                .sorted { $0.index < $1.index }
            writer.unsigned(UInt64(live.count))
            for slice in live {
                writer.signed(slice.index)
                writer.signed(slice.count)
                writer.signed(slice.volume)
                writer.unsigned(slice.priceSum.high)
                writer.unsigned(slice.priceSum.low)
                writer.unsigned(slice.notional.high)
                writer.unsigned(slice.notional.low)
                for value in [slice.high, slice.low, slice.openTime, slice.openSeq, slice.openPrice,
                              slice.closeTime, slice.closeSeq, slice.closePrice] {
                    writer.signed(value)
                }
            }
        }
        return writer.bytes
    }

    /// Restores an aggregator from ``snapshot()`` bytes; it continues exactly as the original would have.
    public init(snapshot bytes: [UInt8]) throws(AnalyticsError) {
        var reader = SnapshotReader(bytes: bytes)
        guard bytes.count >= 4, Array(bytes[0..<4]) == Self.snapshotMagic else {
            throw .corruptSnapshot("missing the SAGG header")
        }
        reader.position = 4
        let version = try reader.unsigned()
        guard version == Self.snapshotVersion else { throw .corruptSnapshot("unsupported version \(version)") }
        let window = try WindowSpec(size: try reader.signed(), advance: try reader.signed())
        let grace = try reader.signed()
        guard let mode = EmitMode(rawValue: UInt8(truncatingIfNeeded: try reader.unsigned())) else {
            throw .corruptSnapshot("unknown emit mode")
        }
        let outputs = AnalyticsOutputs(rawValue: UInt8(truncatingIfNeeded: try reader.unsigned()))
        self.init(configuration: try AnalyticsConfiguration(window: window, grace: grace, emitMode: mode, outputs: outputs))
        let symbolCount = try reader.count(limit: 1 << 24)
        for _ in 0..<symbolCount {
            let length = try reader.count(limit: 255)
            let name = String(decoding: try reader.take(length), as: UTF8.self)
            guard symbolIds[name] == nil else { throw .corruptSnapshot("duplicate symbol \(name)") }
            _ = try intern(name)
        }
        streamTimeValue = try reader.optional()
        maxTradeTime = try reader.optional()
        let closeIndex = try reader.signed()
        guard closeIndex >= 0, closeIndex <= Int64.max / advance / 2 else {
            throw .corruptSnapshot("window index \(closeIndex) out of range")
        }
        nextCloseIndex = closeIndex
        closeDeadline = closeIndex * advance + size + grace
        onTimeFrom = closeIndex == 0 ? 0 : closeIndex * advance + size - advance
        for symbol in 0..<symbolCount {
            let liveCount = try reader.count(limit: ringSize)
            var previous = Int64.min
            for _ in 0..<liveCount {
                var slice = SliceAggregate()
                slice.index = try reader.signed()
                guard slice.index > previous, slice.index >= 0 else { throw .corruptSnapshot("slices out of order") }
                previous = slice.index
                slice.count = try reader.signed()
                slice.volume = try reader.signed()
                guard slice.count > 0, slice.volume > 0 else { throw .corruptSnapshot("empty slice") }
                slice.priceSum = UInt128Sum(high: try reader.unsigned(), low: try reader.unsigned())
                slice.notional = UInt128Sum(high: try reader.unsigned(), low: try reader.unsigned())
                slice.high = try reader.signed()
                slice.low = try reader.signed()
                slice.openTime = try reader.signed()
                slice.openSeq = try reader.signed()
                slice.openPrice = try reader.signed()
                slice.closeTime = try reader.signed()
                slice.closeSeq = try reader.signed()
                slice.closePrice = try reader.signed()
                slices[symbol * ringSize + Int(slice.index & ringMask)] = slice
            }
        }
        guard reader.position == bytes.count else { throw .corruptSnapshot("\(bytes.count - reader.position) trailing bytes") }
        rebuildRankCells()
    }
}

struct SnapshotWriter {
    var bytes: [UInt8] = []

    mutating func unsigned(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    mutating func signed(_ value: Int64) {
        unsigned(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// `Int64.min` stands for "none" in the aggregator; written as a flag byte.
    mutating func optional(_ value: Int64) {
        if value == .min {
            bytes.append(0)
        } else {
            bytes.append(1)
            signed(value)
        }
    }
}

struct SnapshotReader {
    let bytes: [UInt8]
    var position = 0

    mutating func unsigned() throws(AnalyticsError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < bytes.count else { throw .corruptSnapshot("truncated at byte \(position)") }
            let byte = bytes[position]
            position += 1
            guard shift < 64, shift < 63 || byte <= 1 else { throw .corruptSnapshot("varint too long at byte \(position)") }
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
    }

    mutating func signed() throws(AnalyticsError) -> Int64 {
        let raw = try unsigned()
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    mutating func optional() throws(AnalyticsError) -> Int64 {
        switch try take(1).first {
        case 0: return .min
        case 1: return try signed()
        default: throw .corruptSnapshot("bad optional flag at byte \(position - 1)")
        }
    }

    mutating func count(limit: Int) throws(AnalyticsError) -> Int {
        let value = try unsigned()
        guard value <= UInt64(limit) else { throw .corruptSnapshot("count \(value) exceeds \(limit)") }
        return Int(value)
    }

    mutating func take(_ count: Int) throws(AnalyticsError) -> ArraySlice<UInt8> {
        guard count <= bytes.count - position else { throw .corruptSnapshot("truncated at byte \(position)") }
        defer { position += count }
        return bytes[position..<position + count]
    }
}
