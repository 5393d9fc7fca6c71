import CRdKafka

/// The delivery callback of one `send(_:onDelivery:)` record: the record's librdkafka
/// `msg_opaque` is this object's retained address tagged with bit 1, so the report reaches the
/// callback without a `DeliveryGroup`'s lock and arrays (it runs once per order in the gateway).
final class DeliveryCallback: Sendable {
    let topic: String
    let onDelivery: @Sendable (KafkaDeliveryReport) -> Void

    init(topic: String, onDelivery: @escaping @Sendable (KafkaDeliveryReport) -> Void) {
        self.topic = topic
        self.onDelivery = onDelivery
    }

    /// Whether a `msg_opaque` is a callback's (epoch tags set bit 0, group slots are aligned).
    static func isTagged(_ bits: UInt) -> Bool { bits & 3 == 2 }

    /// The opaque for librdkafka, holding one retain until `report` or `fail` takes it back.
    func retainedOpaque() -> UnsafeMutableRawPointer? {
        UnsafeMutableRawPointer(bitPattern: UInt(bitPattern: Unmanaged.passRetained(self).toOpaque()) | 2)
    }

    /// Called by the delivery callback for a tagged opaque.
    static func deliver(_ message: UnsafePointer<rd_kafka_message_t>, bits: UInt) {
        guard let pointer = UnsafeRawPointer(bitPattern: bits & ~3) else { return }
        let callback = Unmanaged<DeliveryCallback>.fromOpaque(pointer).takeRetainedValue()
        let m = message.pointee
        let error = m.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(m.err, context: "delivery to \(callback.topic)[\(m.partition)]")
        callback.onDelivery(KafkaDeliveryReport(topic: callback.topic, partition: m.partition, offset: error == nil ? m.offset : -1, error: error))
    }

    /// Takes back the retain of an opaque librdkafka never accepted, and reports `report`.
    static func fail(_ opaque: UnsafeMutableRawPointer?, _ report: KafkaDeliveryReport) {
        guard let opaque, let pointer = UnsafeRawPointer(bitPattern: UInt(bitPattern: opaque) & ~3) else { return }
        Unmanaged<DeliveryCallback>.fromOpaque(pointer).takeRetainedValue().onDelivery(report)
    }
}
