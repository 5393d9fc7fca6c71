-- 06 · Open, close and profit per symbol and window: the seed's opening_prices / closing_prices / stock_profit,
-- corrected.
--
-- What the seed did: opening_price = MIN(buy_price) and closing_price = MAX(sell_price) over ~3.5-day tumbling
-- windows (SIZE 300000 SECONDS), then a windowed table-table join for profit that no screenshot shows running.
-- MIN and MAX are the low and the high, not the open and the close, and the buy/sell limit prices are not
-- execution prices.
--
-- Corrected here, in one aggregation over the real trades (04), with the window the assignment asked for
-- ("a 5-minute sliding window for the last 10 minutes" = HOPPING SIZE 10 MINUTES, ADVANCE BY 5 MINUTES):
--   OPEN  = EARLIEST_BY_OFFSET(PRICE), CLOSE = LATEST_BY_OFFSET(PRICE), HIGH = MAX, LOW = MIN,
--   PROFIT = CLOSE - OPEN, PROFIT_PCT = PROFIT / OPEN * 100, TRADES and VOLUME.
-- Why by-offset is right HERE (and only here): ksqlDB orders these by arrival at the aggregation, not by event
-- time. matched_trades is keyed by symbol, so all trades of a symbol sit in one partition, written by the
-- deterministic matcher in SEQ order with non-decreasing TRADE_TIME; grouping by the key needs no repartition, so
-- arrival order is event-time order. Over a topic with out-of-order records, by-offset open/close would be wrong
-- (confluentinc/ksql#6686); the Swift `profit` stage orders by (event time, seq) and does not depend on this.
-- The GRACE PERIOD is explicit: trades later than 1 minute after a window's end are dropped by ksqlDB (silently;
-- the Swift stages dead-letter them with a reason).
-- Output: topic ksql_stock_profit, beside the Swift stage's stock_profit, same value columns.
-- There is no ksqlDB statement for top_profit: ranking all symbols of a window needs an aggregation across the
-- keys of a windowed table, which ksqlDB cannot express (the seed never implemented it either).

SET 'auto.offset.reset' = 'earliest';

CREATE TABLE IF NOT EXISTS stock_profit
    WITH (KAFKA_TOPIC = 'ksql_stock_profit', VALUE_FORMAT = 'JSON') AS
    SELECT symbol,
           AS_VALUE(symbol)                                     AS STOCK_SYMBOL,
           WINDOWSTART                                          AS WINDOW_START,
           WINDOWEND                                            AS WINDOW_END,
           EARLIEST_BY_OFFSET(PRICE)                            AS `OPEN`,
           MAX(PRICE)                                           AS HIGH,
           MIN(PRICE)                                           AS LOW,
           LATEST_BY_OFFSET(PRICE)                              AS `CLOSE`,
           LATEST_BY_OFFSET(PRICE) - EARLIEST_BY_OFFSET(PRICE)  AS PROFIT,
           (LATEST_BY_OFFSET(PRICE) - EARLIEST_BY_OFFSET(PRICE)) * 100 / EARLIEST_BY_OFFSET(PRICE) AS PROFIT_PCT,
           COUNT(*)                                             AS TRADES,
           SUM(QUANTITY)                                        AS VOLUME
    FROM trades
    WHERE TRADE_ID IS NOT NULL
    WINDOW HOPPING (SIZE 10 MINUTES, ADVANCE BY 5 MINUTES, GRACE PERIOD 1 MINUTE)
    GROUP BY symbol
    EMIT CHANGES;
