import ArgumentParser
import ExchangeRecords
import ExchangeStreams
import Foundation
import Kafka
import KafkaEmbedded
import Logging
import MatchingEngine
import ServiceLifecycle

/// `exchange broker`: the embedded in-memory Kafka cluster alone, for other processes or `kcat`.
struct BrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broker",
        abstract: "Runs the embedded in-memory Kafka cluster on loopback until stopped (SIGINT/SIGTERM).",
        discussion: """
            The cluster is librdkafka's mock cluster: in memory only, each partition keeps about 5 MiB or \
            100,000 batches and then deletes its oldest data. It does not implement the CreateTopics request, \
            so the exchange's topics (and any --topic) are created here, at start. For development, demos and tests.
            """)

    @Option(name: .customLong("brokers-count"), help: "Number of brokers.")
    var brokersCount = 1

    @Option(help: "Partitions of the per-partition topics created at start (give the stages the same --partitions); single-partition topics such as top_profit keep one, and extra --topic topics get this many.")
    var partitions = 4

    @Option(name: .customLong("topic"), help: "An extra topic to create at start (repeatable); the exchange's topics are always created.")
    var topics: [String] = []

    @Option(name: .customLong("bootstrap-file"), help: "Write the bootstrap servers to this file.")
    var bootstrapFile: String?

    func validate() throws {
        guard (1...32).contains(brokersCount) else { throw ValidationError("--brokers-count must be 1...32, got \(brokersCount)") }
        guard (1...1024).contains(partitions) else { throw ValidationError("--partitions must be 1...1024, got \(partitions)") }
    }

    func run() async throws {
        var logger = Logger(label: "exchange.broker")
        logger.logLevel = .info
        let cluster = try EmbeddedKafka(brokers: brokersCount, logger: logger)
        // Every topic the stages use (internal topics and changelogs too, with their own partition counts): the mock
        // cannot create topics on request, so stages started against it later find them here.
        var specifications = Topology.specifications(partitions: partitions)
        let known = Set(specifications.map(\.name))
        specifications += topics.filter { !known.contains($0) }.map { KafkaTopicSpecification(name: $0, partitions: partitions) }
        try cluster.createTopics(specifications)
        // The first list of instruments, as `exchange run` publishes it; the matcher starts from the same list.
        let settings = StreamsSettings(brokerKind: .embedded, bootstrapServers: cluster.bootstrapServers, partitions: partitions)
        try await InstrumentsTopic.publishDefaultsIfEmpty(InstrumentCatalog.seed, settings: settings)
        if let bootstrapFile {
            do {
                try (cluster.bootstrapServers + "\n").write(toFile: bootstrapFile, atomically: true, encoding: .utf8)
            } catch {
                throw ValidationError("cannot write --bootstrap-file \(bootstrapFile): \(error.localizedDescription)")
            }
        }
        print("""
            Embedded Kafka cluster running: \(brokersCount) broker(s), bootstrap servers \(cluster.bootstrapServers)
            Topics: \(specifications.map { "\($0.name) (\($0.partitions))" }.joined(separator: ", "))
            In-memory only: nothing survives a restart; each partition keeps about 5 MiB or 100,000 batches and then \
            deletes its oldest data. Not for production. Stop with Ctrl-C (SIGINT) or SIGTERM.
            Try: kcat -b \(cluster.bootstrapServers) -L
            """)
        fflush(nil)
        let group = ServiceGroup(services: [cluster], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
        print("Embedded Kafka cluster stopped.")
    }
}
