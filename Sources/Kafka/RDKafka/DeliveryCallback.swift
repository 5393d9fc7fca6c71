import CRdKafka

/// How a record's delivery report reaches whoever tracks that record, for both kinds of tracked send: the
/// callback of `send(_:onDelivery:)`, and each record of `sendAndAwait`, whose callback fills a `DeliveryGroup`.
///
/// The record's librdkafka `msg_opaque` is this object's retained address; the report takes the retain back.
/// (Fire-and-forget records are not tracked one by one: their opaque is an odd epoch tag, counted per epoch.)
final class DeliveryCallback: Sendable {
    let topic: String
    let onDelivery: @Sendable (KafkaDeliveryReport) -> Void

    init(topic: String, onDelivery: @escaping @Sendable (KafkaDeliveryReport) -> Void) {
        self.topic = topic
        self.onDelivery = onDelivery
    }

    /// The opaque for librdkafka, holding one retain until `deliver` or `fail` takes it back.
    func retainedOpaque() -> UnsafeMutableRawPointer {
        Unmanaged.passRetained(self).toOpaque()
    }

    /// Called by the delivery callback for a tracked record's opaque.
    static func deliver(_ message: UnsafePointer<rd_kafka_message_t>, opaque: UnsafeMutableRawPointer) {
        let callback = Unmanaged<DeliveryCallback>.fromOpaque(opaque).takeRetainedValue()
        let m = message.pointee
        let error = m.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(m.err, context: "delivery to \(callback.topic)[\(m.partition)]")
        callback.onDelivery(KafkaDeliveryReport(topic: callback.topic, partition: m.partition, offset: error == nil ? m.offset : -1, error: error))
    }

    /// Takes back the retain of an opaque librdkafka never accepted, and reports `report`.
    static func fail(_ opaque: UnsafeMutableRawPointer, _ report: KafkaDeliveryReport) {
        Unmanaged<DeliveryCallback>.fromOpaque(opaque).takeRetainedValue().onDelivery(report)
    }

    /// Releases the opaque of a record that was not queued, without a report: its sender learns so directly.
    static func release(_ opaque: UnsafeMutableRawPointer) {
        Unmanaged<DeliveryCallback>.fromOpaque(opaque).release()
    }
}
