"""The page's DevTools protocol over its own WebSocket, for trading_screen.py's `measure`: a trace of the tab
(`Tracing`) and, for trying page changes without rebuilding the exchange, the page's files served from a directory
(`Fetch`). Selenium's `execute_cdp_cmd` answers commands but receives no events, and both need events.

`summarize` reads a trace: the time the tab's main thread spent per kind of work (script, style, layout, paint,
garbage collection, ...), as a whole and inside given spans (the long animation frames the page observed), in wall
time and in the thread's CPU time, so a long frame is attributed by what the browser recorded, not guessed.
"""
import base64
import json
import os
import threading
import urllib.request

import websocket  # websocket-client, which Selenium depends on (.ci/browser-venv installs it with Selenium)

# What Chrome's own Performance panel records, less the screenshots and the sampling profiler.
CATEGORIES = ",".join([
    "toplevel", "devtools.timeline", "disabled-by-default-devtools.timeline", "disabled-by-default-devtools.timeline.frame",
    "blink.user_timing", "v8.execute", "v8", "disabled-by-default-v8.gc", "blink.gc", "loading", "latencyInfo",
])

# Trace event names, by kind of work. Time inside an event counts for its kind less its children's (self time).
KINDS = {
    "script": {"FunctionCall", "EvaluateScript", "v8.compile", "v8.compileModule", "V8.CompileCode", "v8.run", "v8.callFunction",
               "RunMicrotasks", "v8.evaluateModule", "TimerFire", "FireAnimationFrame", "EventDispatch", "V8.Execute",
               "v8.parseOnBackground", "V8.DeserializeContext", "ParseScript", "XHRReadyStateChange", "FireIdleCallback",
               "WebSocketReceiveHandshakeResponse", "v8.produceCache", "CompileScript", "HandlePostMessage",
               "SchedulePostMessage", "FunctionCall::Deferred"},
    "style": {"UpdateLayoutTree", "RecalculateStyles", "ParseAuthorStyleSheet", "ScheduleStyleRecalculation"},
    "layout": {"Layout", "UpdateLayout", "LayoutInvalidationTracking", "IntersectionObserverController::computeIntersections",
               "ResizeObserverController::DeliverObservations", "ComputeIntersections"},
    "paint": {"PrePaint", "Paint", "PaintImage", "Layerize", "UpdateLayer", "UpdateLayerTree", "CompositeLayers", "Commit",
              "PaintSetup", "RasterTask", "Decode Image", "ImageDecodeTask", "ScrollLayer", "Canvas2DLayerBridge::flush",
              "DrawFrame", "BeginMainThreadFrame", "LocalFrameView::RunPostLifecycleSteps"},
    "gc": {"MinorGC", "MajorGC", "BlinkGC.AtomicPhase", "V8.GCScavenger", "V8.GCFinalizeMC", "V8.GCIncrementalMarking",
           "V8.GCCompactor", "V8.GC_MC_BACKGROUND_MARKING", "ThreadState::performIdleLazySweep", "CppGC.IncrementalSweep",
           "BlinkGC.CompleteSweep", "V8.GCFinalizeMCReduceMemory", "V8.GCIncrementalMarkingFinalize", "V8.GCIncrementalMarkingStart",
           "V8.GCEmbedderTracing", "V8.GC_MC_INCREMENTAL", "V8.GCScavengerTask", "BlinkGC.IncrementalMarkingStep"},
    "parse": {"ParseHTML", "v8.parse", "V8.ParseProgram", "V8.ParseFunction"},
}
KIND_OF = {name: kind for kind, names in KINDS.items() for name in names}


def kind(name):
    if name in KIND_OF:
        return KIND_OF[name]
    # V8's collector phases (V8.GC_SCAVENGER_..., V8.GC_MC_...) and Blink's.
    return "gc" if name.startswith(("V8.GC", "BlinkGC.", "CppGC.")) else "other"
# Events whose self time is the scheduler's own, not the page's work (a task's envelope).
TASK = {"RunTask", "ThreadControllerImpl::RunTask", "ThreadPool_RunTask"}


