-- 02 · The seed's side filters (CSAS_BUY_ORDERS / CSAS_SELL_ORDERS).
--
-- Seed: `CREATE STREAM buy_orders AS SELECT * FROM incoming_orders WHERE side = 'BUY'` (and 'SELL').
-- Two changes, both needed to run beside the Swift stages:
--   * the output topics are ksql_buy_orders / ksql_sell_orders. ksqlDB would otherwise write BUY_ORDERS and
--     SELL_ORDERS, which differ from the Swift splitter's buy_orders / sell_orders only by case;
--   * cancels, modifies and ticks (records with a TYPE) are left out: the seed's log had only new orders;
--   * the copies the Swift splitter forwards to a symbol's partition (ORIGIN_PARTITION set) are left out, so each
--     order is counted once.
-- The Swift `split` stage does more: it validates each record (dead-lettering what it cannot use), keeps the
-- source partition, and stamps a dense per-partition `seq` across both sides so the matcher can merge them back
-- into one deterministic order. ksqlDB has no equivalent of that merge.

SET 'auto.offset.reset' = 'earliest';

CREATE STREAM IF NOT EXISTS buy_orders
    WITH (KAFKA_TOPIC = 'ksql_buy_orders', VALUE_FORMAT = 'JSON') AS
    SELECT *
    FROM incoming_orders
    WHERE side = 'BUY' AND `TYPE` IS NULL AND origin_partition IS NULL
    EMIT CHANGES;

CREATE STREAM IF NOT EXISTS sell_orders
    WITH (KAFKA_TOPIC = 'ksql_sell_orders', VALUE_FORMAT = 'JSON') AS
    SELECT *
    FROM incoming_orders
    WHERE side = 'SELL' AND `TYPE` IS NULL AND origin_partition IS NULL
    EMIT CHANGES;
