import ExchangeRecords
import Foundation
import Testing

/// The statements in ksql/ read topics our Swift stages write. These tests keep the two sides from drifting apart:
/// every topic and column a statement reads is one our codecs really carry, and nothing ksqlDB writes lands on a
/// topic the Swift stages own.
@Suite("ksql/ statements")
struct KsqlStatementTests {
    let files: [String]
    let statements: [KsqlStatement]

    init() throws {
        files = try Repository.files(in: "ksql").filter { $0.hasSuffix(".sql") }
        statements = try files.flatMap { try KsqlScript.statements(file: $0, text: Repository.text("ksql/\($0)")) }
    }

    @Test("files are numbered in run order, 01 upwards without gaps, and documented")
    func ordering() throws {
        #expect(files.count >= 6)
        for (index, file) in files.enumerated() {
            #expect(file.hasPrefix(String(format: "%02d-", index + 1)), "\(file) is number \(index + 1)")
        }
        #expect(Repository.exists("ksql/README.md"))
        let readme = try Repository.text("ksql/README.md")
        for file in files {
            #expect(readme.contains(file), "ksql/README.md explains \(file)")
        }
    }

    @Test("every stream or table a query reads is created earlier")
    func sourcesAreDefinedFirst() {
        var defined: Set<String> = []
        for statement in statements {
            for source in statement.sources {
                #expect(defined.contains(source), "\(statement.file): \(statement.name) reads \(source) before it exists")
            }
            #expect(!defined.contains(statement.name), "\(statement.name) is created twice")
            defined.insert(statement.name)
        }
    }

    @Test("declared streams read our topics with column names our codecs write")
    func declaredColumnsExist() throws {
        let declarations = statements.filter { $0.query == nil }
        #expect(Set(declarations.compactMap(\.topic)) == ["incoming_orders", "matched_trades"])
        for declaration in declarations {
            let topic = try #require(declaration.topic, "\(declaration.name) names its KAFKA_TOPIC")
            #expect(Topology.topics.contains { $0.name == topic }, "\(topic) is a topic of the exchange")
            #expect(declaration.properties["VALUE_FORMAT"] == "JSON")
            let fields = try #require(Topology.fieldNames(of: topic), "ExchangeRecords knows the fields of \(topic)")
            let upperFields = Set(fields.map { $0.uppercased() })
            #expect(declaration.columns.filter(\.isKey).count == 1, "\(declaration.name): the key is the symbol")
            for column in declaration.columns where !column.isKey {
                // ksqlDB matches JSON keys case-insensitively: order fields are lower-case, trade fields upper-case.
                #expect(upperFields.contains(column.name.uppercased()),
                        "\(declaration.file): column \(column.name) is not a field of \(topic) (\(fields.sorted()))")
            }
        }
    }

    @Test("ksqlDB writes only ksql_ topics, never a topic the Swift stages own")
    func sinksAreSeparate() throws {
        let ours = Set(Topology.topics.map(\.name))
        for statement in statements where statement.query != nil {
            let topic = try #require(statement.topic, "\(statement.name) names its KAFKA_TOPIC explicitly")
            #expect(topic.hasPrefix("ksql_"), "\(statement.name) writes \(topic)")
            #expect(!ours.contains(topic))
        }
    }

    @Test("the analytics tables carry the same value columns as the Swift topics they mirror")
    func mirroredColumns() throws {
        for (table, topic) in [("sma_hopping_table", "SMA_HOPPING_TABLE"), ("stock_profit", "stock_profit")] {
            let statement = try #require(statements.first { $0.name == table }, "ksql/ creates \(table)")
            #expect(statement.topic == "ksql_\(topic)")
            let fields = Set(try #require(Topology.fieldNames(of: topic)))
            let key = statement.outputColumns.first
            for column in statement.outputColumns.dropFirst() {
                #expect(fields.contains(column), "\(table).\(column) is a field of \(topic) (\(fields.sorted()))")
            }
            #expect(key == "SYMBOL", "\(table) is grouped by the record key")
            #expect(fields.subtracting(statement.outputColumns).isEmpty,
                    "\(table) lacks \(fields.subtracting(statement.outputColumns).sorted())")
        }
    }

    @Test("the seed's join is kept, and every window and join states its grace period")
    func seedJoinAndGrace() throws {
        let join = try #require(statements.first { $0.name == "matched_trades" })
        let text = join.text.uppercased()
        #expect(text.contains("JOIN") && text.contains("WITHIN 8 HOURS"))
        #expect(join.outputColumns == ["BUY_ORDER_ID", "SELL_ORDER_ID", "BUY_STOCK_SYMBOL", "BUY_PRICE", "SELL_PRICE", "QUANTITY"])
        for statement in statements {
            let upper = statement.text.uppercased()
            if upper.contains("WINDOW ") || upper.contains("WITHIN ") {
                #expect(upper.contains("GRACE PERIOD"), "\(statement.name) has an explicit GRACE PERIOD")
            }
        }
        let profit = try #require(statements.first { $0.name == "stock_profit" })
        #expect(profit.text.contains("EARLIEST_BY_OFFSET(PRICE)") && profit.text.contains("LATEST_BY_OFFSET(PRICE)"))
        #expect(profit.text.contains("HOPPING (SIZE 10 MINUTES, ADVANCE BY 5 MINUTES"))
    }
}
