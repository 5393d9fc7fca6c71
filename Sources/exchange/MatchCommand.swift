import ArgumentParser

struct MatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "match", abstract: "Matches buy_orders against sell_orders into matched_trades and execution_reports.")

    func run() async throws {
        throw ValidationError("'exchange match' is not built yet")
    }
}
