import ArgumentParser
import ExchangeRecords
import ExchangeStreams

struct SplitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "split", abstract: "Splits incoming_orders into buy_orders and sell_orders with a dense per-partition seq.")

    @OptionGroup var stream: StreamOptions
    @OptionGroup var split: SplitOptions

    func run() async throws {
        try await runStage(options: stream) { partitions in
            SplitStage(partitions: partitions[Topology.incomingOrders.name] ?? stream.stagePartitions, dateTimeValidity: split.dateTimeTimeInForce)
        }
    }
}

/// How `split` reads records of producers the exchange did not write.
struct SplitOptions: ParsableArguments {
    @Option(
        name: .customLong("datetime-time-in-force"),
        help: "What a date-time in an order's time_in_force means: day (the order rests for the session; the original order server writes its placement time there) or gtd (good till that instant).")
    var dateTimeTimeInForce: IncomingOrder.ReadingRules.DateTimeValidity = .day
}

extension IncomingOrder.ReadingRules.DateTimeValidity: ExpressibleByArgument {}
