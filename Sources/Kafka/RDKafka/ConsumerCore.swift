import CRdKafka
import Foundation
import Logging

/// The consumer thread and the hand-off buffer between it and the event iterator.
///
/// All consumer-queue serving happens on the thread: `rd_kafka_consume_batch_queue`, the
/// rebalance callback (called from inside it), seek/pause/resume/assign commands and the final
/// `rd_kafka_consumer_close`. The rebalance callback only records the rebalance and yields, so
/// the batch call returns the records fetched before it; the thread then hands out those
/// records, then the rebalance event, and waits until the iterator asks for the next event
/// before it (un)assigns.
final class ConsumerCore: @unchecked Sendable {
    let rk: SendablePointer
    let hasGroup: Bool
    private let queue: SendablePointer
    private let context: ClientContext
    let storesExplicitly: Bool
    private let batchSize: Int

    /// Guarded by `cond`: the hand-off between thread and iterator, and the lifecycle.
    private let cond = NSCondition()
    private var machine: ConsumerStateMachine

    // Confined to the consumer thread.
    private var callbackRebalance: (rd_kafka_resp_err_t, [KafkaTopicPartition])?
    private var pending: PendingRebalance?

    private struct PendingRebalance {
        var assign: Bool
        var partitions: [KafkaTopicPartition]
        var start: [KafkaTopicPartition: Int64] = [:]
    }

    init(configuration: KafkaConfiguration, logger: Logger) throws {
        context = ClientContext(logger: logger)
        hasGroup = configuration.groupId != nil || configuration.properties["group.id"] != nil
        storesExplicitly = configuration.enableAutoOffsetStore == false || configuration.properties["enable.auto.offset.store"] == "false"
        batchSize = max(1, configuration.consumerBatchSize)
        machine = ConsumerStateMachine(capacity: 4)
        var config = configuration
        if !hasGroup {
            // librdkafka needs a group id for a consumer handle even for manual assignment.
            config.properties["group.id"] = "kafka-swift-unassigned-\(UInt64.random(in: 0...UInt64.max))"
            config.enableAutoCommit = false
        }
        let handle = try RDKafka.makeHandle(role: .consumer, configuration: config, context: context) { conf in
            rd_kafka_conf_set_rebalance_cb(conf, rebalanceCallback)
        }
        rk = SendablePointer(handle)
        rd_kafka_poll_set_consumer(handle)
        queue = SendablePointer(rd_kafka_queue_get_consumer(handle))
        context.rebalanceHandler = { [weak self] _, err, list in self?.rebalanceCallbackFired(err, list) }
        let thread = Thread { [self] in threadMain() }
        thread.name = "kafka-consumer"
        thread.start()
    }

    // MARK: Iterator side

