import ArgumentParser
import MatchingEngine

/// Matching-engine settings of `exchange match` and `exchange run`. They travel in the matcher's
/// snapshots, so a restarted matcher keeps the values its partition started with.
struct EngineOptions: ParsableArguments {
    @Option(help: "Finished order ids each matcher partition remembers to reject a reused id (older ones are forgotten, keeping memory and snapshots bounded).")
    var retainedOrderIds = EngineConfiguration.defaultRetainedOrderIds

    var configuration: EngineConfiguration { EngineConfiguration(retainedOrderIds: retainedOrderIds) }

    func validate() throws {
        guard retainedOrderIds >= 0 else { throw ValidationError("--retained-order-ids must not be negative") }
    }
}
