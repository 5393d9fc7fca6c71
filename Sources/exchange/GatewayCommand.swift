import ArgumentParser
import ExchangeRecords
import ExchangeStreams
import Gateway
import HistoryStore
import Kafka
import KafkaEmbedded
import Logging
import ServiceLifecycle

import Foundation

struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "Runs the trader HTTP and WebSocket gateway.",
        discussion: """
            API keys come from --keys-file / EXCHANGE_KEYS_FILE, EXCHANGE_API_KEYS=trader:key,... or \
            EXCHANGE_API_KEY_HASHES=trader:sha256hex,...; JWTs from EXCHANGE_JWT_HS256_SECRET or \
            EXCHANGE_JWT_RS256_PUBLIC_KEY_FILE. Without --brokers an embedded in-memory Kafka cluster is started \
            (development and demos only).
            """)

    @Option(help: "Kafka bootstrap servers (default: $EXCHANGE_BROKERS, else an embedded in-memory cluster).")
    var brokers: String?
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks a free one).") var port = 8080
    @Option(help: "JSON file with hashed API keys and the JWT settings.") var keysFile: String?
    @Option(help: "Requests per second per trader (0 disables).") var rateLimit: Double = 200
    @Option(help: "Burst size of the per-trader rate limit.") var burst: Double = 400
    @Option(help: "Largest request body in bytes.") var maxBody = 16 * 1024
    @Option(help: "Most bytes of one request body read at all: a larger one gets 413 and its connection closes.")
    var maxBodyRead = 1 << 20
    @Option(help: "Seconds a request body may take to arrive after its head (then 408 and the connection closes).")
    var bodyTimeout = 30
    @Option(help: "When POST /orders answers 202: 'delivered' (acknowledged by the brokers, acks=all: an answered order survives a gateway crash) or 'queued' (handed to the idempotent producer: faster, but a crash before delivery loses it).")
    var ack: AckMode = .delivered
    @Option(help: "Partitions of topics the gateway creates when missing.") var partitions = 4
    @Option(help: "Instruments file (engine format).") var instruments = "config/instruments.json"
    @Option(help: "Largest quantity one order may carry.") var maxOrderQuantity: Int64 = 100_000
    @Option(help: "Finished orders the read model keeps per trader (newest; open orders are always kept).") var ordersKept = 10_000
    @Option(help: "Pre-trade limit: open orders per trader, all symbols (default: none); also bounds the read model's open orders per trader.")
    var maxOpenOrders: Int?
    @Option(help: "Pre-trade limit: price × quantity of one order, e.g. 1000000 (default: none).") var maxOrderNotional: FixedDecimal?
    @Option(help: "Pre-trade limit: open quantity × limit price of a trader's orders in one symbol (default: none).")
    var maxOpenNotional: FixedDecimal?
    @Option(help: "Fills the read model keeps per trader for GET /trades (newest).") var tradesKept = 10_000
    @Option(name: .customLong("kafka"), help: "Extra librdkafka property key=value (repeatable; also $EXCHANGE_KAFKA, comma-separated).")
    var kafkaProperties: [String] = []
    @Flag(help: "Add development keys alice:alice-key and bob:bob-key (never in production).") var devKeys = false
    @Option(help: MarketDataAccess.help) var marketData: MarketDataAccess = .key
    @Flag(inversion: .prefixedNo, help: "Serve the trading screen at / (its files are in the binary).") var ui = true
    @Flag(inversion: .prefixedNo, help: "Serve POST /orders on the connection's event loop, ahead of the router (same answers for about 40 % of the CPU per order); --no-fast-order-path sends every request through the router.")
    var fastOrderPath = true
    @Option(
        name: .customLong("history-db"),
        help: "Serve GET /history/… from this history database (what `exchange history --history-db` fills: a SQLite file path or postgres://…); without it those routes answer 503.")
    var historyDatabase: String?

    @OptionGroup var kite: KiteOptions

    enum AckMode: String, ExpressibleByArgument { case queued, delivered }

    func run() async throws {
        // This process mostly serves HTTP: run its tasks on the event loops (no thread hop per request).
        EventLoopExecutor.install()
        var logger = Logger(label: "exchange.gateway")
        logger.logLevel = .info
        let environment = ProcessInfo.processInfo.environment
        var cluster: EmbeddedKafka?
        let bootstrap: String
        let kafka: KafkaConfiguration
        if let servers = brokers ?? environment["EXCHANGE_BROKERS"].flatMap({ $0.isEmpty ? nil : $0 }) {
            bootstrap = servers
            kafka = .kafka(bootstrapServers: servers)
        } else {
            let embedded = try EmbeddedKafka(logger: logger)
            cluster = embedded
            bootstrap = embedded.bootstrapServers
            kafka = embedded.configuration
            say("embedded Kafka (in-memory, for development and demos only) at \(bootstrap)")
        }

        var kafkaConfiguration = kafka
        for (key, value) in try KafkaProperties.parse(kafkaProperties) { kafkaConfiguration.properties[key] = value }
        var options = GatewayService.Options(kafka: kafkaConfiguration)
        options.http.host = host
        options.http.port = port
        options.http.rateLimitPerSecond = rateLimit
        options.http.rateLimitBurst = burst
        options.http.maxBodySize = maxBody
        options.http.maxBodyRead = maxBodyRead
        options.http.bodyTimeout = .seconds(max(1, bodyTimeout))
        try options.http.loadAuthentication(keysFile: keysFile, environment: environment)
        if devKeys {
            var keys = options.http.authenticator.keys
            keys.add(trader: "alice", key: "alice-key")
            keys.add(trader: "bob", key: "bob-key")
            options.http.authenticator.keys = keys
            say("development keys: alice-key (trader alice), bob-key (trader bob)")
        }
        options.http.kite = try kite.settings(environment: environment, demoApp: devKeys)
        if options.http.authenticator.keys.isEmpty && options.http.authenticator.jwt == nil {
            say("warning: no API keys or JWT verifier configured, every request will get 401: use --keys-file, EXCHANGE_API_KEYS or --dev-keys")
        }
        options.instruments = FileManager.default.fileExists(atPath: instruments)
            ? try InstrumentRules.load(path: instruments, maxOrderQuantity: maxOrderQuantity)
            : InstrumentRules.seed
        options.waitForAcknowledgement = ack == .delivered
        options.http.fastOrderPath = fastOrderPath
        options.http.publicMarketData = marketData == .open
        options.http.serveUI = ui
        options.partitions = partitions
        // The embedded cluster cannot be asked for topics over the network: the gateway's are made here.
        try cluster?.createTopics(Topology.specifications(partitions: partitions, of: GatewayService.topics))
        guard ordersKept >= 0, tradesKept >= 0 else { throw ValidationError("--orders-kept and --trades-kept must not be negative") }
        options.terminalOrdersPerTrader = ordersKept
        guard (maxOpenOrders ?? 1) > 0, (maxOrderNotional?.micros ?? 1) > 0, (maxOpenNotional?.micros ?? 1) > 0 else {
            throw ValidationError("--max-open-orders, --max-order-notional and --max-open-notional must be positive")
        }
        options.http.limits = PreTradeLimits(
            maxOpenOrders: maxOpenOrders, maxOrderNotionalMicros: maxOrderNotional?.micros, maxOpenNotionalMicros: maxOpenNotional?.micros)
        options.tradesPerTrader = tradesKept
        if let historyDatabase {
            do {
                options.history = try await HistoryDatabases.open(historyDatabase)
            } catch let error as HistoryDatabaseError {
                throw ValidationError(error.description)
            }
            say("history from \(historyDatabase)")
        }

        let service = GatewayService(options: options, logger: logger) { [host] port in
            say("gateway listening on http://\(host):\(port)/v1 (Kafka \(bootstrap))")
        }
        let group = ServiceGroup(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
        cluster?.stop()
    }
}

/// Prints a line and flushes, so it shows at once even when stdout is a file or a pipe.
func say(_ line: String) {
    print(line)
    fflush(nil)
}
