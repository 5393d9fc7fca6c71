/// What the harnesses share: libFuzzer's entry, the input as bytes and a check whose failure libFuzzer
/// reports as a crash.
import CLibFuzzer

/// A harness's `LLVMFuzzerTestOneInput`.
public typealias FuzzTarget = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

/// Runs libFuzzer on `target`, as libFuzzer's own `main` would. SwiftPM links an executable's `main` to
/// `<Module>_main` (so tests can link executables), which a harness parsed as a library must define itself:
/// each one's `<Module>_main` calls this.
public func runLibFuzzer(
    _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ target: FuzzTarget
) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, target)
}

/// The fuzzer's input as a raw buffer (libFuzzer may pass a null pointer for the empty input).
public func fuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size)
}

/// Stops the run when a property the harness checks does not hold: libFuzzer saves the input as a crash.
public func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}

/// Bytes as text for messages, invalid UTF-8 replaced.
public func text(_ bytes: some Collection<UInt8>) -> String {
    String(decoding: bytes, as: UTF8.self)
}
