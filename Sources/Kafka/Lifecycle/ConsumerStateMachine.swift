/// Everything the consumer thread and the event iterator share, and every way it may change.
///
/// `ConsumerCore` holds one of these under its condition's lock; each method is one transition and returns what the
/// caller must do after unlocking (resume a task, run commands), so no continuation is resumed under the lock.
/// Nothing here touches librdkafka.
struct ConsumerStateMachine {
    enum Lifecycle: Equatable {
        /// Fetching; events flow to the iterator.
        case running
        /// The thread reported an error that ends the stream: it stops fetching; the iterator gets the events
        /// buffered before the error, then the error, then the end.
        case failed
        /// `close()` was asked: the thread commits, leaves the group (revocations still reach the iterator unless
        /// the stream had failed) and releases librdkafka.
        case closing(afterFailure: Bool)
        /// The group is left: the iterator has ended, commands are refused; the queue still exists.
        case ended
        /// The consumer queue is destroyed: nothing may wake the thread through it any more.
        case released
        /// The thread has exited.
        case exited
    }

    /// The hand-off of a rebalance: the thread announces it, the iterator takes the event, and the iterator's next
    /// call acknowledges it, after which the thread (un)assigns.
    enum RebalanceHandshake: Equatable {
        case none
        case announced
        case handedOut
    }

    enum Element {
        case event(KafkaConsumerEvent)
        case failure(KafkaError)
    }

    struct Command {
        let body: (OpaquePointer, ConsumerCore) throws -> Void
        let done: (Error?) -> Void
    }

    typealias Waiter = CheckedContinuation<KafkaConsumerEvent?, Error>

    /// What the thread does next.
    enum ThreadStep: Equatable {
        case close
        /// Nothing to fetch for now (stream failed, or the iterator is behind): wait a moment.
        case idle
        /// Fetch; `applicationBusy` when the iterator is still working through earlier batches.
        case fetch(applicationBusy: Bool)
    }

    enum NextAction {
        case resume(Result<KafkaConsumerEvent?, Error>)
        /// The continuation is kept; the thread resumes it.
        case wait
        /// The acknowledgement of a rebalance: the caller signals the waiting thread, then acts on `then`.
        indirect case acknowledgeRebalance(then: NextAction)
    }

    private(set) var lifecycle = Lifecycle.running
    private(set) var rebalance = RebalanceHandshake.none
    private var buffer: [Element] = []
    private var waiter: Waiter?
    private var wakeUpRequested = false
    private var commands: [Command] = []
    private let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    var hasCommands: Bool { !commands.isEmpty }

    /// Whether the consumer queue may still be yielded to wake the thread.
    var queueAlive: Bool {
        switch lifecycle {
        case .released, .exited: false
        default: true
        }
    }

    /// Whether the iterator's sequence has ended: after the group is left, or once the failure is handed out.
    private var iteratorEnded: Bool {
        switch lifecycle {
        case .running, .closing(afterFailure: false): false
        case .failed, .closing(afterFailure: true): buffer.isEmpty
        case .ended, .released, .exited: true
        }
    }

    private var acceptsEvents: Bool {
        switch lifecycle {
        case .running, .closing(afterFailure: false): true
        default: false
        }
    }

    // MARK: Iterator side

    /// The iterator asks for its next event.
    mutating func next(_ continuation: Waiter, cancelled: Bool) -> NextAction {
        // Asking again acknowledges the rebalance handed out last (before this call may hand out another).
        let acknowledges = rebalance == .handedOut
        if acknowledges { rebalance = .none }
        let action = takeNext(continuation, cancelled: cancelled)
        return acknowledges ? .acknowledgeRebalance(then: action) : action
    }

