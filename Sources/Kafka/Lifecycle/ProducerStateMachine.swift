/// The producer's lifecycle and what it decides: whether a record may be sent, who waits for queue space, and the
/// failures of fire-and-forget records that `flush()` reports.
///
/// `ProducerCore` holds one under a lock; each method is one transition, and continuations it returns are resumed by
/// the caller after unlocking. Nothing here touches librdkafka.
struct ProducerStateMachine {
    enum Lifecycle: Equatable {
        /// Records are accepted.
        case running
        /// `close()` began: what is queued gets up to the flush timeout; records are still accepted meanwhile.
        case draining
        /// Records are refused; what is still queued is purged and its senders told.
        case closed
        /// The poll thread has been asked to exit; the handle is released next.
        case stopping
    }

    private(set) var lifecycle = Lifecycle.running
    /// A fatal error of librdkafka's (idempotence or transactions broken): every later record is refused with it.
    private(set) var fatal: KafkaError?
    private(set) var failureCount = 0
    private var failuresSinceFlush = 0
    private var firstFailureSinceFlush: KafkaError?
    private var spaceWaiters: [CheckedContinuation<Void, Never>] = []

    /// Why records are refused now, if they are.
    var refusal: KafkaError? {
        if let fatal { return fatal }
        switch lifecycle {
        case .running, .draining: return nil
        case .closed, .stopping: return KafkaError.closed("producer")
        }
    }

    var isClosed: Bool { lifecycle == .closed || lifecycle == .stopping }

    /// Whether the poll thread keeps serving reports.
    var pollThreadRuns: Bool { lifecycle != .stopping }

    // MARK: Transitions

    /// `close()` or `deinit`: true for the first call only, which then drives the rest of the shutdown.
    mutating func beginShutdown() -> Bool {
        guard lifecycle == .running else { return false }
        lifecycle = .draining
        return true
    }

    /// The drain is over: refuse records from now on. Returns the senders waiting for space, to resume (they then
    /// see the refusal).
    mutating func close() -> [CheckedContinuation<Void, Never>] {
        lifecycle = .closed
        return takeSpaceWaiters()
    }

    mutating func stopPolling() { lifecycle = .stopping }

    mutating func failed(fatally error: KafkaError) {
        if fatal == nil { fatal = error }
    }

    // MARK: Queue space

    /// A sender found librdkafka's queue full: keeps its continuation, or returns false (resume it now) when closed.
    mutating func waitForSpace(_ continuation: CheckedContinuation<Void, Never>) -> Bool {
        guard !isClosed else { return false }
        spaceWaiters.append(continuation)
        return true
    }

    mutating func takeSpaceWaiters() -> [CheckedContinuation<Void, Never>] {
        defer { spaceWaiters = [] }
        return spaceWaiters
    }

    // MARK: Failures of fire-and-forget records

    mutating func recordFailures(_ count: Int, first: KafkaError?) {
        guard count > 0 else { return }
        failureCount += count
        failuresSinceFlush += count
        if firstFailureSinceFlush == nil { firstFailureSinceFlush = first }
    }

    /// What `flush()` throws: the failures since the previous flush, which it then forgets.
    mutating func takeFlushFailure() -> KafkaError? {
        defer {
            failuresSinceFlush = 0
            firstFailureSinceFlush = nil
        }
        guard failuresSinceFlush > 0, var error = firstFailureSinceFlush else { return nil }
        error.message = "\(failuresSinceFlush) record(s) not delivered since the previous flush; first: \(error.message)"
        return error
    }
}
