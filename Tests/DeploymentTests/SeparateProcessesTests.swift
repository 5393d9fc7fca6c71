import ExchangeRecords
import ExchangeStreams
import Foundation
import Kafka
import Testing

/// `exchange broker` in one process and a stage in another, as README shows: the broker must create every topic the
/// stages use (librdkafka's mock cluster does not implement CreateTopics), and the stage must start without asking.
@Suite(.serialized, .timeLimit(.minutes(3))) struct SeparateProcessesTests {
    /// A child process the test stops (SIGTERM, then SIGKILL).
    final class Child: @unchecked Sendable {
        let process = Process()
        let output = Pipe()

        /// With `log`, its output goes to that file instead of the pipe (which must otherwise be read, or a talkative
        /// child blocks once the pipe is full).
        init(_ arguments: [String], log: FileHandle? = nil) throws {
            process.executableURL = try ExchangeBinary.exchange.locate()
            process.arguments = arguments
            process.standardOutput = log ?? output
            process.standardError = log ?? output
            try process.run()
        }

        /// SIGTERM, up to 10 s for the child to exit, then SIGKILL. It waits with `Task.sleep`: a blocking wait held
        /// a thread of the cooperative pool (two on this machine) for as long, and stalled other suites' tests.
        func stop() async { await SeparateProcessesTests.stop(process) }

        /// For a `defer`, when the test ends before `stop()` (a failed requirement): kills the child without waiting.
        func killIfRunning() {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
    }

    /// SIGTERM, up to 10 s for `process` to exit, then SIGKILL.
    static func stop(_ process: Process) async {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
    }

    /// Waits for `condition`, failing after `seconds`.
    static func waitUntil(_ what: String, seconds: Double, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while try await !condition() {
            guard ContinuousClock.now < deadline else { throw ComposeError("timed out after \(seconds) s waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    @Test func aStageInItsOwnProcessRunsAgainstExchangeBroker() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("exchange-broker-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let bootstrapFile = directory.appendingPathComponent("bootstrap").path
        let broker = try Child(["broker", "--partitions", "2", "--bootstrap-file", bootstrapFile])
        defer { broker.killIfRunning() }
        try await Self.waitUntil("the bootstrap file", seconds: 30) {
            (try? String(contentsOfFile: bootstrapFile, encoding: .utf8))?.contains(":") == true
        }
        let bootstrap = try String(contentsOfFile: bootstrapFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let configuration = KafkaConfiguration.embedded(bootstrapServers: bootstrap)

        // Every topic of the stages' layout exists, with the stages' partition counts.
        let admin = try await KafkaAdmin(configuration: configuration)
        let topics = try await admin.listTopics()
        for specification in Topology.specifications(partitions: 2) {
            #expect(topics[specification.name] == specification.partitions, "topic \(specification.name)")
        }

        // A splitter in its own process starts at once and splits an order.
        let split = try Child(["split", "--brokers", bootstrap, "--partitions", "2"])
        defer { split.killIfRunning() }
        let producer = try await KafkaProducer(configuration: configuration)
        let order = IncomingOrder.new(
            NewOrder(
                orderId: "separate-1", traderId: "alice", stockSymbol: "AAPL", side: .buy, orderType: .limit,
                price: FixedDecimal("160.25"), quantity: 10, timeInForce: .goodTillCanceled, timestamp: 1_700_000_000_000))
        let home = Topology.partition(ofSymbol: "AAPL", partitions: 2)
        _ = try await producer.sendAndAwait(KafkaProducerMessage(topic: Topology.incomingOrders.name, partition: home, key: "AAPL", value: order.encoded()))
        await producer.close()
        let consumer = try await KafkaConsumer(configuration: configuration)
        try await consumer.assign([KafkaTopicPartition(Topology.buyOrders.name, home): .beginning])
        try await Self.waitUntil("the order on buy_orders", seconds: 60) {
            #expect(split.process.isRunning, "the splitter exited")
            return try await consumer.queryWatermarks(KafkaTopicPartition(Topology.buyOrders.name, home)).high >= 1
        }
        await consumer.close()
        await split.stop()
        await broker.stop()
    }
}
