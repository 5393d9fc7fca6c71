@_exported import ExchangeVocabulary

/// An enum whose raw values are its wire strings, decoded by matching bytes (no String, no allocation).
protocol WireEnum: RawRepresentable<String>, CaseIterable {
    static var wireTable: FieldTable { get }
    static var wireCases: [Self] { get }
}

private let sideTable = FieldTable(Side.allCases.map(\.rawValue))
private let sideCases = Array(Side.allCases)
private let orderTypeTable = FieldTable(OrderType.allCases.map(\.rawValue))
private let orderTypeCases = Array(OrderType.allCases)
private let timeInForceTable = FieldTable(TimeInForce.allCases.map(\.rawValue))
private let timeInForceCases = Array(TimeInForce.allCases)
private let statusTable = FieldTable(OrderStatus.allCases.map(\.rawValue))
private let statusCases = Array(OrderStatus.allCases)

extension Side: WireEnum {
    static var wireTable: FieldTable { sideTable }
    static var wireCases: [Side] { sideCases }
}

extension OrderType: WireEnum {
    static var wireTable: FieldTable { orderTypeTable }
    static var wireCases: [OrderType] { orderTypeCases }
}

extension TimeInForce: WireEnum {
    static var wireTable: FieldTable { timeInForceTable }
    static var wireCases: [TimeInForce] { timeInForceCases }
}

extension OrderStatus: WireEnum {
    static var wireTable: FieldTable { statusTable }
    static var wireCases: [OrderStatus] { statusCases }
}

private let instrumentStatusTable = FieldTable(InstrumentStatus.allCases.map(\.rawValue))
private let instrumentStatusCases = Array(InstrumentStatus.allCases)
private let instrumentActionTable = FieldTable(InstrumentAction.allCases.map(\.rawValue))
private let instrumentActionCases = Array(InstrumentAction.allCases)

extension InstrumentStatus: WireEnum {
    static var wireTable: FieldTable { instrumentStatusTable }
    static var wireCases: [InstrumentStatus] { instrumentStatusCases }
}

extension InstrumentAction: WireEnum {
    static var wireTable: FieldTable { instrumentActionTable }
    static var wireCases: [InstrumentAction] { instrumentActionCases }
}
