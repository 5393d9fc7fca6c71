import Kafka
import KafkaEmbedded
import Testing

@Suite(.timeLimit(.minutes(2)))
struct KafkaBadInputTests {
    @Test func unknownPropertyIsNamed() async throws {
        var config = KafkaConfiguration.embedded(bootstrapServers: "127.0.0.1:9")
        config.properties["no.such.property"] = "1"
        let error = await #expect(throws: KafkaError.self) { _ = try await KafkaProducer(configuration: config) }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("no.such.property") == true)
        await #expect(throws: KafkaError.self) { _ = try await KafkaConsumer(configuration: config) }
        await #expect(throws: KafkaError.self) { _ = try await KafkaAdmin(configuration: config) }
    }

    @Test func invalidValueIsNamed() async throws {
        var config = KafkaConfiguration.embedded(bootstrapServers: "127.0.0.1:9")
        config.properties["acks"] = "sometimes"
        let error = await #expect(throws: KafkaError.self) { _ = try await KafkaProducer(configuration: config) }
        #expect(error?.message.contains("acks") == true)
    }

    @Test func unreachableBootstrapFailsWithinTheConnectTimeout() async throws {
        // Nothing listens on port 9 (discard) here: connections are refused.
        var config = KafkaConfiguration.embedded(bootstrapServers: "127.0.0.1:9")
        config.connectTimeoutMs = 1_500
        let start = ContinuousClock.now
        let error = await #expect(throws: KafkaError.self) { _ = try await KafkaProducer(configuration: config) }
        #expect(error?.code == .transport)
        #expect(error?.message.contains("127.0.0.1:9") == true)
        await #expect(throws: KafkaError.self) { _ = try await KafkaConsumer(configuration: config) }
        // About 3 s alone (two 1.5 s timeouts); in a full parallel run every await waits its turn on the shared
        // cooperative pool. Without the connect timeout the clients would wait for a broker for ever.
        #expect(ContinuousClock.now - start < .seconds(45))
    }

    @Test func producingToANonExistentPartitionFails() async throws {
        let cluster = try EmbeddedKafka(brokers: 1)
        defer { cluster.stop() }
        try cluster.createTopic("two", partitions: 2)
        let producer = try await KafkaProducer(configuration: cluster.configuration)
        _ = try await producer.sendAndAwait(KafkaProducerMessage(topic: "two", partition: 1, value: []))
        let error = await #expect(throws: KafkaError.self) {
            try await producer.sendAndAwait(KafkaProducerMessage(topic: "two", partition: 7, value: Array("x".utf8)))
        }
        #expect(error?.code == .unknownPartition)
        #expect(error?.message.contains("two") == true)
        // The producer is still usable.
        _ = try await producer.sendAndAwait(KafkaProducerMessage(topic: "two", partition: 0, value: []))
        await producer.close()
        await #expect(throws: KafkaError.self) { try await producer.send(KafkaProducerMessage(topic: "two", value: [])) }
    }

    @Test func subscribeWithoutGroupAndBadTopicSpecsAreRejected() async throws {
        let cluster = try EmbeddedKafka(brokers: 1)
        defer { cluster.stop() }
        let consumer = try await KafkaConsumer(configuration: cluster.configuration)
        #expect(throws: KafkaError.self) { try consumer.subscribe(topics: ["t"]) }
        let admin = try await KafkaAdmin(configuration: cluster.configuration)
        await #expect(throws: KafkaError.self) { try await admin.createTopics([KafkaTopicSpecification(name: "t", partitions: 0)]) }
        #expect(throws: KafkaError.self) { try EmbeddedKafka(brokers: 0) }
        await consumer.close()
    }

    /// The mock cluster does not implement CreateTopics: its topics are created on it, and the admin lists them.
    @Test func embeddedClusterCreatesTopicsIdempotentlyAndAdminListsThem() async throws {
        let cluster = try EmbeddedKafka(brokers: 1)
        defer { cluster.stop() }
        let specs = [KafkaTopicSpecification(name: "a", partitions: 3), KafkaTopicSpecification(name: "b", partitions: 1, config: ["cleanup.policy": "compact"])]
        try cluster.createTopics(specs)
        try cluster.createTopics(specs)
        #expect(throws: KafkaError.self) { try cluster.createTopics([KafkaTopicSpecification(name: "c", partitions: 1), KafkaTopicSpecification(name: "", partitions: 1)]) }
        let admin = try await KafkaAdmin(configuration: cluster.configuration)
        let topics = try await admin.listTopics()
        #expect(topics["c"] == nil)
        #expect(topics["a"] == 3 && topics["b"] == 1)
    }
}
