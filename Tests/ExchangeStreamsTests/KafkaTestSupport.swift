import ExchangeRecords
import ExchangeStreams
import Foundation
import Kafka
import KafkaEmbedded
import Logging
import Synchronization

/// An embedded cluster with the exchange's topics, plus helpers to write inputs and read whole topics back.
final class TestExchange: @unchecked Sendable {
    let cluster: EmbeddedKafka
    let settings: StreamsSettings
    let partitions: Int

    init(
        partitions: Int = 3, brokers: Int = 1, transactional: Bool = false, profile: StreamsSettings.Profile = .latency,
        kafkaProperties: [String: String] = [:]
    ) async throws {
        cluster = try EmbeddedKafka(brokers: brokers)
        self.partitions = partitions
        var settings = StreamsSettings(
            brokerKind: .embedded, bootstrapServers: cluster.bootstrapServers, partitions: partitions, profile: profile)
        settings.snapshotIntervalMilliseconds = 50
        settings.transactional = transactional
        settings.kafka.properties.merge(kafkaProperties) { _, new in new }
        self.settings = settings
        try cluster.createTopics(Topology.specifications(partitions: partitions))
    }

    /// Produces records to `incoming_orders` (partition by key with the Java-compatible partitioner; ticks go to
    /// `partition` when given) and waits for their acknowledgement.
    func produce(_ values: [(key: String?, value: [UInt8], partition: Int32?)]) async throws {
        let producer = try await KafkaProducer(configuration: settings.producerConfiguration)
        let messages = values.map {
            KafkaProducerMessage(topic: Topology.incomingOrders.name, partition: $0.partition, key: $0.key.map { Array($0.utf8) }, value: $0.value)
        }
        let reports = try await producer.sendAndAwait(contentsOf: messages)
        await producer.close()
        if let failed = reports.first(where: { $0.error != nil }) { throw failed.error! }
    }

    /// Every record of every partition of `topic` currently in the log. Gives up after a minute, so a record that
    /// never arrives fails the test instead of hanging the run; the reader is closed before this returns, so no
    /// client outlives the test's cluster.
    func read(_ topic: String) async throws -> [InputRecord] {
        try await withDeadline("reading \(topic)", .seconds(60)) { [self] in
            var configuration = settings.kafka
            configuration.groupId = "test-reader-\(UUID().uuidString)"
            configuration.autoOffsetReset = .earliest
            let consumer = try await KafkaConsumer(configuration: configuration)
            do {
                let records = try await readAll(topic, with: consumer)
                await consumer.close()
                return records
            } catch {
                await consumer.close()
                throw error
            }
        }
    }

    private func readAll(_ topic: String, with consumer: KafkaConsumer) async throws -> [InputRecord] {
        let count = topic == Topology.deadLetters.name || topic.hasPrefix("top_profit") ? 1 : partitions
        var ends: [KafkaTopicPartition: Int64] = [:]
        var starts: [KafkaTopicPartition: KafkaOffset] = [:]
        for p in 0..<count {
            let tp = KafkaTopicPartition(topic, Int32(p))
            let (low, high) = try await consumer.queryWatermarks(tp)
            if high > low {
                ends[tp] = high
                starts[tp] = .offset(low)
            }
        }
        guard !starts.isEmpty else { return [] }
        try await consumer.assign(starts)
        var records: [InputRecord] = []
        var remaining = Set(ends.keys)
        for try await event in consumer.events {
            guard case .messages(let batch) = event else { continue }
            for m in batch {
                guard let end = ends[m.topicPartition], m.offset < end else { continue }
                records.append(
                    InputRecord(topic: m.topic, partition: m.partition, offset: m.offset, key: m.key, value: m.value, timestamp: m.timestamp))
                if m.offset == end - 1 { remaining.remove(m.topicPartition) }
            }
            if remaining.isEmpty { break }
        }
        return records
    }

    /// Starts a stage instance in a task (cancel it to "crash" it).
    func start(_ definition: any StageDefinition, progress: StageProgress? = nil) -> Task<Void, Error> {
        let service = StageService(definition, settings: settings, progress: progress, logger: Logger(label: "test.\(definition.name)"))
        return Task { try await service.runUntilCancelled() }
    }
}

/// Stops a stage task abruptly and waits (up to a minute, then throws) until it has let go of its clients.
func crash(_ task: Task<Void, Error>) async throws {
    task.cancel()
    try await withDeadline("a cancelled stage to stop", .seconds(60)) { _ = try? await task.value }
}

/// Runs `body`, giving up after `timeout` with an error naming `what`: a wait that cannot end fails the test instead
/// of hanging the whole run (XCTest on Linux has no time limit). On timeout `body` is cancelled and left behind.
func withDeadline<T: Sendable>(
    _ what: String, _ timeout: Duration, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
        let race = DeadlineRace(continuation)
        let timer = Task {
            // Cancelled (throws) when `body` finishes first.
            guard (try? await Task.sleep(for: timeout)) != nil else { return }
            let reason = "timed out after \(timeout) waiting for \(what)"
            printThreadStacks(because: reason)
            race.finish(.failure(StageError(reason)))
        }
        race.start(
            Task {
                do { race.finish(.success(try await body())) } catch { race.finish(.failure(error)) }
                timer.cancel()
            })
    }
}

/// Prints every thread's stack of this process with gdb, where gdb is installed (CI installs it): what a blocked
/// librdkafka call or lock looks like, which an async error cannot show.
func printThreadStacks(because reason: String) {
    let gdb = URL(fileURLWithPath: "/usr/bin/gdb")
    guard FileManager.default.isExecutableFile(atPath: gdb.path) else { return }
    let process = Process()
    process.executableURL = gdb
    process.arguments = ["-p", "\(getpid())", "-batch", "-ex", "thread apply all bt 25"]
    // A file, not a pipe: gdb stops every thread of this process, the pipe's reader too, and would block on a full pipe.
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("stacks-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
    guard FileManager.default.createFile(atPath: path, contents: nil), let file = FileHandle(forWritingAtPath: path) else { return }
    defer { try? FileManager.default.removeItem(atPath: path) }
    process.standardOutput = file
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return }
    process.waitUntilExit()
    try? file.close()
    let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    let stacks = text.split(separator: "\n").filter { $0.hasPrefix("Thread ") || $0.hasPrefix("#") }
    print("\(reason); the threads of this process:\n" + stacks.joined(separator: "\n"))
}

/// The continuation of `withDeadline`, resumed by whichever of the body and the timer ends first.
private final class DeadlineRace<T: Sendable>: Sendable {
    private let state: Mutex<(continuation: CheckedContinuation<T, Error>?, work: Task<Void, Never>?)>

    init(_ continuation: CheckedContinuation<T, Error>) { state = Mutex((continuation, nil)) }

    func start(_ work: Task<Void, Never>) {
        let finished = state.withLock { state in
            state.work = work
            return state.continuation == nil
        }
        if finished { work.cancel() }
    }

    func finish(_ result: Result<T, Error>) {
        let (continuation, work) = state.withLock { state in
            defer { state.continuation = nil }
            return (state.continuation, state.work)
        }
        guard let continuation else { return }
        if case .failure = result { work?.cancel() }
        continuation.resume(with: result)
    }
}
