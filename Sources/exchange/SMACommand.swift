import ArgumentParser
import ExchangeStreams

struct SMACommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sma", abstract: "Hopping-window simple moving averages of matched_trades into SMA_HOPPING_TABLE.")

    @OptionGroup var stream: StreamOptions
    @OptionGroup var window: WindowArguments

    func run() async throws {
        try await runStage(try AnalyticsStage(.sma, options: window.options(), partitions: stream.stagePartitions), options: stream)
    }
}
