-- 04 · The Swift matcher's trades, as a ksqlDB stream: the input of the analytics below.
--
-- matched_trades is written by the Swift `match` stage (key = symbol). Its upper-case column names are those the
-- seed's join produced (BUY_ORDER_ID, SELL_ORDER_ID, BUY_STOCK_SYMBOL, BUY_PRICE, SELL_PRICE, QUANTITY), plus
-- what a real trade needs: TRADE_ID, PRICE (the execution price, the resting order's), trader ids, the
-- aggressor side, TRADE_TIME (event time, epoch ms) and SEQ (the matcher's sequence in its partition).
-- TIMESTAMP = 'TRADE_TIME' makes ksqlDB window by the trade's event time, as the Swift analytics do, instead of
-- the Kafka record timestamp.
-- Clock ticks reach the Swift analytics on a separate topic (matched_trades_ticks), so matched_trades holds only
-- trades; the statements below still keep only rows with a TRADE_ID. ksqlDB's stream time therefore advances only
-- with trades: in a quiet partition its windows stay open longer than the Swift stages' windows do.

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
