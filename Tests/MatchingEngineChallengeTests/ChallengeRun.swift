import MatchingEngineChallenge

/// One challenge message as a test writes it.
enum TestMessage: CustomStringConvertible {
    case new(id: UInt64, seq: UInt64, price: Int64, quantity: UInt32, side: UInt8, ioc: Bool = false)
    case cancel(id: UInt64, seq: UInt64)
    case modify(id: UInt64, seq: UInt64, price: Int64, quantity: UInt32, side: UInt8)

    var description: String {
        switch self {
        case let .new(id, seq, price, quantity, side, ioc): "new #\(seq) id \(id) \(side == 0 ? "buy" : "sell") \(quantity)@\(price)\(ioc ? " IOC" : "")"
        case let .cancel(id, seq): "cancel #\(seq) id \(id)"
        case let .modify(id, seq, price, quantity, side): "modify #\(seq) id \(id) \(side == 0 ? "buy" : "sell") \(quantity)@\(price)"
        }
    }
}

/// Collects what the engine pushes into the transport (the sink is this object).
final class ReportCollector {
    var reports: [ChallengeReport] = []
}

/// Drives the exported C functions as the harness does: `engine_init` with a transport, messages, queries,
/// `engine_shutdown`.
final class ChallengeRun {
    let collector = ReportCollector()
    private let transport: UnsafeMutablePointer<ChallengeTransport>

    var reports: [ChallengeReport] {
        get { collector.reports }
        set { collector.reports = newValue }
    }

    /// `attached`: the engine was started by the caller (with another transport); this run only sends and queries.
    init(attached: Bool = false) {
        transport = .allocate(capacity: 1)
        transport.initialize(to: ChallengeTransport(
            create: nil,
            push: { sink, report in
                guard let sink, let report else { return 0 }
                Unmanaged<ReportCollector>.fromOpaque(sink).takeUnretainedValue().reports.append(report.load(as: ChallengeReport.self))
                return 1
            },
            drain: nil, flush: nil, destroy: nil))
        if !attached { engine_init(42, transport, Unmanaged.passUnretained(collector).toOpaque()) }
    }

    func finish() {
        engine_shutdown()
        transport.deallocate()
    }

    func send(_ message: TestMessage) {
        switch message {
        case let .new(id, seq, price, quantity, side, ioc):
            var m = ChallengeNewOrder(orderId: id, sequenceNumber: seq, priceTicks: price, quantity: quantity, side: side, ioc: ioc ? 1 : 0)
            engine_on_new_order(&m)
        case let .cancel(id, seq):
            var m = ChallengeCancel(orderId: id, sequenceNumber: seq)
            engine_on_cancel(&m)
        case let .modify(id, seq, price, quantity, side):
            var m = ChallengeModify(orderId: id, sequenceNumber: seq, newPriceTicks: price, newQuantity: quantity, side: side)
            engine_on_modify(&m)
        }
    }

    /// The messages as one `me_msg_t` array through `engine_on_batch`.
    func sendBatch(_ messages: [TestMessage]) {
        let stride = ChallengeMessage.stride
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: messages.count * stride, alignment: 8)
        defer { buffer.deallocate() }
        buffer.initializeMemory(as: UInt8.self, repeating: 0, count: messages.count * stride)
        for (i, message) in messages.enumerated() {
            let base = buffer + i * stride
            let payload = base + ChallengeMessage.payloadOffset
            switch message {
            case let .new(id, seq, price, quantity, side, ioc):
                base.storeBytes(of: 0 as UInt8, as: UInt8.self)
                payload.storeBytes(
                    of: ChallengeNewOrder(orderId: id, sequenceNumber: seq, priceTicks: price, quantity: quantity, side: side, ioc: ioc ? 1 : 0),
                    as: ChallengeNewOrder.self)
            case let .cancel(id, seq):
                base.storeBytes(of: 1 as UInt8, as: UInt8.self)
                payload.storeBytes(of: ChallengeCancel(orderId: id, sequenceNumber: seq), as: ChallengeCancel.self)
            case let .modify(id, seq, price, quantity, side):
                base.storeBytes(of: 2 as UInt8, as: UInt8.self)
                payload.storeBytes(
                    of: ChallengeModify(orderId: id, sequenceNumber: seq, newPriceTicks: price, newQuantity: quantity, side: side),
                    as: ChallengeModify.self)
            }
        }
        engine_on_batch(buffer, UInt32(messages.count))
    }

    /// `engine_prebuild` for each message, as the harness does before its clock starts.
    func prebuild(_ messages: [TestMessage]) {
        for message in messages {
            switch message {
            case let .new(id, seq, price, quantity, side, ioc):
                var m = ChallengeNewOrder(orderId: id, sequenceNumber: seq, priceTicks: price, quantity: quantity, side: side, ioc: ioc ? 1 : 0)
                engine_prebuild(0, &m)
            case let .cancel(id, seq):
                var m = ChallengeCancel(orderId: id, sequenceNumber: seq)
                engine_prebuild(1, &m)
            case let .modify(id, seq, price, quantity, side):
                var m = ChallengeModify(orderId: id, sequenceNumber: seq, newPriceTicks: price, newQuantity: quantity, side: side)
                engine_prebuild(2, &m)
            }
        }
    }

    var bestBid: Int64 { engine_query_best_bid() }
    var bestAsk: Int64 { engine_query_best_ask() }
    func depth(_ price: Int64, _ side: UInt8) -> UInt64 { engine_query_depth_at(price, side) }

    /// The reports in the challenge's canonical line format (its METHODOLOGY), in the order pushed.
    var lines: [String] { reports.map(ChallengeRun.line) }

    static func line(_ r: ChallengeReport) -> String {
        switch r.type {
        case 0: "0,\(r.sequenceNumber),\(r.side),\(r.orderId),\(r.priceTicks),\(r.quantity)"
        case 1: "1,\(r.sequenceNumber),\(r.priceTicks),\(r.quantity),\(r.makerOrderId),\(r.takerOrderId)"
        case 2: "2,\(r.sequenceNumber),\(r.side),\(r.orderId),\(r.priceTicks)"
        case 3: "3,\(r.sequenceNumber),\(r.side),\(r.orderId),\(r.priceTicks),\(r.quantity)"
        case 4: "4,\(r.sequenceNumber),\(r.orderId)"
        case 5: "5,\(r.sequenceNumber),\(r.orderId)"
        default: "?\(r.type)"
        }
    }

    /// The reports of `messages` sent one by one to a fresh engine through the collecting transport.
    static func reports(of messages: [TestMessage]) -> [ChallengeReport] {
        let run = ChallengeRun()
        defer { run.finish() }
        for message in messages { run.send(message) }
        return run.reports
    }

    /// Orders around a drifting mid with crossing prices, 15 % IOC, and cancels and modifies of earlier ids (some
    /// already gone), from a fixed 64-bit LCG. As in the challenge's workload, a modify raises the quantity above the
    /// order's original one (a change the engine never lets keep time priority) and may move the price a tick; an order
    /// is modified at most once (later ones are cancels).
    static func randomWorkload(seed: UInt64, count: Int) -> [TestMessage] {
        var state = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        var messages: [TestMessage] = []
        var issued: [(id: UInt64, side: UInt8, price: Int64, quantity: UInt32)] = []
        var modified: Set<UInt64> = []
        var mid: Int64 = 1_000
        for seq in 0..<UInt64(count) {
            mid += Int64(next(3)) - 1
            let roll = next(100)
            if roll < 55 || issued.isEmpty {
                let side = UInt8(next(2))
                let price = mid + Int64(next(9)) - 4
                let id = UInt64(issued.count + 1)
                let quantity = UInt32(1 + next(20))
                messages.append(.new(id: id, seq: seq, price: price, quantity: quantity, side: side, ioc: next(100) < 15))
                issued.append((id, side, price, quantity))
            } else {
                let target = issued[issued.count - 1 - next(min(issued.count, 40))]
                if roll < 85 || modified.contains(target.id) {
                    messages.append(.cancel(id: target.id, seq: seq))
                } else {
                    modified.insert(target.id)
                    messages.append(.modify(
                        id: target.id, seq: seq, price: target.price + Int64(next(3)) - 1, quantity: target.quantity + UInt32(1 + next(3)),
                        side: target.side))
                }
            }
        }
        return messages
    }
}

