import Foundation
import MatchingEngineChallenge
import Testing

/// The challenge's C functions called directly, without its harness: a transport that collects the reports, a
/// small workload with every report kind checked by hand, the same through `engine_on_batch`, and a random workload
/// checked against a plain reference matcher. Serialized: the C ABI has one global engine.
@Suite(.serialized) struct ChallengeExportTests {
    @Test func layoutsAreTheCOnes() {
        #expect(MemoryLayout<ChallengeNewOrder>.size == 32 && MemoryLayout<ChallengeNewOrder>.stride == 32)
        #expect(MemoryLayout<ChallengeCancel>.stride == 16)
        #expect(MemoryLayout<ChallengeModify>.stride == 32)
        #expect(MemoryLayout<ChallengeReport>.size == 64)
        #expect(MemoryLayout<ChallengeReport>.offset(of: \.sequenceNumber) == 8)
        #expect(MemoryLayout<ChallengeReport>.offset(of: \.orderId) == 16)
        #expect(MemoryLayout<ChallengeReport>.offset(of: \.priceTicks) == 24)
        #expect(MemoryLayout<ChallengeReport>.offset(of: \.quantity) == 32)
        #expect(MemoryLayout<ChallengeReport>.offset(of: \.makerOrderId) == 40)
        #expect(MemoryLayout<ChallengeReport>.offset(of: \.takerOrderId) == 48)
        #expect(MemoryLayout<ChallengeNewOrder>.offset(of: \.quantity) == 24)
        #expect(MemoryLayout<ChallengeNewOrder>.offset(of: \.side) == 28)
        #expect(MemoryLayout<ChallengeNewOrder>.offset(of: \.ioc) == 29)
        #expect(MemoryLayout<ChallengeModify>.offset(of: \.newQuantity) == 24)
        #expect(MemoryLayout<ChallengeModify>.offset(of: \.side) == 28)
        #expect(MemoryLayout<ChallengeTransport>.stride == 40)
    }

