import CRdKafka
import Foundation
import Logging
import Synchronization

/// A position in the stream of fire-and-forget sends; see `KafkaProducer.mark()`.
public struct DeliveryMark: Sendable, Hashable {
    let epoch: UInt64
}

/// State of the sending path, behind one lock taken once per record: librdkafka topic handles by
/// name (`last` spares the hash lookup for runs of one topic) and the delivery accounting behind
/// `mark()`: fire-and-forget records are counted per epoch (a mark closes an epoch) and carry
/// their epoch as their opaque, so delivery reports can count them down.
struct SendState {
    var handles: [String: SendablePointer] = [:]
    var last: (name: String, handle: SendablePointer)?
    var epoch: UInt64 = 1
    /// Unreported records of the open epoch (a plain counter: the common case costs no hashing).
    var current = 0
    /// Unreported records of closed epochs.
    var outstanding: [UInt64: Int] = [:]
    var failed: [UInt64: KafkaError] = [:]
    /// Counted sends since the sender last served delivery reports itself.
    var sendsSinceServe = 0
    var markWaiters: [(epoch: UInt64, continuation: CheckedContinuation<Void, Error>)] = []

    func firstFailure(upTo epoch: UInt64) -> KafkaError? {
        failed.filter { $0.key <= epoch }.min { $0.key < $1.key }?.value
    }

    func isAcknowledged(upTo epoch: UInt64) -> Bool {
        !(epoch >= self.epoch && current > 0) && !outstanding.contains { $0.key <= epoch && $0.value > 0 }
    }

    mutating func count(_ delta: Int, in epoch: UInt64) {
        if epoch == self.epoch {
            current += delta
        } else {
            let left = outstanding[epoch, default: 0] + delta
            outstanding[epoch] = left > 0 ? left : nil
        }
    }

    mutating func closeEpoch() -> UInt64 {
        if current > 0 { outstanding[epoch] = current }
        current = 0
        defer { epoch += 1 }
        return epoch
    }
}

/// Epoch tags are odd, so they never collide with a `DeliveryCallback`'s opaque (an aligned pointer).
private func epochTag(_ epoch: UInt64) -> UnsafeMutableRawPointer? { UnsafeMutableRawPointer(bitPattern: UInt(epoch << 1 | 1)) }

/// What one produce call into librdkafka gave.
struct ProduceResult {
    let code: rd_kafka_resp_err_t

    var isQueued: Bool { code == RD_KAFKA_RESP_ERR_NO_ERROR }
    var isQueueFull: Bool { code == RD_KAFKA_RESP_ERR__QUEUE_FULL }
}

/// The producer's librdkafka handle, its poll thread and its delivery accounting; `KafkaProducer` is a thin owner so
/// its `deinit` can stop the thread.
final class ProducerCore: @unchecked Sendable {
    let rk: SendablePointer
    let context: ClientContext
    let state = Locked(ProducerStateMachine())
    private let sending = Locked(SendState())
    private let inlineServes = Atomic<Int>(0)
    /// Whether `state.spaceWaiters` is non-empty (set and cleared under its lock), readable without
    /// the lock: the delivery callback frees waiters at once, also while a flush (which holds
    /// `servingLock`) keeps the poll thread out.
    private let spaceWanted = Atomic<Bool>(false)
    /// librdkafka's reply queue, which writes a byte to `wakePipe` when reports arrive.
    private let queue: SendablePointer
    private let wakePipe: (read: Int32, write: Int32)
    private let pollExited = DispatchSemaphore(value: 0)
    /// Cuts the poll thread's back-off short when a sender waits for queue space.
    private let pollWake = DispatchSemaphore(value: 0)
    /// Held by whoever serves delivery callbacks (every `rd_kafka_poll`, and the librdkafka calls
    /// that poll inside: flush, commit and abort of a transaction), so `tally` needs no other lock.
    private let servingLock = Mutex<Void>(())
    /// Reports counted by the callbacks of the current serve; applied when it ends.
    @exclusivity(unchecked) private var tally = DeliveryTally()

