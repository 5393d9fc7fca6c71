import ExchangeRecords
import Kafka
import Logging
import ServiceLifecycle

/// One stage instance on Kafka: its group consumer, producer and changelog reader around a `StageRunner`.
///
/// Stopping it (task cancellation or graceful shutdown) is a crash as far as the data is concerned: no final
/// snapshot, unflushed records dropped. The design makes that safe, and it keeps stop fast.
public struct StageService: Service {
    public let definition: any StageDefinition
    public let settings: StreamsSettings
    public let progress: StageProgress?
    public let logger: Logger
    /// Names this instance's snapshot chunks and, in transactional mode, its transactional id: kept across the
    /// restarts of `run()`, so a restarted producer fences its predecessor and aborts what it left open.
    public let instanceId = String(UInt32.random(in: 0...UInt32.max), radix: 36)

    public init(
        _ definition: any StageDefinition, settings: StreamsSettings, progress: StageProgress? = nil,
        logger: Logger = Logger(label: "exchange.stage")
    ) {
        self.definition = definition
        self.settings = settings
        self.progress = progress
        self.logger = logger
    }

    /// Runs until graceful shutdown; restarts the stage (from its snapshots) after a failure such as a broker
    /// that stayed away longer than the delivery timeout. A `StageError` (e.g. a position no longer in the log)
    /// is not retried: it needs a person.
    public func run() async throws {
        try await runRestarting("stage \(definition.name)", from: "its snapshots", logger: logger) { try await runUntilCancelled() }
    }

    /// A configuration librdkafka refuses (for any of the stage's clients) will not get better by restarting: it
    /// becomes a `StageError`, which stops the stage with the message instead of retrying every second.
    private func configurationError(_ error: any Error) -> any Error {
        guard let kafkaError = error as? KafkaError, kafkaError.code == .invalidArgument else { return error }
        return StageError("\(definition.name): invalid Kafka client configuration: \(kafkaError.message)")
    }

    /// Runs until cancelled; closing the clients without flushing (what a crash would leave behind).
    public func runUntilCancelled() async throws {
        var consumerConfiguration = settings.consumerConfiguration
        consumerConfiguration.groupId = definition.groupId
        consumerConfiguration.clientId = "\(definition.groupId)-consumer"
        var readerConfiguration = settings.consumerConfiguration
        readerConfiguration.groupId = "\(definition.groupId)-changelog-reader"
        readerConfiguration.autoOffsetReset = .earliest
        var producerConfiguration = settings.producerConfiguration
        producerConfiguration.clientId = "\(definition.groupId)-producer"
        if settings.transactional {
            producerConfiguration.transactionalId = "\(definition.groupId)-\(instanceId)"
            // A crashed instance's open transaction blocks read_committed readers until it times out, so keep the
            // timeout short; librdkafka requires it to be at least the delivery timeout.
            if producerConfiguration.properties["transaction.timeout.ms"] == nil {
                let deliveryTimeout = producerConfiguration.properties["message.timeout.ms"].flatMap { Int($0) }
                    ?? producerConfiguration.messageTimeoutMs ?? 10_000
                producerConfiguration.properties["transaction.timeout.ms"] = String(max(10_000, deliveryTimeout))
            }
        }

        let producer: KafkaProducer
        var snapshotProducer: KafkaProducer?
        do {
            producer = try await KafkaProducer(configuration: producerConfiguration, logger: logger)
        } catch {
            throw configurationError(error)
        }
        if !settings.transactional {
            var snapshotConfiguration = settings.producerConfiguration
            snapshotConfiguration.clientId = "\(definition.groupId)-snapshot-producer"
            do {
                snapshotProducer = try await KafkaProducer(configuration: snapshotConfiguration, logger: logger)
            } catch {
                await producer.close(flushTimeout: .zero)
                throw configurationError(error)
            }
        }
        let reader: KafkaConsumer
        let consumer: KafkaConsumer
        do {
            if settings.transactional { try await producer.initTransactions() }
            reader = try await KafkaConsumer(configuration: readerConfiguration, logger: logger)
            consumer = try await KafkaConsumer(configuration: consumerConfiguration, logger: logger)
        } catch {
            await producer.close(flushTimeout: .zero)
            await snapshotProducer?.close(flushTimeout: .zero)
            throw configurationError(error)
        }
        let producers = [producer] + [snapshotProducer].compactMap { $0 }
        let runner = StageRunner(
            definition: definition, consumer: KafkaStageConsumer(consumer: consumer, stage: definition.name),
            producer: KafkaStageProducer(producer: producer),
            snapshotProducer: snapshotProducer.map { KafkaStageProducer(producer: $0) }, changelog: KafkaChangelogReader(consumer: reader),
            transactions: settings.transactional ? KafkaStageTransactions(producer: producer, consumer: consumer) : nil,
            options: .init(
                snapshotIntervalMilliseconds: settings.snapshotIntervalMilliseconds, writerId: instanceId,
                checkOffsetGaps: !settings.transactional),
            progress: progress, logger: logger)
        do {
            try await runner.run()
        } catch {
            await close(consumer, reader, producers)
            if error is CancellationError || Task.isCancelled { return }
            throw error
        }
        await close(consumer, reader, producers)
    }

    private func close(_ consumer: KafkaConsumer, _ reader: KafkaConsumer, _ producers: [KafkaProducer]) async {
        for producer in producers { await producer.close(flushTimeout: .zero) }
        await consumer.close()
        await reader.close()
    }
}

/// Runs `body` until graceful shutdown, again 1 s after a failure a restart can cure; a `StageError` (which needs a
/// person) is thrown. `what` and `from` name the service and where it resumes, for the log.
public func runRestarting(
    _ what: String, from: String, logger: Logger, _ body: @escaping @Sendable () async throws -> Void
) async throws {
    try await cancelWhenGracefulShutdown {
        while !Task.isCancelled {
            do {
                try await body()
                return
            } catch let error as StageError {
                throw error
            } catch {
                if error is CancellationError || Task.isCancelled { return }
                logger.error("\(what) failed, restarting from \(from) in 1 s: \(error)")
                try await Task.sleep(for: .seconds(1))
            }
        }
    }
}
