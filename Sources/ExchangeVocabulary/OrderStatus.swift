/// An order's state in an execution report.
public enum OrderStatus: String, Sendable, Hashable, CaseIterable {
    case new = "NEW"
    case partiallyFilled = "PARTIALLY_FILLED"
    case filled = "FILLED"
    case canceled = "CANCELED"
    case expired = "EXPIRED"
    case rejected = "REJECTED"
    case replaced = "REPLACED"
}
