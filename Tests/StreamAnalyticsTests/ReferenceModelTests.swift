import PropertyBased
import StreamAnalytics
import Testing

/// The slice-based aggregator against the brute-force reference model on random scenarios: out-of-order trades,
/// late trades, ticks, ties, every emit mode and output selection, sizes that are not multiples of the advance.
@Suite struct ReferenceModelTests {
    @Test func aggregatorEqualsReferenceModel() async {
        await propertyCheck(
            count: 150, input: Gen.uint64(in: 0...UInt64.max), Gen.int64(in: 1...40), Gen.int64(in: 0...60),
            Gen.int64(in: 0...50), Gen.int(in: 0...5)
        ) { seed, advance, extra, grace, variant in
            let size = advance + (variant % 2 == 0 ? extra - extra % advance : extra)
            let mode: EmitMode = variant < 3 ? .final : .changes
            let outputs: AnalyticsOutputs = [.all, [.symbolWindows], [.topProfit]][variant % 3]
            guard let spec = try? WindowSpec(size: size, advance: advance),
                  let configuration = try? AnalyticsConfiguration(window: spec, grace: grace, emitMode: mode, outputs: outputs)
            else {
                Issue.record("valid configuration refused")
                return
            }
            let events = randomEvents(seed: seed, count: 120, span: 12 * size)
            var model = ReferenceModel(configuration)
            var expected: [AnalyticsOutput] = []
            for event in events { expected += model.apply(event) }
            var aggregator = WindowAggregator(configuration: configuration)
            let actual = try run(&aggregator, events)
            #expect(actual.count == expected.count)
            for (offset, pair) in zip(actual, expected).enumerated() where pair.0 != pair.1 {
                Issue.record("output \(offset) differs:\n  actual   \(pair.0)\n  expected \(pair.1)")
                break
            }
        }
    }

    @Test func changesEndsWhereFinalStarts() async {
        // The last CHANGES update of each (symbol, window) equals that window's single FINAL result.
        await propertyCheck(count: 60, input: Gen.uint64(in: 0...UInt64.max)) { seed in
            let spec = try WindowSpec(size: 40, advance: 10)
            let events = randomEvents(seed: seed, count: 200, span: 400) + [.tick(10_000)]
            var changes = WindowAggregator(configuration: try AnalyticsConfiguration(window: spec, grace: 15, emitMode: .changes))
            var final = WindowAggregator(configuration: try AnalyticsConfiguration(window: spec, grace: 15, emitMode: .final))
            var lastChange: [String: AnalyticsOutput] = [:]
            for output in try run(&changes, events) {
                switch output {
                case .symbolWindow(let r): lastChange["\(r.symbol)@\(r.windowStart)"] = output
                case .topProfit(let r): lastChange["@\(r.windowStart)"] = output
                case .lateTrade: break
                }
            }
            var finals: [String: AnalyticsOutput] = [:]
            for output in try run(&final, events) {
                switch output {
                case .symbolWindow(let r):
                    #expect(finals.updateValue(output, forKey: "\(r.symbol)@\(r.windowStart)") == nil, "emitted twice")
                case .topProfit(let r):
                    #expect(finals.updateValue(output, forKey: "@\(r.windowStart)") == nil, "emitted twice")
                case .lateTrade: break
                }
            }
            #expect(finals == lastChange)
        }
    }
}
