"""Drives the trading screen in headless Chromium (Selenium, Debian's chromedriver), for BrowserUITests.

  trading_screen.py flow    --url http://127.0.0.1:PORT --symbol UITEST --screenshots DIR
  trading_screen.py locked  --url http://127.0.0.1:PORT --symbol AAPL --screenshots DIR
  trading_screen.py measure --url http://127.0.0.1:PORT --symbol AAPL --seconds 30 --screenshots DIR

`locked` (against `--market-data key`) checks that the page asks to sign in and opens no WebSocket without a key.
`flow` signs in, places an order with the form, finds it among the open orders and marked in the book, sends a
crossing order as another trader, and waits for the trade in the tape, the chart and the book; a bad price must show
the gateway's error next to the price field; the first trader then modifies and cancels what is left. `measure` watches a busy symbol and prints the tab's CPU time and its
longest frame. Every wait is a condition with a deadline (WebDriverWait). Exit 0 on success; on failure it prints
what it waited for and saves a screenshot of the page as it was.
"""
import argparse
import json
import os
import sys
import time

from devtools import DevTools, summarize
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

DESKTOP = (1280, 800)
MARK = "trading-screen-measure"  # the mark OBSERVER sets
PHONE = (390, 844)


def browser(args, size):
    options = webdriver.ChromeOptions()
    options.binary_location = args.chromium
    # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
    for flag in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--window-size=%d,%d" % size, "--lang=en-US"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=args.chromedriver), options=options)


