import ExchangeRecords
import Synchronization

/// Fans WebSocket frames out: each trader's own order updates to that trader's connections only,
/// market data to the connections subscribed to a symbol.
///
/// Each connection has a bounded buffer; a client too slow to keep `bufferSize` frames drained
/// loses the oldest ones rather than growing the gateway's memory.
public final class MarketDataHub: Sendable {
    public struct Connection: Sendable {
        public let id: UInt64
        public let frames: AsyncStream<String>
    }

    private struct Subscriber {
        /// nil for an anonymous (market data only) connection: it gets no trader's frames.
        var trader: String?
        var symbols: Set<String>
        var continuation: AsyncStream<String>.Continuation
    }

    private struct State {
        var nextId: UInt64 = 1
        var subscribers: [UInt64: Subscriber] = [:]
        var byTrader: [String: Set<UInt64>] = [:]
        var bySymbol: [String: Set<UInt64>] = [:]
    }

    private let state = Mutex(State())
    public let bufferSize: Int

    public init(bufferSize: Int = 10_000) {
        self.bufferSize = bufferSize
    }

    public func connect(trader: String?) -> Connection {
        let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(bufferSize))
        let id = state.withLock { s in
            let id = s.nextId
            s.nextId += 1
            s.subscribers[id] = Subscriber(trader: trader, symbols: [], continuation: continuation)
            if let trader { s.byTrader[trader, default: []].insert(id) }
            return id
        }
        return Connection(id: id, frames: stream)
    }

    public func disconnect(_ id: UInt64) {
        state.withLock { s in
            guard let sub = s.subscribers.removeValue(forKey: id) else { return }
            sub.continuation.finish()
            if let trader = sub.trader {
                s.byTrader[trader]?.remove(id)
                if s.byTrader[trader]?.isEmpty == true { s.byTrader[trader] = nil }
            }
            for symbol in sub.symbols {
                s.bySymbol[symbol]?.remove(id)
                if s.bySymbol[symbol]?.isEmpty == true { s.bySymbol[symbol] = nil }
            }
        }
    }

    public func subscribe(_ id: UInt64, symbols: [String]) {
        state.withLock { s in
            guard s.subscribers[id] != nil else { return }
            for symbol in symbols {
                s.subscribers[id]?.symbols.insert(symbol)
                s.bySymbol[symbol, default: []].insert(id)
            }
        }
    }

    public func unsubscribe(_ id: UInt64, symbols: [String]) {
        state.withLock { s in
            for symbol in symbols {
                s.subscribers[id]?.symbols.remove(symbol)
                s.bySymbol[symbol]?.remove(id)
                if s.bySymbol[symbol]?.isEmpty == true { s.bySymbol[symbol] = nil }
            }
        }
    }

    /// Sends a frame to a connection alone (acknowledgements, errors).
    public func send(_ id: UInt64, _ frame: String) {
        state.withLock { s in _ = s.subscribers[id]?.continuation.yield(frame) }
    }

    public func hasSymbolListeners(_ symbol: String) -> Bool {
        state.withLock { $0.bySymbol[symbol] != nil }
    }

    public func publish(toTrader trader: String, _ frame: String) {
        state.withLock { s in
            for id in s.byTrader[trader] ?? [] { _ = s.subscribers[id]?.continuation.yield(frame) }
        }
    }

    public func publish(toSymbol symbol: String, _ frame: String) {
        state.withLock { s in
            for id in s.bySymbol[symbol] ?? [] { _ = s.subscribers[id]?.continuation.yield(frame) }
        }
    }

    /// Sends a frame to every connection (instrument status changes).
    public func publishToAll(_ frame: String) {
        state.withLock { s in
            for subscriber in s.subscribers.values { _ = subscriber.continuation.yield(frame) }
        }
    }

    public var connectionCount: Int { state.withLock { $0.subscribers.count } }

    /// A `{"type":…,"data":…}` frame, Kite's text-frame envelope.
    public static func frame(_ type: String, _ data: JSONValue) -> String {
        JSONValue.object([("type", .string(type)), ("data", data)]).serialized()
    }
}
