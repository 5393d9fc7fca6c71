import CoreMetrics
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The exchange's one metrics registry: the counters, gauges and latency histograms of the gateway and of the stages,
/// rendered in the Prometheus text exposition format (0.0.4).
///
/// The gateway writes to it directly; the stages count through swift-metrics, for which it is the backend
/// (`MetricsSystem.bootstrap(registry)`). Counts go to the calling thread's stripe: every order is counted on an event
/// loop and again where its delivery report lands, and one shared lock was contended on every order. A render adds the
/// stripes up. Gauges are set, not added, so they live in one place.
public final class MetricsRegistry: MetricsFactory, Sendable {
    private struct Histogram {
        var buckets: [Int64]
        var sum: Double = 0
        var count: Int64 = 0
    }

    private struct Stripe {
        var counters: [Series: Double] = [:]
        var histograms: [Series: Histogram] = [:]
    }

    private struct Catalogue {
        var help: [String: String] = [:]
        var types: [String: String] = [:]
        var bounds: [String: [Double]] = [:]
        var gauges: [Series: Double] = [:]
    }

    private final class StripeBox: Sendable {
        let state = Mutex(Stripe())
    }

    private let stripes = (0..<8).map { _ in StripeBox() }
    private let catalogue = Mutex(Catalogue())

    public init() {}

    private var stripe: StripeBox {
        let thread = UInt64(UInt(pthread_self()))
        return stripes[Int((thread &* 0x9E37_79B9_7F4A_7C15) >> 61)]
    }

    // MARK: Writing

    /// Gives a family its `# HELP` text and `# TYPE` (counter, gauge or histogram) in the rendering.
    public func describe(_ name: String, type: String, help: String) {
        catalogue.withLock { c in
            c.help[name] = help
            c.types[name] = type
        }
    }

    /// Declares a histogram family: its help text and buckets.
    public func define(_ family: HistogramFamily, help: String) {
        catalogue.withLock { c in
            c.help[family.name] = help
            c.types[family.name] = "histogram"
            c.bounds[family.name] = family.bounds
        }
    }

    public func increment(_ name: String, _ labels: Labels = Labels(), by amount: Double = 1) {
        let series = Series(name: name, labels: labels)
        stripe.state.withLock { $0.counters[series, default: 0] += amount }
    }

    /// Counts one observation into a histogram family.
    public func observe(_ family: HistogramFamily, _ labels: Labels = Labels(), seconds: Double) {
        let series = Series(name: family.name, labels: labels)
        let bucket = family.bounds.firstIndex { seconds <= $0 } ?? family.bounds.count
        stripe.state.withLock { s in
            s.histograms[series, default: Histogram(buckets: Array(repeating: 0, count: family.bounds.count + 1))].buckets[bucket] += 1
            s.histograms[series]?.sum += seconds
            s.histograms[series]?.count += 1
        }
    }

    public func set(_ name: String, _ labels: Labels = Labels(), to value: Double) {
        let series = Series(name: name, labels: labels)
        catalogue.withLock { $0.gauges[series] = value }
    }

    // MARK: Reading

    /// A counter's value, all stripes added up.
    public func counter(_ name: String, _ labels: Labels = Labels()) -> Double {
        let series = Series(name: name, labels: labels)
        return stripes.reduce(0) { sum, box in sum + box.state.withLock { $0.counters[series] ?? 0 } }
    }

    public func gauge(_ name: String, _ labels: Labels = Labels()) -> Double? {
        catalogue.withLock { $0.gauges[Series(name: name, labels: labels)] }
    }

