-- 05 · The hopping-window simple moving average (the seed's CTAS_SMA_HOPPING_TABLE).
--
-- Seed: `CREATE TABLE sma_hopping_table AS SELECT BUY_STOCK_SYMBOL, AS_VALUE(BUY_STOCK_SYMBOL) AS STOCK_SYMBOL,
-- AVG(SELL_PRICE) AS sma FROM matched_trades WINDOW HOPPING (SIZE 10 MINUTES, ADVANCE BY 5 MINUTES)
-- GROUP BY BUY_STOCK_SYMBOL EMIT CHANGES`, over the join of 03.
-- Here the same window over the real trades (04): the mean EXECUTION price (PRICE), not the seller's limit, with
-- the window bounds, trade count and VWAP that the Swift `sma` stage also writes to SMA_HOPPING_TABLE, and an
-- explicit GRACE PERIOD (ksqlDB's implicit one would be 24 h - 10 min). Use the same grace for the Swift `sma`
-- stage when comparing the two topics.
--
-- Grouping by the record key (the symbol) avoids a repartition topic.
-- Output: topic ksql_SMA_HOPPING_TABLE (not SMA_HOPPING_TABLE, which the Swift stage owns). Its key is ksqlDB's
-- binary windowed key (symbol bytes + 8-byte big-endian window start); the Swift topic uses "SYMBOL@WINDOW_START"
-- text keys instead, so WINDOW_START and WINDOW_END are selected into the value here to compare them.
-- Every trade falls into two windows (size / advance = 2), so each trade updates two rows: the seed's output
-- showed every line twice for this reason.

SET 'auto.offset.reset' = 'earliest';

CREATE TABLE IF NOT EXISTS sma_hopping_table
    WITH (KAFKA_TOPIC = 'ksql_SMA_HOPPING_TABLE', VALUE_FORMAT = 'JSON') AS
    SELECT symbol,
           AS_VALUE(symbol)                       AS STOCK_SYMBOL,
           AVG(PRICE)                             AS SMA,
           WINDOWSTART                            AS WINDOW_START,
           WINDOWEND                              AS WINDOW_END,
           COUNT(*)                               AS `COUNT`,
           SUM(PRICE * QUANTITY) / SUM(QUANTITY)  AS VWAP
    FROM trades
    WHERE TRADE_ID IS NOT NULL
    WINDOW HOPPING (SIZE 10 MINUTES, ADVANCE BY 5 MINUTES, GRACE PERIOD 1 MINUTE)
    GROUP BY symbol
    EMIT CHANGES;
