/// Merges two topics that share one dense per-partition sequence back into that sequence: strictly by seq,
/// dropping duplicates (seq already applied) and waiting when the next seq has not arrived on either side yet.
///
/// Used by the matcher (`buy_orders` + `sell_orders`, seq from the splitter) and the analytics
/// (`matched_trades` + `matched_trades_ticks`, seq from the matcher). Each side keeps a FIFO of records read but not
/// yet applied; a side's resume position (for the snapshot) is the offset of its first waiting record, or the next
/// offset to read when nothing waits.
struct SeqMerger<Element> {
    struct Pending {
        var seq: Int64
        var offset: Int64
        var element: Element
    }

    /// The seq the merged stream needs next.
    private(set) var nextSeq: Int64
    private var queues: [[Pending]] = [[], []]
    private var heads: [Int] = [0, 0]
    /// Next offset to read per side.
    private var readPositions: [Int64?]
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

    mutating func add(side: Int, offset: Int64, seq: Int64, element: Element) {
        readPositions[side] = offset + 1
        if seq < nextSeq {
            duplicatesDropped += 1
            return
        }
        queues[side].append(Pending(seq: seq, offset: offset, element: element))
    }

    /// Records that must be skipped without an element (undecodable); only moves the read position.
    mutating func skip(side: Int, offset: Int64) {
        if heads[side] == queues[side].count { readPositions[side] = offset + 1 }
    }

    /// The seq that can no longer arrive: both sides hold later records, and each side's records come in seq order
    /// (upstream writes them so), so the record with `nextSeq` was lost upstream. Nil while it may still come.
    var missingSeq: Int64? {
        for side in 0..<2 {
            guard heads[side] < queues[side].count, queues[side][heads[side]].seq > nextSeq else { return nil }
        }
        return nextSeq
    }

    /// The next element in seq order, or nil when it has not arrived yet.
    mutating func next() -> Element? {
        for side in 0..<2 {
            while heads[side] < queues[side].count, queues[side][heads[side]].seq < nextSeq {
                heads[side] += 1
                duplicatesDropped += 1
            }
        }
        for side in 0..<2 where heads[side] < queues[side].count && queues[side][heads[side]].seq == nextSeq {
            let element = queues[side][heads[side]].element
            heads[side] += 1
            if heads[side] == queues[side].count {
                queues[side].removeAll(keepingCapacity: true)
                heads[side] = 0
            } else if heads[side] > 1024 && heads[side] * 2 > queues[side].count {
                queues[side].removeFirst(heads[side])
                heads[side] = 0
            }
            nextSeq += 1
            return element
        }
        return nil
    }
}
