import ArgumentParser

struct LoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "load", abstract: "Generates bulk random orders through the HTTP API or straight into Kafka.")

    func run() async throws {
        throw ValidationError("'exchange load' is not built yet")
    }
}
