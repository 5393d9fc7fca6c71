import CRdKafka

/// The consumer's plain librdkafka calls (those that need not run on the consumer thread), for `KafkaConsumer`.
extension ConsumerCore {
    func subscribe(topics: [String]) throws {
        let list = RDKafka.partitionList(topics.map { (KafkaTopicPartition($0, RD_KAFKA_PARTITION_UA), KafkaOffset.invalid.rawValue) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        try rd_kafka_subscribe(rk.pointer, list).check("subscribe to \(topics)")
    }

    func pauseOrResume(_ partitions: [KafkaTopicPartition], pause: Bool) async throws {
        let items = partitions.map { ($0, KafkaOffset.invalid.rawValue) }
        try await command { rk, _ in
            let list = RDKafka.partitionList(items)
            defer { rd_kafka_topic_partition_list_destroy(list) }
            let what = pause ? "pause" : "resume"
            try (pause ? rd_kafka_pause_partitions(rk, list) : rd_kafka_resume_partitions(rk, list)).check(what)
            if let error = RDKafka.firstError(list, what) { throw error }
        }
    }

    func storeOffsets(_ offsets: [(KafkaTopicPartition, Int64)]) throws {
        let list = RDKafka.partitionList(offsets)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        try rd_kafka_offsets_store(rk.pointer, list).check("store offsets")
        if let error = RDKafka.firstError(list, "store offset") { throw error }
    }

    func commitAndWait(_ items: [(KafkaTopicPartition, Int64)]?, timeoutMs: Int) throws {
        try Self.commitAndWait(rk.pointer, items, timeoutMs: timeoutMs)
    }

    func commitAsync(_ items: [(KafkaTopicPartition, Int64)]?) throws {
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        if let items { list = RDKafka.partitionList(items) }
        defer { if let list { rd_kafka_topic_partition_list_destroy(list) } }
        let err = rd_kafka_commit(rk.pointer, list, 1)
        if err == RD_KAFKA_RESP_ERR__NO_OFFSET { return }  // nothing stored: nothing to commit
        try err.check("commit")
    }

    /// Blocks up to `timeoutMs`: call on a blocking thread.
    func committed(_ partitions: [KafkaTopicPartition], timeoutMs: Int) throws -> [KafkaTopicPartition: Int64?] {
        let list = RDKafka.partitionList(partitions.map { ($0, KafkaOffset.invalid.rawValue) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        try rd_kafka_committed(rk.pointer, list, Int32(clamping: timeoutMs)).check("committed offsets")
        if let error = RDKafka.firstError(list, "committed offset") { throw error }
        return Self.offsets(list)
    }

    func position(_ partitions: [KafkaTopicPartition]) throws -> [KafkaTopicPartition: Int64?] {
        let list = RDKafka.partitionList(partitions.map { ($0, KafkaOffset.invalid.rawValue) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        try rd_kafka_position(rk.pointer, list).check("position")
        return Self.offsets(list)
    }

    private static func offsets(_ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> [KafkaTopicPartition: Int64?] {
        var result: [KafkaTopicPartition: Int64?] = [:]
        for (tp, offset, _) in RDKafka.entries(list) { result[tp] = offset >= 0 ? offset : nil }
        return result
    }

    /// Blocks up to `timeoutMs`: call on a blocking thread.
    func queryWatermarks(_ partition: KafkaTopicPartition, timeoutMs: Int) throws -> (low: Int64, high: Int64) {
        var low: Int64 = -1, high: Int64 = -1
        try rd_kafka_query_watermark_offsets(rk.pointer, partition.topic, partition.partition, &low, &high, Int32(clamping: timeoutMs))
            .check("watermarks of \(partition)")
        return (low, high)
    }

    func cachedWatermarks(_ partition: KafkaTopicPartition) -> (low: Int64, high: Int64)? {
        var low: Int64 = -1, high: Int64 = -1
        let err = rd_kafka_get_watermark_offsets(rk.pointer, partition.topic, partition.partition, &low, &high)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, high >= 0 else { return nil }
        return (low, high)
    }

    func assignment() throws -> [KafkaTopicPartition] {
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        try rd_kafka_assignment(rk.pointer, &list).check("assignment")
        guard let list else { return [] }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        return RDKafka.entries(list).map(\.0).sorted()
    }

    func groupMetadata() throws -> KafkaConsumerGroupMetadata {
        guard let pointer = rd_kafka_consumer_group_metadata(rk.pointer) else {
            throw KafkaError(code: .state, message: "consumer has no group metadata (no groupId?)")
        }
        return KafkaConsumerGroupMetadata(pointer)
    }
}

/// The consumer group's identity for `KafkaProducer.sendOffsetsToTransaction`.
public final class KafkaConsumerGroupMetadata: @unchecked Sendable {
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) { self.pointer = pointer }
    deinit { rd_kafka_consumer_group_metadata_destroy(pointer) }
}
