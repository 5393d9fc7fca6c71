/// A value of `buy_orders` / `sell_orders`: an `incoming_orders` record plus its dense per-partition `seq`.
///
/// The splitter writes it to the same partition number as its source; `seq` runs 1, 2, 3, … across both topics
/// together so the matcher can merge them back into one order. `source_offset` is the offset of the source record
/// in `incoming_orders` (identity and tracing). Encoded as `{"seq":…,"source_offset":…,` then the order's fields.
public struct SequencedOrder: Sendable, Hashable {
    public var seq: Int64
    public var sourceOffset: Int64?
    public var order: IncomingOrder

    public init(seq: Int64, sourceOffset: Int64? = nil, order: IncomingOrder) {
        self.seq = seq
        self.sourceOffset = sourceOffset
        self.order = order
    }
}

extension SequencedOrder: JSONRecord, JSONObjectReadable {
    static let table = FieldTable(["seq", "source_offset"] + IncomingOrder.orderFieldNames)
    private static let sequenceFields: [IncomingOrder.ExtraField] = [.seq, .sourceOffset]

    public static var fieldNames: [String] { table.names }

    public func encode(into buffer: inout [UInt8]) {
        buffer.appendLiteral("{\"seq\":")
        buffer.appendInteger(seq)
        if let sourceOffset {
            buffer.appendLiteral(",\"source_offset\":")
            buffer.appendInteger(sourceOffset)
        }
        buffer.append(UInt8(ascii: ","))
        order.encodeFields(into: &buffer)
        buffer.append(UInt8(ascii: "}"))
    }

    public static func decode(json: UnsafeRawBufferPointer) throws(RecordDecodingError) -> Self {
        try decodeDocument(json)
    }

    static func read(from reader: inout JSONReader) throws(RecordDecodingError) -> SequencedOrder {
        var extra = IncomingOrder.ExtraFields()
        let order = try IncomingOrder.read(
            from: &reader, table: table, extras: sequenceFields, extra: &extra, rules: IncomingOrder.ReadingRules())
        return SequencedOrder(seq: try reader.required(extra.seq, "seq"), sourceOffset: extra.sourceOffset, order: order)
    }
}
