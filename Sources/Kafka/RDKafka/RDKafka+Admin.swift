import CRdKafka

extension RDKafka {
    static func destroy(_ rk: SendablePointer) { rd_kafka_destroy(rk.pointer) }

    /// CreateTopics for those that do not exist yet; blocks up to `timeoutMs`.
    static func createTopics(_ rk: OpaquePointer, _ topics: [KafkaTopicSpecification], timeoutMs: Int) throws {
        var errstr = [CChar](repeating: 0, count: 512)
        var newTopics: [OpaquePointer?] = []
        defer { for t in newTopics { rd_kafka_NewTopic_destroy(t) } }
        for t in topics {
            guard let nt = rd_kafka_NewTopic_new(t.name, Int32(t.partitions), Int32(t.replicationFactor), &errstr, errstr.count) else {
                throw KafkaError.invalid("topic \(t.name): \(stringFromCBuffer(errstr))")
            }
            newTopics.append(nt)
            for (key, value) in t.config.sorted(by: { $0.key < $1.key }) {
                try rd_kafka_NewTopic_set_config(nt, key, value).check("topic \(t.name) config \(key)=\(value)")
            }
        }
        guard let queue = rd_kafka_queue_new(rk) else { throw KafkaError(code: .state, message: "rd_kafka_queue_new failed") }
        defer { rd_kafka_queue_destroy(queue) }
        let options = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS)
        defer { rd_kafka_AdminOptions_destroy(options) }
        _ = rd_kafka_AdminOptions_set_operation_timeout(options, Int32(clamping: timeoutMs), &errstr, errstr.count)
        _ = rd_kafka_AdminOptions_set_request_timeout(options, Int32(clamping: timeoutMs), &errstr, errstr.count)
        newTopics.withUnsafeMutableBufferPointer { buffer in
            rd_kafka_CreateTopics(rk, buffer.baseAddress, buffer.count, options, queue)
        }
        guard let event = rd_kafka_queue_poll(queue, Int32(clamping: timeoutMs + 1000)) else {
            throw KafkaError(code: .timedOut, message: "create topics: no answer within \(timeoutMs) ms")
        }
        defer { rd_kafka_event_destroy(event) }
        let err = rd_kafka_event_error(event)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            let text = rd_kafka_event_error_string(event).map { String(cString: $0) } ?? ""
            throw KafkaError(code: KafkaError.Code(err), message: "create topics \(topics.map(\.name)): \(text)")
        }
        guard let result = rd_kafka_event_CreateTopics_result(event) else { return }
        var count = 0
        guard let results = rd_kafka_CreateTopics_result_topics(result, &count) else { return }
        for i in 0..<count {
            guard let r = results[i] else { continue }
            let code = rd_kafka_topic_result_error(r)
            if code == RD_KAFKA_RESP_ERR_NO_ERROR || code == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS { continue }
            let name = String(cString: rd_kafka_topic_result_name(r))
            let text = rd_kafka_topic_result_error_string(r).map { String(cString: $0) } ?? ""
            throw KafkaError(code: KafkaError.Code(code), message: "create topic \(name): \(text)")
        }
    }
}
