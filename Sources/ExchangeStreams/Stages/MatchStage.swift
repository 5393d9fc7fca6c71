import ExchangeRecords
import MatchingEngine

/// `match`: `buy_orders[p]` + `sell_orders[p]` → `matched_trades[p]` + `execution_reports[p]`.
///
/// The range assignor gives partition p of both inputs to the same instance (co-partitioning). The two sides are
/// merged strictly by the splitter's `seq` (`SeqMerger`), so the engine sees exactly the order of `incoming_orders[p]`
/// whatever the fetch interleaving; one engine per partition. Each tick is forwarded, after the engine applied it, to
/// the internal topic `matched_trades_ticks[p]`, so the analytics' stream time moves in idle partitions too;
/// `matched_trades` itself carries trades only. Trades and forwarded ticks share one dense per-partition sequence
/// (trade `SEQ`, tick `seq`) so the analytics merge them back exactly like the matcher merges the two sides — trade
/// `SEQ` alone is therefore increasing, not dense. `TRADE_ID` = `<partition>-<engine trade number>`; execution
/// reports carry their own dense per-partition `seq`.
public struct MatchStage: StageDefinition {
    public let name = "match"
    public let kinds = [TaskKind(name: "match", inputs: [Topology.buyOrders.name, Topology.sellOrders.name])]
    public let instruments: [MatchingEngine.Instrument]
    public let configuration: EngineConfiguration
    let metrics = StageMetrics(stage: "match")

    public init(instruments: [MatchingEngine.Instrument] = InstrumentCatalog.seed, configuration: EngineConfiguration = EngineConfiguration()) {
        self.instruments = instruments
        self.configuration = configuration
    }

    public func makeTask(kind: TaskKind, partition: Int32, snapshot: StageSnapshot?) throws -> any StageTask {
        guard let snapshot else {
            return MatchTask(
                partition: partition, engine: Engine(instruments: instruments, configuration: configuration),
                merger: SeqMerger(nextSeq: 1, positions: [nil, nil]), outSeq: 0, reportSeq: 0, metrics: metrics)
        }
        let engine: Engine
        do { engine = try Engine(snapshot: snapshot.state) } catch {
            throw StageError("match: engine snapshot of partition \(partition) does not restore: \(error)")
        }
        return MatchTask(
            partition: partition, engine: engine,
            merger: SeqMerger(
                nextSeq: snapshot.marks["nextSeq"] ?? 1,
                positions: [snapshot.positions[Topology.buyOrders.name], snapshot.positions[Topology.sellOrders.name]]),
            outSeq: snapshot.marks["outSeq"] ?? 0, reportSeq: snapshot.marks["reportSeq"] ?? 0, metrics: metrics)
    }
}

final class MatchTask: StageTask {
    let partition: Int32
    let engine: Engine
    var merger: SeqMerger<SequencedOrder>
    /// The records of instrument changes waiting in the merge, by seq: a refused one is dead-lettered as it came.
    private var controlSources: [Int64: InputRecord] = [:]
    /// Last seq given to a trade or a forwarded tick.
    var outSeq: Int64
    var reportSeq: Int64
    let metrics: StageMetrics
    private var events: [EngineEvent] = []
    private var buffer: [UInt8] = []
    private var reportedDuplicates = 0

    init(partition: Int32, engine: Engine, merger: SeqMerger<SequencedOrder>, outSeq: Int64, reportSeq: Int64, metrics: StageMetrics) {
        self.partition = partition
        self.engine = engine
        self.merger = merger
        self.outSeq = outSeq
        self.reportSeq = reportSeq
        self.metrics = metrics
        buffer.reserveCapacity(512)
    }

    var positions: [String: Int64] {
        var result: [String: Int64] = [:]
        let sides = merger.positions
        if let buy = sides[0] { result[Topology.buyOrders.name] = buy }
        if let sell = sides[1] { result[Topology.sellOrders.name] = sell }
        return result
    }

