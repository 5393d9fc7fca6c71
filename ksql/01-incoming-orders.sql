-- 01 · The order log, as a ksqlDB stream over the topic the Swift gateway writes.
--
-- Seed: `CREATE STREAM incoming_orders (order_id VARCHAR, stock_symbol VARCHAR, quantity INT, side VARCHAR,
-- order_type VARCHAR, price DOUBLE, time_in_force VARCHAR) WITH (KAFKA_TOPIC='incoming_orders', VALUE_FORMAT='JSON',
-- PARTITIONS=1)`. Ours declares every field the gateway's records carry (see Sources/ExchangeRecords), keeps the
-- seed's JSON value format, and reads the topic the initializer created instead of creating it (no PARTITIONS).
-- The record key is the symbol (a plain UTF-8 string, ksqlDB's KAFKA key format).
--
-- Unquoted names are upper-cased by ksqlDB; its JSON deserializer also matches the upper-cased JSON keys, so
-- ORDER_ID reads the field "order_id". TYPE and TIMESTAMP are quoted only because they are SQL keywords.
-- Cancel, modify and tick records share the topic: they carry "type" (CANCEL, MODIFY, TICK); new orders don't.
-- A record the Swift splitter forwarded to its symbol's partition carries "origin_partition" (the first copy has
-- none): docs/records.md, "Feeding the exchange from other producers".

SET 'auto.offset.reset' = 'earliest';

CREATE STREAM IF NOT EXISTS incoming_orders (
    symbol          VARCHAR KEY,
    order_id        VARCHAR,
    trader_id       VARCHAR,
    stock_symbol    VARCHAR,
    side            VARCHAR,
    order_type      VARCHAR,
    price           DOUBLE,
    quantity        BIGINT,
    time_in_force   VARCHAR,
    validity_ttl    BIGINT,
    expire_at       BIGINT,
    client_order_id VARCHAR,
    origin_partition BIGINT,
    `TYPE`          VARCHAR,
    `TIMESTAMP`     BIGINT
) WITH (
    KAFKA_TOPIC  = 'incoming_orders',
    VALUE_FORMAT = 'JSON'
);
