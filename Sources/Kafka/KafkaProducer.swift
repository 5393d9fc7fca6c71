import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Produces records to Kafka through librdkafka.
///
/// - `send` is fire-and-forget: it returns once librdkafka has queued the record, and when
///   librdkafka's queue is full (`queue.buffering.max.messages/kbytes`) it suspends until
///   delivery reports free space, instead of failing. A failed delivery of such a record is
///   reported by the next `flush()`, which throws it.
/// - `sendAndAwait` suspends until the broker acknowledged (or definitively rejected) the records.
/// - Delivery reports come through librdkafka's per-record callback (`dr_msg_cb`), which costs
///   about a tenth less per record than the event API, served by a dedicated thread (woken by
///   librdkafka through a pipe) or, while a sender is busy, by the sender itself; never by a
///   waiting Swift task, so nothing blocks the cooperative pool. Blocking calls (flush,
///   transactions) run on threads of their own.
/// - As a swift-service-lifecycle `Service`, `run()` waits for graceful shutdown, then flushes
///   and closes.
public final class KafkaProducer: Sendable, Service {
    let core: ProducerCore

    /// Creates the producer and waits up to `configuration.connectTimeoutMs` for a broker.
    /// Throws `KafkaError` for an unknown/invalid property or an unreachable cluster.
    public init(configuration: KafkaConfiguration, logger: Logger = Logger(label: "kafka.producer")) async throws {
        core = try ProducerCore(configuration: configuration, logger: logger)
        let core = self.core
        try await RDKafka.verifyConnectivity(core.rk, configuration) { core.shutdown(flushTimeoutMs: 0) }
    }

    /// Shutting down waits for librdkafka; never block the thread that drops the last reference.
    deinit {
        let core = self.core
        Blocking.detach { core.shutdown(flushTimeoutMs: 0) }
    }

    /// Queues one record (fire-and-forget). Suspends while librdkafka's queue is full.
    /// Throws at once for a record librdkafka refuses (unknown partition of a known topic, too
    /// large, fatal producer state, closed producer).
    public func send(_ message: KafkaProducerMessage) async throws {
        // The common case is one synchronous C call; only a full queue or an error goes async.
        let result = core.produceCounted(message)
        if !result.isQueued { try await core.enqueue(message, opaque: nil, firstAttempt: result) }
    }

    /// Queues one record (fire-and-forget) without suspending: returns `false`, having queued nothing, when
    /// librdkafka's queue is full (then `await send(_:)`, which waits for space). For hot loops, where an async call
    /// per record costs more than the call into librdkafka.
    public func trySend(_ message: KafkaProducerMessage) throws -> Bool {
        let result = core.produceCounted(message)
        if result.isQueued { return true }
        if result.isQueueFull { return false }
        throw core.sendError(result, message)
    }

    /// Queues records in order (fire-and-forget), suspending while the queue is full.
    public func send(contentsOf messages: some Sequence<KafkaProducerMessage>) async throws {
        for message in messages {
            let result = core.produceCounted(message)
            if !result.isQueued { try await core.enqueue(message, opaque: nil, firstAttempt: result) }
        }
    }

    /// Marks the end of the fire-and-forget records sent so far (`send`), so the caller can learn
    /// when all of them are acknowledged without waiting for the ones sent later: unlike `flush`,
    /// which waits for an empty queue and so may never return while others keep sending. Stream
    /// stages use it to write a snapshot once the outputs it covers are safe, without pausing.
    public func mark() -> DeliveryMark { core.mark() }

    /// Whether every fire-and-forget record sent before `mark` is acknowledged. Throws the first
    /// delivery failure among them (a failure stays: every later mark throws it too).
    public func isAcknowledged(_ mark: DeliveryMark) throws -> Bool { try core.isAcknowledged(mark) }

    /// Waits until every fire-and-forget record sent before `mark` is acknowledged; throws the
    /// first delivery failure among them, or `.closed` when the producer closes first.
    public func waitUntilAcknowledged(_ mark: DeliveryMark) async throws { try await core.waitUntilAcknowledged(mark) }

    /// Produces one record and waits for its delivery report; throws the delivery error.
    @discardableResult
    public func sendAndAwait(_ message: KafkaProducerMessage) async throws -> KafkaDeliveryReport {
        let report = try await sendAndAwait(contentsOf: [message])[0]
        if let error = report.error { throw error }
        return report
    }

    /// Produces one record and calls `onDelivery` with its delivery report, on the thread that serves
    /// librdkafka's reports: for callers that cannot suspend, such as a NIO channel handler answering
    /// once its record is acknowledged. Never blocks: when librdkafka's queue is full the record waits
    /// for space in a task. A record librdkafka refuses gets a report with the error at once.
    public func send(_ message: KafkaProducerMessage, onDelivery: @escaping @Sendable (KafkaDeliveryReport) -> Void) {
        do {
            if try trySend(message, onDelivery: onDelivery) { return }
        } catch {
            return onDelivery(ProducerCore.refusedReport(message, error))
        }
        Task {
            do {
                try await enqueue(message, onDelivery: onDelivery)
            } catch {
                onDelivery(ProducerCore.refusedReport(message, error))
            }
        }
    }