class DevTools:
    def __init__(self, driver):
        address = driver.capabilities["goog:chromeOptions"]["debuggerAddress"]
        with urllib.request.urlopen("http://%s/json/list" % address, timeout=10) as answer:
            targets = json.load(answer)
        page = next(t for t in targets if t["type"] == "page")
        # No Origin header: Chrome refuses DevTools WebSockets from origins it was not told to allow.
        self.socket = websocket.create_connection(page["webSocketDebuggerUrl"], suppress_origin=True, timeout=None)
        self.lock = threading.Lock()
        self.next_id = 0
        self.answers = {}
        self.answered = threading.Condition()
        self.handlers = {}
        self.trace = []
        self.trace_complete = threading.Event()
        self.handlers["Tracing.dataCollected"] = lambda p: self.trace.extend(p["value"])
        self.handlers["Tracing.tracingComplete"] = lambda p: self.trace_complete.set()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        while True:
            try:
                message = json.loads(self.socket.recv())
            except (websocket.WebSocketException, OSError, ValueError):
                with self.answered:
                    self.answers[None] = "closed"
                    self.answered.notify_all()
                return
            if "id" in message:
                with self.answered:
                    self.answers[message["id"]] = message
                    self.answered.notify_all()
            elif message.get("method") in self.handlers:
                self.handlers[message["method"]](message.get("params", {}))

    def send(self, method, params=None):
        """Sends a command without waiting for its answer (safe from an event handler, which runs on the reader)."""
        with self.lock:
            self.next_id += 1
            self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params or {}}))
            return self.next_id

    def call(self, method, params=None, timeout=60):
        number = self.send(method, params)
        with self.answered:
            if not self.answered.wait_for(lambda: number in self.answers or None in self.answers, timeout):
                raise AssertionError("DevTools did not answer %s within %s s" % (method, timeout))
            if number not in self.answers:
                raise AssertionError("the DevTools connection closed during " + method)
            answer = self.answers.pop(number)
        if "error" in answer:
            raise AssertionError("DevTools %s: %s" % (method, answer["error"]))
        return answer.get("result", {})

    def serve_assets(self, directory):
        """Answers the page's script and style sheet (`/ui/app.js`, `/ui/app.css`) from `directory` with the gateway's headers,
        so a change to the page can be measured against a built exchange. For trying changes only: the figures in
        docs come from the files compiled into the exchange."""
        files = {"/ui/app.js": ("app.js", "text/javascript; charset=utf-8"),
                 "/ui/app.css": ("app.css", "text/css; charset=utf-8")}

        def paused(params):
            request_id, url = params["requestId"], params["request"]["url"]
            path = "/" + url.split("://", 1)[1].split("/", 1)[1].split("?", 1)[0] if "://" in url else url
            if path not in files:
                self.send("Fetch.continueRequest", {"requestId": request_id})
                return
            name, content_type = files[path]
            with open(os.path.join(directory, name), "rb") as f:
                body = f.read()
            headers = [{"name": "Content-Type", "value": content_type}, {"name": "Cache-Control", "value": "no-cache"},
                       {"name": "Content-Security-Policy", "value": "default-src 'none'; script-src 'self'; style-src 'self'; "
                        "img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"}]
            self.send("Fetch.fulfillRequest", {"requestId": request_id, "responseCode": 200, "responseHeaders": headers,
                                               "body": base64.b64encode(body).decode()})

        self.handlers["Fetch.requestPaused"] = paused
        # The script and style sheet only: a document answered here would count as from outside the local network,
        # and Chrome would then refuse its WebSocket to the gateway on 127.0.0.1 (Local Network Access).
        self.call("Fetch.enable", {"patterns": [{"urlPattern": "*/ui/*", "requestStage": "Request"}]})

    def start_trace(self):
        self.trace, self.trace_complete = [], threading.Event()
        self.handlers["Tracing.dataCollected"] = lambda p: self.trace.extend(p["value"])
        self.handlers["Tracing.tracingComplete"] = lambda p: self.trace_complete.set()
        self.call("Tracing.start", {"transferMode": "ReportEvents", "traceConfig": {
            "recordMode": "recordContinuously", "includedCategories": CATEGORIES.split(","), "enableSampling": False}})

    def stop_trace(self, timeout=120):
        self.call("Tracing.end")
        if not self.trace_complete.wait(timeout):
            raise AssertionError("the trace did not complete within %s s" % timeout)
        return self.trace

    def close(self):
        try:
            self.socket.close()
        except (websocket.WebSocketException, OSError):
            pass


