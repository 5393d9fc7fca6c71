import ExchangeRecords

/// Where accepted commands go (the `incoming_orders` records the gateway writes, key = symbol): Kafka in
/// production, a recorder in tests.
public protocol OrderSink: Sendable {
    /// Hands the command to the log. `completion` gets nil once the command is accepted for delivery (queued to an
    /// idempotent, acks=all producer, or acknowledged when the sink is configured to wait), or the error that means
    /// it will not be delivered (the client gets 503); on any thread. The one way in: the router's routes await it
    /// through `submit(_:)`, the order fast path calls it from its event loop.
    func submit(_ command: IncomingOrder, completion: @escaping @Sendable ((any Error)?) -> Void)
}

extension OrderSink {
    /// `submit(_:completion:)`, awaited: returns when the command is accepted for delivery, throws when it will not
    /// be delivered.
    public func submit(_ command: IncomingOrder) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            submit(command) { error in
                if let error { continuation.resume(throwing: error) } else { continuation.resume() }
            }
        }
    }
}
