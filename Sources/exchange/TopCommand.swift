import ArgumentParser
import ExchangeStreams

struct TopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "top", abstract: "Per-window profit ranking of all symbols into top_profit (final rankings).")

    @OptionGroup var stream: StreamOptions
    @OptionGroup var window: WindowArguments

    func run() async throws {
        try await runStage(try AnalyticsStage(.top, options: window.options(), partitions: stream.stagePartitions), options: stream)
    }
}
