import ExchangeRecords
import Gateway
import History
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

/// Records what the gateway would write to `incoming_orders`.
final class RecordingSink: OrderSink {
    let commands = Mutex<[IncomingOrder]>([])
    let failing = Mutex(false)
    /// How long the log takes to take a command (a slow broker).
    let delay = Mutex(Duration.zero)
    /// Delays for the next commands, in order, before `delay` applies.
    let nextDelays = Mutex<[Duration]>([])

    struct Unavailable: Error {}

    func submit(_ command: IncomingOrder, completion: @escaping @Sendable ((any Error)?) -> Void) {
        let delay = nextDelays.withLock { $0.isEmpty ? nil : $0.removeFirst() } ?? delay.withLock { $0 }
        Task {
            do {
                if delay > .zero { try await Task.sleep(for: delay) }
                if failing.withLock({ $0 }) { throw Unavailable() }
                commands.withLock { $0.append(command) }
                completion(nil)
            } catch {
                completion(error)
            }
        }
    }

    var count: Int { commands.withLock { $0.count } }
    var last: IncomingOrder? { commands.withLock { $0.last } }
}

enum Keys {
    static let alice = "alice-secret-key"
    static let bob = "bob-secret-key"
    static let jwtSecret = Array("test-idp-shared-secret".utf8)
}

/// The seed instruments plus one with a lot size of 10.
let testInstruments = InstrumentRules.seed + [
    InstrumentRules(
        symbol: "LOTX", name: "Lot test", tickSizeMicros: 50_000, lotSize: 10, referencePriceMicros: 100_000_000,
        lowerBandMicros: 90_000_000, upperBandMicros: 110_000_000, maxOrderQuantity: 1_000)
]

func makeGateway(
    sink: RecordingSink = RecordingSink(), rate: Double = 0, burst: Double = 1, idleTimeout: Duration = .seconds(60),
    fastOrderPath: Bool = true, bodyTimeout: Duration = .seconds(30), maxBodyRead: Int = 1 << 20, limits: PreTradeLimits = PreTradeLimits(),
    history: (any HistoryReader)? = nil, publicMarketData: Bool = false
) -> Gateway {
    var configuration = GatewayConfiguration()
    configuration.publicMarketData = publicMarketData
    configuration.limits = limits
    configuration.fastOrderPath = fastOrderPath
    configuration.bodyTimeout = bodyTimeout
    configuration.maxBodyRead = maxBodyRead
    configuration.port = 0
    configuration.idleTimeout = idleTimeout
    configuration.rateLimitPerSecond = rate
    configuration.rateLimitBurst = burst
    var keys = APIKeyStore()
    keys.add(trader: "alice", key: Keys.alice)
    keys.add(trader: "bob", key: Keys.bob)
    configuration.authenticator = Authenticator(keys: keys, jwt: JWTVerifier(key: .hs256(secret: Keys.jwtSecret)))
    return Gateway(configuration: configuration, instruments: testInstruments, sink: sink, history: history)
}

func auth(_ key: String, _ extra: HTTPFields = [:]) -> HTTPFields {
    var fields: HTTPFields = [.authorization: "Bearer \(key)", .contentType: "application/json"]
    fields.append(contentsOf: extra)
    return fields
}

extension TestResponse {
    var json: JSONValue {
        (try? JSONValue.parse(Array(body.readableBytesView))) ?? .null
    }

    var data: JSONValue { json["data"] ?? .null }
}

extension TestClientProtocol {
    func send(_ method: HTTPRequest.Method, _ uri: String, key: String? = Keys.alice, body: String? = nil, headers: HTTPFields = [:]) async throws -> TestResponse {
        var fields = key.map { auth($0, headers) } ?? headers
        if key == nil, body != nil { fields[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: fields, body: body.map { ByteBuffer(string: $0) })
    }

    /// Places an order and returns its id.
    func place(_ body: String, key: String = Keys.alice) async throws -> String {
        let response = try await send(.post, "/v1/orders", key: key, body: body)
        #expect(response.status == .accepted, "\(String(buffer: response.body))")
        guard case .string(let id)? = response.data["order_id"] else {
            Issue.record("no order_id in \(String(buffer: response.body))")
            return ""
        }
        return id
    }
}

let aliceBuy = #"{"symbol":"AAPL","side":"BUY","order_type":"LIMIT","price":160.25,"quantity":10,"validity":"GTC"}"#

/// An execution report for tests that feed the read model directly.
func report(
    _ orderId: String, trader: String = "alice", symbol: String = "AAPL", side: String = "BUY", status: String,
    price: Int64? = 160_250_000, quantity: Int64 = 10, filled: Int64 = 0, leaves: Int64 = 10, lastPrice: Int64? = nil,
    lastQuantity: Int64? = nil, tradeId: String? = nil, reason: String? = nil, seq: Int64, time: Int64 = 1_700_000_000_000
) -> ExecutionEvent {
    ExecutionEvent(
        orderId: orderId, traderId: trader, symbol: symbol, side: side, status: status, reason: reason, priceMicros: price,
        quantity: quantity, filledQuantity: filled, leavesQuantity: leaves, lastPriceMicros: lastPrice,
        lastQuantity: lastQuantity, lastTradeId: tradeId, seq: seq, timestamp: time)
}
