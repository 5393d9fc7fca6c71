import Foundation
import MatchingEngine
import Testing

@Suite struct CatalogTests {
    @Test func seedHasTheDataSetReferencePrices() {
        let prices = Dictionary(uniqueKeysWithValues: InstrumentCatalog.seed.map { ($0.symbol, $0.referencePrice) })
        #expect(prices["AAPL"] == Price(units: 160))
        #expect(prices["GOOG"] == Price(units: 1165))
        #expect(prices["TSLA"] == Price(units: 760))
        #expect(prices["AMZN"] == Price(units: 3011))
        #expect(prices["FB"] == Price(units: 395))
        for instrument in InstrumentCatalog.seed { #expect(instrument.definitionProblem == nil) }
    }

    @Test func pricesPrintExactly() {
        #expect(Price(micros: 2_408_800_000).description == "2408.8")
        #expect(Price(micros: 1).description == "0.000001")
        #expect(Price(micros: -1_500_000).description == "-1.5")
    }
}
