/// Kite's numeric instrument tokens for the listed instruments.
///
/// A token is `exchange_token << 8 | segment`, as Kite's are: `exchange_token` is the FNV-1a hash of
/// `EXCHANGE:SYMBOL` in 23 bits (so the token fits a positive 32-bit integer, as the ticker's packets carry it), and
/// the segment byte is 1, the value for which `KiteTicker` divides prices by 100. A symbol's token depends on nothing
/// else, so it is the same in every run and on every gateway. Should two listed symbols hash alike, the one that
/// sorts later takes the next free `exchange_token` (and keeps it as long as both stay listed).
struct KiteInstrumentTokens: Sendable {
    struct Entry: Sendable {
        var rules: InstrumentRules
        var token: Int64
        var exchangeToken: Int64
    }

    static let segment: Int64 = 1
    private(set) var bySymbol: [String: Entry] = [:]
    private(set) var byToken: [Int64: Entry] = [:]
    /// Sorted by symbol.
    private(set) var entries: [Entry] = []

    init(_ instruments: [InstrumentRules]) {
        var used: Set<Int64> = []
        for rules in instruments.sorted(by: { $0.symbol < $1.symbol }) {
            var exchangeToken = KiteInstrumentTokens.exchangeToken(exchange: rules.exchange, symbol: rules.symbol)
            while used.contains(exchangeToken) { exchangeToken = exchangeToken % 0x7F_FFFF + 1 }
            used.insert(exchangeToken)
            let entry = Entry(rules: rules, token: exchangeToken << 8 | KiteInstrumentTokens.segment, exchangeToken: exchangeToken)
            entries.append(entry)
            bySymbol[rules.symbol] = entry
            byToken[entry.token] = entry
        }
    }

    /// The hash part of a symbol's token: 1 to 2^23 − 1.
    static func exchangeToken(exchange: String, symbol: String) -> Int64 {
        var hash: UInt32 = 0x811C_9DC5
        for byte in "\(exchange):\(symbol)".utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 0x0100_0193
        }
        let token = Int64(hash & 0x7F_FFFF)
        return token == 0 ? 1 : token
    }

    /// An instrument named `EXCHANGE:SYMBOL` or by its token, as the quote routes' `i` takes it.
    func resolve(_ key: String) -> Entry? {
        if let token = Int64(key) { return byToken[token] }
        let parts = key.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let entry = bySymbol[String(parts[1])], entry.rules.exchange == parts[0] else { return nil }
        return entry
    }
}
