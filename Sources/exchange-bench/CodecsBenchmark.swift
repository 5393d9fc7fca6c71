import ArgumentParser
import ExchangeRecords
import ExchangeRecordsReference
import Foundation

/// `exchange-bench codecs`: the byte-level record codecs against Foundation's JSONDecoder/JSONEncoder on the
/// same records, one core, records per second.
struct CodecsBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codecs",
        abstract: "Record codecs vs Foundation JSONDecoder/JSONEncoder (records/s on one core)."
    )

    @Option(help: "Records per type.")
    var count = 200_000

    @Option(help: "Timed rounds per measurement; the best is reported.")
    var rounds = 3

    @Flag(help: "Measure only our codecs (e.g. for profiling).")
    var skipFoundation = false

    func run() throws {
        var g = SplitMix64(seed: 42)
        print("records per type: \(count), best of \(rounds) rounds, one thread, rates per CPU-second of that thread")
        print(pad("record", 26) + pad("op", 8) + lpad("ours rec/s", 14) + lpad("Foundation rec/s", 18) + lpad("ratio", 9)
            + lpad("bytes", 7))
        let n = count
        try compare("new order", RefOrder.self, (0..<n).map { RandomRecords.typicalNewOrder(&g, number: $0) })
        try compare(
            "split order (seq)", RefSequenced.self,
            (0..<n).map {
                SequencedOrder(seq: Int64($0 + 1), sourceOffset: Int64($0), order: RandomRecords.typicalNewOrder(&g, number: $0))
            })
        try compare("matched trade", RefTrade.self, (0..<n).map { RandomRecords.typicalTrade(&g, number: $0) })
        try compare("execution report", RefReport.self, (0..<n).map { RandomRecords.typicalReport(&g, number: $0) })
        try compare("random order (unicode)", RefOrder.self, (0..<n).map { _ in RandomRecords.incoming(&g) })
    }

    private func compare<Twin: FoundationTwin>(_ name: String, _ twin: Twin.Type, _ records: [Twin.Record]) throws {
        let payloads = records.map { $0.encoded() }
        let datas = payloads.map { Data($0) }
        let twins = records.map(Twin.init)
        let averageBytes = payloads.reduce(0) { $0 + $1.count } / max(payloads.count, 1)
        var sink = 0

        let oursDecode = try best {
            for payload in payloads { sink &+= try Twin.Record.decode(json: payload) == records[0] ? 1 : 0 }
        }
        let decoder = JSONDecoder()
        let foundationDecode = skipFoundation ? .nan : try best {
            for data in datas { sink &+= try decoder.decode(Twin.self, from: data) == twins[0] ? 1 : 0 }
        }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1024)
        let oursEncode = try best {
            for record in records {
                buffer.removeAll(keepingCapacity: true)
                record.encode(into: &buffer)
                sink &+= buffer.count
            }
        }
        let encoder = JSONEncoder()
        let foundationEncode = skipFoundation ? .nan : try best {
            for t in twins { sink &+= try encoder.encode(t).count }
        }
        for (op, ours, theirs) in [("decode", oursDecode, foundationDecode), ("encode", oursEncode, foundationEncode)] {
            let oursRate = Double(records.count) / ours
            let theirRate = Double(records.count) / theirs
            print(
                pad(name, 26) + pad(op, 8) + lpad(grouped(oursRate), 14) + lpad(grouped(theirRate), 18)
                    + lpad(theirRate.isFinite ? String(format: "%.1fx", oursRate / theirRate) : "-", 9) + lpad("\(averageBytes)", 7))
        }
        if sink == 42 { print("") }  // keeps the work observable
    }

    /// Thread CPU seconds of the fastest of `rounds` runs (CPU time, so other processes on a shared machine do
    /// not distort the per-core rate).
    private func best(_ body: () throws -> Void) throws -> Double {
        var fastest = Double.infinity
        for _ in 0..<max(rounds, 1) {
            let start = threadCPUSeconds()
            try body()
            fastest = min(fastest, threadCPUSeconds() - start)
        }
        return fastest
    }

    private func threadCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    private func grouped(_ rate: Double) -> String {
        guard rate.isFinite else { return "-" }
        let digits = String(Int(rate.rounded()))
        var out = ""
        for (i, c) in digits.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return String(out.reversed())
    }

    private func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
    }

    private func lpad(_ s: String, _ width: Int) -> String {
        s.count >= width ? " " + s : String(repeating: " ", count: width - s.count) + s
    }
}
