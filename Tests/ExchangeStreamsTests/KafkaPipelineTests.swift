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

    func killAndRestartStages(transactional: Bool, seed: UInt64, combinedAnalytics: Bool = false) async throws {
        let exchange = try await TestExchange(partitions: Self.partitions, transactional: transactional)
        let inputs = Self.inputs(count: 1_500, seed: seed)
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
        let exchange = try await TestExchange(partitions: Self.partitions)
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
