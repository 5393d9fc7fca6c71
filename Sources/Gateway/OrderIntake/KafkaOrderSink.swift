import ExchangeRecords
import Kafka

/// Writes order commands to `incoming_orders` (key = symbol) through an idempotent, acks=all
/// producer.
///
/// With `waitForAcknowledgement` (the default) `submit` returns after the brokers' acks=all
/// acknowledgement, so a 202 means the order is in the log, whatever happens to the gateway
/// next. Without it `submit` returns once librdkafka has queued the record (fire-and-forget,
/// with async backpressure when its queue is full): faster, but a 202 then only promises a
/// producer that retries until `message.timeout.ms`, and a crash before delivery loses it.
public final class KafkaOrderSink: OrderSink {
    public let producer: KafkaProducer
    public let topic: String
    public let waitForAcknowledgement: Bool

    public init(producer: KafkaProducer, topic: String = Topology.incomingOrders.name, waitForAcknowledgement: Bool = true) {
        self.producer = producer
        self.topic = topic
        self.waitForAcknowledgement = waitForAcknowledgement
    }

    public func submit(_ command: OrderCommand) async throws {
        let message = self.message(command)
        if waitForAcknowledgement {
            let report = try await producer.sendAndAwait(message)
            if let error = report.error { throw error }
        } else {
            try await producer.send(message)
        }
    }

    public func submit(_ command: OrderCommand, completion: @escaping @Sendable ((any Error)?) -> Void) {
        let message = self.message(command)
        if waitForAcknowledgement {
            producer.send(message) { report in completion(report.error) }
            return
        }
        do {
            // Queued is accepted; a full queue waits for space in a task, as `submit` would suspend.
            if try producer.trySend(message) { return completion(nil) }
        } catch {
            return completion(error)
        }
        completeInTask(completion) { [producer] in try await producer.send(message) }
    }

    func message(_ command: OrderCommand) -> KafkaProducerMessage {
        KafkaProducerMessage(
            topic: topic, partition: nil, key: command.symbol, value: KafkaOrderSink.record(command).encoded(), headers: [], timestamp: nil)
    }

    /// The `incoming_orders` record of a command (ExchangeRecords' codec, the one the splitter decodes).
    public static func record(_ command: OrderCommand) -> IncomingOrder {
        switch command {
        case .new(let o):
            return .new(ExchangeRecords.NewOrder(
                orderId: o.orderId, clientOrderId: o.clientOrderId, traderId: o.traderId, stockSymbol: o.symbol,
                side: o.side, orderType: o.type, price: o.priceMicros.map { FixedDecimal(micros: $0) },
                quantity: o.quantity, timeInForce: o.timeInForce, validityTTL: o.validityTTL, expireAt: o.expireAt,
                timestamp: o.timestamp))
        case .cancel(let id, let trader, let symbol, let s, let timestamp):
            return .cancel(CancelOrder(orderId: id, traderId: trader, stockSymbol: symbol, side: s, timestamp: timestamp))
        case .modify(let id, let trader, let symbol, let s, let price, let quantity, let timestamp):
            return .modify(ModifyOrder(
                orderId: id, traderId: trader, stockSymbol: symbol, side: s, price: price.map { FixedDecimal(micros: $0) },
                quantity: quantity, timestamp: timestamp))
        }
    }
}
