import ArgumentParser
import MatchingEngine

/// Matching-engine settings of `exchange match` and `exchange run`. They travel in the matcher's
/// snapshots, so a restarted matcher keeps the values its partition started with. (Order ids are remembered until
/// the session closes, the engine's rule; there is nothing to set.)
struct EngineOptions: ParsableArguments {
    var configuration: EngineConfiguration { EngineConfiguration() }
}
