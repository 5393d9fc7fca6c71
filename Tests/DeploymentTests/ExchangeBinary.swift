import Foundation
import Testing

/// The `exchange` executable that `swift build` / `swift test` just built, run with `--help` to check that the
/// commands the documentation and the compose file use really exist.
enum ExchangeBinary {
    struct Output {
        let status: Int32
        let text: String
    }

    /// The binary next to the test bundle (same build products directory), or `EXCHANGE_BINARY` if set.
    static func locate() throws -> URL {
        let fileManager = FileManager.default
        var candidates: [URL] = []
        if let override = ProcessInfo.processInfo.environment["EXCHANGE_BINARY"] {
            candidates.append(URL(fileURLWithPath: override))
        }
        // /proc/self/exe is the xctest runner inside the build products directory (e.g. .build/<triple>/debug).
        if let runner = try? fileManager.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append(URL(fileURLWithPath: runner).deletingLastPathComponent().appendingPathComponent("exchange"))
        }
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("exchange"))
        candidates.append(Bundle.main.bundleURL.appendingPathComponent("exchange"))
        for configuration in ["debug", "release"] {
            candidates.append(Repository.url(".build/\(configuration)/exchange"))
        }
        if let found = candidates.first(where: { fileManager.isExecutableFile(atPath: $0.path) }) {
            return found
        }
        throw ComposeError(
            "the `exchange` executable was not found (looked at \(candidates.map(\.path))); build it with `swift build` or set EXCHANGE_BINARY")
    }

    /// Runs the binary with `arguments`, giving up after `timeout` seconds (a `--help` answers at once).
    static func run(_ arguments: [String], timeout: TimeInterval = 60) throws -> Output {
        let process = Process()
        process.executableURL = try locate()
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        try process.run()
        // Read concurrently so a long help text cannot fill the pipe and block the child.
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            throw ComposeError("`exchange \(arguments.joined(separator: " "))` did not finish within \(Int(timeout)) s")
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

    /// Checks that `exchange <words…>` names real subcommands and that every `--flag` it uses is documented in
    /// that subcommand's help. Returns the problems found (empty when the command is fine).
    static func problems(with words: [String]) throws -> (problems: [String], placeholder: Bool) {
        var path: [String] = []
        var help = try run(["--help"]).text
        var remaining = words[...]
        while let word = remaining.first, !word.hasPrefix("-"), subcommands(inHelp: help).contains(word) {
            path.append(word)
            remaining = remaining.dropFirst()
            let output = try run(path + ["--help"])
            guard output.status == 0 else {
                return (["`exchange \(path.joined(separator: " ")) --help` exited with \(output.status): \(output.text)"], false)
            }
            help = output.text
        }
        var problems: [String] = []
        if path.isEmpty, let first = words.first, !first.hasPrefix("-") {
            problems.append("`\(first)` is not a subcommand of exchange")
        }
        for word in remaining where word.hasPrefix("--") {
            let flag = String(word.split(separator: "=", maxSplits: 1)[0])
            if flag == "--help" || flag == "--version" { continue }
            if !documents(flag, in: help) {
                problems.append("`exchange \(path.joined(separator: " "))` has no option \(flag) (per its --help)")
            }
        }
        return (problems, !path.isEmpty && isPlaceholder(help: help))
    }

    /// Records `problems` as test failures, or as a known issue while the subcommand is a placeholder.
    static func expectNoProblems(_ words: [String], context: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (problems, placeholder) = try Self.problems(with: words)
        if placeholder && !problems.isEmpty {
            withKnownIssue("`exchange \(words.first ?? "")` is still a placeholder") {
                Issue.record("\(context): \(problems)", sourceLocation: sourceLocation)
            }
        } else {
            #expect(problems.isEmpty, "\(context): \(problems)", sourceLocation: sourceLocation)
        }
    }
}
