import FuzzSupport
import Gateway
import MatchingEngine

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The instrument file reader (`--instruments`): the input is written to a file and loaded as the gateway
/// loads it. What it accepts must write back (`InstrumentCatalog.encode`) to a file that reads the same, and
/// the gateway must be able to check an order against every instrument it loaded.
let path = FileManager.default.temporaryDirectory.appendingPathComponent("instruments-fuzz-\(ProcessInfo.processInfo.processIdentifier).json").path

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzInstrumentFile(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = fuzzInput(data, size)
    guard FileManager.default.createFile(atPath: path, contents: Data(input)) else { fatalError("cannot write \(path)") }
    guard let rules = try? InstrumentRules.load(path: path) else { return 0 }
    let instruments: [MatchingEngine.Instrument]
    do {
        instruments = try InstrumentCatalog.decode(input)
    } catch {
        fatalError("the gateway loaded \(rules) but the engine refuses the same file: \(error)")
    }
    let written = InstrumentCatalog.encode(instruments)
    do {
        let again = try InstrumentCatalog.decode(Array(written.utf8))
        require(again == instruments, "\(written) reads back as \(again)")
    } catch {
        fatalError("the written file \(written) does not read: \(error)")
    }
    let parser = OrderRequestParser(instruments: InstrumentTable(rules))
    for instrument in rules {
        let body = JSONValue.object([
            ("symbol", .string(instrument.symbol)), ("side", .string("BUY")), ("order_type", .string("LIMIT")),
            ("price", .micros(instrument.referencePriceMicros)), ("quantity", .int(instrument.lotSize)),
        ]).serialized()
        _ = try? parser.parsePlacement(Array(body.utf8))
    }
    return 0
}

@_cdecl("InstrumentFileFuzzer_main")
public func InstrumentFileFuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc, argv, fuzzInstrumentFile)
}
