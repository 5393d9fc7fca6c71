// The trading screen. Plain DOM and canvas, no library: every value from the server is written with textContent
// (never parsed as markup), and the page runs under a Content-Security-Policy that allows this origin alone.
"use strict";

(function () {
  const prefix = document.querySelector('meta[name="exchange-api"]')?.content || "/v1";
  // "key" when the gateway refuses a WebSocket without credentials (`--market-data key`): the page then asks to sign
  // in instead of retrying a connection that cannot open.
  const marketDataNeedsKey = document.querySelector('meta[name="exchange-market-data"]')?.content === "key";
  const tokenKey = "exchange.token";
  const openStatuses = new Set(["PENDING", "NEW", "PARTIALLY_FILLED", "REPLACED"]);
  // The tape shows the trades its panel has room for (more rows, out of sight, cost layout on every update).
  const maxTape = 15;
  const maxChartTrades = 1500;

  const state = {
    token: sessionStorage.getItem(tokenKey),
    trader: null,
    symbol: null,
    instruments: new Map(),   // symbol -> instrument view (tickers frame)
    book: null,
    tape: [],                 // newest first
    chartTrades: [],          // oldest first, {t, p, id}
    candles: new Map(),       // minute start -> [t, o, h, l, c, v]
    sma: [],                  // SMA_HOPPING_TABLE windows, newest first
    ranking: null,
    orders: new Map(),        // order_id -> order view
    fills: [],                // newest first
    modifying: null,
    dirty: new Set(),
    chartSize: { width: 800, height: 300 },
    frame: 0,
    socket: null,
    retry: 0,
  };

  const $ = (id) => document.getElementById(id);

  // ---------- helpers ----------

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function decimals(symbol) {
    const tick = state.instruments.get(symbol)?.tick_size;
    if (!tick) return 2;
    const text = String(tick);
    const dot = text.indexOf(".");
    return dot < 0 ? 0 : text.length - dot - 1;
  }

  function price(value, symbol) {
    if (value === null || value === undefined) return "–";
    return Number(value).toFixed(decimals(symbol || state.symbol));
  }

  // Local time as HH:MM:SS.mmm, by hand: toLocaleTimeString was the page's costliest call at thousands of trades a
  // second (a profile under --rate 2000 gave it most of the script time).
  function two(n) { return n < 10 ? "0" + n : String(n); }
  function clock(ms, withSeconds) {
    const d = new Date(ms);
    return two(d.getHours()) + ":" + two(d.getMinutes()) + (withSeconds ? ":" + two(d.getSeconds()) : "");
  }
  function time(ms) {
    const millis = new Date(ms).getMilliseconds();
    return clock(ms, true) + "." + (millis < 10 ? "00" : millis < 100 ? "0" : "") + millis;
  }

  function micros(value) { return Math.round(Number(value) * 1e6); }

  // The theme's colours, read once (each read of a computed style is a style recalculation).
  let themeColors = null;
  function colors() {
    if (!themeColors) {
      const style = getComputedStyle(document.documentElement);
      const values = new Map();
      themeColors = { getPropertyValue: (name) => { if (!values.has(name)) values.set(name, style.getPropertyValue(name)); return values.get(name); } };
    }
    return themeColors;
  }

  function markDirty(...panels) {
    for (const p of panels) state.dirty.add(p);
    if (!state.frame) state.frame = requestAnimationFrame(render);
  }

  function replaceRows(tbody, rows) {
    tbody.replaceChildren(...rows);
  }

  // The live panels (instruments, book, tape) keep their rows and change only the text that changed: rebuilding them
  // a few times a second made the browser lay out and collect far more than it drew.
  function setText(node, text) {
    const value = String(text);
    if (node.textContent !== value) node.textContent = value;
  }

  function setClass(node, name) {
    if (node.className !== name) node.className = name;
  }

  // Attribute and inline-style writes invalidate style even when the value is the same: only changes are written.
  function setData(node, key, value) {
    if (node.dataset[key] !== value) node.dataset[key] = value;
  }

  // `count` rows of `cells` cells in `tbody`: the rows it has, reused, and new ones or fewer as needed.
  function pooledRows(tbody, count, cells) {
    while (tbody.rows.length > count) tbody.lastElementChild.remove();
    while (tbody.rows.length < count) {
      const tr = el("tr");
      for (let i = 0; i < cells; i++) tr.append(el("td"));
      tbody.append(tr);
    }
    return [...tbody.rows];
  }

  // ---------- HTTP API ----------

  async function api(method, path, body) {
    const headers = { "Accept": "application/json" };
    if (state.token) headers["Authorization"] = "Bearer " + state.token;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(prefix + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: "no-store" });
    } catch (error) {
      return { ok: false, status: 0, json: { message: "the gateway cannot be reached" } };
    }
    let json = null;
    try { json = await response.json(); } catch (_) { json = null; }
    return { ok: response.ok, status: response.status, json };
  }

  // ---------- WebSocket ----------

  function base64url(text) {
    const bytes = new TextEncoder().encode(text);
    let binary = "";
    for (const b of bytes) binary += String.fromCharCode(b);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function connect() {
    if (state.socket) { state.socket.onclose = null; state.socket.close(); state.socket = null; }
    const needsSignIn = marketDataNeedsKey && !state.token;
    $("market-hint").hidden = !needsSignIn;
    if (needsSignIn) {
      setConnection("sign in");
      return;
    }
    const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + prefix + "/ws";
    // The key travels as a subprotocol, never in the URL (the gateway answers with "exchange" alone).
    const socket = state.token ? new WebSocket(url, ["exchange", "bearer." + base64url(state.token)]) : new WebSocket(url);
    state.socket = socket;
    setConnection("connecting");
    socket.onopen = () => {
      state.retry = 0;
      setConnection("open");
      socket.send(JSON.stringify({ a: "watch", v: state.symbol }));
    };
    socket.onmessage = (event) => {
      let message;
      try { message = JSON.parse(event.data); } catch (_) { return; }
      receive(message.type, message.data);
    };
    socket.onclose = () => {
      setConnection("closed");
      state.retry = Math.min(state.retry + 1, 5);
      setTimeout(connect, state.retry * 1000);
    };
  }

  function setConnection(text) {
    const pill = $("connection");
    pill.textContent = text === "open" ? "live" : text;
    pill.dataset.state = text === "sign in" ? "signin" : text;
  }

  function watch(symbol) {
    state.symbol = symbol;
    state.book = null;
    state.tape = [];
    state.chartTrades = [];
    state.candles = new Map();
    state.sma = [];
    if (state.socket && state.socket.readyState === WebSocket.OPEN) state.socket.send(JSON.stringify({ a: "watch", v: symbol }));
    const select = $("order-symbol");
    if (symbol && select.value !== symbol) select.value = symbol;
    markDirty("instruments", "book", "tape", "chart");
  }

  function receive(type, data) {
    switch (type) {
      case "connected":
        state.trader = data.trader_id;
        markDirty("session");
        break;
      case "tickers":
        for (const i of data) state.instruments.set(i.symbol, i);
        if (!state.symbol && data.length > 0) watch(data[0].symbol);
        fillSymbolChoices();
        markDirty("instruments");
        break;
      case "instrument": {
        const known = state.instruments.get(data.symbol);
        if (known) { known.status = data.status; known.halt_reason = data.halt_reason; markDirty("instruments"); }
        break;
      }
      case "book":
        if (data.symbol === state.symbol) { state.book = data; markDirty("book"); }
        break;
      case "tape":
        if (data.symbol !== state.symbol) break;
        if (data.reset) { state.tape = []; state.chartTrades = []; }
        for (const t of data.trades) {
          state.chartTrades.push({ t: t.trade_time, p: Number(t.price), id: t.trade_id });
          addToCandle(t);
        }
        state.tape = data.trades.slice(-maxTape).reverse().concat(state.tape);
        if (state.tape.length > maxTape) state.tape.length = maxTape;
        if (state.chartTrades.length > maxChartTrades) state.chartTrades.splice(0, state.chartTrades.length - maxChartTrades);
        markDirty("tape", "chart");
        break;
      case "candles":
        if (data.symbol !== state.symbol) break;
        for (const c of data.candles) state.candles.set(c[0], c.slice());
        markDirty("chart");
        break;
      case "sma":
        if (data.symbol === state.symbol) { state.sma = data.windows; markDirty("chart"); }
        break;
      case "ranking":
        state.ranking = data;
        markDirty("ranking");
        break;
      case "order":
        state.orders.set(data.order_id, data);
        markDirty("orders", "book");
        break;
      case "own_trade":
        if (!state.fills.some((f) => f.trade_id === data.trade_id && f.side === data.side)) state.fills.unshift(data);
        markDirty("fills");
        break;
      default:
        break;
    }
  }

  // The live candle: history's 1-minute candles, extended by the trades that arrive.
  function addToCandle(t) {
    const start = Math.floor(t.trade_time / 60000) * 60000;
    const p = Number(t.price);
    const c = state.candles.get(start);
    if (!c) { state.candles.set(start, [start, p, p, p, p, t.quantity]); return; }
    c[2] = Math.max(c[2], p); c[3] = Math.min(c[3], p); c[4] = p; c[5] += t.quantity;
  }

  // ---------- rendering ----------

  // The panels the server's frames change together (every 250 ms) are drawn one per animation frame: each frame then
  // lays out one panel's changes, not all of them, and stays short on a busy machine (the chart first, while nothing
  // else is dirty). The small ones go along with whichever comes first.
  const panels = [
    ["chart", renderChart], ["tape", renderTape], ["book", renderBook], ["instruments", renderInstruments],
    ["ranking", renderRanking], ["orders", renderOrders], ["fills", renderFills],
  ];

  function render() {
    state.frame = 0;
    const dirty = state.dirty;
    if (dirty.delete("session")) renderSession();
    for (const [name, draw] of panels) {
      if (!dirty.delete(name)) continue;
      draw();
      break;
    }
    if (dirty.size > 0) state.frame = requestAnimationFrame(render);
  }

  function renderSession() {
    const signedIn = Boolean(state.token && state.trader);
    $("signin").hidden = signedIn;
    $("signed-in").hidden = !signedIn;
    $("trader").textContent = state.trader || "";
    $("order-form").hidden = !signedIn;
    $("signin-hint").hidden = signedIn;
    $("own").hidden = !signedIn;
  }

  function renderInstruments() {
    const instruments = [...state.instruments.values()];
    const rows = pooledRows($("instruments").tBodies[0], instruments.length, 4);
    instruments.forEach((i, n) => {
      const tr = rows[n];
      setData(tr, "symbol", i.symbol);
      setClass(tr, i.symbol === state.symbol ? "selected" : "");
      const last = Number(i.last_price);
      const reference = Number(i.reference_price);
      const change = reference ? ((last - reference) / reference) * 100 : 0;
      const cells = tr.cells;
      setText(cells[0], i.symbol);
      setText(cells[1], price(i.last_price, i.symbol));
      setClass(cells[1], "num");
      setText(cells[2], (change >= 0 ? "+" : "") + change.toFixed(2));
      setClass(cells[2], "num " + (change > 0 ? "up" : change < 0 ? "down" : ""));
      setText(cells[3], i.status);
      setClass(cells[3], i.status === "TRADING" ? "" : "halted");
      if (tr.title !== (i.halt_reason || "")) tr.title = i.halt_reason || "";
    });
    if (state.symbol) {
      setText($("chart-symbol"), state.symbol);
      setText($("chart-last"), price(state.instruments.get(state.symbol)?.last_price));
    }
  }

  function ownLevels() {
    const own = new Set();
    for (const o of state.orders.values()) {
      if (o.symbol === state.symbol && openStatuses.has(o.status) && o.price !== null) own.add(o.side + "|" + micros(o.price));
    }
    return own;
  }

  function bookRows(tbody, levels, side, scale, own) {
    const rows = pooledRows(tbody, levels.length, 3);
    levels.forEach((level, n) => {
      const tr = rows[n];
      setData(tr, "price", String(level.price));
      setData(tr, "quantity", String(level.quantity));
      setClass(tr, own.has(side + "|" + micros(level.price)) ? "own" : "");
      const [orders, quantity, priceCell] = tr.cells;
      setText(orders, level.orders);
      setClass(orders, "num");
      setClass(quantity, "num bar-cell");
      let bar = quantity.lastElementChild;
      if (!bar) { quantity.append(document.createTextNode(""), el("span", null, "qbar")); bar = quantity.lastElementChild; }
      const amount = String(level.quantity);
      if (quantity.firstChild.nodeValue !== amount) quantity.firstChild.nodeValue = amount;
      const width = Math.max(2, Math.round((level.quantity / scale) * 100)) + "%";
      if (bar.style.width !== width) bar.style.width = width;
      setText(priceCell, price(level.price));
      setClass(priceCell, "num price");
    });
  }

  function renderBook() {
    const book = state.book;
    const asks = book ? book.depth.sell.slice().reverse() : [];
    const bids = book ? book.depth.buy : [];
    let scale = 1;
    for (const l of asks) scale = Math.max(scale, l.quantity);
    for (const l of bids) scale = Math.max(scale, l.quantity);
    const own = ownLevels();
    bookRows($("asks"), asks, "SELL", scale, own);
    bookRows($("bids"), bids, "BUY", scale, own);
    const bestBid = book?.best_bid?.price, bestAsk = book?.best_ask?.price;
    setText($("spread-cell"), bestBid != null && bestAsk != null
      ? "spread " + price(Number(bestAsk) - Number(bestBid)) : (book ? "one-sided" : "–"));
  }

  function tapeRow() {
    const tr = el("tr");
    for (let i = 0; i < 4; i++) tr.append(el("td"));
    return tr;
  }

  // New trades go on top in rows taken from the bottom; the rows still showing a trade are left alone.
  function renderTape() {
    const tbody = $("tape").tBodies[0];
    const top = tbody.rows.length > 0 ? tbody.rows[0].dataset.tradeId : undefined;
    // Trades above the one on top; none found (another symbol, or all new): the rows are rewritten where they are.
    const fresh = Math.max(0, state.tape.findIndex((t) => t.trade_id === top));
    while (tbody.rows.length > state.tape.length) tbody.lastElementChild.remove();
    const moved = [];
    for (let n = 0; n < fresh; n++) {
      if (tbody.rows.length + moved.length < state.tape.length) {
        moved.push(tapeRow());
      } else {
        const tr = tbody.lastElementChild;
        tr.remove();
        moved.push(tr);
      }
    }
    tbody.prepend(...moved);
    while (tbody.rows.length < state.tape.length) tbody.append(tapeRow());
    const rows = tbody.rows;
    state.tape.forEach((t, n) => {
      const tr = rows[n];
      if (tr.dataset.tradeId === t.trade_id) return;
      tr.dataset.tradeId = t.trade_id;
      const side = t.aggressor_side === "BUY" ? "buy" : "sell";
      const [when, priceCell, quantity, aggressor] = tr.cells;
      setText(when, time(t.trade_time));
      setText(priceCell, price(t.price));
      setClass(priceCell, "num " + side);
      setText(quantity, t.quantity);
      setClass(quantity, "num");
      setText(aggressor, t.aggressor_side);
      setClass(aggressor, side);
    });
  }

  function renderChart() {
    const canvas = $("chart");
    const ratio = window.devicePixelRatio || 1;
    // The size comes from the ResizeObserver: reading it here would make the browser lay out the panels just changed.
    const width = Math.max(100, Math.round(state.chartSize.width * ratio));
    const height = Math.max(100, Math.round(state.chartSize.height * ratio));
    const g = canvas.getContext("2d");
    // A new size resets the context; the font is set then only (setting it resolves the canvas's style).
    // A context left with the font and direction "inherit" makes every fillText resolve the canvas's style (a style
    // recalculation of whatever the page changed before); explicit ones need none.
    if (canvas.width !== width || canvas.height !== height || !state.chartFont) {
      canvas.width = width;
      canvas.height = height;
      g.font = Math.round(10 * ratio) + "px sans-serif";
      g.direction = "ltr";
      state.chartFont = true;
    }
    g.clearRect(0, 0, width, height);
    const trades = state.chartTrades;
    const lastTrade = trades[trades.length - 1];
    setData(canvas, "tradeCount", String(trades.length));
    setData(canvas, "lastTradeId", lastTrade ? lastTrade.id : "");
    setData(canvas, "lastPrice", lastTrade ? String(lastTrade.p) : "");

    // The time axis spans the data there is: at least 2 minutes, at most the last 30.
    // The axis ends with the current minute, so its candle is whole.
    const now = Math.ceil((Math.max(Date.now(), lastTrade ? lastTrade.t : 0) + 1) / 60000) * 60000;
    let earliest = now - 60000;
    for (const c of state.candles.values()) earliest = Math.min(earliest, c[0]);
    if (trades.length > 0) earliest = Math.min(earliest, trades[0].t);
    const span = Math.min(30 * 60000, Math.max(2 * 60000, now - earliest));
    const from = now - span;
    const candles = [...state.candles.values()].filter((c) => c[0] + 60000 > from).sort((a, b) => a[0] - b[0]);
    const points = trades.filter((t) => t.t >= from);
    // Each SMA_HOPPING_TABLE window is a level over its own span (hopping windows overlap), clipped to the axis.
    const windows = state.sma.filter((w) => w.WINDOW_END > from && w.WINDOW_START < now)
      .map((w) => ({ start: Math.max(w.WINDOW_START, from), end: Math.min(w.WINDOW_END, now), sma: Number(w.SMA), vwap: Number(w.VWAP) }));
    const values = [];
    for (const c of candles) values.push(c[2], c[3]);
    for (const p of points) values.push(p.p);
    for (const w of windows) { if (isFinite(w.sma)) values.push(w.sma); if (isFinite(w.vwap)) values.push(w.vwap); }
    const style = colors();
    g.fillStyle = style.getPropertyValue("--muted");
    if (values.length === 0) {
      g.fillText("no trades yet", 10 * ratio, 20 * ratio);
      return;
    }
    let low = Infinity, high = -Infinity;
    for (const v of values) { if (v < low) low = v; if (v > high) high = v; }
    if (high - low < 1e-9) { high += 0.5; low -= 0.5; }
    const pad = (high - low) * 0.08;
    low -= pad; high += pad;
    const left = 8 * ratio, right = width - 56 * ratio, top = 8 * ratio, bottom = height - 18 * ratio;
    const x = (t) => left + ((t - from) / span) * (right - left);
    const y = (p) => bottom - ((p - low) / (high - low)) * (bottom - top);

    // Grid and price axis.
    g.strokeStyle = style.getPropertyValue("--line");
    g.lineWidth = 1;
    for (let i = 0; i <= 4; i++) {
      const p = low + ((high - low) * i) / 4;
      g.beginPath(); g.moveTo(left, y(p)); g.lineTo(right, y(p)); g.stroke();
      g.fillText(price(p), right + 4 * ratio, y(p) + 4 * ratio);
    }
    const step = span > 10 * 60000 ? 300000 : 60000;
    for (let t = Math.ceil(from / step) * step; t <= now; t += step) {
      if (x(t) - 14 * ratio >= left) g.fillText(clock(t, false), x(t) - 14 * ratio, height - 4 * ratio);
    }

    // Candles.
    const candleWidth = Math.max(2, ((right - left) * 60000 / span) * 0.6);
    for (const c of candles) {
      const cx = x(c[0] + 30000);
      const upCandle = c[4] >= c[1];
      g.strokeStyle = g.fillStyle = upCandle ? style.getPropertyValue("--buy") : style.getPropertyValue("--sell");
      g.globalAlpha = 0.45;
      g.beginPath(); g.moveTo(cx, y(c[2])); g.lineTo(cx, y(c[3])); g.stroke();
      const bodyTop = y(Math.max(c[1], c[4])), bodyBottom = y(Math.min(c[1], c[4]));
      g.fillRect(cx - candleWidth / 2, bodyTop, candleWidth, Math.max(1, bodyBottom - bodyTop));
      g.globalAlpha = 1;
    }

    // Trades.
    g.fillStyle = style.getPropertyValue("--accent");
    const dot = Math.max(1.5, 1.5 * ratio);
    g.beginPath();
    for (const p of points) g.rect(x(p.t) - dot, y(p.p) - dot, dot * 2, dot * 2);
    g.fill();

    // SMA (solid) and VWAP (dashed) of each window, over the window's span.
    function levels(key, color, dash) {
      g.strokeStyle = color;
      g.lineWidth = 2 * ratio;
      g.setLineDash(dash);
      for (const w of windows) {
        if (!isFinite(w[key])) continue;
        g.beginPath(); g.moveTo(x(w.start), y(w[key])); g.lineTo(x(w.end), y(w[key])); g.stroke();
      }
      g.setLineDash([]);
      g.lineWidth = 1;
    }
    levels("sma", style.getPropertyValue("--sma"), []);
    levels("vwap", style.getPropertyValue("--vwap"), [6 * ratio, 4 * ratio]);
    setData(canvas, "smaWindows", String(windows.length));
  }

  function rankingRows(tbody, entries, symbolKey) {
    const rows = pooledRows(tbody, entries.length, 4);
    entries.forEach((r, i) => {
      const cells = rows[i].cells;
      const profit = Number(r.PROFIT);
      setText(cells[0], i + 1);
      setText(cells[1], r[symbolKey]);
      setText(cells[2], price(r.PROFIT, r[symbolKey]));
      setClass(cells[2], "num " + (profit > 0 ? "up" : profit < 0 ? "down" : ""));
      setText(cells[3], Number(r.PROFIT_PCT).toFixed(2));
      setClass(cells[3], "num");
    });
  }

  function windowText(start, end) {
    const f = (t) => clock(t, true);
    return start ? f(start) + "–" + f(end) : "";
  }

  function renderRanking() {
    const r = state.ranking;
    const closed = r && r.closed && r.closed.RANKING ? r.closed.RANKING : [];
    rankingRows($("closed-ranking").tBodies[0], closed, "STOCK_SYMBOL");
    setText($("closed-window"), r && r.closed ? windowText(r.closed.WINDOW_START, r.closed.WINDOW_END) : "(none yet)");
    const open = r ? r.open : [];
    const newest = Math.max(0, ...open.map((p) => p.WINDOW_START));
    const running = open.filter((p) => p.WINDOW_START === newest).sort((a, b) => Number(b.PROFIT) - Number(a.PROFIT));
    rankingRows($("open-ranking").tBodies[0], running, "STOCK_SYMBOL");
    setText($("open-window"), running.length ? windowText(running[0].WINDOW_START, running[0].WINDOW_END) : "");
  }

  function renderOrders() {
    const open = [...state.orders.values()].filter((o) => openStatuses.has(o.status))
      .sort((a, b) => b.order_timestamp - a.order_timestamp);
    replaceRows($("open-orders").tBodies[0], open.map((o) => {
      const tr = el("tr");
      tr.dataset.orderId = o.order_id;
      tr.dataset.status = o.status;
      const modify = el("button", "Modify");
      modify.type = "button";
      modify.dataset.action = "modify";
      const cancel = el("button", "Cancel");
      cancel.type = "button";
      cancel.dataset.action = "cancel";
      const actions = el("td");
      actions.append(modify, " ", cancel);
      tr.append(
        el("td", o.symbol), el("td", o.side, o.side === "BUY" ? "buy" : "sell"),
        el("td", price(o.price, o.symbol), "num"), el("td", o.filled_quantity + "/" + o.quantity, "num"),
        el("td", o.status.replaceAll("_", " ")), actions,
      );
      return tr;
    }));
  }

  function renderFills() {
    replaceRows($("fills").tBodies[0], state.fills.slice(0, 50).map((f) => {
      const tr = el("tr");
      tr.dataset.tradeId = f.trade_id;
      tr.append(
        el("td", time(f.fill_timestamp)), el("td", f.symbol), el("td", f.side, f.side === "BUY" ? "buy" : "sell"),
        el("td", price(f.price, f.symbol), "num"), el("td", f.quantity, "num"),
      );
      return tr;
    }));
  }

  function fillSymbolChoices() {
    const select = $("order-symbol");
    const symbols = [...state.instruments.keys()];
    if (select.options.length === symbols.length) return;
    select.replaceChildren(...symbols.map((s) => el("option", s)));
    if (state.symbol) select.value = state.symbol;
  }

  // ---------- forms ----------

  function clearErrors(form) {
    for (const e of form.querySelectorAll("[data-error-for]")) e.textContent = "";
  }

  // The gateway names the field it refuses; its reason goes next to that field (or under the form).
  function showError(form, json, status) {
    const field = json && json.field;
    const text = (json && (json.reason || json.message)) || ("HTTP " + status);
    const target = form.querySelector('[data-error-for="' + CSS.escape(field || "general") + '"]') || form.querySelector('[data-error-for="general"]');
    target.textContent = field && !target.closest(".field") ? field + ": " + text : text;
  }

  function numberOrText(text) {
    const trimmed = text.trim();
    if (trimmed === "") return undefined;
    const n = Number(trimmed);
    return Number.isFinite(n) ? n : trimmed;
  }

  async function placeOrder(event) {
    event.preventDefault();
    const form = $("order-form");
    clearErrors(form);
    $("order-result").textContent = "";
    const order = {
      symbol: $("order-symbol").value,
      side: $("order-side").value,
      order_type: $("order-type").value,
      quantity: numberOrText($("order-quantity").value),
      validity: $("order-validity").value,
    };
    if (order.order_type === "LIMIT") order.price = numberOrText($("order-price").value);
    if (order.validity === "TTL") order.validity_ttl = numberOrText($("order-ttl").value);
    if (order.validity === "GTD") {
      const at = Date.parse($("order-expire").value);
      if (Number.isFinite(at)) order.expire_at = at;
    }
    for (const key of Object.keys(order)) if (order[key] === undefined) delete order[key];
    const answer = await api("POST", "/orders", order);
    if (!answer.ok) { showError(form, answer.json, answer.status); return; }
    const id = answer.json.data.order_id;
    $("order-result").textContent = "accepted " + id;
    if (!state.orders.has(id)) {
      const view = await api("GET", "/orders/" + encodeURIComponent(id));
      if (view.ok && !state.orders.has(id)) { state.orders.set(id, view.json.data); markDirty("orders", "book"); }
    }
  }

  async function orderAction(event) {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    const id = button.closest("tr").dataset.orderId;
    if (button.dataset.action === "cancel") {
      const answer = await api("DELETE", "/orders/" + encodeURIComponent(id));
      if (!answer.ok) showError($("modify-form"), answer.json, answer.status);
      return;
    }
    const order = state.orders.get(id);
    state.modifying = id;
    $("modify-order").textContent = order.symbol + " " + order.side + " " + id.slice(0, 8);
    $("modify-price").value = order.price ?? "";
    $("modify-quantity").value = order.quantity;
    clearErrors($("modify-form"));
    $("modify-form").hidden = false;
  }

  async function modifyOrder(event) {
    event.preventDefault();
    const form = $("modify-form");
    clearErrors(form);
    const change = {};
    const p = numberOrText($("modify-price").value), q = numberOrText($("modify-quantity").value);
    if (p !== undefined) change.price = p;
    if (q !== undefined) change.quantity = q;
    const answer = await api("PUT", "/orders/" + encodeURIComponent(state.modifying), change);
    if (!answer.ok) { showError(form, answer.json, answer.status); return; }
    form.hidden = true;
  }

  async function signIn(event) {
    event.preventDefault();
    const token = $("token").value.trim();
    $("signin-error").textContent = "";
    if (!token) { $("signin-error").textContent = "type an API key or JWT"; return; }
    state.token = token;
    const answer = await api("GET", "/orders");
    if (!answer.ok) {
      state.token = null;
      $("signin-error").textContent = (answer.json && answer.json.message) || ("HTTP " + answer.status);
      return;
    }
    sessionStorage.setItem(tokenKey, token);
    $("token").value = "";
    await startSession(answer.json.data);
  }

  async function startSession(orders) {
    state.orders = new Map(orders.map((o) => [o.order_id, o]));
    const trades = await api("GET", "/trades");
    state.fills = trades.ok ? trades.json.data.slice().reverse() : [];
    connect();
    markDirty("orders", "fills", "book", "session");
  }

  function signOut() {
    sessionStorage.removeItem(tokenKey);
    state.token = null;
    state.trader = null;
    state.orders = new Map();
    state.fills = [];
    $("modify-form").hidden = true;
    connect();
    markDirty("session", "orders", "fills", "book");
  }

  function showValidityFields() {
    const v = $("order-validity").value;
    $("ttl-field").hidden = v !== "TTL";
    $("expire-field").hidden = v !== "GTD";
    $("order-price").disabled = $("order-type").value === "MARKET";
  }

  // ---------- start ----------

  document.addEventListener("DOMContentLoaded", async () => {
    $("signin").addEventListener("submit", signIn);
    $("signout").addEventListener("click", signOut);
    $("order-form").addEventListener("submit", placeOrder);
    $("order-validity").addEventListener("change", showValidityFields);
    $("order-type").addEventListener("change", showValidityFields);
    $("open-orders").addEventListener("click", orderAction);
    $("modify-form").addEventListener("submit", modifyOrder);
    $("modify-close").addEventListener("click", () => { $("modify-form").hidden = true; });
    $("order-symbol").addEventListener("change", (e) => watch(e.target.value));
    $("instruments").addEventListener("click", (e) => {
      const row = e.target.closest("tr[data-symbol]");
      if (row) watch(row.dataset.symbol);
    });
    new ResizeObserver((entries) => {
      const box = entries[entries.length - 1].contentRect;
      state.chartSize = { width: box.width, height: box.height };
      markDirty("chart");
    }).observe($("chart"));
    showValidityFields();
    if (state.token) {
      const answer = await api("GET", "/orders");
      if (answer.ok) { await startSession(answer.json.data); return; }
      sessionStorage.removeItem(tokenKey);
      state.token = null;
    }
    connect();
    markDirty("session");
  });
})();
