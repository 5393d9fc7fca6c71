import ExchangeRecords
import ExchangeRecordsReference
import Foundation
import PropertyBased
import Testing

/// The byte-level codecs agree with Foundation's JSONEncoder/JSONDecoder on random records, and reject every
/// corrupted document Foundation rejects.
@Suite struct FoundationEquivalenceTests {
    /// Checks one record: ours → Foundation, Foundation → ours, determinism, and random corruptions.
    /// `foreignForms`: the record type reads other producers' forms (`incoming_orders`: any-case enums, quoted
    /// numbers, unknown fields), so a corrupted document it accepts need only be JSON, not what Foundation's twin
    /// reads; the strict reading of the same fields is checked through the split topics' records.
    func check<Twin: FoundationTwin, G: RandomNumberGenerator>(
        _ record: Twin.Record, _ twin: Twin.Type, foreignForms: Bool = false, rng: inout G
    ) throws {
        let ours = record.encoded()
        #expect(record.encoded() == ours, "encoding is deterministic")
        let decodedByFoundation = try JSONDecoder().decode(Twin.self, from: Data(ours))
        #expect(decodedByFoundation == Twin(record), "Foundation reads our bytes as the same record: \(record.jsonString)")

        let foundationBytes = try JSONEncoder().encode(Twin(record))
        let decodedByUs = try Twin.Record.decode(json: [UInt8](foundationBytes))
        #expect(decodedByUs == record, "we read Foundation's bytes as the same record")
        #expect(try Twin.Record.decode(json: ours) == record, "round trip")

        for _ in 0..<8 {
            let corrupted = Corruption.apply(to: ours, &rng)
            let foundation = try? JSONDecoder().decode(Twin.self, from: Data(corrupted))
            let mine = try? Twin.Record.decode(json: corrupted)
            if mine != nil, foreignForms {
                #expect((try? JSONSerialization.jsonObject(with: Data(corrupted))) != nil, "accepted invalid JSON: \(String(decoding: corrupted, as: UTF8.self))")
            } else if let mine {
                #expect(foundation != nil, "accepted what Foundation rejects: \(String(decoding: corrupted, as: UTF8.self))")
                if let foundation {
                    #expect(Twin(mine) == foundation, "disagree on \(String(decoding: corrupted, as: UTF8.self))")
                }
            }
        }
    }

    func property<Twin: FoundationTwin>(
        _ twin: Twin.Type, foreignForms: Bool = false, _ make: @escaping @Sendable (inout any SeededRandomNumberGenerator) -> Twin.Record
    ) async {
        let input = Generator(run: { (rng: inout any SeededRandomNumberGenerator) in (make(&rng), rng.next()) })
        await propertyCheck(count: 300, input: input) { pair in
            var g = SplitMix64(seed: pair.1)
            try check(pair.0, twin, foreignForms: foreignForms, rng: &g)
        }
    }

    @Test func incomingOrders() async { await property(RefOrder.self, foreignForms: true) { RandomRecords.incoming(&$0) } }
    @Test func sequencedOrders() async { await property(RefSequenced.self) { RandomRecords.sequenced(&$0) } }
    @Test func matchedTrades() async { await property(RefTrade.self) { RandomRecords.trade(&$0) } }
    @Test func executionReports() async { await property(RefReport.self) { RandomRecords.report(&$0) } }
    @Test func movingAverages() async { await property(RefSMA.self) { RandomRecords.sma(&$0) } }
    @Test func stockProfits() async { await property(RefProfit.self) { RandomRecords.profit(&$0) } }
    @Test func topProfits() async { await property(RefTop.self) { RandomRecords.top(&$0) } }
    @Test func instruments() async { await property(RefInstrument.self) { RandomRecords.instrument(&$0) } }
    @Test func deadLetters() async { await property(RefDeadLetter.self) { RandomRecords.deadLetter(&$0) } }
}

/// Small random damage to a valid document: JSON-significant bytes removed, inserted or swapped, truncation,
/// invalid UTF-8.
enum Corruption {
    static let interesting: [UInt8] = Array("{}[]\",:\\ 0123456789.eE+-ntfu\u{7F}".utf8) + [0x00, 0x1F, 0x80, 0xC3, 0xFF, 0xED]

    static func apply<G: RandomNumberGenerator>(to bytes: [UInt8], _ g: inout G) -> [UInt8] {
        var b = bytes
        guard !b.isEmpty else { return b }
        let i = Int.random(in: 0..<b.count, using: &g)
        switch Int.random(in: 0..<5, using: &g) {
        case 0: b.remove(at: i)
        case 1: b.insert(interesting.randomElement(using: &g) ?? 0, at: i)
        case 2: b[i] = interesting.randomElement(using: &g) ?? 0
        case 3: b.removeLast(Int.random(in: 1...b.count, using: &g))
        default:
            let j = Int.random(in: 0..<b.count, using: &g)
            b.swapAt(i, j)
        }
        return b
    }
}

