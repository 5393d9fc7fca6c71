import ArgumentParser
import ExchangeTestSupport
import MatchingEngine

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `exchange-bench engine`: (a) the fixed stream of issue 3 (orders/s, trades, FNV hash), (b) a mixed
/// exchange-core style workload (ops/s), (c) per-command latency percentiles of (b).
///
/// Commands are built (ids interned, handles resolved) before the clock starts, so parsing and
/// interning are not timed; the timed loop is the real `Engine.process` path with a reusable event
/// buffer that is cleared per command and scanned for trades, as a consumer would. Interning cost is
/// printed separately, and a string-id run (intern per command inside the timed loop) is shown too.
struct EngineBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine", abstract: "Matching engine throughput and latency (run with -c release).")

    @Option(help: "Order counts for the fixed stream.")
    var orders: [Int] = [1_000_000, 5_000_000]

    @Option(help: "Operations in the mixed workload.")
    var mixedOperations = 3_000_000

    @Option(help: "Timed repetitions per figure (the best is printed).")
    var repeats = 3

    func validate() throws {
        guard orders.allSatisfy({ $0 > 0 }) else { throw ValidationError("--orders takes counts of at least 1") }
        guard mixedOperations >= 0 else { throw ValidationError("--mixed-operations must be at least 0 (0 skips the mixed workload)") }
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
    }

    func run() throws {
        #if DEBUG
        say("warning: debug build; run with `swift run -c release exchange-bench engine`")
        #endif
        for count in orders { fixedStream(count: count) }
        mixedWorkload()
    }

    // MARK: (a) fixed stream

    /// What a stage pays for each snapshot: the matcher writes one every snapshot interval, on its processing path.
    func snapshotFigures(_ engine: Engine) {
        var bytes: [UInt8] = []
        var bestWrite = Double.infinity
        for _ in 0..<repeats {
            let start = now()
            bytes = engine.snapshot()
            bestWrite = min(bestWrite, now() - start)
        }
        var bestRestore = Double.infinity
        for _ in 0..<repeats {
            let start = now()
            guard (try? Engine(snapshot: bytes)) != nil else { return say("  snapshot does not restore") }
            bestRestore = min(bestRestore, now() - start)
        }
        say("  snapshot after the run (\(engine.openOrders) open orders, \(engine.rememberedOrderIds) remembered ids): \(bytes.count) bytes, written in \(ms(bestWrite)) ms, restored in \(ms(bestRestore)) ms")
    }

    func fixedStream(count: Int) {
        let stream = ReferenceOrder.stream(count: count)
        var best = Double.infinity
        var rounds: [Double] = []
        var trades = 0
        var internSeconds = 0.0
        var lastEngine: Engine?
        for _ in 0..<repeats {
            // Each round starts with the memory of the one before given back, so every round runs alike.
            lastEngine = nil
            let engine = Engine(
                instruments: [ReferenceOrder.instrument], configuration: EngineConfiguration(selfTradePrevention: .none),
                expectedOrders: 1 << 16)
            engine.reserveOrderIds(count)
            let symbol = engine.symbolHandle(ReferenceOrder.instrument.symbol)
            let internStart = now()
            var commands: [Command] = []
            commands.reserveCapacity(count)
            for order in stream {
                commands.append(.new(NewOrder(
                    order: engine.orderHandle(String(order.index)), trader: engine.traderHandle("t\(order.index)"),
                    symbol: symbol, side: order.side, price: Price(units: order.priceUnits), quantity: order.quantity,
                    timestamp: 0)))
            }
            internSeconds = now() - internStart
            var events: [EngineEvent] = []
            events.reserveCapacity(1024)
            var tradeCount = 0
            let start = now()
            for command in commands {
                events.removeAll(keepingCapacity: true)
                engine.process(command, into: &events)
                for event in events { if case .trade = event { tradeCount += 1 } }
            }
            let seconds = now() - start
            best = min(best, seconds)
            rounds.append(seconds)
            trades = tradeCount
            engine.releaseForgottenOrderIds()
            lastEngine = engine
        }
        let hash = fixedStreamHash(stream)
        say("fixed stream \(count) orders: \(rate(Double(count) / best)) orders/s (best of \(repeats), \(ms(best)) ms), trades \(trades), fnv \(hash.hex)")
        let slowest = rounds.max() ?? best
        say("  rounds: \(rounds.map { rate(Double(count) / $0) }.joined(separator: ", ")) orders/s (slowest \(Int(((slowest / best - 1) * 100).rounded())) % behind the best)")
        say("  interning \(count) order ids + trader ids before the run: \(ms(internSeconds)) ms (\(rate(Double(count) / internSeconds)) orders/s)")
        let stringSeconds = fixedStreamWithStringIds(stream)
        say("  string ids interned inside the timed loop: \(rate(Double(count) / stringSeconds)) orders/s (\(ms(stringSeconds)) ms)")
        if let lastEngine {
            snapshotFigures(lastEngine)
            memoryFigures(lastEngine)
        }
    }

    /// The engine's own storage after the run: per resting order (its pool, sized by the most that rested at once) and
    /// per remembered id (states, interned strings and their table). All ids accepted in the run are remembered: it is
    /// one trading session.
    func memoryFigures(_ engine: Engine) {
        let m = engine.memory()
        let perOrder = m.openOrders == 0 ? 0 : Double(m.orderBytes) / Double(m.openOrders)
        say("  memory: \(m.openOrders) resting orders, \(m.orderSlots) slots of \(EngineMemory.bytesPerOrderSlot) bytes = \(Int(perOrder.rounded())) bytes per resting order; \(m.rememberedIds) remembered ids, \(m.idBytes) bytes = \(Int(m.bytesPerRememberedId.rounded())) bytes per id; a resting order with its id \(Int((perOrder + m.bytesPerRememberedId).rounded())) bytes; price levels \(m.levelBytes) bytes")
    }

    /// Untimed verification pass: FNV-1a-64 of (incoming index, resting index, price, quantity) per fill.
    func fixedStreamHash(_ stream: [ReferenceOrder]) -> FNV1a64 {
        let engine = Engine(instruments: [ReferenceOrder.instrument], configuration: EngineConfiguration(selfTradePrevention: .none))
        let symbol = engine.symbolHandle(ReferenceOrder.instrument.symbol)
        var hash = FNV1a64()
        var events: [EngineEvent] = []
        for order in stream {
            events.removeAll(keepingCapacity: true)
            engine.process(.new(NewOrder(
                order: engine.orderHandle(String(order.index)), trader: engine.traderHandle("t\(order.index)"), symbol: symbol,
                side: order.side, price: Price(units: order.priceUnits), quantity: order.quantity, timestamp: 0)), into: &events)
            for case .trade(let trade) in events {
                hash.combine(UInt64(order.index))
                hash.combine(UInt64((trade.aggressor == .buy ? trade.sellOrder : trade.buyOrder).rawValue))
                hash.combine(UInt64(trade.price.micros / Price.microsPerUnit))
                hash.combine(UInt64(trade.quantity))
            }
        }
        return hash
    }

    /// The same stream with string ids (pre-formatted) interned per command inside the timed loop.
    func fixedStreamWithStringIds(_ stream: [ReferenceOrder]) -> Double {
        let orderIds = stream.map { "o-\($0.index)" }
        let traderIds = stream.map { "t-\($0.index)" }
        let engine = Engine(
            instruments: [ReferenceOrder.instrument], configuration: EngineConfiguration(selfTradePrevention: .none),
            expectedOrders: 1 << 16)
        engine.reserveOrderIds(stream.count)
        let symbol = engine.symbolHandle(ReferenceOrder.instrument.symbol)
        var events: [EngineEvent] = []
        events.reserveCapacity(1024)
        var trades = 0
        let start = now()
        for (i, order) in stream.enumerated() {
            events.removeAll(keepingCapacity: true)
            engine.process(.new(NewOrder(
                order: engine.orderHandle(orderIds[i]), trader: engine.traderHandle(traderIds[i]), symbol: symbol,
                side: order.side, price: Price(units: order.priceUnits), quantity: order.quantity, timestamp: 0)), into: &events)
            for event in events { if case .trade = event { trades += 1 } }
        }
        let seconds = now() - start
        precondition(trades > 0)
        return seconds
    }

    // MARK: (b) + (c) mixed workload

    func mixedWorkload() {
        guard mixedOperations > 0 else { return say("mixed workload: skipped (--mixed-operations 0)") }
        let (commands, mix, instruments, ids) = MixedWorkload.generate(operations: mixedOperations, seed: 7)
        say("mixed workload: \(commands.count) operations (\(mix)), ~1,000 resting orders, 100 traders, cancel-incoming STP")
        var best = Double.infinity
        var eventCount = 0
        for _ in 0..<repeats {
            let engine = MixedWorkload.engine(instruments, ids: ids)
            var events: [EngineEvent] = []
            events.reserveCapacity(1024)
            var counted = 0
            let start = now()
            for command in commands {
                events.removeAll(keepingCapacity: true)
                engine.process(command, into: &events)
                counted &+= events.count
            }
            best = min(best, now() - start)
            eventCount = counted
        }
        say("  throughput: \(rate(Double(commands.count) / best)) ops/s (best of \(repeats), \(ms(best)) ms, \(eventCount) events)")

        // Latency: time each command separately (clock overhead included in every sample).
        let engine = MixedWorkload.engine(instruments, ids: ids)
        var events: [EngineEvent] = []
        events.reserveCapacity(1024)
        var samples = [Int64](repeating: 0, count: commands.count)
        var overhead = [Int64](repeating: 0, count: 10_000)
        for i in 0..<overhead.count {
            let a = nanos()
            overhead[i] = nanos() - a
        }
        for (i, command) in commands.enumerated() {
            events.removeAll(keepingCapacity: true)
            let a = nanos()
            engine.process(command, into: &events)
            samples[i] = nanos() - a
        }
        samples.sort()
        overhead.sort()
        func pct(_ p: Double, _ s: [Int64]) -> Int64 { s[min(s.count - 1, Int(Double(s.count) * p))] }
        say("  latency per command (ns, incl. ~\(pct(0.5, overhead)) ns clock read): p50 \(pct(0.5, samples)), p90 \(pct(0.9, samples)), p99 \(pct(0.99, samples)), p99.9 \(pct(0.999, samples)), p99.99 \(pct(0.9999, samples)), max \(samples.last ?? 0)")
    }

    // MARK: helpers

    /// Prints and flushes, so figures appear as they are measured.
    func say(_ line: String) {
        print(line)
        fflush(nil)
    }

    /// Thread CPU time: the machine running these benchmarks is shared, so wall time would count
    /// the time other processes held the core. Latency samples use the monotonic clock.
    func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    @inline(__always)
    func nanos() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    func rate(_ perSecond: Double) -> String {
        let whole = Int(perSecond.rounded())
        var digits = String(whole)
        var groups: [String] = []
        while digits.count > 3 {
            groups.insert(String(digits.suffix(3)), at: 0)
            digits.removeLast(3)
        }
        groups.insert(digits, at: 0)
        return groups.joined(separator: ",")
    }

    func ms(_ seconds: Double) -> String { String(Int((seconds * 1000).rounded())) }
}