    func next() async throws -> KafkaConsumerEvent? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<KafkaConsumerEvent?, Error>) in
                cond.lock()
                var action = machine.next(continuation, cancelled: Task.isCancelled)
                if case .acknowledgeRebalance(let then) = action {
                    cond.broadcast()
                    action = then
                }
                cond.unlock()
                if case .resume(let result) = action { continuation.resume(with: result) }
            }
        } onCancel: {
            cond.lock()
            let waiter = machine.cancelWaiter()
            cond.unlock()
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// Makes a waiting `next()` return an empty batch now, or else the next `next()` that would wait.
    func wakeUpIterator() {
        cond.lock()
        let waiter = machine.wakeUp()
        cond.unlock()
        waiter?.resume(returning: .messages(KafkaMessageBatch.empty))
    }

    /// Thread side: hands an element to a waiting iterator or buffers it.
    private func push(_ element: ConsumerStateMachine.Element) {
        cond.lock()
        let handOff = machine.push(element)
        cond.unlock()
        if let (waiter, result) = handOff { waiter.resume(with: result) }
    }

    // MARK: Commands (run on the consumer thread)

    func command(_ body: @escaping (OpaquePointer, ConsumerCore) throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            let command = ConsumerStateMachine.Command(body: body) { error in
                if let error { continuation.resume(throwing: error) } else { continuation.resume() }
            }
            cond.lock()
            guard machine.enqueue(command) else {
                cond.unlock()
                continuation.resume(throwing: KafkaError.closed("consumer"))
                return
            }
            cond.broadcast()
            wakeThreadLocked()
            cond.unlock()
        }
    }

    /// Interrupts a blocking consume call so the thread sees new commands (lock held, so the
    /// queue cannot be destroyed meanwhile).
    private func wakeThreadLocked() {
        if machine.queueAlive { rd_kafka_queue_yield(queue.pointer) }
    }

    func seek(_ positions: [KafkaTopicPartition: KafkaOffset]) async throws {
        try await command { rk, core in
            var now: [(KafkaTopicPartition, Int64)] = []
            for (tp, offset) in positions.sorted(by: { $0.key < $1.key }) {
                if core.pending?.assign == true, core.pending?.partitions.contains(tp) == true {
                    core.pending?.start[tp] = offset.rawValue
                } else {
                    now.append((tp, offset.rawValue))
                }
            }
            guard !now.isEmpty else { return }
            let list = RDKafka.partitionList(now)
            defer { rd_kafka_topic_partition_list_destroy(list) }
            if let error = rd_kafka_seek_partitions(rk, list, 10_000) { throw KafkaError(consuming: error, context: "seek") }
            if let error = RDKafka.firstError(list, "seek") { throw error }
            core.dropBuffered(Set(now.map(\.0)))
        }
    }

    /// Replaces a manual assignment; every buffered record belongs to the old one.
    func assign(_ items: [(KafkaTopicPartition, Int64)]) async throws {
        await RDKafka.refreshLeaders(rk, topics: Set(items.map(\.0.topic)).sorted(), timeoutMs: 5_000)
        try await command { rk, core in
            let list = RDKafka.partitionList(items)
            defer { rd_kafka_topic_partition_list_destroy(list) }
            try rd_kafka_assign(rk, list).check("assign")
            core.dropBuffered(nil)
        }
    }

    private func dropBuffered(_ partitions: Set<KafkaTopicPartition>?) {
        cond.lock()
        machine.dropBuffered(partitions)
        cond.unlock()
    }

    private func runCommands() {
        cond.lock()
        let work = machine.takeCommands()
        cond.unlock()
        for c in work {
            do {
                try c.body(rk.pointer, self)
                c.done(nil)
            } catch {
                c.done(error)
            }
        }
    }

    /// A synchronous commit with a bounded wait (`rd_kafka_commit` would wait forever).
    static func commitAndWait(_ rk: OpaquePointer, _ items: [(KafkaTopicPartition, Int64)]?, timeoutMs: Int) throws {
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        if let items { list = RDKafka.partitionList(items) }
        defer { if let list { rd_kafka_topic_partition_list_destroy(list) } }
        guard let queue = rd_kafka_queue_new(rk) else { throw KafkaError(code: .state, message: "rd_kafka_queue_new failed") }
        defer { rd_kafka_queue_destroy(queue) }
        let err = rd_kafka_commit_queue(rk, list, queue, nil, nil)
        if err == RD_KAFKA_RESP_ERR__NO_OFFSET { return }
        try err.check("commit")
        guard let event = rd_kafka_queue_poll(queue, Int32(clamping: timeoutMs)) else {
            throw KafkaError(
                code: .timedOut,
                message: "commit: no answer from the group coordinator within \(timeoutMs) ms (is the group rebalancing?)",
                isRetriable: true)
        }
        defer { rd_kafka_event_destroy(event) }
        let result = rd_kafka_event_error(event)
        if result == RD_KAFKA_RESP_ERR__NO_OFFSET { return }
        try result.check("commit")
        if let partitions = rd_kafka_event_topic_partition_list(event), let error = RDKafka.firstError(partitions, "commit") {
            throw error
        }
    }

    // MARK: Close

    /// Asks the thread to close (commit stored offsets, leave the group, destroy) and waits.
    func closeAndWait() {
        cond.lock()
        machine.requestClose()
        cond.broadcast()
        while machine.lifecycle != .exited {
            wakeThreadLocked()
            _ = cond.wait(until: Date(timeIntervalSinceNow: 0.05))
        }
        cond.unlock()
    }

    // MARK: Consumer thread

    private func threadMain() {
        let messages = UnsafeMutablePointer<UnsafeMutablePointer<rd_kafka_message_t>?>.allocate(capacity: batchSize)
        defer { messages.deallocate() }
        while true {
            runCommands()
            cond.lock()
            let step = machine.nextStep()
            if step == .close {
                cond.unlock()
                break
            }
            if step == .idle {
                _ = cond.wait(until: Date(timeIntervalSinceNow: 0.1))
                cond.unlock()
                continue
            }
            let applicationBusy = step == .fetch(applicationBusy: true)
            cond.unlock()
            var n = 0
            if applicationBusy {
                // The application is still working through an earlier batch: wait until it takes one (or 1 ms),
                // then take everything ready at once. Bigger batches, fewer hand-offs, and unlike waiting inside
                // librdkafka for a full batch, no record is held back once the application is free.
                cond.lock()
                if machine.shouldWaitForApplication {
                    _ = cond.wait(until: Date(timeIntervalSinceNow: 0.001))
                }
                cond.unlock()
                n = max(0, rd_kafka_consume_batch_queue(queue.pointer, 0, messages, batchSize))
            } else if let first = rd_kafka_consumer_poll(rk.pointer, 100) {
                // Block for the first record only, then take whatever else is ready without waiting:
                // rd_kafka_consume_batch_queue alone would wait for a full batch or its timeout.
                messages[0] = first
                n = 1
                if callbackRebalance == nil && batchSize > 1 {
                    n += max(0, rd_kafka_consume_batch_queue(queue.pointer, 0, messages + 1, batchSize - 1))
                }
            }
            if n > 0 {
                let (batch, errors) = KafkaMessageBatch.copying(messages, count: n)
                for i in 0..<n { rd_kafka_message_destroy(messages[i]) }
                if !batch.isEmpty { push(.event(.messages(batch))) }
                for error in errors { report(error) }
            }
            if let (err, partitions) = callbackRebalance {
                callbackRebalance = nil
                handleRebalance(err, partitions)
            }
        }
        finish()
    }

    /// Errors that end the stream: a position no longer in the log, fatal or authorization errors.
    private func report(_ error: KafkaError) {
        let endsStream =
            error.isFatal || error.code == .autoOffsetReset || error.code == .offsetOutOfRange
            || error.code.rawValue == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED.rawValue
            || error.code.rawValue == RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED.rawValue
        if endsStream {
            context.logger.error("consumer stopped: \(error)")
            push(.failure(error))
        } else {
            context.logger.warning("consumer: \(error)")
        }
    }

    /// Called by librdkafka inside `rd_kafka_consume_batch_queue`/`rd_kafka_consumer_close` on this thread.
    private func rebalanceCallbackFired(_ err: rd_kafka_resp_err_t, _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        let partitions = RDKafka.entries(list).map(\.0).sorted()
        cond.lock()
        let lifecycle = machine.lifecycle
        cond.unlock()
        if lifecycle != .running {
            // Failed or closing: no handshake; a revocation still reaches an iterator that has not ended (push drops it otherwise).
            apply(assign: err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS, partitions, start: [:])
            if err != RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS { push(.event(.partitionsRevoked(partitions))) }
            return
        }
        callbackRebalance = (err, partitions)
        rd_kafka_yield(rk.pointer)
    }

    private func handleRebalance(_ err: rd_kafka_resp_err_t, _ partitions: [KafkaTopicPartition]) {
        let assign = err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS
        if err != RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS && err != RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS {
            context.logger.warning("rebalance error \(String(cString: rd_kafka_err2name(err))); unassigning")
            apply(assign: false, partitions, start: [:])
            return
        }
        pending = PendingRebalance(assign: assign, partitions: partitions)
        cond.lock()
        machine.announceRebalance()
        cond.unlock()
        push(.event(assign ? .partitionsAssigned(partitions) : .partitionsRevoked(partitions)))
        // Wait for the application to ask for its next event, serving commands meanwhile
        // (seeks on the new partitions become their start positions).
        while true {
            runCommands()
            cond.lock()
            if !machine.awaitsRebalanceAcknowledgement {
                cond.unlock()
                break
            }
            if !machine.hasCommands { _ = cond.wait(until: Date(timeIntervalSinceNow: 0.1)) }
            cond.unlock()
        }
        let start = pending?.start ?? [:]
        pending = nil
        apply(assign: assign, partitions, start: start)
    }

    private func apply(assign: Bool, _ partitions: [KafkaTopicPartition], start: [KafkaTopicPartition: Int64]) {
        let cooperative = String(cString: rd_kafka_rebalance_protocol(rk.pointer)) == "COOPERATIVE"
        let list = RDKafka.partitionList(partitions.map { ($0, start[$0] ?? KafkaOffset.invalid.rawValue) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        if cooperative {
            let error = assign ? rd_kafka_incremental_assign(rk.pointer, list) : rd_kafka_incremental_unassign(rk.pointer, list)
            if let error { context.logger.error("\(KafkaError(consuming: error, context: assign ? "incremental assign" : "incremental unassign"))") }
        } else {
            let err = rd_kafka_assign(rk.pointer, assign ? list : nil)
            if err != RD_KAFKA_RESP_ERR_NO_ERROR { context.logger.error("\(KafkaError(err, context: assign ? "assign" : "unassign"))") }
        }
    }

    /// Leaves the group (revoking partitions) with a bounded wait: `rd_kafka_consumer_close`
    /// blocks forever when no broker answers. Returns whether the close completed.
    private func closeGroupMembership(timeoutMs: Int) -> Bool {
        guard timeoutMs > 0 else { return false }
        if let error = rd_kafka_consumer_close_queue(rk.pointer, queue.pointer) {
            context.logger.warning("\(KafkaError(consuming: error, context: "consumer close"))")
            return false
        }
        let deadline = ContinuousClock.now + .milliseconds(timeoutMs)
        while rd_kafka_consumer_closed(rk.pointer) == 0 {
            if ContinuousClock.now > deadline {
                context.logger.warning("consumer close: the group did not answer within \(timeoutMs) ms; leaving without it")
                return false
            }
            guard let event = rd_kafka_queue_poll(queue.pointer, 100) else { continue }
            if rd_kafka_event_type(event) == Int32(RD_KAFKA_EVENT_REBALANCE), let list = rd_kafka_event_topic_partition_list(event) {
                let partitions = RDKafka.entries(list).map(\.0)
                apply(assign: rd_kafka_event_error(event) == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS, partitions, start: [:])
            }
            rd_kafka_event_destroy(event)
        }
        return true
    }

    /// Set when the cluster was never reached: closing would wait for it in vain.
    var skipGroupClose = false

    private func finish() {
        if storesExplicitly && hasGroup {
            do { try Self.commitAndWait(rk.pointer, nil, timeoutMs: 5_000) } catch { context.logger.warning("final commit: \(error)") }
        }
        let closed = closeGroupMembership(timeoutMs: skipGroupClose ? 0 : 10_000)
        cond.lock()
        let (waiter, leftover) = machine.end()
        cond.unlock()
        waiter?.resume(returning: nil)
        for c in leftover { c.done(KafkaError.closed("consumer")) }
        cond.lock()
        machine.releaseQueue()
        cond.unlock()
        rd_kafka_queue_destroy(queue.pointer)
        // Without a completed close (no broker), a plain destroy would try to close again and block.
        rd_kafka_destroy_flags(rk.pointer, closed ? 0 : Int32(RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE))
        cond.lock()
        machine.exit()
        cond.broadcast()
        cond.unlock()
    }
}

private let rebalanceCallback: @convention(c) (
    OpaquePointer?, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, UnsafeMutableRawPointer?
) -> Void = { rk, err, list, opaque in
    guard let rk, let list, let opaque else { return }
    let context = Unmanaged<ClientContext>.fromOpaque(opaque).takeUnretainedValue()
    context.rebalanceHandler?(rk, err, list)
}