    init(configuration: KafkaConfiguration, logger: Logger) throws {
        context = ClientContext(logger: logger)
        let handle = try RDKafka.makeHandle(role: .producer, configuration: configuration, context: context) { conf in
            rd_kafka_conf_set_dr_msg_cb(conf, deliveryCallback)
            rd_kafka_conf_set_error_cb(conf, errorCallback)
        }
        rk = SendablePointer(handle)
        queue = SendablePointer(rd_kafka_queue_get_main(handle))
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            rd_kafka_queue_destroy(queue.pointer)
            rd_kafka_destroy(handle)
            throw KafkaError.invalid("cannot create the producer's wake-up pipe (errno \(errno))")
        }
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        wakePipe = (fds[0], fds[1])
        rd_kafka_queue_io_event_enable(queue.pointer, fds[1], "1", 1)
        context.producer = Unmanaged.passUnretained(self)
        let thread = Thread { [self] in pollLoop() }
        thread.name = "kafka-producer-poll"
        thread.start()
    }

    // MARK: Sending

    /// Produces `message`, waiting while the queue is full; `firstAttempt` is the result of a
    /// produce call the caller already made.
    func enqueue(_ message: KafkaProducerMessage, opaque: UnsafeMutableRawPointer?, firstAttempt: ProduceResult? = nil) async throws {
        var attempt = firstAttempt
        while true {
            let result = attempt ?? (opaque == nil ? produceCounted(message) : produce(message, opaque: opaque))
            attempt = nil
            if result.isQueued { return }
            if result.isQueueFull {
                // Reports already waiting free space at once (a C loop polls here too); otherwise wait for them.
                if serveInline() == 0 { try await waitForSpace() }
                continue
            }
            throw sendError(result, message)
        }
    }

    /// The report of a record that never reached librdkafka's queue.
    static func refusedReport(_ message: KafkaProducerMessage, _ failure: Error?) -> KafkaDeliveryReport {
        let reason = (failure as? KafkaError) ?? KafkaError(code: .state, message: "not sent: \(String(describing: failure))")
        return KafkaDeliveryReport(topic: message.topic, partition: message.partition ?? -1, offset: -1, error: reason)
    }

    /// The error for a record librdkafka refused (other than a full queue).
    func sendError(_ result: ProduceResult, _ message: KafkaProducerMessage) -> KafkaError {
        let err = result.code
        if let refusal = state.withLock({ $0.refusal }) { return refusal }
        if err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION {
            return KafkaError(err, context: "produce to \(message.topic)[\(message.partition.map(String.init) ?? "?")]: no such partition")
        }
        return KafkaError(err, context: "produce to \(message.topic)")
    }

    private func waitForSpace() async throws {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let waiting = state.withLock { s in
                let waiting = s.waitForSpace(continuation)
                if waiting { spaceWanted.store(true, ordering: .relaxed) }
                return waiting
            }
            if waiting { wakePollThread() } else { continuation.resume() }
        }
        if let refusal = state.withLock({ $0.refusal }) { throw refusal }
        try Task.checkCancellation()
    }

    /// The topic handle (lock held).
    private func topicHandle(_ name: String, _ cache: inout SendState) -> OpaquePointer? {
        if let last = cache.last, last.name == name { return last.handle.pointer }
        if let existing = cache.handles[name] {
            cache.last = (name, existing)
            return existing.pointer
        }
        guard !state.withLock({ $0.isClosed }), let handle = rd_kafka_topic_new(rk.pointer, name, nil) else { return nil }
        cache.handles[name] = SendablePointer(handle)
        cache.last = (name, SendablePointer(handle))
        return handle
    }

    private func unavailableTopicError() -> ProduceResult {
        ProduceResult(code: state.withLock { $0.isClosed } ? RD_KAFKA_RESP_ERR__DESTROY : rd_kafka_last_error())
    }

    /// One fire-and-forget record, counted in the current epoch (before it is produced, so its
    /// delivery report can never arrive first).
    func produceCounted(_ m: KafkaProducerMessage) -> ProduceResult {
        let reserved = sending.withLock { s -> (OpaquePointer, UInt64, Bool)? in
            guard let rkt = topicHandle(m.topic, &s) else { return nil }
            s.current += 1
            s.sendsSinceServe += 1
            let serve = s.sendsSinceServe >= inlineServeInterval
            if serve { s.sendsSinceServe = 0 }
            return (rkt, s.epoch, serve)
        }
        guard let (rkt, epoch, serve) = reserved else { return unavailableTopicError() }
        let result = produce(m, rkt: rkt, opaque: epochTag(epoch))
        if !result.isQueued {
            sending.withLock { $0.count(-1, in: epoch) }
            // Waiters may be ready now that the record will not be sent.
            resumeMarkWaiters()
        } else if serve {
            serveInline()
        }
        return result
    }

    func mark() -> DeliveryMark {
        sending.withLock { DeliveryMark(epoch: $0.closeEpoch()) }
    }

    /// A busy sender serves delivery reports itself every `inlineServeInterval` records, as a C
    /// producer loop does, instead of waking the poll thread for them: on few cores the extra
    /// thread's wake-ups cost more than the reports. The poll thread stays idle while this goes on.
    @discardableResult
    private func serveInline() -> Int {
        inlineServes.add(1, ordering: .relaxed)
        // Never wait for the lock here: a sender may be on the cooperative pool.
        return servingLock.withLockIfAvailable { _ in serveReady() } ?? 0
    }

    /// Serves the delivery reports that are ready, then applies them (`servingLock` held).
    private func serveReady() -> Int {
        var served = 0
        while true {
            let n = Int(rd_kafka_poll(rk.pointer, 0))
            if n <= 0 { break }
            served += n
        }
        applyTally()
        return served
    }

    /// Runs a librdkafka call that serves delivery callbacks inside (flush, transaction commit or
    /// abort) with `servingLock` held, then applies what it served. Call on a blocking thread.
    func whileServing<R>(_ body: () -> R) -> R {
        servingLock.withLock { _ in
            defer { applyTally() }
            return body()
        }
    }

    private func wakePollThread() {
        pollWake.signal()
        var byte: UInt8 = 1
        _ = write(wakePipe.write, &byte, 1)
    }

    func isAcknowledged(_ mark: DeliveryMark) throws -> Bool {
        try sending.withLock { s in
            if let failure = s.firstFailure(upTo: mark.epoch) { throw failure }
            return s.isAcknowledged(upTo: mark.epoch)
        }
    }

    func waitUntilAcknowledged(_ mark: DeliveryMark) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            if state.withLock({ $0.isClosed }) {
                continuation.resume(throwing: KafkaError.closed("producer"))
                return
            }
            sending.withLock { $0.markWaiters.append((mark.epoch, continuation)) }
            resumeMarkWaiters()
        }
    }

    /// Resumes the mark waiters whose records are all reported (or one failed).
    private func resumeMarkWaiters(closing: Bool = false) {
        let ready = sending.withLock { s -> [(CheckedContinuation<Void, Error>, Error?)] in
            if s.markWaiters.isEmpty { return [] }
            var ready: [(CheckedContinuation<Void, Error>, Error?)] = []
            var waiting: [(epoch: UInt64, continuation: CheckedContinuation<Void, Error>)] = []
            for waiter in s.markWaiters {
                if let failure = s.firstFailure(upTo: waiter.epoch) {
                    ready.append((waiter.continuation, failure))
                } else if s.isAcknowledged(upTo: waiter.epoch) {
                    ready.append((waiter.continuation, nil))
                } else if closing {
                    ready.append((waiter.continuation, KafkaError.closed("producer")))
                } else {
                    waiting.append(waiter)
                }
            }
            s.markWaiters = waiting
            return ready
        }
        for (continuation, error) in ready {
            if let error { continuation.resume(throwing: error) } else { continuation.resume() }
        }
    }

    /// One record into librdkafka's queue (copied). Returns librdkafka's error code.
    func produce(_ m: KafkaProducerMessage, opaque: UnsafeMutableRawPointer?) -> ProduceResult {
        guard let rkt = sending.withLock({ topicHandle(m.topic, &$0) }) else { return unavailableTopicError() }
        return produce(m, rkt: rkt, opaque: opaque)
    }

    private func produce(_ m: KafkaProducerMessage, rkt: OpaquePointer, opaque: UnsafeMutableRawPointer?) -> ProduceResult {
        ProduceResult(code: produceCode(m, rkt: rkt, opaque: opaque))
    }

    private func produceCode(_ m: KafkaProducerMessage, rkt: OpaquePointer, opaque: UnsafeMutableRawPointer?) -> rd_kafka_resp_err_t {
        let partition = m.partition ?? RD_KAFKA_PARTITION_UA
        if m.headers.isEmpty && m.timestamp == nil {
            // Fast path, the same call a C producer makes.
            return withOptionalBytes(m.value) { value in
                withOptionalBytes(m.key) { key in
                    let rc = rd_kafka_produce(
                        rkt, partition, msgFlagCopy,
                        UnsafeMutableRawPointer(mutating: value.baseAddress), value.count,
                        key.baseAddress, key.count, opaque)
                    return rc == 0 ? RD_KAFKA_RESP_ERR_NO_ERROR : rd_kafka_last_error()
                }
            }
        }
        return withOptionalBytes(m.value) { value in
            withOptionalBytes(m.key) { key in
                withHeaderNames(m.headers[...]) { names in
                    var vus: [rd_kafka_vu_t] = []
                    vus.reserveCapacity(6 + m.headers.count)
                    var v = rd_kafka_vu_t()
                    v.vtype = RD_KAFKA_VTYPE_RKT; v.u.rkt = rkt; vus.append(v)
                    v = rd_kafka_vu_t(); v.vtype = RD_KAFKA_VTYPE_PARTITION; v.u.i32 = partition; vus.append(v)
                    v = rd_kafka_vu_t(); v.vtype = RD_KAFKA_VTYPE_MSGFLAGS; v.u.i = msgFlagCopy; vus.append(v)
                    v = rd_kafka_vu_t(); v.vtype = RD_KAFKA_VTYPE_VALUE
                    v.u.mem.ptr = UnsafeMutableRawPointer(mutating: value.baseAddress); v.u.mem.size = value.count; vus.append(v)
                    v = rd_kafka_vu_t(); v.vtype = RD_KAFKA_VTYPE_KEY
                    v.u.mem.ptr = UnsafeMutableRawPointer(mutating: key.baseAddress); v.u.mem.size = key.count; vus.append(v)
                    v = rd_kafka_vu_t(); v.vtype = RD_KAFKA_VTYPE_OPAQUE; v.u.ptr = opaque; vus.append(v)
                    if let timestamp = m.timestamp {
                        v = rd_kafka_vu_t(); v.vtype = RD_KAFKA_VTYPE_TIMESTAMP; v.u.i64 = timestamp; vus.append(v)
                    }
                    for (header, name) in zip(m.headers, names) {
                        v = rd_kafka_vu_t(); v.vtype = RD_KAFKA_VTYPE_HEADER
                        v.u.header.name = name
                        if let bytes = header.value {
                            // Header values are copied by librdkafka; the array outlives this call.
                            v.u.header.val = bytes.withUnsafeBytes { $0.baseAddress } ?? UnsafeRawPointer(bitPattern: 1)
                            v.u.header.size = bytes.count
                        } else {
                            v.u.header.val = nil
                            v.u.header.size = -1
                        }
                        vus.append(v)
                    }
                    guard let error = rd_kafka_produceva(rk.pointer, vus, vus.count) else { return RD_KAFKA_RESP_ERR_NO_ERROR }
                    let code = rd_kafka_error_code(error)
                    rd_kafka_error_destroy(error)
                    return code
                }
            }
        }
    }

    var outstandingCount: Int { Int(rd_kafka_outq_len(rk.pointer)) }

    // MARK: Transactions (on a blocking thread)

    func initTransactions(timeoutMs: Int) throws {
        if let error = rd_kafka_init_transactions(rk.pointer, Int32(clamping: timeoutMs)) {
            throw KafkaError(consuming: error, context: "init transactions")
        }
    }

    func beginTransaction() throws {
        if let error = rd_kafka_begin_transaction(rk.pointer) { throw KafkaError(consuming: error, context: "begin transaction") }
    }

    func sendOffsetsToTransaction(
        _ offsets: [(KafkaTopicPartition, Int64)], groupMetadata: KafkaConsumerGroupMetadata, timeoutMs: Int
    ) throws {
        let list = RDKafka.partitionList(offsets)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        if let error = rd_kafka_send_offsets_to_transaction(rk.pointer, list, groupMetadata.pointer, Int32(clamping: timeoutMs)) {
            throw KafkaError(consuming: error, context: "send offsets to transaction")
        }
    }

    func commitTransaction(timeoutMs: Int) throws {
        // Commit flushes, serving delivery callbacks inside.
        if let error = whileServing({ rd_kafka_commit_transaction(rk.pointer, Int32(clamping: timeoutMs)) }) {
            throw KafkaError(consuming: error, context: "commit transaction")
        }
    }

    func abortTransaction(timeoutMs: Int) throws {
        // Abort purges and waits for the purged records' reports, serving callbacks inside.
        if let error = whileServing({ rd_kafka_abort_transaction(rk.pointer, Int32(clamping: timeoutMs)) }) {
            throw KafkaError(consuming: error, context: "abort transaction")
        }
    }

    // MARK: Flush and shutdown

    func flush(timeoutMs: Int) async throws {
        if state.withLock({ $0.isClosed }) { throw KafkaError.closed("producer") }
        let rk = self.rk
        let err = try await Blocking.run { [self] in whileServing { rd_kafka_flush(rk.pointer, Int32(clamping: timeoutMs)) } }
        if err == RD_KAFKA_RESP_ERR__TIMED_OUT {
            throw KafkaError(code: .timedOut, message: "flush: \(rd_kafka_outq_len(rk.pointer)) records still undelivered after \(timeoutMs) ms", isRetriable: true)
        }
        if let failure = state.withLock({ $0.takeFlushFailure() }) { throw failure }
    }

    /// Flushes up to `flushTimeoutMs`, purges the rest (failing their waiters), stops the poll
    /// thread and destroys the handle. Safe to call more than once.
    func shutdown(flushTimeoutMs: Int) {
        guard state.withLock({ $0.beginShutdown() }) else { return }
        if flushTimeoutMs > 0 { _ = whileServing { rd_kafka_flush(rk.pointer, Int32(clamping: flushTimeoutMs)) } }
        let spaceWaiters = state.withLock { s in
            spaceWanted.store(false, ordering: .relaxed)
            return s.close()
        }
        for waiter in spaceWaiters { waiter.resume() }
        resumeMarkWaiters(closing: true)
        _ = rd_kafka_purge(rk.pointer, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
        _ = whileServing { rd_kafka_flush(rk.pointer, 5_000) }  // serves the purge reports
        state.withLock { $0.stopPolling() }
        wakePollThread()
        pollExited.wait()
        context.producer = nil
        for (_, handle) in sending.withLock({ $0.handles }) { rd_kafka_topic_destroy(handle.pointer) }
        sending.withLock { $0.handles = [:]; $0.last = nil }
        rd_kafka_queue_io_event_enable(queue.pointer, -1, nil, 0)
        rd_kafka_queue_destroy(queue.pointer)
        rd_kafka_destroy(rk.pointer)
        close(wakePipe.read)
        close(wakePipe.write)
    }

    // MARK: Poll thread

    private func pollLoop() {
        var servesSeen = 0
        var pfd = pollfd(fd: wakePipe.read, events: Int16(POLLIN), revents: 0)
        var drain = [UInt8](repeating: 0, count: 64)
        while state.withLock({ $0.pollThreadRuns }) {
            let serves = inlineServes.load(ordering: .relaxed)
            if serves != servesSeen && !spaceWanted.load(ordering: .relaxed) {
                // A sender is serving the reports: look again shortly (sooner if a sender starts waiting for space).
                servesSeen = serves
                _ = pollWake.wait(timeout: .now() + .milliseconds(2))
                continue
            }
            pfd.revents = 0
            _ = poll(&pfd, 1, 100)
            while read(wakePipe.read, &drain, drain.count) > 0 {}
            while pollWake.wait(timeout: .now()) == .success {}
            let served = servingLock.withLock { _ in serveReady() }
            if spaceWanted.load(ordering: .relaxed) { resumeSpaceWaiters() }
            if served > 1 {
                // Busy: let delivery reports accumulate for a moment instead of waking per report
                // (at high rates librdkafka emits one report batch per partition batch).
                usleep(300)
            }
        }
        pollExited.signal()
    }

    // MARK: Delivery callbacks (`servingLock` held)

    /// One record's report: a tracked record's `DeliveryCallback` gets it at once; fire-and-forget records are
    /// counted in `tally` per epoch.
    fileprivate func delivered(_ message: UnsafePointer<rd_kafka_message_t>) {
        guard let opaque = message.pointee._private else { return }
        if spaceWanted.load(ordering: .relaxed) { resumeSpaceWaiters() }
        let bits = UInt(bitPattern: opaque)
        if bits & 1 == 0 {
            DeliveryCallback.deliver(message, opaque: opaque)
            return
        }
        let epoch = UInt64(bits >> 1)
        tally.count(epoch)
        let m = message.pointee
        if m.err != RD_KAFKA_RESP_ERR_NO_ERROR {
            let topic = m.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
            tally.fail(epoch, KafkaError(m.err, context: "delivery to \(topic)[\(m.partition)]"))
        }
    }

    private func resumeSpaceWaiters() {
        let waiters = state.withLock { s in
            spaceWanted.store(false, ordering: .relaxed)
            return s.takeSpaceWaiters()
        }
        for w in waiters { w.resume() }
    }

    /// Moves what the callbacks counted into the delivery accounting and wakes whoever it frees.
    private func applyTally() {
        guard !tally.isEmpty else { return }
        let t = tally.take()
        sending.withLock { s in
            for (epoch, count) in t.reported { s.count(-count, in: epoch) }
            for (epoch, error) in t.failedEpochs where s.failed[epoch] == nil { s.failed[epoch] = error }
        }
        resumeMarkWaiters()
        if t.failures > 0 { state.withLock { $0.recordFailures(t.failures, first: t.firstFailure) } }
    }

    fileprivate func errorReported(_ err: rd_kafka_resp_err_t, _ reason: String) {
        if err == RD_KAFKA_RESP_ERR__FATAL {
            var buffer = [CChar](repeating: 0, count: 512)
            let code = rd_kafka_fatal_error(rk.pointer, &buffer, buffer.count)
            let error = KafkaError(code: KafkaError.Code(code), message: "fatal producer error: \(stringFromCBuffer(buffer))", isFatal: true)
            state.withLock { $0.failed(fatally: error) }
            context.logger.error("\(error)")
        } else {
            context.logger.debug("producer: \(String(cString: rd_kafka_err2name(err))): \(reason)")
        }
    }
}

