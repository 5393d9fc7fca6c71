/// The C functions the challenge's harness loads from this library (`dlopen`), each a thin call into the one
/// `ChallengeSession`. The ABI is global and the harness calls it from one thread at a time (init, the messages,
/// the queries, shutdown), which is why the session is a plain global.
nonisolated(unsafe) var currentSession: ChallengeSession?

/// The ring the harness last created through `engine_get_transport`, so `engine_init` can push to it directly.
nonisolated(unsafe) var lastCreatedRing: ChallengeReportRing?

/// `engine_get_transport`'s table, at a fixed address for the life of the process.
nonisolated(unsafe) let ringTransportTable: UnsafeMutablePointer<ChallengeTransport> = {
    let table = UnsafeMutablePointer<ChallengeTransport>.allocate(capacity: 1)
    table.initialize(to: ChallengeRingTransport.table)
    return table
}()

/// Starts a session. `seed` is the harness's per-run nonce (the engine is deterministic and does not need it);
/// reports go to `transport.push(sink, report)`; `transport` points at a `ChallengeTransport`.
@_cdecl("engine_init")
public func engine_init(_ seed: UInt64, _ transport: UnsafeRawPointer?, _ sink: UnsafeMutableRawPointer?) {
    guard let push = transport?.load(as: ChallengeTransport.self).push else {
        currentSession = nil
        return
    }
    let ring = lastCreatedRing.flatMap { Unmanaged.passUnretained($0).toOpaque() == sink ? $0 : nil }
    currentSession = ChallengeSession(push: push, sink: sink, ring: ring)
}

/// The library's own report transport (`ChallengeReportRing`), which the harness then creates and drains.
@_cdecl("engine_get_transport")
public func engine_get_transport() -> UnsafeRawPointer? {
    UnsafeRawPointer(ringTransportTable)
}

@_cdecl("engine_shutdown")
public func engine_shutdown() {
    currentSession = nil
}

@_cdecl("engine_on_new_order")
public func engine_on_new_order(_ order: UnsafeRawPointer?) {
    guard let session = currentSession, let order else { return }
    session.newOrder(order)
}

@_cdecl("engine_on_cancel")
public func engine_on_cancel(_ cancel: UnsafeRawPointer?) {
    guard let session = currentSession, let cancel else { return }
    session.cancel(cancel)
}

@_cdecl("engine_on_modify")
public func engine_on_modify(_ modify: UnsafeRawPointer?) {
    guard let session = currentSession, let modify else { return }
    session.modify(modify)
}

/// `n` messages of `me_msg_t`, each handled completely, in order, as if delivered alone.
@_cdecl("engine_on_batch")
public func engine_on_batch(_ messages: UnsafeRawPointer?, _ n: UInt32) {
    guard let session = currentSession, let messages else { return }
    for i in 0..<Int(n) { session.message(messages + i * ChallengeMessage.stride) }
}

/// Called once per message before the timed run (`msgType` 0 new, 1 cancel, 2 modify): reserves room for ids only.
@_cdecl("engine_prebuild")
public func engine_prebuild(_ msgType: UInt8, _ message: UnsafeRawPointer?) {
    guard let session = currentSession, let message else { return }
    session.prepare(type: msgType, message)
}

/// The engine matches on the caller's thread and pushes every report before returning: nothing is pending.
@_cdecl("engine_flush")
public func engine_flush() {}

@_cdecl("engine_query_best_bid")
public func engine_query_best_bid() -> Int64 {
    currentSession?.bestBid() ?? .min
}

@_cdecl("engine_query_best_ask")
public func engine_query_best_ask() -> Int64 {
    currentSession?.bestAsk() ?? .max
}

@_cdecl("engine_query_depth_at")
public func engine_query_depth_at(_ priceTicks: Int64, _ side: UInt8) -> UInt64 {
    currentSession?.depth(atTicks: priceTicks, side: side) ?? 0
}
