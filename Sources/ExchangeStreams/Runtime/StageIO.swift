/// What a stage runner needs from a log: a group consumer that can be pointed at exact offsets, a producer that
/// reports when everything sent is acknowledged, and a way to read a changelog partition. Kafka implements these
/// (`KafkaStageIO`); tests can implement them in memory.

/// An event from a group consumer, in the order it happened.
public enum ConsumerEvent: Sendable {
    /// The group gave this member these partitions. Nothing is fetched for them until `read(from:)` names them.
    case assigned([TopicPartition])
    /// The group took these partitions away (or they were lost).
    case revoked([TopicPartition])
    case records([InputRecord])
}

public protocol StageConsumer: AnyObject {
    /// Joins the stage's group on these topics.
    func subscribe(_ topics: [String]) async throws
    /// Waits up to `maxWaitMilliseconds` for events; returns whatever arrived (possibly nothing).
    func poll(maxWaitMilliseconds: Int) async throws -> [ConsumerEvent]
    /// Starts fetching assigned partitions at exact offsets (`nil` = the earliest offset in the log). A resumed
    /// position that is no longer in the log must surface as an error from `poll`, never as a jump.
    func read(from positions: [TopicPartition: Int64?]) async throws
    /// Commits group offsets. Monitoring only: recovery trusts the changelog snapshots.
    func commit(_ offsets: [TopicPartition: Int64]) async throws
    /// Leaves the group.
    func close() async
    /// The end of these partitions' logs as last seen by the fetcher (no request; missing when unknown yet).
    func cachedEndOffsets(_ partitions: [TopicPartition]) -> [TopicPartition: Int64]
    /// Makes a `poll` that is waiting for input return at once (callable from any thread).
    var wakeUp: @Sendable () -> Void { get }
}

public protocol StageProducer: AnyObject {
    /// Queues records (in order per partition; may wait for queue space).
    func send(_ records: [OutputRecord]) async throws
    /// Waits until every record sent so far is acknowledged by the broker; throws if any delivery failed.
    func flush() async throws
    /// Marks the records sent so far.
    func mark() -> OutputMark
    /// Whether every record sent before `mark` is acknowledged; throws if any of them failed.
    func isAcknowledged(_ mark: OutputMark) throws -> Bool
    /// Waits until every record sent before `mark` is acknowledged; throws if any of them failed.
    func waitUntilAcknowledged(_ mark: OutputMark) async throws
    /// Calls `action` (on any thread) once `mark` is acknowledged or has failed.
    func whenAcknowledged(_ mark: OutputMark, _ action: @escaping @Sendable () -> Void)
}

/// Transactions around a stage's outputs (transactional mode): everything sent between `begin` and `commit` becomes
/// visible to `read_committed` readers at once, together with the input offsets, or not at all.
public protocol StageTransactions: AnyObject {
    func begin() throws
    /// Adds the input positions to the transaction and commits it (waits until every record in it is acknowledged).
    func commit(offsets: [TopicPartition: Int64]) async throws
    func abort() async
}

/// A point in a producer's output stream: the records sent before it.
public struct OutputMark: Sendable, Hashable {
    public var position: UInt64
    public init(position: UInt64) { self.position = position }
}

public protocol ChangelogSource: AnyObject {
    /// Every record of a changelog partition from its earliest offset to its current end (empty if the topic or
    /// partition does not exist yet).
    func readAll(_ partition: TopicPartition) async throws -> [InputRecord]
}
