import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Counters and a latency histogram, written as Prometheus text on `GET /metrics`.
/// Self-contained (locks and a few dictionaries) rather than a metrics backend dependency.
///
/// Every order request counts here from an event loop and again from the producer's delivery
/// thread, so the counts are striped by thread: one shared lock was contended on every order.
public final class GatewayMetrics: Sendable {
    static let bucketBounds: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1]

    /// Labels of a request count; formatted only when rendered (requests are counted on every call).
    private struct RequestLabels: Hashable {
        var method: String
        var route: String
        var status: Int

        var text: String { "method=\"\(method)\",route=\"\(route)\",status=\"\(status)\"" }
    }

    private struct State {
        var requests: [RequestLabels: Int64] = [:]
        var buckets = [Int64](repeating: 0, count: GatewayMetrics.bucketBounds.count + 1)
        var durationSum: Double = 0
        var durationCount: Int64 = 0
        var counters: [String: Int64] = [:]
    }

    private final class Stripe: Sendable {
        let state = Mutex(State())
    }

    private let stripes = (0..<8).map { _ in Stripe() }

    public init() {}

    /// The calling thread's stripe.
    private var stripe: Stripe {
        let thread = UInt64(UInt(pthread_self()))
        return stripes[Int((thread &* 0x9E37_79B9_7F4A_7C15) >> 61)]
    }

    /// Every stripe's counts added up.
    private func merged() -> State {
        var total = State()
        for stripe in stripes {
            let s = stripe.state.withLock { $0 }
            total.requests.merge(s.requests, uniquingKeysWith: +)
            for i in total.buckets.indices { total.buckets[i] += s.buckets[i] }
            total.durationSum += s.durationSum
            total.durationCount += s.durationCount
            total.counters.merge(s.counters, uniquingKeysWith: +)
        }
        return total
    }

    /// Records a request that started at `start` and is answered now.
    public func observe(method: String, route: String, status: Int, since start: ContinuousClock.Instant) {
        let elapsed = start.duration(to: .now).components
        observe(method: method, route: route, status: status, seconds: Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18)
    }

    public func observe(method: String, route: String, status: Int, seconds: Double) {
        let key = RequestLabels(method: method, route: route, status: status)
        let bucket = GatewayMetrics.bucketBounds.firstIndex { seconds <= $0 } ?? GatewayMetrics.bucketBounds.count
        stripe.state.withLock { s in
            s.requests[key, default: 0] += 1
            s.buckets[bucket] += 1
            s.durationSum += seconds
            s.durationCount += 1
        }
    }

    /// Increments a named counter, e.g. `exchange_gateway_orders_accepted_total`.
    public func increment(_ name: String, by value: Int64 = 1) {
        stripe.state.withLock { $0.counters[name, default: 0] += value }
    }

    public func counter(_ name: String) -> Int64 {
        stripes.reduce(0) { sum, stripe in sum + stripe.state.withLock { $0.counters[name] ?? 0 } }
    }

    /// Prometheus text exposition format 0.0.4; `gauges` are sampled by the caller.
    public func render(gauges: [(name: String, help: String, value: Int64)]) -> String {
        let s = merged()
        var out = "# HELP exchange_gateway_http_requests_total HTTP requests by method, route and status.\n"
        out += "# TYPE exchange_gateway_http_requests_total counter\n"
        for (labels, count) in s.requests.map({ ($0.key.text, $0.value) }).sorted(by: { $0.0 < $1.0 }) {
            out += "exchange_gateway_http_requests_total{\(labels)} \(count)\n"
        }
        out += "# HELP exchange_gateway_http_request_duration_seconds Time from request head to response.\n"
        out += "# TYPE exchange_gateway_http_request_duration_seconds histogram\n"
        var cumulative: Int64 = 0
        for (i, bound) in GatewayMetrics.bucketBounds.enumerated() {
            cumulative += s.buckets[i]
            out += "exchange_gateway_http_request_duration_seconds_bucket{le=\"\(bound)\"} \(cumulative)\n"
        }
        cumulative += s.buckets[GatewayMetrics.bucketBounds.count]
        out += "exchange_gateway_http_request_duration_seconds_bucket{le=\"+Inf\"} \(cumulative)\n"
        out += "exchange_gateway_http_request_duration_seconds_sum \(s.durationSum)\n"
        out += "exchange_gateway_http_request_duration_seconds_count \(s.durationCount)\n"
        var lastBase = ""
        for (name, value) in s.counters.sorted(by: { $0.key < $1.key }) {
            let base = name.split(separator: "{").first.map(String.init) ?? name
            if base != lastBase { out += "# TYPE \(base) counter\n" }
            lastBase = base
            out += "\(name) \(value)\n"
        }
        for gauge in gauges {
            out += "# HELP \(gauge.name) \(gauge.help)\n# TYPE \(gauge.name) gauge\n\(gauge.name) \(gauge.value)\n"
        }
        return out
    }
}
