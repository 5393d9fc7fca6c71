import ArgumentParser
import MemoryAllocator

/// The exchange's single command-line tool: `exchange run` starts everything in one process,
/// every other subcommand runs one stage or tool alone so stages scale out on separate machines.
@main
struct Exchange: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exchange",
        abstract: "An electronic stock exchange on Kafka: gateway, splitter, matcher and analytics stages.",
        version: "kafka-exchange (memory allocator: \(MemoryAllocator.description))",
        subcommands: [
            RunCommand.self,
            BrokerCommand.self,
            ClockCommand.self,
            SplitCommand.self,
            MatchCommand.self,
            SMACommand.self,
            ProfitCommand.self,
            TopCommand.self,
            HistoryCommand.self,
            GatewayCommand.self,
            TraderCommand.self,
            LoadCommand.self,
            EngineCommand.self,
            AnalyticsCommand.self,
            InstrumentsCommand.self,
        ]
    )
}
