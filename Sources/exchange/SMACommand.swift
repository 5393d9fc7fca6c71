import ArgumentParser

struct SMACommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sma", abstract: "Writes the hopping-window simple moving average to SMA_HOPPING_TABLE.")

    func run() async throws {
        throw ValidationError("'exchange sma' is not built yet")
    }
}
