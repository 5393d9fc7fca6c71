import ExchangeRecords
import Foundation
import Testing

/// The topic table people read (columns topic | key | value | partitions | cleanup | written by → read by) must list
/// the declared topics, no more and no fewer, with their key, partitioning and cleanup policy.
@Suite("topic tables")
struct TopicTableTests {
    static let header = "| topic | key | value | partitions | cleanup | written by → read by |"

    struct Row: Equatable {
        var name: String
        var key: String
        var perPartition: Bool
        var cleanup: String
    }

    /// A row's topic cell may name several topics; `exchange-<stage>-changelog` stands for one per stage listed in
    /// parentheses at the end of the value cell.
    static func rows(of markdown: String) -> [Row] {
        let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.firstIndex(of: header) else { return [] }
        return lines[(start + 2)...].prefix { $0.hasPrefix("|") }.flatMap { line -> [Row] in
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 6 else { return [] }
            let unmarked = { (cell: String) in cell.filter { $0 != "`" && $0 != "*" } }
            let key = unmarked(cells[1]).components(separatedBy: " (")[0]
            let quoted = cells[0].split(separator: "`", omittingEmptySubsequences: false)
            let names = quoted.indices.filter { $0 % 2 == 1 }.map { String(quoted[$0]) }
            let stages = cells[2].split(separator: "(").last.map { $0.dropLast().components(separatedBy: ", ") } ?? []
            return names.flatMap { name in
                (name.contains("<stage>") ? stages.map { name.replacingOccurrences(of: "<stage>", with: $0) } : [name]).map {
                    Row(name: $0, key: key, perPartition: cells[3].hasPrefix("P"), cleanup: unmarked(cells[4]))
                }
            }
        }
    }

    @Test("README.md and docs/architecture.md list exactly the declared topics", arguments: ["README.md", "docs/architecture.md"])
    func tableMatchesTheDeclaration(file: String) throws {
        let rows = Self.rows(of: try Repository.text(file))
        let declared = Topology.topics.map {
            Row(name: $0.name, key: $0.key.rawValue, perPartition: $0.partitioning == .perPartition, cleanup: $0.cleanup.rawValue)
        }
        #expect(rows.map(\.name).sorted() == declared.map(\.name).sorted(), "\(file): the topics of the table")
        for row in declared {
            #expect(rows.contains(row), "\(file): \(row.name) has key \(row.key), \(row.perPartition ? "P" : "1") partition(s), \(row.cleanup)")
        }
    }
}
