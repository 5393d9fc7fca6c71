import ExchangeRecords
import ExchangeStreams
import Kafka
import KafkaEmbedded
import Testing

@Suite(.timeLimit(.minutes(1)))
struct StageServiceConfigurationTests {
    /// A setting librdkafka refuses for the stage's consumers (the producer ignores consumer properties) stops the
    /// stage with a `StageError` naming the problem, instead of restarting it every second forever.
    @Test func aConsumerConfigurationLibrdkafkaRefusesStopsTheStage() async throws {
        let cluster = try EmbeddedKafka(brokers: 1)
        defer { cluster.stop() }
        try cluster.createTopics(Topology.specifications(partitions: 1))
        let settings = StreamsSettings(
            brokerKind: .embedded, bootstrapServers: cluster.bootstrapServers, partitions: 1,
            overrides: ["session.timeout.ms": "6000", "max.poll.interval.ms": "5000"])
        let service = StageService(SplitStage(partitions: 1), settings: settings)
        let error = await #expect(throws: StageError.self) { try await service.run() }
        #expect(error?.description.contains("invalid Kafka client configuration") == true, "\(String(describing: error))")
        #expect(error?.description.contains("max.poll.interval.ms") == true, "\(String(describing: error))")
    }
}
