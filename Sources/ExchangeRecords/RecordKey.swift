/// Kafka keys of the exchange's topics, as text.
///
/// Order, trade, report and instrument topics are keyed by symbol (`AAPL`); the windowed analytics topics by
/// `SYMBOL@WINDOW_START` (`AAPL@1700000100000`, text rather than ksqlDB's binary windowed key); `top_profit` by
/// `WINDOW_START` alone.
public enum RecordKey {
    /// `AAPL` as key bytes.
    public static func symbol(_ symbol: String) -> [UInt8] {
        Array(symbol.utf8)
    }

    /// `SYMBOL@WINDOW_START`.
    public static func window(symbol: String, windowStart: Int64) -> String {
        "\(symbol)@\(windowStart)"
    }

    /// `WINDOW_START` as decimal text (the `top_profit` key).
    public static func window(start: Int64) -> String {
        String(start)
    }

    /// Splits a `SYMBOL@WINDOW_START` key.
    public static func parseWindow(_ key: String) throws(RecordDecodingError) -> (symbol: String, windowStart: Int64) {
        guard let at = key.utf8.lastIndex(of: UInt8(ascii: "@")) else {
            throw RecordDecodingError(field: "key", reason: "'\(key)' is not SYMBOL@WINDOW_START")
        }
        let symbol = String(key[..<at])
        let startText = String(key[key.index(after: at)...])
        guard !symbol.isEmpty, let start = Int64(startText), startText.utf8.allSatisfy({ $0 != UInt8(ascii: "+") })
        else {
            throw RecordDecodingError(field: "key", reason: "'\(key)' is not SYMBOL@WINDOW_START")
        }
        return (symbol, start)
    }
}
