import ArgumentParser
import ExchangeRecords
import Foundation
import Gateway
import GatewayClient
import Kafka
import Logging
import Synchronization

/// Bulk order generator: the seed's random orders through the gateway's HTTP API (keep-alive
/// connections, optional rate) or straight into `incoming_orders`, with a progress bar and a summary.
struct LoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load", abstract: "Generates bulk random orders through the HTTP API or straight into Kafka.")

    enum Target: String, ExpressibleByArgument { case http, kafka }

    @Option(help: "Where orders go: http (the gateway) or kafka (incoming_orders directly, no validation).") var target: Target = .http
    @Option(help: "Gateway URL (http target; default $EXCHANGE_URL or http://127.0.0.1:8080).") var url: String?
    @Option(help: "API key; repeat for several traders (http target; default $EXCHANGE_API_KEY).") var key: [String] = []
    @Option(help: "Kafka bootstrap servers (kafka target; default $EXCHANGE_BROKERS).") var brokers: String?
    @Option(name: .customLong("kafka"), help: "Extra librdkafka property key=value (kafka target; repeatable; also $EXCHANGE_KAFKA, comma-separated).")
    var kafkaProperties: [String] = []
    @Option(help: "Orders to send.") var count = 10_000
    @Option(help: "Orders per second (0 = as fast as possible).") var rate: Double = 0
    @Option(help: "Concurrent keep-alive connections (http target).") var connections = 8
    @Option(help: "Trader ids load-1...load-N (kafka target).") var traders = 10
    @Option(help: "Comma-separated symbols (default: all instruments).") var symbols: String?
    @Option(help: "Time-in-force mix, NAME=weight.") var tif = "GTC=50,DAY=20,IOC=15,FOK=5,TTL=10"
    @Option(help: "validity_ttl minutes for TTL orders.") var ttlMinutes: Int64 = 5
    @Option(help: "Random seed (same seed, same orders).") var seed: UInt64 = 42
    @Option(help: "Instruments file (engine format).") var instruments = "config/instruments.json"

    struct Tally: Sendable {
        var sent = 0, accepted = 0, rejected = 0, limited = 0, failed = 0
        var latencies: [Double] = []
        var firstError: String?
    }

    /// Shared mutable state for the sending tasks.
    final class Shared<Value: Sendable>: Sendable {
        private let state: Mutex<Value>
        init(_ value: Value) { state = Mutex(value) }
        func withLock<R>(_ body: (inout Value) -> R) -> R { state.withLock { body(&$0) } }
    }
    typealias TallyBox = Shared<Tally>

    func run() async throws {
        var catalogue = FileManager.default.fileExists(atPath: instruments) ? try InstrumentRules.load(path: instruments) : InstrumentRules.seed
        if let symbols {
            let wanted = Set(symbols.split(separator: ",").map(String.init))
            catalogue = catalogue.filter { wanted.contains($0.symbol) }
            guard !catalogue.isEmpty else { throw ValidationError("none of --symbols \(symbols) is a known instrument") }
        }
        let generator = LoadGenerator(instruments: catalogue, timeInForceMix: try LoadGenerator.parseMix(tif), ttlMinutes: ttlMinutes, seed: seed)
        let tally = TallyBox(Tally())
        let start = ContinuousClock.now
        let total = count
        let progress = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(250))
                LoadCommand.drawProgress(tally.withLock { $0 }, total: total, since: start)
            }
        }
        switch target {
        case .http: try await runHTTP(generator, tally, start)
        case .kafka: try await runKafka(generator, tally, start)
        }
        progress.cancel()
        let result = tally.withLock { $0 }
        LoadCommand.drawProgress(result, total: total, since: start)
        FileHandle.standardError.write(Data("\n".utf8))
        let seconds = Double(start.duration(to: .now).components.attoseconds) * 1e-18 + Double(start.duration(to: .now).components.seconds)
        var summary = """
            sent \(result.sent), accepted \(result.accepted), rejected \(result.rejected), rate-limited \(result.limited), \
            failed \(result.failed) in \(String(format: "%.2f", seconds)) s = \(String(format: "%.0f", Double(result.accepted) / max(seconds, 1e-9))) accepted orders/s
            """
        if !result.latencies.isEmpty {
            let sorted = result.latencies.sorted()
            func pct(_ p: Double) -> String { String(format: "%.2f ms", sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] * 1000) }
            summary += "\nlatency p50 \(pct(0.5)), p90 \(pct(0.9)), p99 \(pct(0.99)), max \(pct(1.0))"
        }
        if let error = result.firstError { summary += "\nfirst error: \(error)" }
        print(summary)
    }

    static func drawProgress(_ t: Tally, total: Int, since start: ContinuousClock.Instant) {
        let width = 30
        let done = min(width, total == 0 ? width : t.sent * width / total)
        let elapsed = Double(start.duration(to: .now).components.seconds) + Double(start.duration(to: .now).components.attoseconds) * 1e-18
        let line = "\r[\(String(repeating: "=", count: done))\(String(repeating: " ", count: width - done))] \(t.sent)/\(total) sent, \(t.accepted) accepted, \(t.rejected + t.limited) rejected, \(t.failed) failed, \(Int(Double(t.sent) / max(elapsed, 1e-3)))/s"
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Waits until order number `index` is due at `rate` per second.
    func pace(_ index: Int, _ start: ContinuousClock.Instant) async throws {
        guard rate > 0 else { return }
        let due = start + .seconds(Double(index) / rate)
        if due > .now { try await Task.sleep(until: due) }
    }

    func runHTTP(_ generator: LoadGenerator, _ tally: TallyBox, _ start: ContinuousClock.Instant) async throws {
        let environment = ProcessInfo.processInfo.environment
        let keys = key.isEmpty ? environment["EXCHANGE_API_KEY"].map { [$0] } ?? [] : key
        guard !keys.isEmpty else { throw ValidationError("give --key (or set EXCHANGE_API_KEY) for the http target") }
        let (host, port) = try GatewayURL.hostPort(url ?? environment["EXCHANGE_URL"] ?? "http://127.0.0.1:8080")
        let next = Shared((0, generator))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for c in 0..<max(1, connections) {
                let client = GatewayClient(host: host, port: port, token: keys[c % keys.count])
                group.addTask {
                    try await client.withConnection { connection in
                        while true {
                            let job: (Int, String)? = next.withLock { state in
                                guard state.0 < count else { return nil }
                                state.0 += 1
                                return (state.0 - 1, LoadGenerator.body(state.1.nextPlacement()))
                            }
                            guard let (index, body) = job else { return }
                            try await pace(index, start)
                            let sentAt = ContinuousClock.now
                            let outcome: Result<GatewayClient.Response, any Error>
                            do { outcome = .success(try await connection.send("POST", "/v1/orders", body: body)) } catch { outcome = .failure(error) }
                            let latency = sentAt.duration(to: .now).components
                            tally.withLock { t in
                                t.sent += 1
                                switch outcome {
                                case .success(let r) where r.status == 202: t.accepted += 1
                                case .success(let r) where r.status == 429: t.limited += 1
                                case .success(let r) where r.status < 500: t.rejected += 1; t.firstError = t.firstError ?? r.text
                                case .success(let r): t.failed += 1; t.firstError = t.firstError ?? r.text
                                case .failure(let e): t.failed += 1; t.firstError = t.firstError ?? "\(e)"
                                }
                                t.latencies.append(Double(latency.seconds) + Double(latency.attoseconds) * 1e-18)
                            }
                            if case .failure = outcome { return }
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    func runKafka(_ generator: LoadGenerator, _ tally: TallyBox, _ start: ContinuousClock.Instant) async throws {
        guard let servers = brokers ?? ProcessInfo.processInfo.environment["EXCHANGE_BROKERS"].flatMap({ $0.isEmpty ? nil : $0 }) else {
            throw ValidationError("give --brokers (or set EXCHANGE_BROKERS) for the kafka target")
        }
        var configuration = KafkaConfiguration.kafka(bootstrapServers: servers)
        configuration.properties["partitioner"] = "murmur2_random"
        for (key, value) in try KafkaProperties.parse(kafkaProperties) { configuration.properties[key] = value }
        let producer = try await KafkaProducer(configuration: configuration, logger: Logger(label: "exchange.load"))
        var generator = generator
        for index in 0..<count {
            try await pace(index, start)
            let p = generator.nextPlacement()
            let record = IncomingOrder.new(NewOrder(
                orderId: "load-\(seed)-\(index)", traderId: "load-\(index % max(1, traders) + 1)", stockSymbol: p.symbol,
                side: p.side, orderType: p.type, price: p.priceMicros.map(FixedDecimal.init(micros:)), quantity: p.quantity,
                timeInForce: p.timeInForce, validityTTL: p.validityTTL, expireAt: p.expireAt,
                timestamp: Int64(Date().timeIntervalSince1970 * 1000)))
            do {
                try await producer.send(KafkaProducerMessage(topic: Topology.incomingOrders.name, key: p.symbol, value: record.encoded()))
                // The progress bar's "accepted": what the brokers acknowledged so far (not yet queued, not failed).
                let acknowledged = index % 1_000 == 999 ? index + 1 - producer.outstandingCount - producer.deliveryFailureCount : nil
                tally.withLock { t in
                    t.sent += 1
                    if let acknowledged { t.accepted = max(t.accepted, acknowledged) }
                }
            } catch {
                tally.withLock { $0.sent += 1; $0.failed += 1; $0.firstError = $0.firstError ?? "\(error)" }
            }
        }
        do { try await producer.flush() } catch { tally.withLock { $0.firstError = $0.firstError ?? "\(error)" } }
        let failures = Int(producer.deliveryFailureCount)
        tally.withLock { t in
            t.failed += failures
            t.accepted = t.sent - t.failed
        }
        await producer.close()
    }
}