def main_thread(events, mark):
    """The (pid, tid) of the renderer main thread that recorded the user-timing mark `mark`, and the mark's trace time
    in microseconds."""
    for e in events:
        if e.get("name") == mark and "blink.user_timing" in e.get("cat", ""):
            return (e["pid"], e["tid"]), e["ts"]
    raise AssertionError("the trace has no mark %r: the page's main thread is unknown" % mark)


def spans(events, thread):
    """The thread's complete spans [(start, end, cpu or None, name)], from X events and B/E pairs, sorted by start."""
    out, open_ = [], {}
    for e in events:
        if (e.get("pid"), e.get("tid")) != thread:
            continue
        ph = e.get("ph")
        if ph == "X" and "dur" in e:
            out.append((e["ts"], e["ts"] + e["dur"], e.get("tdur"), e["name"]))
        elif ph == "B":
            open_.setdefault(e["name"], []).append(e)
        elif ph == "E" and open_.get(e.get("name")):
            b = open_[e["name"]].pop()
            cpu = e["tts"] - b["tts"] if "tts" in e and "tts" in b else None
            out.append((b["ts"], e["ts"], cpu, e["name"]))
    out.sort(key=lambda s: (s[0], -s[1]))
    return out


def self_times(spans_, start, end):
    """Microseconds per kind of work inside [start, end), wall and CPU: each span's self time (its children removed),
    clipped to the window (CPU time pro rata). A task envelope's self time counts as "other"; the window's wall time
    outside every task is "between tasks" (the thread had nothing to run, or waited for a core to start the next).
    Wall time above CPU time inside the tasks is time the thread was ready but not running (the cores were busy)."""
    wall, cpu = {}, {}
    stack = []  # [end, kind, children's clipped wall, clipped wall, clipped cpu or None, children's clipped cpu]

    def close(item):
        kind = item[1]
        wall[kind] = wall.get(kind, 0.0) + item[3] - item[2]
        if item[4] is not None:
            cpu[kind] = cpu.get(kind, 0.0) + max(0.0, item[4] - item[5])

    for s in spans_:
        while stack and stack[-1][0] <= s[0]:
            close(stack.pop())
        if s[1] <= start or s[0] >= end:
            continue
        length = max(0.0, min(s[1], end) - max(s[0], start))
        used = s[2] * length / (s[1] - s[0]) if s[2] is not None and s[1] > s[0] else (0.0 if s[2] is not None else None)
        if stack:
            stack[-1][2] += length
            stack[-1][5] += used or 0.0
        stack.append([s[1], kind(s[3]), 0.0, length, used, 0.0])
    while stack:
        close(stack.pop())
    top_wall = sum(wall.values())
    wall["between tasks"] = max(0.0, (end - start) - top_wall)
    return wall, cpu, top_wall, sum(cpu.values())


def summarize(events, mark, mark_page_ms, frames, from_ms, to_ms):
    """Main-thread time per kind over [from_ms, to_ms] (page clock, performance.now()) and inside each frame of
    `frames` ({start, duration} in page milliseconds), in milliseconds. `mark_page_ms` is the page's clock at the mark."""
    thread, mark_ts = main_thread(events, mark)
    offset = mark_ts - mark_page_ms * 1000.0  # trace microseconds = page milliseconds * 1000 + offset
    all_spans = spans(events, thread)

    def window(a_ms, b_ms):
        wall, cpu, tasks_wall, tasks_cpu = self_times(all_spans, a_ms * 1000 + offset, b_ms * 1000 + offset)

        def ms(totals):
            return {k: round(v / 1000, 1) for k, v in sorted(totals.items(), key=lambda kv: -kv[1]) if v >= 50}
        return {"wall_ms_by_kind": ms(wall), "cpu_ms_by_kind": ms(cpu),
                "tasks_wall_ms": round(tasks_wall / 1000, 1), "tasks_cpu_ms": round(tasks_cpu / 1000, 1)}

    return {"whole": window(from_ms, to_ms),
            "long_frames": [dict(window(f["start"], f["start"] + f["duration"]), start_ms=round(f["start"] - from_ms),
                                 duration_ms=round(f["duration"], 1)) for f in frames]}
