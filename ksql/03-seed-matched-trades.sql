-- 03 · The seed's "matching": a stream-stream join (CSAS_MATCHED_TRADES). Kept for comparison only.
--
-- WHAT IT GETS WRONG (and why the Swift `match` stage exists):
--   * A join is not an order book. A stream-stream INNER JOIN emits EVERY pair of a buy and a sell of the same
--     symbol within the window. One buy of 100 shares "trades" with every sell of 100 shares in the next and
--     previous 8 hours, so the output grows as buys x sells per symbol.
--   * No quantity is consumed: a fill never reduces either order, an order is never removed, nothing is ever
--     cancelled or expired. The seed required equal quantities (sell.quantity = buy.quantity) to hide this; a
--     partial fill cannot be expressed at all.
--   * No price-time priority: the best price does not trade first, and the execution price is not defined
--     (the seed kept both limits, BUY_PRICE and SELL_PRICE; the SMA then averaged SELL_PRICE).
--   * The result depends on arrival order and on the join window, not only on the orders.
-- The Swift `match` stage keeps a price-time-priority book per symbol, fills partially, executes at the resting
-- order's price, and writes each trade once, with a deterministic TRADE_ID, to matched_trades.
--
-- Differences from the seed's text: the output topic is ksql_matched_trades (so it never mixes with the Swift
-- matched_trades topic), and the join has the explicit GRACE PERIOD newer ksqlDB requires (the seed got a
-- deprecation warning; without it the implicit grace is 24 h - 2 x 8 h = 8 h of extra join state per side).
-- The output columns keep the seed's names: BUY_ORDER_ID, SELL_ORDER_ID, BUY_STOCK_SYMBOL, BUY_PRICE,
-- SELL_PRICE, QUANTITY (the Swift trade record carries the same names, plus its own).

SET 'auto.offset.reset' = 'earliest';

CREATE STREAM IF NOT EXISTS matched_trades
    WITH (KAFKA_TOPIC = 'ksql_matched_trades', VALUE_FORMAT = 'JSON') AS
    SELECT buy.order_id                    AS buy_order_id,
           sell.order_id                   AS sell_order_id,
           buy.stock_symbol,
           buy.price                       AS buy_price,
           sell.price                      AS sell_price,
           LEAST(buy.quantity, sell.quantity) AS quantity
    FROM buy_orders buy
    INNER JOIN sell_orders sell
        WITHIN 8 HOURS GRACE PERIOD 15 MINUTES
        ON buy.stock_symbol = sell.stock_symbol
    WHERE buy.price >= sell.price AND sell.quantity = buy.quantity
    EMIT CHANGES;
