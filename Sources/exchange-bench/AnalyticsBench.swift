import ArgumentParser
import Foundation
import StreamAnalytics

/// `exchange-bench analytics`: windowed analytics throughput and memory on synthetic trades.
///
/// Trades for `symbols` instruments arrive with increasing event times (`per-ms` trades per millisecond), prices
/// random-walk on a one-cent grid around the seed reference prices. The generator runs inside the timed loop (a
/// few nanoseconds per trade) so no trade array inflates the memory figures.
struct AnalyticsBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analytics",
        abstract: "Throughput (trades/s) and peak memory of the window aggregator, FINAL and CHANGES modes."
    )

    @Option(help: "Trades in the largest run; FINAL mode also runs at 20% and 50% of it to show memory stays flat.")
    var trades = 10_000_000
    @Option(help: "Number of symbols.") var symbols = 50
    @Option(name: .customLong("per-ms"), help: "Trades per millisecond of event time.") var perMillisecond = 3
    @Option(help: "Window size, ms.") var size: Int64 = 600_000
    @Option(help: "Window advance, ms.") var advance: Int64 = 300_000
    @Option(help: "Grace period, ms.") var grace: Int64 = AnalyticsConfiguration.defaultGrace
    @Option(help: "Trades in the CHANGES-mode run (every trade emits results and rankings).")
    var changesTrades = 10_000_000

    func run() throws {
        let window = try WindowSpec(size: size, advance: advance)
        print("analytics benchmark: \(symbols) symbols, \(perMillisecond) trades/ms, \(window), grace \(grace) ms, all aggregations")
        print("(wall = elapsed time; cpu = this process's CPU time, the fair figure on a shared machine;")
        print(" state = snapshot bytes mid-run; VmHWM = peak resident memory of the process so far)")
        print("(outputs: all aggregations and the ranking, except /sym = per-symbol results only)")
        print("mode         trades     wall s   trades/s     cpu s    trades/cpu-s outputs    state bytes VmHWM MiB VmRSS MiB")
        for fraction in [2, 5, 10] {
            try runOnce(mode: .final, outputs: .all, trades: trades * fraction / 10, window: window)
        }
        // The sma/profit stages' configuration: per-symbol results only, no cross-symbol ranking per trade.
        try runOnce(mode: .changes, outputs: [.symbolWindows], trades: changesTrades, window: window)
        // Everything: each trade also re-ranks all symbols in both of its windows (2 × 50-entry rankings).
        try runOnce(mode: .changes, outputs: .all, trades: changesTrades, window: window)
    }

    func runOnce(mode: EmitMode, outputs wanted: AnalyticsOutputs, trades count: Int, window: WindowSpec) throws {
        var aggregator = WindowAggregator(configuration: try AnalyticsConfiguration(
            window: window, grace: grace, emitMode: mode, outputs: wanted))
        let references: [Int64] = [160, 1165, 760, 3011, 395]
        var ids: [SymbolId] = []
        var prices: [Int64] = []
        for index in 0..<symbols {
            ids.append(try aggregator.intern(String(format: "SYM%03d", index)))
            prices.append(references[index % references.count] * 1_000_000)
        }
        let startTime: Int64 = 1_764_000_000_000  // 2025-11-24, an ordinary epoch-ms timestamp
        // Options are read once: ArgumentParser's property-wrapper getters are too slow for the timed loop.
        let perMs = Int64(perMillisecond)
        let symbolCount = UInt64(symbols)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var outputs = 0
        let clock = ContinuousClock()
        let began = clock.now
        let cpuBegan = Self.cpuSeconds()
        var liveStateBytes = 0
        for index in 0..<count {
            // xorshift64*: one random word gives symbol, price step and quantity.
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            let random = state &* 0x2545_F491_4F6C_DD1D
            let symbol = Int(random % symbolCount)
            let step = Int64((random >> 16) % 21) - 10  // −10…+10 cents
            let price = max(prices[symbol] + step * 10_000, 10_000)
            prices[symbol] = price
            let quantity = Int64((random >> 32) % 100) + 1
            let time = startTime + Int64(index) / perMs
            try aggregator.add(symbol: ids[symbol], price: price, quantity: quantity, time: time, seq: Int64(index))
            if !aggregator.pendingOutputs.isEmpty {
                aggregator.drainOutputs { _ in outputs += 1 }
            }
            if index == count / 2 { liveStateBytes = aggregator.snapshot().count }  // mid-run, windows open
        }
        let finalTime = startTime + Int64(count) / perMs + size + grace
        try aggregator.advance(to: finalTime)
        aggregator.drainOutputs { _ in outputs += 1 }
        let elapsed = clock.now - began
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let cpu = Self.cpuSeconds() - cpuBegan
        let memory = Self.memoryMiB()
        print(
            "\((String(describing: mode) + (wanted == .all ? "" : "/sym")).padding(toLength: 12, withPad: " ", startingAt: 0)) "
                + String(format: "%-10d %-8.3f %-12.0f %-8.3f %-12.0f %-10d %-11d %-9.1f %-9.1f",
                         count, seconds, Double(count) / seconds, cpu, Double(count) / cpu, outputs, liveStateBytes,
                         memory.hwm, memory.rss)
        )
    }

    /// CPU time of this process (all threads), seconds.
    static func cpuSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) * 1e-9
    }

    /// Peak (VmHWM) and current (VmRSS) resident memory of this process, from /proc/self/status.
    static func memoryMiB() -> (hwm: Double, rss: Double) {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return (0, 0) }
        func field(_ name: String) -> Double {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return 0 }
            let kib = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
            return kib / 1024
        }
        return (field("VmHWM"), field("VmRSS"))
    }
}
