import ArgumentParser
import ExchangeStreams

struct SplitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "split", abstract: "Splits incoming_orders into buy_orders and sell_orders with a dense per-partition seq.")

    @OptionGroup var stream: StreamOptions

    func run() async throws {
        try await runStage(SplitStage(), options: stream)
    }
}
