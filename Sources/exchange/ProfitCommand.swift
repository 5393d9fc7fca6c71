import ArgumentParser

struct ProfitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "profit", abstract: "Writes per-window open/high/low/close and profit to stock_profit.")

    func run() async throws {
        throw ValidationError("'exchange profit' is not built yet")
    }
}