/// Fire-and-forget reports counted during one serve: runs of one epoch cost no hashing.
struct DeliveryTally {
    private var runEpoch: UInt64 = 0
    private var runCount = 0
    private(set) var reported: [UInt64: Int] = [:]
    private(set) var failures = 0
    private(set) var firstFailure: KafkaError?
    private(set) var failedEpochs: [UInt64: KafkaError] = [:]

    var isEmpty: Bool { runCount == 0 && reported.isEmpty && failures == 0 }

    mutating func count(_ epoch: UInt64) {
        if epoch != runEpoch {
            if runCount > 0 { reported[runEpoch, default: 0] += runCount }
            runEpoch = epoch
            runCount = 0
        }
        runCount += 1
    }

    mutating func fail(_ epoch: UInt64, _ error: KafkaError) {
        failures += 1
        if firstFailure == nil { firstFailure = error }
        if failedEpochs[epoch] == nil { failedEpochs[epoch] = error }
    }

    /// The counts so far (the open run included), leaving the tally empty.
    mutating func take() -> DeliveryTally {
        if runCount > 0 { reported[runEpoch, default: 0] += runCount }
        runCount = 0
        defer { self = DeliveryTally() }
        return self
    }
}

private let deliveryCallback: @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?) -> Void = {
    _, message, opaque in
    guard let message, let opaque else { return }
    // Guaranteed references: no retain/release per record.
    Unmanaged<ClientContext>.fromOpaque(opaque)._withUnsafeGuaranteedRef { context in
        context.producer?._withUnsafeGuaranteedRef { $0.delivered(message) }
    }
}

