/// Why an order or request was rejected, cancelled by the engine, or expired.
public enum Reason: UInt8, Hashable, Sendable, CaseIterable {
    // Rejections of new orders (and of modify values).
    case unknownSymbol = 0
    case offTick = 1
    case offLot = 2
    case outsidePriceBand = 3
    case nonPositiveQuantity = 4
    case nonPositivePrice = 5
    case missingPrice = 6
    case unexpectedPrice = 7
    case missingValidityTTL = 8
    case duplicateOrderId = 9
    case priceOutOfRange = 10
    // Rejections of cancel / modify.
    case unknownOrder = 11
    case notOwner = 12
    case invalidModification = 13
    case sideMismatch = 14
    case symbolMismatch = 15
    // Engine-initiated cancels and expiries.
    case selfTradePrevented = 16
    case noLiquidity = 17
    case immediateOrCancel = 18
    case fillOrKillUnfillable = 19
    case sessionClosed = 20
    case ttlElapsed = 21
    case canceledByTrader = 22
    case quantityTooLarge = 23
    case missingExpiry = 24
    case expiryPassed = 25
    case expiryReached = 26
    // Market control (an `instruments` change sequenced in the order input).
    case halted = 27
    case delisted = 28
    // Pre-trade limits per trader (the gateway's).
    case maxOpenOrders = 29
    case maxOrderNotional = 30
    case maxOpenNotional = 31

    /// Upper-snake code, stable, for the wire `reason` field.
    public var code: String {
        switch self {
        case .unknownSymbol: "UNKNOWN_SYMBOL"
        case .offTick: "OFF_TICK"
        case .offLot: "OFF_LOT"
        case .outsidePriceBand: "OUTSIDE_PRICE_BAND"
        case .nonPositiveQuantity: "NON_POSITIVE_QUANTITY"
        case .nonPositivePrice: "NON_POSITIVE_PRICE"
        case .missingPrice: "MISSING_PRICE"
        case .unexpectedPrice: "UNEXPECTED_PRICE"
        case .missingValidityTTL: "MISSING_VALIDITY_TTL"
        case .duplicateOrderId: "DUPLICATE_ORDER_ID"
        case .priceOutOfRange: "PRICE_OUT_OF_RANGE"
        case .unknownOrder: "UNKNOWN_ORDER"
        case .notOwner: "NOT_OWNER"
        case .invalidModification: "INVALID_MODIFICATION"
        case .sideMismatch: "SIDE_MISMATCH"
        case .symbolMismatch: "SYMBOL_MISMATCH"
        case .selfTradePrevented: "SELF_TRADE_PREVENTED"
        case .noLiquidity: "NO_LIQUIDITY"
        case .immediateOrCancel: "IOC_REMAINDER"
        case .fillOrKillUnfillable: "FOK_UNFILLABLE"
        case .sessionClosed: "SESSION_CLOSED"
        case .ttlElapsed: "TTL_ELAPSED"
        case .canceledByTrader: "CANCELED_BY_TRADER"
        case .quantityTooLarge: "QUANTITY_TOO_LARGE"
        case .missingExpiry: "MISSING_EXPIRE_AT"
        case .expiryPassed: "EXPIRE_AT_PASSED"
        case .expiryReached: "GTD_EXPIRED"
        case .halted: "HALTED"
        case .delisted: "DELISTED"
        case .maxOpenOrders: "MAX_OPEN_ORDERS"
        case .maxOrderNotional: "MAX_ORDER_NOTIONAL"
        case .maxOpenNotional: "MAX_OPEN_NOTIONAL"
        }
    }

    /// A sentence a person can act on.
    public var message: String {
        switch self {
        case .unknownSymbol: "unknown symbol"
        case .offTick: "price is not a multiple of the instrument's tick size"
        case .offLot: "quantity is not a multiple of the instrument's lot size"
        case .outsidePriceBand: "price is outside the instrument's price band"
        case .nonPositiveQuantity: "quantity must be positive"
        case .nonPositivePrice: "price must be positive"
        case .missingPrice: "a LIMIT order needs a price"
        case .unexpectedPrice: "a MARKET order must not carry a price"
        case .missingValidityTTL: "a TTL order needs a positive validity_ttl (minutes)"
        case .duplicateOrderId: "order_id was already used"
        case .priceOutOfRange: "price is too far from the instrument's other prices for an unbanded book"
        case .unknownOrder: "no open order with this order_id"
        case .notOwner: "the order belongs to another trader"
        case .invalidModification: "modification must change price or quantity, and quantity must stay above the filled quantity"
        case .sideMismatch: "side does not match the order's side"
        case .symbolMismatch: "stock_symbol does not match the order's symbol"
        case .selfTradePrevented: "cancelled by self-trade prevention"
        case .noLiquidity: "MARKET order remainder cancelled: no more liquidity"
        case .immediateOrCancel: "IOC remainder cancelled"
        case .fillOrKillUnfillable: "FOK order could not be filled completely at once"
        case .sessionClosed: "DAY order expired at the session close"
        case .ttlElapsed: "TTL order expired after validity_ttl minutes"
        case .canceledByTrader: "cancelled by the trader"
        case .quantityTooLarge: "quantity exceeds the instrument's maximum order quantity"
        case .missingExpiry: "a GTD order needs expire_at (epoch ms)"
        case .expiryPassed: "a GTD order's expire_at is not after the order's time"
        case .expiryReached: "GTD order expired at its expire_at"
        case .halted: "trading in the instrument is halted"
        case .delisted: "cancelled: the instrument was delisted"
        case .maxOpenOrders: "the trader already has the most open orders allowed"
        case .maxOrderNotional: "price times quantity exceeds the largest order notional allowed"
        case .maxOpenNotional: "the trader's open notional in the symbol would exceed the limit"
        }
    }
}
