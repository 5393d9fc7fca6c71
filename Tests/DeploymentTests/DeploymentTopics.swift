import ExchangeStreams
import Kafka

/// The topics the exchange's stages create and use, as the code itself lays them out (`StreamsTopology`): a
/// deployment's topic initializer must create exactly these, with the same partition counts and cleanup policies.
enum DeploymentTopics {
    /// Every topic for a deployment with `partitions` per-partition topics.
    static func all(partitions: Int) -> [KafkaTopicSpecification] {
        StreamsTopology.topics(partitions: partitions)
    }

    /// Topic names only (they do not depend on the partition count).
    static var names: Set<String> { Set(all(partitions: 1).map(\.name)) }

    static func isCompacted(_ topic: KafkaTopicSpecification) -> Bool {
        topic.config["cleanup.policy"]?.contains("compact") == true
    }
}
