import Foundation
import Testing

/// The Dockerfile cannot be built here (no Docker engine): its structure is checked instead.
@Suite("Dockerfile")
struct DockerfileTests {
    struct Instruction {
        let keyword: String
        let arguments: String
    }

    let instructions: [Instruction]
    let arguments: [String: String]

    init() throws {
        // Join continuation lines, drop comments, split into (KEYWORD, arguments).
        let text = try Repository.text("Dockerfile")
        var logical: [String] = []
        var current = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if current.isEmpty && (trimmed.hasPrefix("#") || trimmed.isEmpty) { continue }
            if trimmed.hasSuffix("\\") {
                current += trimmed.dropLast() + " "
            } else {
                logical.append(current + trimmed)
                current = ""
            }
        }
        instructions = logical.map { line in
            let parts = line.split(separator: " ", maxSplits: 1)
            return Instruction(keyword: parts[0].uppercased(), arguments: parts.count > 1 ? String(parts[1]) : "")
        }
        var arguments: [String: String] = [:]
        for instruction in instructions where instruction.keyword == "ARG" {
            let pair = instruction.arguments.split(separator: "=", maxSplits: 1).map(String.init)
            if pair.count == 2 { arguments[pair[0]] = pair[1] }
        }
        self.arguments = arguments
    }

    /// FROM images with ARG defaults substituted, and the stage names.
    var stages: [(image: String, name: String?)] {
        instructions.filter { $0.keyword == "FROM" }.map { from in
            let words = from.arguments.split(separator: " ").map(String.init)
            var image = words[0]
            for (name, value) in arguments { image = image.replacingOccurrences(of: "${\(name)}", with: value) }
            let name = words.count >= 3 && words[1].uppercased() == "AS" ? words[2] : nil
            return (image, name)
        }
    }

    func instructions(ofStage index: Int) -> [Instruction] {
        var stage = -1
        return instructions.filter { instruction in
            if instruction.keyword == "FROM" { stage += 1 }
            return stage == index && instruction.keyword != "FROM"
        }
    }

    @Test("two stages: the Swift toolchain on bookworm builds, slim bookworm runs")
    func stagesAndImages() throws {
        try #require(stages.count == 2, "a build stage and a runtime stage: \(stages)")
        let build = stages[0].image
        let runtime = stages[1].image
        #expect(build.hasPrefix("swift:") && build.hasSuffix("-bookworm"), "official Swift image on bookworm: \(build)")
        #expect(!build.contains("latest") && build.contains("6."), "pinned Swift 6 toolchain: \(build)")
        #expect(runtime == "debian:bookworm-slim" || (runtime.hasPrefix("swift:") && runtime.hasSuffix("bookworm-slim")),
                "slim bookworm runtime: \(runtime)")
    }

    @Test("librdkafka: -dev to build, the shared library to run")
    func librdkafka() {
        let buildRuns = instructions(ofStage: 0).filter { $0.keyword == "RUN" }.map(\.arguments).joined(separator: "\n")
        let runtimeRuns = instructions(ofStage: 1).filter { $0.keyword == "RUN" }.map(\.arguments).joined(separator: "\n")
        #expect(buildRuns.contains("librdkafka-dev") && buildRuns.contains("pkg-config"),
                "Package.swift finds librdkafka through pkg-config")
        #expect(runtimeRuns.contains("librdkafka1"))
        #expect(!runtimeRuns.contains("librdkafka-dev"), "no headers or toolchain in the runtime image")
    }

    @Test("jemalloc: -dev to build, the shared library to run (the binary links it as its malloc)")
    func jemalloc() {
        let buildRuns = instructions(ofStage: 0).filter { $0.keyword == "RUN" }.map(\.arguments).joined(separator: "\n")
        let runtimeRuns = instructions(ofStage: 1).filter { $0.keyword == "RUN" }.map(\.arguments).joined(separator: "\n")
        #expect(buildRuns.contains("libjemalloc-dev"))
        #expect(runtimeRuns.contains("libjemalloc2") && !runtimeRuns.contains("libjemalloc-dev"))
    }

    @Test("builds the exchange product and runs it as a non-root user")
    func binaryAndUser() throws {
        let package = try Repository.text("Package.swift")
        #expect(package.contains(#".executable(name: "exchange""#))
        let build = instructions(ofStage: 0).filter { $0.keyword == "RUN" }.map(\.arguments).joined()
        #expect(build.contains("swift build -c release --product exchange"))
        let runtime = instructions(ofStage: 1)
        let user = try #require(runtime.last { $0.keyword == "USER" }, "the runtime stage sets USER")
        let name = String(user.arguments.split(separator: ":")[0])
        #expect(name != "root" && name != "0", "runs as non-root, not \(name)")
        #expect(runtime.contains { $0.keyword == "RUN" && $0.arguments.contains("useradd") && $0.arguments.contains(name) })
        let entrypoint = try #require(runtime.last { $0.keyword == "ENTRYPOINT" })
        #expect(entrypoint.arguments.contains("exchange"))
        #expect(runtime.contains { $0.keyword == "COPY" && $0.arguments.contains("--from=build") && $0.arguments.contains("exchange") })
    }

    @Test("everything COPY takes from the context exists, and the build cache stays out of it")
    func copySources() throws {
        for instruction in instructions where instruction.keyword == "COPY" && !instruction.arguments.contains("--from") {
            let words = instruction.arguments.split(separator: " ").map(String.init).filter { !$0.hasPrefix("--") }
            for source in words.dropLast() {
                #expect(Repository.exists(source), "COPY \(source): not in the repository")
            }
        }
        let ignored = try Repository.text(".dockerignore").split(separator: "\n").map(String.init)
        #expect(ignored.contains(".build"), ".build (gigabytes of host objects) never goes into the build context")
    }
}
