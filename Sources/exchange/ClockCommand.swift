import ArgumentParser

struct ClockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "clock", abstract: "Writes tick records into idle partitions of incoming_orders so event time keeps moving.")

    func run() async throws {
        throw ValidationError("'exchange clock' is not built yet")
    }
}
