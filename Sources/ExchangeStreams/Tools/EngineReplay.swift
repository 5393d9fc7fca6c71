import ExchangeRecords
import MatchingEngine

/// The line protocol of `exchange engine --stdio`, kept here so it is testable without a process.
///
/// Input: one JSON record per line, an `incoming_orders` record (new order, CANCEL, MODIFY, TICK; read as `split`
/// reads it, so records of other producers and the split topics' records are accepted too) or
/// `{"type":"SNAPSHOT","stock_symbol":"AAPL"}`. A line may start with the Kafka record's timestamp (epoch ms) and a
/// tab, as `kcat -f '%T\t%s\n'` prints records: a record without `timestamp` takes it. Output: exactly one line per
/// input line —
/// - `{"line":N,"events":[{"topic":"execution_reports","key":"AAPL","value":{…}},{"topic":"matched_trades",…},…]}`
///   in the engine's emission order (per fill: trade, aggressor's report, resting order's report);
/// - `{"line":N,"snapshot":{"stock_symbol":…,"bids":[…],"asks":[…],"last_trade":{…}}}` (L3, priority order);
/// - `{"line":N,"error":"…"}` for a line that cannot be used (the run continues).
/// Trades get `TRADE_ID` `"0-<trade number>"` and `SEQ` = trade number; reports a dense `seq` from 1.
/// Same input, same bytes out.
public struct EngineReplay {
    public let engine: Engine
    public let dateTimeValidity: IncomingOrder.ReadingRules.DateTimeValidity
    private var lineNumber = 0
    private var reportSeq: Int64 = 0
    private var events: [EngineEvent] = []
    private var record: [UInt8] = []

    public init(engine: Engine, dateTimeValidity: IncomingOrder.ReadingRules.DateTimeValidity = .day) {
        self.engine = engine
        self.dateTimeValidity = dateTimeValidity
    }

