import CRdKafka
import Logging

/// Per-handle state that librdkafka's callbacks reach through `rd_kafka_opaque()`.
/// `package`, with `RDKafka.makeHandle`, for KafkaEmbedded's handle (its log callback).
package final class ClientContext: @unchecked Sendable {
    let logger: Logger
    /// Set once by a consumer before its handle is created; read by the rebalance callback.
    var rebalanceHandler: ((OpaquePointer, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> Void)?
    /// Set by a producer for its delivery and error callbacks while its handle lives (cleared before
    /// the handle is destroyed), so the per-record callback costs no reference counting.
    var producer: Unmanaged<ProducerCore>?

    package init(logger: Logger) { self.logger = logger }
}

/// Creating librdkafka handles and the few plain calls shared by all clients.
package enum RDKafka {
    /// Creates a handle of `role` from `configuration`; `configure` adds callbacks to the conf.
    /// Throws `KafkaError(.invalidArgument)` naming an unknown or invalid property.
    package static func makeHandle(
        role: KafkaConfiguration.Role, configuration: KafkaConfiguration, context: ClientContext,
        configure: (OpaquePointer) -> Void = { _ in }
    ) throws -> OpaquePointer {
        guard let conf = rd_kafka_conf_new() else { throw KafkaError.invalid("rd_kafka_conf_new failed") }
        var errstr = [CChar](repeating: 0, count: 512)
        for (key, value) in configuration.librdkafkaProperties(for: role) {
            let result = rd_kafka_conf_set(conf, key, value, &errstr, errstr.count)
            if result != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                let reason = stringFromCBuffer(errstr)
                throw KafkaError.invalid("configuration property \"\(key)\" = \"\(value)\": \(reason)")
            }
        }
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(context).toOpaque())
        rd_kafka_conf_set_log_cb(conf, logCallback)
        configure(conf)
        let type = role == .consumer ? RD_KAFKA_CONSUMER : RD_KAFKA_PRODUCER
        // rd_kafka_new takes ownership of conf on success only.
        guard let rk = rd_kafka_new(type, conf, &errstr, errstr.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError.invalid("cannot create Kafka client: \(stringFromCBuffer(errstr))")
        }
        return rk
    }

    /// Waits up to `connectTimeoutMs` (if set) for a broker, off the cooperative pool; on failure
    /// runs `cleanup` and throws `.transport`.
    static func verifyConnectivity(_ rk: SendablePointer, _ configuration: KafkaConfiguration, cleanup: () -> Void) async throws {
        guard let timeout = configuration.connectTimeoutMs else { return }
        do {
            try await Blocking.run {
                try verifyConnectivity(rk.pointer, bootstrapServers: configuration.bootstrapServers, timeoutMs: timeout)
            }
        } catch {
            cleanup()
            throw error
        }
    }

    /// Waits up to `timeoutMs` for a broker to answer a metadata request.
    static func verifyConnectivity(_ rk: OpaquePointer, bootstrapServers: String, timeoutMs: Int) throws {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let err = rd_kafka_metadata(rk, 0, nil, &metadata, Int32(clamping: timeoutMs))
        if let metadata { rd_kafka_metadata_destroy(metadata) }
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(
                code: .transport,
                message: "no broker reachable at \"\(bootstrapServers)\" within \(timeoutMs) ms (\(String(cString: rd_kafka_err2str(err))))",
                isRetriable: true)
        }
    }

    /// Learns the partition leaders of `topics` ahead of a manual assignment. librdkafka looks up
    /// a newly assigned partition's start offset right away, and when it does not know the leader
    /// yet it retries only after 500 ms: every assignment of a topic the client had not seen stalled
    /// that long. A failure here only leaves librdkafka to find the leaders itself.
    static func refreshLeaders(_ rk: SendablePointer, topics: [String], timeoutMs: Int) async {
        _ = try? await Blocking.run {
            for topic in topics {
                guard let rkt = rd_kafka_topic_new(rk.pointer, topic, nil) else { continue }
                defer { rd_kafka_topic_destroy(rkt) }
                var metadata: UnsafePointer<rd_kafka_metadata>?
                _ = rd_kafka_metadata(rk.pointer, 0, rkt, &metadata, Int32(clamping: timeoutMs))
                if let metadata { rd_kafka_metadata_destroy(metadata) }
            }
        }
    }

    /// Topic names and partition counts from a metadata request (nil: all topics).
    static func topicPartitionCounts(_ rk: OpaquePointer, timeoutMs: Int) throws -> [String: Int] {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let err = rd_kafka_metadata(rk, 1, nil, &metadata, Int32(clamping: timeoutMs))
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            if let metadata { rd_kafka_metadata_destroy(metadata) }
            throw KafkaError(err, context: "metadata request")
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        var result: [String: Int] = [:]
        let md = metadata.pointee
        for i in 0..<Int(md.topic_cnt) {
            let t = md.topics[i]
            if t.err != RD_KAFKA_RESP_ERR_NO_ERROR { continue }
            result[String(cString: t.topic)] = Int(t.partition_cnt)
        }
        return result
    }

    /// A new C partition list holding `offsets` (use `.invalid` where no offset applies).
    static func partitionList(_ offsets: some Sequence<(KafkaTopicPartition, Int64)>) -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t> {
        let items = Array(offsets)
        // librdkafka aborts on allocation failure, so these never return NULL.
        let list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t> = rd_kafka_topic_partition_list_new(Int32(items.count))
        for (tp, offset) in items {
            rd_kafka_topic_partition_list_add(list, tp.topic, tp.partition)?.pointee.offset = offset
        }
        return list
    }

    /// The entries of a C partition list.
    static func entries(_ list: UnsafePointer<rd_kafka_topic_partition_list_t>) -> [(KafkaTopicPartition, Int64, rd_kafka_resp_err_t)] {
        (0..<Int(list.pointee.cnt)).map { i in
            let e = list.pointee.elems[i]
            return (KafkaTopicPartition(String(cString: e.topic), e.partition), e.offset, e.err)
        }
    }

    /// The first per-partition error of a list, as a `KafkaError` naming the partition.
    static func firstError(_ list: UnsafePointer<rd_kafka_topic_partition_list_t>, _ what: String) -> KafkaError? {
        for (tp, _, err) in entries(list) where err != RD_KAFKA_RESP_ERR_NO_ERROR {
            return KafkaError(err, context: "\(what) \(tp)")
        }
        return nil
    }
}

/// librdkafka's log lines go to the client's swift-log `Logger` (called on librdkafka threads).
private let logCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Void = {
    rk, level, facility, buf in
    guard let rk, let opaque = rd_kafka_opaque(rk) else { return }
    let context = Unmanaged<ClientContext>.fromOpaque(opaque).takeUnretainedValue()
    let text = "\(facility.map { String(cString: $0) } ?? ""): \(buf.map { String(cString: $0) } ?? "")"
    let swiftLevel: Logger.Level =
        switch level {
        case ...3: .error
        case 4: .warning
        case 5, 6: .info
        default: .debug
        }
    context.logger.log(level: swiftLevel, "\(text)")
}

/// A NUL-terminated C string held in a buffer (librdkafka's `errstr` outputs).
func stringFromCBuffer(_ buffer: [CChar]) -> String {
    let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self)
}
