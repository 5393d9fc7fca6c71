import ExchangeRecords

/// Builds the `dead_letters` record for a source record a stage cannot use.
///
/// Identity: key `stage@topic/partition/offset` of the source (several analytics stages may each refuse the same late
/// trade, each with its own record). Content is a deterministic function of the source record
/// (its own Kafka timestamp, never the wall clock), so a replaying stage writes byte-identical copies. Payloads are
/// cut at `payloadLimit` bytes: a 1 MB poison record must not make its dead letter too large for Kafka.
enum DeadLetters {
    static let payloadLimit = 16 * 1024

    static func record(stage: String, source: InputRecord, reason: String) -> OutputRecord {
        let payload = source.value ?? []
        var reason = reason
        if payload.count > payloadLimit {
            reason += " (payload cut to its first \(payloadLimit) of \(payload.count) bytes)"
        }
        let letter = DeadLetter(
            sourceTopic: source.topic, sourcePartition: source.partition, sourceOffset: source.offset,
            rawPayload: payload.prefix(payloadLimit), reason: reason, stage: stage, timestamp: source.timestamp ?? 0)
        return OutputRecord(topic: Topology.deadLetters.name, partition: 0, key: key(stage: stage, source: source), value: letter.encoded())
    }

    static func key(stage: String, source: InputRecord) -> String {
        "\(stage)@\(source.topic)/\(source.partition)/\(source.offset)"
    }
}
