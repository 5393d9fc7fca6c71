import ExchangeRecords
import Foundation
import Kafka
import Logging
import ServiceLifecycle

/// Writes `{"type":"TICK","timestamp":now}` into every partition of `incoming_orders` that has been idle (its end
/// offset unchanged) for one interval, so event time keeps moving: orders expire and windows close even when
/// nobody trades. The only place wall-clock time enters the exchange; because it enters as data in the input log,
/// every stage after it stays a deterministic function of that log. Several clocks at once are harmless.
public struct ClockService: Service {
    public let settings: StreamsSettings
    public let intervalMilliseconds: Int
    public let logger: Logger

    public init(settings: StreamsSettings, intervalMilliseconds: Int = 1_000, logger: Logger = Logger(label: "exchange.clock")) {
        self.settings = settings
        self.intervalMilliseconds = intervalMilliseconds
        self.logger = logger
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown { try await runUntilCancelled() }
    }

    public func runUntilCancelled() async throws {
        var configuration = settings.kafka
        configuration.clientId = "exchange-clock"
        configuration.groupId = "exchange-clock"
        let producer = try await KafkaProducer(configuration: settings.producerConfiguration, logger: logger)
        let consumer: KafkaConsumer
        do { consumer = try await KafkaConsumer(configuration: configuration, logger: logger) } catch {
            await producer.close(flushTimeout: .zero)
            throw error
        }
        var lastEnd: [Int32: Int64] = [:]
        do {
            while !Task.isCancelled {
                try await Task.sleep(for: .milliseconds(intervalMilliseconds))
                for partition in 0..<Int32(settings.partitions) {
                    let tp = KafkaTopicPartition(Topology.incomingOrders.name, partition)
                    let end = try await consumer.queryWatermarks(tp).high
                    guard lastEnd[partition] == end else {
                        lastEnd[partition] = end
                        continue
                    }
                    let now = Int64(Date().timeIntervalSince1970 * 1000)
                    let tick = IncomingOrder.tick(Tick(timestamp: now)).encoded()
                    let report = try await producer.sendAndAwait(
                        KafkaProducerMessage(topic: Topology.incomingOrders.name, partition: partition, value: tick))
                    if let error = report.error { throw error }
                    lastEnd[partition] = report.offset + 1
                }
            }
        } catch {
            await producer.close(flushTimeout: .zero)
            await consumer.close()
            if error is CancellationError || Task.isCancelled { return }
            throw error
        }
        await producer.close(flushTimeout: .zero)
        await consumer.close()
    }
}
