#!/usr/bin/env python3
"""The dashboard in a real browser: headless Chromium (Debian's chromium,
a fresh profile) driven over the DevTools protocol
(tests/dashboard_checks.py: WebSocket, CDP), against the seeded data of
it_dashboard.

- Logs in through the login form (typed and submitted in the page).
- Loads every view; the numbers the page shows (cards, table cells) are
  read from the DOM and equal SQL over the raw events.
- Follows a drill-down link by clicking it (Departments -> a department),
  applies filters with the filter form (a model and the 30-day range; a
  custom range), and checks the result.
- The hostile department and agent labels are text: no dialog opens, no
  script or img element exists, the heading reads the label.
- The stylesheet loads under the page's Content-Security-Policy; no
  JavaScript error, console error, CSP report or failed request.
- Phone size (390x844): no page is wider than the screen (tables scroll
  in their own box).
- An organization without any event, and one whose events carry no
  agent: every view loads with its empty state (logged in as their
  viewers through the form, after logging out).
- A screenshot of every page, desktop and phone, is saved under
  $LLMOPS_BUILDDIR/tests/screenshots/ (named in the test output).
"""

import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import dashboard_checks as dc  # noqa: E402
from dashboard_checks import HOUR  # noqa: E402

SHOTS = os.path.join(h.BUILDDIR, "tests", "screenshots")
DESKTOP = (1280, 900)
PHONE = (390, 844)

# Every table of a page as [[data-v, text], ...] rows (the "no data" row
# left out), by table id.
JS_TABLES = """JSON.stringify(Object.fromEntries(
  Array.from(document.querySelectorAll('table.data')).map(t => [t.id.slice(2),
    Array.from(t.tBodies[0].rows).filter(r => !r.querySelector('td.empty'))
      .map(r => Array.from(r.cells).map(c =>
        [c.getAttribute('data-v'), c.textContent]))])))"""
JS_CARDS = """JSON.stringify(Object.fromEntries(
  Array.from(document.querySelectorAll('.card')).map(c => [c.id.slice(2),
    [c.querySelector('.v').getAttribute('data-v'),
     c.querySelector('.v').textContent]])))"""


