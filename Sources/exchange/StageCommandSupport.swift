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
    try await runStage(options: options) { _ in definition }
}

/// As above, for a stage that needs the topics' partition counts (by name) to be built.
func runStage(options: StreamOptions, _ makeDefinition: ([String: Int]) throws -> any StageDefinition) async throws {
    let settings = try options.stageSettings()
    try options.startMetrics()
    let partitions = try await Topology.create(partitions: settings.partitions, kafka: settings.kafka)
    let definition = try makeDefinition(partitions)
    try await runServices([StageService(definition, settings: settings)], label: "exchange.\(definition.name)")
}
