import Foundation
import Testing

/// The exchange as a Kite Connect sandbox: `exchange run` with no demo feed, driven only through Zerodha's official
/// Python client (kiteconnect 5.2.2 from PyPI, `.ci/kite-venv`) by `Tests/Kite/kite_sandbox_check.py`: login,
/// profile, instruments, quotes, place / modify / cancel, orders, order history, trades, positions and margins after a
/// fill, historical candles, and KiteTicker's binary ticks and order updates, each checked on its values.
@Suite(.serialized, .timeLimit(.minutes(4))) struct KiteSandboxTests {
    /// The kiteconnect venv: KITE_VENV, default <repository>/.venv-kite.
    static var venvPython: URL {
        let venv = ProcessInfo.processInfo.environment["KITE_VENV"].map { URL(fileURLWithPath: $0) } ?? Repository.url(".venv-kite")
        return venv.appendingPathComponent("bin/python")
    }

    /// A process whose output goes to a file (a pipe nobody drains would stall a chatty child).
    final class Logged: @unchecked Sendable {
        let process = Process()
        let log: URL

        init(_ executable: URL, _ arguments: [String], log: URL) throws {
            self.log = log
            FileManager.default.createFile(atPath: log.path, contents: nil)
            let handle = try FileHandle(forWritingTo: log)
            process.executableURL = executable
            process.arguments = arguments
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
        }

        var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

        func stop() async { await SeparateProcessesTests.stop(process) }
    }

    @Test func theOfficialKiteClientTradesAgainstTheExchange() async throws {
        let python = Self.venvPython
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            Issue.record("the kiteconnect venv is missing at \(python.path): run .ci/kite-venv (KITE_VENV names another venv)")
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("exchange-kite-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let (apiKey, apiSecret, startingCash) = ("test-app", "test-app-secret", "50000")
        let exchange = try Logged(
            ExchangeBinary.exchange.locate(),
            ["run", "--no-demo-feed", "--quiet", "--gateway-port", "0", "--kite-app", "\(apiKey):\(apiSecret)",
             "--kite-starting-cash", startingCash, "--history-db", directory.appendingPathComponent("history.sqlite").path],
            log: directory.appendingPathComponent("exchange.log"))
        var stopped = false
        defer { if !stopped, exchange.process.isRunning { kill(exchange.process.processIdentifier, SIGKILL) } }

        // "exchange: gateway on http://127.0.0.1:<port>/v1" once the server listens.
        var base: String?
        try await SeparateProcessesTests.waitUntil("the gateway to listen", seconds: 60) {
            guard exchange.process.isRunning else { throw ComposeError("exchange run exited: \(exchange.output)") }
            base = exchange.output.firstMatch(of: /gateway on (http:\/\/127\.0\.0\.1:\d+)\/v1/).map { String($0.output.1) }
            return base != nil
        }
        let root = try #require(base)

        let check = try Logged(
            python,
            [Repository.url("Tests/Kite/kite_sandbox_check.py").path, root, apiKey, apiSecret, "alice-key", "bob-key", startingCash],
            log: directory.appendingPathComponent("check.log"))
        let deadline = ContinuousClock.now + .seconds(150)
        while check.process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
        if check.process.isRunning {
            await check.stop()
            Issue.record("the Kite client script did not finish within 150 s:\n\(check.output)")
        } else {
            #expect(check.process.terminationStatus == 0, "the Kite client script failed:\n\(check.output)\nexchange:\n\(exchange.output.suffix(4000))")
            #expect(check.output.contains("KITE SANDBOX OK"), "\(check.output)")
        }
        await exchange.stop()
        stopped = true
    }
}