class Page:
    def __init__(self, driver, screenshots, timeout=30):
        self.driver = driver
        self.screenshots = screenshots
        self.timeout = timeout

    def until(self, what, condition, timeout=None):
        try:
            return WebDriverWait(self.driver, timeout or self.timeout, poll_frequency=0.05).until(lambda d: condition())
        except TimeoutException:
            path = os.path.join(self.screenshots, "failure.png")
            self.driver.save_screenshot(path)
            raise AssertionError("timed out after %s s waiting for %s (page saved to %s)" % (timeout or self.timeout, what, path))

    def find(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def click(self, css):
        # In one script: the live panels replace their rows a few times a second, so a found element may be gone by
        # the time a separate click command reaches it.
        if not self.driver.execute_script("const e = document.querySelector(arguments[0]); if (e) e.click(); return Boolean(e)", css):
            raise AssertionError("nothing to click at " + css)

    def text(self, css):
        found = self.find(css)
        return found[0].text if found else None

    def sign_in(self, key, trader):
        field = self.driver.find_element(By.ID, "token")
        field.clear()
        field.send_keys(key)
        self.driver.find_element(By.ID, "signin-button").click()
        self.until("signed in as " + trader, lambda: self.text("#trader") == trader and self.find("#order-form")[0].is_displayed())

    def sign_out(self):
        self.driver.find_element(By.ID, "signout").click()
        self.until("signed out", lambda: self.find("#signin")[0].is_displayed())

    def select(self, symbol):
        self.until("%s in the instrument list" % symbol, lambda: self.find('#instruments tr[data-symbol="%s"]' % symbol))
        self.click('#instruments tr[data-symbol="%s"] td' % symbol)
        self.until("%s selected" % symbol, lambda: self.text("#chart-symbol") == symbol)

    def place(self, side, price, quantity):
        Select(self.driver.find_element(By.ID, "order-side")).select_by_visible_text(side)
        Select(self.driver.find_element(By.ID, "order-type")).select_by_visible_text("LIMIT")
        Select(self.driver.find_element(By.ID, "order-validity")).select_by_visible_text("DAY")
        for field, value in (("order-price", price), ("order-quantity", quantity)):
            element = self.driver.find_element(By.ID, field)
            element.clear()
            element.send_keys(str(value))
        self.driver.execute_script("document.getElementById('order-result').textContent = ''")
        self.driver.find_element(By.ID, "order-submit").click()

    def rows(self, css):
        """Each matching row's data attributes, class and cell texts, read in one script (see `click`)."""
        return self.driver.execute_script(
            "return [...document.querySelectorAll(arguments[0])].map(r => "
            "({data: Object.assign({}, r.dataset), own: r.classList.contains('own'), cells: [...r.cells].map(c => c.textContent)}))", css)

    def book_levels(self, side):
        return [(float(r["data"]["price"]), int(r["data"]["quantity"]), r["own"]) for r in self.rows("#asks tr" if side == "SELL" else "#bids tr")]

    def viewport(self, size, height=None):
        """The page's viewport exactly `size` (the window's size would include the browser's own bars)."""
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": size[0], "height": height or size[1], "deviceScaleFactor": 1, "mobile": size == PHONE})
        # Wait for the layout the new width gives (one column below 900 px) and the chart redrawn to it.
        self.until("the layout at %dx%d" % size, lambda: self.driver.execute_script(
            "return document.documentElement.clientWidth") <= size[0])
        self.until("the chart drawn at the new width", lambda: self.driver.execute_script(
            "const c = document.getElementById('chart'); return c.clientWidth > 0 && Math.abs(c.width - Math.round(c.clientWidth * devicePixelRatio)) <= 1"))

    def shot(self, name, size):
        self.viewport(size)
        if size == PHONE:
            # The whole page, however long the one column makes it.
            self.viewport(size, max(size[1], self.driver.execute_script("return document.documentElement.scrollHeight")))
        path = os.path.join(self.screenshots, name)
        self.driver.save_screenshot(path)
        self.viewport(DESKTOP)
        return path


def flow(args):
    driver = browser(args, DESKTOP)
    page = Page(driver, args.screenshots)
    report = {}
    try:
        driver.get(args.url + "/")
        page.until("the WebSocket to open", lambda: page.find('#connection[data-state="open"]'))
        page.until("the instrument list", lambda: len(page.find("#instruments tbody tr")) > 1)
        page.sign_in(args.alice, "alice")
        page.select(args.symbol)
        page.until("the form on %s" % args.symbol,
                   lambda: Select(driver.find_element(By.ID, "order-symbol")).first_selected_option.text == args.symbol)

        # A price off the tick grid: the gateway's reason shows next to the price field, and nothing is placed.
        page.place("SELL", args.bad_price, 10)
        page.until("the gateway's error next to the price",
                   lambda: "tick size" in (page.text('#order-form [data-error-for="price"]') or ""))
        report["bad_price_error"] = page.text('#order-form [data-error-for="price"]')

        page.place("SELL", args.price, 10)
        page.until("the order accepted", lambda: (page.text("#order-result") or "").startswith("accepted "))
        order_id = page.text("#order-result").split(" ", 1)[1]
        report["order_id"] = order_id
        page.until("the order among the open orders", lambda: page.find('#open-orders tr[data-order-id="%s"][data-status="NEW"]' % order_id))
        page.until("the order in the book, marked as own",
                   lambda: (float(args.price), 10, True) in page.book_levels("SELL"))
        page.shot("trading-screen-1280x800-order.png", DESKTOP)

        # Another trader crosses it: the trade shows in the tape, the chart, the book and bob's fills.
        page.sign_out()
        page.sign_in(args.bob, "bob")
        page.place("BUY", args.price, 4)
        page.until("the crossing order accepted", lambda: (page.text("#order-result") or "").startswith("accepted "))
        page.until("the trade in the tape", lambda: page.rows("#tape tbody tr[data-trade-id]"))
        row = page.rows("#tape tbody tr[data-trade-id]")[0]
        trade_id = row["data"]["tradeId"]
        cells = row["cells"]
        report["tape_row"] = cells
        assert float(cells[1]) == float(args.price) and cells[2] == "4" and cells[3] == "BUY", cells
        page.until("the trade in the chart", lambda: driver.find_element(By.ID, "chart").get_attribute("data-last-trade-id") == trade_id)
        report["chart_trades"] = int(driver.find_element(By.ID, "chart").get_attribute("data-trade-count"))
        page.until("the book to show 6 left at the price", lambda: (float(args.price), 6, False) in page.book_levels("SELL"))
        page.until("the fill among bob's fills", lambda: page.find('#fills tr[data-trade-id="%s"]' % trade_id))
        report["trade_id"] = trade_id

        # Alice sees her order partly filled, and cancels the rest from the open orders.
        page.sign_out()
        page.sign_in(args.alice, "alice")
        page.until("alice's order partly filled",
                   lambda: page.find('#open-orders tr[data-order-id="%s"][data-status="PARTIALLY_FILLED"]' % order_id))
        page.shot("trading-screen-1280x800.png", DESKTOP)
        page.shot("trading-screen-390-phone.png", PHONE)
        # Modify: 10 of which 4 filled becomes 8 (4 left in the book), then cancel the rest.
        page.click('#open-orders tr[data-order-id="%s"] button[data-action="modify"]' % order_id)
        page.until("the modify form", lambda: page.find("#modify-form")[0].is_displayed())
        quantity = driver.find_element(By.ID, "modify-quantity")
        quantity.clear()
        quantity.send_keys("8")
        page.click('#modify-form button[type="submit"]')
        page.until("the order modified to 4/8", lambda: any(
            r["cells"][3] == "4/8" for r in page.rows('#open-orders tr[data-order-id="%s"]' % order_id)))
        page.until("the book to show 4 left at the price", lambda: (float(args.price), 4, True) in page.book_levels("SELL"))
        page.click('#open-orders tr[data-order-id="%s"] button[data-action="cancel"]' % order_id)
        page.until("the cancelled order gone from the open orders", lambda: not page.find('#open-orders tr[data-order-id="%s"]' % order_id))
        page.until("the cancelled order gone from the book", lambda: not page.book_levels("SELL"))

        # The busy market, for the screenshots.
        page.select(args.busy_symbol)
        page.until("trades of %s in the tape" % args.busy_symbol, lambda: page.find("#tape tbody tr"), timeout=60)
        page.until("the book of %s" % args.busy_symbol, lambda: page.find("#asks tr") or page.find("#bids tr"), timeout=60)
        report["screenshots"] = [page.shot("trading-screen-market-1280x800.png", DESKTOP),
                                 page.shot("trading-screen-market-390-phone.png", PHONE)]
        # Chrome logs every 4xx as an error: the bad price's 400 is expected, and a page without an icon gets a 404.
        expected = ("/v1/orders - Failed to load resource: the server responded with a status of 400", "favicon.ico")
        errors = [e for e in driver.get_log("browser")
                  if e.get("level") == "SEVERE" and not any(text in e.get("message", "") for text in expected)]
        report["console_errors"] = errors
        assert not errors, "console errors: %s" % errors
        print(json.dumps(report))
    finally:
        driver.quit()


def locked(args):
    """Against `exchange run --market-data key`: the page asks to sign in and opens no WebSocket until it has a key;
    signed in, the market shows; signed out, the request to sign in is back."""
    driver = browser(args, DESKTOP)
    page = Page(driver, args.screenshots)
    report = {}
    try:
        driver.get(args.url + "/")
        page.until("the request to sign in", lambda: page.find("#market-hint")[0].is_displayed()
                   and page.find('#connection[data-state="signin"]'))
        report["hint"] = page.text("#market-hint")
        # No connection is tried without a key, so none fails (Chrome logs a refused handshake as an error, checked
        # below). An absence can only be watched for a while: this pause can let a regression through, never fail a
        # correct page.
        time.sleep(3)
        assert not page.find("#instruments tbody tr"), "instruments shown without a key"
        page.sign_in(args.alice, "alice")
        page.until("the WebSocket open with alice's key", lambda: page.find('#connection[data-state="open"]'))
        assert not page.find("#market-hint")[0].is_displayed(), "the request to sign in still shown after signing in"
        page.until("the instrument list", lambda: len(page.find("#instruments tbody tr")) > 1, timeout=60)
        page.sign_out()
        page.until("the request to sign in again", lambda: page.find("#market-hint")[0].is_displayed()
                   and page.find('#connection[data-state="signin"]'))
        report["screenshot"] = page.shot("trading-screen-market-data-key-1280x800.png", DESKTOP)
        errors = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE" and "favicon.ico" not in e.get("message", "")]
        report["console_errors"] = errors
        assert not errors, "console errors: %s" % errors
        print(json.dumps(report))
    finally:
        driver.quit()


def process_cpu_seconds(root_pid):
    """CPU seconds (user + system) of a process and all its descendants, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append((int(entry), int(fields[11]) + int(fields[12])))
    total, stack = 0, [root_pid]
    while stack:
        for pid, used in children.get(stack.pop(), []):
            total += used
            stack.append(pid)
    return total / ticks


OBSERVER = """
window.__measure = {longestFrame: 0, longestTask: 0, frames: 0, maxGap: 0, last: performance.now(), longFrames: []};
// The trace's clock against the page's: this mark is in both (trading_screen.py's measure, devtools.summarize).
window.__measure.start = performance.mark("trading-screen-measure").startTime;
try {
  new PerformanceObserver((list) => {
    const m = window.__measure;
    for (const e of list.getEntries()) {
      m.longestFrame = Math.max(m.longestFrame, e.duration);
      if (e.duration <= 100) continue;
      // Every frame over 100 ms, with what the browser says it spent: script (by entry point), style and layout.
      m.longFrames.push({
        start: e.startTime, duration: e.duration, blocking_ms: Math.round(e.blockingDuration),
        render_ms: e.renderStart ? Math.round(e.startTime + e.duration - e.renderStart) : 0,
        style_and_layout_ms: e.styleAndLayoutStart ? Math.round(e.startTime + e.duration - e.styleAndLayoutStart) : 0,
        scripts: e.scripts.map((s) => ({invoker: s.invoker, ms: Math.round(s.duration), forced_layout_ms: Math.round(s.forcedStyleAndLayoutDuration)})),
      });
    }
  }).observe({type: "long-animation-frame"});
} catch (e) { window.__measure.noLoaf = String(e); }
window.__measure.longTasks = [];
window.__measure.longGaps = [];
new PerformanceObserver((list) => {
  const m = window.__measure;
  for (const e of list.getEntries()) {
    m.longestTask = Math.max(m.longestTask, e.duration);
    if (e.duration > 100) m.longTasks.push({start: e.startTime, duration: e.duration});
  }
}).observe({type: "longtask"});
// Frames as the page sees them: the gaps between animation-frame callbacks, and every gap over 100 ms. The loop makes
// the page draw every frame it can (a worst case); `--no-frame-loop` leaves it out, to see the page's own cost.
if (!arguments[0]) (function tick(now) {
  const m = window.__measure; m.frames++;
  if (now - m.last > 100) m.longGaps.push({start: m.last, duration: now - m.last});
  m.maxGap = Math.max(m.maxGap, now - m.last); m.last = now;
  requestAnimationFrame(tick);
})(performance.now());
"""


def measure(args):
    driver = browser(args, DESKTOP)
    page = Page(driver, args.screenshots, timeout=60)
    tools = DevTools(driver)
    try:
        if args.assets:
            tools.serve_assets(args.assets)
        driver.get(args.url + "/")
        page.until("the WebSocket to open", lambda: page.find('#connection[data-state="open"]'))
        page.select(args.symbol)
        page.until("trades in the tape", lambda: page.find("#tape tbody tr[data-trade-id]"))
        driver.execute_cdp_cmd("Performance.enable", {"timeDomain": "timeTicks"})

        def metrics():
            return {m["name"]: m["value"] for m in driver.execute_cdp_cmd("Performance.getMetrics", {})["metrics"]}

        if args.trace:
            tools.start_trace()
        driver.execute_script(OBSERVER, not args.frame_loop)
        first_trade = page.rows("#tape tbody tr[data-trade-id]")[0]["data"]["tradeId"]
        before, browser_before, started = metrics(), process_cpu_seconds(driver.service.process.pid), time.monotonic()
        load_before = os.getloadavg()
        # The measurement's span (not a synchronisation: nothing waits on the page here).
        time.sleep(args.seconds)
        after, browser_after, elapsed = metrics(), process_cpu_seconds(driver.service.process.pid), time.monotonic() - started
        observed = driver.execute_script("return Object.assign({}, window.__measure, {now: performance.now()})")
        load_after = os.getloadavg()
        last_trade = page.rows("#tape tbody tr[data-trade-id]")[0]["data"]["tradeId"]
        trace = tools.stop_trace() if args.trace else None
        if trace is not None and args.trace_file:
            with open(args.trace_file, "w") as f:
                json.dump({"traceEvents": trace}, f)
        task = after["TaskDuration"] - before["TaskDuration"]

        def delta(name):
            return after.get(name, 0) - before.get(name, 0)
        long_frames = observed["longFrames"]
        figures = {
            "seconds": round(elapsed, 1),
            "load_average_before_after": [round(load_before[0], 2), round(load_after[0], 2)],
            "traced": bool(args.trace),
            # TaskDuration is the wall time the tab's main thread was busy (a thread waiting for a core counts);
            # ThreadTime and ProcessTime are the CPU time of that thread and of the tab's renderer process.
            "tab_main_thread_busy_seconds": round(task, 2),
            "tab_main_thread_busy_percent": round(100 * task / elapsed, 1),
            "tab_main_thread_cpu_percent_of_core": round(100 * delta("ThreadTime") / elapsed, 1),
            "tab_renderer_process_cpu_percent_of_core": round(100 * delta("ProcessTime") / elapsed, 1),
            "script_seconds": round(delta("ScriptDuration"), 2),
            "layout_seconds": round(delta("LayoutDuration"), 2),
            "style_seconds": round(delta("RecalcStyleDuration"), 2),
            "browser_processes_cpu_percent_of_core": round(100 * (browser_after - browser_before) / elapsed, 1),
            "longest_animation_frame_ms": round(observed["longestFrame"], 1),
            "longest_task_ms": round(observed["longestTask"], 1),
            "longest_gap_between_frames_ms": round(observed["maxGap"], 1),
            "frames": observed["frames"] if args.frame_loop else None,
            "long_animation_frame_api": observed.get("noLoaf", "yes"),
            "frames_over_100_ms": len(long_frames),
            "tape_moved": first_trade != last_trade,
            "chart_trades": int(driver.find_element(By.ID, "chart").get_attribute("data-trade-count")),
        }
        if trace is not None:
            # Each long frame's main-thread time by kind of work, from the trace (devtools.summarize).
            others = observed["longTasks"] + observed["longGaps"]
            summary = summarize(trace, MARK, observed["start"], long_frames + others, observed["start"], observed["now"])
            figures["trace_whole_ms_by_kind"] = summary["whole"]
            for frame, traced in zip(long_frames, summary["long_frames"]):
                frame["trace"] = traced
            # Each long frame's wall time against the main thread's CPU time in it: far apart, the thread was waiting
            # for a core (other processes had them); close, the page's own work made the frame long.
            figures["long_frames_wall_and_cpu_ms"] = [[round(f["duration"]), f["trace"]["tasks_cpu_ms"]] for f in long_frames]
            for span, traced in zip(others, summary["long_frames"][len(long_frames):]):
                span["trace"] = traced
        figures["tasks_over_100_ms"] = observed["longTasks"]
        figures["gaps_between_frames_over_100_ms"] = observed["longGaps"]
        figures["long_frames"] = long_frames
        page.shot("trading-screen-rate-2000-1280x800.png", DESKTOP)
        print(json.dumps(figures))
        assert figures["tape_moved"], "the tape did not move in %s s" % args.seconds
    finally:
        tools.close()
        driver.quit()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["flow", "locked", "measure"])
    parser.add_argument("--url", required=True)
    parser.add_argument("--symbol", required=True)
    parser.add_argument("--busy-symbol", default="AAPL")
    parser.add_argument("--price", default="101")
    parser.add_argument("--bad-price", default="101.005")
    parser.add_argument("--alice", default="alice-key")
    parser.add_argument("--bob", default="bob-key")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--no-frame-loop", dest="frame_loop", action="store_false",
                        help="no requestAnimationFrame loop (no frame count or gaps; the page draws only when it changes)")
    parser.add_argument("--no-trace", dest="trace", action="store_false", help="measure without a DevTools trace")
    parser.add_argument("--trace-file", help="save the trace here (Chrome's trace format; DevTools' Performance panel opens it)")
    parser.add_argument("--assets", help="serve the page's files from this directory (trying changes; see devtools.py)")
    parser.add_argument("--screenshots", required=True)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    args = parser.parse_args()
    os.makedirs(args.screenshots, exist_ok=True)
    try:
        {"flow": flow, "locked": locked, "measure": measure}[args.mode](args)
    except AssertionError as failure:
        print("FAILED: %s" % failure, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
