"""Drives a running exchange only through Zerodha's official Kite Connect client (kiteconnect 5.2.2) and checks the
values it gets back. Run by DeploymentTests' KiteSandboxTests against `exchange run --no-demo-feed`:

    python kite_sandbox_check.py <gateway base url> <api_key> <api_secret> <alice's gateway key> <bob's gateway key> <starting cash>

Prints one line per step, and `KITE SANDBOX OK` at the end; any failed check exits with status 1 naming it.
"""
import datetime
import os
import sys
import threading
import time
import traceback

from kiteconnect import KiteConnect, KiteTicker
from kiteconnect import exceptions as kite_exceptions

ROOT, API_KEY, API_SECRET, ALICE_KEY, BOB_KEY, STARTING_CASH = sys.argv[1:7]
STARTING_CASH = float(STARTING_CASH)
SYMBOL, EXCHANGE = "AAPL", "NASDAQ"
DEADLINE = 60  # seconds any one condition may take to come true


def check(condition, what):
    if not condition:
        raise AssertionError(what)


def eventually(what, probe):
    """Polls probe() until it returns something truthy (the exchange is asynchronous: orders go through Kafka)."""
    end = time.time() + DEADLINE
    last = None
    while time.time() < end:
        last = probe()
        if last:
            return last
        time.sleep(0.1)
    raise AssertionError("timed out waiting for %s (last seen: %r)" % (what, last))


def expect_error(kind, words, call):
    try:
        call()
    except kind as e:
        for word in words:
            check(word in str(e), "%s should name %r: %s" % (kind.__name__, word, e))
        return e
    raise AssertionError("expected %s naming %r" % (kind.__name__, words))


def step(text):
    print(text, flush=True)


def fnv_token(exchange, symbol):
    """The documented token rule (docs/kite-sandbox.md), computed independently of the server."""
    h = 0x811C9DC5
    for b in ("%s:%s" % (exchange, symbol)).encode():
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    t = h & 0x7FFFFF
    return ((t or 1) << 8) | 1


