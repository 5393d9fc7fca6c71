import ExchangeRecords

/// `split`: `incoming_orders[p]` → `buy_orders[p]` / `sell_orders[p]` with a dense per-partition `seq`.
///
/// Orders, cancels and modifies go to their side's topic; ticks go to `buy_orders` (one copy, so seqs stay dense
/// across the two topics and the matcher applies each tick exactly once, in order). Records that do not decode
/// are dead-lettered and take no seq. State = next seq; with the input offset in every snapshot, a replay
/// after a crash hands out the very same seqs.
///
/// A record outside its symbol's partition (a null key, another key, another partitioner) is not sequenced where it
/// is: it is forwarded, with its origin (partition, offset), to its symbol's partition of `incoming_orders`, so that
/// every book's input is one ordered log, the home partition's, which a replay reads identically. Forwarding is
/// at least once; the home task drops a forwarded copy whose origin offset it has already passed for that origin
/// partition (a partition's forwards arrive in offset order), so each record takes exactly one seq.
public struct SplitStage: StageDefinition {
    public let name = "split"
    public let kinds = [TaskKind(name: "split", inputs: [Topology.incomingOrders.name])]
    public let metrics: StageMetrics
    /// The partition count of `incoming_orders`, which decides each symbol's partition.
    public let partitions: Int
    public let dateTimeValidity: IncomingOrder.ReadingRules.DateTimeValidity

    public init(partitions: Int, dateTimeValidity: IncomingOrder.ReadingRules.DateTimeValidity = .day) {
        metrics = StageMetrics(stage: "split")
        self.partitions = partitions
        self.dateTimeValidity = dateTimeValidity
    }

    public func makeTask(kind: TaskKind, partition: Int32, snapshot: StageSnapshot?) throws -> any StageTask {
        let task = SplitTask(partition: partition, partitions: partitions, dateTimeValidity: dateTimeValidity, metrics: metrics)
        if let snapshot {
            guard let next = snapshot.marks["nextSeq"] else { throw StageError("split snapshot has no nextSeq") }
            task.nextSeq = next
            task.nextOffset = snapshot.positions[Topology.incomingOrders.name]
            for (mark, offset) in snapshot.marks where mark.hasPrefix(SplitTask.forwardedMark) {
                guard let origin = Int32(mark.dropFirst(SplitTask.forwardedMark.count)) else {
                    throw StageError("split snapshot has a malformed mark '\(mark)'")
                }
                task.lastForwarded[origin] = offset
            }
        }
        return task
    }
}

final class SplitTask: StageTask {
    static let forwardedMark = "forwardedFrom."

    let partition: Int32
    let partitions: Int
    let dateTimeValidity: IncomingOrder.ReadingRules.DateTimeValidity
    let metrics: StageMetrics
    var nextSeq: Int64 = 1
    var nextOffset: Int64?
    /// Per origin partition, the offset of the last forwarded record sequenced here.
    var lastForwarded: [Int32: Int64] = [:]
    private var buffer: [UInt8] = []

    init(partition: Int32, partitions: Int, dateTimeValidity: IncomingOrder.ReadingRules.DateTimeValidity, metrics: StageMetrics) {
        self.partition = partition
        self.partitions = partitions
        self.dateTimeValidity = dateTimeValidity
        self.metrics = metrics
        buffer.reserveCapacity(512)
    }

    var positions: [String: Int64] {
        nextOffset.map { [Topology.incomingOrders.name: $0] } ?? [:]
    }

    var marks: [String: Int64] {
        var marks = ["nextSeq": nextSeq]
        for (origin, offset) in lastForwarded { marks[SplitTask.forwardedMark + String(origin)] = offset }
        return marks
    }

    func stateBytes() throws -> [UInt8] { [] }

    func apply(_ record: InputRecord, into outputs: inout [OutputRecord]) throws {
        nextOffset = record.offset + 1
        guard let value = record.value, !value.isEmpty else {
            // (a tombstone or an empty value carries no order)
            deadLetter(record, "empty value (tombstone); expected an order, cancel, modify or tick", into: &outputs)
            return
        }
        let order: IncomingOrder
        let origin: IncomingOrder.Origin?
        do {
            let rules = IncomingOrder.ReadingRules(dateTimeValidity: dateTimeValidity, recordTimestamp: record.timestamp)
            (order, origin) = try IncomingOrder.decodeForwarded(json: value, rules: rules)
        } catch {
            deadLetter(record, error.description, into: &outputs)
            return
        }
        buffer.removeAll(keepingCapacity: true)
        if let symbol = order.stockSymbol {
            let home = Topology.partition(ofSymbol: symbol, partitions: partitions)
            if home != partition {
                guard origin == nil else {
                    deadLetter(record, "a forwarded record outside its symbol's partition \(home) (were the partitions of incoming_orders changed?)", into: &outputs)
                    return
                }
                order.encode(into: &buffer, origin: IncomingOrder.Origin(partition: partition, offset: record.offset))
                outputs.append(OutputRecord(topic: Topology.incomingOrders.name, partition: home, key: symbol, value: buffer))
                metrics.forwarded.increment()
                return
            }
        }
        if let origin {
            if let last = lastForwarded[origin.partition], origin.offset <= last {
                metrics.duplicatesDropped.increment()
                return
            }
            lastForwarded[origin.partition] = origin.offset
        }
        let seq = nextSeq
        nextSeq += 1
        let topic = order.side == .sell ? Topology.sellOrders.name : Topology.buyOrders.name
        SequencedOrder(seq: seq, sourceOffset: record.offset, order: order).encode(into: &buffer)
        outputs.append(OutputRecord(topic: topic, partition: partition, key: order.stockSymbol, value: buffer))
    }

    private func deadLetter(_ record: InputRecord, _ reason: String, into outputs: inout [OutputRecord]) {
        metrics.deadLetters.increment()
        outputs.append(DeadLetters.record(stage: "split", source: record, reason: reason))
    }
}
