import ExchangeRecords

/// Merges `buy_orders[p]` and `sell_orders[p]` back into the splitter's order: strictly by `seq`, dropping
/// duplicates (seq already applied) and waiting when the next seq has not arrived on either side yet.
///
/// Each side keeps a FIFO of records read but not yet applied. The side's resume position (for the snapshot) is
/// the offset of its first waiting record, or the next offset to read when nothing waits.
struct SeqMerger {
    struct Pending {
        var seq: Int64
        var offset: Int64
        var order: SequencedOrder
    }

    /// The seq the merged stream needs next.
    private(set) var nextSeq: Int64 = 1
    private var queues: [[Pending]] = [[], []]
    private var heads: [Int] = [0, 0]
    /// Next offset to read per side when its queue is empty.
    private var readPositions: [Int64?] = [nil, nil]
    private(set) var duplicatesDropped = 0

    init(nextSeq: Int64, positions: [Int64?]) {
        self.nextSeq = nextSeq
        readPositions = positions
    }

    /// Positions per side: first waiting record, else the next offset to read.
    var positions: [Int64?] {
        (0..<2).map { side in heads[side] < queues[side].count ? queues[side][heads[side]].offset : readPositions[side] }
    }

    var waiting: Int { queues[0].count - heads[0] + queues[1].count - heads[1] }

    mutating func add(side: Int, offset: Int64, order: SequencedOrder) {
        readPositions[side] = offset + 1
        if order.seq < nextSeq {
            duplicatesDropped += 1
            return
        }
        queues[side].append(Pending(seq: order.seq, offset: offset, order: order))
    }

    /// The next record in seq order, or nil when it has not arrived yet.
    mutating func next() -> SequencedOrder? {
        for side in 0..<2 {
            while heads[side] < queues[side].count, queues[side][heads[side]].seq < nextSeq {
                heads[side] += 1
                duplicatesDropped += 1
            }
        }
        for side in 0..<2 where heads[side] < queues[side].count && queues[side][heads[side]].seq == nextSeq {
            let record = queues[side][heads[side]].order
            heads[side] += 1
            if heads[side] > 1024 && heads[side] * 2 > queues[side].count {
                queues[side].removeFirst(heads[side])
                heads[side] = 0
            } else if heads[side] == queues[side].count {
                queues[side].removeAll(keepingCapacity: true)
                heads[side] = 0
            }
            nextSeq += 1
            return record
        }
        return nil
    }
}
