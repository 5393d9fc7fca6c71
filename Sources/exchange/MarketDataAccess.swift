import ArgumentParser

/// `--market-data open|key`: whether a WebSocket without credentials gets market data (the trading screen's panels,
/// trades, quotes, SMA), or every WebSocket needs an API key or JWT.
enum MarketDataAccess: String, ExpressibleByArgument, CaseIterable {
    case open, key

    static let help: ArgumentHelp = "Market data on the WebSocket without credentials ('open') or with a key or JWT only ('key')."
}
