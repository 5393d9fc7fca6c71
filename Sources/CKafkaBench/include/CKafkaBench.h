#ifndef CKAFKABENCH_H
#define CKAFKABENCH_H
/// Placeholder: the plain-C librdkafka baseline used by `exchange-bench kafka`.
int ckafkabench_version(void);
#endif