private let errorCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void = {
    _, err, reason, opaque in
    guard let opaque else { return }
    let text = reason.map { String(cString: $0) } ?? ""
    Unmanaged<ClientContext>.fromOpaque(opaque).takeUnretainedValue().producer?.takeUnretainedValue().errorReported(rd_kafka_resp_err_t(err), text)
}

let msgFlagCopy: Int32 = 0x2  // RD_KAFKA_MSG_F_COPY
private let inlineServeInterval = 1_000

func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    guard let bytes else { return body(UnsafeRawBufferPointer(start: nil, count: 0)) }
    return bytes.withUnsafeBytes { raw in
        // A non-nil pointer for an empty value, so librdkafka stores an empty (not null) value.
        raw.baseAddress == nil ? body(UnsafeRawBufferPointer(start: UnsafeRawPointer(bitPattern: 1), count: 0)) : body(raw)
    }
}

/// Pins the C strings of header names for the duration of `body`.
private func withHeaderNames<R>(_ headers: ArraySlice<KafkaHeader>, _ names: [UnsafePointer<CChar>] = [], _ body: ([UnsafePointer<CChar>]) -> R) -> R {
    guard let first = headers.first else { return body(names) }
    return first.name.withCString { name in
        withHeaderNames(headers.dropFirst(), names + [name], body)
    }
}
