import ExchangeRecords
import Foundation
import StreamAnalytics

/// Window options of the analytics stages (`--window-size`, `--advance`, `--grace`, `--emit`), in milliseconds.
public struct AnalyticsOptions: Sendable, Hashable {
    public var windowSize: Int64 = 600_000
    public var advance: Int64 = 300_000
    public var grace: Int64 = AnalyticsConfiguration.defaultGrace
    public var emitMode: EmitMode = .changes

    public init(windowSize: Int64 = 600_000, advance: Int64 = 300_000, grace: Int64 = AnalyticsConfiguration.defaultGrace, emitMode: EmitMode = .changes) {
        self.windowSize = windowSize
        self.advance = advance
        self.grace = grace
        self.emitMode = emitMode
    }

    func configuration(outputs: AnalyticsOutputs, emitMode: EmitMode? = nil) throws -> AnalyticsConfiguration {
        try AnalyticsConfiguration(
            window: WindowSpec(size: windowSize, advance: advance), grace: grace, emitMode: emitMode ?? self.emitMode,
            outputs: outputs)
    }
}

/// `sma`, `profit` and `top`: window analytics over `matched_trades`, one aggregator per partition and analysis.
///
/// Trades (`matched_trades[p]`) and the ticks the matcher forwarded (`matched_trades_ticks[p]`) share one dense
/// sequence; the task merges them back by it (`SeqMerger`), which also drops duplicates from a restarted matcher.
/// Ticks advance stream time so windows close in idle partitions. `top` ranks per partition (EMIT FINAL) into `top_profit_partials` and a
/// single merger task combines the partitions' rankings once every partition has closed the window (see
/// `TopMergeState`).
///
/// One stage may run several analyses (`exchange run` runs all three as `analytics`): they then share one consumer,
/// so each trade is fetched once instead of once per analysis; each analysis is still its own task with its own
/// snapshot.
public struct AnalyticsStage: StageDefinition {
    public enum Kind: String, Sendable, CaseIterable { case sma, profit, top }

    /// The analyses this stage runs, in `Kind.allCases` order.
    public let analyses: [Kind]
    public let options: AnalyticsOptions
    /// Partitions of `matched_trades` (the top merger waits for all of them).
    public let partitions: Int
    let metrics: [Kind: StageMetrics]

    public init(_ kind: Kind, options: AnalyticsOptions = AnalyticsOptions(), partitions: Int) throws {
        try self.init(analyses: [kind], options: options, partitions: partitions)
    }

    /// Top always emits final rankings, whatever `options.emitMode` says: a CHANGES ranking across partitions would
    /// depend on the interleaving of the partitions, so it could not be deterministic.
    public init(analyses: [Kind], options: AnalyticsOptions = AnalyticsOptions(), partitions: Int) throws {
        guard !analyses.isEmpty else { throw StageError("an analytics stage needs at least one of sma, profit, top") }
        self.analyses = Kind.allCases.filter(analyses.contains)
        self.options = options
        self.partitions = partitions
        metrics = Dictionary(uniqueKeysWithValues: self.analyses.map { ($0, StageMetrics(stage: $0.rawValue)) })
        _ = try options.configuration(outputs: .symbolWindows)  // validate early, with the library's message
    }

    /// The analysis's own name alone; `analytics` for several together.
    public var name: String { analyses.count == 1 ? analyses[0].rawValue : "analytics" }

    public var kinds: [TaskKind] {
        analyses.flatMap { analysis -> [TaskKind] in
            switch analysis {
            case .sma, .profit:
                [TaskKind(name: analysis.rawValue, inputs: [Topology.matchedTrades.name, Topology.matchedTradesTicks.name])]
            case .top:
                [
                    TaskKind(name: "rank", inputs: [Topology.matchedTrades.name, Topology.matchedTradesTicks.name]),
                    TaskKind(name: "merge", inputs: [Topology.topProfitPartials.name]),
                ]
            }
        }
    }