def main():
    # Login: generate_session with the gateway API key as the request token.
    alice = KiteConnect(api_key=API_KEY, root=ROOT)
    session = alice.generate_session(ALICE_KEY, api_secret=API_SECRET)
    check(session["user_id"] == "alice", "session user_id: %r" % session["user_id"])
    check(len(session["access_token"]) >= 32 and alice.access_token == session["access_token"], "access token set")
    check(isinstance(session["login_time"], datetime.datetime), "login_time parsed: %r" % session["login_time"])
    expect_error(kite_exceptions.TokenException, ["checksum"],
                 lambda: KiteConnect(api_key=API_KEY, root=ROOT).generate_session(ALICE_KEY, api_secret="wrong"))
    profile = alice.profile()
    check(profile["user_id"] == "alice" and EXCHANGE in profile["exchanges"], "profile: %r" % profile)
    step("login and profile: alice, access token of %d characters" % len(session["access_token"]))

    # Bob uses his gateway API key as the access token directly.
    bob = KiteConnect(api_key=API_KEY, access_token=BOB_KEY, root=ROOT)
    check(bob.profile()["user_id"] == "bob", "bob's profile")
    expect_error(kite_exceptions.TokenException, ["access_token"],
                 lambda: KiteConnect(api_key=API_KEY, access_token="nobody", root=ROOT).orders())

    # Instruments: Kite's CSV, stable tokens.
    instruments = alice.instruments()
    by_symbol = {i["tradingsymbol"]: i for i in instruments}
    aapl = by_symbol[SYMBOL]
    token = aapl["instrument_token"]
    check(token == fnv_token(EXCHANGE, SYMBOL), "AAPL token %d is the documented hash %d" % (token, fnv_token(EXCHANGE, SYMBOL)))
    check(aapl["exchange"] == EXCHANGE and aapl["tick_size"] == 0.01 and aapl["lot_size"] == 1 and aapl["last_price"] == 160.0,
          "AAPL row: %r" % aapl)
    check(by_symbol["TSLA"]["name"] == "Tesla, Inc.", "a name with a comma survives the CSV: %r" % by_symbol["TSLA"]["name"])
    check(len(alice.instruments(EXCHANGE)) == len(instruments) and alice.instruments("NSE") == [], "per-exchange lists")
    step("instruments: %d rows, AAPL token %d" % (len(instruments), token))

    # Quotes before any trade: the reference price, an empty five-level book.
    key = "%s:%s" % (EXCHANGE, SYMBOL)
    quote = alice.quote([key])[key]
    check(quote["instrument_token"] == token and quote["last_price"] == 160 and quote["volume"] == 0, "quote: %r" % quote)
    check(len(quote["depth"]["buy"]) == 5 and len(quote["depth"]["sell"]) == 5, "five depth levels a side")
    check(alice.ltp(key)[key]["last_price"] == 160 and alice.ltp(str(token))[str(token)]["instrument_token"] == token, "ltp")
    check(alice.ohlc(key)[key]["ohlc"]["close"] == 160, "ohlc close is the reference price")
    step("quote before trading: last price 160, 5+5 empty levels")

    # The ticker: full mode on AAPL, alice's order updates.
    ticks, updates, errors, heartbeats = [], [], [], []
    ticker = KiteTicker(API_KEY, session["access_token"], root=ROOT.replace("http://", "ws://") + "/ws", reconnect=False)
    connected = threading.Event()

    def on_connect(ws, response):
        ws.subscribe([token])
        ws.set_mode(ws.MODE_FULL, [token])
        connected.set()

    ticker.on_connect = on_connect
    ticker.on_ticks = lambda ws, t: ticks.extend(t)
    ticker.on_order_update = lambda ws, data: updates.append(data)
    ticker.on_error = lambda ws, code, reason: errors.append((code, reason))
    ticker.on_message = lambda ws, payload, is_binary: heartbeats.append(payload) if is_binary and len(payload) == 1 else None
    ticker.connect(threaded=True)
    check(connected.wait(DEADLINE), "ticker connected (errors: %r)" % errors)
    first = eventually("a full tick", lambda: next((t for t in list(ticks) if t["mode"] == "full"), None))
    check(first["instrument_token"] == token and first["last_price"] == 160.0 and len(first["depth"]["buy"]) == 5, "first tick: %r" % first)
    step("ticker: connected, first full tick last price %.2f" % first["last_price"])

    # Unsupported order types and varieties are refused by name.
    base = dict(exchange=EXCHANGE, tradingsymbol=SYMBOL, transaction_type="BUY", quantity=1, product="CNC")
    expect_error(kite_exceptions.InputException, ["amo"], lambda: alice.place_order("amo", order_type="LIMIT", price=150, **base))
    expect_error(kite_exceptions.InputException, ["iceberg"], lambda: alice.place_order("iceberg", order_type="LIMIT", price=150, **base))
    expect_error(kite_exceptions.InputException, ["co"], lambda: alice.place_order("co", order_type="LIMIT", price=150, **base))
    expect_error(kite_exceptions.InputException, ["SL"], lambda: alice.place_order("regular", order_type="SL", price=150, trigger_price=149, **base))
    expect_error(kite_exceptions.InputException, ["SL-M"], lambda: alice.place_order("regular", order_type="SL-M", trigger_price=149, **base))
    expect_error(kite_exceptions.InputException, ["tick size"], lambda: alice.place_order("regular", order_type="LIMIT", price=150.001, **base))
    step("unsupported: amo, iceberg, co, SL, SL-M refused with InputException")

    def order(client, order_id):
        return next((o for o in client.orders() if o["order_id"] == order_id), None)

    # Place, modify, cancel a resting order.
    resting = alice.place_order("regular", order_type="LIMIT", price=150, tag="strat1", **base)
    eventually("the order OPEN", lambda: (order(alice, resting) or {}).get("status") == "OPEN")
    check(alice.modify_order("regular", resting, quantity=7, price=151) == resting, "modify returns the order id")
    modified = eventually("the order modified", lambda: (lambda o: o if o and o["quantity"] == 7 and o["price"] == 151 else None)(order(alice, resting)))
    check(modified["status"] == "OPEN" and modified["tag"] == "strat1" and modified["product"] == "CNC", "modified order: %r" % modified)
    check(alice.cancel_order("regular", resting) == resting, "cancel returns the order id")
    cancelled = eventually("the order CANCELLED", lambda: (lambda o: o if o and o["status"] == "CANCELLED" else None)(order(alice, resting)))
    check(cancelled["cancelled_quantity"] == 7 and cancelled["pending_quantity"] == 0, "cancelled: %r" % cancelled)
    history = alice.order_history(resting)
    statuses = [h["status"] for h in history]
    check(statuses[0] == "OPEN PENDING" and statuses[-1] == "CANCELLED" and "OPEN" in statuses, "history: %r" % statuses)
    check(isinstance(history[0]["order_timestamp"], datetime.datetime), "history timestamps parse")
    expect_error(kite_exceptions.OrderException, ["CANCELLED"], lambda: alice.cancel_order("regular", resting))
    step("place, modify (7 @ 151), cancel: history %s" % " -> ".join(statuses))

    # A fill: bob sells 10 @ 161, alice buys 10 @ 161.
    sell = bob.place_order("regular", exchange=EXCHANGE, tradingsymbol=SYMBOL, transaction_type="SELL", quantity=10,
                           product="MIS", order_type="LIMIT", price=161)
    eventually("bob's sell OPEN", lambda: (order(bob, sell) or {}).get("status") == "OPEN")
    buy = alice.place_order("regular", order_type="LIMIT", price=161, **dict(base, quantity=10))
    done = eventually("alice's buy COMPLETE", lambda: (lambda o: o if o and o["status"] == "COMPLETE" else None)(order(alice, buy)))
    check(done["filled_quantity"] == 10 and done["average_price"] == 161 and done["pending_quantity"] == 0, "filled: %r" % done)
    trades = alice.trades()
    check(len(trades) == 1 and trades[0]["order_id"] == buy and trades[0]["quantity"] == 10 and trades[0]["average_price"] == 161
          and trades[0]["transaction_type"] == "BUY" and trades[0]["instrument_token"] == token, "trades: %r" % trades)
    check(alice.order_trades(buy) == trades and alice.order_trades(resting) == [], "order trades")
    check(bob.trades()[0]["transaction_type"] == "SELL" and bob.trades()[0]["product"] == "MIS", "bob's trade: %r" % bob.trades())
    step("fill: 10 @ 161, trade %s" % trades[0]["trade_id"])

    # Positions and margins after the fill.
    net = alice.positions()["net"]
    check(len(net) == 1, "one position: %r" % net)
    p = net[0]
    check(p["tradingsymbol"] == SYMBOL and p["quantity"] == 10 and p["average_price"] == 161 and p["buy_value"] == 1610
          and p["last_price"] == 161 and p["pnl"] == 0, "alice's position: %r" % p)
    bp = bob.positions()["net"][0]
    check(bp["quantity"] == -10 and bp["sell_value"] == 1610 and bp["average_price"] == 161, "bob's position: %r" % bp)
    equity = alice.margins()["equity"]
    check(abs(equity["net"] - (STARTING_CASH - 1610)) < 1e-6 and equity["available"]["opening_balance"] == STARTING_CASH,
          "alice's margins: %r" % equity)
    check(abs(bob.margins("equity")["net"] - (STARTING_CASH + 1610)) < 1e-6, "bob's margins")
    step("positions: alice +10 @ 161, bob -10; margins net %.2f and %.2f" % (equity["net"], bob.margins("equity")["net"]))

    # A resting buy blocks its value; the quote shows it and the trade.
    alice.place_order("regular", order_type="LIMIT", price=155, **dict(base, quantity=4))
    eventually("margins blocking 620", lambda: abs(alice.margins("equity")["net"] - (STARTING_CASH - 1610 - 620)) < 1e-6)
    quote = eventually("the quote after the trade", lambda: (lambda q: q if q["depth"]["buy"][0]["quantity"] == 4 else None)(alice.quote(key)[key]))
    check(quote["last_price"] == 161 and quote["volume"] == 10 and quote["ohlc"]["open"] == 161 and quote["depth"]["buy"][0]["price"] == 155
          and quote["buy_quantity"] == 4 and isinstance(quote["last_trade_time"], datetime.datetime), "quote: %r" % quote)
    step("quote after the trade: last 161, volume 10, best bid 4 @ 155")

    # Historical candles from the history store.
    today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    candles = eventually("a minute candle", lambda: alice.historical_data(token, today, today, "minute"))
    check(len(candles) == 1 and candles[0]["open"] == 161 and candles[0]["close"] == 161 and candles[0]["volume"] == 10, "candles: %r" % candles)
    day = alice.historical_data(token, today, today, "day")
    check(len(day) == 1 and day[0]["volume"] == 10, "day candle: %r" % day)
    expect_error(kite_exceptions.InputException, ["3minute"], lambda: alice.historical_data(token, today, today, "3minute"))
    step("historical: minute candle %s o=%s c=%s v=%s" % (candles[0]["date"], candles[0]["open"], candles[0]["close"], candles[0]["volume"]))

    # The ticker saw the trade and alice's order updates.
    traded = eventually("a tick with the trade", lambda: next((t for t in list(ticks) if t.get("volume_traded") == 10), None))
    check(traded["last_price"] == 161.0 and traded["last_traded_quantity"] == 10 and traded["ohlc"]["open"] == 161.0, "tick: %r" % traded)
    complete = eventually("alice's COMPLETE update", lambda: next((u for u in list(updates) if u["order_id"] == buy and u["status"] == "COMPLETE"), None))
    check(complete["filled_quantity"] == 10 and complete["user_id"] == "alice", "order update: %r" % complete)
    check(any(u["order_id"] == resting and u["status"] == "CANCELLED" for u in updates), "the cancel reached the ticker")
    check(not any(u["order_id"] == sell for u in updates), "bob's order is not sent to alice")
    eventually("a 1-byte heartbeat", lambda: heartbeats)
    step("ticker: %d ticks, %d order updates, %d heartbeats; trade tick last %.2f volume %d" % (len(ticks), len(updates), len(heartbeats), traded["last_price"], traded["volume_traded"]))

    # Logout ends the session.
    alice.invalidate_access_token()
    expect_error(kite_exceptions.TokenException, [], lambda: alice.orders())
    step("logout: the access token is refused afterwards")
    print("KITE SANDBOX OK", flush=True)


if __name__ == "__main__":
    try:
        main()
        status = 0
    except Exception:
        traceback.print_exc()
        status = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)  # the ticker's reactor thread does not stop by itself
