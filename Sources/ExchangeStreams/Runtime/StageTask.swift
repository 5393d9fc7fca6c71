import ExchangeRecords

/// The deterministic work of one stage on one partition number: the unit that is snapshotted, restored and moved
/// between instances on a rebalance.
///
/// A task must be a pure function of the records it is given (in order) and the snapshot it started from: no clock,
/// no randomness, no dictionary-order dependence in its outputs. That is what makes a replay after a crash produce
/// byte-identical duplicates that downstream stages can drop.
public protocol StageTask: AnyObject {
    /// For each input topic, the offset of the first record this task has not yet applied. Recorded in every
    /// snapshot; a restored task is fed again from exactly here.
    var positions: [String: Int64] { get }
    /// Small counters shown in the snapshot header (next seq, last applied upstream seq, …) for people debugging.
    var marks: [String: Int64] { get }
    /// Applies one input record, appending the outputs it causes in order.
    func apply(_ record: InputRecord, into outputs: inout [OutputRecord]) throws
    /// The task's state (without positions) for a snapshot.
    func stateBytes() throws -> [UInt8]
    /// The task's state as of now, as a function that gives its snapshot bytes and may run on another thread while
    /// the task goes on. A task with a large state takes a cheap copy-on-write copy here and leaves the encoding to
    /// the function, so its stage does not pause for it. By default, `stateBytes()` now.
    func captureState() throws -> @Sendable () throws -> [UInt8]
}

extension StageTask {
    public func captureState() throws -> @Sendable () throws -> [UInt8] {
        let bytes = try stateBytes()
        return { bytes }
    }
}

/// One kind of task of a stage: which input topics it needs on its partition number. Most stages have one kind;
/// `top` has a per-partition ranker and a single merger.
public struct TaskKind: Sendable, Hashable {
    public var name: String
    public var inputs: [String]

    public init(name: String, inputs: [String]) {
        self.name = name
        self.inputs = inputs
    }
}

/// A stage: its consumer group, the task kinds, and how to build (or restore) a task.
public protocol StageDefinition: Sendable {
    /// Short name (`split`, `match`, …): the group is `exchange-<name>`, the changelog `exchange-<name>-changelog`.
    var name: String { get }
    var kinds: [TaskKind] { get }
    /// Builds a fresh task (`snapshot == nil`) or restores one. Positions of a fresh task are empty (= read from
    /// the beginning of the input).
    func makeTask(kind: TaskKind, partition: Int32, snapshot: StageSnapshot?) throws -> any StageTask
}

extension StageDefinition {
    public var groupId: String { "exchange-\(name)" }
    public var changelogTopic: String { Topology.changelog(of: name) }
    public var inputTopics: [String] {
        var seen: [String] = []
        for kind in kinds { for topic in kind.inputs where !seen.contains(topic) { seen.append(topic) } }
        return seen
    }
}

/// Errors that stop a stage with a message a person can act on.
public struct StageError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
