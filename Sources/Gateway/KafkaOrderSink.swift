import ExchangeRecords
import Kafka

/// Writes order commands to `incoming_orders` (key = symbol) through an idempotent, acks=all
/// producer.
///
/// By default `submit` returns once librdkafka has queued the record (fire-and-forget, with
/// async backpressure when its queue is full): the 202 then promises the order passed
/// validation and is in the hands of a producer that retries until `message.timeout.ms`,
/// without duplicates. With `waitForAcknowledgement` the 202 waits for the broker's acks=all
/// acknowledgement: slower, but a 202 then means the order is in the log.
public final class KafkaOrderSink: OrderSink {
    public let producer: KafkaProducer
    public let topic: String
    public let waitForAcknowledgement: Bool

    public init(producer: KafkaProducer, topic: String = TopicName.incomingOrders, waitForAcknowledgement: Bool = false) {
        self.producer = producer
        self.topic = topic
        self.waitForAcknowledgement = waitForAcknowledgement
    }

    public func submit(_ command: OrderCommand) async throws {
        let message = KafkaProducerMessage(
            topic: topic, partition: nil, key: command.symbol, value: KafkaOrderSink.record(command).encoded(), headers: [], timestamp: nil)
        if waitForAcknowledgement {
            let report = try await producer.sendAndAwait(message)
            if let error = report.error { throw error }
        } else {
            try await producer.send(message)
        }
    }

    /// The `incoming_orders` record of a command (ExchangeRecords' codec, the one the splitter decodes).
    public static func record(_ command: OrderCommand) -> IncomingOrder {
        func side(_ s: OrderSide) -> Side { s == .buy ? .buy : .sell }
        switch command {
        case .new(let o):
            let tif: ExchangeRecords.TimeInForce
            switch o.timeInForce {
            case .gtc: tif = .goodTillCanceled
            case .day: tif = .day
            case .ioc: tif = .immediateOrCancel
            case .fok: tif = .fillOrKill
            case .ttl: tif = .timeToLive
            }
            return .new(ExchangeRecords.NewOrder(
                orderID: o.orderId, clientOrderID: o.clientOrderId, traderID: o.traderId, stockSymbol: o.symbol,
                side: side(o.side), orderType: o.type == .limit ? .limit : .market, price: o.priceMicros.map { FixedDecimal(micros: $0) },
                quantity: o.quantity, timeInForce: tif, validityTTL: o.validityTTL, timestamp: o.timestamp))
        case .cancel(let id, let trader, let symbol, let s, let timestamp):
            return .cancel(CancelOrder(orderID: id, traderID: trader, stockSymbol: symbol, side: side(s), timestamp: timestamp))
        case .modify(let id, let trader, let symbol, let s, let price, let quantity, let timestamp):
            return .modify(ModifyOrder(
                orderID: id, traderID: trader, stockSymbol: symbol, side: side(s), price: price.map { FixedDecimal(micros: $0) },
                quantity: quantity, timestamp: timestamp))
        }
    }
}
