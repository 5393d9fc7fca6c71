import ExchangeRecords
import ExchangeStreams
import Foundation
import MatchingEngine
import Testing

/// Instrument changes in the order input, through the replay (`exchange engine --stdio`) and the engine: each applies
/// exactly where it is in the sequence, with its semantics, and a snapshot taken anywhere continues identically.
@Suite struct InstrumentControlTests {
    static let nvda =
        #"{"symbol":"NVDA","name":"NVIDIA","exchange":"NASDAQ","tick_size":0.01,"lot_size":1,"last_price":500,"price_band_low":400,"price_band_high":600}"#

    static func control(_ action: String, _ symbol: String, instrument: String? = nil, reason: String? = nil, at time: Int64) -> String {
        var text = #"{"type":"INSTRUMENT","action":"\#(action)","stock_symbol":"\#(symbol)""#
        if let instrument { text += #","instrument":\#(instrument)"# }
        if let reason { text += #","reason":"\#(reason)""# }
        return text + #","timestamp":\#(time)}"#
    }

    static func order(_ id: String, _ trader: String, _ symbol: String, _ side: String, _ price: String, _ quantity: Int, at time: Int64) -> String {
        #"{"order_id":"\#(id)","trader_id":"\#(trader)","stock_symbol":"\#(symbol)","side":"\#(side)","order_type":"LIMIT","price":\#(price),"quantity":\#(quantity),"time_in_force":"GTC","timestamp":\#(time)}"#
    }

    static func cancel(_ id: String, _ trader: String, _ symbol: String, _ side: String, at time: Int64) -> String {
        #"{"type":"CANCEL","order_id":"\#(id)","trader_id":"\#(trader)","stock_symbol":"\#(symbol)","side":"\#(side)","timestamp":\#(time)}"#
    }

    static func modify(_ id: String, _ trader: String, _ symbol: String, _ side: String, quantity: Int, at time: Int64) -> String {
        #"{"type":"MODIFY","order_id":"\#(id)","trader_id":"\#(trader)","stock_symbol":"\#(symbol)","side":"\#(side)","quantity":\#(quantity),"timestamp":\#(time)}"#
    }

    /// A day of NVDA: rejected before its listing, listed, halted (new orders and modifies rejected, cancels work,
    /// resting orders stay), resumed, re-ticked finer and banded narrower, delisted.
    static let session: [String] = [
        order("qqq", "amy", "QQQ", "BUY", "1", 1, at: 500),  // never listed (NVDA's book then comes after a placeholder)
        order("early", "amy", "NVDA", "BUY", "500", 1, at: 1_000),  // not listed yet
        control("LIST", "NVDA", instrument: nvda, at: 2_000),
        order("s-1", "bob", "NVDA", "SELL", "500", 10, at: 3_000),  // rests
        order("s-2", "bob", "NVDA", "SELL", "501", 10, at: 3_500),  // rests
        control("HALT", "NVDA", reason: "news pending", at: 4_000),
        order("b-1", "amy", "NVDA", "BUY", "500", 4, at: 5_000),  // HALTED
        modify("s-1", "bob", "NVDA", "SELL", quantity: 8, at: 5_500),  // HALTED
        cancel("s-2", "bob", "NVDA", "SELL", at: 6_000),  // cancels still work
        control("RESUME", "NVDA", at: 7_000),
        order("b-2", "amy", "NVDA", "BUY", "500", 4, at: 8_000),  // trades with s-1, which rested through the halt
        control(
            "SET", "NVDA",
            instrument: #"{"symbol":"NVDA","name":"NVIDIA","exchange":"NASDAQ","tick_size":0.005,"lot_size":1,"last_price":500,"price_band_low":450,"price_band_high":550}"#,
            at: 9_000),  // a finer tick and a narrower band
        order("b-3", "amy", "NVDA", "BUY", "499.995", 2, at: 10_000),  // on the new grid: rests
        order("b-4", "amy", "NVDA", "BUY", "560", 2, at: 10_500),  // outside the new band
        order("b-5", "amy", "NVDA", "BUY", "500", 2, at: 11_000),  // trades with s-1 at 500 (kept its priority)
        control("DELIST", "NVDA", at: 12_000),  // s-1's rest and b-3 cancelled
        order("late", "amy", "NVDA", "BUY", "500", 1, at: 13_000),  // unknown again
        control("SET", "ZZZ", instrument: nvda.replacingOccurrences(of: "NVDA", with: "ZZZ"), at: 14_000),  // refused
        control("HALT", "ZZZ", at: 14_500),  // refused
        control("LIST", "NVDA", instrument: nvda, at: 15_000),  // relisted, empty book
        order("again", "amy", "NVDA", "BUY", "500", 1, at: 16_000),  // rests
    ]

    func replay(_ lines: [String]) -> [String] {
        var replay = EngineReplay(engine: Engine(instruments: InstrumentCatalog.seed))
        return lines.map { String(decoding: replay.process(line: Array($0.utf8)), as: UTF8.self) }
    }

    /// (order_id, status, reason code) of each report of an output line.
    func reports(_ line: String) throws -> [String] {
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        let events = object?["events"] as? [[String: Any]] ?? []
        return events.filter { $0["topic"] as? String == Topology.executionReports.name }.compactMap { $0["value"] as? [String: Any] }.map {
            let reason = ($0["reason"] as? String).map { " " + ($0.split(separator: ":").first.map(String.init) ?? "") } ?? ""
            return "\($0["order_id"] ?? "") \($0["status"] ?? "")\(reason)"
        }
    }

    func trades(_ line: String) -> Int { line.components(separatedBy: #""topic":"matched_trades""#).count - 1 }

    @Test func eachChangeAppliesExactlyWhereItIsInTheSequence() throws {
        let all = replay(Self.session)
        #expect(try reports(all[0]) == ["qqq REJECTED UNKNOWN_SYMBOL"])
        let out = Array(all.dropFirst())
        #expect(try reports(out[0]) == ["early REJECTED UNKNOWN_SYMBOL"])
        #expect(out[1] == #"{"line":3,"events":[]}"#)
        #expect(try reports(out[2]) == ["s-1 NEW"])
        #expect(out[4] == #"{"line":6,"events":[]}"#)
        #expect(try reports(out[5]) == ["b-1 REJECTED HALTED"])
        #expect(try reports(out[6]) == ["s-1 REJECTED HALTED"])
        #expect(try reports(out[7]) == ["s-2 CANCELED CANCELED_BY_TRADER"])
        #expect(try reports(out[9]) == ["b-2 NEW", "b-2 FILLED", "s-1 PARTIALLY_FILLED"])
        #expect(trades(out[9]) == 1)
        #expect(out[10] == #"{"line":12,"events":[]}"#)
        #expect(try reports(out[11]) == ["b-3 NEW"])
        #expect(try reports(out[12]) == ["b-4 REJECTED OUTSIDE_PRICE_BAND"])
        #expect(try reports(out[13]) == ["b-5 NEW", "b-5 FILLED", "s-1 PARTIALLY_FILLED"])
        #expect(out[13].contains(#""PRICE":500,"#))
        #expect(try reports(out[14]) == ["b-3 CANCELED DELISTED", "s-1 CANCELED DELISTED"])
        #expect(try reports(out[15]) == ["late REJECTED UNKNOWN_SYMBOL"])
        #expect(out[16] == #"{"line":18,"error":"refused instrument change: unknown symbol ZZZ (list it first)"}"#)
        #expect(out[17] == #"{"line":19,"error":"refused instrument change: unknown symbol ZZZ"}"#)
        #expect(out[18] == #"{"line":20,"events":[]}"#)
        #expect(try reports(out[19]) == ["again NEW"])
    }

    @Test func theSameInputGivesTheSameBytes() {
        #expect(replay(Self.session) == replay(Self.session))
    }

    /// A snapshot taken after any line, restored, continues with exactly the events of the uninterrupted run.
    @Test(arguments: 0...21)
    func aSnapshotAnywhereContinuesIdentically(cut: Int) throws {
        let commands = try Self.session.map { line in try IncomingOrder.decode(json: line, rules: .init()) }
        // As wire records: order-id handles are the engine's own business and may differ after a restore.
        func run(_ engine: Engine, _ records: ArraySlice<IncomingOrder>) -> [String] {
            var out: [String] = []
            for record in records where EngineRecordMapping.refusal(record, engine: engine) == nil {
                var events: [EngineEvent] = []
                let terms = EngineRecordMapping.process(record, engine: engine, into: &events)
                for event in events {
                    switch event {
                    case .trade(let t): out.append(String(decoding: EngineRecordMapping.matchedTrade(t, engine: engine, tradeId: "0-\(t.tradeNumber)", seq: 0).encoded(), as: UTF8.self))
                    case .report(let r): out.append(String(decoding: EngineRecordMapping.executionReport(r, engine: engine, tradeId: nil, seq: 0, terms: terms).encoded(), as: UTF8.self))
                    }
                }
                engine.releaseForgottenOrderIds()
            }
            return out
        }
        let whole = Engine(instruments: InstrumentCatalog.seed)
        let all = run(whole, commands[...])
        let first = Engine(instruments: InstrumentCatalog.seed)
        let before = run(first, commands[..<cut])
        let restored = try Engine(snapshot: first.snapshot())
        let after = run(restored, commands[cut...])
        #expect(before + after == all)
        let symbols = ["NVDA", "QQQ", "AAPL"]
        #expect(symbols.map(restored.status) == symbols.map(whole.status))
    }

    @Test func badControlRecordsAreRefusedByTheReaderWithTheFieldNamed() throws {
        let bad: [(String, String)] = [
            (Self.control("LIST", "NVDA", instrument: Self.nvda.replacingOccurrences(of: #""tick_size":0.01"#, with: #""tick_size":-0.01"#), at: 1), "tick_size"),
            (Self.control("SET", "NVDA", instrument: Self.nvda.replacingOccurrences(of: #""price_band_low":400"#, with: #""price_band_low":700"#), at: 1), "price_band_high"),
            (Self.control("SET", "NVDA", instrument: Self.nvda.replacingOccurrences(of: #""price_band_low":400"#, with: #""price_band_low":400.005"#), at: 1), "instrument"),
            (Self.control("LIST", "AAPL", instrument: Self.nvda, at: 1), "instrument"),
            (Self.control("SET", "NVDA", at: 1), "instrument"),
            (Self.control("HALT", "NVDA", instrument: Self.nvda, at: 1), "instrument"),
            (Self.control("PAUSE", "NVDA", at: 1), "action"),
            (#"{"type":"INSTRUMENT","stock_symbol":"NVDA","timestamp":1}"#, "action"),
            (#"{"type":"INSTRUMENT","action":"HALT","stock_symbol":"NVDA","order_id":"x","timestamp":1}"#, "order_id"),
            (#"{"type":"TICK","action":"HALT","timestamp":1}"#, "action"),
        ]
        for (line, field) in bad {
            #expect(throws: RecordDecodingError.self, "\(line)") { try IncomingOrder.decode(json: line, rules: .init()) }
            do {
                _ = try IncomingOrder.decode(json: line, rules: .init())
            } catch {
                #expect(error.description.contains("field '\(field)'"), "\(line): \(error)")
            }
        }
        // And the replay answers an error line and changes nothing.
        let out = replay([bad[0].0, Self.order("x", "amy", "NVDA", "BUY", "500", 1, at: 2)])
        #expect(out[0].contains(#""error":"field 'tick_size'"#))
        #expect(try reports(out[1]) == ["x REJECTED UNKNOWN_SYMBOL"])
    }

    @Test func controlRecordsRoundTripThroughTheSplitTopics() throws {
        for line in Self.session where line.contains("INSTRUMENT") {
            let record = try IncomingOrder.decode(json: line, rules: .init())
            let sequenced = SequencedOrder(seq: 7, sourceOffset: 3, order: record)
            #expect(try SequencedOrder.decode(json: sequenced.encoded()) == sequenced)
            #expect(try IncomingOrder.decode(json: record.encoded()) == record)
            #expect(record.side == nil && record.stockSymbol != nil)
        }
    }
}

/// The CLI's decisions (`exchange instruments`), without Kafka: refusals name the problem and write nothing.
@Suite struct InstrumentDeskTests {
    static let aapl = EngineRecordMapping.instrumentRecord(InstrumentCatalog.seed[0])
    let desk = InstrumentDesk(table: ["AAPL": InstrumentDeskTests.aapl])

    @Test func setOfAnUnknownSymbolIsRefused() {
        #expect(throws: InstrumentDesk.Refusal.self) { try desk.set("ZZZ", .init(tickSize: FixedDecimal(micros: 10_000)), timestamp: 1) }
        #expect(throws: InstrumentDesk.Refusal.self) { try desk.halt("ZZZ", reason: nil, timestamp: 1) }
    }

    @Test func aNegativeTickOrAnInvertedBandIsRefused() throws {
        do {
            _ = try desk.set("AAPL", .init(tickSize: FixedDecimal(micros: -10_000)), timestamp: 1)
            Issue.record("a negative tick was accepted")
        } catch {
            #expect(error.description.contains("tick_size"))
        }
        do {
            _ = try desk.set("AAPL", .init(priceBandLow: FixedDecimal(micros: 200_000_000), priceBandHigh: FixedDecimal(micros: 150_000_000)), timestamp: 1)
            Issue.record("an inverted band was accepted")
        } catch {
            #expect(error.description.contains("price_band"))
        }
    }

    @Test func haltCarriesItsReasonAndResumeClearsIt() throws {
        let halt = try desk.halt("AAPL", reason: "news", timestamp: 5)
        #expect(halt.value.status == .halted && halt.value.haltReason == "news")
        #expect(halt.control == InstrumentChange(action: .halt, stockSymbol: "AAPL", reason: "news", timestamp: 5))
        let halted = InstrumentDesk(table: ["AAPL": halt.value])
        let resume = try halted.resume("AAPL", timestamp: 6)
        #expect(resume.value == Self.aapl)
    }

    @Test func publishListsNewSymbolsAndSetsChangedOnesOnly() throws {
        var changed = Self.aapl
        changed.lotSize = 10
        let goog = EngineRecordMapping.instrumentRecord(InstrumentCatalog.seed[1])
        let changes = try desk.publish([changed, goog], timestamp: 1)
        #expect(changes.map(\.control.action) == [.set, .list])
        #expect(try desk.publish([Self.aapl], timestamp: 1).isEmpty)
        #expect(throws: InstrumentDesk.Refusal.self) { try desk.listNew([Self.aapl], timestamp: 1) }
    }
}
