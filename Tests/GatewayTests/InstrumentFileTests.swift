import Foundation
import Gateway
import MatchingEngine
import Testing

@Suite struct InstrumentFileTests {
    static var repoRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    @Test func configFileMatchesTheBuiltInSeed() throws {
        let data = try Data(contentsOf: Self.repoRoot.appendingPathComponent("config/instruments.json"))
        let loaded = try InstrumentFile.decode(Array(data))
        #expect(loaded == InstrumentCatalog.seed)
        #expect(InstrumentFile.encode(InstrumentCatalog.seed) == String(decoding: data, as: UTF8.self))
    }

    @Test func optionalFieldsTakeTheirDefaultsAndWriteBack() throws {
        let text = #"[{"symbol":"X","tick_size":0.05,"last_price":1,"extra":[1,{"a":null}]},{"symbol":"Y\"\\","name":"Ÿ\n","tick_size":1,"last_price":10,"lot_size":5,"max_order_quantity":100}]"#
        let loaded = try InstrumentFile.decode(Array(text.utf8))
        #expect(
            loaded == [
                Instrument(symbol: "X", tickSize: Price(micros: 50_000), referencePrice: Price(units: 1)),
                Instrument(symbol: "Y\"\\", name: "Ÿ\n", tickSize: Price(units: 1), lotSize: 5, referencePrice: Price(units: 10), maxOrderQuantity: 100),
            ])
        #expect(try InstrumentFile.decode(Array(InstrumentFile.encode(loaded).utf8)) == loaded)
    }

    @Test func decodeNamesTheProblem() {
        func problem(_ text: String) -> String {
            do {
                _ = try InstrumentFile.decode(Array(text.utf8))
                return "no error"
            } catch { return error.description }
        }
        #expect(problem(#"[{"symbol":"X","last_price":1}]"#).contains("tick_size"))
        #expect(problem(#"[{"symbol":"X","tick_size":0.0000001,"last_price":1}]"#).contains("tick_size"))
        #expect(problem(#"[{"symbol":"X","tick_size":0.05,"last_price":1,"price_band_low":0.01,"price_band_high":2}]"#).contains("tick grid"))
        #expect(problem(#"[{"symbol":"X","tick_size":0.05,"last_price":1,"price_band_low":1}]"#).contains("neither"))
        #expect(problem(#"[{"symbol":"X","tick_size":0.05,"last_price":1,"lot_size":1.5}]"#).contains("lot_size must be an integer"))
        #expect(problem(#"[{"symbol":"X","tick_size":"0.05","last_price":1}]"#).contains("tick_size must be a number"))
        #expect(problem(#"[{"tick_size":0.05,"last_price":1}]"#).contains("missing symbol"))
        #expect(problem(#"{"symbol":"X"}"#).contains("array"))
        #expect(problem(#"[{"symbol":"X","tick_size":0.05,"last_price":1},{"symbol":"X","tick_size":0.05,"last_price":1}]"#).contains("twice"))
        #expect(problem(#"[{"symbol":"X","symbol":"Y","tick_size":0.05,"last_price":1}]"#).contains("duplicate key"))
        #expect(problem("[{]").contains("instruments JSON"))
    }
}
