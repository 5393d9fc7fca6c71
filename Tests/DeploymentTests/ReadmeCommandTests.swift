import Foundation
import Testing

/// Every `exchange …` command README.md and the pages of docs/ show is run against the binary just built (with
/// `--help`, since most of them run until stopped): the subcommands must exist and accept the options shown, so the
/// documentation cannot drift from the code.
@Suite("README commands")
struct ReadmeCommandTests {
    /// One shell command line from a fenced code block: the file and line it is on, the binary it runs and the words
    /// after it.
    struct DocumentedCommand: CustomStringConvertible {
        let file: String
        let line: Int
        let binary: ExchangeBinary
        let words: [String]
        var description: String { "\(file):\(line): \(binary.name) \(words.joined(separator: " "))" }
    }

    /// The commands README.md showed when the manual moved from it into docs/: a change that loses any of them
    /// (a page dropped, a parser that no longer sees a block) fails here.
    static let commandsBeforeDocsMoved = 36

    let readme: String
    let commands: [DocumentedCommand]

    init() throws {
        readme = try Repository.text("README.md")
        commands = try Repository.markdownFiles().flatMap { file in
            Self.exchangeCommands(in: try Repository.text(file), file: file)
        }
    }

    /// Shell-like code blocks (sh, bash, shell, console or unlabeled), their `exchange` invocations: directly,
    /// through a path ending in /exchange, or through `swift run [options] exchange`.
    static func exchangeCommands(in markdown: String, file: String) -> [DocumentedCommand] {
        var commands: [DocumentedCommand] = []
        var inShellBlock = false
        var inOtherBlock = false
        var pending = ""
        let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false)
        for (offset, rawLine) in lines.enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("```") {
                if inShellBlock || inOtherBlock {
                    inShellBlock = false
                    inOtherBlock = false
                } else {
                    let language = line.dropFirst(3).trimmingCharacters(in: .whitespaces)
                    inShellBlock = ["", "sh", "bash", "shell", "console", "shell-session"].contains(language)
                    inOtherBlock = !inShellBlock
                }
                continue
            }
            guard inShellBlock, !line.hasPrefix("#") else { continue }
            var text = line.hasPrefix("$ ") ? String(line.dropFirst(2)) : line
            if text.hasSuffix("\\") {
                pending += text.dropLast() + " "
                continue
            }
            text = pending + text
            pending = ""
            for segment in splitCommands(text) {
                if let (binary, words) = invocation(in: words(of: segment)) {
                    commands.append(DocumentedCommand(file: file, line: offset + 1, binary: binary, words: words))
                }
            }
        }
        return commands
    }

    /// Splits at `&&`, `||`, `;` and `|` outside quotes; drops a trailing `&` and a trailing comment.
    static func splitCommands(_ line: String) -> [String] {
        var segments: [String] = []
        var current = ""
        var quote: Character?
        var previous: Character = " "
        for character in line {
            if let open = quote {
                if character == open { quote = nil }
                current.append(character)
            } else if character == "'" || character == "\"" {
                quote = character
                current.append(character)
            } else if character == "#" && previous == " " {
                break
            } else if character == ";" || character == "|" || character == "&" {
                if !current.trimmingCharacters(in: .whitespaces).isEmpty { segments.append(current) }
                current = ""
            } else {
                current.append(character)
            }
            previous = character
        }
        if !current.trimmingCharacters(in: .whitespaces).isEmpty { segments.append(current) }
        return segments
    }

    /// Shell words, with quotes removed.
    static func words(of segment: String) -> [String] {
        var words: [String] = []
        var current = ""
        var quote: Character?
        var inWord = false
        for character in segment {
            if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
            } else if character == "'" || character == "\"" {
                quote = character
                inWord = true
            } else if character.isWhitespace {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(character)
                inWord = true
            }
        }
        if inWord { words.append(current) }
        return words
    }

    /// The binary and arguments of an `exchange` or `exchange-bench` invocation (directly, through a path, or
    /// through `swift run [options] <product>`), or nil if the words run something else.
    static func invocation(in words: [String]) -> (ExchangeBinary, [String])? {
        let words = Array(words.drop { $0.range(of: #"^[A-Za-z_][A-Za-z0-9_]*="#, options: .regularExpression) != nil })
        guard let first = words.first else { return nil }
        for binary in [ExchangeBinary.exchange, .bench] {
            if first == binary.name || first.hasSuffix("/" + binary.name) {
                return (binary, Array(words.dropFirst()))
            }
            if first == "swift", words.count > 2, words[1] == "run", let index = words.firstIndex(of: binary.name) {
                return (binary, Array(words[(index + 1)...].filter { $0 != "--" }))
            }
        }
        return nil
    }

    @Test("README and docs/ show exchange commands, and they are found")
    func commandsAreFound() {
        #expect(commands.filter { $0.file == "README.md" }.count >= 5, "found \(commands)")
        #expect(commands.contains { $0.file.hasPrefix("docs/") }, "found \(commands)")
        #expect(commands.count >= Self.commandsBeforeDocsMoved, "found \(commands.count): \(commands)")
    }

    @Test("the top of README: one command installs and runs the exchange, one runs the tests")
    func topCommands() throws {
        let firstBlock = try #require(readme.components(separatedBy: "```").dropFirst().first, "a code block")
        #expect(firstBlock.contains("apt-get install") && firstBlock.contains("librdkafka-dev"))
        #expect(firstBlock.contains("exchange run"), "the first command runs the exchange")
        #expect(firstBlock.contains("swift test"), "the second command runs the tests")
        let ci = try Repository.text(".ci/run")
        #expect(ci.contains(/\n[ \t]*swift test/), "CI runs the README's test command")
    }

    @Test("README's first command and CI install every Debian package Package.swift links")
    func aptProvidersInstalled() throws {
        let package = try Repository.text("Package.swift")
        // `.apt(["librdkafka-dev"])` and the like: the system libraries the build cannot do without.
        let providers = package.matches(of: /\.apt\(\[([^\]]*)\]\)/).flatMap { match in
            match.output.1.split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\" ")) }
        }
        #expect(providers.contains("libjemalloc-dev") && providers.contains("librdkafka-dev"), "\(providers)")
        let firstBlock = try #require(readme.components(separatedBy: "```").dropFirst().first, "a code block")
        let ci = try Repository.text(".ci/run")
        for provider in providers {
            #expect(firstBlock.contains(provider), "README's install command lacks \(provider)")
            #expect(ci.contains(provider), ".ci/run does not install \(provider)")
        }
    }

    @Test("every command shown exists and accepts the options shown")
    func commandsAreReal() async throws {
        for command in commands {
            try await command.binary.expectNoProblems(command.words, context: "\(command)")
        }
    }

    @Test("every subcommand of exchange has an example in README or docs/")
    func everySubcommandIsDocumented() async throws {
        let help = try await ExchangeBinary.exchange.run(["--help"])
        #expect(help.status == 0)
        let documented = Set(commands.filter { $0.binary.name == "exchange" }.compactMap(\.words.first))
        for subcommand in ExchangeBinary.subcommands(inHelp: help.text) where subcommand != "help" {
            #expect(
                documented.contains(subcommand), "neither README.md nor docs/ shows an `exchange \(subcommand)` example")
        }
    }
}
