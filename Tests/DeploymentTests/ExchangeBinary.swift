import ExchangeTestSupport
import Foundation
import Testing

/// An executable of this package (`exchange`, `exchange-bench`) as `swift build` / `swift test` just built it, run
/// with `--help` to check that the commands the documentation and the compose file use really exist.
struct ExchangeBinary: Sendable {
    struct Output {
        let status: Int32
        let text: String
    }

    static let exchange = ExchangeBinary(name: "exchange", environmentOverride: "EXCHANGE_BINARY")
    static let bench = ExchangeBinary(name: "exchange-bench", environmentOverride: "EXCHANGE_BENCH_BINARY")

    let name: String
    let environmentOverride: String

    /// The binary next to the test runner (same build products directory), or the environment override if set.
    func locate() throws -> URL {
        let fileManager = FileManager.default
        var candidates: [URL] = []
        if let override = ProcessInfo.processInfo.environment[environmentOverride] {
            candidates.append(URL(fileURLWithPath: override))
        }
        // /proc/self/exe is the xctest runner inside the build products directory (e.g. .build/<triple>/debug).
        if let runner = try? fileManager.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append(URL(fileURLWithPath: runner).deletingLastPathComponent().appendingPathComponent(name))
        }
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent(name))
        candidates.append(Bundle.main.bundleURL.appendingPathComponent(name))
        for configuration in ["debug", "release"] {
            candidates.append(Repository.url(".build/\(configuration)/\(name)"))
        }
        if let found = candidates.first(where: { fileManager.isExecutableFile(atPath: $0.path) }) {
            return found
        }
        throw ComposeError(
            "the `\(name)` executable was not found (looked at \(candidates.map(\.path))); build it with `swift build` or set \(environmentOverride)")
    }

    /// Runs the binary with `arguments`, giving up after `timeout` seconds (a `--help` answers at once); the waiting
    /// happens on a thread of its own.
    func run(_ arguments: [String], timeout: TimeInterval = 60) async throws -> Output {
        try await onThreadOfItsOwn { try runBlocking(arguments, timeout: timeout) }
    }

    private func runBlocking(_ arguments: [String], timeout: TimeInterval) throws -> Output {
        let process = Process()
        process.executableURL = try locate()
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            throw ComposeError("`\(name) \(arguments.joined(separator: " "))` did not finish within \(Int(timeout)) s")
        }
        return Output(status: process.terminationStatus, text: String(decoding: data, as: UTF8.self))
    }

    /// Subcommand names listed under SUBCOMMANDS: in a help text.
    static func subcommands(inHelp help: String) -> Set<String> {
        var names: Set<String> = []
        var inSection = false
        for line in help.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("SUBCOMMANDS:") {
                inSection = true
                continue
            }
            guard inSection else { continue }
            if line.isEmpty, !names.isEmpty { break }
            if !line.isEmpty, !line.hasPrefix(" ") { break }
            // "  name    abstract" (a name is indented by exactly two spaces; wrapped abstracts by more).
            if line.hasPrefix("  "), !line.hasPrefix("   "), let name = line.split(separator: " ").first {
                names.insert(String(name))
            }
        }
        return names
    }

    /// True for a subcommand that is still the package skeleton's placeholder: its help offers no option but
    /// `--help`. Checks against it are recorded as known issues until its owner builds it.
    static func isPlaceholder(help: String) -> Bool {
        guard let options = help.range(of: "OPTIONS:") else { return false }
        let lines = help[options.upperBound...].split(separator: "\n").filter { $0.hasPrefix("  -") }
        return lines.count == 1 && lines[0].contains("--help")
    }

    /// True if `help` shows `flag` as a whole option name (`--brokers` does not count for `--brokers-count`).
    static func documents(_ flag: String, in help: String) -> Bool {
        var searchRange = help.startIndex..<help.endIndex
        while let found = help.range(of: flag, range: searchRange) {
            let after = found.upperBound
            if after == help.endIndex || !(help[after].isLetter || help[after].isNumber || help[after] == "-") {
                return true
            }
            searchRange = after..<help.endIndex
        }
        return false
    }

    /// Checks that `<name> <words…>` names real subcommands and that every `--flag` it uses is documented in that
    /// subcommand's help. Returns the problems found (empty when the command is fine), and whether the subcommand
    /// is still a placeholder.
    func problems(with words: [String]) async throws -> (problems: [String], placeholder: Bool) {
        var path: [String] = []
        let top = try await run(["--help"])
        guard top.status == 0 else { return (["`\(name) --help` exited with \(top.status): \(top.text)"], false) }
        var help = top.text
        var remaining = words[...]
        while let word = remaining.first, !word.hasPrefix("-"), Self.subcommands(inHelp: help).contains(word) {
            path.append(word)
            remaining = remaining.dropFirst()
            let output = try await run(path + ["--help"])
            guard output.status == 0 else {
                return (["`\(name) \(path.joined(separator: " ")) --help` exited with \(output.status): \(output.text)"], false)
            }
            help = output.text
        }
        var problems: [String] = []
        if path.isEmpty, let first = words.first, !first.hasPrefix("-"), !Self.subcommands(inHelp: help).isEmpty {
            problems.append("`\(first)` is not a subcommand of \(name)")
        }
        for word in remaining where word.hasPrefix("--") {
            let flag = String(word.split(separator: "=", maxSplits: 1)[0])
            if flag == "--help" || flag == "--version" { continue }
            if !Self.documents(flag, in: help) {
                problems.append("`\(name) \(path.joined(separator: " "))` has no option \(flag) (per its --help)")
            }
        }
        return (problems, !path.isEmpty && Self.isPlaceholder(help: help))
    }

    /// Records `problems` as test failures, or as a known issue while the subcommand is a placeholder.
    func expectNoProblems(_ words: [String], context: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let (problems, placeholder) = try await problems(with: words)
        if placeholder && !problems.isEmpty {
            withKnownIssue("`\(name) \(words.first ?? "")` is still a placeholder") {
                Issue.record("\(context): \(problems)", sourceLocation: sourceLocation)
            }
        } else {
            #expect(problems.isEmpty, "\(context): \(problems)", sourceLocation: sourceLocation)
        }
    }
}
