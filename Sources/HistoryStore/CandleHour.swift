import History
import NIOCore

/// One symbol's 1-minute candles of one hour as one value: PostgreSQL's `candle_hours.minutes`.
///
/// A day's 1,440 candles are 24 rows of it instead of 1,440 rows of `candles_1m`: the server reads 24 index entries
/// and sends 24 byte strings, where a row each (or an array of each column) cost it an index entry, a visibility
/// check and eleven calls of a type's send function per candle, several milliseconds a day. The layout is PostgreSQL's
/// own, so SQL writes it too (`HistorySchema.packCandleHours`): per candle, by start, the eleven columns of
/// `HistorySchema.candleValueColumns` as `int8send` gives them (8 bytes, big-endian).
enum CandleHour {
    static let milliseconds: Int64 = 3_600_000
    static let bytesPerCandle = 11 * 8

    /// The start of the hour holding `time` (floor, also before 1970).
    static func start(of time: Int64) -> Int64 { CandleInterval.sixtyMinute.start(of: time) }

    /// The value of `candles` (one symbol's, one hour's, ordered by start).
    static func pack(_ candles: [Candle]) -> ByteBuffer {
        var bytes = ByteBufferAllocator().buffer(capacity: candles.count * bytesPerCandle)
        for c in candles {
            for value in [c.start, c.open, c.high, c.low, c.close, c.volume, c.trades, c.first.time, c.first.seq, c.last.time, c.last.seq] {
                bytes.writeInteger(value)
            }
        }
        return bytes
    }

    /// The candles of `symbol` a value (of one or more hours, concatenated) holds.
    static func unpack(_ bytes: ByteBuffer, symbol: String) throws -> [Candle] {
        guard bytes.readableBytes % bytesPerCandle == 0 else {
            throw HistoryDatabaseError("history: candle_hours of \(symbol) holds \(bytes.readableBytes) bytes, not whole candles")
        }
        var bytes = bytes
        var candles: [Candle] = []
        candles.reserveCapacity(bytes.readableBytes / bytesPerCandle)
        while let v = bytes.readMultipleIntegers(as: (Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64).self) {
            candles.append(
                Candle(
                    symbol: symbol, start: v.0, open: v.1, high: v.2, low: v.3, close: v.4, volume: v.5, trades: v.6,
                    first: TradeCursor(time: v.7, seq: v.8), last: TradeCursor(time: v.9, seq: v.10)))
        }
        return candles
    }

    /// `stored` (an hour's candles by start) with `new` candles of the same hour merged in; also returns the merged
    /// candles of `new`'s minutes, the rows of `candles_1m` to write.
    static func merge(_ new: [Candle], into stored: [Candle]) -> (hour: [Candle], changed: [Candle]) {
        var byStart = Dictionary(stored.map { ($0.start, $0) }, uniquingKeysWith: { a, _ in a })
        var changed: [Candle] = []
        changed.reserveCapacity(new.count)
        for candle in new {
            let merged = byStart[candle.start].map { $0.merged(with: candle) } ?? candle
            byStart[candle.start] = merged
            changed.append(merged)
        }
        return (byStart.values.sorted { $0.start < $1.start }, changed)
    }
}
