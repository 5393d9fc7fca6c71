import ArgumentParser

struct EngineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "engine", abstract: "Replays order commands through the matching engine (newline-delimited JSON on stdin).")

    func run() async throws {
        throw ValidationError("'exchange engine' is not built yet")
    }
}
