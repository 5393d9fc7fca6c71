import ExchangeRecords
import FuzzSupport

/// The record codecs of every topic: each decoder reads the input; what one accepts must encode to bytes that
/// decode to the same record and encode to the same bytes again (the exactly-once design relies on that).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRecordCodecs(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = fuzzInput(data, size)
    roundTrip(IncomingOrder.self, input)  // incoming_orders: new, cancel, modify, tick
    roundTrip(SequencedOrder.self, input)  // buy_orders, sell_orders, matched_trades_ticks
    roundTrip(MatchedTrade.self, input)
    roundTrip(ExecutionReport.self, input)
    roundTrip(SimpleMovingAverage.self, input)
    roundTrip(StockProfit.self, input)
    roundTrip(TopProfit.self, input)
    roundTrip(DeadLetter.self, input)
    roundTrip(Instrument.self, input)
    windowKey(input)
    return 0
}

func roundTrip<R: JSONRecord>(_ type: R.Type, _ input: UnsafeRawBufferPointer) {
    guard let record = try? R.decode(json: input) else { return }
    let bytes = record.encoded()
    let again: R
    do {
        again = try R.decode(json: bytes)
    } catch {
        fatalError("\(R.self): the encoding \(text(bytes)) of a decoded record does not decode: \(error)")
    }
    require(again == record, "\(R.self): \(text(bytes)) decodes to \(again), not \(record)")
    let bytesAgain = again.encoded()
    require(bytesAgain == bytes, "\(R.self): encoding is not deterministic: \(text(bytes)) then \(text(bytesAgain))")
}

/// The windowed topics' keys, `SYMBOL@WINDOW_START`, are outside input too.
func windowKey(_ input: UnsafeRawBufferPointer) {
    guard let key = String(validating: input, as: UTF8.self),
        let (symbol, start) = try? RecordKey.parseWindow(key)
    else { return }
    let written = RecordKey.window(symbol: symbol, windowStart: start)
    let parsed = try? RecordKey.parseWindow(written)
    require(parsed?.symbol == symbol && parsed?.windowStart == start, "key '\(key)' rewritten as '\(written)' reads back as \(String(describing: parsed))")
}

@_cdecl("RecordCodecsFuzzer_main")
public func RecordCodecsFuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzzRecordCodecs)
}
