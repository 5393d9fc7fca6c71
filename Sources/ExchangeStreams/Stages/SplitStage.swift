import ExchangeRecords

/// `split`: `incoming_orders[p]` → `buy_orders[p]` / `sell_orders[p]` with a dense per-partition `seq`.
///
/// Orders, cancels and modifies go to their side's topic; ticks go to `buy_orders` (one copy, so seqs stay dense
/// across the two topics and the matcher applies each tick exactly once, in order). Records that do not decode
/// strictly are dead-lettered and take no seq. State = next seq; with the input offset in every snapshot, a replay
/// after a crash hands out the very same seqs.
public struct SplitStage: StageDefinition {
    public let name = "split"
    public let kinds = [TaskKind(name: "split", inputs: [Topology.incomingOrders.name])]
    public let metrics: StageMetrics

    public init() {
        metrics = StageMetrics(stage: "split")
    }

    public func makeTask(kind: TaskKind, partition: Int32, snapshot: StageSnapshot?) throws -> any StageTask {
        let task = SplitTask(partition: partition, metrics: metrics)
        if let snapshot {
            guard let next = snapshot.marks["nextSeq"] else { throw StageError("split snapshot has no nextSeq") }
            task.nextSeq = next
            task.nextOffset = snapshot.positions[Topology.incomingOrders.name]
        }
        return task
    }
}

final class SplitTask: StageTask {
    let partition: Int32
    let metrics: StageMetrics
    var nextSeq: Int64 = 1
    var nextOffset: Int64?
    private var buffer: [UInt8] = []

    init(partition: Int32, metrics: StageMetrics) {
        self.partition = partition
        self.metrics = metrics
        buffer.reserveCapacity(512)
    }

    var positions: [String: Int64] {
        nextOffset.map { [Topology.incomingOrders.name: $0] } ?? [:]
    }

    var marks: [String: Int64] { ["nextSeq": nextSeq] }

    func stateBytes() throws -> [UInt8] { [] }

    func apply(_ record: InputRecord, into outputs: inout [OutputRecord]) throws {
        nextOffset = record.offset + 1
        guard let value = record.value, !value.isEmpty else {
            // (a tombstone or an empty value carries no order)
            deadLetter(record, "empty value (tombstone); expected an order, cancel, modify or tick", into: &outputs)
            return
        }
        let order: IncomingOrder
        do {
            order = try IncomingOrder.decode(json: value)
        } catch {
            deadLetter(record, error.description, into: &outputs)
            return
        }
        let seq = nextSeq
        nextSeq += 1
        let topic = order.side == .sell ? Topology.sellOrders.name : Topology.buyOrders.name
        buffer.removeAll(keepingCapacity: true)
        SequencedOrder(seq: seq, sourceOffset: record.offset, order: order).encode(into: &buffer)
        outputs.append(OutputRecord(topic: topic, partition: partition, key: order.stockSymbol, value: buffer))
    }

    private func deadLetter(_ record: InputRecord, _ reason: String, into outputs: inout [OutputRecord]) {
        metrics.deadLetters.increment()
        outputs.append(DeadLetters.record(stage: "split", source: record, reason: reason))
    }
}