    public func makeTask(kind taskKind: TaskKind, partition: Int32, snapshot: StageSnapshot?) throws -> any StageTask {
        if taskKind.name == "merge" {
            let task = TopMergeTask(state: TopMergeState(partitions: Int32(partitions)))
            if let snapshot {
                task.state = try JSONDecoder().decode(TopMergeState.self, from: Data(snapshot.state))
                task.nextOffset = snapshot.positions[Topology.topProfitPartials.name]
            }
            return task
        }
        guard let analysis = taskKind.name == "rank" ? .top : Kind(rawValue: taskKind.name), let metrics = metrics[analysis]
        else { throw StageError("analytics: unknown task kind \(taskKind.name)") }
        let configuration =
            analysis == .top
            ? try options.configuration(outputs: .topProfit, emitMode: .final)
            : try options.configuration(outputs: .symbolWindows)
        let task = WindowTask(stage: analysis, partition: partition, aggregator: WindowAggregator(configuration: configuration), metrics: metrics)
        if let snapshot {
            task.aggregator = try WindowAggregator(snapshot: snapshot.state)
            task.merger = SeqMerger(
                nextSeq: snapshot.marks["nextSeq"] ?? 1,
                positions: [snapshot.positions[Topology.matchedTrades.name], snapshot.positions[Topology.matchedTradesTicks.name]])
            task.watermark = snapshot.marks["watermark"] ?? .min
        }
        return task
    }
}

final class WindowTask: StageTask {
    let stage: AnalyticsStage.Kind
    let partition: Int32
    let metrics: StageMetrics
    var aggregator: WindowAggregator
    var merger = SeqMerger<(AnalyticsRecordMapping.Input, InputRecord)>(nextSeq: 1, positions: [nil, nil])
    private var reportedDuplicates = 0
    /// top: the closed-through time last announced to the merger.
    var watermark: Int64 = .min
    private var buffer: [UInt8] = []

    init(stage: AnalyticsStage.Kind, partition: Int32, aggregator: WindowAggregator, metrics: StageMetrics) {
        self.stage = stage
        self.partition = partition
        self.aggregator = aggregator
        self.metrics = metrics
    }

    var positions: [String: Int64] {
        var result: [String: Int64] = [:]
        let sides = merger.positions
        if let trades = sides[0] { result[Topology.matchedTrades.name] = trades }
        if let ticks = sides[1] { result[Topology.matchedTradesTicks.name] = ticks }
        return result
    }

    var marks: [String: Int64] { ["nextSeq": merger.nextSeq, "watermark": watermark] }
    func stateBytes() throws -> [UInt8] { aggregator.snapshot() }

    func apply(_ record: InputRecord, into outputs: inout [OutputRecord]) throws {
        let side = record.topic == Topology.matchedTrades.name ? 0 : 1
        let value = record.value ?? []
        do {
            if side == 0 {
                let input = try value.withUnsafeBytes { raw in
                    try Result { () throws(RecordDecodingError) in try AnalyticsRecordMapping.decodeInput(json: raw) }.get()
                }
                guard case .trade(let trade) = input else {
                    throw RecordDecodingError(field: nil, reason: "a tick on matched_trades (ticks travel on \(Topology.matchedTradesTicks.name))")
                }
                merger.add(side: 0, offset: record.offset, seq: trade.seq, element: (input, record))
            } else {
                let tick = try SequencedOrder.decode(json: value)
                guard case .tick(let t) = tick.order else {
                    throw RecordDecodingError(field: "type", reason: "expected a TICK on \(Topology.matchedTradesTicks.name)")
                }
                merger.add(side: 1, offset: record.offset, seq: tick.seq, element: (.tick(t.timestamp), record))
            }
        } catch {
            metrics.deadLetters.increment()
            outputs.append(DeadLetters.record(stage: stage.rawValue, source: record, reason: "\(error)"))
            merger.skip(side: side, offset: record.offset)
            return
        }
        while let (input, source) = merger.next() {
            let results: [AnalyticsOutput]
            switch input {
            case .trade(let trade): results = try aggregator.process(trade)
            case .tick(let time): results = try aggregator.tick(time)
            }
            for result in results { emit(result, source: source, into: &outputs) }
        }
        if let missing = merger.missingSeq {
            metrics.seqGaps.increment()
            throw StageError(
                "\(stage.rawValue): seq \(missing) of partition \(partition) is in neither \(Topology.matchedTrades.name) nor "
                    + "\(Topology.matchedTradesTicks.name), though both hold later records: it was lost upstream. "
                    + "Refusing to skip it.")
        }
        if merger.duplicatesDropped > reportedDuplicates {
            metrics.duplicatesDropped.increment(by: merger.duplicatesDropped - reportedDuplicates)
            reportedDuplicates = merger.duplicatesDropped
        }
        if stage == .top, let streamTime = aggregator.streamTime {
            let closedThrough = streamTime - aggregator.configuration.grace
            if closedThrough >= nextWindowEnd(after: watermark) {
                watermark = closedThrough
                outputs.append(partialRecord(.watermark(partition: partition, closedThrough: closedThrough)))
            }
        }
    }

