import PropertyBased
import StreamAnalytics
import Testing

/// Snapshots restore exactly; output is deterministic; state stays bounded.
@Suite struct SnapshotTests {
    static func configuration(_ mode: EmitMode) throws -> AnalyticsConfiguration {
        try AnalyticsConfiguration(window: try WindowSpec(size: 30, advance: 10), grace: 12, emitMode: mode)
    }

    @Test func snapshotRestoreContinueEqualsStraightThrough() async {
        await propertyCheck(count: 80, input: Gen.uint64(in: 0...UInt64.max), Gen.int(in: 0...150), Gen.bool) { seed, cut, changes in
            let configuration = try Self.configuration(changes ? .changes : .final)
            let events = randomEvents(seed: seed, count: 150, span: 600)
            var straight = WindowAggregator(configuration: configuration)
            let expected = try run(&straight, events)

            var first = WindowAggregator(configuration: configuration)
            var actual = try run(&first, events[..<cut])
            let bytes = first.snapshot()
            var restored = try WindowAggregator(snapshot: bytes)
            #expect(restored.snapshot() == bytes, "re-snapshot differs")
            #expect(restored.configuration == configuration)
            #expect(restored.streamTime == first.streamTime)
            actual += try run(&restored, events[cut...])
            #expect(actual == expected)
            #expect(restored.snapshot() == straight.snapshot())
        }
    }

    @Test func sameInputGivesIdenticalOutputAndState() throws {
        let events = randomEvents(seed: 42, count: 500, span: 2_000)
        var a = WindowAggregator(configuration: try Self.configuration(.changes))
        var b = WindowAggregator(configuration: try Self.configuration(.changes))
        #expect(try run(&a, events) == run(&b, events))
        #expect(a.snapshot() == b.snapshot())
    }

    @Test func stateStaysBoundedAsInputGrows() throws {
        // Snapshot size (live slices only) after 1,000 and after 20,000 windows' worth of trades: no growth.
        var agg = WindowAggregator(configuration: try Self.configuration(.final))
        var sizes: [Int] = []
        var seq: Int64 = 0
        for time in stride(from: Int64(0), to: 200_000, by: 1) {
            for symbol in ["A", "B", "C"] {
                seq += 1
                _ = try agg.process(AnalyticsTrade(symbol: symbol, price: 1_000 + seq % 7, quantity: 1, time: time, seq: seq))
            }
            if time == 10_005 || time == 199_995 { sizes.append(agg.snapshot().count) }
        }
        #expect(sizes.count == 2)
        #expect(sizes[1] <= sizes[0] + 64, "state grew from \(sizes[0]) to \(sizes[1]) bytes")
    }

    @Test func corruptSnapshotsAreRefusedWithAReason() throws {
        var agg = WindowAggregator(configuration: try Self.configuration(.final))
        _ = try run(&agg, randomEvents(seed: 7, count: 50, span: 200))
        let bytes = agg.snapshot()
        #expect(throws: AnalyticsError.corruptSnapshot("missing the SAGG header")) { try WindowAggregator(snapshot: []) }
        var wrongVersion = bytes
        wrongVersion[4] = 9
        #expect(throws: AnalyticsError.corruptSnapshot("unsupported version 9")) { try WindowAggregator(snapshot: wrongVersion) }
        // Every truncation is refused, none crashes.
        for length in 0..<bytes.count {
            #expect(throws: AnalyticsError.self) { try WindowAggregator(snapshot: Array(bytes[..<length])) }
        }
        #expect(throws: AnalyticsError.self) { try WindowAggregator(snapshot: bytes + [0]) }
    }
}
