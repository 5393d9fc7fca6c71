import Foundation

/// Runs blocking librdkafka calls (flush, transactions, commits, metadata, close, destroy) off the
/// cooperative pool: a Swift task blocked in librdkafka would hold one of its few threads (one per
/// core) for up to the call's timeout. Nor on Dispatch's width-limited global queues, which the
/// cooperative pool shares on Linux: two blocked calls there would stall every Swift task.
///
/// The calls run on worker threads of one process-wide pool that reuses them: a call starts a
/// thread only when every worker is busy, and a worker idle for a minute exits. The pool is not
/// bounded on purpose: each call may block up to its own timeout (a commit waits 30 s while a
/// broker is down), and with a fixed number of workers unrelated clients would queue behind it.
/// So calls run concurrently, as they would on a thread each, without a thread start per call.
///
/// Cancellation is not observed: a started librdkafka call runs until it returns (each has a
/// timeout), and the awaiting task then gets its result or error.
enum Blocking {
    static func run<R: Sendable>(_ body: @escaping @Sendable () throws -> R) async throws -> R {
        try await withCheckedThrowingContinuation { continuation in
            pool.submit { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Runs `body` on a worker without waiting for it (releasing a client from its `deinit`).
    static func detach(_ body: @escaping @Sendable () -> Void) {
        pool.submit(body)
    }

    private static let pool = WorkerPool(name: "kafka-blocking", idleTimeout: 60)
}

/// Threads that run submitted jobs in submission order, as many at once as there are jobs: a job
/// waits only for a worker to pick it up, never for another job to finish.
final class WorkerPool: @unchecked Sendable {
    private let name: String
    private let idleTimeout: TimeInterval
    /// Guards the three counters below and signals waiting workers.
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    /// Workers waiting for a job.
    private var idle = 0
    /// Workers started but not yet looking for a job.
    private var starting = 0

    init(name: String, idleTimeout: TimeInterval) {
        self.name = name
        self.idleTimeout = idleTimeout
    }

    func submit(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        // Every queued job needs a worker of its own that is free or about to be.
        let startWorker = jobs.count > idle + starting
        if startWorker { starting += 1 } else { condition.signal() }
        condition.unlock()
        if startWorker {
            let thread = Thread { [self] in work() }
            thread.name = name
            thread.start()
        }
    }

    private func work() {
        condition.lock()
        starting -= 1
        while true {
            if jobs.isEmpty {
                idle += 1
                let deadline = Date(timeIntervalSinceNow: idleTimeout)
                while jobs.isEmpty && condition.wait(until: deadline) {}
                idle -= 1
                if jobs.isEmpty {  // idle for `idleTimeout`: the thread ends
                    condition.unlock()
                    return
                }
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
            condition.lock()
        }
    }
}
