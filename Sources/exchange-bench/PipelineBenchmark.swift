import ArgumentParser
import ExchangeRecords
import ExchangeStreams
import MemoryAllocator
import Foundation
import Kafka
import KafkaEmbedded
import Logging

/// `exchange-bench pipeline`: orders through split, match, sma, profit and top on the embedded cluster, all in
/// this process, with the default guarantees (snapshots after acknowledged outputs, idempotent producers).
///
/// Phase 1 (throughput profile): `--orders` orders as fast as the pipeline takes them (the feeder keeps the
/// end-to-end lag under `--max-lag` so the embedded broker's retention never deletes unread data); prints sustained
/// orders/s and trades/s. Phase 2 (`--latency-profile`, busy-poll by default): a fixed offered rate; prints
/// order-to-trade latency, measured from handing the aggressor order to the producer to reading its trade from
/// `matched_trades`, and the cores the process used meanwhile (busy-poll buys its latency with CPU).
struct PipelineBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pipeline", abstract: "End-to-end orders/s, trades/s and order-to-trade latency on the embedded cluster.")

    @Option(help: "Orders for the throughput phase.")
    var orders: Int = 1_000_000

    @Option(help: "Offered rate of the latency phase (orders/s).")
    var rate: Int = 10_000

    @Option(help: "Duration of the latency phase in seconds.")
    var latencySeconds: Int = 20

    @Option(help: "Partitions of the order topics (default: the embedded cluster's default, as `exchange run`).")
    var partitions: Int = StreamsSettings.defaultPartitions(.embedded)

    @Option(help: "Snapshot interval of the stateful stages in ms (default: the embedded broker's 500).")
    var snapshotIntervalMs: Int?

    @Option(help: "Client profile of the latency phase: busy-poll (consumers never wait in the broker), latency (`exchange run`'s default: 1 ms fetch waits) or throughput.")
    var latencyProfile: String = StreamsSettings.Profile.busyPoll.rawValue

    @Option(help: "A librdkafka property for every stage client, key=value (repeatable), e.g. linger.ms=0.")
    var kafka: [String] = []

    @Option(help: "Seconds at the start of the latency phase whose orders are not measured (client and broker warm-up).")
    var warmupSeconds: Int = 1

    @Option(help: "Most orders the feed may be ahead of the splitter and the matcher in the throughput phase. The embedded broker keeps only ~5 MiB per partition, and the five demo symbols hash to few partitions, so a larger lag lets it delete orders before they are read.")
    var maxLag: Int = 10_000

    @Flag(help: "Run only split and match (to see what the analytics stages cost).")
    var withoutAnalytics = false

    @Flag(help: "Run sma, profit and top as three stages with a consumer each (`exchange run` runs them as one).")
    var separateAnalytics = false

    @Flag(help: "Skip the throughput phase (run only the latency phase).")
    var latencyOnly = false

    @Flag(help: "Instead of the two phases: the throughput phase twice over the same new orders, keyed by symbol in the exchange's format, then unkeyed in the original order server's format (no trader, no timestamp, lower-case values, a date-time time_in_force), which the splitter forwards to each symbol's partition.")
    var nullKeyed = false

    @Flag(help: "In the latency phase, also print per-topic hop latency: the time from a record's producer timestamp to a probe consumer reading it.")
    var hops = false

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = ProcessInfo.processInfo.environment["EXCHANGE_BENCH_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
            return handler
        }
        print("pipeline benchmark: split → match → \(withoutAnalytics ? "no analytics" : separateAnalytics ? "sma, profit, top (three stages)" : "analytics (sma, profit, top in one stage)") on the embedded cluster, \(partitions) partitions, \(MemoryAllocator.description)")
        if nullKeyed {
            var figures: [Double] = []
            for feed in [Feed.keyed, .nullKeyedOriginal] {
                let phase = try await runPhase(profile: .throughput, orders: orders, rate: nil, feed: feed)
                figures.append(Double(phase.orders) / phase.seconds)
                print(String(format: "throughput phase, %@: %d new orders in %.2f s = %.0f orders/s end to end; %d trades; %.2f cores busy",
                             feed.rawValue, phase.orders, phase.seconds, figures.last ?? 0, phase.trades, phase.cpuSeconds / phase.seconds))
            }
            print(String(format: "null-keyed original format / keyed = %.2f", figures[1] / figures[0]))
            return
        }
        if !latencyOnly {
            let throughput = try await runPhase(profile: .throughput, orders: orders, rate: nil)
            print(String(format: "throughput phase: %d orders in %.2f s = %.0f orders/s end to end; %d trades = %.0f trades/s; %.2f cores busy",
                         throughput.orders, throughput.seconds, Double(throughput.orders) / throughput.seconds,
                         throughput.trades, Double(throughput.trades) / throughput.seconds, throughput.cpuSeconds / throughput.seconds))
        }
        guard let profile = StreamsSettings.Profile(rawValue: latencyProfile) else {
            throw ValidationError("--latency-profile must be one of \(StreamsSettings.Profile.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let latency = try await runPhase(profile: profile, orders: rate * (latencySeconds + warmupSeconds), rate: rate, unmeasured: rate * warmupSeconds)
        let sorted = latency.latencies.sorted()
        func percentile(_ p: Double) -> Double {
            guard !sorted.isEmpty else { return .nan }
            return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
        }
        print(String(format: "latency phase (profile %@): %d orders offered at %d/s (achieved %.0f/s), %d trades; order-to-trade latency after %d s warm-up p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms; %.2f cores busy",
                     profile.rawValue, latency.orders, rate, Double(latency.orders) / latency.sendSeconds, latency.trades, warmupSeconds,
                     percentile(0.5), percentile(0.99), percentile(0.999), sorted.last ?? .nan, latency.cpuSeconds / latency.seconds))
    }

    static func message(_ order: IncomingOrder) -> KafkaProducerMessage {
        KafkaProducerMessage(topic: Topology.incomingOrders.name, key: order.stockSymbol.map { Array($0.utf8) }, value: order.encoded())
    }

    /// How the throughput phase writes its orders.
    enum Feed: String {
        case keyed = "keyed, exchange format"
        case nullKeyedOriginal = "null keys, original format"
    }

    /// A new order as the original order server writes it (no key, trader or timestamp; see docs/records.md).
    static func originalFormatMessage(_ o: ExchangeRecords.NewOrder) -> KafkaProducerMessage {
        let validity: String
        switch o.timeInForce {
        case .day, .timeToLive, .goodTillDate: validity = "2023-03-13 00:50:12"
        case .goodTillCanceled, .immediateOrCancel, .fillOrKill: validity = o.timeInForce.rawValue.lowercased()
        }
        var text = #"{"order_id": "\#(o.orderId)", "stock_symbol": "\#(o.stockSymbol)", "quantity": \#(o.quantity), "side": "\#(o.side.rawValue.lowercased())", "order_type": "\#(o.orderType.rawValue.lowercased())""#
        if let price = o.price { text += #", "price": \#(price)"# }
        text += #", "time_in_force": "\#(validity)"}"#
        return KafkaProducerMessage(topic: Topology.incomingOrders.name, key: nil as [UInt8]?, value: Array(text.utf8))
    }

    /// Sends `orders` demo orders at `rate` per second from a dedicated thread, stamping each with its send time.
    static func feedPaced(producer: KafkaProducer, orders: Int, rate: Int, sendTimes: SendTimes, fed: StageProgress) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            Thread.detachNewThread {
                var generator = DemoOrderGenerator(seed: 42, orderIdPrefix: "b")
                let begin = ContinuousClock.now
                var sent = 0
                do {
                    while sent < orders {
                        let elapsed = (ContinuousClock.now - begin) / .milliseconds(1)
                        let due = min(orders, Int(elapsed * Double(rate) / 1000) + 1)
                        if due <= sent {
                            usleep(250)
                            continue
                        }
                        let now = Int64(Date().timeIntervalSince1970 * 1000)
                        while sent < due {
                            let message = message(generator.next(timestamp: now))
                            sendTimes.set(sent, sendTimes.now())
                            while try !producer.trySend(message) { usleep(100) }
                            sent += 1
                            fed.add(1)
                        }
                    }
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    struct PhaseResult {
        var orders: Int
        var trades: Int
        var seconds: Double
        var sendSeconds: Double
        var latencies: [Double]
        /// CPU seconds (user + system) the whole process used from the first order to the last output.
        var cpuSeconds: Double
    }

    func runPhase(profile: StreamsSettings.Profile, orders: Int, rate: Int?, unmeasured: Int = 0, feed: Feed? = nil) async throws -> PhaseResult {
        let cluster = try EmbeddedKafka(brokers: 1)
        defer { cluster.stop() }
        var overrides: [String: String] = [:]
        for pair in kafka {
            guard let eq = pair.firstIndex(of: "=") else { throw ValidationError("--kafka expects key=value, got \(pair)") }
            overrides[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
        }
        var settings = StreamsSettings(
            brokerKind: .embedded, bootstrapServers: cluster.bootstrapServers, partitions: partitions, profile: profile,
            overrides: overrides)
        if let snapshotIntervalMs { settings.snapshotIntervalMilliseconds = snapshotIntervalMs }
        try cluster.createTopics(Topology.specifications(partitions: partitions))
        let analytics = AnalyticsOptions()
        let matchProgress = StageProgress()
        // As `exchange run` does: sma, profit and top in one stage (one consumer); `--separate-analytics` runs them as
        // three stages, as `exchange sma`, `profit` and `top` would.
        let analyticsStages: [any StageDefinition] =
            separateAnalytics
            ? try AnalyticsStage.Kind.allCases.map { try AnalyticsStage($0, options: analytics, partitions: partitions) }
            : [try AnalyticsStage(analyses: AnalyticsStage.Kind.allCases, options: analytics, partitions: partitions)]
        let definitions: [any StageDefinition] = [SplitStage(partitions: partitions), MatchStage()] + (withoutAnalytics ? [] : analyticsStages)
        let progress = definitions.map { $0.name == "match" ? matchProgress : StageProgress() }
        let failure = FirstFailure()
        let stageTasks = definitions.indices.map { i in
            let service = StageService(definitions[i], settings: settings, progress: progress[i])
            return Task {
                do { try await service.runUntilCancelled() } catch { failure.record("\(definitions[i].name): \(error)") }
            }
        }
        /// Sleeps a little, failing the benchmark if a stage stopped with an error.
        func pause(_ duration: Duration) async throws {
            if let message = failure.message { throw ValidationError("stage failed: \(message)") }
            try await Task.sleep(for: duration)
        }
        // Order send times, by order number, and the probe that reads trades.
        let sendTimes = SendTimes(count: orders)
        // Only the latency phase samples trades: in the throughput phase a probe decoding every trade would take
        // CPU from the stages (trades are counted from the log ends there).
        let probe = rate == nil ? nil : TradeProbe(settings: settings, sendTimes: sendTimes, unmeasured: unmeasured)
        let probeTask = probe.map { probe in Task { try await probe.run() } }
        try await probe?.ready()
        // Watermark queries go through a client of their own: on the probe's connection, each one held up the
        // probe's fetches for 40-50 ms (seen as latency spikes at every status line).
        var statusConfiguration = settings.kafka
        statusConfiguration.groupId = "bench-status"
        let status = try await KafkaConsumer(configuration: statusConfiguration)
        func endOffset(_ topic: String, _ partition: Int32) async throws -> Int64 {
            try await status.queryWatermarks(KafkaTopicPartition(topic, partition)).high
        }
        let hopProbe = hops && rate != nil
            ? HopProbe(settings: settings, topics: [Topology.incomingOrders.name, Topology.buyOrders.name, Topology.sellOrders.name, Topology.matchedTrades.name, Topology.executionReports.name])
            : nil
        let hopTask = hopProbe.map { probe in Task { try await probe.run() } }
        defer { hopTask?.cancel() }
        // Measure the pipeline, not the consumer-group joins: start once every stage has its partitions.
        for p in progress { while p.tasksStarted == 0 { try await pause(.milliseconds(5)) } }

        var feedConfiguration = settings.producerConfiguration
        feedConfiguration.clientId = "bench-feed"
        let producer = try await KafkaProducer(configuration: feedConfiguration)
        let names = definitions.map(\.name)
        let fed = StageProgress()
        let reporter = Task {
            // A status line every 2 s on stderr, so a slow or stuck stage shows itself.
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(2))
                let stages = zip(names, progress).map { "\($0.0) \($0.1.value)" }.joined(separator: ", ")
                var ends: [Int64] = []
                for p in 0..<partitions { ends.append(try await endOffset(Topology.incomingOrders.name, Int32(p))) }
                FileHandle.standardError.write(Data("  fed \(fed.value) (log ends \(ends)); applied: \(stages) bootstrap \(cluster.bootstrapServers)\n".utf8))
            }
        }
        defer { reporter.cancel() }
        let begin = ContinuousClock.now
        let cpuAtBegin = GatewayBench.cpuSeconds(RUSAGE_SELF.rawValue)
        if let rate {
            // Paced on a thread of its own with plain sleeps: the feed stands for traders' processes, so it should
            // not load the stages' executor with thousands of timer wake-ups per second.
            try await Self.feedPaced(producer: producer, orders: orders, rate: rate, sendTimes: sendTimes, fed: fed)
        } else {
            var generator = DemoOrderGenerator(seed: 42, orderIdPrefix: "b")
            var sent = 0
            var batch: [KafkaProducerMessage] = []
            while sent < orders {
                // Throughput: keep at most maxLag orders between the feed and the slower of splitter and matcher.
                while sent - min(progress[0].value, matchProgress.value) > maxLag { try await pause(.microseconds(500)) }
                let due = min(orders, sent + 1_000)
                batch.removeAll(keepingCapacity: true)
                let now = Int64(Date().timeIntervalSince1970 * 1000)
                let stamp = sendTimes.now()
                for _ in sent..<due {
                    var order = generator.next(timestamp: now)
                    if let feed {
                        // The same new orders in both feeds (the original format has no cancels or modifies).
                        while true {
                            if case .new = order { break }
                            order = generator.next(timestamp: now)
                        }
                        if feed == .nullKeyedOriginal, case .new(let o) = order {
                            sendTimes.set(sent, stamp)
                            sent += 1
                            batch.append(Self.originalFormatMessage(o))
                            continue
                        }
                    }
                    sendTimes.set(sent, stamp)
                    sent += 1
                    batch.append(Self.message(order))
                }
                try await producer.send(contentsOf: batch)
                fed.add(batch.count)
            }
        }
        try await producer.flush()
        let sendSeconds = (ContinuousClock.now - begin) / .seconds(1)
        // Done when the matcher applied every order and the analytics applied every trade and forwarded tick.
        while matchProgress.value < orders { try await pause(.milliseconds(1)) }
        // The matcher's last outputs may still be in flight: wait until the end offsets stop moving.
        var outputs: Int64 = -1
        while true {
            var now: Int64 = 0
            for p in 0..<partitions {
                now += try await endOffset(Topology.matchedTrades.name, Int32(p))
                now += try await endOffset(Topology.matchedTradesTicks.name, Int32(p))
            }
            if now == outputs { break }
            outputs = now
            for i in 2..<definitions.count {
                while progress[i].value < Int(outputs) { try await pause(.milliseconds(1)) }
            }
        }
        let seconds = (ContinuousClock.now - begin) / .seconds(1)
        let cpuSeconds = GatewayBench.cpuSeconds(RUSAGE_SELF.rawValue) - cpuAtBegin
        hopProbe?.printSummary()
        await producer.close()
        await status.close()
        let trades = Int(outputs)
        probeTask?.cancel()
        for task in stageTasks { task.cancel() }
        for task in stageTasks { _ = try? await task.value }
        _ = try? await probeTask?.value
        return PhaseResult(orders: orders, trades: trades, seconds: seconds, sendSeconds: sendSeconds, latencies: probe?.latencies() ?? [], cpuSeconds: cpuSeconds)
    }
}

/// The first error of any stage task.
final class FirstFailure: @unchecked Sendable {
    private let lock = NSLock()
    private var first: String?

    func record(_ message: String) { lock.withLock { if first == nil { first = message } } }
    var message: String? { lock.withLock { first } }
}

/// Monotonic send times of orders `b-<n>` (nanoseconds since an arbitrary origin).
final class SendTimes: @unchecked Sendable {
    private let times: UnsafeMutablePointer<UInt64>
    let count: Int
    private let origin = ContinuousClock.now

    init(count: Int) {
        self.count = count
        times = .allocate(capacity: max(count, 1))
        times.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { times.deallocate() }

    func now() -> UInt64 { UInt64((ContinuousClock.now - origin) / .nanoseconds(1)) }
    func set(_ index: Int, _ value: UInt64) { times[index] = value }
    func get(_ index: Int) -> UInt64 { index >= 0 && index < count ? times[index] : 0 }
}

/// Reads `matched_trades` as it is written and records, per trade, the time since its aggressor order was sent.
final class TradeProbe: @unchecked Sendable {
    let settings: StreamsSettings
    let sendTimes: SendTimes
    private let lock = NSLock()
    private var samples: [Double] = []
    private var isReady = false

    /// Orders `b-1` … `b-<unmeasured>` are warm-up: their trades are not sampled.
    let unmeasured: Int

    init(settings: StreamsSettings, sendTimes: SendTimes, unmeasured: Int) {
        self.settings = settings
        self.sendTimes = sendTimes
        self.unmeasured = unmeasured
    }

    func run() async throws {
        let consumer = try await probeConsumer(settings, group: "bench-probe", topics: [Topology.matchedTrades.name], from: .beginning)
        lock.withLock { isReady = true }
        defer { Task { await consumer.close() } }
        for try await event in consumer.events {
            guard case .messages(let batch) = event else { continue }
            let received = sendTimes.now()
            var local: [Double] = []
            let trace = ProcessInfo.processInfo.environment["EXCHANGE_BENCH_TRACE"] != nil
            var traceLines: [String] = []
            for message in batch {
                guard let value = message.value, let trade = try? MatchedTrade.decode(json: value) else { continue }
                let aggressor = trade.aggressorSide == .buy ? trade.buyOrderId : trade.sellOrderId
                guard let dash = aggressor.lastIndex(of: "-"), let n = Int(aggressor[aggressor.index(after: dash)...]) else { continue }
                guard n > unmeasured else { continue }
                let sent = sendTimes.get(n - 1)
                if sent > 0 && received > sent {
                    local.append(Double(received - sent) / 1e6)
                    if trace { traceLines.append("\(Double(sent) / 1e6) \(Double(received - sent) / 1e6) \(message.partition) \(message.offset)\n") }
                }
            }
            lock.withLock { samples += local }
            if trace, let path = ProcessInfo.processInfo.environment["EXCHANGE_BENCH_TRACE"] {
                if let h = FileHandle(forWritingAtPath: path) { h.seekToEndOfFile(); h.write(Data(traceLines.joined().utf8)); try? h.close() }
                else { FileManager.default.createFile(atPath: path, contents: Data(traceLines.joined().utf8)) }
                traceLines.removeAll()
            }
        }
    }

    func ready() async throws {
        while !lock.withLock({ isReady }) { try await Task.sleep(for: .milliseconds(1)) }
    }

    func latencies() -> [Double] { lock.withLock { samples } }
}

/// Per topic: how long after its producer timestamp (CreateTime, ms) each record reached a probe consumer, i.e. one
/// hop's producer batching, broker and fetch time.
final class HopProbe: @unchecked Sendable {
    let settings: StreamsSettings
    let topics: [String]
    private let lock = NSLock()
    private var samples: [String: [Double]] = [:]
    private var bytes: [String: Int] = [:]

    init(settings: StreamsSettings, topics: [String]) {
        self.settings = settings
        self.topics = topics
    }

    func run() async throws {
        let consumer = try await probeConsumer(settings, group: "bench-hops", topics: topics, from: .end)
        defer { Task { await consumer.close() } }
        for try await event in consumer.events {
            guard case .messages(let batch) = event else { continue }
            let now = Date().timeIntervalSince1970 * 1000
            lock.withLock {
                for message in batch {
                    guard let t = message.timestamp else { continue }
                    samples[message.topic, default: []].append(now - Double(t))
                    bytes[message.topic, default: 0] += message.value?.count ?? 0
                }
            }
        }
    }

    func printSummary() {
        lock.withLock {
            for topic in topics {
                let sorted = (samples[topic] ?? []).sorted()
                guard !sorted.isEmpty else { print("  hop \(topic): no records"); continue }
                func p(_ q: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))] }
                print(String(format: "  hop %@: %d records, %d bytes, p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms", topic, sorted.count, bytes[topic] ?? 0, p(0.5), p(0.9), p(0.99), sorted.last ?? 0))
            }
        }
    }
}

/// A consumer assigned to every partition of `topics`, starting at `offset`.
func probeConsumer(_ settings: StreamsSettings, group: String, topics: [String], from offset: KafkaOffset) async throws -> KafkaConsumer {
    var configuration = settings.kafka
    configuration.groupId = group
    // A probe that falls behind the embedded broker's retention reads on rather than stopping the benchmark.
    configuration.autoOffsetReset = .earliest
    let consumer = try await KafkaConsumer(configuration: configuration)
    var starts: [KafkaTopicPartition: KafkaOffset] = [:]
    for topic in topics { for p in 0..<settings.partitions { starts[KafkaTopicPartition(topic, Int32(p))] = offset } }
    try await consumer.assign(starts)
    return consumer
}
