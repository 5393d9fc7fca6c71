import ArgumentParser

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Runs the whole exchange in one process (embedded Kafka unless --brokers is given).")

    func run() async throws {
        throw ValidationError("'exchange run' is not built yet")
    }
}