    /// The smallest window end greater than `time`.
    private func nextWindowEnd(after time: Int64) -> Int64 {
        let window = aggregator.configuration.window
        if time == .min { return .min }
        let startAfter = time - window.size
        let k = startAfter >= 0 ? startAfter / window.advance + 1 : 0
        return k * window.advance + window.size
    }

    private func partialRecord(_ partial: TopPartial) -> OutputRecord {
        OutputRecord(topic: Topology.topProfitPartials.name, partition: 0, key: partial.key, value: (try? partial.encoded()) ?? [])
    }

    private func emit(_ result: AnalyticsOutput, source: InputRecord, into outputs: inout [OutputRecord]) {
        switch result {
        case .symbolWindow(let window):
            buffer.removeAll(keepingCapacity: true)
            let key: String
            let topic: String
            if stage == .sma {
                let record = AnalyticsRecordMapping.smaRecord(window)
                record.value.encode(into: &buffer)
                (key, topic) = (record.key, Topology.smaHoppingTable.name)
            } else {
                let record = AnalyticsRecordMapping.profitRecord(window)
                record.value.encode(into: &buffer)
                (key, topic) = (record.key, Topology.stockProfit.name)
            }
            outputs.append(OutputRecord(topic: topic, partition: partition, key: key, value: buffer))
        case .topProfit(let ranking):
            outputs.append(partialRecord(.window(partition: partition, result: ranking)))
        case .lateTrade(let late):
            metrics.deadLetters.increment()
            let letter = AnalyticsRecordMapping.deadLetter(
                late, sourcePartition: source.partition, sourceOffset: source.offset, rawPayload: source.value ?? [],
                stage: stage.rawValue)
            outputs.append(
                OutputRecord(
                    topic: Topology.deadLetters.name, partition: 0,
                    key: DeadLetters.key(stage: stage.rawValue, source: source), value: letter.encoded()))
        }
    }
}

/// The single `top` merger: partials of all partitions → `top_profit`.
final class TopMergeTask: StageTask {
    var state: TopMergeState
    var nextOffset: Int64?

    init(state: TopMergeState) { self.state = state }

    var positions: [String: Int64] { nextOffset.map { [Topology.topProfitPartials.name: $0] } ?? [:] }
    var marks: [String: Int64] { ["doneThrough": state.doneThrough] }
    func stateBytes() throws -> [UInt8] { Array(try JSONEncoder().encode(state)) }

    func apply(_ record: InputRecord, into outputs: inout [OutputRecord]) throws {
        nextOffset = record.offset + 1
        guard let value = record.value, let partial = try? JSONDecoder().decode(TopPartial.self, from: Data(value)) else {
            outputs.append(DeadLetters.record(stage: "top", source: record, reason: "not a top_profit partial"))
            return
        }
        for window in state.apply(partial) {
            let record = AnalyticsRecordMapping.topProfitRecord(window)
            outputs.append(OutputRecord(topic: Topology.topProfit.name, partition: 0, key: record.key, value: record.value.encoded()))
        }
    }
}
