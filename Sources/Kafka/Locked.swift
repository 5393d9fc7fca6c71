import Foundation
import Synchronization

/// A value guarded by a mutex. Internal: the Kafka clients share small pieces of state between
/// librdkafka's threads, their own poll threads and Swift tasks, always for a few instructions.
/// A futex-based `Mutex` rather than `NSLock` (an error-checking pthread mutex on Linux): the
/// producer takes it once per record, and uncontended it costs one atomic instruction each way.
final class Locked<Value>: @unchecked Sendable {
    private let mutex: Mutex<Void> = Mutex(())
    /// Only touched under `mutex`, so the runtime's exclusivity bookkeeping would be pure cost.
    @exclusivity(unchecked) private var value: Value

    init(_ value: Value) { self.value = value }

    @discardableResult
    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        try mutex.withLock { _ in try body(&value) }
    }
}

/// A raw librdkafka handle that may cross threads: librdkafka documents its handles as thread-safe.
struct SendablePointer: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
}
