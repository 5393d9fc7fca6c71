import ArgumentParser

struct SplitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "split", abstract: "Splits incoming_orders into buy_orders and sell_orders with a dense per-partition seq.")

    func run() async throws {
        throw ValidationError("'exchange split' is not built yet")
    }
}
