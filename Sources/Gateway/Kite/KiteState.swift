import Synchronization

/// What the Kite layer keeps beyond the read model: login sessions (access token → trader) and the Kite-only terms
/// of the orders placed through it (product, tag), which the engine has no field for. In memory: a restart ends
/// the sessions (clients log in again, or use their gateway API key as the access token) and forgets the terms
/// (orders then show product CNC and no tag).
final class KiteState: Sendable {
    struct Session: Sendable {
        var apiKey: String
        var trader: String
    }

    struct OrderTerms: Sendable {
        var product: String
        var tag: String?
    }

    private struct Tables {
        var sessions: [String: Session] = [:]
        var sessionOrder = FIFOQueue<String>()
        var terms: [String: OrderTerms] = [:]
        var termsOrder = FIFOQueue<String>()
    }

    /// Bounds of the two tables (oldest dropped first).
    static let maxSessions = 100_000
    static let maxTerms = 1_000_000

    private let tables = Mutex(Tables())

    func startSession(accessToken: String, _ session: Session) {
        tables.withLock { t in
            t.sessions[accessToken] = session
            t.sessionOrder.append(accessToken)
            while t.sessionOrder.count > KiteState.maxSessions, let oldest = t.sessionOrder.popFirst() { t.sessions[oldest] = nil }
        }
    }

    func session(_ accessToken: String) -> Session? {
        tables.withLock { $0.sessions[accessToken] }
    }

    /// Ends a session; false if there was none.
    func endSession(_ accessToken: String) -> Bool {
        tables.withLock { $0.sessions.removeValue(forKey: accessToken) != nil }
    }

    func record(orderId: String, _ terms: OrderTerms) {
        tables.withLock { t in
            if t.terms.updateValue(terms, forKey: orderId) == nil { t.termsOrder.append(orderId) }
            while t.termsOrder.count > KiteState.maxTerms, let oldest = t.termsOrder.popFirst() { t.terms[oldest] = nil }
        }
    }

    func terms(_ orderId: String) -> OrderTerms? {
        tables.withLock { $0.terms[orderId] }
    }
}
