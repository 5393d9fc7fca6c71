import MatchingEngine
import Testing

/// The venue rule for order ids: an id may not be used again while its order lives or within the trading session it
/// was accepted in; when the session closes (`EngineConfiguration.sessionCloseMillisOfDay`, in event time, or
/// `Engine.closeSession`) the finished orders' ids are forgotten. Snapshots carry what is remembered exactly.
@Suite struct SessionOrderIdTests {
    /// The harness starts at 2023-11-14 22:13:20 UTC; the session closes at 21:00 UTC.
    static let close: Int64 = 1_700_082_000_000  // 2023-11-15 21:00 UTC
    static let day: Int64 = 86_400_000

    /// Releases forgotten ids after each command, as the matcher does.
    final class Driver {
        let h = Harness()
        var engine: Engine { h.engine }

        @discardableResult
        func new(
            _ id: String, _ side: Side = .buy, _ quantity: Int64 = 1, _ price: String = "150", trader: String = "A",
            tif: TimeInForce = .goodTillCanceled, at time: Int64? = nil
        ) -> [String] {
            defer { engine.releaseForgottenOrderIds() }
            return h.new(id, side, quantity, price, trader: trader, tif: tif, at: time)
        }

        @discardableResult
        func cancel(_ id: String, at time: Int64? = nil) -> [String] {
            defer { engine.releaseForgottenOrderIds() }
            return h.cancel(id, at: time)
        }

        @discardableResult
        func tick(_ time: Int64) -> [String] {
            defer { engine.releaseForgottenOrderIds() }
            return h.tick(time)
        }

        /// The first report of a new order, e.g. "a NEW 0/1" or "a REJECTED 0/0 DUPLICATE_ORDER_ID".
        func first(_ id: String, at time: Int64) -> String? { new(id, tif: .immediateOrCancel, at: time).first }
    }

    @Test func finishedIdsStayUsedUntilTheSessionCloses() {
        let d = Driver()
        d.new("a", tif: .immediateOrCancel)  // no asks: cancelled at once
        d.new("s", .sell, 1, "150")
        d.new("b", .buy, 1, "150", trader: "B")  // fills s
        d.new("c")
        d.cancel("c")
        #expect(d.engine.openOrders == 0 && d.engine.rememberedOrderIds == 4)
        let late = SessionOrderIdTests.close - 1
        for id in ["a", "s", "b", "c"] { #expect(d.first(id, at: late) == "\(id) REJECTED 0/0 DUPLICATE_ORDER_ID") }
        #expect(d.tick(SessionOrderIdTests.close).isEmpty)
        #expect(d.engine.rememberedOrderIds == 0)
        #expect(d.cancel("c") == ["c REJECTED 0/0 UNKNOWN_ORDER"])
        for id in ["a", "s", "b", "c"] { #expect(d.first(id, at: SessionOrderIdTests.close + 1) == "\(id) NEW 0/1") }
        #expect(d.first("a", at: SessionOrderIdTests.close + 2) == "a REJECTED 0/0 DUPLICATE_ORDER_ID")
    }

    @Test func liveOrdersKeepTheirIdsAcrossCloses() {
        let d = Driver()
        d.new("live", .buy, 5, "150")
        d.tick(SessionOrderIdTests.close + 2 * SessionOrderIdTests.day)
        #expect(d.engine.rememberedOrderIds == 1)
        #expect(d.first("live", at: SessionOrderIdTests.close + 2 * SessionOrderIdTests.day) == "live REJECTED 0/0 DUPLICATE_ORDER_ID")
        #expect(d.cancel("live") == ["live CANCELED 0/0 CANCELED_BY_TRADER"])
        // Finished in this session: used until it closes.
        #expect(d.first("live", at: SessionOrderIdTests.close + 3 * SessionOrderIdTests.day - 1) == "live REJECTED 0/0 DUPLICATE_ORDER_ID")
        #expect(d.first("live", at: SessionOrderIdTests.close + 3 * SessionOrderIdTests.day) == "live NEW 0/1")
    }

    @Test func ordersExpiringByTheCloseLoseTheirIdsWithIt() {
        let d = Driver()
        d.new("d", tif: .day)
        d.h.new("t", .buy, 1, "150", tif: .timeToLive, ttl: 60, at: SessionOrderIdTests.close - 30 * 60_000)
        d.h.new("u", .buy, 1, "150", tif: .timeToLive, ttl: 60, at: SessionOrderIdTests.close - 30 * 60_000)
        // One tick across the close and past t's and u's expiry: d expires at the close, t and u after it (in the
        // new session, so their ids stay used until the next close).
        #expect(d.tick(SessionOrderIdTests.close + 3_600_000) == [
            "d EXPIRED 0/0 SESSION_CLOSED", "t EXPIRED 0/0 TTL_ELAPSED", "u EXPIRED 0/0 TTL_ELAPSED",
        ])
        #expect(d.first("d", at: SessionOrderIdTests.close + 3_600_000) == "d NEW 0/1")
        #expect(d.first("t", at: SessionOrderIdTests.close + 3_600_000) == "t REJECTED 0/0 DUPLICATE_ORDER_ID")
        // Several closes in one step: the one after t's expiry forgets it.
        #expect(d.tick(SessionOrderIdTests.close + 5 * SessionOrderIdTests.day).isEmpty)
        #expect(d.engine.rememberedOrderIds == 0)
        #expect(d.first("t", at: SessionOrderIdTests.close + 5 * SessionOrderIdTests.day) == "t NEW 0/1")
    }

