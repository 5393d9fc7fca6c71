import ArgumentParser

struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gateway", abstract: "Runs the trader HTTP and WebSocket gateway.")

    func run() async throws {
        throw ValidationError("'exchange gateway' is not built yet")
    }
}
