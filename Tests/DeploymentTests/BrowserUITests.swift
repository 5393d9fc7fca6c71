import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The trading screen in a real browser: `exchange run` on the embedded cluster, headless Chromium driven by Selenium
/// (`Browser/trading_screen.py`, from the venv `.ci/browser-venv` makes, with Debian's chromium and chromedriver).
/// Screenshots go to `$EXCHANGE_UI_SCREENSHOTS` (default `.build/ui-screenshots`), where CI can show them. The page
/// under `--rate 2000` is measured by `Browser/measure-trading-screen`, outside the suite.
@Suite(.serialized, .timeLimit(.minutes(6))) struct BrowserUITests {
    static let chromium = "/usr/bin/chromium"
    static let chromedriver = "/usr/bin/chromedriver"

    /// The Selenium venv (`.ci/browser-venv`).
    static var venvPython: URL {
        let venv = ProcessInfo.processInfo.environment["BROWSER_VENV"].map { URL(fileURLWithPath: $0) }
            ?? Repository.url(".venv-browser")
        return venv.appendingPathComponent("bin/python")
    }

    static var screenshots: URL {
        ProcessInfo.processInfo.environment["EXCHANGE_UI_SCREENSHOTS"].map { URL(fileURLWithPath: $0) }
            ?? Repository.url(".build/ui-screenshots")
    }

    /// The Python that drives the browser, or a recorded failure naming what is missing.
    static func browserPython() -> String? {
        for (path, package) in [(chromium, "chromium"), (chromedriver, "chromium-driver")] where !FileManager.default.isExecutableFile(atPath: path) {
            Issue.record("\(path) is missing: apt-get install \(package) (.ci/run installs it)")
            return nil
        }
        let python = venvPython.path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            Issue.record("the browser test's venv is missing at \(python): run .ci/browser-venv (BROWSER_VENV names another venv)")
            return nil
        }
        return python
    }

    /// `exchange run` with its output in a file; its gateway's base URL and the embedded cluster's bootstrap servers.
    final class Exchange: @unchecked Sendable {
        let child: SeparateProcessesTests.Child
        let log: URL
        var url = ""
        var bootstrap = ""
        var process: Process { child.process }

        init(_ arguments: [String], directory: URL) throws {
            log = directory.appendingPathComponent("exchange.log")
            FileManager.default.createFile(atPath: log.path, contents: nil)
            child = try SeparateProcessesTests.Child(
                ["run", "--gateway-port", "0", "--quiet"] + arguments, log: try FileHandle(forWritingTo: log))
        }

        var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

        /// Waits for the lines naming the cluster and the gateway's port.
        func started() async throws {
            try await SeparateProcessesTests.waitUntil("exchange run's gateway (log: \(log.path))", seconds: 120) {
                guard process.isRunning else { throw ComposeError("exchange run exited: \(output)") }
                return output.contains("trading screen on http://")
            }
            let text = output
            url = Self.between(text, "trading screen on ", "/\n") ?? ""
            bootstrap = Self.between(text, "embedded in-memory Kafka at ", " ") ?? ""
        }

        static func between(_ text: String, _ start: String, _ end: String) -> String? {
            guard let from = text.range(of: start), let to = text.range(of: end, range: from.upperBound..<text.endIndex) else { return nil }
            return String(text[from.upperBound..<to.lowerBound])
        }

        func stop() async { await child.stop() }
    }

    /// Runs a tool to its end without holding a thread (it polls); its output, or an error with it.
    static func run(_ tool: String, _ arguments: [String], directory: URL, seconds: Double) async throws -> String {
        let output = directory.appendingPathComponent("tool-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = process.standardOutput
        var environment = ProcessInfo.processInfo.environment
        environment["SE_OFFLINE"] = "true"  // Selenium must use the given chromedriver, never fetch one
        process.environment = environment
        try process.run()
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning {
            process.terminate()
            throw ComposeError("`\(tool) \(arguments.joined(separator: " "))` did not finish within \(Int(seconds)) s: \((try? String(contentsOf: output, encoding: .utf8)) ?? "")")
        }
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            throw ComposeError("`\(URL(fileURLWithPath: tool).lastPathComponent) \(arguments.prefix(2).joined(separator: " "))` exited \(process.terminationStatus):\n\(text)")
        }
        return text
    }

    static func get(_ url: String, key: String? = nil) async throws -> (status: Int, headers: [String: String], body: String) {
        var request = URLRequest(url: try #require(URL(string: url)))
        if let key { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        var headers: [String: String] = [:]
        for case (let name as String, let value as String) in http.allHeaderFields { headers[name.lowercased()] = value }
        return (http.statusCode, headers, String(decoding: data, as: UTF8.self))
    }

    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("exchange-ui-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test func aTraderPlacesAnOrderAndSeesTheTradeInTheBrowser() async throws {
        guard let python = Self.browserPython() else { return }
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let exchange = try Exchange([], directory: directory)
        defer { exchange.child.killIfRunning() }
        try await exchange.started()

        // The page and its files come from the binary, under a policy that allows this origin alone.
        for (path, type) in [("/", "text/html"), ("/ui/app.js", "text/javascript"), ("/ui/app.css", "text/css")] {
            let answer = try await Self.get(exchange.url + path)
            #expect(answer.status == 200, "\(path)")
            #expect(answer.headers["content-type"]?.hasPrefix(type) == true, "\(path): \(answer.headers)")
            let policy = answer.headers["content-security-policy"] ?? ""
            #expect(policy.contains("default-src 'none'") && policy.contains("script-src 'self'") && !policy.contains("unsafe"), "\(path): \(policy)")
            #expect(answer.headers["x-content-type-options"] == "nosniff")
        }
        let page = try await Self.get(exchange.url + "/").body
        #expect(!page.contains("<script>") && !page.contains("style="), "inline script or style in the page")

        // A symbol of its own, which the demo feed does not trade: the test's orders are alone in its book.
        let symbol = "UITEST"
        _ = try await Self.run(
            try ExchangeBinary.exchange.locate().path,
            ["instruments", "list-new", symbol, "--tick-size", "0.01", "--last-price", "100", "--band-percent", "10", "--brokers", exchange.bootstrap],
            directory: directory, seconds: 60)
        try await SeparateProcessesTests.waitUntil("\(symbol) in the gateway's instruments", seconds: 60) {
            try await Self.get(exchange.url + "/v1/instruments", key: "alice-key").body.contains("\"\(symbol)\"")
        }

        let screenshots = Self.screenshots
        let script = Repository.url("Tests/DeploymentTests/Browser/trading_screen.py").path
        let output = try await Self.run(
            python, [script, "flow", "--url", exchange.url, "--symbol", symbol, "--price", "101", "--bad-price", "101.005",
                     "--screenshots", screenshots.path, "--chromium", Self.chromium, "--chromedriver", Self.chromedriver],
            directory: directory, seconds: 240)
        print("browser flow: \(output.split(separator: "\n").last ?? "")")
        let report = try #require(
            (try? JSONSerialization.jsonObject(with: Data((output.split(separator: "\n").last ?? "").utf8))) as? [String: Any], "\(output)")
        #expect((report["bad_price_error"] as? String)?.contains("tick size") == true, "\(report)")
        for name in ["trading-screen-1280x800.png", "trading-screen-390-phone.png"] {
            let size = (try? FileManager.default.attributesOfItem(atPath: screenshots.appendingPathComponent(name).path)[.size] as? Int) ?? 0
            #expect(size > 10_000, "screenshot \(name) missing or empty in \(screenshots.path)")
        }
        await exchange.stop()
    }

    /// With `--market-data key` the page asks to sign in rather than retrying a WebSocket the gateway refuses.
    @Test func withMarketDataBehindAKeyThePageAsksToSignIn() async throws {
        guard let python = Self.browserPython() else { return }
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let exchange = try Exchange(["--market-data", "key"], directory: directory)
        defer { exchange.child.killIfRunning() }
        try await exchange.started()
        let script = Repository.url("Tests/DeploymentTests/Browser/trading_screen.py").path
        let output = try await Self.run(
            python, [script, "locked", "--url", exchange.url, "--symbol", "AAPL", "--screenshots", Self.screenshots.path,
                     "--chromium", Self.chromium, "--chromedriver", Self.chromedriver],
            directory: directory, seconds: 180)
        print("browser, market data behind a key: \(output.split(separator: "\n").last ?? "")")
        #expect(output.contains("sign in"), "\(output)")
        await exchange.stop()
    }
}
