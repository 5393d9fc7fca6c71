import Synchronization

/// The library's own report transport (`engine_get_transport`): a single-producer, single-consumer ring of
/// `ChallengeReport`s that publishes its write position every `publishEvery` reports (and at `flush`, and before
/// waiting on a full ring) instead of per report, and reads the consumer's position only when the ring looks full.
/// The harness's default queue publishes per push, so every report moved a cache line between the matcher's core
/// and the drainer's. The transport carries reports only; what they say is the engine's.
final class ChallengeReportRing: @unchecked Sendable {
    /// One shared position on a cache line of its own (the padding keeps the two positions apart).
    final class Position: @unchecked Sendable {
        let value = Atomic<Int>(0)
        private let padding: (Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    }

    static let publishEvery = 32

    let capacity: Int
    private let mask: Int
    private let storage: UnsafeMutablePointer<ChallengeReport>
    /// Written by the producer: reports before it may be read.
    let published = Position()
    /// Written by the consumer: reports before it have been taken.
    let consumed = Position()
    /// Each thread's own counters, a cache line (and more) apart and away from the fields both threads read: the
    /// producer's `written` and `knownConsumed` from 0, the consumer's `read` from `Counter.read`. Stored in the
    /// object, a producer's write to its count moved the line the consumer's count was on between the cores.
    private let counters: UnsafeMutablePointer<Int>
    private enum Counter {
        static let written = 0
        static let knownConsumed = 1
        static let read = 16
        static let count = 32
    }

    init(capacity: Int) {
        var size = 64
        while size < capacity { size <<= 1 }
        self.capacity = size
        mask = size - 1
        storage = .allocate(capacity: size)
        // Written now so the run does not pay the first touch of every page (64 MB at the harness's capacity).
        storage.initialize(repeating: ChallengeReport(), count: size)
        counters = .allocate(capacity: Counter.count)
        counters.initialize(repeating: 0, count: Counter.count)
    }

    deinit {
        storage.deallocate()
        counters.deallocate()
    }

    /// Producer: queues one report, waiting while the ring is full.
    @inline(__always)
    func push(_ report: ChallengeReport) {
        reserve().pointee = report
        commit()
    }

    /// Producer: the next report's place in the ring, waiting while the ring is full; `commit()` queues it. Filling
    /// it in place saves building the report beside the ring and copying it (read back as wider words than it was
    /// written in, which stalls).
    @inline(__always)
    func reserve() -> UnsafeMutablePointer<ChallengeReport> {
        let written = counters[Counter.written]
        if written - counters[Counter.knownConsumed] == capacity { waitForRoom(written) }
        return storage + (written & mask)
    }

    /// Producer: the ring looked full; waits until the consumer has taken a report. Out of line: rare, and its own
    /// symbol in a profile (time the matcher spent waiting for the drainer).
    @inline(never)
    private func waitForRoom(_ written: Int) {
        counters[Counter.knownConsumed] = consumed.value.load(ordering: .acquiring)
        while written - counters[Counter.knownConsumed] == capacity {
            publish()  // the consumer must see everything before it can make room
            counters[Counter.knownConsumed] = consumed.value.load(ordering: .acquiring)
        }
    }

    /// Producer: queues the report filled in at `reserve()`.
    @inline(__always)
    func commit() {
        let written = counters[Counter.written] + 1
        counters[Counter.written] = written
        if written & (ChallengeReportRing.publishEvery - 1) == 0 { publish() }
    }

    /// Producer: makes every queued report visible.
    @inline(__always)
    func publish() {
        published.value.store(counters[Counter.written], ordering: .releasing)
    }

    /// Consumer: takes up to `max` published reports into `out`.
    func drain(into out: UnsafeMutableRawPointer, max: Int) -> Int {
        let read = counters[Counter.read]
        let available = published.value.load(ordering: .acquiring) - read
        let n = min(available, max)
        if n <= 0 { return 0 }
        // At most two runs (the ring wraps once), each one block copy.
        let start = read & mask
        let first = min(n, capacity - start)
        let size = MemoryLayout<ChallengeReport>.stride
        out.copyMemory(from: storage + start, byteCount: first * size)
        if first < n { (out + first * size).copyMemory(from: storage, byteCount: (n - first) * size) }
        counters[Counter.read] = read + n
        consumed.value.store(read + n, ordering: .releasing)
        return n
    }
}

/// `me_transport_t` over `ChallengeReportRing` (the handle is the ring, retained until `destroy`).
enum ChallengeRingTransport {
    nonisolated(unsafe) static let table = ChallengeTransport(
        create: { capacity in
            let ring = ChallengeReportRing(capacity: Int(max(capacity, 64)))
            lastCreatedRing = ring
            return Unmanaged.passRetained(ring).toOpaque()
        },
        push: { handle, report in
            guard let handle, let report else { return 0 }
            Unmanaged<ChallengeReportRing>.fromOpaque(handle)._withUnsafeGuaranteedRef { $0.push(report.load(as: ChallengeReport.self)) }
            return 1
        },
        drain: { handle, out, max in
            guard let handle, let out else { return 0 }
            // No retain per call: the ring's reference count shares a line with the fields the producer reads.
            return UInt32(Unmanaged<ChallengeReportRing>.fromOpaque(handle)._withUnsafeGuaranteedRef { $0.drain(into: out, max: Int(max)) })
        },
        flush: { handle in
            guard let handle else { return }
            Unmanaged<ChallengeReportRing>.fromOpaque(handle)._withUnsafeGuaranteedRef { $0.publish() }
        },
        destroy: { handle in
            guard let handle else { return }
            let ring = Unmanaged<ChallengeReportRing>.fromOpaque(handle)
            if let last = lastCreatedRing, Unmanaged.passUnretained(last).toOpaque() == handle { lastCreatedRing = nil }
            ring.release()
        })
}
