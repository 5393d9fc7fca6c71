import Foundation

/// Runs blocking work (waiting for a child process, reading a pipe to its end) on a thread of its own and awaits it.
///
/// Swift's cooperative pool has a thread per core, two here: a test that blocks two of them at once (a Python client
/// running for a minute, `initdb`) stalls every other test of the process, and their time bounds fail.
public func onThreadOfItsOwn<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
