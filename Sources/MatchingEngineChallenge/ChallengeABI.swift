/// The matching-engine challenge's C ABI, by layout: the messages the harness hands in, the 64-byte report it
/// takes back, and its report transport's table of functions. Swift lays a struct of plain integers out in
/// declaration order with natural alignment, which is the C layout of these structs (a test checks every offset).

/// `new_order_t` (32 bytes): a limit order, immediate-or-cancel when `ioc` is 1. Prices are ticks of $0.005.
public struct ChallengeNewOrder {
    public var orderId: UInt64
    public var sequenceNumber: UInt64
    public var priceTicks: Int64
    public var quantity: UInt32
    /// 0 buy, 1 sell.
    public var side: UInt8
    public var ioc: UInt8
    var reserved: UInt16 = 0

    public init(orderId: UInt64, sequenceNumber: UInt64, priceTicks: Int64, quantity: UInt32, side: UInt8, ioc: UInt8) {
        self.orderId = orderId
        self.sequenceNumber = sequenceNumber
        self.priceTicks = priceTicks
        self.quantity = quantity
        self.side = side
        self.ioc = ioc
    }
}

/// `cancel_t` (16 bytes).
public struct ChallengeCancel {
    public var orderId: UInt64
    public var sequenceNumber: UInt64

    public init(orderId: UInt64, sequenceNumber: UInt64) {
        self.orderId = orderId
        self.sequenceNumber = sequenceNumber
    }
}

/// `modify_t` (32 bytes): cancel and reinsert at the new price with `newQuantity` open.
public struct ChallengeModify {
    public var orderId: UInt64
    public var sequenceNumber: UInt64
    public var newPriceTicks: Int64
    public var newQuantity: UInt32
    /// The order's side: 0 buy, 1 sell.
    public var side: UInt8
    var reserved0: UInt8 = 0
    var reserved1: UInt16 = 0

    public init(orderId: UInt64, sequenceNumber: UInt64, newPriceTicks: Int64, newQuantity: UInt32, side: UInt8) {
        self.orderId = orderId
        self.sequenceNumber = sequenceNumber
        self.newPriceTicks = newPriceTicks
        self.newQuantity = newQuantity
        self.side = side
    }
}

/// `me_msg_t` (40 bytes): `type` 0 new, 1 cancel, 2 modify; the message itself from byte 8.
public enum ChallengeMessage {
    public static let stride = 40
    public static let payloadOffset = 8
}

/// `me_report_type_t`.
public enum ChallengeReportType: UInt8, Sendable {
    case orderAck = 0
    case trade = 1
    case cancelAck = 2
    case modifyAck = 3
    case cancelReject = 4
    case modifyReject = 5
}

/// `me_report_t` (64 bytes, one cache line).
public struct ChallengeReport: Equatable {
    public var type: UInt8 = 0
    /// The order's side where meaningful (0 buy, 1 sell); 0 otherwise.
    public var side: UInt8 = 0
    var reserved0: UInt16 = 0
    var reserved1: UInt32 = 0
    /// The aggressive or originating message's sequence number.
    public var sequenceNumber: UInt64 = 0
    public var orderId: UInt64 = 0
    /// For a trade: the resting (maker) order's price.
    public var priceTicks: Int64 = 0
    public var quantity: UInt32 = 0
    var reserved2: UInt32 = 0
    public var makerOrderId: UInt64 = 0
    public var takerOrderId: UInt64 = 0
    var reserved3: UInt64 = 0

    public init() {}
}

/// `me_transport_t`: the harness's single-producer queue between the matcher and its drainer thread.
public struct ChallengeTransport {
    public typealias Create = @convention(c) (UInt32) -> UnsafeMutableRawPointer?
    /// Queues one `ChallengeReport`; returns 1 when queued, 0 when the queue is full (try again).
    public typealias Push = @convention(c) (UnsafeMutableRawPointer?, UnsafeRawPointer?) -> Int32
    /// Takes up to the count of `ChallengeReport`s into the buffer.
    public typealias Drain = @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?, UInt32) -> UInt32
    public typealias Flush = @convention(c) (UnsafeMutableRawPointer?) -> Void
    public typealias Destroy = @convention(c) (UnsafeMutableRawPointer?) -> Void

    public var create: Create?
    public var push: Push?
    public var drain: Drain?
    public var flush: Flush?
    public var destroy: Destroy?

    public init(create: Create?, push: Push?, drain: Drain?, flush: Flush?, destroy: Destroy?) {
        self.create = create
        self.push = push
        self.drain = drain
        self.flush = flush
        self.destroy = destroy
    }
}