    var marks: [String: Int64] { ["nextSeq": merger.nextSeq, "outSeq": outSeq, "reportSeq": reportSeq] }

    func stateBytes() throws -> [UInt8] { engine.snapshot() }

    /// The engine's snapshot of a busy partition holds every id accepted since the session closed (megabytes by the
    /// end of a busy day) and took 7-9 ms per megabyte to encode; encoding it on the matcher's loop held up every
    /// order behind it.
    func captureState() throws -> @Sendable () throws -> [UInt8] {
        let capture = engine.snapshotCapture()
        return { capture.encoded() }
    }

    func apply(_ record: InputRecord, into outputs: inout [OutputRecord]) throws {
        let side = record.topic == Topology.sellOrders.name ? 1 : 0
        let order: SequencedOrder
        do {
            order = try SequencedOrder.decode(json: record.value ?? [])
        } catch {
            // Only the splitter writes here; a foreign record has no seq the merge could wait for.
            metrics.deadLetters.increment()
            outputs.append(DeadLetters.record(stage: "match", source: record, reason: "\(error)"))
            merger.skip(side: side, offset: record.offset)
            return
        }
        if case .instrument = order.order, order.seq >= merger.nextSeq {
            var source = record
            source.value = record.value.map { ArraySlice(Array($0)) }  // not the whole fetched batch
            controlSources[order.seq] = source
        }
        merger.add(side: side, offset: record.offset, seq: order.seq, element: order)
        while let next = merger.next() {
            if case .instrument = next.order, let source = controlSources.removeValue(forKey: next.seq),
                let problem = EngineRecordMapping.refusal(next.order, engine: engine)
            {
                metrics.deadLetters.increment()
                outputs.append(DeadLetters.record(stage: "match", source: source, reason: "refused instrument change: \(problem)"))
                continue
            }
            execute(next.order, into: &outputs)
        }
        if let missing = merger.missingSeq {
            throw StageError(
                "match: seq \(missing) of partition \(partition) is in neither \(Topology.buyOrders.name) nor "
                    + "\(Topology.sellOrders.name), though both hold later records: it was lost upstream. Refusing to skip it.")
        }
        if merger.duplicatesDropped > reportedDuplicates {
            metrics.duplicatesDropped.increment(by: merger.duplicatesDropped - reportedDuplicates)
            reportedDuplicates = merger.duplicatesDropped
        }
    }

    private func execute(_ order: IncomingOrder, into outputs: inout [OutputRecord]) {
        events.removeAll(keepingCapacity: true)
        let terms = EngineRecordMapping.process(order, engine: engine, into: &events)
        for event in events {
            buffer.removeAll(keepingCapacity: true)
            switch event {
            case .trade(let trade):
                let record = EngineRecordMapping.matchedTrade(trade, engine: engine, tradeId: "\(partition)-\(trade.tradeNumber)", seq: nextOutSeq())
                record.encode(into: &buffer)
                outputs.append(OutputRecord(topic: Topology.matchedTrades.name, partition: partition, key: record.buyStockSymbol, value: buffer))
            case .report(let report):
                reportSeq += 1
                let record = EngineRecordMapping.executionReport(
                    report, engine: engine, tradeId: report.lastTradeNumber.map { "\(partition)-\($0)" }, seq: reportSeq, terms: terms)
                record.encode(into: &buffer)
                outputs.append(OutputRecord(topic: Topology.executionReports.name, partition: partition, key: record.symbol, value: buffer))
            }
        }
        engine.releaseForgottenOrderIds()
        if case .tick = order {
            buffer.removeAll(keepingCapacity: true)
            SequencedOrder(seq: nextOutSeq(), order: order).encode(into: &buffer)
            outputs.append(OutputRecord(topic: Topology.matchedTradesTicks.name, partition: partition, key: nil as String?, value: buffer))
        }
    }

    private func nextOutSeq() -> Int64 {
        outSeq += 1
        return outSeq
    }
}
