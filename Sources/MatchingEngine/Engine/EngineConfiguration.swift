/// What happens when an incoming order would trade with a resting order of the same trader.
public enum SelfTradePrevention: UInt8, Hashable, Sendable, CaseIterable {
    /// Trade anyway.
    case none = 0
    /// Cancel the resting order and keep matching the incoming one.
    case cancelResting = 1
    /// Cancel the incoming order's remainder (what already filled stays filled). The default.
    case cancelIncoming = 2
    /// Cancel both the resting order and the incoming remainder.
    case cancelBoth = 3

    public var wireName: String {
        switch self {
        case .none: "NONE"
        case .cancelResting: "CANCEL_RESTING"
        case .cancelIncoming: "CANCEL_INCOMING"
        case .cancelBoth: "CANCEL_BOTH"
        }
    }
}

/// Engine-wide settings; they travel inside snapshots.
public struct EngineConfiguration: Hashable, Sendable {
    public var selfTradePrevention: SelfTradePrevention
    /// The trading session closes at this many milliseconds after midnight UTC, every calendar day, in event time:
    /// when the engine clock reaches it, DAY orders expire and the ids of finished orders are forgotten (an id may not
    /// be used again while its order lives or within the session it was accepted in). Default 21:00 UTC (16:00 New
    /// York standard time).
    public var sessionCloseMillisOfDay: Int64

    /// Order ids are plain integers the caller hands in (`Engine.orderHandle(integer:)`), not strings: the handle is
    /// the id itself, so nothing is interned. For feeds whose sessions number their orders densely (Nasdaq OUCH's
    /// UserRefNum, the matching-engine challenge's C ABI); ids are below `Engine.integerOrderIdLimit`.
    public var integerOrderIds: Bool

    public static let millisPerDay: Int64 = 86_400_000

    public init(
        selfTradePrevention: SelfTradePrevention = .cancelIncoming, sessionCloseMillisOfDay: Int64 = 21 * 3_600_000,
        integerOrderIds: Bool = false
    ) {
        self.integerOrderIds = integerOrderIds
        self.selfTradePrevention = selfTradePrevention
        self.sessionCloseMillisOfDay = sessionCloseMillisOfDay
    }

    /// The first session close strictly after `time` (epoch ms).
    public func sessionClose(after time: Int64) -> Int64 {
        let close = ((sessionCloseMillisOfDay % Self.millisPerDay) + Self.millisPerDay) % Self.millisPerDay
        let dayStart = time - (((time % Self.millisPerDay) + Self.millisPerDay) % Self.millisPerDay)
        let candidate = dayStart + close
        return candidate > time ? candidate : candidate + Self.millisPerDay
    }
}