    /// Queues one record without suspending, like `trySend(_:)`, and calls `onDelivery` with its delivery report
    /// once it has one. Returns `false`, having queued nothing (and with no report to come), when the queue is full;
    /// throws, with no report to come, for a record librdkafka refuses.
    public func trySend(_ message: KafkaProducerMessage, onDelivery: @escaping @Sendable (KafkaDeliveryReport) -> Void) throws -> Bool {
        let opaque = DeliveryCallback(topic: message.topic, onDelivery: onDelivery).retainedOpaque()
        let result = core.produce(message, opaque: opaque)
        if result.isQueued { return true }
        DeliveryCallback.release(opaque)
        if result.isQueueFull { return false }
        throw core.sendError(result, message)
    }

    /// Queues one record, suspending while the queue is full, and calls `onDelivery` with its delivery report once
    /// it has one. Throws, with no report to come, when the record cannot be queued.
    public func enqueue(_ message: KafkaProducerMessage, onDelivery: @escaping @Sendable (KafkaDeliveryReport) -> Void) async throws {
        let opaque = DeliveryCallback(topic: message.topic, onDelivery: onDelivery).retainedOpaque()
        do {
            try await core.enqueue(message, opaque: opaque)
        } catch {
            DeliveryCallback.release(opaque)
            throw error
        }
    }

    /// Produces records in order and waits for all their delivery reports (in the same order);
    /// a record that failed has `error` set. Throws only if the producer itself cannot take
    /// records (closed, fatal error); records already queued are still awaited then.
    public func sendAndAwait(contentsOf messages: [KafkaProducerMessage]) async throws -> [KafkaDeliveryReport] {
        let group = DeliveryGroup(count: messages.count)
        var failure: Error?
        for (index, message) in messages.enumerated() {
            let opaque = DeliveryCallback(topic: message.topic) { group.complete(index, $0) }.retainedOpaque()
            if failure == nil {
                do {
                    try await core.enqueue(message, opaque: opaque)
                    continue
                } catch {
                    failure = error
                }
            }
            DeliveryCallback.fail(opaque, ProducerCore.refusedReport(message, failure))
        }
        let reports = await group.wait()
        if let failure, reports.allSatisfy({ $0.error != nil }) { throw failure }
        return reports
    }

    /// Waits until every queued record has its delivery report (librdkafka sends at once,
    /// ignoring `linger.ms`). Throws `.timedOut` if records remain after `timeout`, and otherwise
    /// the first delivery failure of a fire-and-forget record since the previous `flush()`.
    public func flush(timeout: Duration = .seconds(30)) async throws {
        try await core.flush(timeoutMs: timeout.milliseconds)
    }

    /// Number of records queued or in flight (not yet reported).
    public var outstandingCount: Int { core.outstandingCount }

    /// Fire-and-forget records whose delivery failed, since the producer started.
    public var deliveryFailureCount: Int { core.state.withLock { $0.failureCount } }

    /// Flushes (up to `flushTimeout`), then releases librdkafka. Records still undelivered then
    /// are purged and their awaiting senders get an error. Further sends throw.
    public func close(flushTimeout: Duration = .seconds(30)) async {
        let core = self.core
        let ms = flushTimeout.milliseconds
        _ = try? await Blocking.run { core.shutdown(flushTimeoutMs: ms) }
    }

    /// `Service`: waits for graceful shutdown (SIGTERM through a `ServiceGroup`), then flushes and closes.
    public func run() async throws {
        try? await gracefulShutdown()
        await close()
    }

    // MARK: Transactions

    /// Registers `transactionalId` with the cluster and fences older producers with the same id.
    public func initTransactions(timeout: Duration = .seconds(30)) async throws {
        let core = self.core, ms = timeout.milliseconds
        try await Blocking.run { try core.initTransactions(timeoutMs: ms) }
    }

    public func beginTransaction() throws { try core.beginTransaction() }

    /// Adds consumer offsets (the next offset to read per partition) to the current transaction,
    /// committed to the group atomically with the produced records.
    /// The embedded cluster accepts these but never applies them to the group.
    public func sendOffsetsToTransaction(
        _ offsets: [KafkaTopicPartition: Int64], groupMetadata: KafkaConsumerGroupMetadata, timeout: Duration = .seconds(30)
    ) async throws {
        let core = self.core, ms = timeout.milliseconds
        let sorted = offsets.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        try await Blocking.run { try core.sendOffsetsToTransaction(sorted, groupMetadata: groupMetadata, timeoutMs: ms) }
    }

    /// Flushes and commits the current transaction.
    public func commitTransaction(timeout: Duration = .seconds(30)) async throws {
        let core = self.core, ms = timeout.milliseconds
        try await Blocking.run { try core.commitTransaction(timeoutMs: ms) }
    }

    /// Aborts the current transaction: its records are marked aborted (on a real cluster,
    /// `read_committed` consumers skip them; the embedded cluster still shows them).
    public func abortTransaction(timeout: Duration = .seconds(30)) async throws {
        let core = self.core, ms = timeout.milliseconds
        try await Blocking.run { try core.abortTransaction(timeoutMs: ms) }
    }
}
