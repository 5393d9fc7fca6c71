import ExchangeRecords
import ArgumentParser
import Gateway
import GatewayClient
import Logging

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The trader's command-line client (the seed's exercise 2), talking to the gateway's HTTP API.
struct TraderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trader", abstract: "The trader command-line client.",
        subcommands: [
            Instruments.self, Place.self, Orders.self, Order.self, Cancel.self, Modify.self, Trades.self, Quote.self, Watch.self,
            History.self,
        ])

    struct Connection: ParsableArguments {
        @Option(help: "Gateway URL (default: $EXCHANGE_URL or http://127.0.0.1:8080).") var url: String?
        @Option(help: "API key or JWT (default: $EXCHANGE_API_KEY).") var key: String?

        func client() throws -> GatewayClient {
            let environment = ProcessInfo.processInfo.environment
            let text = url ?? environment["EXCHANGE_URL"] ?? "http://127.0.0.1:8080"
            guard let token = key ?? environment["EXCHANGE_API_KEY"] else {
                throw ValidationError("give --key or set EXCHANGE_API_KEY")
            }
            let (host, port) = try GatewayURL.hostPort(text)
            return GatewayClient(host: host, port: port, token: token)
        }

        /// Sends a request; prints the error body and fails on a non-2xx answer.
        func call(_ method: String, _ path: String, body: String? = nil) async throws -> JSONValue {
            let response = try await client().send(method, "/v1" + path, body: body)
            guard (200..<300).contains(response.status) else {
                let message = response.json?["message"].flatMap { if case .string(let s) = $0 { s } else { nil } } ?? response.text
                throw ValidationError("HTTP \(response.status): \(message)")
            }
            return response.json?["data"] ?? .null
        }

        /// Prints the rows of a list route as a table.
        func list(_ path: String, columns: [String]) async throws {
            print(Table.render(try await call("GET", path), columns: columns))
        }

        /// Prints one object answered by a route.
        func show(_ method: String, _ path: String, body: String? = nil) async throws {
            print(Table.describe(try await call(method, path, body: body)))
        }
    }

    struct Instruments: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lists the instruments (tick size, lot size, last price).")
        @OptionGroup var connection: Connection
        func run() async throws {
            try await connection.list("/instruments", columns: ["symbol", "name", "tick_size", "lot_size", "last_price", "lower_circuit_limit", "upper_circuit_limit"])
        }
    }

    struct Place: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Places an order and prints its details.")
        @OptionGroup var connection: Connection
        @Option var symbol: String
        @Option(help: "BUY or SELL.") var side: String
        @Option(help: "Quantity (a multiple of the lot size).") var qty: Int64
        @Option(help: "LIMIT or MARKET.") var type = "LIMIT"
        @Option(help: "Limit price.") var price: String?
        @Option(help: "DAY, GTC, IOC, FOK, TTL or GTD.") var validity = "DAY"
        @Option(help: "Minutes the order lives, with --validity TTL.") var ttl: Int64?
        @Option(help: "When the order expires, with --validity GTD: epoch ms, or a date-time (2026-12-31 15:30:00, ISO 8601; UTC unless an offset is given).")
        var expireAt: String?
        @Option(help: "Your own id for the order; a retry with the same id places it once.") var clientOrderId: String?

        func run() async throws {
            var fields: [(String, JSONValue)] = [
                ("symbol", .string(symbol)), ("side", .string(side.uppercased())), ("order_type", .string(type.uppercased())),
                ("quantity", .int(qty)), ("validity", .string(validity.uppercased())),
            ]
            if let price { fields.append(("price", .number(price))) }
            if let ttl { fields.append(("validity_ttl", .int(ttl))) }
            if let expireAt {
                guard let instant = instant(expireAt) else {
                    throw ValidationError("--expire-at must be epoch ms or a date-time such as 2026-12-31 15:30:00, got '\(expireAt)'")
                }
                fields.append(("expire_at", .int(instant)))
            }
            if let clientOrderId { fields.append(("client_order_id", .string(clientOrderId))) }
            let placed = try await connection.call("POST", "/orders", body: JSONValue.object(fields).serialized())
            guard case .string(let id)? = placed["order_id"] else { throw ValidationError("no order id in the answer") }
            // The order reaches the read side through Kafka and the engine: show it once it is there (up to 5 s),
            // else what the gateway answered.
            let deadline = ContinuousClock.now + .seconds(5)
            while ContinuousClock.now < deadline {
                let response = try await connection.client().send("GET", "/v1/orders/\(id)", body: nil)
                if response.status == 200, let order = response.json?["data"] {
                    print(Table.describe(order))
                    return
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            print(Table.describe(placed))
            print("(accepted; the exchange has not reported on it yet: `exchange trader order \(id)` shows it later)")
        }
    }

    struct Orders: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lists your orders.")
        @OptionGroup var connection: Connection
        func run() async throws {
            try await connection.list("/orders", columns: ["order_id", "symbol", "side", "order_type", "price", "quantity", "filled_quantity", "validity", "status"])
        }
    }

    struct Order: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Shows one order with fills and history.")
        @OptionGroup var connection: Connection
        @Argument var orderId: String
        func run() async throws { try await connection.show("GET", "/orders/\(orderId)") }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancels an open order.")
        @OptionGroup var connection: Connection
        @Argument var orderId: String
        func run() async throws { try await connection.show("DELETE", "/orders/\(orderId)") }
    }

    struct Modify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Changes an open order's price and/or total quantity.")
        @OptionGroup var connection: Connection
        @Argument var orderId: String
        @Option var price: String?
        @Option(help: "New total quantity.") var qty: Int64?
        func run() async throws {
            var fields: [(String, JSONValue)] = []
            if let price { fields.append(("price", .number(price))) }
            if let qty { fields.append(("quantity", .int(qty))) }
            try await connection.show("PUT", "/orders/\(orderId)", body: JSONValue.object(fields).serialized())
        }
    }

    struct Trades: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lists your fills.")
        @OptionGroup var connection: Connection
        func run() async throws {
            try await connection.list("/trades", columns: ["trade_id", "order_id", "symbol", "side", "price", "quantity", "fill_timestamp"])
        }
    }

    struct Quote: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Shows a symbol's quote and depth.")
        @OptionGroup var connection: Connection
        @Argument var symbol: String
        func run() async throws { try await connection.show("GET", "/quote/\(symbol)") }
    }

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Prints a symbol's historical candles (or, with --trades, its trades) from the history database.")
        @OptionGroup var connection: Connection
        @Argument var symbol: String
        @Option(help: "minute, 5minute, 15minute, 60minute or day.") var interval = "minute"
        @Option(help: "Start: epoch ms or a date-time (2026-12-07 09:15:00, ISO 8601; UTC unless an offset is given). Default: a day before --to.")
        var from: String?
        @Option(help: "End (exclusive), as --from. Default: now.") var to: String?
        @Flag(help: "Print trades instead of candles, a page at a time.") var trades = false
        @Option(help: "Trades per page, with --trades (1 to 1000).") var limit = 100
        @Option(help: "The next_cursor a previous page printed, with --trades.") var cursor: String?

        func run() async throws {
            let end = try to.map { try time($0, "--to") } ?? Int64(Date().timeIntervalSince1970 * 1000)
            let start = try from.map { try time($0, "--from") } ?? end - 86_400_000
            var path = "/history/\(symbol)"
            if trades {
                path += "/trades?from=\(start)&to=\(end)&limit=\(limit)" + (cursor.map { "&cursor=\($0)" } ?? "")
                let data = try await connection.call("GET", path)
                print(Table.render(data["trades"] ?? .null, columns: ["trade_id", "price", "quantity", "aggressor_side", "trade_time"]))
                if case .string(let next)? = data["next_cursor"] { print("next page: --cursor \(next)") }
            } else {
                path += "?interval=\(interval)&from=\(start)&to=\(end)"
                guard case .array(let candles)? = try await connection.call("GET", path)["candles"] else { return }
                let columns = ["timestamp", "open", "high", "low", "close", "volume"]
                let rows = candles.map { candle -> JSONValue in
                    guard case .array(let values) = candle else { return .null }
                    return .object(Array(zip(columns, values)))
                }
                print(Table.render(.array(rows), columns: columns))
            }
        }

        func time(_ text: String, _ option: String) throws -> Int64 {
            guard let value = instant(text) else {
                throw ValidationError("\(option) must be epoch ms or a date-time such as 2026-12-07 09:15:00, got '\(text)'")
            }
            return value
        }
    }

    struct Watch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Prints your execution reports and fills live (and market data of --symbol).")
        @OptionGroup var connection: Connection
        @Option(help: "Symbols to subscribe to for trades, quotes and SMA.") var symbol: [String] = []

        func run() async throws {
            try await connection.client().watch(symbols: symbol) { text in print(Table.frameLine(text)) }
        }
    }
}

