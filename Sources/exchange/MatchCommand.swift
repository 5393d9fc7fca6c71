import ArgumentParser
import ExchangeStreams

struct MatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "match", abstract: "Merges buy_orders and sell_orders by seq, matches them, writes matched_trades and execution_reports.")

    @OptionGroup var stream: StreamOptions
    @OptionGroup var engine: EngineOptions

    func run() async throws {
        try await runStage(MatchStage(configuration: engine.configuration), options: stream)
    }
}