/// A mixed workload in the style of exchange-core's benchmark: one instrument, about 1,000 resting
/// orders spread over a few hundred price levels around a drifting mid; new GTC limits (some
/// marketable), IOC orders that cross, cancels and price modifies of live orders.
enum MixedWorkload {
    /// A fresh engine with the workload's ids interned in the generator's order, so the handles in the
    /// pre-built commands mean the same strings.
    static func engine(_ instruments: [Instrument], ids: Int = 0) -> Engine {
        let engine = Engine(instruments: instruments, configuration: EngineConfiguration(selfTradePrevention: .cancelIncoming), expectedOrders: 1 << 14)
        engine.reserveOrderIds(ids)
        for i in 0..<100 { _ = engine.traderHandle("trader-\(i)") }
        for i in 0..<ids { _ = engine.orderHandle("m-\(i)") }
        return engine
    }

    /// Builds the command list by running a generator engine, so cancels and modifies target live orders.
    static func generate(operations: Int, seed: UInt32) -> ([Command], String, [Instrument], Int) {
        let instrument = Instrument(
            symbol: "MIX", name: "Mixed", exchange: "BENCH", tickSize: Price(micros: 10_000), lotSize: 1,
            referencePrice: Price(units: 100), priceBand: PriceBand(lower: Price(units: 50), upper: Price(units: 150)))
        let generator = engine([instrument])
        var random = GlibcRandom(seed: seed)
        let symbol = generator.symbolHandle("MIX")
        let traders = (0..<100).map { generator.traderHandle("trader-\($0)") }
        var live: [OrderHandle] = []
        var position: [UInt32: Int] = [:]
        var owner: [UInt32: TraderHandle] = [:]
        var commands: [Command] = []
        commands.reserveCapacity(operations)
        var events: [EngineEvent] = []
        var counts = [0, 0, 0, 0]
        let mid: Int64 = 10_000  // ticks of 0.01 → 100.00
        var nextId = 0
        for _ in 0..<operations {
            let r = Int(random.next() % 100)
            let trader = traders[Int(random.next() % 100)]
            let command: Command
            if live.count > 0 && (r < 25 || (live.count > 1_100 && r < 50)) {
                let target = live[Int(random.next()) % live.count]
                counts[2] += 1
                command = .cancel(CancelOrder(order: target, trader: owner[target.rawValue] ?? trader, symbol: symbol, timestamp: 0))
            } else if live.count > 0 && r < 45 {
                let target = live[Int(random.next()) % live.count]
                let resting = generator.openOrder(target)
                let side = resting?.side ?? .buy
                let offset = Int64(random.next() % 150) + 1
                let price = side == .buy ? mid - offset : mid + offset
                counts[3] += 1
                command = .modify(ModifyOrder(
                    order: target, trader: owner[target.rawValue] ?? trader, symbol: symbol, price: Price(micros: price * 10_000),
                    timestamp: 0))
            } else {
                let side: Side = random.next() % 2 == 0 ? .buy : .sell
                let ioc = r >= 90
                // Mostly passive (1..150 ticks away), some marketable (up to 5 ticks through the mid).
                let offset = ioc ? -Int64(random.next() % 5) : Int64(random.next() % 155) - 4
                let price = side == .buy ? mid - offset : mid + offset
                let handle = generator.orderHandle("m-\(nextId)")
                nextId += 1
                owner[handle.rawValue] = trader
                counts[ioc ? 1 : 0] += 1
                command = .new(NewOrder(
                    order: handle, trader: trader, symbol: symbol, side: side, price: Price(micros: price * 10_000),
                    quantity: Int64(random.next() % 10 + 1) * 10, timeInForce: ioc ? .immediateOrCancel : .goodTillCanceled, timestamp: 0))
            }
            events.removeAll(keepingCapacity: true)
            generator.process(command, into: &events)
            for case .report(let report) in events {
                let key = report.order.rawValue
                switch report.status {
                case .new where report.timeInForce == .goodTillCanceled:
                    position[key] = live.count
                    live.append(report.order)
                case .filled, .canceled, .expired:
                    if let at = position.removeValue(forKey: key) {
                        let last = live.removeLast()
                        if at < live.count {
                            live[at] = last
                            position[last.rawValue] = at
                        }
                    }
                default:
                    break
                }
            }
            commands.append(command)
        }
        let mix = "new GTC \(counts[0]), IOC \(counts[1]), cancel \(counts[2]), modify \(counts[3])"
        return (commands, mix, [instrument], nextId)
    }
}
