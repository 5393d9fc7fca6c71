-- 04 · The Swift matcher's trades, as a ksqlDB stream: the input of the analytics below.
--
-- matched_trades is written by the Swift `match` stage (key = symbol). Its upper-case column names are those the
-- seed's join produced (BUY_ORDER_ID, SELL_ORDER_ID, BUY_STOCK_SYMBOL, BUY_PRICE, SELL_PRICE, QUANTITY), plus
-- what a real trade needs: TRADE_ID, PRICE (the execution price, the resting order's), trader ids, the
-- aggressor side, TRADE_TIME (event time, epoch ms) and SEQ (the matcher's sequence in its partition).
-- TIMESTAMP = 'TRADE_TIME' makes ksqlDB window by the trade's event time, as the Swift analytics do, instead of
-- the Kafka record timestamp.
-- The matcher also forwards clock ticks ({"type":"TICK","timestamp":T}, no key) into matched_trades so the Swift
-- analytics' event time moves in idle partitions. They have no TRADE_ID and no TRADE_TIME: the statements below
-- filter them out (ksqlDB also skips them for their missing timestamp, logging to its processing log), so a
-- ksqlDB window advances only with trades, and its EMIT behaviour differs from the Swift stages there.

SET 'auto.offset.reset' = 'earliest';

CREATE STREAM IF NOT EXISTS trades (
    symbol           VARCHAR KEY,
    TRADE_ID         VARCHAR,
    BUY_ORDER_ID     VARCHAR,
    SELL_ORDER_ID    VARCHAR,
    BUY_STOCK_SYMBOL VARCHAR,
    PRICE            DOUBLE,
    BUY_PRICE        DOUBLE,
    SELL_PRICE       DOUBLE,
    QUANTITY         BIGINT,
    BUY_TRADER_ID    VARCHAR,
    SELL_TRADER_ID   VARCHAR,
    AGGRESSOR_SIDE   VARCHAR,
    TRADE_TIME       BIGINT,
    SEQ              BIGINT
) WITH (
    KAFKA_TOPIC  = 'matched_trades',
    VALUE_FORMAT = 'JSON',
    TIMESTAMP    = 'TRADE_TIME'
);
