import ArgumentParser
import ExchangeRecords
import ExchangeStreams
import Foundation
import Gateway
import GatewayClient
import Kafka
import KafkaEmbedded
import MemoryAllocator
import NIOCore
import Synchronization

/// `exchange-bench gateway`: POST /orders throughput and latency with keep-alive connections.
///
/// Starts an embedded Kafka cluster and a GatewayService in this process (rate limit off,
/// fire-and-forget producer unless `--ack delivered`), drives it with `wrk` (Debian package
/// `wrk`) from a second process, then checks that `incoming_orders` holds exactly the accepted orders.
struct GatewayBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway", abstract: "POST /orders throughput and latency percentiles (needs wrk).")

    @Option(help: "Seconds of measured load.") var duration = 10
    @Option(help: "Keep-alive connections (each has one request in flight: with ack=delivered a request waits for the broker, so it takes more connections to keep the cores busy; from about 128 on the cores are the limit).") var connections = 160
    @Option(help: "wrk threads.") var threads = 1
    @Option(help: "delivered (202 after acks=all, `exchange gateway`'s default) or queued (202 once handed to the producer).") var ack = "delivered"
    @Option(help: "Partitions of incoming_orders.") var partitions = 4
    @Option(help: "Distinct order bodies cycled by wrk.") var bodies = 2_000
    @Flag(help: "Measure GET /health instead of POST /orders: the HTTP stack's own ceiling on this machine, for comparison.")
    var health = false
    @Option(help: "Requests wrk sends back to back on a connection before reading the answers (HTTP/1.1 pipelining; 1 = none).")
    var pipeline = 1
    @Flag(help: "Send one fixed order again and again (wrk's static mode, no Lua per request; the order ids still differ).")
    var sameBody = false
    @Option(help: "Producer linger.ms (default: the embedded preset's 1 ms; the real-Kafka preset uses 5).") var lingerMs: Double?
    @Flag(help: "Discard orders instead of producing them (no Kafka): the gateway's own cost, for comparison.")
    var nullSink = false
    @Flag(help: "Send POST /orders through Hummingbird's router too (`exchange gateway --no-fast-order-path`), for comparison.")
    var routerOnly = false
    @Flag(help: "Keep Swift's own global executor (default: tasks run on NIO's event loops, as `exchange gateway` does).")
    var plainExecutor = false
    @Option(help: "Event-loop threads (default: one per core).") var eventLoops: Int?

    func run() async throws {
        guard let wrk = ["/usr/bin/wrk", "/usr/local/bin/wrk"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw ValidationError("wrk is not installed: apt-get install -y wrk")
        }
        if let eventLoops { NIOSingletons.groupLoopCountSuggestion = eventLoops }
        let onEventLoops = !plainExecutor && EventLoopExecutor.install()
        let cluster = try EmbeddedKafka()
        defer { cluster.stop() }
        try cluster.createTopics(Topology.specifications(partitions: partitions, of: GatewayService.topics))
        var options = GatewayService.Options(kafka: cluster.configuration)
        if let lingerMs { options.kafka.lingerMs = lingerMs }
        options.http.port = 0
        options.http.rateLimitPerSecond = 0
        var keys = APIKeyStore()
        keys.add(trader: "bench", key: "bench-key")
        options.http.authenticator = Authenticator(keys: keys)
        guard ack == "delivered" || ack == "queued" else { throw ValidationError("--ack must be delivered or queued, got \(ack)") }
        options.waitForAcknowledgement = ack == "delivered"
        options.partitions = partitions
        options.http.fastOrderPath = !routerOnly
        let port = Mutex<Int?>(nil)
        let discarded = DiscardingSink()
        let server: Task<Void, Error>
        if nullSink {
            let gateway = Gateway(configuration: options.http, instruments: options.instruments, sink: discarded)
            server = Task { try await gateway.serve { p in port.withLock { $0 = p } } }
        } else {
            let service = GatewayService(options: options) { p in port.withLock { $0 = p } }
            server = Task { try await service.run() }
        }
        defer { server.cancel() }
        var bound: Int?
        for _ in 0..<500 where bound == nil {
            try await Task.sleep(for: .milliseconds(10))
            bound = port.withLock { $0 }
        }
        guard let bound else { throw ValidationError("gateway did not start") }

        let script = try writeScript(host: "127.0.0.1:\(bound)")
        let url = "http://127.0.0.1:\(bound)/v1/\(health ? "health" : "orders")"
        // Warm-up (JIT-free, but connections, allocator and producer batches settle), then the measured run.
        _ = try await runWrk(wrk, ["-t1", "-c\(connections)", "-d2s", "-s", script, url])
        let before = nullSink ? Int64(discarded.count) : try await logEnd(cluster)
        let cpuBefore = (gateway: GatewayBench.cpuSeconds(RUSAGE_SELF.rawValue), wrk: GatewayBench.cpuSeconds(RUSAGE_CHILDREN.rawValue))
        let output = try await runWrk(wrk, ["-t\(threads)", "-c\(connections)", "-d\(duration)s", "--latency", "-s", script, url])
        let cpuUsed = (
            gateway: GatewayBench.cpuSeconds(RUSAGE_SELF.rawValue) - cpuBefore.gateway, wrk: GatewayBench.cpuSeconds(RUSAGE_CHILDREN.rawValue) - cpuBefore.wrk)
        try await Task.sleep(for: .seconds(1))
        let after = nullSink ? Int64(discarded.count) : try await logEnd(cluster)

        let handlerTimes = try await GatewayBench.handlerTimes(port: bound)
        let requests = GatewayBench.number(" requests in ", in: output, last: false) ?? 0
        let rps = GatewayBench.number("Requests/sec:", in: output, last: true) ?? 0
        let non2xx = GatewayBench.number("Non-2xx or 3xx responses:", in: output, last: true) ?? 0
        let errors = output.split(separator: "\n").first { $0.contains("Socket errors") }.map(String.init) ?? "Socket errors: none"
        print(output)
        print("""
            exchange-bench gateway: \(health ? "GET /v1/health" : "POST /v1/orders"), \(connections) keep-alive connections\(pipeline > 1 ? " pipelining \(pipeline) requests each" : ""), wrk -t\(threads), \(duration) s, ack=\(ack), linger.ms \(lingerMs.map { String($0) } ?? "1 (preset)"), \
            embedded Kafka in the same process, orders \(routerOnly ? "through the router" : "on the event-loop fast path"), tasks on \(onEventLoops ? "NIO event loops" : "Swift's global executor"), \(ProcessInfo.processInfo.activeProcessorCount) cores, \(MemoryAllocator.description)
            requests \(Int(requests)), non-2xx \(Int(non2xx)), \(errors.trimmingCharacters(in: .whitespaces))
            accepted orders/s \(String(format: "%.0f", rps - non2xx / Double(duration)))
            latency p50 \(GatewayBench.percentile("50%", output)), p75 \(GatewayBench.percentile("75%", output)), \
            p90 \(GatewayBench.percentile("90%", output)), p99 \(GatewayBench.percentile("99%", output))
            CPU per request: this process (gateway, producer, embedded broker) \(GatewayBench.micros(cpuUsed.gateway, requests)), \
            wrk \(GatewayBench.micros(cpuUsed.wrk, requests)) (user+sys; what the cores allow whatever else runs)
            handler time inside the gateway (its /metrics histogram, warm-up included): \(handlerTimes)
            mean latency: wrk \(GatewayBench.wrkMean(output)), connections ÷ throughput \(String(format: "%.2fms", Double(connections * pipeline) / max(rps, 1) * 1000)) \
            (the second bounds the true mean when each connection has one request in flight)
            \(nullSink ? "orders discarded (no Kafka)" : "incoming_orders grew by") \(after - before) records during the measured run (accepted = \(Int(requests - non2xx)))
            """)
    }

    func logEnd(_ cluster: EmbeddedKafka) async throws -> Int64 {
        var configuration = cluster.configuration
        configuration.groupId = "gateway-bench-watermarks"
        let consumer = try await KafkaConsumer(configuration: configuration)
        var total: Int64 = 0
        for p in 0..<partitions { total += try await consumer.queryWatermarks(KafkaTopicPartition(Topology.incomingOrders.name, Int32(p))).high }
        await consumer.close()
        return total
    }

    /// A wrk script cycling pre-formatted requests with distinct random orders. `Host` is given: `wrk.format` takes
    /// it from `wrk.headers`, which is still empty while the script's top level runs, and the gateway refuses an
    /// HTTP/1.1 request without it (RFC 9112 §3.2).
    func writeScript(host: String) throws -> String {
        var generator = LoadGenerator(instruments: InstrumentRules.seed, timeInForceMix: [(.goodTillCanceled, 60), (.day, 20), (.immediateOrCancel, 10), (.timeToLive, 10)])
        var lua = "local bodies = {\n"
        for _ in 0..<bodies {
            let body = LoadGenerator.body(generator.nextPlacement())
            lua += "  [[\(body)]],\n"
        }
        lua += """
            }
            local requests = {}
            local headers = { ["Host"] = "\(host)", ["Content-Type"] = "application/json", ["Authorization"] = "Bearer bench-key" }
            for i, b in ipairs(bodies) do requests[i] = wrk.format("\(health ? "GET" : "POST")", nil, headers, \(health ? "nil" : "b")) end
            local n = 0
            local pipeline = \(pipeline)
            -- Without pipelining no table or string is made per request: garbage collection pauses in wrk's
            -- event loop would show up as server latency.
            request = function()
              if pipeline == 1 then
                n = n % #requests + 1
                return requests[n]
              end
              local batch = {}
              for k = 1, pipeline do
                n = n % #requests + 1
                batch[k] = requests[n]
              end
              return table.concat(batch)
            end

            """
        if sameBody {
            // No request() function: wrk then sends one fixed request (its static mode).
            lua += """
                wrk.method = "\(health ? "GET" : "POST")"
                wrk.headers = headers
                wrk.body = \(health ? "nil" : "bodies[1]")
                request = nil

                """
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("exchange-bench-gateway.lua").path
        try lua.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Runs wrk on a thread of its own: its blocking pipe read must not hold one of the event loops
    /// the gateway's tasks run on.
    func runWrk(_ wrk: String, _ arguments: [String]) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try GatewayBench.runBlocking(wrk, arguments) }) }.start()
        }
    }

    static func runBlocking(_ wrk: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: wrk)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// The first word (or with `last`, the last word) of the first line containing `label`, as a number.
    static func number(_ label: String, in text: String, last: Bool) -> Double? {
        guard let line = text.split(separator: "\n").first(where: { $0.contains(label) }) else { return nil }
        let words = line.split(separator: " ")
        return (last ? words.last : words.first).flatMap { Double($0) }
    }

    /// User plus system CPU seconds of this process (`RUSAGE_SELF`) or its reaped children (`RUSAGE_CHILDREN`: wrk).
    static func cpuSeconds(_ who: Int32) -> Double {
        var usage = rusage()
        getrusage(who, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    static func micros(_ seconds: Double, _ requests: Double) -> String {
        String(format: "%.1f µs", seconds / max(requests, 1) * 1e6)
    }

    /// Shares of requests by the gateway's own request-duration histogram (middleware to response, not
    /// the socket): tells a slow handler from time spent in the transport or the client.
    static func handlerTimes(port: Int) async throws -> String {
        let text = try await GatewayClient(host: "127.0.0.1", port: port, token: nil).send("GET", "/v1/metrics").text
        var buckets: [(bound: String, count: Double)] = []
        for line in text.split(separator: "\n") where line.hasPrefix("exchange_gateway_http_request_duration_seconds_bucket{le=\"") {
            let bound = line.split(separator: "\"")[1]
            if let count = line.split(separator: " ").last.flatMap({ Double($0) }) { buckets.append((String(bound), count)) }
        }
        guard let total = buckets.last?.count, total > 0 else { return "?" }
        return buckets.filter { ["0.001", "0.005", "0.01", "0.05"].contains($0.bound) }
            .map { String(format: "≤%@ s %.2f%%", $0.bound, $0.count / total * 100) }.joined(separator: ", ")
    }

    /// wrk's mean latency: the first figure of its `Latency` line.
    static func wrkMean(_ text: String) -> String {
        guard let line = text.split(separator: "\n").first(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix("Latency ") }) else { return "?" }
        return line.split(separator: " ").dropFirst().first.map(String.init) ?? "?"
    }

    static func percentile(_ label: String, _ text: String) -> String {
        guard let line = text.split(separator: "\n").first(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix(label) }) else { return "?" }
        return line.split(separator: " ").last.map(String.init) ?? "?"
    }
}

/// Counts and drops orders (`--null-sink`).
final class DiscardingSink: OrderSink {
    private let submitted = Mutex(0)
    var count: Int { submitted.withLock { $0 } }
    func submit(_ command: IncomingOrder, completion: @escaping @Sendable ((any Error)?) -> Void) {
        submitted.withLock { $0 += 1 }
        completion(nil)
    }
}
