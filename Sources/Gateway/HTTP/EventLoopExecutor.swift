import NIOCore
import NIOPosix
import Synchronization

/// Runs Swift Concurrency's global executor on NIO's singleton event loops (the ones Hummingbird
/// serves on), so a request's handler task no longer hops between the cooperative pool and the
/// connection's event loop for every read and write. On 2 cores those hops (thread wake-ups and
/// context switches) cost more than the request itself.
public enum EventLoopExecutor {
    private static let installed = Mutex<Bool?>(nil)

    /// Installs the hook once per process (later calls return the first result). Call it at the
    /// start of a process that mostly serves HTTP, before starting tasks; it affects every task
    /// in the process.
    @discardableResult
    public static func install() -> Bool {
        installed.withLock { state in
            if let state { return state }
            let ok = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
            state = ok
            return ok
        }
    }
}