    /// Every family in the Prometheus text format, families and series in name order.
    public func render() -> String {
        var counters: [Series: Double] = [:]
        var histograms: [Series: Histogram] = [:]
        for box in stripes {
            let s = box.state.withLock { $0 }
            counters.merge(s.counters, uniquingKeysWith: +)
            histograms.merge(s.histograms) { a, b in
                Histogram(buckets: zip(a.buckets, b.buckets).map { $0 + $1 }, sum: a.sum + b.sum, count: a.count + b.count)
            }
        }
        let c = catalogue.withLock { $0 }
        var lines: [String: [String]] = [:]
        var types: [String: String] = [:]
        for (series, value) in counters {
            lines[series.family, default: []].append("\(series.text) \(Self.format(value))")
            types[series.family] = types[series.family] ?? "counter"
        }
        for (series, value) in c.gauges {
            lines[series.family, default: []].append("\(series.text) \(Self.format(value))")
            types[series.family] = "gauge"
        }
        for (series, histogram) in histograms {
            let bounds = c.bounds[series.family] ?? []
            var cumulative: Int64 = 0
            var out: [String] = []
            for (i, bound) in bounds.enumerated() {
                cumulative += histogram.buckets[i]
                out.append("\(series.text(suffix: "_bucket", le: String(bound))) \(cumulative)")
            }
            cumulative += histogram.buckets[bounds.count]
            out.append("\(series.text(suffix: "_bucket", le: "+Inf")) \(cumulative)")
            out.append("\(series.text(suffix: "_sum")) \(histogram.sum)")
            out.append("\(series.text(suffix: "_count")) \(histogram.count)")
            // Keeps a histogram's lines in their order when the family's series are sorted.
            lines[series.family, default: []].append(out.joined(separator: "\n"))
            types[series.family] = "histogram"
        }
        var text = ""
        for family in lines.keys.sorted() {
            if let help = c.help[family] { text += "# HELP \(family) \(help)\n" }
            text += "# TYPE \(family) \(c.types[family] ?? types[family] ?? "untyped")\n"
            for line in lines[family, default: []].sorted() { text += line + "\n" }
        }
        return text
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    // MARK: swift-metrics backend

    final class Handler: CounterHandler, FloatingPointCounterHandler, RecorderHandler, TimerHandler, Sendable {
        let registry: MetricsRegistry
        let name: String
        let labels: Labels
        let isGauge: Bool

        init(registry: MetricsRegistry, name: String, labels: Labels, isGauge: Bool) {
            self.registry = registry
            self.name = name
            self.labels = labels
            self.isGauge = isGauge
        }

        func increment(by amount: Int64) { registry.increment(name, labels, by: Double(amount)) }
        func increment(by amount: Double) { registry.increment(name, labels, by: amount) }
        func reset() {
            if isGauge {
                registry.set(name, labels, to: 0)
            } else {
                let current = registry.counter(name, labels)
                registry.increment(name, labels, by: -current)
            }
        }
        func record(_ value: Int64) { registry.set(name, labels, to: Double(value)) }
        func record(_ value: Double) { registry.set(name, labels, to: value) }
        func recordNanoseconds(_ duration: Int64) { registry.set(name, labels, to: Double(duration) / 1e9) }
    }

    private func handler(_ label: String, _ dimensions: [(String, String)], type: String) -> Handler {
        let name = String(label.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
        let labels = Labels(dimensions)
        catalogue.withLock { c in
            if c.types[name] == nil { c.types[name] = type }
        }
        if type == "counter" { increment(name, labels, by: 0) } else if gauge(name, labels) == nil { set(name, labels, to: 0) }
        return Handler(registry: self, name: name, labels: labels, isGauge: type == "gauge")
    }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> CounterHandler {
        handler(label, dimensions, type: "counter")
    }

    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> FloatingPointCounterHandler {
        handler(label, dimensions, type: "counter")
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> RecorderHandler {
        handler(label, dimensions, type: "gauge")
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> TimerHandler {
        handler(label, dimensions, type: "gauge")
    }

    public func destroyCounter(_ handler: CounterHandler) {}
    public func destroyFloatingPointCounter(_ handler: FloatingPointCounterHandler) {}
    public func destroyRecorder(_ handler: RecorderHandler) {}
    public func destroyTimer(_ handler: TimerHandler) {}
}
