import ArgumentParser

struct BrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "broker", abstract: "Runs the embedded in-memory Kafka cluster on loopback until stopped.")

    func run() async throws {
        throw ValidationError("'exchange broker' is not built yet")
    }
}