/// Epoch ms, or a date-time (ISO 8601 or `2026-12-31 15:30:00`; UTC unless an offset is given).
func instant(_ text: String) -> Int64? {
    Int64(text) ?? DateTimeText.epochMilliseconds(text)
}

enum GatewayURL {
    static func hostPort(_ url: String) throws -> (String, Int) {
        var rest = Substring(url)
        if rest.hasPrefix("http://") { rest = rest.dropFirst(7) }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        let parts = rest.split(separator: ":")
        guard let host = parts.first, !host.isEmpty else { throw ValidationError("cannot read a host from '\(url)'") }
        let port = parts.count > 1 ? Int(parts[1]) : 80
        guard let port else { throw ValidationError("cannot read a port from '\(url)'") }
        return (String(host), port)
    }
}

/// Plain-text rendering of API answers for the terminal.
enum Table {
    static func cell(_ value: JSONValue?) -> String {
        switch value {
        case .string(let s)?: return s
        case .number(let n)?: return n
        case .bool(let b)?: return String(b)
        case .null?, nil: return "-"
        case let other?: return other.serialized()
        }
    }

    static func render(_ data: JSONValue, columns: [String]) -> String {
        guard case .array(let rows) = data else { return data.serialized() }
        let cells = rows.map { row in columns.map { cell(row[$0]) } }
        let widths = columns.indices.map { i in max(columns[i].count, cells.map { $0[i].count }.max() ?? 0) }
        func line(_ values: [String]) -> String {
            zip(values, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }.joined(separator: "  ")
        }
        return ([line(columns)] + cells.map(line)).joined(separator: "\n") + (rows.isEmpty ? "\n(none)" : "")
    }

    static func describe(_ data: JSONValue) -> String {
        guard case .object(let members) = data else { return data.serialized() }
        let width = members.map(\.0.count).max() ?? 0
        return members.map { key, value in
            key + String(repeating: " ", count: width - key.count) + "  " + cell(value)
        }.joined(separator: "\n")
    }

    static func frameLine(_ text: String) -> String {
        guard let frame = try? JSONValue.parse(Array(text.utf8)), case .string(let type)? = frame["type"] else { return text }
        let data = frame["data"] ?? .null
        switch type {
        case "order":
            return "ORDER  \(cell(data["order_id"])) \(cell(data["symbol"])) \(cell(data["side"])) \(cell(data["status"])) filled \(cell(data["filled_quantity"]))/\(cell(data["quantity"])) price \(cell(data["price"])) \(cell(data["status_message"]))"
        case "own_trade":
            return "FILL   \(cell(data["trade_id"])) \(cell(data["symbol"])) \(cell(data["side"])) \(cell(data["quantity"])) @ \(cell(data["price"]))"
        case "trade":
            return "TRADE  \(cell(data["symbol"])) \(cell(data["quantity"])) @ \(cell(data["price"]))"
        default:
            return "\(type.uppercased())  \(data.serialized())"
        }
    }
}
