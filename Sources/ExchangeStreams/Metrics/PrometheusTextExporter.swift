import CoreMetrics
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A minimal swift-metrics backend that keeps counters and gauges in memory and renders them in the Prometheus
/// text format; `serve(port:)` answers `GET /metrics` on a plain TCP socket. Small on purpose: no HTTP framework
/// dependency for the stages.
public final class PrometheusTextExporter: MetricsFactory, @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String: Double] = [:]
    private var kinds: [String: String] = [:]

    public init() {}

    final class Handler: CounterHandler, RecorderHandler, TimerHandler, FloatingPointCounterHandler, @unchecked Sendable {
        let exporter: PrometheusTextExporter
        let series: String
        let aggregate: Bool

        init(exporter: PrometheusTextExporter, series: String, aggregate: Bool) {
            self.exporter = exporter
            self.series = series
            self.aggregate = aggregate
        }

        func increment(by amount: Int64) { exporter.update(series) { $0 + Double(amount) } }
        func increment(by amount: Double) { exporter.update(series) { $0 + amount } }
        func reset() { exporter.update(series) { _ in 0 } }
        func record(_ value: Int64) { record(Double(value)) }
        func record(_ value: Double) { exporter.update(series) { aggregate ? $0 + value : value } }
        func recordNanoseconds(_ duration: Int64) { exporter.update(series) { _ in Double(duration) / 1e9 } }
    }

    static func series(_ label: String, _ dimensions: [(String, String)]) -> String {
        let name = label.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" }
        guard !dimensions.isEmpty else { return String(name) }
        let labels = dimensions.map { "\($0.0)=\"\($0.1.replacingOccurrences(of: "\"", with: "\\\""))\"" }
        return "\(String(name)){\(labels.joined(separator: ","))}"
    }

    func update(_ series: String, _ change: (Double) -> Double) {
        lock.lock()
        values[series] = change(values[series] ?? 0)
        lock.unlock()
    }

    private func handler(_ label: String, _ dimensions: [(String, String)], kind: String, aggregate: Bool) -> Handler {
        let series = Self.series(label, dimensions)
        lock.lock()
        if values[series] == nil { values[series] = 0 }
        kinds[String(series.prefix { $0 != "{" })] = kind
        lock.unlock()
        return Handler(exporter: self, series: series, aggregate: aggregate)
    }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> CounterHandler {
        handler(label, dimensions, kind: "counter", aggregate: true)
    }

    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> FloatingPointCounterHandler {
        handler(label, dimensions, kind: "counter", aggregate: true)
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> RecorderHandler {
        handler(label, dimensions, kind: "gauge", aggregate: false)
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> TimerHandler {
        handler(label, dimensions, kind: "gauge", aggregate: false)
    }

    public func destroyCounter(_ handler: CounterHandler) {}
    public func destroyFloatingPointCounter(_ handler: FloatingPointCounterHandler) {}
    public func destroyRecorder(_ handler: RecorderHandler) {}
    public func destroyTimer(_ handler: TimerHandler) {}

    /// The current values in the Prometheus text exposition format.
    public func render() -> String {
        lock.lock()
        let snapshot = values
        let types = kinds
        lock.unlock()
        var out = ""
        var typed: Set<String> = []
        for series in snapshot.keys.sorted() {
            let name = String(series.prefix { $0 != "{" })
            if typed.insert(name).inserted { out += "# TYPE \(name) \(types[name] ?? "untyped")\n" }
            let value = snapshot[series] ?? 0
            out += "\(series) \(value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value))\n"
        }
        return out
    }

    /// Serves `GET /metrics` on `port` (all interfaces) from a background thread until the process ends.
    public func serve(port: Int) throws {
        #if canImport(Glibc)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw PrometheusServeError("socket() failed: errno \(errno)") }
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr = in_addr(s_addr: INADDR_ANY)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0, listen(fd, 16) == 0 else {
                close(fd)
                throw PrometheusServeError("cannot listen on port \(port): errno \(errno)")
            }
            let thread = Thread { [self] in
                while true {
                    let client = accept(fd, nil, nil)
                    if client < 0 { continue }
                    var request = [UInt8](repeating: 0, count: 2048)
                    let n = read(client, &request, request.count)
                    let line = n > 0 ? String(decoding: request[0..<n], as: UTF8.self) : ""
                    let ok = line.hasPrefix("GET /metrics") || line.hasPrefix("GET / ")
                    let body = ok ? render() : "not found; try GET /metrics\n"
                    let head =
                        "HTTP/1.1 \(ok ? "200 OK" : "404 Not Found")\r\nContent-Type: text/plain; version=0.0.4\r\n"
                        + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
                    let response = Array((head + body).utf8)
                    _ = response.withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
                    close(client)
                }
            }
            thread.start()
        #else
            throw PrometheusServeError("the built-in metrics endpoint needs Linux (Glibc)")
        #endif
    }
}

public struct PrometheusServeError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
