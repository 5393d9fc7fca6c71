import ExchangeRecords
import Kafka
import Logging
import MatchingEngine

/// The compacted `instruments` topic (key = symbol, value = the instrument's current definition and status) and the
/// `INSTRUMENT` control records that carry the same changes into the order input.
public enum InstrumentsTopic {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    /// The latest value of every symbol, read from the beginning up to the end the topic had when called. Values that
    /// do not decode are skipped and counted in `undecodable`; a tombstone removes its symbol.
    public static func read(
        configuration: KafkaConfiguration, timeout: Duration = .seconds(30), logger: Logger = Logger(label: "exchange.instruments")
    ) async throws -> (table: [String: ExchangeRecords.Instrument], undecodable: Int) {
        var consumerConfiguration = configuration
        consumerConfiguration.groupId = consumerConfiguration.groupId ?? "exchange-instruments-reader"
        consumerConfiguration.enableAutoCommit = false
        consumerConfiguration.autoOffsetReset = .earliest
        let consumer = try await KafkaConsumer(configuration: consumerConfiguration, logger: logger)
        let tp = KafkaTopicPartition(Topology.instruments.name, 0)
        let end = try await consumer.queryWatermarks(tp, timeout: .seconds(10)).high
        guard end > 0 else {
            await consumer.close()
            return ([:], 0)
        }
        try await consumer.assign([tp: .beginning])
        let reading = Task {
            var table: [String: ExchangeRecords.Instrument] = [:]
            var undecodable = 0
            var position: Int64 = 0
            for try await event in consumer.events {
                guard case .messages(let batch) = event else { continue }
                for message in batch {
                    apply(message, to: &table, undecodable: &undecodable)
                    position = message.offset + 1
                }
                if position >= end { break }
            }
            guard position >= end else { throw Failure("the instruments topic ended at offset \(position) before its end \(end)") }
            return (table, undecodable)
        }
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            reading.cancel()
            consumer.wakeUpIterator()
        }
        defer { watchdog.cancel() }
        do {
            let result = try await reading.value
            await consumer.close()
            return result
        } catch {
            await consumer.close()
            if reading.isCancelled { throw Failure("reading the instruments topic took longer than \(timeout)") }
            throw error
        }
    }

    /// Applies one record of the topic to a table: the latest value per key wins, a tombstone removes the key.
    public static func apply(_ message: KafkaMessage, to table: inout [String: ExchangeRecords.Instrument], undecodable: inout Int) {
        guard let value = message.value else {
            if let key = message.keyString { table[key] = nil }
            return
        }
        guard let instrument = try? ExchangeRecords.Instrument.decode(json: value) else {
            undecodable += 1
            return
        }
        table[instrument.symbol] = instrument
    }

    /// Writes changes: first every control record, to its symbol's partition of `incoming_orders` (so the matcher
    /// applies it in sequence with that symbol's orders), then, once those are acknowledged, the new values to the
    /// topic. A failure in between leaves the matcher ahead of the topic, never behind: the gateway may still pass an
    /// order the matcher then rejects, but never rejects one the matcher would take.
    public static func publish(_ changes: [InstrumentDesk.Change], producer: KafkaProducer, partitions: Int) async throws {
        guard !changes.isEmpty else { return }
        let controls = changes.map { change in
            KafkaProducerMessage(
                topic: Topology.incomingOrders.name,
                partition: Topology.partition(ofSymbol: change.control.stockSymbol, partitions: partitions),
                key: Array(change.control.stockSymbol.utf8), value: IncomingOrder.instrument(change.control).encoded(),
                headers: [], timestamp: nil)
        }
        try check(try await producer.sendAndAwait(contentsOf: controls))
        let values = changes.map { change in
            KafkaProducerMessage(
                topic: Topology.instruments.name, partition: 0, key: Array(change.value.symbol.utf8), value: change.value.encoded(),
                headers: [], timestamp: nil)
        }
        try check(try await producer.sendAndAwait(contentsOf: values))
    }

    private static func check(_ reports: [KafkaDeliveryReport]) throws {
        if let error = reports.compactMap(\.error).first { throw error }
    }

    /// Publishes `catalog` as the first list when the topic is empty (`exchange run`, `exchange broker`): the topic only,
    /// since the matcher starts from this same list. Returns the number of instruments written (0: the topic had some).
    @discardableResult
    public static func publishDefaultsIfEmpty(
        _ catalog: [MatchingEngine.Instrument], settings: StreamsSettings, logger: Logger = Logger(label: "exchange.instruments")
    ) async throws -> Int {
        let (table, _) = try await read(configuration: settings.consumerConfiguration, logger: logger)
        guard table.isEmpty else { return 0 }
        let producer = try await KafkaProducer(configuration: settings.producerConfiguration, logger: logger)
        let values = catalog.map { instrument in
            let record = EngineRecordMapping.instrumentRecord(instrument)
            return KafkaProducerMessage(
                topic: Topology.instruments.name, partition: 0, key: Array(record.symbol.utf8), value: record.encoded(), headers: [],
                timestamp: nil)
        }
        try check(try await producer.sendAndAwait(contentsOf: values))
        await producer.close()
        return values.count
    }
}
