#include "CKafkaBench.h"
#include <librdkafka/rdkafka.h>
int ckafkabench_version(void) { return rd_kafka_version(); }
