import ExchangeRecords

/// A validated new order, ready for `incoming_orders`.
public struct NewOrder: Sendable, Equatable {
    public var orderId: String
    public var traderId: String
    public var symbol: String
    public var side: Side
    public var type: OrderType
    /// Micros; nil for MARKET.
    public var priceMicros: Int64?
    public var quantity: Int64
    public var timeInForce: TimeInForce
    /// Minutes, for TTL only.
    public var validityTTL: Int64?
    /// Epoch ms, for GTD only.
    public var expireAt: Int64?
    public var clientOrderId: String?
    /// Epoch ms, stamped by the gateway.
    public var timestamp: Int64

    public init(
        orderId: String, traderId: String, symbol: String, side: Side, type: OrderType, priceMicros: Int64?,
        quantity: Int64, timeInForce: TimeInForce, validityTTL: Int64?, expireAt: Int64? = nil, clientOrderId: String?,
        timestamp: Int64
    ) {
        self.expireAt = expireAt
        self.orderId = orderId
        self.traderId = traderId
        self.symbol = symbol
        self.side = side
        self.type = type
        self.priceMicros = priceMicros
        self.quantity = quantity
        self.timeInForce = timeInForce
        self.validityTTL = validityTTL
        self.clientOrderId = clientOrderId
        self.timestamp = timestamp
    }
}

/// What the gateway writes to `incoming_orders` (key = symbol).
public enum OrderCommand: Sendable, Equatable {
    case new(NewOrder)
    case cancel(orderId: String, traderId: String, symbol: String, side: Side, timestamp: Int64)
    case modify(orderId: String, traderId: String, symbol: String, side: Side, priceMicros: Int64?, quantity: Int64?, timestamp: Int64)

    public var symbol: String {
        switch self {
        case .new(let o): return o.symbol
        case .cancel(_, _, let s, _, _), .modify(_, _, let s, _, _, _, _): return s
        }
    }

    public var orderId: String {
        switch self {
        case .new(let o): return o.orderId
        case .cancel(let id, _, _, _, _), .modify(let id, _, _, _, _, _, _): return id
        }
    }
}

/// Where accepted commands go: Kafka in production, a recorder in tests.
public protocol OrderSink: Sendable {
    /// Hands the command to the log. Returning means it was accepted for delivery (queued to an
    /// idempotent, acks=all producer, or acknowledged when the sink is configured to wait);
    /// throwing means it will not be delivered and the client gets 503.
    func submit(_ command: OrderCommand) async throws

    /// The same without suspending, for callers on an event loop: `completion` gets nil once the
    /// command is accepted for delivery (as `submit` returning) or the error (as `submit` throwing),
    /// on any thread.
    func submit(_ command: OrderCommand, completion: @escaping @Sendable ((any Error)?) -> Void)
}

extension OrderSink {
    /// Runs the async `submit` in a task: right for sinks with no cheaper way to call back.
    public func submit(_ command: OrderCommand, completion: @escaping @Sendable ((any Error)?) -> Void) {
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