    @Test func aCommandAtTheCloseBelongsToTheNewSession() {
        let d = Driver()
        d.first("x", at: SessionOrderIdTests.close - 1)
        #expect(d.first("y", at: SessionOrderIdTests.close) == "y NEW 0/1")  // closes the session first: x is forgotten
        #expect(d.first("x", at: SessionOrderIdTests.close) == "x NEW 0/1")
        #expect(d.first("y", at: SessionOrderIdTests.close + 1) == "y REJECTED 0/0 DUPLICATE_ORDER_ID")
    }

    @Test func closeSessionMovesTheClockToTheScheduledClose() {
        let d = Driver()
        d.new("d", tif: .day)
        d.new("a", tif: .immediateOrCancel)
        var events: [EngineEvent] = []
        d.engine.closeSession(into: &events)
        #expect(events.map(d.h.render) == ["d EXPIRED 0/0 SESSION_CLOSED"])  // ids readable until released
        d.engine.releaseForgottenOrderIds()
        #expect(d.engine.clock == SessionOrderIdTests.close)
        #expect(d.engine.rememberedOrderIds == 0)
        #expect(d.first("a", at: 0) == "a NEW 0/1")  // an older timestamp is processed at the clock: still this session
        events.removeAll()
        d.engine.closeSession(into: &events)
        #expect(events.isEmpty && d.engine.clock == SessionOrderIdTests.close + SessionOrderIdTests.day)
        #expect(d.engine.rememberedOrderIds == 0)
    }

