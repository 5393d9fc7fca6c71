import ExchangeRecords
import Foundation
import Testing

/// docker-compose.yml cannot be run here (no Docker engine), so it is checked statically: what a person running
/// `docker compose up` depends on must be true of the file.
@Suite("docker-compose.yml")
struct ComposeFileTests {
    static let stages = ["gateway", "clock", "split", "match", "sma", "profit", "top", "history"]

    let compose: ComposeFile
    let topics: [InitializedTopic]

    init() throws {
        compose = try ComposeFile.load()
        let script = try #require(compose.services["topics"]?.command.last, "the `topics` initializer has a script")
        topics = InitializedTopic.parse(script: script)
    }

    @Test("every service's image is pinned or its build context and Dockerfile exist")
    func imagesAndBuildContexts() throws {
        #expect(!compose.services.isEmpty)
        for service in compose.services.values {
            if let build = service.build {
                #expect(Repository.isDirectory(build.context), "\(service.name): build context \(build.context) is missing")
                let dockerfile = (build.context as NSString).appendingPathComponent(build.dockerfile)
                #expect(Repository.exists(dockerfile), "\(service.name): \(dockerfile) is missing")
            } else {
                let image = try #require(service.image, "\(service.name) has neither image nor build")
                let tag = image.split(separator: ":").dropFirst().last.map(String.init)
                #expect(tag != nil && tag != "latest", "\(service.name): image \(image) must be pinned to a version")
            }
        }
    }

    @Test("bind mounts point at files of the repository")
    func bindMounts() {
        for service in compose.services.values {
            for volume in service.volumes where volume.hasPrefix(".") {
                let source = String(volume.split(separator: ":")[0])
                #expect(Repository.exists(source), "\(service.name) mounts \(source), which does not exist")
            }
        }
    }

    @Test("Kafka is an official apache/kafka 3.x/4.x image in KRaft mode with a healthcheck")
    func kafka() throws {
        let kafka = try #require(compose.services["kafka"])
        let image = try #require(kafka.image)
        #expect(image.hasPrefix("apache/kafka:3.") || image.hasPrefix("apache/kafka:4."), "\(image)")
        let environment = kafka.body["environment"] as? [String: Any] ?? [:]
        #expect("\(environment["KAFKA_PROCESS_ROLES"] ?? "")".contains("controller"), "KRaft: the node is its own controller")
        #expect("\(environment["KAFKA_ADVERTISED_LISTENERS"] ?? "")".contains("kafka:9092"))
        #expect(kafka.body["healthcheck"] != nil, "stages wait on service_healthy, so kafka needs a healthcheck")
        // kafka-storage.sh formats the log directory only with a cluster id that is a base64url-encoded UUID.
        let clusterId = "\(environment["CLUSTER_ID"] ?? "")"
        let base64 = clusterId.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/") + "=="
        #expect(clusterId.count == 22 && Data(base64Encoded: base64)?.count == 16, "CLUSTER_ID \(clusterId) is a UUID")
    }

    @Test("every stage runs the one exchange image against the broker service")
    func stagesPointAtTheBroker() throws {
        let image = try #require(compose.services["split"]?.image)
        for name in Self.stages {
            let service = try #require(compose.services[name], "stage \(name) is a service")
            #expect(!service.isOptional, "\(name) starts by default")
            #expect(service.image == image && service.build != nil, "\(name) is built from this repository's Dockerfile")
            #expect(service.command.first == name, "\(name) runs `exchange \(name)`: \(service.command)")
            let brokers = service.command.firstIndex(of: "--brokers").map { service.command[$0 + 1] }
            #expect(brokers == "kafka:9092", "\(name) is started with --brokers kafka:9092: \(service.command)")
            // The stages size their per-partition work (and top's merger waits for every partition) by --partitions.
            let partitions = service.command.firstIndex(of: "--partitions").map { service.command[$0 + 1] }
            let created = topics.first { $0.name == "incoming_orders" }.map { "\($0.partitions)" }
            #expect(partitions != nil && partitions == created, "\(name) runs with --partitions \(created ?? "?")")
            #expect(service.dependsOn["kafka"] == "service_healthy", "\(name) waits for a healthy broker")
            #expect(service.dependsOn["topics"] == "service_completed_successfully", "\(name) waits for its topics")
        }
    }

    @Test("the matcher can run as several replicas")
    func matcherReplicas() throws {
        let match = try #require(compose.services["match"])
        #expect((match.replicas ?? 1) >= 2, "match runs replicated by default (deploy.replicas)")
        #expect(match.body["container_name"] == nil, "a fixed container_name forbids replicas")
        #expect(match.ports.isEmpty, "a published host port forbids replicas")
        let partitions = try #require(topics.first { $0.name == "buy_orders" }?.partitions)
        #expect((match.replicas ?? 1) <= partitions, "more matcher replicas than partitions would idle")
    }

    @Test("the initializer creates exactly the declared topics, with their partition counts and cleanup policies")
    func topicsAreCreated() throws {
        let byName = Dictionary(topics.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(byName.count == topics.count, "no topic is created twice")
        #expect(Set(byName.keys) == Set(Topology.topics.map(\.name)))
        let partitions = try #require(byName[Topology.incomingOrders.name]?.partitions)
        for declared in Topology.topics {
            let topic = try #require(byName[declared.name], "the initializer creates \(declared.name)")
            #expect(topic.partitions == declared.partitions(partitions), "\(declared.name): \(declared.partitioning)")
            #expect(topic.isCompacted == (declared.cleanup == .compact), "\(declared.name): \(declared.cleanup)")
        }
    }

    @Test("the initializer runs once, after Kafka is healthy, against the broker service")
    func initializer() throws {
        let initializer = try #require(compose.services["topics"])
        #expect(initializer.dependsOn["kafka"] == "service_healthy")
        #expect("\(initializer.body["restart"] ?? "no")" == "no")
        let script = initializer.command.joined(separator: "\n")
        #expect(script.contains("--bootstrap-server kafka:9092"))
        #expect(script.contains("--if-not-exists"), "restarting the stack must not fail on existing topics")
    }

    @Test("ksqlDB runs only in the ksql profile and its CLI runs the statements in ksql/")
    func ksqlProfile() throws {
        let server = try #require(compose.services["ksqldb-server"])
        let cli = try #require(compose.services["ksqldb-cli"])
        #expect(server.profiles == ["ksql"] && cli.profiles == ["ksql"])
        #expect(cli.dependsOn["ksqldb-server"] == "service_healthy")
        #expect(cli.volumes.contains { $0.hasPrefix("./ksql:") })
        #expect(cli.command.joined().contains("/ksql/"), "the CLI runs the mounted statements")
        let environment = server.body["environment"] as? [String: Any] ?? [:]
        #expect("\(environment["KSQL_BOOTSTRAP_SERVERS"] ?? "")" == "kafka:9092")
    }

    @Test("inspection tools exist only in the tools profile")
    func toolsProfile() {
        let tools = compose.services.values.filter { $0.profiles.contains("tools") }
        #expect(!tools.isEmpty)
        #expect(tools.allSatisfy { $0.dependsOn["kafka"] == "service_healthy" })
    }

    @Test("every stage's command line is accepted by the exchange binary")
    func stageCommandsExist() async throws {
        for name in Self.stages {
            let command = try #require(compose.services[name]?.command)
            try await ExchangeBinary.exchange.expectNoProblems(command, context: "compose service \(name)")
        }
    }
}
