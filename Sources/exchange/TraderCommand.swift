import ArgumentParser

struct TraderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "trader", abstract: "The trader command-line client.")

    func run() async throws {
        throw ValidationError("'exchange trader' is not built yet")
    }
}
