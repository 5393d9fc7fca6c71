import ArgumentParser
import CKafkaBench
import Foundation
import Kafka
import KafkaEmbedded
import Logging

/// `exchange-bench kafka`: produce and consume throughput of the Swift wrapper against a plain C
/// librdkafka loop with the same properties, on the embedded cluster, and the Swift/C ratios.
struct KafkaBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kafka",
        abstract: "Kafka layer throughput (Swift wrapper vs plain C librdkafka) on the embedded cluster.")

    @Option(help: "Messages per run.")
    var messages = 1_000_000

    @Option(help: "Value size in bytes (at least 8: the first 8 carry the message index).")
    var size = 100

    @Option(help: "Partitions of each benchmark topic (keep each under the embedded cluster's ~5 MiB per partition).")
    var partitions = 64

    @Option(help: "Rounds; the best figure of each side is reported.")
    var rounds = 2

    @Flag(help: "Run only the Swift side (for profiling).")
    var swiftOnly = false

    @Flag(help: "Run only the C side (for profiling).")
    var cOnly = false

    @Flag(help: "Measure producing only (for profiling).")
    var produceOnly = false

    @Option(name: .customLong("linger-ms"), help: "Producer linger.ms (default: the embedded preset's).")
    var lingerMs: Double?

    func validate() throws {
        guard messages > 0, size >= 8, partitions > 0, rounds > 0 else {
            throw ValidationError("--messages, --partitions and --rounds must be positive and --size at least 8")
        }
        let perPartition = Double(messages) / Double(partitions) * Double(size + 40)
        guard perPartition < 4.5 * 1024 * 1024 else {
            throw ValidationError("about \(Int(perPartition / 1024)) KiB per partition exceeds the embedded cluster's ~5 MiB retention: use more --partitions")
        }
    }

    struct Figures {
        var produce: Double = 0  // messages/s, best
        var consume: Double = 0
    }

    func run() async throws {
        var logger = Logger(label: "bench.kafka")
        logger.logLevel = .warning
        let cluster = try EmbeddedKafka(brokers: 1, logger: logger)
        defer { cluster.stop() }
        var config = cluster.configuration
        if let lingerMs { config.lingerMs = lingerMs }
        print("exchange-bench kafka: \(messages) messages of \(size) bytes, \(partitions) partitions, embedded cluster \(cluster.bootstrapServers), librdkafka \(String(format: "0x%08x", ckafkabench_version()))")
        print("producer: acks=\(config.acks?.rawValue ?? "-") idempotence=\(config.enableIdempotence ?? false) linger.ms=\(config.lingerMs ?? 5); consumer: fetch.wait.max.ms=\(config.fetchWaitMaxMs ?? 500) batch=\(config.consumerBatchSize)")
        var c = Figures(), swift = Figures()
        for round in 1...rounds {
            let cTopic = "bench-c-\(round)", swiftTopic = "bench-swift-\(round)"
            try cluster.createTopic(cTopic, partitions: partitions)
            try cluster.createTopic(swiftTopic, partitions: partitions)

            let cp = swiftOnly ? 1 : try cProduce(config, topic: cTopic)
            if ProcessInfo.processInfo.environment["BENCH_DEBUG"] != nil {
                let probe = try await KafkaConsumer(configuration: config, logger: logger)
                var total: Int64 = 0
                for p in 0..<partitions {
                    let w = try await probe.queryWatermarks(KafkaTopicPartition(cTopic, Int32(p)))
                    total += w.high - w.low
                    if w.low > 0 || p < 3 { print("partition \(p): low \(w.low) high \(w.high)") }
                }
                print("total in log: \(total)")
                await probe.close()
            }
            let sp = cOnly ? 1 : try await swiftProduce(config, topic: swiftTopic, logger: logger)
            let cc = swiftOnly || produceOnly ? 1 : try cConsume(config, topic: cTopic)
            let sc = produceOnly || cOnly ? 1 : try await swiftConsume(config, topic: swiftTopic, logger: logger)
            report("round \(round) C     produce", cp); report("round \(round) Swift produce", sp)
            report("round \(round) C     consume", cc); report("round \(round) Swift consume", sc)
            c.produce = max(c.produce, rate(cp)); c.consume = max(c.consume, rate(cc))
            swift.produce = max(swift.produce, rate(sp)); swift.consume = max(swift.consume, rate(sc))
        }
        let mb = Double(size) / 1_000_000
        print("")
        print("best of \(rounds)        msgs/s        MB/s")
        print(String(format: "C     produce  %10.0f  %10.1f", c.produce, c.produce * mb))
        print(String(format: "Swift produce  %10.0f  %10.1f", swift.produce, swift.produce * mb))
        print(String(format: "C     consume  %10.0f  %10.1f", c.consume, c.consume * mb))
        print(String(format: "Swift consume  %10.0f  %10.1f", swift.consume, swift.consume * mb))
        if !swiftOnly && !cOnly && !produceOnly { print(String(format: "Swift/C ratio: produce %.2f, consume %.2f (target >= 0.90)", swift.produce / c.produce, swift.consume / c.consume)) }
    }

    private func rate(_ seconds: Double) -> Double { Double(messages) / seconds }

    private func report(_ label: String, _ seconds: Double) {
        print(String(format: "%@  %8.3f s  %10.0f msgs/s  %7.1f MB/s", label, seconds, rate(seconds), rate(seconds) * Double(size) / 1_000_000))
    }

    // MARK: Swift

    private func swiftProduce(_ config: KafkaConfiguration, topic: String, logger: Logger) async throws -> Double {
        let producer = try await KafkaProducer(configuration: config, logger: logger)
        let count = messages, partitions = self.partitions
        // Like the C loop, one message and its value buffer are reused: the producer keeps no
        // reference after `trySend` (librdkafka copied the bytes), so the writes below happen in place.
        var message = KafkaProducerMessage(topic: topic, partition: 0, value: [UInt8](repeating: 0, count: size))
        let start = ContinuousClock.now
        for i in 0..<count {
            withUnsafeBytes(of: UInt64(i).littleEndian) { index in
                message.value?.withUnsafeMutableBytes { $0.copyMemory(from: index) }
            }
            message.partition = Int32(i % partitions)
            if try !producer.trySend(message) { try await producer.send(message) }
        }
        try await producer.flush(timeout: .seconds(120))
        let elapsed = ContinuousClock.now - start
        await producer.close()
        return elapsed.seconds
    }

    private func swiftConsume(_ config: KafkaConfiguration, topic: String, logger: Logger) async throws -> Double {
        let consumer = try await KafkaConsumer(configuration: config, logger: logger)
        let messages = self.messages, partitions = self.partitions
        var seen = [Bool](repeating: false, count: messages)
        var received = 0, duplicates = 0
        let start = ContinuousClock.now
        try await consumer.assign(Dictionary(uniqueKeysWithValues: (0..<partitions).map { (KafkaTopicPartition(topic, Int32($0)), KafkaOffset.beginning) }))
        loop: for try await event in consumer.events {
            guard case .messages(let batch) = event else { continue }
            for message in batch {
                guard let value = message.value, value.count >= 8 else { continue }
                let index = Int(UInt64(littleEndian: value.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }))
                if index < messages, !seen[index] {
                    seen[index] = true
                    received += 1
                } else {
                    duplicates += 1
                }
            }
            if received == messages { break loop }
            if ContinuousClock.now - start > .seconds(120) { break loop }
        }
        let elapsed = ContinuousClock.now - start
        await consumer.close()
        guard received == messages, duplicates == 0 else {
            throw ValidationError("Swift consumer received \(received) of \(messages) messages, \(duplicates) duplicates")
        }
        return elapsed.seconds
    }

    // MARK: C

    private func cProduce(_ config: KafkaConfiguration, topic: String) throws -> Double {
        let r = withCProperties(config.librdkafkaProperties(for: .producer)) { keys, values, n in
            ckb_produce(keys, values, n, topic, Int32(partitions), messages, Int32(size))
        }
        try check(r, "C producer")
        guard r.messages == messages, r.failures == 0 else {
            throw ValidationError("C producer: \(r.messages) acknowledged, \(r.failures) failed")
        }
        return r.seconds
    }

    private func cConsume(_ config: KafkaConfiguration, topic: String) throws -> Double {
        var properties = config.librdkafkaProperties(for: .consumer)
        properties.append(("group.id", "bench-c-consumer"))
        let r = withCProperties(properties) { keys, values, n in
            ckb_consume(keys, values, n, topic, Int32(partitions), messages, Int32(config.consumerBatchSize), 120_000)
        }
        try check(r, "C consumer")
        guard r.messages == messages, r.failures == 0 else {
            throw ValidationError("C consumer: \(r.messages) received, \(r.failures) duplicates")
        }
        return r.seconds
    }

    private func check(_ r: ckb_result, _ what: String) throws {
        var r = r
        let error = withUnsafeBytes(of: &r.error) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        if !error.isEmpty { throw ValidationError("\(what): \(error)") }
    }
}

/// Passes properties to C as two arrays of C strings.
private func withCProperties<R>(_ properties: [(String, String)], _ body: (UnsafePointer<UnsafePointer<CChar>?>, UnsafePointer<UnsafePointer<CChar>?>, Int32) -> R) -> R {
    let keys = properties.map { strdup($0.0).map { UnsafePointer($0) } }
    let values = properties.map { strdup($0.1).map { UnsafePointer($0) } }
    defer {
        for p in keys + values { free(UnsafeMutablePointer(mutating: p)) }
    }
    // Never empty: the properties always include bootstrap.servers.
    return keys.withUnsafeBufferPointer { k in
        values.withUnsafeBufferPointer { v in
            guard let kp = k.baseAddress, let vp = v.baseAddress else { preconditionFailure("no properties") }
            return body(kp, vp, Int32(properties.count))
        }
    }
}

extension Duration {
    fileprivate var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
