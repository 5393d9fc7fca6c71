import Synchronization

/// Per-trader token buckets: `ratePerSecond` sustained, `burst` at once. A refused request
/// learns how long until a token is free (the `Retry-After` header).
public final class RateLimiter: Sendable {
    public let ratePerSecond: Double
    public let burst: Double
    private let buckets = Mutex<[String: Bucket]>([:])
    private let clock = ContinuousClock()
    private let epoch: ContinuousClock.Instant

    private struct Bucket {
        var tokens: Double
        var updated: Double
    }

    /// `ratePerSecond <= 0` disables limiting.
    public init(ratePerSecond: Double, burst: Double) {
        self.ratePerSecond = ratePerSecond
        self.burst = max(1, burst)
        self.epoch = clock.now
    }

    private func seconds() -> Double {
        let d = epoch.duration(to: clock.now).components
        return Double(d.seconds) + Double(d.attoseconds) * 1e-18
    }

    /// Takes one token; nil when allowed, otherwise the seconds to wait.
    public func acquire(_ key: String) -> Double? {
        guard ratePerSecond > 0 else { return nil }
        let now = seconds()
        return buckets.withLock { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: burst, updated: now)
            bucket.tokens = min(burst, bucket.tokens + (now - bucket.updated) * ratePerSecond)
            bucket.updated = now
            defer { buckets[key] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return (1 - bucket.tokens) / ratePerSecond
        }
    }
}
