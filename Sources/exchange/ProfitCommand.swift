import ArgumentParser
import ExchangeStreams

struct ProfitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "profit", abstract: "Per-window open/high/low/close and profit per symbol into stock_profit.")

    @OptionGroup var stream: StreamOptions
    @OptionGroup var window: WindowArguments

    func run() async throws {
        try await runStage(try AnalyticsStage(.profit, options: window.options(), partitions: stream.stagePartitions), options: stream)
    }
}
