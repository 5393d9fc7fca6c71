import ExchangeTestSupport
import Foundation
import Kafka
import KafkaEmbedded
import Testing

/// Interoperability with kcat (a librdkafka-based CLI, installed by .ci/run) as a separate process.
/// Without kcat the tests fail naming what to install (a missing part is never a silent pass).
@Suite(.timeLimit(.minutes(2)))
struct KcatInteropTests {
    @Test func kcatProducesAndSwiftConsumes() async throws {
        let cluster = try EmbeddedKafka(brokers: 1)
        defer { cluster.stop() }
        try cluster.createTopic("from-kcat", partitions: 2)
        let output = try await runKcat(["-P", "-b", cluster.bootstrapServers, "-t", "from-kcat", "-p", "1", "-K", ":", "-H", "source=kcat"], input: "AAPL:buy 100\nGOOG:sell 5\n")
        #expect(output.status == 0, "kcat: \(output.text)")
        var config = cluster.configuration
        config.autoOffsetReset = .earliest
        let consumer = try await KafkaConsumer(configuration: config)
        try await consumer.assign([KafkaTopicPartition("from-kcat", 1): .beginning])
        let records = try await withTimeout(20, "kcat records") {
            var records: [Record] = []
            for try await event in consumer.events {
                if case .messages(let batch) = event { records += batch.map(Record.init) }
                if records.count >= 2 { break }
            }
            return records
        }
        #expect(records.map(\.key) == ["AAPL", "GOOG"])
        #expect(records.map(\.value) == ["buy 100", "sell 5"])
        #expect(records.allSatisfy { $0.partition == 1 && $0.headers == [KafkaHeader(name: "source", string: "kcat")] })
        await consumer.close()
    }

    @Test func swiftProducesAndKcatConsumes() async throws {
        let cluster = try EmbeddedKafka(brokers: 1)
        defer { cluster.stop() }
        try cluster.createTopic("to-kcat", partitions: 1)
        let producer = try await KafkaProducer(configuration: cluster.configuration)
        for (k, v) in [("TSLA", "760"), ("FB", "395")] {
            try await producer.sendAndAwait(KafkaProducerMessage(topic: "to-kcat", key: k, value: Array(v.utf8), headers: [KafkaHeader(name: "h", string: "swift")]))
        }
        await producer.close()
        let output = try await runKcat(["-C", "-b", cluster.bootstrapServers, "-t", "to-kcat", "-o", "beginning", "-e", "-q", "-f", "%k=%s %h %p/%o\n"])
        #expect(output.status == 0)
        #expect(output.text == "TSLA=760 h=swift 0/0\nFB=395 h=swift 0/1\n")
    }
}

let kcatPath: String? = ["/usr/bin/kcat", "/usr/local/bin/kcat"].first { FileManager.default.isExecutableFile(atPath: $0) }

/// Runs kcat to completion (it exits by itself: -P at end of input, -C with -e at end of partition), waiting on a
/// thread of its own.
func runKcat(_ arguments: [String], input: String? = nil) async throws -> (status: Int32, text: String) {
    try await onThreadOfItsOwn { try runKcatBlocking(arguments, input: input) }
}

private func runKcatBlocking(_ arguments: [String], input: String?) throws -> (status: Int32, text: String) {
    guard let kcatPath else { throw KcatMissing() }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: kcatPath)
    process.arguments = arguments
    let out = Pipe()
    process.standardOutput = out
    process.standardError = out
    let inPipe = Pipe()
    process.standardInput = inPipe
    try process.run()
    if let input { inPipe.fileHandleForWriting.write(Data(input.utf8)) }
    try inPipe.fileHandleForWriting.close()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

struct KcatMissing: Error, CustomStringConvertible {
    var description: String { "kcat is not installed: apt-get install kcat (.ci/run installs it)" }
}
