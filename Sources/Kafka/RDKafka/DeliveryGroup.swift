import CRdKafka
import Foundation

/// The delivery reports awaited for one `sendAndAwait` call (one or many records).
///
/// Each record's librdkafka `msg_opaque` points at one `Slot` of this group; the delivery callback
/// fills the report in and, when the last one arrives, resumes the awaiting task. librdkafka holds
/// one retain on the group (taken by `retainForDelivery`), dropped by whoever completes the last
/// record: the delivery callback, or the sender when the last record could not even be enqueued.
final class DeliveryGroup: @unchecked Sendable {
    struct Slot {
        var group: Unmanaged<DeliveryGroup>
        var index: Int
    }

    private let lock = NSLock()
    private let slots: UnsafeMutablePointer<Slot>
    private var reports: [KafkaDeliveryReport?]
    private var remaining: Int
    private var continuation: CheckedContinuation<[KafkaDeliveryReport], Never>?

    init(count: Int) {
        slots = .allocate(capacity: max(count, 1))
        reports = Array(repeating: nil, count: count)
        remaining = count
    }

    deinit { slots.deallocate() }

    /// Takes librdkafka's reference and initializes the slots; call once before producing.
    func retainForDelivery() {
        let unmanaged = Unmanaged.passRetained(self)
        for i in 0..<reports.count { (slots + i).initialize(to: Slot(group: unmanaged, index: i)) }
        if reports.isEmpty { unmanaged.release() }
    }

    /// The `msg_opaque` for record `index`.
    func opaque(_ index: Int) -> UnsafeMutableRawPointer { UnsafeMutableRawPointer(slots + index) }

    /// Records the report of record `index`; the last one releases librdkafka's reference and
    /// resumes the waiter.
    func complete(_ index: Int, _ report: KafkaDeliveryReport) {
        lock.lock()
        reports[index] = report
        remaining -= 1
        let finished = remaining == 0
        let waiter = finished ? continuation : nil
        if finished { continuation = nil }
        let result = finished ? reports.compactMap { $0 } : []
        lock.unlock()
        waiter?.resume(returning: result)
        if finished { Unmanaged.passUnretained(self).release() }
    }

    /// Suspends until every record has its report.
    func wait() async -> [KafkaDeliveryReport] {
        await withCheckedContinuation { continuation in
            lock.lock()
            if remaining == 0 {
                let result = reports.compactMap { $0 }
                lock.unlock()
                continuation.resume(returning: result)
            } else {
                self.continuation = continuation
                lock.unlock()
            }
        }
    }

    /// Called by the delivery callback for a report whose `_private` is a slot.
    static func deliver(_ message: UnsafePointer<rd_kafka_message_t>, opaque: UnsafeMutableRawPointer) {
        let slot = opaque.assumingMemoryBound(to: Slot.self).pointee
        let m = message.pointee
        let topic = m.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
        let error = m.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(m.err, context: "delivery to \(topic)[\(m.partition)]")
        slot.group.takeUnretainedValue().complete(
            slot.index, KafkaDeliveryReport(topic: topic, partition: m.partition, offset: error == nil ? m.offset : -1, error: error))
    }
}
