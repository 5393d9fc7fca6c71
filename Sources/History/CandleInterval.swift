/// The candle intervals of the history API (Kite Connect's names). Only 1-minute candles are stored; the others are
/// derived from them at query time, so there is one set of rows to keep exactly once.
public enum CandleInterval: String, Sendable, CaseIterable {
    case minute
    case fiveMinute = "5minute"
    case fifteenMinute = "15minute"
    case sixtyMinute = "60minute"
    case day

    public static let minuteMilliseconds: Int64 = 60_000
    static let dayMilliseconds: Int64 = 86_400_000

    /// The interval's length; a day is a UTC day.
    public var milliseconds: Int64 {
        switch self {
        case .minute: Self.minuteMilliseconds
        case .fiveMinute: 5 * Self.minuteMilliseconds
        case .fifteenMinute: 15 * Self.minuteMilliseconds
        case .sixtyMinute: 60 * Self.minuteMilliseconds
        case .day: Self.dayMilliseconds
        }
    }

    /// The longest `to - from` one query may ask for: a query reads at most this range's 1-minute candles, so the
    /// limit keeps an answer within a few hundred thousand rows (Kite limits its ranges per interval alike).
    public var maximumRange: Int64 {
        switch self {
        case .minute: 7 * Self.dayMilliseconds
        case .fiveMinute: 30 * Self.dayMilliseconds
        case .fifteenMinute: 90 * Self.dayMilliseconds
        case .sixtyMinute: 180 * Self.dayMilliseconds
        case .day: 366 * Self.dayMilliseconds
        }
    }

    /// The start of the interval holding `time` (epoch ms; floor, also before 1970).
    public func start(of time: Int64) -> Int64 {
        let length = milliseconds
        let remainder = time % length
        return remainder < 0 ? time - remainder - length : time - remainder
    }
}
