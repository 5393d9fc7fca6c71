import Synchronization

/// The delivery reports awaited by one `sendAndAwait` call (one or many records): each record's
/// `DeliveryCallback` completes its index, and the last one resumes the waiting task.
final class DeliveryGroup: Sendable {
    private struct State {
        var reports: [KafkaDeliveryReport?]
        var remaining: Int
        var waiter: CheckedContinuation<[KafkaDeliveryReport], Never>?
    }

    private let state: Mutex<State>

    init(count: Int) {
        state = Mutex(State(reports: Array(repeating: nil, count: count), remaining: count))
    }

    /// Records the report of record `index`; the last one resumes the waiter.
    func complete(_ index: Int, _ report: KafkaDeliveryReport) {
        let finished = state.withLock { s -> (CheckedContinuation<[KafkaDeliveryReport], Never>, [KafkaDeliveryReport])? in
            s.reports[index] = report
            s.remaining -= 1
            guard s.remaining == 0, let waiter = s.waiter else { return nil }
            s.waiter = nil
            return (waiter, s.reports.compactMap { $0 })
        }
        if let (waiter, reports) = finished { waiter.resume(returning: reports) }
    }

    /// Suspends until every record has its report.
    func wait() async -> [KafkaDeliveryReport] {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { s -> [KafkaDeliveryReport]? in
                if s.remaining == 0 { return s.reports.compactMap { $0 } }
                s.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
