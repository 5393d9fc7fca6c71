import ArgumentParser

struct TopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "top", abstract: "Writes the per-window profit ranking to top_profit.")

    func run() async throws {
        throw ValidationError("'exchange top' is not built yet")
    }
}
