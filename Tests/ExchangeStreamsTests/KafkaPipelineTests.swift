import ExchangeRecords
import ExchangeStreams
import Kafka
import KafkaEmbedded
import XCTest

/// The whole pipeline on the embedded cluster against the offline result of the engine and analytics libraries:
/// fault-free, with stages killed and restarted at random points, with broker faults, and with a second matcher
/// joining and leaving.
final class KafkaPipelineTests: XCTestCase {
    static let partitions = 3
    static let options = AnalyticsOptions(windowSize: 60_000, advance: 30_000, grace: 5_000, emitMode: .changes)
    static let start: Int64 = 1_700_000_000_000

    /// Demo orders (each in its symbol's partition, half a second apart), then one far-future tick per partition so
    /// every window closes.
    static func inputs(count: Int, seed: UInt64 = 11) -> [OfflineExchange.Input] {
        var generator = DemoOrderGenerator(seed: seed, maxLiveOrders: 100)
        var inputs: [OfflineExchange.Input] = (0..<count).map { i in
            let order = generator.next(timestamp: start + Int64(i) * 500)
            return OfflineExchange.Input(partition: Topology.partition(ofSymbol: order.stockSymbol ?? "", partitions: partitions), order: order)
        }
        for p in 0..<partitions {
            inputs.append(.init(partition: Int32(p), order: .tick(Tick(timestamp: start + Int64(count) * 500 + 3_600_000))))
        }
        return inputs
    }