    /// Handles one input line (without its newline) and returns the output line (without newline).
    public mutating func process(line whole: [UInt8]) -> [UInt8] {
        lineNumber += 1
        var line = whole[...]
        var recordTimestamp: Int64?
        if let tab = whole.firstIndex(of: 0x09), tab > 0, tab <= 19, whole[..<tab].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            recordTimestamp = Int64(String(decoding: whole[..<tab], as: UTF8.self))
            line = whole[(tab + 1)...]
        }
        var out: [UInt8] = []
        out.append(contentsOf: Array("{\"line\":\(lineNumber),".utf8))
        if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0d }) {
            return finishError(out, "empty line")
        }
        let order: IncomingOrder
        do {
            let rules = IncomingOrder.ReadingRules(dateTimeValidity: dateTimeValidity, recordTimestamp: recordTimestamp)
            order = try IncomingOrder.decode(json: line, rules: rules)
        } catch {
            switch snapshotRequest(Array(line)) {
            case .some(.success(let symbol)):
                out.append(contentsOf: Array("\"snapshot\":".utf8))
                appendSnapshot(symbol, to: &out)
                out.append(UInt8(ascii: "}"))
                return out
            case .some(.failure(let problem)):
                return finishError(out, problem.description)
            case nil:
                return finishError(out, error.description)
            }
        }
        if let problem = EngineRecordMapping.refusal(order, engine: engine) {
            return finishError(out, "refused instrument change: \(problem)")
        }
        events.removeAll(keepingCapacity: true)
        let terms = EngineRecordMapping.process(order, engine: engine, into: &events)
        out.append(contentsOf: Array("\"events\":[".utf8))
        for (i, event) in events.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            record.removeAll(keepingCapacity: true)
            let topic: String
            let key: String
            switch event {
            case .trade(let trade):
                let wire = EngineRecordMapping.matchedTrade(
                    trade, engine: engine, tradeId: "0-\(trade.tradeNumber)", seq: Int64(trade.tradeNumber))
                wire.encode(into: &record)
                topic = Topology.matchedTrades.name
                key = wire.buyStockSymbol
            case .report(let report):
                reportSeq += 1
                let wire = EngineRecordMapping.executionReport(
                    report, engine: engine, tradeId: report.lastTradeNumber.map { "0-\($0)" }, seq: reportSeq, terms: terms)
                wire.encode(into: &record)
                topic = Topology.executionReports.name
                key = wire.symbol
            }
            out.append(contentsOf: Array("{\"topic\":".utf8))
            out.appendJSONString(topic)
            out.append(contentsOf: Array(",\"key\":".utf8))
            out.appendJSONString(key)
            out.append(contentsOf: Array(",\"value\":".utf8))
            out.append(contentsOf: record)
            out.append(UInt8(ascii: "}"))
        }
        engine.releaseForgottenOrderIds()
        out.append(contentsOf: Array("]}".utf8))
        return out
    }

    private func finishError(_ prefix: [UInt8], _ message: String) -> [UInt8] {
        var out = prefix
        out.append(contentsOf: Array("\"error\":".utf8))
        out.appendJSONString(message)
        out.append(UInt8(ascii: "}"))
        return out
    }

    private struct Problem: Error, CustomStringConvertible { var description: String }

    /// nil when the line is not a SNAPSHOT request at all (then the record decoder's error is the right one).
    private func snapshotRequest(_ line: [UInt8]) -> Result<String, Problem>? {
        guard let request = try? JSONValue.parse(line), request["type"] == .string("SNAPSHOT"), case .object(let members) = request
        else { return nil }
        guard case .string(let symbol)? = request["stock_symbol"] else {
            return .failure(Problem(description: "field 'stock_symbol': missing required field (SNAPSHOT needs a symbol)"))
        }
        if let extra = members.map(\.0).filter({ $0 != "type" && $0 != "stock_symbol" }).sorted().first {
            return .failure(Problem(description: "field '\(extra)': unknown field (not allowed in a SNAPSHOT request)"))
        }
        guard engine.instrumentHandle(symbol) != nil else {
            return .failure(Problem(description: "field 'stock_symbol': unknown symbol \(symbol)"))
        }
        return .success(symbol)
    }

    private func appendSnapshot(_ symbol: String, to out: inout [UInt8]) {
        guard let handle = engine.instrumentHandle(symbol) else { return }
        let book = engine.orderBook(handle)
        out.append(contentsOf: Array("{\"stock_symbol\":".utf8))
        out.appendJSONString(symbol)
        for (name, orders) in [("bids", book.bids), ("asks", book.asks)] {
            out.append(contentsOf: Array(",\"\(name)\":[".utf8))
            for (i, order) in orders.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: Array("{\"order_id\":".utf8))
                out.appendJSONString(engine.orderId(order.order))
                if let trader = engine.traderId(order.trader) {
                    out.append(contentsOf: Array(",\"trader_id\":".utf8))
                    out.appendJSONString(trader)
                }
                var fields = ",\"side\":\"\(order.side.rawValue)\",\"price\":\(order.price),\"quantity\":\(order.quantity)"
                fields += ",\"filled_quantity\":\(order.filledQuantity),\"leaves_quantity\":\(order.leavesQuantity)"
                fields += ",\"time_in_force\":\"\(order.timeInForce.rawValue)\""
                if let expiry = order.expiresAt { fields += ",\"expires_at\":\(expiry)" }
                out.append(contentsOf: Array((fields + "}").utf8))
            }
            out.append(UInt8(ascii: "]"))
        }
        if let last = engine.lastTrade(handle) {
            out.append(contentsOf: Array(
                ",\"last_trade\":{\"price\":\(last.price),\"quantity\":\(last.quantity),\"time\":\(last.time),\"trade_id\":\"0-\(last.tradeNumber)\"}".utf8))
        }
        out.append(UInt8(ascii: "}"))
    }
}
