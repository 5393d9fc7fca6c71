/// What a consumer's event sequence delivers, in order.
///
/// Rebalances are in-band so a stage can act on them at a precise point of its stream:
/// - `.partitionsRevoked(ps)`: every record of `ps` fetched so far has been delivered before this
///   event. Commit or snapshot now. The partitions are unassigned when you ask for the next event.
/// - `.partitionsAssigned(ps)`: nothing of `ps` is fetched until you ask for the next event.
///   Before that, `seek(_:)` on these partitions sets where consumption starts (e.g. positions
///   restored from a snapshot); partitions you do not seek start at the committed offset (else
///   `autoOffsetReset`).
public enum KafkaConsumerEvent: Sendable {
    case messages(KafkaMessageBatch)
    case partitionsAssigned([KafkaTopicPartition])
    case partitionsRevoked([KafkaTopicPartition])
}