    /// Demo orders with instrument changes spliced in, each stamped just before its neighbour: NVDA rejected, listed
    /// mid-stream and traded; AAPL halted and resumed; TSLA's tick made finer; FB delisted; and a SET of an unlisted
    /// symbol, which the matcher refuses (a dead letter, nothing changes).
    static func inputsWithInstrumentChanges(count: Int, seed: UInt64) throws -> [OfflineExchange.Input] {
        var inputs = Self.inputs(count: count, seed: seed)
        func time(_ i: Int) -> Int64 { start + Int64(i) * 500 - 1 }
        func record(_ json: String) throws -> OfflineExchange.Input {
            let order = try IncomingOrder.decode(json: json, rules: .init())
            return .init(partition: Topology.partition(ofSymbol: order.stockSymbol ?? "", partitions: partitions), order: order)
        }
        let nvda = #"{"symbol":"NVDA","name":"NVIDIA","exchange":"NASDAQ","tick_size":0.01,"lot_size":1,"last_price":500,"price_band_low":400,"price_band_high":600}"#
        let tsla = #"{"symbol":"TSLA","name":"Tesla, Inc.","exchange":"NASDAQ","tick_size":0.01,"lot_size":1,"last_price":760,"price_band_low":608,"price_band_high":912}"#
        func nvdaOrder(_ i: Int) -> String {
            let side = i % 2 == 0 ? "SELL" : "BUY"
            return #"{"order_id":"nv-\#(i)","trader_id":"nv-\#(side)","stock_symbol":"NVDA","side":"\#(side)","order_type":"LIMIT","price":500,"quantity":\#(i % 2 == 0 ? 5 : 3),"time_in_force":"GTC","timestamp":\#(time(i))}"#
        }
        var splices: [(Int, String)] = [
            (50, nvdaOrder(50)),
            (100, #"{"type":"INSTRUMENT","action":"LIST","stock_symbol":"NVDA","instrument":\#(nvda),"timestamp":\#(time(100))}"#),
            (300, #"{"type":"INSTRUMENT","action":"HALT","stock_symbol":"AAPL","reason":"news","timestamp":\#(time(300))}"#),
            (400, #"{"type":"INSTRUMENT","action":"SET","stock_symbol":"ZZZ","instrument":\#(nvda.replacingOccurrences(of: "NVDA", with: "ZZZ")),"timestamp":\#(time(400))}"#),
            (600, #"{"type":"INSTRUMENT","action":"RESUME","stock_symbol":"AAPL","timestamp":\#(time(600))}"#),
            (800, #"{"type":"INSTRUMENT","action":"SET","stock_symbol":"TSLA","instrument":\#(tsla),"timestamp":\#(time(800))}"#),
            (1_000, #"{"type":"INSTRUMENT","action":"DELIST","stock_symbol":"FB","timestamp":\#(time(1_000))}"#),
        ]
        splices += stride(from: 160, to: 1_100, by: 50).flatMap { [($0, nvdaOrder($0)), ($0 + 1, nvdaOrder($0 + 1))] }
        for (index, json) in splices.sorted(by: { $0.0 > $1.0 }) { inputs.insert(try record(json), at: index) }
        return inputs
    }

    func produce(_ inputs: [OfflineExchange.Input], to exchange: TestExchange) async throws {
        try await exchange.produce(inputs.map { ($0.order.stockSymbol, $0.order.encoded(), $0.partition) })
    }

    /// Split, match and the analytics: as `exchange sma`, `profit` and `top` run them (a stage each), or as
    /// `exchange run` does (`combinedAnalytics`: one stage, one consumer, a task per analysis).
    func stages(combinedAnalytics: Bool = false) throws -> [any StageDefinition] {
        let analytics: [any StageDefinition] =
            combinedAnalytics
            ? [try AnalyticsStage(analyses: AnalyticsStage.Kind.allCases, options: Self.options, partitions: Self.partitions)]
            : try AnalyticsStage.Kind.allCases.map { try AnalyticsStage($0, options: Self.options, partitions: Self.partitions) }
        return [SplitStage(partitions: Self.partitions), MatchStage()] + analytics
    }

    /// Waits until every output topic holds (by identity) what the offline run produced, then checks byte equality.
    func assertOutputsEqual(_ expected: OfflineExchange, _ exchange: TestExchange, timeout: Duration = .seconds(120)) async throws {
        let checks: [(String, [String: [UInt8]], (InputRecord) -> String)] = [
            (Topology.matchedTrades.name, expected.trades, Identity.trade),
            (Topology.executionReports.name, expected.reports, Identity.report),
            (Topology.smaHoppingTable.name, expected.sma, Identity.sma),
            (Topology.stockProfit.name, expected.profit, Identity.profit),
            (Topology.topProfit.name, expected.top, Identity.key),
        ]
        for (topic, want, identity) in checks {
            XCTAssertFalse(want.isEmpty, "offline \(topic) is empty: the test would prove nothing")
            var got: [String: [UInt8]] = [:]
            try await waitUntil("\(topic) complete (\(want.count) identities)", timeout: timeout, every: .milliseconds(250)) {
                got = try deduplicated(try await exchange.read(topic), identity: identity)
                return got.count >= want.count
            }
            XCTAssertEqual(got.count, want.count, topic)
            for (id, value) in want where got[id] != value {
                XCTFail("\(topic) \(id): got \(got[id].map { String(decoding: $0, as: UTF8.self) } ?? "nothing"), want \(String(decoding: value, as: UTF8.self))")
                break
            }
        }
    }

    func testPipelineEqualsTheOfflineEngineAndAnalytics() async throws {
        let exchange = try await TestExchange(partitions: Self.partitions)
        let inputs = Self.inputs(count: 1_500)
        let expected = try OfflineExchange(inputs: inputs, partitions: Self.partitions, options: Self.options)
        try await produce(inputs, to: exchange)
        let tasks = try stages().map { exchange.start($0) }
        try await assertOutputsEqual(expected, exchange)
        for task in tasks { try await crash(task) }
    }

    /// Busy-poll consumers (`fetch.wait.max.ms=0`) ask again the moment a fetch comes back empty: the outputs are
    /// the same as with the default profile.
    func testBusyPollProfileGivesTheOfflineOutputs() async throws {
        let exchange = try await TestExchange(partitions: Self.partitions, profile: .busyPoll)
        XCTAssertEqual(exchange.settings.kafka.fetchWaitMaxMs, 0)
        let inputs = Self.inputs(count: 600, seed: 23)
        let expected = try OfflineExchange(inputs: inputs, partitions: Self.partitions, options: Self.options)
        let tasks = try stages(combinedAnalytics: true).map { exchange.start($0) }
        try await produce(inputs, to: exchange)
        try await assertOutputsEqual(expected, exchange)
        for task in tasks { try await crash(task) }
    }

    func testStagesKilledAndRestartedAtRandomPointsChangeNothing() async throws {
        try await killAndRestartStages(transactional: false, seed: 12)
    }

    /// The same kills with the analytics as `exchange run` runs them: killing index 2 kills all three analyses.
    func testCombinedAnalyticsKilledAndRestartedAtRandomPointsChangeNothing() async throws {
        try await killAndRestartStages(transactional: false, seed: 15, combinedAnalytics: true)
    }

    /// Transactional mode through the same kills. The embedded cluster does not hide aborted records from
    /// read_committed readers, so this shows that transactions (begin, snapshot and offsets in the transaction,
    /// commit, abort on failure) leave the outputs exactly as without them; hiding duplicates needs real Kafka.
    func testTransactionalStagesKilledAndRestartedChangeNothing() async throws {
        try await killAndRestartStages(transactional: true, seed: 14)
    }

    /// A listing, a halt and resume, a tick change and a delisting while the stages run give the offline engine's
    /// outputs: the matcher applies each change at its place in the sequence. A change it refuses and one the splitter
    /// cannot read become dead letters naming the reason.
    func testInstrumentChangesMidStreamGiveTheOfflineOutputs() async throws {
        let exchange = try await TestExchange(partitions: Self.partitions)
        let inputs = try Self.inputsWithInstrumentChanges(count: 1_200, seed: 31)
        let expected = try OfflineExchange(inputs: inputs, partitions: Self.partitions, options: Self.options)
        let reports = expected.reports.values.map { String(decoding: $0, as: UTF8.self) }
        XCTAssertTrue(reports.contains { $0.contains(#""symbol":"AAPL""#) && $0.contains("HALTED:") }, "no AAPL order met the halt")
        XCTAssertTrue(reports.contains { $0.contains(#""symbol":"FB""#) && $0.contains("DELISTED:") }, "no FB order was resting at the delisting")
        XCTAssertTrue(reports.contains { $0.contains(#""order_id":"nv-50""#) && $0.contains("UNKNOWN_SYMBOL:") })
        XCTAssertTrue(expected.trades.values.contains { String(decoding: $0, as: UTF8.self).contains(#""BUY_STOCK_SYMBOL":"NVDA""#) })
        let badTick = #"{"type":"INSTRUMENT","action":"SET","stock_symbol":"NVDA","instrument":{"symbol":"NVDA","name":"NVIDIA","exchange":"NASDAQ","tick_size":-0.01,"lot_size":1,"last_price":500,"price_band_low":400,"price_band_high":600},"timestamp":1}"#
        try await exchange.produce([("NVDA", Array(badTick.utf8), Topology.partition(ofSymbol: "NVDA", partitions: Self.partitions))])
        let tasks = try stages().map { exchange.start($0) }
        try await produce(inputs, to: exchange)
        try await assertOutputsEqual(expected, exchange)
        var letters: [String] = []
        try await waitUntil("both dead letters", timeout: .seconds(30), every: .milliseconds(250)) {
            letters = try await exchange.read(Topology.deadLetters.name).map { String(decoding: $0.value ?? [], as: UTF8.self) }
            return letters.contains { $0.contains("unknown symbol ZZZ") } && letters.contains { $0.contains("field 'tick_size'") }
        }
        XCTAssertEqual(letters.count, 2, "\(letters)")
        for task in tasks { try await crash(task) }
    }

    /// Split, match and the analytics killed and restarted at random points around the same changes: identical outputs.
    func testStagesKilledAroundInstrumentChangesChangeNothing() async throws {
        try await killAndRestartStages(transactional: false, seed: 32, inputs: try Self.inputsWithInstrumentChanges(count: 1_200, seed: 32))
    }

    func killAndRestartStages(
        transactional: Bool, seed: UInt64, combinedAnalytics: Bool = false, inputs given: [OfflineExchange.Input]? = nil
    ) async throws {
        let exchange = try await TestExchange(partitions: Self.partitions, transactional: transactional)
        let inputs = given ?? Self.inputs(count: 1_500, seed: seed)
        let expected = try OfflineExchange(inputs: inputs, partitions: Self.partitions, options: Self.options)
        try await produce(inputs, to: exchange)
        let definitions = try stages(combinedAnalytics: combinedAnalytics)
        var progress = definitions.map { _ in StageProgress() }
        var tasks = definitions.indices.map { exchange.start(definitions[$0], progress: progress[$0]) }
        // Kill split, match and sma or the combined analytics (indices 0, 1, 2) twice each, each time after a random number of applied records
        // (a stage that has run out of input is killed anyway once the wait gives up).
        var rng = SystemRandomNumberGenerator()
        var kills = 0
        for round in 0..<6 {
            let victim = round % 3
            let target = Int.random(in: 50...700, using: &rng)
            try? await waitUntil("\(definitions[victim].name) applied \(target) records", timeout: .seconds(10)) {
                progress[victim].value >= target
            }
            if progress[victim].value > 0 { kills += 1 }
            try await crash(tasks[victim])
            progress[victim] = StageProgress()
            tasks[victim] = exchange.start(definitions[victim], progress: progress[victim])
        }
        XCTAssertGreaterThanOrEqual(kills, 3, "stages must be killed while they work")
        try await assertOutputsEqual(expected, exchange)
        for task in tasks { try await crash(task) }
    }

    func testBrokerDownAndInjectedRequestErrorsChangeNothing() async throws {
        // One produce request in flight: with several, an injected error can lose a record on the embedded cluster,
        // which does not check producer sequences (FaultToleranceTests says more).
        let exchange = try await TestExchange(partitions: Self.partitions, kafkaProperties: ["max.in.flight.requests.per.connection": "1"])
        let inputs = Self.inputs(count: 1_200, seed: 13)
        let expected = try OfflineExchange(inputs: inputs, partitions: Self.partitions, options: Self.options)
        let half = inputs.count / 2
        try await produce(Array(inputs[..<half]), to: exchange)
        let definitions = try stages()
        let matchProgress = StageProgress()
        let tasks = definitions.map { exchange.start($0, progress: $0.name == "match" ? matchProgress : nil) }
        try await waitUntil("the matcher is working") { matchProgress.value > 100 }
        // Requests fail (retriable errors and dropped connections), then the broker goes away for a while.
        exchange.cluster.pushRequestErrors(.produce, [.notLeaderForPartition, .transport, .requestTimedOut, .leaderNotAvailable])
        exchange.cluster.pushRequestErrors(.fetch, [.notLeaderForPartition, .transport])
        exchange.cluster.pushRequestErrors(.offsetCommit, [.coordinatorNotAvailable, .notCoordinator])
        try exchange.cluster.setBrokerDown(1)
        let downAt = matchProgress.value
        try? await waitUntil("a stalled matcher", timeout: .seconds(2)) { matchProgress.value > downAt + 1_000_000 }
        try exchange.cluster.setBrokerUp(1)
        try await produce(Array(inputs[half...]), to: exchange)
        try await assertOutputsEqual(expected, exchange)
        for task in tasks { try await crash(task) }
    }

    func testASecondMatcherJoiningAndLeavingMidStreamChangesNothing() async throws {
        try await secondInstanceJoinsAndLeaves("match", seed: 14)
    }

    /// The combined analytics stage's tasks (three per partition, sharing the inputs, plus top's merger) move between
    /// the instances with their snapshots.
    func testASecondCombinedAnalyticsInstanceJoiningAndLeavingChangesNothing() async throws {
        try await secondInstanceJoinsAndLeaves("analytics", seed: 16, combinedAnalytics: true)
    }

    /// A second instance of stage `name` joins mid-stream, takes partitions and leaves again; the outputs equal the
    /// offline result.
    func secondInstanceJoinsAndLeaves(_ name: String, seed: UInt64, combinedAnalytics: Bool = false) async throws {
        let exchange = try await TestExchange(partitions: Self.partitions)
        let inputs = Self.inputs(count: 1_500, seed: seed)
        let expected = try OfflineExchange(inputs: inputs, partitions: Self.partitions, options: Self.options)
        let half = inputs.count / 2
        try await produce(Array(inputs[..<half]), to: exchange)
        let definitions = try stages(combinedAnalytics: combinedAnalytics)
        let joining = try XCTUnwrap(definitions.first { $0.name == name })
        let first = StageProgress()
        let tasks = definitions.map { exchange.start($0, progress: $0.name == name ? first : nil) }
        try await waitUntil("the first \(name) instance is working") { first.value > 100 }
        let second = StageProgress()
        let secondInstance = exchange.start(joining, progress: second)
        try await waitUntil("the second \(name) instance joined the group", timeout: .seconds(30)) { second.tasksStarted > 0 }
        try await produce(Array(inputs[half...]), to: exchange)
        try await waitUntil("the second \(name) instance took partitions", timeout: .seconds(30)) { second.value > 0 }
        try await crash(secondInstance)  // leaves the group: its partitions go back to the first instance
        try await assertOutputsEqual(expected, exchange)
        for task in tasks { try await crash(task) }
    }
}
