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
    // Producer's own.
    private var written = 0
    private var knownConsumed = 0
    // Consumer's own.
    private var read = 0

    init(capacity: Int) {
        var size = 64
        while size < capacity { size <<= 1 }
        self.capacity = size
        mask = size - 1
        storage = .allocate(capacity: size)
    }

    deinit { storage.deallocate() }

    /// Producer: queues one report, waiting while the ring is full.
    @inline(__always)
    func push(_ report: UnsafeRawPointer) {
        if written - knownConsumed == capacity {
            knownConsumed = consumed.value.load(ordering: .acquiring)
            while written - knownConsumed == capacity {
                publish()  // the consumer must see everything before it can make room
                knownConsumed = consumed.value.load(ordering: .acquiring)
            }
        }
        (storage + (written & mask)).initialize(to: report.load(as: ChallengeReport.self))
        written += 1
        if written & (ChallengeReportRing.publishEvery - 1) == 0 { publish() }
    }

    /// Producer: makes every queued report visible.
    @inline(__always)
    func publish() {
        published.value.store(written, ordering: .releasing)
    }

    /// Consumer: takes up to `max` published reports into `out`.
    func drain(into out: UnsafeMutableRawPointer, max: Int) -> Int {
        let available = published.value.load(ordering: .acquiring) - read
        let n = min(available, max)
        if n <= 0 { return 0 }
        let target = out.assumingMemoryBound(to: ChallengeReport.self)
        for i in 0..<n { target[i] = storage[(read + i) & mask] }
        read += n
        consumed.value.store(read, ordering: .releasing)
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
            Unmanaged<ChallengeReportRing>.fromOpaque(handle).takeUnretainedValue().push(report)
            return 1
        },
        drain: { handle, out, max in
            guard let handle, let out else { return 0 }
            return UInt32(Unmanaged<ChallengeReportRing>.fromOpaque(handle).takeUnretainedValue().drain(into: out, max: Int(max)))
        },
        flush: { handle in
            guard let handle else { return }
            Unmanaged<ChallengeReportRing>.fromOpaque(handle).takeUnretainedValue().publish()
        },
        destroy: { handle in
            guard let handle else { return }
            let ring = Unmanaged<ChallengeReportRing>.fromOpaque(handle)
            if let last = lastCreatedRing, Unmanaged.passUnretained(last).toOpaque() == handle { lastCreatedRing = nil }
            ring.release()
        })
}