/// A plain price-time matcher over arrays with the challenge's rules (no self-trade prevention; modify = cancel and
/// reinsert with the new quantity open): the reports each message should give.
struct ReferenceMatcher {
    private struct Resting {
        var id: UInt64
        var side: UInt8
        var price: Int64
        var open: Int64
        var time: Int
    }

    private var book: [Resting] = []
    private var time = 0

    var bestBid: Int64 { book.filter { $0.side == 0 }.map(\.price).max() ?? .min }
    var bestAsk: Int64 { book.filter { $0.side == 1 }.map(\.price).min() ?? .max }

    func depth(_ price: Int64, side: UInt8) -> UInt64 {
        UInt64(book.filter { $0.side == side && $0.price == price }.reduce(0) { $0 + $1.open })
    }

    mutating func apply(_ message: TestMessage) -> [String] {
        switch message {
        case let .new(id, seq, price, quantity, side, ioc):
            var lines = ["0,\(seq),\(side),\(id),\(price),\(quantity)"]
            let open = match(id: id, side: side, price: price, quantity: Int64(quantity), seq: seq, into: &lines)
            if open > 0 {
                if ioc { lines.append("2,\(seq),\(side),\(id),\(price)") } else { rest(id, side, price, open) }
            }
            return lines
        case let .cancel(id, seq):
            guard let i = book.firstIndex(where: { $0.id == id }) else { return ["4,\(seq),\(id)"] }
            let order = book.remove(at: i)
            return ["2,\(seq),\(order.side),\(id),\(order.price)"]
        case let .modify(id, seq, price, quantity, side):
            guard let i = book.firstIndex(where: { $0.id == id }) else { return ["5,\(seq),\(id)"] }
            book.remove(at: i)
            var lines = ["3,\(seq),\(side),\(id),\(price),\(quantity)"]
            let open = match(id: id, side: side, price: price, quantity: Int64(quantity), seq: seq, into: &lines)
            if open > 0 { rest(id, side, price, open) }
            return lines
        }
    }

    private mutating func rest(_ id: UInt64, _ side: UInt8, _ price: Int64, _ open: Int64) {
        time += 1
        book.append(Resting(id: id, side: side, price: price, open: open, time: time))
    }

    /// Fills against the best resting orders of the other side; returns what is left open.
    private mutating func match(id: UInt64, side: UInt8, price: Int64, quantity: Int64, seq: UInt64, into lines: inout [String]) -> Int64 {
        var open = quantity
        while open > 0 {
            let candidates = book.indices.filter { i in
                book[i].side != side && (side == 0 ? book[i].price <= price : book[i].price >= price)
            }
            guard let best = candidates.min(by: { a, b in
                let x = book[a], y = book[b]
                if x.price != y.price { return side == 0 ? x.price < y.price : x.price > y.price }
                return x.time < y.time
            }) else { break }
            let fill = min(open, book[best].open)
            lines.append("1,\(seq),\(book[best].price),\(fill),\(book[best].id),\(id)")
            open -= fill
            book[best].open -= fill
            if book[best].open == 0 { book.remove(at: best) }
        }
        return open
    }
}
