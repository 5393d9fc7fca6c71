import Foundation
import MatchingEngine
import Testing

@Suite struct CatalogTests {
    static var repoRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    @Test func configFileMatchesTheBuiltInSeed() throws {
        let data = try Data(contentsOf: Self.repoRoot.appendingPathComponent("config/instruments.json"))
        let loaded = try InstrumentCatalog.decode(Array(data))
        #expect(loaded == InstrumentCatalog.seed)
        #expect(InstrumentCatalog.encode(InstrumentCatalog.seed) == String(decoding: data, as: UTF8.self))
    }

    @Test func seedHasTheDataSetReferencePrices() {
        let prices = Dictionary(uniqueKeysWithValues: InstrumentCatalog.seed.map { ($0.symbol, $0.referencePrice) })
        #expect(prices["AAPL"] == Price(units: 160))
        #expect(prices["GOOG"] == Price(units: 1165))
        #expect(prices["TSLA"] == Price(units: 760))
        #expect(prices["AMZN"] == Price(units: 3011))
        #expect(prices["FB"] == Price(units: 395))
        for instrument in InstrumentCatalog.seed { #expect(instrument.definitionProblem == nil) }
    }

    @Test func decodeNamesTheProblem() {
        func problem(_ text: String) -> String {
            do {
                _ = try InstrumentCatalog.decode(Array(text.utf8))
                return "no error"
            } catch { return error.description }
        }
        #expect(problem(#"[{"symbol":"X","last_price":1}]"#).contains("tick_size"))
        #expect(problem(#"[{"symbol":"X","tick_size":0.0000001,"last_price":1}]"#).contains("tick_size"))
        #expect(problem(#"[{"symbol":"X","tick_size":0.05,"last_price":1,"price_band_low":0.01,"price_band_high":2}]"#).contains("tick grid"))
        #expect(problem(#"[{"symbol":"X","tick_size":0.05,"last_price":1,"price_band_low":1}]"#).contains("neither"))
        #expect(problem(#"{"symbol":"X"}"#).contains("array"))
        #expect(problem(#"[{"symbol":"X","tick_size":0.05,"last_price":1},{"symbol":"X","tick_size":0.05,"last_price":1}]"#).contains("twice"))
        #expect(problem("[{]").contains("instruments JSON"))
    }

    @Test func pricesParseExactly() {
        #expect(Price(parsing: "160.25")?.micros == 160_250_000)
        #expect(Price(parsing: "0.000001")?.micros == 1)
        #expect(Price(parsing: "1.0000000")?.micros == 1_000_000)
        #expect(Price(parsing: "1.0000001") == nil)
        #expect(Price(parsing: "1e3") == nil)
        #expect(Price(parsing: "") == nil)
        #expect(Price(parsing: "-2.5")?.micros == -2_500_000)
        #expect(Price(micros: 2_408_800_000).description == "2408.8")
        #expect(Price(micros: 1).description == "0.000001")
        #expect(Price(micros: -1_500_000).description == "-1.5")
    }
}
