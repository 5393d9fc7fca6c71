import Foundation

/// A value guarded by a mutex. Internal: the Kafka clients share small pieces of state between
/// librdkafka's threads, their own poll threads and Swift tasks, always for a few instructions.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    @discardableResult
    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}

/// A raw librdkafka handle that may cross threads: librdkafka documents its handles as thread-safe.
struct SendablePointer: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
}

/// Runs blocking librdkafka calls (flush, transactions, committed offsets, metadata) off the
/// cooperative thread pool, so a slow broker never starves other Swift tasks.
enum Blocking {
    private static let queue = DispatchQueue(label: "kafka.blocking", attributes: .concurrent)

    static func run<R: Sendable>(_ body: @escaping @Sendable () throws -> R) async throws -> R {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}
