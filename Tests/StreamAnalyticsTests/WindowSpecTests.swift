import PropertyBased
import StreamAnalytics
import Testing

/// Window assignment against the brute-force definition: window k = [k·advance, k·advance + size), k ≥ 0.
@Suite struct WindowSpecTests {
    @Test func assignmentMatchesBruteForceOverRandomSizesAndTimes() async {
        await propertyCheck(
            count: 400, input: Gen.int64(in: 1...50), Gen.int64(in: 1...50), Gen.int64(in: 0...2_000), Gen.int64(in: -2...2)
        ) { advanceSeed, extra, rawTime, nudge in
            let advance = advanceSeed
            let size = advance + (extra % 3 == 0 ? 0 : extra)  // a third tumbling
            guard let spec = try? WindowSpec(size: size, advance: advance) else {
                Issue.record("valid spec refused")
                return
            }
            // Half the times land on or next to a window boundary (start, end, ±1), the rest anywhere, many near 0.
            let boundary = (rawTime / advance) * advance + (rawTime % 2 == 0 ? 0 : size)
            for time in [rawTime, rawTime % 7, max(0, boundary + nudge)] {
                let expected = ReferenceModel.windowIndices(time, size: size, advance: advance).map { $0 * advance }
                #expect(spec.windowStarts(containing: time) == expected, "size \(size) advance \(advance) t \(time)")
            }
        }
    }

    @Test func defaultSMAWindowsPutEveryTradeInTwoWindowsExceptTheFirstFiveMinutes() throws {
        let spec = WindowSpec.defaultHopping
        #expect(spec.size == 600_000 && spec.advance == 300_000)
        #expect(spec.windowStarts(containing: 0) == [0])
        #expect(spec.windowStarts(containing: 299_999) == [0])
        #expect(spec.windowStarts(containing: 300_000) == [0, 300_000])
        #expect(spec.windowStarts(containing: 599_999) == [0, 300_000])
        #expect(spec.windowStarts(containing: 600_000) == [300_000, 600_000])
        // ksqlDB QTT "out of order - no grace period": SIZE 30 s / ADVANCE 15 s, t = 10009 → only [0, 30000).
        #expect(try WindowSpec(size: 30_000, advance: 15_000).windowStarts(containing: 10_009) == [0])
    }

    @Test func tumblingAndGcdSlices() throws {
        let tumbling = try WindowSpec.tumbling(size: 1_000)
        #expect(tumbling.isTumbling && tumbling.sliceWidth == 1_000)
        #expect(tumbling.windowStarts(containing: 1_999) == [1_000])
        let odd = try WindowSpec(size: 10, advance: 4)  // size not a multiple of advance: 2 ms slices
        #expect(odd.sliceWidth == 2)
        #expect(odd.windowStarts(containing: 9) == [0, 4, 8])
        #expect(odd.windowStarts(containing: 10) == [4, 8])
    }

    @Test func invalidConfigurationsAreRefusedWithTheReason() {
        #expect(throws: AnalyticsError.invalidConfiguration("window size must be positive, got 0 ms")) {
            try WindowSpec(size: 0, advance: 1)
        }
        #expect(throws: AnalyticsError.invalidConfiguration("window advance must be positive, got -5 ms")) {
            try WindowSpec(size: 10, advance: -5)
        }
        #expect(throws: AnalyticsError.invalidConfiguration("window advance 20 ms must not exceed the size 10 ms")) {
            try WindowSpec(size: 10, advance: 20)
        }
        #expect(throws: AnalyticsError.invalidConfiguration("grace period must not be negative, got -1 ms")) {
            try AnalyticsConfiguration(grace: -1)
        }
        // A 1 ms slice with a day of grace would need 86 million slices per symbol: refused, memory stays bounded.
        #expect(throws: AnalyticsError.self) {
            try AnalyticsConfiguration(window: try WindowSpec(size: 10, advance: 1), grace: 86_400_000)
        }
    }

    @Test func defaultsAreDocumentedValues() throws {
        let configuration = try AnalyticsConfiguration()
        #expect(configuration.window == .defaultHopping)
        #expect(configuration.grace == 60_000)
        #expect(configuration.emitMode == .changes)
        #expect(configuration.outputs == .all)
    }
}
