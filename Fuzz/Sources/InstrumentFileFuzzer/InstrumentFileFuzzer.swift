import enum ExchangeRecords.JSONValue
import FuzzSupport
import Gateway
import MatchingEngine

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The instrument file reader (`--instruments`): the input is written to a file and loaded as the gateway
/// loads it. What it accepts must write back (`InstrumentFile.encode`) to a file that reads the same, and
/// the gateway must be able to check an order against every instrument it loaded.
/// In memory where there is /dev/shm: Foundation's write flushes to disk, which would make most of the time.
let directory = FileManager.default.fileExists(atPath: "/dev/shm") ? URL(fileURLWithPath: "/dev/shm") : FileManager.default.temporaryDirectory
let file = directory.appendingPathComponent("instruments-fuzz-\(ProcessInfo.processInfo.processIdentifier).json")
let path = file.path

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzInstrumentFile(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = fuzzInput(data, size)
    do { try Data(input).write(to: file) } catch { fatalError("cannot write \(path): \(error)") }
    defer { try? FileManager.default.removeItem(at: file) }
    guard let rules = try? InstrumentRules.load(path: path) else { return 0 }
    let instruments: [MatchingEngine.Instrument]
    do {
        instruments = try InstrumentFile.decode(input)
    } catch {
        fatalError("the gateway loaded \(rules) but the file reader refuses the same file: \(error)")
    }
    let written = InstrumentFile.encode(instruments)
    do {
        let again = try InstrumentFile.decode(Array(written.utf8))
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
