import ArgumentParser

/// Release-mode benchmarks: `swift run -c release exchange-bench <suite>` prints figures.
@main
struct ExchangeBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exchange-bench",
        abstract: "Benchmarks of the exchange; run with -c release.",
        subcommands: [
            AnalyticsBench.self,
            EngineBench.self,
            GatewayBench.self,
            CodecsBenchmark.self,
            PipelineBenchmark.self,
            KafkaBench.self,
            HistoryBench.self,
        ]
    )
}