    @Test func unknownIdsInCancelsLeaveNothingBehind() {
        let d = Driver()
        for i in 0..<1_000 { #expect(d.cancel("ghost-\(i)") == ["ghost-\(i) REJECTED 0/0 UNKNOWN_ORDER"]) }
        #expect(d.engine.rememberedOrderIds == 0)
    }

    /// Memory follows one session's ids: each close frees the finished ones, and the next session reuses their room.
    @Test func memoryIsBoundedBySessionsOrders() throws {
        let d = Driver()
        var idBytes: [Int] = []
        var snapshots: [Int] = []
        for session in 0..<4 {
            let time = SessionOrderIdTests.close + Int64(session - 1) * SessionOrderIdTests.day + 60_000
            d.new("keep\(session)", .buy, 1, "140", at: time)  // rests across the closes
            for i in 0..<3_000 {  // pairs that trade away at once
                d.h.new("s\(session)-\(i)", i % 2 == 0 ? .buy : .sell, 1, "150", trader: "T\(i % 7)", at: time)
                d.engine.releaseForgottenOrderIds()
            }
            #expect(d.engine.rememberedOrderIds == 3_001 + session)  // this session's ids and the live ones from before
            d.tick(time + SessionOrderIdTests.day - 30_000)  // just past the next close
            #expect(d.engine.rememberedOrderIds == session + 1 && d.engine.openOrders == session + 1)
            idBytes.append(d.engine.memory().idBytes)
            snapshots.append(d.engine.snapshot().count)
        }
        // The same room each session, give or take where the id table was last resized.
        #expect(idBytes[3] <= idBytes[1] * 5 / 4 && idBytes[2] <= idBytes[1] * 5 / 4, "\(idBytes)")
        #expect(snapshots[3] <= snapshots[1] * 11 / 10, "\(snapshots)")
    }

    @Test func snapshotsKeepRememberedIdsExactly() throws {
        let d = Driver()
        for i in 0..<200 { d.new("o\(i)", i % 2 == 0 ? .buy : .sell, 1, i % 4 < 2 ? "160" : "140") }
        d.cancel("o3")
        let restored = try Engine(snapshot: d.engine.snapshot())
        #expect(restored.snapshot() == d.engine.snapshot())
        #expect(restored.rememberedOrderIds == d.engine.rememberedOrderIds)
        /// The new order's first report: its status and reason.
        func first(_ e: Engine, _ id: String, at time: Int64) -> String {
            var events: [EngineEvent] = []
            e.process(.new(NewOrder(
                order: e.orderHandle(id), trader: e.traderHandle("Z"), symbol: e.symbolHandle("AAPL"), side: .buy,
                price: Price(units: 150), quantity: 1, timeInForce: .immediateOrCancel, timestamp: time)), into: &events)
            e.releaseForgottenOrderIds()
            guard case .report(let report) = events.first else { return "none" }
            return "\(report.status.rawValue) \(report.reason?.code ?? "")"
        }
        let checks: [(String, Int64, String)] = [
            ("o0", 1, "REJECTED DUPLICATE_ORDER_ID"), ("o3", 1, "REJECTED DUPLICATE_ORDER_ID"),
            ("o199", 1, "REJECTED DUPLICATE_ORDER_ID"), ("n1", 1, "NEW "), ("n1", 2, "REJECTED DUPLICATE_ORDER_ID"),
            ("o3", SessionOrderIdTests.close, "NEW "), ("n1", SessionOrderIdTests.close + 1, "NEW "),
        ]
        for (id, time, expected) in checks {
            #expect(first(d.engine, id, at: time) == expected, "\(id)")
            #expect(first(restored, id, at: time) == expected, "\(id) restored")
        }
        #expect(restored.snapshot() == d.engine.snapshot())
    }

    /// A version 4 snapshot (the retention window's size and acceptance queue, string ids) written by hand: its
    /// accepted ids are remembered until the next session close.
    @Test func version4SnapshotsStillRestore() throws {
        var w = LegacySnapshotWriter()
        w.raw(Array("MESN".utf8))
        w.unsigned(4)  // version
        w.unsigned(0)  // self-trade prevention: none
        w.signed(21 * 3_600_000)  // session close
        w.unsigned(3)  // retained order ids (v2-v4 only)
        w.unsigned(0)  // string ids
        w.signed(1_700_000_000_000)  // clock
        w.unsigned(2)  // next trade number
        w.unsigned(3)  // accept sequence
        w.unsigned(1)  // one instrument
        for s in ["X", "X corp", "TEST"] { w.string(s) }
        w.signed(10_000)  // tick
        w.signed(1)  // lot
        w.signed(100_000_000)  // reference price
        w.unsigned(0)  // no band
        w.unsigned(1)  // trading
        w.signed(0)  // no maximum quantity
        w.signed(10_000)  // grid
        w.unsigned(1); w.string("X")  // symbols
        w.unsigned(1); w.string("A")  // traders
        w.unsigned(4)  // order-id slots: a (accepted), b (accepted, live), free, c (accepted)
        w.unsigned(2); w.string("a")
        w.unsigned(2); w.string("b")
        w.unsigned(0)
        w.unsigned(2); w.string("c")
        w.unsigned(3); w.unsigned(0); w.unsigned(1); w.unsigned(3)  // acceptance queue (v2-v4 only)
        w.signed(10_000)  // ladder base (ticks)
        w.unsigned(1)  // ladder levels
        w.unsigned(0)  // no last trade
        w.unsigned(1)  // one live order: b, buy 5 @ 100.00, GTC
        w.unsigned(1); w.unsigned(0); w.unsigned(0); w.unsigned(0); w.unsigned(0)
        w.signed(10_000); w.signed(5); w.signed(0); w.signed(Int64.max); w.unsigned(2)
        let restored = try Engine(snapshot: w.finished())
        #expect(restored.configuration == EngineConfiguration(selfTradePrevention: .none))
        #expect(restored.rememberedOrderIds == 3 && restored.openOrders == 1)
        #expect(restored.orderBook(restored.symbolHandle("X")).bids.map { restored.orderId($0.order) } == ["b"])
        func reason(_ id: String, at time: Int64) -> Reason? {
            var events: [EngineEvent] = []
            restored.process(.new(NewOrder(
                order: restored.orderHandle(id), trader: restored.traderHandle("A"), symbol: restored.symbolHandle("X"), side: .sell,
                price: Price(units: 200), quantity: 1, timeInForce: .immediateOrCancel, timestamp: time)), into: &events)
            restored.releaseForgottenOrderIds()
            guard case .report(let report) = events.first else { return .unknownOrder }
            return report.reason
        }
        for id in ["a", "b", "c"] { #expect(reason(id, at: 1_700_000_000_000) == .duplicateOrderId, "\(id)") }
        #expect(reason("d", at: 1_700_000_000_000) == nil)
        #expect(reason("a", at: SessionOrderIdTests.close) == nil)
        #expect(reason("b", at: SessionOrderIdTests.close) == .duplicateOrderId)  // still live
        // Written again as the current version, it restores to the same engine.
        #expect(try Engine(snapshot: restored.snapshot()).snapshot() == restored.snapshot())
    }
}

/// The snapshot encoding (LEB128 varints, zig-zag signed, length-prefixed strings, FNV-1a-64 trailer), for writing
/// snapshots of older format versions by hand.
struct LegacySnapshotWriter {
    var bytes: [UInt8] = []

    mutating func raw(_ b: [UInt8]) { bytes += b }

    mutating func unsigned(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func signed(_ value: Int64) { unsigned(UInt64(bitPattern: (value << 1) ^ (value >> 63))) }

    mutating func string(_ s: String) {
        unsigned(UInt64(s.utf8.count))
        bytes += Array(s.utf8)
    }

    func finished() -> [UInt8] {
        var checksum: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { checksum = (checksum ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return bytes + (0..<8).map { UInt8(truncatingIfNeeded: checksum >> (8 * UInt64($0))) }
    }
}
