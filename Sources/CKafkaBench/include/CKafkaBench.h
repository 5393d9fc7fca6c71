#ifndef CKAFKABENCH_H
#define CKAFKABENCH_H
#include <stddef.h>

/// The plain-C librdkafka baseline of `exchange-bench kafka`: the loops an experienced C
/// programmer writes against librdkafka, with the same properties the Swift wrapper gets.

/// Result of one C benchmark run.
typedef struct {
    double seconds;    /// wall time of the measured loop
    long messages;     /// messages produced (acknowledged) or consumed
    long failures;     /// failed deliveries, or messages consumed twice / missing
    char error[256];   /// set when the run could not complete
} ckb_result;

/// Produces `count` values of `size` bytes (the first 8 bytes carry the message index) to
/// `topic`, message i to partition i % partitions (no key), polling delivery reports every 1000
/// messages and on QUEUE_FULL, then flushes. `keys`/`values` are `n` librdkafka properties.
ckb_result ckb_produce(const char *const *keys, const char *const *values, int n,
                       const char *topic, int partitions, long count, int size);

/// Consumes `count` messages from partitions 0..<partitions of `topic` (assigned from the
/// beginning, batches of `batch` via rd_kafka_consume_batch_queue), checking that every index
/// 0..<count arrives exactly once.
ckb_result ckb_consume(const char *const *keys, const char *const *values, int n,
                       const char *topic, int partitions, long count, int batch, int timeout_ms);

int ckafkabench_version(void);
#endif