    /// Every report kind, IOC remainders, a modify of a partly filled order that crosses, and the book queries.
    @Test func smallWorkloadGivesTheExpectedReportsAndBook() {
        let run = ChallengeRun()
        defer { run.finish() }
        run.send(.new(id: 1, seq: 0, price: 100, quantity: 10, side: 0))
        run.send(.new(id: 2, seq: 1, price: 101, quantity: 5, side: 0))
        #expect(run.bestBid == 101 && run.bestAsk == .max)
        run.send(.new(id: 3, seq: 2, price: 100, quantity: 12, side: 1, ioc: true))  // takes 5 @101 then 7 @100
        #expect(run.bestBid == 100 && run.depth(100, 0) == 3 && run.depth(100, 1) == 0 && run.depth(101, 0) == 0)
        run.send(.new(id: 4, seq: 3, price: 105, quantity: 4, side: 1))
        #expect(run.bestAsk == 105 && run.depth(105, 1) == 4)
        run.send(.modify(id: 1, seq: 4, price: 106, quantity: 5, side: 0))  // 5 open at 106: takes the 4 @105
        #expect(run.bestBid == 106 && run.depth(106, 0) == 1 && run.depth(100, 0) == 0 && run.bestAsk == .max)
        run.send(.cancel(id: 4, seq: 5))  // filled
        run.send(.cancel(id: 1, seq: 6))
        run.send(.modify(id: 1, seq: 7, price: 107, quantity: 2, side: 0))  // cancelled
        run.send(.new(id: 5, seq: 8, price: 90, quantity: 3, side: 1, ioc: true))  // nothing to take
        run.send(.cancel(id: 999, seq: 9))  // never seen
        run.send(.cancel(id: 1 << 40, seq: 10))  // beyond any id the engine holds
        #expect(run.bestBid == .min && run.bestAsk == .max)
        #expect(run.lines == [
            "0,0,0,1,100,10",
            "0,1,0,2,101,5",
            "0,2,1,3,100,12", "1,2,101,5,2,3", "1,2,100,7,1,3",
            "0,3,1,4,105,4",
            "3,4,0,1,106,5", "1,4,105,4,4,1",
            "4,5,4",
            "2,6,0,1,106",
            "5,7,1",
            "0,8,1,5,90,3", "2,8,1,5,90",
            "4,9,999",
            "4,10,1099511627776",
        ])
    }

    @Test func batchesAfterPrebuildGiveTheSameReportsAsSingleMessages() {
        let messages = ChallengeRun.randomWorkload(seed: 7, count: 3_000)
        let single = ChallengeRun()
        for message in messages { single.send(message) }
        let one = single.reports
        single.finish()
        let batched = ChallengeRun()
        batched.prebuild(messages)  // sizes id storage only: the book stays empty, the reports the same
        #expect(batched.bestBid == .min && batched.bestAsk == .max && batched.reports.isEmpty)
        for chunk in stride(from: 0, to: messages.count, by: 97) {
            batched.sendBatch(Array(messages[chunk..<min(chunk + 97, messages.count)]))
        }
        #expect(batched.reports == one)
        #expect(!one.isEmpty)
        batched.finish()
    }

    /// The library's own transport: the harness creates it from `engine_get_transport`, the engine pushes into it,
    /// a drain sees what was published (every 32 reports, and all of it after `flush`), in order and complete.
    @Test func ownTransportCarriesTheSameReports() throws {
        let messages = ChallengeRun.randomWorkload(seed: 11, count: 2_000)
        let expected = ChallengeRun.reports(of: messages)

        let table = try #require(engine_get_transport()).load(as: ChallengeTransport.self)
        let create = try #require(table.create), drain = try #require(table.drain)
        let flush = try #require(table.flush), destroy = try #require(table.destroy)
        let queue = try #require(create(1 << 16))
        let tablePointer = try #require(engine_get_transport())
        engine_init(1, tablePointer, queue)
        let run = ChallengeRun(attached: true)
        for message in messages { run.send(message) }
        let buffer = UnsafeMutablePointer<ChallengeReport>.allocate(capacity: expected.count + 64)
        defer { buffer.deallocate() }
        let beforeFlush = Int(drain(queue, buffer, UInt32(expected.count + 64)))
        #expect(beforeFlush % 32 == 0 && beforeFlush <= expected.count && expected.count - beforeFlush < 32)
        flush(queue)
        let rest = Int(drain(queue, buffer + beforeFlush, UInt32(expected.count + 64 - beforeFlush)))
        #expect(beforeFlush + rest == expected.count)
        #expect(Array(UnsafeBufferPointer(start: buffer, count: beforeFlush + rest)) == expected)
        #expect(drain(queue, buffer, 64) == 0)
        run.finish()
        destroy(queue)
    }

    /// The own transport at its smallest (64 reports) while another thread drains it 7 at a time: whatever the two
    /// threads' timing (the engine waits for room whenever the ring is full), every report arrives once and in order.
    @Test func smallRingWrapsAndWaitsForTheDrainer() throws {
        let messages = ChallengeRun.randomWorkload(seed: 12, count: 2_000)
        let expected = ChallengeRun.reports(of: messages)

        let tablePointer = try #require(engine_get_transport())
        let table = tablePointer.load(as: ChallengeTransport.self)
        let create = try #require(table.create), flush = try #require(table.flush), destroy = try #require(table.destroy)
        let queue = try #require(create(64))
        engine_init(1, tablePointer, queue)
        let run = ChallengeRun(attached: true)
        let total = expected.count
        #expect(total > 20 * 64)
        let out = UnsafeMutablePointer<ChallengeReport>.allocate(capacity: total)
        let taken = UnsafeMutablePointer<Int>.allocate(capacity: 1)
        taken.initialize(to: 0)
        defer {
            out.deallocate()
            taken.deallocate()
        }
        // Addresses as integers: the drainer thread gets plain values.
        let queueAddress = Int(bitPattern: queue), outAddress = Int(bitPattern: out), takenAddress = Int(bitPattern: taken)
        let finished = DispatchSemaphore(value: 0)
        let drainer = Thread {
            guard let drain = engine_get_transport()?.load(as: ChallengeTransport.self).drain,
                let queue = UnsafeMutableRawPointer(bitPattern: queueAddress),
                let out = UnsafeMutablePointer<ChallengeReport>(bitPattern: outAddress),
                let taken = UnsafeMutablePointer<Int>(bitPattern: takenAddress)
            else {
                _ = finished.signal()
                return
            }
            let deadline = Date().addingTimeInterval(60)
            while taken.pointee < total && Date() < deadline {
                taken.pointee += Int(drain(queue, out + taken.pointee, UInt32(min(7, total - taken.pointee))))
            }
            _ = finished.signal()
        }
        drainer.start()
        for message in messages { run.send(message) }
        flush(queue)
        finished.wait()
        #expect(taken.pointee == total)
        #expect(Array(UnsafeBufferPointer(start: out, count: taken.pointee)) == expected)
        run.finish()
        destroy(queue)
    }

    /// Reports pushed and published in runs of uneven length and drained in chunks that straddle the end of a
    /// 64-report ring: each drain that wraps copies its two parts, in order.
    @Test func drainsAcrossTheRingsEnd() throws {
        let table = try #require(engine_get_transport()).load(as: ChallengeTransport.self)
        let create = try #require(table.create), push = try #require(table.push), drain = try #require(table.drain)
        let flush = try #require(table.flush), destroy = try #require(table.destroy)
        let queue = try #require(create(64))
        defer { destroy(queue) }
        var sent: UInt64 = 0
        var received: [UInt64] = []
        var wraps = 0
        let buffer = UnsafeMutablePointer<ChallengeReport>.allocate(capacity: 64)
        defer { buffer.deallocate() }
        for round in 0..<200 {
            for _ in 0..<(1 + round * 37 % 50) {
                var report = ChallengeReport()
                report.sequenceNumber = sent
                sent += 1
                #expect(withUnsafePointer(to: &report) { push(queue, $0) } == 1)
            }
            flush(queue)
            while true {
                let before = received.count
                let n = Int(drain(queue, buffer, UInt32(7 + round % 11)))
                if n == 0 { break }
                if before % 64 + n > 64 { wraps += 1 }
                received += (0..<n).map { buffer[$0].sequenceNumber }
            }
        }
        #expect(received == Array(0..<sent))
        #expect(wraps > 50)
    }

    /// Thousands of random messages (crossing prices, IOCs, modifies, stale cancels) against a plain matcher.
    @Test func randomWorkloadMatchesAReferenceMatcher() {
        for seed in [1, 2, 3] as [UInt64] {
            let run = ChallengeRun()
            var reference = ReferenceMatcher()
            var mismatches = 0
            for message in ChallengeRun.randomWorkload(seed: seed, count: 8_000) {
                run.reports.removeAll()
                run.send(message)
                let expected = reference.apply(message)
                if run.lines != expected {
                    if mismatches == 0 { Issue.record("seed \(seed), \(message): \(run.lines) != \(expected)") }
                    mismatches += 1
                }
                if run.bestBid != reference.bestBid || run.bestAsk != reference.bestAsk {
                    Issue.record("seed \(seed), after \(message): best \(run.bestBid)/\(run.bestAsk) != \(reference.bestBid)/\(reference.bestAsk)")
                    break
                }
                for price in reference.bestBid == .min ? [] : [reference.bestBid, reference.bestBid - 1] {
                    #expect(run.depth(price, 0) == reference.depth(price, side: 0))
                }
            }
            #expect(mismatches == 0)
            run.finish()
        }
    }
}
