import ExchangeRecords
import ExchangeStreams
import Logging
import ServiceLifecycle

/// Runs services until SIGINT/SIGTERM (or until one fails, which stops the others).
func runServices(_ services: [any Service], label: String) async throws {
    let logger = Logger(label: label)
    let group = ServiceGroup(
        configuration: .init(services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
    try await group.run()
}

/// A single stage command: create missing topics, then run the stage until stopped.
func runStage(_ definition: any StageDefinition, options: StreamOptions) async throws {
    let settings = try options.stageSettings()
    try options.startMetrics()
    try await Topology.create(settings: settings)
    try await runServices([StageService(definition, settings: settings)], label: "exchange.\(definition.name)")
}
