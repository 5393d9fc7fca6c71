import Metrics

/// The per-stage counters, through swift-metrics (whatever backend the process bootstrapped; the `exchange`
/// command bootstraps ExchangeMetrics' `MetricsRegistry`).
public struct StageMetrics: Sendable {
    public let recordsIn: Counter
    public let recordsOut: Counter
    public let deadLetters: Counter
    public let duplicatesDropped: Counter
    /// Records the splitter forwarded to their symbol's partition.
    public let forwarded: Counter
    public let seqGaps: Counter
    public let snapshots: Counter
    public let restores: Counter
    public let transactionCommits: Counter
    public let transactionAborts: Counter
    public let lag: Gauge

    public init(stage: String) {
        let dimensions = [("stage", stage)]
        recordsIn = Counter(label: "exchange_stage_records_in_total", dimensions: dimensions)
        recordsOut = Counter(label: "exchange_stage_records_out_total", dimensions: dimensions)
        deadLetters = Counter(label: "exchange_stage_dead_letters_total", dimensions: dimensions)
        duplicatesDropped = Counter(label: "exchange_stage_duplicates_dropped_total", dimensions: dimensions)
        forwarded = Counter(label: "exchange_stage_forwarded_total", dimensions: dimensions)
        seqGaps = Counter(label: "exchange_stage_seq_gaps_total", dimensions: dimensions)
        snapshots = Counter(label: "exchange_stage_snapshots_total", dimensions: dimensions)
        restores = Counter(label: "exchange_stage_restores_total", dimensions: dimensions)
        transactionCommits = Counter(label: "exchange_stage_txn_commits_total", dimensions: dimensions)
        transactionAborts = Counter(label: "exchange_stage_txn_aborts_total", dimensions: dimensions)
        lag = Gauge(label: "exchange_stage_lag_records", dimensions: dimensions)
    }
}