    private mutating func takeNext(_ continuation: Waiter, cancelled: Bool) -> NextAction {
        if !buffer.isEmpty {
            wakeUpRequested = false
            return .resume(handOut(buffer.removeFirst()))
        }
        if iteratorEnded { return .resume(.success(nil)) }
        if wakeUpRequested {
            wakeUpRequested = false
            return .resume(.success(.messages(KafkaMessageBatch.empty)))
        }
        if waiter != nil { return .resume(.failure(KafkaError(code: .state, message: "consumer events are being iterated twice"))) }
        // Cancelled before this wait began: the cancellation handler has already run and found no waiter.
        if cancelled { return .resume(.failure(CancellationError())) }
        waiter = continuation
        return .wait
    }

    /// The iterating task was cancelled: its waiter, if any, to resume with `CancellationError`.
    mutating func cancelWaiter() -> Waiter? {
        defer { waiter = nil }
        return waiter
    }

    /// `wakeUpIterator()`: the waiter to resume with an empty batch, or else a wake-up for the next call.
    mutating func wakeUp() -> Waiter? {
        guard let waiter else {
            wakeUpRequested = true
            return nil
        }
        self.waiter = nil
        return waiter
    }

    private mutating func handOut(_ element: Element) -> Result<KafkaConsumerEvent?, Error> {
        switch element {
        case .event(let event):
            switch event {
            case .partitionsAssigned, .partitionsRevoked: rebalance = .handedOut
            case .messages: break
            }
            return .success(event)
        case .failure(let error):
            return .failure(error)
        }
    }

    // MARK: Thread side

    /// The thread has an event or error for the iterator: the waiter to resume with it, or nil when it was
    /// buffered or dropped (the stream has ended or failed).
    mutating func push(_ element: Element) -> (Waiter, Result<KafkaConsumerEvent?, Error>)? {
        guard acceptsEvents else { return nil }
        if case .failure = element { lifecycle = .failed }
        guard let waiter else {
            buffer.append(element)
            return nil
        }
        self.waiter = nil
        return (waiter, handOut(element))
    }

    /// Drops buffered records of `partitions` (of every partition if `nil`), after a seek or an assignment.
    mutating func dropBuffered(_ partitions: Set<KafkaTopicPartition>?) {
        buffer = buffer.compactMap { element in
            guard case .event(.messages(let batch)) = element else { return element }
            guard let partitions else { return nil }
            let kept = batch.removing(partitions)
            return kept.isEmpty ? nil : .event(.messages(kept))
        }
    }

    func nextStep() -> ThreadStep {
        switch lifecycle {
        case .closing, .ended, .released, .exited: return .close
        case .failed: return .idle
        case .running: return buffer.count >= capacity ? .idle : .fetch(applicationBusy: waiter == nil && !buffer.isEmpty)
        }
    }

    /// Whether a busy application's batch wait should go on (nothing else for the thread to do).
    var shouldWaitForApplication: Bool { waiter == nil && !buffer.isEmpty && commands.isEmpty && lifecycle == .running }

    /// The thread is about to hand out a rebalance event and wait for its acknowledgement.
    mutating func announceRebalance() { rebalance = .announced }

    /// Whether the thread still waits for the iterator to acknowledge a rebalance.
    var awaitsRebalanceAcknowledgement: Bool { rebalance != .none && lifecycle == .running }

    // MARK: Commands

    /// Queues a command for the thread; false when the consumer is closing or closed (refuse it).
    mutating func enqueue(_ command: Command) -> Bool {
        guard lifecycle == .running || lifecycle == .failed else { return false }
        commands.append(command)
        return true
    }

    mutating func takeCommands() -> [Command] {
        defer { commands = [] }
        return commands
    }

    // MARK: Close

    mutating func requestClose() {
        switch lifecycle {
        case .running: lifecycle = .closing(afterFailure: false)
        case .failed: lifecycle = .closing(afterFailure: true)
        default: break
        }
    }

    /// The group is left: the iterator ends now. Returns the waiter (to resume with nil) and the commands to fail.
    mutating func end() -> (Waiter?, [Command]) {
        lifecycle = .ended
        buffer = []
        rebalance = .none
        defer { waiter = nil; commands = [] }
        return (waiter, commands)
    }

    mutating func releaseQueue() { lifecycle = .released }

    mutating func exit() { lifecycle = .exited }
}
