import ExchangeRecords

/// Where accepted commands go (the `incoming_orders` records the gateway writes, key = symbol): Kafka in
/// production, a recorder in tests.
public protocol OrderSink: Sendable {
    /// Hands the command to the log. Returning means it was accepted for delivery (queued to an
    /// idempotent, acks=all producer, or acknowledged when the sink is configured to wait);
    /// throwing means it will not be delivered and the client gets 503.
    func submit(_ command: IncomingOrder) async throws

    /// The same without suspending, for callers on an event loop: `completion` gets nil once the
    /// command is accepted for delivery (as `submit` returning) or the error (as `submit` throwing),
    /// on any thread.
    func submit(_ command: IncomingOrder, completion: @escaping @Sendable ((any Error)?) -> Void)
}

extension OrderSink {
    /// Runs the async `submit` in a task: right for sinks with no cheaper way to call back.
    public func submit(_ command: IncomingOrder, completion: @escaping @Sendable ((any Error)?) -> Void) {
        completeInTask(completion) { try await submit(command) }
    }
}

/// Runs `work` in a task and reports how it ended to a completion callback.
func completeInTask(_ completion: @escaping @Sendable ((any Error)?) -> Void, _ work: @escaping @Sendable () async throws -> Void) {
    Task {
        do {
            try await work()
            completion(nil)
        } catch {
            completion(error)
        }
    }
}