class Browser:
    """Chromium in its own process group, a page target attached."""

    def __init__(self):
        self.profile = h.make_dir(os.path.join(h.workdir(), "chromium-profile"))
        self.log = os.path.join(h.workdir(), "chromium.log")
        argv = [h.find_program("chromium"), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--disable-extensions", "--hide-scrollbars", "--mute-audio",
                "--user-data-dir=" + self.profile,
                "--remote-debugging-port=0", "--window-size=%d,%d" % DESKTOP,
                "about:blank"]
        with h._CriticalSection(), open(self.log, "ab") as out:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                         stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
            h.at_cleanup(self.stop)
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.monotonic() + 60
        lines = []
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise h.StartError("chromium exited (%s):\n%s" % (
                    self.proc.returncode, open(self.log).read()[-2000:]))
            try:
                with open(port_file) as f:
                    lines = f.read().split("\n")
            except OSError:
                lines = []
            if len(lines) >= 2 and lines[1].startswith("/devtools/"):
                break
            time.sleep(0.05)
        else:
            raise h.StartError("chromium wrote no DevToolsActivePort")
        self.ws = dc.WebSocket("127.0.0.1", int(lines[0]), lines[1].strip())
        self.cdp = dc.CDP(self.ws)
        target = self.cdp.send("Target.createTarget", {"url": "about:blank"})
        self.session = self.cdp.send("Target.attachToTarget", {
            "targetId": target["targetId"], "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(domain + ".enable")
        self.size(*DESKTOP, mobile=False)

    def send(self, method, params=None, timeout=30):
        return self.cdp.send(method, params, session=self.session,
                             timeout=timeout)

    def size(self, w, hgt, mobile):
        self.send("Emulation.setDeviceMetricsOverride", {
            "width": w, "height": hgt, "deviceScaleFactor": 1,
            "mobile": mobile})

    def mark(self):
        return len(self.cdp.events)

    def wait_load(self, mark, what):
        p = self.cdp.wait_event("Page.loadEventFired", timeout=30, since=mark)
        if p is None:
            raise h.StartError("%s: the page did not load" % what)

    def go(self, url):
        """Navigates and waits for the load event; returns the status of
        the document."""
        m = self.mark()
        res = self.send("Page.navigate", {"url": url})
        if res.get("errorText"):
            raise h.StartError("navigate %s: %s" % (url, res["errorText"]))
        self.wait_load(m, url)
        return self.doc_status(m)

    def doc_status(self, mark):
        for m, p, _ in self.cdp.events[mark:]:
            if m == "Network.responseReceived" and p.get("type") == "Document":
                return p["response"]["status"], {
                    k.lower(): v for k, v in p["response"]["headers"].items()}
        return None, {}

    def js(self, expr):
        r = self.send("Runtime.evaluate", {"expression": expr,
                                           "returnByValue": True,
                                           "awaitPromise": True})
        if "exceptionDetails" in r:
            raise h.StartError("JS %s: %s" % (expr[:60], r["exceptionDetails"]))
        return r["result"].get("value")

    def act(self, expr, what):
        """Runs expr (which navigates: a click, a submit) and waits for the
        new page."""
        m = self.mark()
        self.js(expr)
        self.wait_load(m, what)
        return self.doc_status(m)

    def screenshot(self, name):
        metrics = self.send("Page.getLayoutMetrics")
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        w = max(int(size["width"]), 1)
        hgt = min(max(int(size["height"]), 1), 8000)
        shot = self.send("Page.captureScreenshot", {
            "format": "png", "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": w, "height": hgt, "scale": 1}},
            timeout=60)
        data = base64.b64decode(shot["data"])
        path = os.path.join(SHOTS, name + ".png")
        with open(path, "wb") as f:
            f.write(data)
        h.ok(data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 5000,
             "screenshot %s.png (%d bytes)" % (name, len(data)))
        h.diag("screenshot: %s" % path)
        return path

    def stop(self):
        """Closes the browser, then ends its whole process group."""
        if self.proc is None:
            return
        try:
            self.cdp.send("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.ws.close()
        except Exception:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            pass
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(self.proc.pid, sig)
            except OSError:
                break
            time.sleep(0.5)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            pass
        left = h.processes_matching(self.profile)
        h.kill_processes(left)
        self.proc = None


class T:
    pass


def rel(t, name):
    x = dc.RANGE_HOURS[name] * HOUR
    return (t.s.base - x, t.s.base + HOUR)


def check_tables(t, tables, tid, cols, want, label):
    """A table as the browser shows it: exact values and the text shown."""
    rows = tables.get(tid)
    if not h.ok(rows is not None, "%s: table %s is on the page" % (label, tid),
                diag=repr(sorted(tables))):
        return
    got = [[c[0] for c in r] for r in rows]
    h.ok(dc.same_values(cols, got, want),
         "%s: table %s (%d rows) in the browser equals SQL" % (label, tid,
                                                              len(want)),
         diag=lambda: dc.first_difference(got, want))
    texts = [[c[1] for c in r] for r in rows]
    # Percentiles are shown as the browser has them (they are close to
    # the exact ones, checked above).
    exp = [[dc.shown(typ, g if typ == dc.PCTL else v, i == 0)
            for i, ((n, typ), v, g) in enumerate(zip(cols, r, gr))]
           for r, gr in zip(want, got)]
    h.ok(texts == exp, "%s: table %s shows the numbers as expected" % (
        label, tid), diag=lambda: dc.first_difference(texts, exp))


def check_cards(t, b, rng, filters, label):
    want, tot = dc.expected_cards(t.ref, rng, filters)
    got = {k: tuple(v) for k, v in json.loads(b.js(JS_CARDS)).items()}
    shown = {k: v[1] for k, v in got.items() if k != "latency_p95"}
    h.is_(shown, {k: v[1] for k, v in want.items() if k != "latency_p95"},
          "%s: the cards show cost %s, requests %s, tokens %s, error rate %s, "
          "latency %s, untagged shares" % (
              label, want["cost"][1], want["requests"][1], want["tokens"][1],
              want["error_rate"][1], want["latency_avg"][1]))
    gp = got.get("latency_p95", (None, None))
    h.ok(dc.pctl_close(gp[0], want["latency_p95"][0]) and
         gp[1] == ("%s ms" % gp[0] if gp[0] else "-"),
         "%s: the p95 card shows %s, within %s%% of the exact %s" % (
             label, gp[1], dc.PCTL_ERROR * 100, want["latency_p95"][0]))
    return tot


def views(t, b):
    """Every view, its numbers, and a screenshot."""
    url = t.stack.url
    rng7, rng30 = rel(t, "7d"), rel(t, "30d")
    status, hdrs = b.go(url("/"))
    h.is_(status, 200, "overview: 200")
    h.ok("default-src 'none'" in hdrs.get("content-security-policy", ""),
         "overview: served with its Content-Security-Policy",
         diag=repr(hdrs.get("content-security-policy")))
    h.is_(b.js("document.querySelector('h1').textContent"), "Overview",
          "overview: the heading")
    check_cards(t, b, rng7, {}, "overview")
    tables = json.loads(b.js(JS_TABLES))
    check_tables(t, tables, "top_agents", dc.ranked_cols("agent"),
                 dc.ranked_rows(t.ref.groups(rng7, {}, "agent")), "overview")
    check_tables(t, tables, "movers", dc.MOVER_COLS, dc.mover_rows(
        t.ref.groups(rng7, {}, "agent"),
        t.ref.groups((rng7[0] - (rng7[1] - rng7[0]), rng7[0]), {}, "agent")),
        "overview")
    h.is_(b.js("getComputedStyle(document.querySelector('header'))"
               ".backgroundColor"), "rgb(20, 33, 61)",
          "overview: the stylesheet is applied")
    h.ok(b.js("document.querySelectorAll('svg.svg-chart').length") >= 2,
         "overview: the charts are drawn")
    b.screenshot("overview")

    pages = [
        ("/agents", "agents", "Agent Explorer",
         [("agents", dc.ranked_cols("agent"),
           dc.ranked_rows(t.ref.groups(rng7, {}, "agent")))]),
        ("/departments", "departments", "Departments",
         [("departments", dc.ranked_cols("department"),
           dc.ranked_rows(t.ref.groups(rng7, {}, "department")))]),
        ("/teams", "teams", "Team Analysis",
         [("teams", dc.ranked_cols("team"),
           dc.ranked_rows(t.ref.groups(rng7, {}, "team")))]),
        ("/models?range=30d", "models", "Model Comparison",
         [("models", dc.MODEL_COLS, dc.model_rows(
             t.ref.groups(rng30, {}, "model"), t.ref.p95(rng30, {}, "model"),
             t.ref.served(rng30, {})))]),
        ("/timeseries?bucket=day&split=provider", "timeseries", "Time Series",
         [("series", dc.series_cols(True, "provider"), dc.series_rows(
             t.ref.groups2(rng7, {}, "day", "provider"), True))]),
        ("/errors", "errors", "Errors",
         [("errors", dc.ERROR_COLS, dc.error_rows(t.ref.failures(rng7, {}))),
          ("errors_series", dc.ERROR_SERIES_COLS, dc.error_series_rows(
              t.ref.failures_series(rng7, {}, True)))]),
        ("/events", "events", "Events",
         [("events", dc.EVENT_COLS,
           [r for _, r in t.ref.events(rng7, {})][:100])]),
    ]
    for path, name, title, tables_want in pages:
        status, _ = b.go(url(path))
        h.is_(status, 200, "%s: 200" % path)
        h.is_(b.js("document.querySelector('h1').textContent"), title,
              "%s: the heading" % path)
        tables = json.loads(b.js(JS_TABLES))
        for tid, cols, want in tables_want:
            check_tables(t, tables, tid, cols, want, path)
        b.screenshot(name)


def drill_down(t, b):
    """Departments -> eng by clicking the name."""
    rng = rel(t, "7d")
    b.go(t.stack.url("/departments"))
    status, _ = b.act("""Array.from(document.querySelectorAll(
        '#t-departments tbody td:first-child a')).find(
        a => a.textContent === 'eng').click()""", "drill-down")
    h.is_(status, 200, "drill-down: clicking a department loads its page")
    loc = urllib.parse.urlsplit(b.js("location.href"))
    h.is_((loc.path, urllib.parse.parse_qs(loc.query)),
          ("/departments", {"department": ["eng"]}),
          "drill-down: the URL names the department")
    h.is_(b.js("document.querySelector('h1').textContent"), "Department: eng",
          "drill-down: the heading")
    tables = json.loads(b.js(JS_TABLES))
    f = {"department": "eng"}
    check_tables(t, tables, "department_teams", dc.ranked_cols("team"),
                 dc.ranked_rows(t.ref.groups(rng, f, "team")), "drill-down")
    check_tables(t, tables, "department_agents", dc.ranked_cols("agent"),
                 dc.ranked_rows(t.ref.groups(rng, f, "agent")), "drill-down")
    b.screenshot("department-eng")
    # One more level: a team of eng.
    status, _ = b.act("""Array.from(document.querySelectorAll(
        '#t-department_teams tbody td:first-child a')).find(
        a => a.textContent === 'backend').click()""", "team drill-down")
    loc = urllib.parse.urlsplit(b.js("location.href"))
    h.is_((status, loc.path, urllib.parse.parse_qs(loc.query)),
          (200, "/teams", {"department": ["eng"], "team": ["backend"]}),
          "drill-down: a team of the department keeps the department filter")
    tables = json.loads(b.js(JS_TABLES))
    f["team"] = "backend"
    check_tables(t, tables, "team_models", dc.ranked_cols("model"),
                 dc.ranked_rows(t.ref.groups(rng, f, "model")), "team drill-down")


def filters(t, b):
    """The filter form: a model and the 30-day range, then a custom range."""
    b.go(t.stack.url("/agents"))
    status, _ = b.act("""(() => {
        const f = document.querySelector('form.filters');
        f.querySelector('select[name=range]').value = '30d';
        f.querySelector('select[name=model]').value = 'anthropic/claude-dash';
        f.querySelector('button[type=submit]').click(); })()""", "filter")
    loc = urllib.parse.urlsplit(b.js("location.href"))
    q = urllib.parse.parse_qs(loc.query)
    h.is_((status, loc.path, q.get("range"), q.get("model")),
          (200, "/agents", ["30d"], ["anthropic/claude-dash"]),
          "filter form: Apply puts range and model in the URL")
    h.is_(b.js("document.querySelector('select[name=model]').value"),
          "anthropic/claude-dash", "filter form: shows the model chosen")
    tables = json.loads(b.js(JS_TABLES))
    rng = rel(t, "30d")
    check_tables(t, tables, "agents", dc.ranked_cols("agent"), dc.ranked_rows(
        t.ref.groups(rng, {"model": "anthropic/claude-dash"}, "agent")),
        "filtered agents")
    b.screenshot("agents-filtered")

    base = t.s.base
    since, until = base - 100 * HOUR, base - 76 * HOUR
    b.go(t.stack.url("/"))
    status, _ = b.act("""(() => {
        const f = document.querySelector('form.filters');
        f.querySelector('select[name=range]').value = 'custom';
        f.querySelector('input[name=since]').value = %s;
        f.querySelector('input[name=until]').value = %s;
        f.querySelector('select[name=status]').value = 'success';
        f.querySelector('button[type=submit]').click(); })()""" % (
        json.dumps(fmt_arg(since)), json.dumps(fmt_arg(until))), "custom")
    h.is_(status, 200, "filter form: a custom range and a status")
    h.is_(b.js("document.querySelector('input[name=since]').value"),
          dc.iso_sec(since), "filter form: shows where the custom range starts")
    check_cards(t, b, (since, until), {"status": "success"}, "custom range")
    b.screenshot("overview-custom")


def fmt_arg(us):
    return time.strftime("%Y-%m-%dT%H:%M", time.gmtime(us // 10**6))


def hostile(t, b):
    for path, heading in (
            (dc.url("/departments", department=dc.XSS_DEPT, range="30d"),
             "Department: " + dc.XSS_DEPT),
            (dc.url("/agents", agent=dc.XSS_AGENT, range="30d"),
             "Agent: " + dc.XSS_AGENT),
            ("/agents?range=30d", "Agent Explorer")):
        status, _ = b.go(t.stack.url(path))
        h.is_(status, 200, "%s: 200" % path[:60])
        h.is_(b.js("document.querySelector('h1').textContent"), heading,
              "%s: the heading reads the label as text" % path[:60])
        h.is_(b.js("document.querySelectorAll('script, img').length"), 0,
              "%s: no script or img element" % path[:60])
    names = b.js("""Array.from(document.querySelectorAll(
        '#t-agents tbody td:first-child')).map(c => c.textContent)""")
    h.ok(dc.XSS_AGENT in names, "agents: the hostile agent's name is a cell's "
         "text", diag=repr(names))
    b.screenshot("agents-hostile")


def phone(t, b):
    b.size(*PHONE, mobile=True)
    for path, name in (("/", "phone-overview"), ("/models?range=30d",
                                                 "phone-models"),
                       ("/events", "phone-events"),
                       (dc.url("/departments", department=dc.XSS_DEPT),
                        "phone-department")):
        b.go(t.stack.url(path))
        w = b.js("[document.documentElement.scrollWidth, window.innerWidth]")
        h.ok(w[1] == PHONE[0] and w[0] <= w[1],
             "phone %s: the page is no wider than the screen (%r)" % (path[:40], w))
        b.screenshot(name)
    scroll = b.js("""(() => { const s = document.querySelector('.scroll');
        return [s.scrollWidth, s.clientWidth]; })()""")
    h.ok(scroll[0] > scroll[1], "phone: a wide table scrolls in its own box "
         "(%r)" % scroll)
    b.size(*DESKTOP, mobile=False)


def login(t, b, email=None, password=None, who=""):
    status, _ = b.go(t.stack.url("/"))
    h.ok(b.js("location.pathname") == "/login",
         "a new browser is sent to the login form" + who)
    status, _ = b.act("""(() => {
        const f = document.querySelector('form[action="/login"]');
        f.querySelector('input[name=email]').value = %s;
        f.querySelector('input[name=password]').value = %s;
        f.querySelector('button[type=submit]').click(); })()""" % (
        json.dumps(email or t.s.email), json.dumps(password or t.s.password)),
        "login")
    h.is_((status, b.js("location.pathname"),
           b.js("document.querySelector('h1').textContent")),
          (200, "/", "Overview"), "logged in through the form: the Overview"
          + who)


def sparse(t, b):
    """The organizations without data (dashboard_checks.seed_sparse), each
    logged in through the form after logging out: every view loads with
    its heading and its tables in their empty state; where the events
    carry no agent, the Overview's agent tables equal SQL (untagged)."""
    orgs = dc.seed_sparse(t.stack, t.s.base)
    rng = rel(t, "7d")
    for o in orgs.values():
        status, _ = b.act("document.querySelector('form.account button')"
                          ".click()", "logout")
        h.is_((status, b.js("location.pathname")), (200, "/login"),
              "%s: logging out leads to the login form" % o.name)
        login(t, b, o.email, o.password, " (%s)" % o.name)
        ref = dc.Ref(t.stack.db, o.id)
        for path, title in dc.VIEWS:
            status, _ = b.go(t.stack.url(path))
            tables = json.loads(b.js(JS_TABLES))
            h.is_((status, b.js("document.querySelector('h1').textContent")),
                  (200, title), "%s %s: 200, the heading" % (o.name, path))
            if o.name == dc.EMPTY_ORG:
                empty = b.js("document.querySelectorAll('td.empty').length")
                h.ok(tables and not any(tables.values()) and
                     empty == len(tables),
                     "%s %s: every table says there is no data" % (o.name,
                                                                  path),
                     diag=repr((tables, empty)))
            elif path == "/":
                check_tables(t, tables, "top_agents", dc.ranked_cols("agent"),
                             dc.ranked_rows(ref.groups(rng, {}, "agent")),
                             o.name)
                check_tables(t, tables, "movers", dc.MOVER_COLS,
                             dc.mover_rows(ref.groups(rng, {}, "agent"),
                                           ref.groups((rng[0] - (rng[1] -
                                                                 rng[0]),
                                                       rng[0]), {}, "agent")),
                             o.name)
            if path == "/":
                b.screenshot("%s-overview" % o.name)


def problems(b):
    """JavaScript errors, console errors, CSP reports, failed loads."""
    out = []
    for m, p, _ in b.cdp.events:
        if m == "Runtime.exceptionThrown":
            out.append(("exception", p.get("exceptionDetails", {}).get("text")))
        elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error",
                                                                     "assert"):
            out.append(("console", p.get("args")))
        elif m == "Log.entryAdded" and p["entry"].get("level") == "error":
            out.append(("log", p["entry"].get("source"), p["entry"].get("text"),
                        p["entry"].get("url")))
        elif m == "Network.loadingFailed":
            out.append(("failed", p.get("errorText"), p.get("blockedReason")))
        elif m == "Page.javascriptDialogOpening":
            out.append(("dialog", p.get("message")))
    return out


def main():
    shutil.rmtree(SHOTS, ignore_errors=True)
    os.makedirs(SHOTS)
    t = T()
    t.stack = h.start_all("lighttpd", conf_extra="cost = { reload_seconds = 1; };")
    t.s = dc.seed(t.stack)
    h.is_(t.s.accepted, len(t.s.events), "%d events accepted" % len(t.s.events))
    t.ref = dc.Ref(t.stack.db, t.s.org_id)
    b = Browser()
    h.ok(True, "chromium started, DevTools protocol attached to a page")
    for step in (login, views, drill_down, filters, hostile, phone, sparse):
        started = time.monotonic()
        step(t, b)
        h.diag("%s: %.1f s" % (step.__name__, time.monotonic() - started))
    bad = problems(b)
    h.ok(not bad, "no JavaScript error, console error, CSP report, failed "
         "load or dialog on any page", diag=repr(bad[:10]))
    css = [p for m, p, _ in b.cdp.events if m == "Network.responseReceived"
           and p.get("type") == "Stylesheet"]
    h.ok(css and all(p["response"]["status"] == 200 for p in css),
         "the stylesheet was loaded (200) under the CSP", diag=repr(len(css)))
    b.stop()
    left = h.processes_matching(b.profile)
    h.ok(not left, "chromium and all its children have exited",
         diag=repr(left))
    h.check_sanitizers(t.stack.web)
    h.done_testing()


main()
