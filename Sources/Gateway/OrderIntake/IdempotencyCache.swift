import Synchronization

/// Remembers the first answer to each idempotent request (`Idempotency-Key` header or
/// `client_order_id`), scoped per trader, so a retried POST returns that answer instead of
/// placing a second order. A key seen while its first request is still in flight answers 409; a key
/// reused for a different request (another fingerprint) is `mismatched`.
///
/// Bounded: the oldest entries are forgotten past `capacity` (a client retries within seconds,
/// not after a million orders).
public final class IdempotencyCache: Sendable {
    public enum Lookup: Sendable, Equatable {
        /// First use: the caller must `complete` or `abandon` the key.
        case reserved
        case inFlight
        case answered(status: Int, body: String)
        /// Answered, but for a request with another fingerprint.
        case mismatched
    }

    private struct Entry {
        var lookup: Lookup
        var fingerprint: String
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var order: [String] = []
        var head = 0
    }

    private let state = Mutex(State())
    public let capacity: Int

    public init(capacity: Int = 1_000_000) {
        self.capacity = capacity
    }

    private static func scoped(_ trader: String, _ key: String) -> String { trader + "\u{1F}" + key }

    /// `fingerprint` identifies the request's content: a retry must carry the same one.
    public func reserve(trader: String, key: String, fingerprint: String = "") -> Lookup {
        let k = IdempotencyCache.scoped(trader, key)
        return state.withLock { s in
            if let existing = s.entries[k] {
                if case .answered = existing.lookup, existing.fingerprint != fingerprint { return .mismatched }
                return existing.lookup
            }
            s.entries[k] = Entry(lookup: .inFlight, fingerprint: fingerprint)
            s.order.append(k)
            if s.order.count - s.head > capacity {
                s.entries[s.order[s.head]] = nil
                s.head += 1
                if s.head > capacity { s.order.removeFirst(s.head); s.head = 0 }
            }
            return .reserved
        }
    }

    public func complete(trader: String, key: String, status: Int, body: String) {
        let k = IdempotencyCache.scoped(trader, key)
        state.withLock { $0.entries[k]?.lookup = .answered(status: status, body: body) }
    }

    /// Forgets a reservation whose request failed before anything was sent, so a retry may try again.
    public func abandon(trader: String, key: String) {
        let k = IdempotencyCache.scoped(trader, key)
        state.withLock { $0.entries[k] = nil }
    }
}
