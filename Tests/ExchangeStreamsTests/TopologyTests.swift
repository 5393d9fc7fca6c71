import ExchangeRecords
import ExchangeStreams
import Testing

@Suite("Topology")
struct TopologyTests {
    /// Every stage as the commands build it: alone, and the analyses together as `exchange run` runs them.
    static func stages() throws -> [any StageDefinition] {
        try [SplitStage(partitions: 2), MatchStage()] + AnalyticsStage.Kind.allCases.map { try AnalyticsStage($0, partitions: 2) }
            + [AnalyticsStage(analyses: AnalyticsStage.Kind.allCases, partitions: 2)]
    }

    @Test("each stage is declared, reads only topics declaring it a reader, and has a declared changelog")
    func stagesAreDeclared() throws {
        let stages = try Self.stages()
        #expect(stages.map(\.name) == Topology.Process.stages.map(\.rawValue))
        for stage in stages {
            let process = try #require(Topology.Process(rawValue: stage.name))
            #expect(Topology.topics.contains { $0.name == stage.changelogTopic && $0.cleanup == .compact && $0.writers == [process] })
            for input in stage.inputTopics {
                #expect(Topology.topics.first { $0.name == input }?.readers.contains(process) == true, "\(stage.name) reads \(input)")
            }
        }
    }

    @Test("keyed topics get the common partition count, single ones 1; only compacted topics carry a cleanup config")
    func specifications() {
        let specifications = Topology.specifications(partitions: 3)
        #expect(specifications.map(\.name) == Topology.topics.map(\.name))
        for (specification, topic) in zip(specifications, Topology.topics) {
            #expect(specification.partitions == (topic.partitioning == .perPartition ? 3 : 1), "\(topic.name)")
            #expect(specification.config == (topic.cleanup == .compact ? ["cleanup.policy": "compact"] : [:]), "\(topic.name)")
        }
    }
}
