#include "CKafkaBench.h"
#include <librdkafka/rdkafka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int ckafkabench_version(void) { return rd_kafka_version(); }

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static rd_kafka_conf_t *make_conf(const char *const *keys, const char *const *values, int n, ckb_result *r) {
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    for (int i = 0; i < n; i++) {
        if (rd_kafka_conf_set(conf, keys[i], values[i], r->error, sizeof(r->error)) != RD_KAFKA_CONF_OK) {
            rd_kafka_conf_destroy(conf);
            return NULL;
        }
    }
    r->error[0] = 0; /* librdkafka leaves a message there when it falls back to a topic property */
    return conf;
}

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    ckb_result *r = opaque;
    if (m->err) r->failures++;
    else r->messages++;
    (void)rk;
}

ckb_result ckb_produce(const char *const *keys, const char *const *values, int n,
                       const char *topic, int partitions, long count, int size) {
    ckb_result r = {0};
    rd_kafka_conf_t *conf = make_conf(keys, values, n, &r);
    if (!conf) return r;
    rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
    rd_kafka_conf_set_opaque(conf, &r);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, r.error, sizeof(r.error));
    if (!rk) { rd_kafka_conf_destroy(conf); return r; }
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    char *buf = calloc(1, (size_t)size < 8 ? 8 : (size_t)size);
    double start = now_seconds();
    for (long i = 0; i < count; i++) {
        uint64_t index = (uint64_t)i;
        memcpy(buf, &index, 8);
        while (rd_kafka_produce(rkt, (int32_t)(i % partitions), RD_KAFKA_MSG_F_COPY, buf, (size_t)size, NULL, 0, NULL) == -1) {
            rd_kafka_resp_err_t err = rd_kafka_last_error();
            if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                snprintf(r.error, sizeof(r.error), "produce: %s", rd_kafka_err2str(err));
                goto done;
            }
            rd_kafka_poll(rk, 10);
        }
        if (i % 1000 == 0) rd_kafka_poll(rk, 0);
    }
    if (rd_kafka_flush(rk, 120000) != RD_KAFKA_RESP_ERR_NO_ERROR) snprintf(r.error, sizeof(r.error), "flush timed out");
done:
    r.seconds = now_seconds() - start;
    free(buf);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
    return r;
}

ckb_result ckb_consume(const char *const *keys, const char *const *values, int n,
                       const char *topic, int partitions, long count, int batch, int timeout_ms) {
    ckb_result r = {0};
    rd_kafka_conf_t *conf = make_conf(keys, values, n, &r);
    if (!conf) return r;
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, r.error, sizeof(r.error));
    if (!rk) { rd_kafka_conf_destroy(conf); return r; }
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(partitions);
    for (int p = 0; p < partitions; p++)
        rd_kafka_topic_partition_list_add(list, topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_queue_t *q = rd_kafka_queue_get_consumer(rk);
    rd_kafka_message_t **msgs = calloc((size_t)batch, sizeof(*msgs));
    uint8_t *seen = calloc((size_t)count, 1);
    double start = now_seconds();
    /* As the Swift consumer does: learn the leaders first, or librdkafka retries the start-offset
       lookup of partitions without a known leader only after 500 ms. */
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    if (rkt && rd_kafka_metadata(rk, 0, rkt, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR && md) rd_kafka_metadata_destroy(md);
    if (rkt) rd_kafka_topic_destroy(rkt);
    rd_kafka_assign(rk, list);
    double deadline = start + timeout_ms / 1000.0;
    while (r.messages < count && now_seconds() < deadline) {
        ssize_t got = rd_kafka_consume_batch_queue(q, 100, msgs, (size_t)batch);
        for (ssize_t i = 0; i < got; i++) {
            rd_kafka_message_t *m = msgs[i];
            if (!m->err && m->len >= 8) {
                uint64_t index;
                memcpy(&index, m->payload, 8);
                if (index < (uint64_t)count && !seen[index]) { seen[index] = 1; r.messages++; }
                else r.failures++;
            }
            rd_kafka_message_destroy(m);
        }
    }
    r.seconds = now_seconds() - start;
    if (r.messages < count) snprintf(r.error, sizeof(r.error), "consumed %ld of %ld messages before the timeout", r.messages, count);
    free(seen);
    free(msgs);
    rd_kafka_topic_partition_list_destroy(list);
    rd_kafka_queue_destroy(q);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return r;
}
