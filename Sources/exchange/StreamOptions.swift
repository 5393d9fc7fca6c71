import ArgumentParser
import ExchangeStreams
import Foundation
import ExchangeMetrics
import Metrics
import StreamAnalytics

/// Options every streaming command shares: where Kafka is, how topics are laid out, client overrides, metrics.
struct StreamOptions: ParsableArguments {
    @Option(help: "Kafka bootstrap servers (host:port,...). Default: $EXCHANGE_BROKERS; `exchange run` starts an embedded cluster when neither is set.")
    var brokers: String?

    @Option(help: "Partitions of incoming_orders, buy_orders, sell_orders and the per-partition topics downstream. Default: 2 on the embedded cluster, 4 with --brokers.")
    var partitions: Int?

    /// The partition count of a stage command, which always joins a cluster.
    var stagePartitions: Int { partitions ?? StreamsSettings.defaultPartitions(.kafka) }

    @Option(help: "Client tuning: latency (on the embedded broker 1 ms linger and fetch waits up to 2 partitions, 2 ms / 3 ms above), throughput (bigger batches) or busy-poll (consumers never wait in the broker: lowest latency, burns CPU even while idle).")
    var profile: String = "latency"

    @Option(name: .customLong("kafka"), help: "Extra librdkafka property key=value (repeatable; also $EXCHANGE_KAFKA, comma-separated). Wins over the defaults.")
    var kafkaProperties: [String] = []

    @Option(help: "How often stateful stages snapshot to their changelog (ms). Default: 500 embedded, 1000 Kafka.")
    var snapshotIntervalMs: Int?

    @Option(help: "Serve Prometheus metrics on this port (GET /metrics).")
    var metricsPort: Int?

    @Flag(help: "Stages write each snapshot interval's outputs, snapshot and offsets in one Kafka transaction and read with read_committed, so external readers see no duplicates after a crash (needs a real Kafka cluster for that effect; the embedded one accepts transactions but does not hide aborted records).")
    var transactional = false

    var resolvedBrokers: String? {
        brokers ?? ProcessInfo.processInfo.environment["EXCHANGE_BROKERS"].flatMap { $0.isEmpty ? nil : $0 }
    }

    func overrides() throws -> [String: String] {
        try KafkaProperties.parse(kafkaProperties)
    }

    func settings(brokerKind: StreamsSettings.BrokerKind, bootstrapServers: String) throws -> StreamsSettings {
        guard let profile = StreamsSettings.Profile(rawValue: profile) else {
            let names = StreamsSettings.Profile.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("--profile must be one of \(names), got '\(profile)'")
        }
        let partitions = partitions ?? StreamsSettings.defaultPartitions(brokerKind)
        guard (1...1024).contains(partitions) else { throw ValidationError("--partitions must be 1...1024, got \(partitions)") }
        var settings = StreamsSettings(
            brokerKind: brokerKind, bootstrapServers: bootstrapServers, partitions: partitions, profile: profile,
            overrides: try overrides())
        settings.transactional = transactional
        if let snapshotIntervalMs {
            guard snapshotIntervalMs > 0 else { throw ValidationError("--snapshot-interval-ms must be positive") }
            settings.snapshotIntervalMilliseconds = snapshotIntervalMs
        }
        return settings
    }

    /// Settings for a stage command, which needs a cluster to join.
    func stageSettings() throws -> StreamsSettings {
        guard let brokers = resolvedBrokers else {
            throw ValidationError(
                "no Kafka cluster given: pass --brokers host:port (or set EXCHANGE_BROKERS). "
                    + "`exchange broker` runs an embedded one; `exchange run` runs everything in one process.")
        }
        return try settings(brokerKind: .kafka, bootstrapServers: brokers)
    }

    /// Makes the process's metrics registry the swift-metrics backend (the stages count there) and, with a metrics
    /// port, serves it. Returns it, so a gateway in the same process counts there too.
    @discardableResult
    func startMetrics() throws -> MetricsRegistry {
        let registry = MetricsRegistry()
        MetricsSystem.bootstrap(registry)
        if let metricsPort {
            try MetricsEndpoint.start(registry: registry, port: metricsPort)
            print("metrics: http://0.0.0.0:\(metricsPort)/metrics")
        }
        return registry
    }
}

/// Window options of the analytics stages.
struct WindowArguments: ParsableArguments {
    @Option(help: "Window size, e.g. 10m, 30s, 500ms.")
    var windowSize = DurationArgument(milliseconds: 600_000)

    @Option(help: "Window advance (hop), e.g. 5m. Equal to the size for tumbling windows.")
    var advance = DurationArgument(milliseconds: 300_000)

    @Option(help: "Grace period for late trades, e.g. 1m.")
    var grace = DurationArgument(milliseconds: AnalyticsConfiguration.defaultGrace)

    @Option(help: "changes (an update per trade) or final (once, when the window closes).")
    var emit: String = "changes"

    func options() throws -> AnalyticsOptions {
        guard let mode: EmitMode = emit == "changes" ? .changes : emit == "final" ? .final : nil else {
            throw ValidationError("--emit must be changes or final, got '\(emit)'")
        }
        return AnalyticsOptions(
            windowSize: windowSize.milliseconds, advance: advance.milliseconds, grace: grace.milliseconds, emitMode: mode)
    }
}
