import ArgumentParser
import ExchangeMetrics
import Foundation
import Hummingbird
import Logging

/// `GET /metrics` for a stage command's `--metrics-port`: the process's registry in the Prometheus text format.
enum MetricsEndpoint {
    /// Serves on all interfaces until the process ends; a port it cannot listen on ends the process with a message.
    static func start(registry: MetricsRegistry, port: Int) throws {
        guard (1...65_535).contains(port) else { throw ValidationError("--metrics-port must be 1...65535, got \(port)") }
        let router = Router()
        router.get("metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: registry.render())))
        }
        var logger = Logger(label: "exchange.metrics")
        logger.logLevel = .warning
        let app = Application(router: router, configuration: .init(address: .hostname("0.0.0.0", port: port)), logger: logger)
        Task {
            do {
                try await app.run()
            } catch {
                FileHandle.standardError.write(Data("exchange: metrics endpoint on port \(port): \(error)\n".utf8))
                exit(1)
            }
        }
    }
}
