import CoreMetrics
import ExchangeMetrics
import Testing

/// The registry's text is what Prometheus scrapes: counters added up over threads, labels escaped, histograms
/// cumulative, and swift-metrics handles (the stages') counted in the same place as direct writes (the gateway's).
@Suite struct MetricsRegistryTests {
    @Test func countsFromManyThreadsAddUp() async {
        let registry = MetricsRegistry()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    for _ in 0..<1_000 { registry.increment("orders_total", Labels(.init("side", .text("BUY")))) }
                }
            }
        }
        #expect(registry.counter("orders_total", Labels(.init("side", .text("BUY")))) == 8_000)
        #expect(registry.render().contains(#"orders_total{side="BUY"} 8000"#))
    }

    @Test func histogramsAreCumulativeWithSumAndCount() {
        let registry = MetricsRegistry()
        let latency = HistogramFamily(name: "latency_seconds", bounds: [0.001, 0.01])
        registry.define(latency, help: "How long.")
        for seconds in [0.0005, 0.005, 0.005, 2] { registry.observe(latency, seconds: seconds) }
        let text = registry.render()
        #expect(text.contains("# HELP latency_seconds How long.\n# TYPE latency_seconds histogram\n"))
        #expect(text.contains(#"latency_seconds_bucket{le="0.001"} 1"#))
        #expect(text.contains(#"latency_seconds_bucket{le="0.01"} 3"#))
        #expect(text.contains(#"latency_seconds_bucket{le="+Inf"} 4"#))
        #expect(text.contains("latency_seconds_sum 2.0105"))
        #expect(text.contains("latency_seconds_count 4"))
    }

    @Test func swiftMetricsHandlesCountInTheRegistry() {
        let registry = MetricsRegistry()
        let records = Counter(label: "exchange_stage_records_in_total", dimensions: [("stage", "match")], factory: registry)
        let lag = Gauge(label: "exchange_stage_lag_records", dimensions: [("stage", "match")], factory: registry)
        records.increment(by: 3)
        records.increment()
        lag.record(17)
        registry.increment("exchange_gateway_orders_accepted_total")
        let text = registry.render()
        #expect(text.contains("# TYPE exchange_stage_records_in_total counter\n" + #"exchange_stage_records_in_total{stage="match"} 4"#))
        #expect(text.contains("# TYPE exchange_stage_lag_records gauge\n" + #"exchange_stage_lag_records{stage="match"} 17"#))
        #expect(text.contains("exchange_gateway_orders_accepted_total 1\n"))
    }

    @Test func labelValuesAreEscaped() {
        let registry = MetricsRegistry()
        registry.increment("odd_total", Labels(.init("path", .text("a\"b\\c\nd")), .init("status", .number(404))))
        #expect(registry.render().contains(#"odd_total{path="a\"b\\c\nd",status="404"} 1"#))
    }
}
