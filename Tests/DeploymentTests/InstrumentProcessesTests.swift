import ExchangeRecords
import ExchangeStreams
import Foundation
import Kafka
import Testing

/// `exchange instruments` against `exchange broker`, `split` and `match` in their own processes: a symbol listed while
/// the stages run trades without a restart; a halt rejects exactly the orders sequenced after it, through a `kill -9`
/// of the matcher right after it; the offline replay of the same input (`exchange engine --stdio`) gives the same
/// reports; and changes the CLI cannot apply are errors that write nothing.
@Suite(.serialized, .timeLimit(.minutes(4))) struct InstrumentProcessesTests {
    typealias Child = SeparateProcessesTests.Child

    /// Runs `exchange` to its end (polling, so no pool thread blocks) and returns its status and output.
    static func run(_ arguments: [String], input: String? = nil) async throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = try ExchangeBinary.exchange.locate()
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let stdin = Pipe()
        if input != nil { process.standardInput = stdin }
        try process.run()
        // Read while it runs: a full pipe would block the child.
        let reader = Task.detached { output.fileHandleForReading.readDataToEndOfFile() }
        if let input {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try stdin.fileHandleForWriting.close()
        }
        let deadline = ContinuousClock.now + .seconds(60)
        while process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        while process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        return (process.terminationStatus, String(decoding: await reader.value, as: UTF8.self))
    }

    static func records(_ tp: KafkaTopicPartition, _ configuration: KafkaConfiguration) async throws -> [KafkaMessage] {
        let consumer = try await KafkaConsumer(configuration: configuration)
        defer { Task { await consumer.close() } }
        let end = try await consumer.queryWatermarks(tp).high
        guard end > 0 else { return [] }
        try await consumer.assign([tp: .beginning])
        var messages: [KafkaMessage] = []
        for try await event in consumer.events {
            guard case .messages(let batch) = event else { continue }
            messages += batch
            if let last = messages.last, last.offset + 1 >= end { break }
        }
        return messages
    }

    static func order(_ id: String, _ trader: String, _ side: String, quantity: Int, at time: Int64) -> String {
        #"{"order_id":"\#(id)","trader_id":"\#(trader)","stock_symbol":"NVDA","side":"\#(side)","order_type":"LIMIT","price":500,"quantity":\#(quantity),"time_in_force":"GTC","timestamp":\#(time)}"#
    }

    @Test func aListingAndAHaltThroughAKilledMatcherGiveTheReplaysReports() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("exchange-instruments-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let bootstrapFile = directory.appendingPathComponent("bootstrap").path
        let broker = try Child(["broker", "--partitions", "2", "--bootstrap-file", bootstrapFile])
        defer { broker.killIfRunning() }
        try await SeparateProcessesTests.waitUntil("the bootstrap file", seconds: 30) {
            (try? String(contentsOfFile: bootstrapFile, encoding: .utf8))?.contains(":") == true
        }
        let bootstrap = try String(contentsOfFile: bootstrapFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let configuration = KafkaConfiguration.embedded(bootstrapServers: bootstrap)
        let kafka = ["--brokers", bootstrap, "--partitions", "2"]

        // The broker published the default list; `list` reads it.
        let listed = try await Self.run(["instruments", "list"] + kafka)
        #expect(listed.status == 0, "\(listed.output)")
        #expect(listed.output.contains(#""symbol":"AAPL""#) && listed.output.contains(#""symbol":"PCAR""#))

        let split = try Child(["split"] + kafka)
        defer { split.killIfRunning() }
        var match = try Child(["match", "--snapshot-interval-ms", "100"] + kafka)
        defer { match.killIfRunning() }

        // Changes the CLI cannot apply: an error naming the problem, nothing written.
        let home = Topology.partition(ofSymbol: "NVDA", partitions: 2)
        let input = KafkaTopicPartition(Topology.incomingOrders.name, home)
        for (arguments, problem) in [
            (["set", "ZZZ", "--tick-size", "0.01"], "unknown symbol ZZZ"),
            (["halt", "NVDA"], "unknown symbol NVDA"),
            (["set", "AAPL", "--tick-size=-0.01"], "tick_size"),
            (["set", "AAPL", "--band-low", "200", "--band-high", "150"], "price_band"),
        ] {
            let refused = try await Self.run(["instruments"] + arguments + kafka)
            #expect(refused.status != 0 && refused.output.contains(problem), "\(arguments): \(refused.output)")
        }
        #expect(try await Self.records(input, configuration).isEmpty, "a refused change wrote to incoming_orders")

        // Listed while the stages run: trades at once.
        let listing = try await Self.run(["instruments", "list-new", "NVDA", "--tick-size", "0.01", "--last-price", "500"] + kafka)
        #expect(listing.status == 0, "\(listing.output)")
        let producer = try await KafkaProducer(configuration: configuration)
        func send(_ values: [String]) async throws {
            let messages = values.map { KafkaProducerMessage(topic: Topology.incomingOrders.name, partition: home, key: "NVDA", value: Array($0.utf8)) }
            for report in try await producer.sendAndAwait(contentsOf: messages) { #expect(report.error == nil) }
        }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        try await send([Self.order("s-1", "bob", "SELL", quantity: 10, at: now), Self.order("b-1", "amy", "BUY", quantity: 4, at: now + 1)])

        // Halted, then the matcher killed at once; orders after the halt are rejected, cancels work.
        let halt = try await Self.run(["instruments", "halt", "NVDA", "--reason", "news pending"] + kafka)
        #expect(halt.status == 0, "\(halt.output)")
        try await send([Self.order("b-2", "amy", "BUY", quantity: 1, at: now + 2)])
        kill(match.process.processIdentifier, SIGKILL)
        while match.process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        match = try Child(["match", "--snapshot-interval-ms", "100"] + kafka)
        try await send([
            #"{"type":"MODIFY","order_id":"s-1","trader_id":"bob","stock_symbol":"NVDA","side":"SELL","quantity":8,"timestamp":\#(now + 3)}"#,
            Self.order("s-2", "bob", "SELL", quantity: 5, at: now + 4),
        ])
        let resume = try await Self.run(["instruments", "resume", "NVDA"] + kafka)
        #expect(resume.status == 0, "\(resume.output)")
        try await send([Self.order("b-3", "amy", "BUY", quantity: 2, at: now + 5)])

        // The matcher's reports (a replay after the kill writes byte-identical duplicates: one per seq) …
        let reportsTopic = KafkaTopicPartition(Topology.executionReports.name, home)
        var reports: [Int64: String] = [:]
        try await SeparateProcessesTests.waitUntil("the reports of b-3", seconds: 60) {
            #expect(match.process.isRunning, "the matcher exited")
            for message in try await Self.records(reportsTopic, configuration) {
                let record = try ExecutionReport.decode(json: message.value ?? [])
                reports[record.seq] = String(decoding: message.value ?? [], as: UTF8.self)
            }
            return reports.values.contains { $0.contains(#""order_id":"b-3""#) && $0.contains("FILLED") }
        }
        let matched = reports.keys.sorted().compactMap { reports[$0] }.map {
            $0.replacingOccurrences(of: #""trade_id":"\#(home)-"#, with: #""trade_id":"0-"#)
        }
        // … equal the offline replay's of the same input, in the same order.
        let lines = try await Self.records(input, configuration).map { message in
            "\(message.timestamp ?? 0)\t" + String(decoding: message.value ?? [], as: UTF8.self)
        }
        let replay = try await Self.run(["engine", "--stdio"], input: lines.joined(separator: "\n") + "\n")
        #expect(replay.status == 0)
        let replayed = replay.output.split(separator: "\n").flatMap { line -> [String] in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let events = object["events"] as? [[String: Any]]
            else { return [] }
            return events.filter { $0["topic"] as? String == Topology.executionReports.name }.compactMap { event in
                (try? JSONSerialization.data(withJSONObject: event["value"] ?? [:], options: [.sortedKeys])).map { String(decoding: $0, as: UTF8.self) }
            }
        }
        let canonical = matched.compactMap { text in
            (try? JSONSerialization.jsonObject(with: Data(text.utf8))).flatMap { try? JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]) }
                .map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(canonical == replayed)
        #expect(matched.contains { $0.contains(#""order_id":"b-2""#) && $0.contains("HALTED:") }, "\(matched)")
        #expect(matched.contains { $0.contains(#""order_id":"s-1""#) && $0.contains("REJECTED") && $0.contains("HALTED:") })
        #expect(matched.filter { $0.contains(#""status":"FILLED""#) }.count >= 2, "b-1 and b-3 trade: \(matched)")

        await producer.close()
        await match.stop()
        await split.stop()
        await broker.stop()
    }
}
