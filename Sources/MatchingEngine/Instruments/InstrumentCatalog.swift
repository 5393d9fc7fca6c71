/// The listed instruments of the built-in seed catalogue (`config/instruments.json` holds the same; the gateway's
/// `InstrumentFile` reads and writes that format).
public enum InstrumentCatalog {
    /// The seed data set's instruments (reference prices from the original project), bands ±20% of
    /// the reference moved inward onto the tick grid, lot size 1.
    public static let seed: [Instrument] = [
        .banded(symbol: "AAPL", name: "Apple Inc.", exchange: "NASDAQ", tickSize: Price(micros: 10_000), referencePrice: Price(units: 160), bandPercent: 20),
        .banded(symbol: "GOOG", name: "Alphabet Inc.", exchange: "NASDAQ", tickSize: Price(micros: 50_000), referencePrice: Price(units: 1165), bandPercent: 20),
        .banded(symbol: "TSLA", name: "Tesla, Inc.", exchange: "NASDAQ", tickSize: Price(micros: 50_000), referencePrice: Price(units: 760), bandPercent: 20),
        .banded(symbol: "AMZN", name: "Amazon.com, Inc.", exchange: "NASDAQ", tickSize: Price(micros: 50_000), referencePrice: Price(units: 3011), bandPercent: 20),
        .banded(symbol: "FB", name: "Meta Platforms, Inc.", exchange: "NASDAQ", tickSize: Price(micros: 10_000), referencePrice: Price(units: 395), bandPercent: 20),
        .banded(symbol: "MSFT", name: "Microsoft Corporation", exchange: "NASDAQ", tickSize: Price(micros: 10_000), referencePrice: Price(units: 250), bandPercent: 20),
        .banded(symbol: "PCAR", name: "PACCAR Inc", exchange: "NASDAQ", tickSize: Price(micros: 10_000), referencePrice: Price(units: 70), bandPercent: 20),
    ]
}
