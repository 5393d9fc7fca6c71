import NIOCore

/// Kite's binary tick messages (kite.trade/docs/connect/v3/websocket): a big-endian count of packets, then each
/// packet after its big-endian length. A packet is 8 bytes in `ltp` mode (token, last price), 44 in `quote` (plus
/// last quantity, average price, volume, total buy and sell quantity, open, high, low, close) and 184 in `full`
/// (plus last trade time, three open-interest fields, the exchange time, and 5 bid then 5 ask levels of quantity,
/// price, orders and 2 bytes of padding). Prices are in hundredths (the token's segment byte tells `KiteTicker` to
/// divide by 100); times are epoch seconds.
enum KiteTickPacket {
    enum Mode: String, Sendable { case ltp, quote, full }

    /// A price in hundredths, held to what 32 bits carry.
    static func hundredths(_ micros: Int64) -> UInt32 {
        UInt32(clamping: (micros + 5_000) / 10_000)
    }

    static func packet(_ quote: KiteQuote, mode: Mode, now: Int64) -> ByteBuffer {
        var b = ByteBuffer()
        b.writeInteger(UInt32(clamping: quote.entry.token))
        b.writeInteger(hundredths(quote.lastPrice))
        guard mode != .ltp else { return b }
        b.writeInteger(UInt32(clamping: quote.symbol.lastQuantity ?? 0))
        b.writeInteger(hundredths(quote.averagePrice))
        b.writeInteger(UInt32(clamping: quote.symbol.volume))
        b.writeInteger(UInt32(clamping: quote.buyQuantity))
        b.writeInteger(UInt32(clamping: quote.sellQuantity))
        for price in [quote.open, quote.high, quote.low, quote.close] { b.writeInteger(hundredths(price)) }
        guard mode == .full else { return b }
        b.writeInteger(UInt32(clamping: (quote.symbol.lastTradeTime ?? 0) / 1000))
        b.writeInteger(UInt32(0))  // open interest, its day high and low: no derivatives here
        b.writeInteger(UInt32(0))
        b.writeInteger(UInt32(0))
        b.writeInteger(UInt32(clamping: now / 1000))
        let depth = quote.depth
        for level in depth.buy + depth.sell {
            b.writeInteger(UInt32(clamping: level.quantity))
            b.writeInteger(hundredths(level.price))
            b.writeInteger(UInt16(clamping: level.orders))
            b.writeInteger(UInt16(0))
        }
        return b
    }

    /// One message of several packets.
    static func message(_ packets: [ByteBuffer]) -> ByteBuffer {
        var b = ByteBuffer()
        b.writeInteger(UInt16(clamping: packets.count))
        for var packet in packets {
            b.writeInteger(UInt16(clamping: packet.readableBytes))
            b.writeBuffer(&packet)
        }
        return b
    }
}
