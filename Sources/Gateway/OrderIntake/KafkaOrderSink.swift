import ExchangeRecords
import Kafka

/// Writes order commands to `incoming_orders` (key = symbol) through an idempotent, acks=all
/// producer.
///
/// With `waitForAcknowledgement` (the default) a command is accepted after the brokers' acks=all
/// acknowledgement, so a 202 means the order is in the log, whatever happens to the gateway
/// next. Without it, once librdkafka has queued the record (with async backpressure when its
/// queue is full): faster, but a 202 then only promises a producer that retries until
/// `message.timeout.ms`, and a crash before delivery loses it. A queued record that is never
/// delivered is handed to `undelivered`, so its owner can be told.
public final class KafkaOrderSink: OrderSink {
    public let producer: KafkaProducer
    public let topic: String
    public let waitForAcknowledgement: Bool
    let undelivered: @Sendable (IncomingOrder, KafkaError) -> Void

    public init(
        producer: KafkaProducer, topic: String = Topology.incomingOrders.name, waitForAcknowledgement: Bool = true,
        undelivered: @escaping @Sendable (IncomingOrder, KafkaError) -> Void = { _, _ in }
    ) {
        self.producer = producer
        self.topic = topic
        self.waitForAcknowledgement = waitForAcknowledgement
        self.undelivered = undelivered
    }

    public func submit(_ command: IncomingOrder, completion: @escaping @Sendable ((any Error)?) -> Void) {
        let message = self.message(command)
        if waitForAcknowledgement {
            producer.send(message) { report in completion(report.error) }
            return
        }
        let undelivered = self.undelivered
        let report: @Sendable (KafkaDeliveryReport) -> Void = { report in
            if let error = report.error { undelivered(command, error) }
        }
        do {
            // Queued is accepted; a full queue waits for space in a task, as `submit` would suspend.
            if try producer.trySend(message, onDelivery: report) { return completion(nil) }
        } catch {
            return completion(error)
        }
        Task { [producer] in
            do {
                try await producer.enqueue(message, onDelivery: report)
                completion(nil)
            } catch {
                completion(error)
            }
        }
    }

    func message(_ command: IncomingOrder) -> KafkaProducerMessage {
        KafkaProducerMessage(
            topic: topic, partition: nil, key: command.stockSymbol.map { Array($0.utf8) }, value: command.encoded(), headers: [],
            timestamp: nil)
    }
}
