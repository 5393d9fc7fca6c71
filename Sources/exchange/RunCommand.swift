import ArgumentParser
import ExchangeMetrics
import ExchangeRecords
import ExchangeStreams
import Foundation
import Gateway
import History
import HistoryStore
import Kafka
import KafkaEmbedded
import Logging
import MatchingEngine
import ServiceLifecycle

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Runs the whole exchange in one process (embedded Kafka unless --brokers is given).",
        discussion: """
            Starts the clock, split, match, sma, profit and top stages, a demo order generator over the seed \
            instruments, and prints trades and analytics as they appear. Without --brokers (or EXCHANGE_BROKERS) an \
            embedded in-memory Kafka cluster is started in this process: for development and demos only.
            """)

    @OptionGroup var stream: StreamOptions
    @OptionGroup var window: WindowArguments
    @OptionGroup var engine: EngineOptions
    @OptionGroup var split: SplitOptions
    @OptionGroup var kite: KiteOptions

    @Option(help: "Demo orders to generate (0 = until stopped).")
    var orders: Int = 0

    @Option(help: "Demo orders per second.")
    var rate: Double = 20

    @Option(help: "Seed of the demo order generator (default: time-based).")
    var seed: UInt64?

    @Option(help: "A partition idle this long (ms) gets a tick from the clock.")
    var tickIntervalMs: Int = 1_000

    @Option(help: "The generator pauses while the stages lag more than this many records behind.")
    var maxLag: Int = 20_000

    @Flag(help: "Do not start the demo order generator (a quiet market, e.g. for a Kite Connect sandbox).")
    var noDemoFeed = false

    @Flag(help: "Do not print trades and analytics.")
    var quiet = false

    @Option(help: "Port of the trader HTTP/WebSocket gateway on 127.0.0.1.")
    var gatewayPort: Int = 8080

    @Flag(help: "Do not start the gateway.")
    var noGateway = false

    @Option(help: MarketDataAccess.help)
    var marketData: MarketDataAccess = .open

    @Option(
        name: .customLong("history-db"),
        help: "The history database (SQLite file or postgres://…). Default: with --brokers as for `exchange history`; on the embedded cluster, whose log is new each run, a new SQLite file in the temporary folder, removed at exit.")
    var historyDatabase: String?

    @Flag(help: "Do not start the history stage (the gateway's /history routes then answer 503).")
    var noHistory = false

    func run() async throws {
        guard orders >= 0 else { throw ValidationError("--orders must not be negative") }
        guard rate > 0 else { throw ValidationError("--rate must be positive") }
        let analytics = try window.options()
        var cluster: EmbeddedKafka?
        let settings: StreamsSettings
        if let brokers = stream.resolvedBrokers {
            settings = try stream.settings(brokerKind: .kafka, bootstrapServers: brokers)
            print("exchange: using Kafka at \(brokers)")
        } else {
            let embedded = try EmbeddedKafka(brokers: 1)
            cluster = embedded
            settings = try stream.settings(brokerKind: .embedded, bootstrapServers: embedded.bootstrapServers)
            // The mock cannot be asked for topics over the network: every topic is made here, so none is missing below.
            try embedded.createTopics(Topology.specifications(partitions: settings.partitions))
            print(
                "exchange: embedded in-memory Kafka at \(embedded.bootstrapServers) (development and demos only: "
                    + "~5 MiB per partition, no persistence). Use --brokers host:port for a real cluster.")
        }
        let partitions = try await Topology.create(partitions: settings.partitions, kafka: settings.kafka)
        // The first list, once: later changes come from `exchange instruments`, which the matcher applies in sequence.
        let published = try await InstrumentsTopic.publishDefaultsIfEmpty(InstrumentCatalog.seed, settings: settings)
        if published > 0 { print("exchange: published the \(published) default instruments to the empty instruments topic") }
        let metrics = try stream.startMetrics()
        let splitProgress = StageProgress()
        let matchProgress = StageProgress()
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: ClockService(settings: settings, intervalMilliseconds: tickIntervalMs)),
            .init(service: StageService(
                    SplitStage(
                        partitions: partitions[Topology.incomingOrders.name] ?? settings.partitions,
                        dateTimeValidity: split.dateTimeTimeInForce),
                    settings: settings, progress: splitProgress)),
            .init(service: StageService(MatchStage(configuration: engine.configuration), settings: settings, progress: matchProgress)),
        ]
        // sma, profit and top in one stage: one consumer fetches each trade once for all three.
        let analyticsStage = try AnalyticsStage(analyses: AnalyticsStage.Kind.allCases, options: analytics, partitions: settings.partitions)
        services.append(.init(service: StageService(analyticsStage, settings: settings)))
        if !quiet { services.append(.init(service: ConsolePrinter(settings: settings))) }
        var history: (any HistoryDatabase)?
        // The embedded cluster's log goes with the process, and so does the history file made for it.
        var temporaryHistoryFile: String?
        defer {
            if let temporaryHistoryFile {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: temporaryHistoryFile + suffix) }
            }
        }
        if !noHistory {
            let location = historyLocation(embedded: cluster != nil)
            if cluster != nil && historyDatabase == nil { temporaryHistoryFile = location }
            let database: any HistoryDatabase
            do {
                database = try await HistoryDatabases.open(location)
            } catch let error as HistoryDatabaseError {
                throw ValidationError(error.description)
            }
            history = database
            print("exchange: trade and candle history in \(location)")
            services.append(.init(service: HistoryStage(
                settings: settings, database: database, partitions: partitions[Topology.matchedTrades.name] ?? settings.partitions)))
        }
        if !noGateway { services.append(.init(service: try gateway(settings, metrics: metrics, history: history))) }
        if !noDemoFeed { services.append(
            .init(
                service: DemoFeed(
                    settings: settings, orders: orders, ratePerSecond: rate, maxLag: maxLag,
                    progress: [splitProgress, matchProgress], seed: seed ?? UInt64(ContinuousClock.now.hashValue.magnitude)),
                successTerminationBehavior: .ignore)) }
        print(noDemoFeed ? "exchange: no demo feed; Ctrl-C stops."
            : "exchange: demo feed \(orders == 0 ? "until stopped" : "\(orders) orders") at \(rate)/s; Ctrl-C stops.")
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: Logger(label: "exchange.run")))
        try await group.run()
        withExtendedLifetime(cluster) {}
    }

    /// Where the history goes: `--history-db`; else, on the embedded cluster, a new file (a database holding another
    /// log's positions would refuse to start); else what `exchange history` uses.
    func historyLocation(embedded: Bool) -> String {
        guard embedded || historyDatabase != nil else { return HistoryOptions.location(nil) }
        if let historyDatabase { return historyDatabase }
        return FileManager.default.temporaryDirectory.appendingPathComponent("exchange-history-\(UUID().uuidString.prefix(8)).sqlite").path
    }

    /// The gateway on loopback; with no keys configured (EXCHANGE_API_KEYS, EXCHANGE_KEYS_FILE, JWT) it gets the
    /// development keys, as this is the demo command.
    func gateway(_ settings: StreamsSettings, metrics: MetricsRegistry, history: (any HistoryReader)?) throws -> GatewayService {
        var options = GatewayService.Options(kafka: settings.kafka)
        options.metrics = metrics
        options.history = history
        options.http.port = gatewayPort
        options.http.publicMarketData = marketData == .open
        options.partitions = settings.partitions
        try options.http.loadAuthentication(keysFile: nil, environment: ProcessInfo.processInfo.environment)
        options.http.kite = try kite.settings(environment: ProcessInfo.processInfo.environment, demoApp: true)
        if options.http.authenticator.keys.isEmpty && options.http.authenticator.jwt == nil {
            var keys = options.http.authenticator.keys
            keys.add(trader: "alice", key: "alice-key")
            keys.add(trader: "bob", key: "bob-key")
            options.http.authenticator.keys = keys
            print("exchange: no API keys configured; demo keys alice-key (trader alice) and bob-key (trader bob)")
        }
        return GatewayService(options: options) { port in
            say("exchange: gateway on http://127.0.0.1:\(port)/v1, trading screen on http://127.0.0.1:\(port)/")
        }
    }
}
