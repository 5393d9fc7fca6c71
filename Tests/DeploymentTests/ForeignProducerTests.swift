import ExchangeTestSupport
import Foundation
import Testing

/// Orders from producers the exchange did not write, through the real stages in their own processes: the original
/// order server's records (no key, no trader, no timestamp, lower-case enums, the placement time as
/// `time_in_force`), produced by kcat, by confluent-kafka and by kafka-python 2.0.2 (the original server's client),
/// land on random partitions. The splitter forwards each to its symbol's partition; it is killed with SIGKILL while
/// it forwards and started again. The trades must equal `exchange engine --stdio` over the sequenced log, every
/// order must be sequenced exactly once, and every bad record must reach `dead_letters` naming its field.
@Suite(.serialized, .timeLimit(.minutes(6))) struct ForeignProducerTests {
    static let partitions = 3

    /// The Python clients' venv (`.ci/kafka-clients-venv`).
    static var venvPython: URL {
        let venv = ProcessInfo.processInfo.environment["KAFKA_CLIENTS_VENV"].map { URL(fileURLWithPath: $0) }
            ?? Repository.url(".venv-kafka-clients")
        return venv.appendingPathComponent("bin/python")
    }

    static let kcat = ["/usr/bin/kcat", "/usr/local/bin/kcat"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Original-format orders as the original notebook makes them: a symbol of five, BUY at up to 5 % over the last
    /// price and SELL up to 5 % under it (two decimals), quantity 1–10, `type` limit, and the placement time (or
    /// `gtc`) as `time_in_force`. Deterministic for a seed.
    static func originalOrders(count: Int, seed: UInt64, prefix: String) -> [String] {
        var state = seed
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        let symbols: [(String, Int)] = [("AAPL", 160), ("FB", 395), ("GOOG", 1165), ("TSLA", 760), ("AMZN", 3011)]
        return (0..<count).map { i in
            let (symbol, last) = symbols[Int(next() % UInt64(symbols.count))]
            let buy = next() % 2 == 0
            let fraction = Double(next() % 5_000) / 100_000
            let cents = Int((Double(last) * (buy ? 1 + fraction : 1 - fraction) * 100).rounded())
            let side = next() % 4 == 0 ? (buy ? "buy" : "sell") : (buy ? "BUY" : "SELL")
            let validity = next() % 5 == 0 ? "gtc" : "2023-03-13 00:50:12"
            return #"{"order_id": "\#(prefix)-\#(i)", "stock_symbol": "\#(symbol)", "quantity": \#(1 + next() % 10), "side": "\#(side)", "order_type": "limit", "price": \#(cents / 100).\#(String(format: "%02d", cents % 100)), "time_in_force": "\#(validity)"}"#
        }
    }

    /// Bad records in the original format, and the field their dead letter must name.
    static let badRecords: [(json: String, field: String)] = [
        (#"{"order_id": "bad-1", "stock_symbol": "AAPL", "quantity": "eight", "side": "BUY", "order_type": "limit", "price": 150.5, "time_in_force": "gtc"}"#, "quantity"),
        (#"{"order_id": "bad-2", "stock_symbol": "AAPL", "quantity": 8, "side": "HOLD", "order_type": "limit", "price": 150.5, "time_in_force": "gtc"}"#, "side"),
        (#"{"order_id": "bad-3", "stock_symbol": "AAPL", "quantity": 8, "side": "BUY", "order_type": "stop", "price": 150.5, "time_in_force": "gtc"}"#, "order_type"),
        (#"{"order_id": "bad-4", "stock_symbol": "AAPL", "quantity": 8, "side": "BUY", "order_type": "limit", "price": 150.5, "time_in_force": "someday"}"#, "time_in_force"),
        (#"{"order_id": "bad-5", "quantity": 8, "side": "BUY", "order_type": "limit", "price": 150.5, "time_in_force": "gtc"}"#, "stock_symbol"),
        (#"{"order_id": "bad-6", "stock_symbol": "AAPL", "quantity": 8, "side": "BUY", "order_type": "limit", "price": "1.5e", "time_in_force": "gtc"}"#, "price"),
    ]

    /// Runs a tool to its end with `input` on stdin; its stdout. The waiting happens on a thread of its own.
    static func run(_ tool: String, _ arguments: [String], input: String = "", timeout: Double = 120) async throws -> String {
        try await onThreadOfItsOwn { try runBlocking(tool, arguments, input: input, timeout: timeout) }
    }

    private static func runBlocking(_ tool: String, _ arguments: [String], input: String, timeout: Double) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        try process.run()
        // Feeding stdin while reading stdout from another thread: a large output must not block the writer.
        let output = OutputBox()
        let reader = Thread { output.data = stdout.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            throw ComposeError("`\(tool) \(arguments.joined(separator: " "))` did not finish within \(Int(timeout)) s")
        }
        while !reader.isFinished { Thread.sleep(forTimeInterval: 0.01) }
        guard process.terminationStatus == 0 else {
            throw ComposeError("`\(tool) \(arguments.joined(separator: " "))` exited \(process.terminationStatus): \(String(decoding: errors, as: UTF8.self))")
        }
        return String(decoding: output.data, as: UTF8.self)
    }

    /// Written by the reader thread before it finishes, read after (`Thread.isFinished`).
    final class OutputBox: @unchecked Sendable {
        var data = Data()
    }

    /// Every record of `topic` as (partition, offset, value), read by kcat.
    static func records(_ topic: String, bootstrap: String) async throws -> [(partition: Int, offset: Int, value: String)] {
        guard let kcat else { throw ComposeError("kcat is not installed (apt-get install kcat; .ci/run installs it)") }
        let text = try await run(kcat, ["-C", "-b", bootstrap, "-t", topic, "-e", "-q", "-f", "%p\t%o\t%s\n"])
        return text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, let p = Int(parts[0]), let o = Int(parts[1]) else { return nil }
            return (p, o, String(parts[2]))
        }
    }

    static func object(_ json: some StringProtocol) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] ?? [:]
    }

    @Test func originalRecordsFromThreeClientsTradeAsTheReplayOfTheSequencedLog() async throws {
        guard let kcat = Self.kcat else {
            Issue.record("kcat is not installed (apt-get install kcat; .ci/run installs it)")
            return
        }
        let python = Self.venvPython.path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            Issue.record("the Kafka clients' venv is missing at \(python): run .ci/kafka-clients-venv (KAFKA_CLIENTS_VENV names another venv)")
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("exchange-foreign-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let bootstrapFile = directory.appendingPathComponent("bootstrap").path
        typealias Child = SeparateProcessesTests.Child
        let broker = try Child(["broker", "--partitions", "\(Self.partitions)", "--bootstrap-file", bootstrapFile])
        defer { broker.killIfRunning() }
        try await SeparateProcessesTests.waitUntil("the bootstrap file", seconds: 30) {
            (try? String(contentsOfFile: bootstrapFile, encoding: .utf8))?.contains(":") == true
        }
        let bootstrap = try String(contentsOfFile: bootstrapFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let stage = ["--brokers", bootstrap, "--partitions", "\(Self.partitions)"]
        var split = try Child(["split"] + stage)
        defer { split.killIfRunning() }
        let match = try Child(["match"] + stage)
        defer { match.killIfRunning() }

        // kcat: no key, so librdkafka puts each record on a random partition; bad records among them.
        let fromKcat = Self.originalOrders(count: 150, seed: 1, prefix: "kcat")
        var kcatLines = fromKcat
        for (i, bad) in Self.badRecords.enumerated() { kcatLines.insert(bad.json, at: 20 + i * 20) }
        _ = try await Self.run(kcat, ["-P", "-b", bootstrap, "-t", "incoming_orders"], input: kcatLines.joined(separator: "\n") + "\n")

        // SIGKILL the splitter once it has forwarded some records (incoming_orders holds more than was produced),
        // then start it again.
        try await SeparateProcessesTests.waitUntil("the splitter forwarding", seconds: 60) {
            try await Self.records("incoming_orders", bootstrap: bootstrap).count > kcatLines.count
        }
        kill(split.process.processIdentifier, SIGKILL)
        while split.process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        split = try Child(["split"] + stage)

        // confluent-kafka and kafka-python, as the original order server produces (value only, no key).
        let fromConfluent = Self.originalOrders(count: 150, seed: 2, prefix: "confluent")
        let fromKafkaPython = Self.originalOrders(count: 150, seed: 3, prefix: "kafkapython")
        let confluentScript = """
            import sys
            from confluent_kafka import Producer
            p = Producer({"bootstrap.servers": sys.argv[1]})
            for line in sys.stdin:
                p.produce("incoming_orders", value=line.rstrip("\\n").encode("utf-8"))
                p.poll(0)
            assert p.flush(30) == 0
            """
        _ = try await Self.run(python, ["-c", confluentScript, bootstrap], input: fromConfluent.joined(separator: "\n") + "\n")
        let kafkaPythonScript = """
            import sys
            from kafka import KafkaProducer
            p = KafkaProducer(bootstrap_servers=[sys.argv[1]], api_version=(2, 5, 0))
            for line in sys.stdin:
                p.send("incoming_orders", line.rstrip("\\n").encode("utf-8"))
            p.flush(30)
            p.close()
            """
        _ = try await Self.run(python, ["-c", kafkaPythonScript, bootstrap], input: fromKafkaPython.joined(separator: "\n") + "\n")

        // Every order is sequenced exactly once, in its symbol's partition; a seq never names two records.
        let all = fromKcat + fromConfluent + fromKafkaPython
        let ids = Set(all.map { Self.object($0)["order_id"] as? String ?? "" })
        var sequenced: [Int: [Int: String]] = [:]
        try await SeparateProcessesTests.waitUntil("every order in buy_orders/sell_orders", seconds: 120) {
            #expect(split.process.isRunning && match.process.isRunning, "a stage exited")
            sequenced = [:]
            for record in try await Self.records("buy_orders", bootstrap: bootstrap) + Self.records("sell_orders", bootstrap: bootstrap) {
                let seq = Self.object(record.value)["seq"] as? Int ?? -1
                if let earlier = sequenced[record.partition]?[seq] {
                    #expect(earlier == record.value, "seq \(seq) of partition \(record.partition) names two records")
                }
                sequenced[record.partition, default: [:]][seq] = record.value
            }
            return sequenced.values.reduce(0) { $0 + $1.count } >= ids.count
        }
        var seen: [String: Int] = [:]
        for (partition, bySeq) in sequenced {
            #expect(bySeq.keys.sorted() == Array(1...bySeq.count), "dense seqs in partition \(partition)")
            for value in bySeq.values {
                let order = Self.object(value)
                seen[order["order_id"] as? String ?? "", default: 0] += 1
                #expect(order["trader_id"] == nil, "an unattributed order stays unattributed")
                #expect(order["timestamp"] is Int, "the Kafka timestamp became the order's")
            }
        }
        #expect(Set(seen.keys) == ids)
        #expect(seen.values.allSatisfy { $0 == 1 }, "an order sequenced twice")

        // The trades of each partition are those of the offline engine over that partition's sequenced log.
        var expected: [String: [String: Any]] = [:]
        for (partition, bySeq) in sequenced {
            let lines = bySeq.keys.sorted().compactMap { bySeq[$0] }
            let replay = try ExchangeBinary.exchange.locate().path
            let output = try await Self.run(replay, ["engine", "--stdio"], input: lines.joined(separator: "\n") + "\n")
            for line in output.split(separator: "\n") {
                for case let event as [String: Any] in Self.object(line)["events"] as? [Any] ?? [] where event["topic"] as? String == "matched_trades" {
                    guard var trade = event["value"] as? [String: Any], let id = trade["TRADE_ID"] as? String else { continue }
                    let number = id.split(separator: "-").last.map(String.init) ?? id
                    trade["TRADE_ID"] = "\(partition)-\(number)"
                    trade["SEQ"] = nil
                    expected["\(partition)-\(number)"] = trade
                }
            }
        }
        #expect(expected.count > 50, "the replay gives few trades (\(expected.count)): the test would prove little")
        var trades: [String: [String: Any]] = [:]
        try await SeparateProcessesTests.waitUntil("\(expected.count) trades in matched_trades", seconds: 120) {
            trades = [:]
            for record in try await Self.records("matched_trades", bootstrap: bootstrap) {
                var trade = Self.object(record.value)
                guard let id = trade["TRADE_ID"] as? String else { continue }  // ticks
                trade["SEQ"] = nil
                trades[id] = trade
            }
            return trades.count >= expected.count
        }
        #expect(trades.count == expected.count)
        for (id, trade) in expected {
            #expect(trades[id].map { NSDictionary(dictionary: $0).isEqual(to: trade) } == true, "trade \(id): \(trades[id] ?? [:]) vs \(trade)")
        }

        // Each bad record is dead-lettered once, naming its field.
        let letters = try await Self.records("dead_letters", bootstrap: bootstrap).map { Self.object($0.value) }
        for bad in Self.badRecords {
            let source = Self.object(bad.json)["order_id"] as? String ?? ""
            let matching = Set(letters.filter { ($0["payload"] as? String)?.contains("\"\(source)\"") == true }.map { "\($0["source_partition"] ?? "")/\($0["source_offset"] ?? "")" })
            #expect(matching.count == 1, "dead letters of \(source): \(matching.count)")
            let reason = letters.first { ($0["payload"] as? String)?.contains("\"\(source)\"") == true }?["reason"] as? String ?? ""
            #expect(reason.contains("'\(bad.field)'"), "the dead letter of \(source) names \(bad.field): \(reason)")
        }
        await split.stop()
        await match.stop()
        await broker.stop()
    }
}
