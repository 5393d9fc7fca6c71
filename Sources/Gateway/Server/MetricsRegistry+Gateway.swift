import ExchangeMetrics

/// The gateway's families in the registry.
extension MetricsRegistry {
    static let requestDuration = HistogramFamily(
        name: "exchange_gateway_http_request_duration_seconds", bounds: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1])
    static let requests = "exchange_gateway_http_requests_total"

    func describeGateway() {
        describe(Self.requests, type: "counter", help: "HTTP requests by method, route and status.")
        define(Self.requestDuration, help: "Time from request head to response.")
    }

    /// Records a request that started at `start` and is answered now.
    func observe(method: String, route: String, status: Int, since start: ContinuousClock.Instant) {
        let elapsed = start.duration(to: .now).components
        let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18
        increment(Self.requests, Labels(.init("method", .text(method)), .init("route", .text(route)), .init("status", .number(status))))
        observe(Self.requestDuration, seconds: seconds)
    }

    /// The registry's text with `gauges`, sampled by the caller, set first.
    func render(gauges: [(name: String, help: String, value: Int64)]) -> String {
        for gauge in gauges {
            describe(gauge.name, type: "gauge", help: gauge.help)
            set(gauge.name, to: Double(gauge.value))
        }
        return render()
    }
}
