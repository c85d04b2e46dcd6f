"""Helpers of the dashboard tests (it_dashboard.py, it_browser.py), Python 3
standard library only:

* seed(): a known data set posted through the real LiteLLM callback: two
  months of events relative to now, several models, providers,
  departments, teams and agents (hostile labels among them), failures of
  several classes and codes, untagged and unpriced events, cache tokens,
  streams with a time to first token, and a few events at the same instant.
* Ref: the independent answers, computed by SQL over the raw usage_events
  table (never the rollups the product reads) and by Python where SQL
  would be the product's own query (percentiles, rounding).
* The product's number rules, written down once: rates and averages are
  rounded half away from zero (half up) at a fixed number of decimals;
  see ratio().
* parse_page(): tables (data-v of every cell), overview cards, links,
  forms and every tag name of a dashboard page.
* WebSocket (RFC 6455 client) and CDP: a minimal DevTools protocol client
  for headless Chromium.
"""

import base64
import csv
import hashlib
import html.parser
import io
import json
import os
import random
import select
import socket
import struct
import time
import urllib.parse
from decimal import Decimal
from fractions import Fraction

import harness as h

HOUR = 3600 * 10**6
DAY = 24 * HOUR
XSS_DEPT = "<script>alert(1)</script>"
XSS_AGENT = '"><img src=x>'
UNTAGGED = "(untagged)"
ORG = "acme"
OTHER_ORG = "other"
OTHER_DEPT = "other-secret-dept"
DIMS = ("source", "department", "team", "agent", "model", "provider", "status")

# Relative ranges and the previous periods the top movers compare with,
# in hours; no seeded event is near their boundaries (see event_hours).
RANGE_HOURS = {"24h": 24, "7d": 168, "30d": 720}

# Column types, as the issue and the README describe the tables.
TEXT, INT, DEC, USD, TIME, DUR, BOOL = ("text", "int", "dec", "usd", "time",
                                        "dur", "bool")
# A percentile in milliseconds (decimal text). The product reads them from
# the histograms of its rollups (lib/hist.h), within PCTL_ERROR of the exact
# nearest-rank value, to the microsecond; or, for filters the histograms do
# not cover, computes that value exactly from raw events.
PCTL = "pctl"
PCTL_ERROR = Decimal("0.0197")

SUMS_COLS = [("cost_usd", USD), ("requests", INT), ("errors", INT),
             ("error_rate_pct", DEC), ("prompt_tokens", INT),
             ("completion_tokens", INT), ("total_tokens", INT),
             ("avg_latency_ms", DEC), ("cost_per_request_usd", USD),
             ("unpriced_requests", INT)]
MODEL_COLS = [("model", TEXT), ("cost_usd", USD), ("requests", INT),
              ("prompt_tokens", INT), ("completion_tokens", INT),
              ("cache_read_tokens", INT), ("cache_write_tokens", INT),
              ("cost_per_1k_tokens_usd", USD), ("avg_latency_ms", DEC),
              ("p95_latency_ms", PCTL), ("avg_ttft_ms", DEC),
              ("p95_ttft_ms", PCTL), ("error_rate_pct", DEC),
              ("unpriced_requests", INT), ("deployments", TEXT)]
# Hosts a Model Comparison deployments cell names (lib/ui_models.c).
SERVED_HOSTS_SHOWN = 3
MOVER_COLS = [("agent", TEXT), ("cost_usd", USD), ("previous_cost_usd", USD),
              ("change_usd", USD), ("change_pct", DEC)]
ERROR_COLS = [("error_class", TEXT), ("error_code", TEXT), ("model", TEXT),
              ("provider", TEXT), ("failures", INT)]
ERROR_SERIES_COLS = [("bucket", TIME), ("error_class", TEXT),
                     ("failures", INT)]
EVENT_COLS = [("id", INT), ("source", TEXT), ("token_id", INT),
              ("litellm_id", TEXT), ("trace_id", TEXT), ("call_type", TEXT),
              ("status", TEXT), ("model", TEXT), ("model_group", TEXT),
              ("provider", TEXT), ("department", TEXT), ("team", TEXT),
              ("agent", TEXT), ("prompt_tokens", INT),
              ("completion_tokens", INT), ("total_tokens", INT),
              ("cache_read_tokens", INT), ("cache_write_tokens", INT),
              ("cache_write_1h_tokens", INT), ("reasoning_tokens", INT),
              ("litellm_cost", DEC), ("our_cost", DEC), ("cost", DEC),
              ("cost_source", TEXT), ("price_id", INT), ("start_time", TIME),
              ("end_time", TIME), ("latency_ms", DUR), ("ttft_ms", DUR),
              ("stream", BOOL), ("error_code", TEXT), ("error_class", TEXT),
              ("received_at", TIME)]
# The SQL of each event column, straight from the table.
EVENT_SQL = ["id", "source", "token_id", "litellm_id", "trace_id",
             "call_type", "status", "model", "model_group", "provider",
             "department", "team", "agent", "prompt_tokens",
             "completion_tokens", "total_tokens", "cache_read_tokens",
             "cache_write_tokens", "cache_write_1h_tokens",
             "reasoning_tokens", "CAST(litellm_cost AS CHAR)",
             "CAST(our_cost AS CHAR)", "CAST(cost AS CHAR)", "cost_source",
             "price_id", "start_us", "end_us", "latency_us", "ttft_us",
             "stream", "error_code", "error_class", "received_us"]
USAGE_FIELDS = ["cost_usd", "priced_requests", "requests", "errors",
                "prompt_tokens", "completion_tokens", "total_tokens",
                "cache_read_tokens", "cache_write_tokens", "reasoning_tokens",
                "litellm_cost_usd", "our_cost_usd", "avg_latency_ms",
                "avg_ttft_ms", "cache_hits", "saved_cache_cost_usd"]


def ranked_cols(dim):
    return [(dim, TEXT)] + SUMS_COLS


def series_cols(daily, split=None):
    return ([("day" if daily else "hour", TIME)] +
            ([(split, TEXT)] if split else []) + SUMS_COLS)


# ---------------------------------------------------------------------------
# Numbers as the product shows them

def ratio(a, b, mul, digits):
    """a * mul / b rounded half away from zero to `digits` decimals, as
    text (None when b is 0): the rule for rates, averages, per-request and
    per-1k costs and changes."""
    if not b:
        return None
    v = Fraction(a) * mul / Fraction(b)
    scaled = v * 10**digits
    q = (abs(scaled) + Fraction(1, 2)).__floor__()
    q = -q if scaled < 0 else q
    return fixed(q, digits)


def fixed(units, digits):
    """An integer number of 10^-digits as decimal text."""
    sign = "-" if units < 0 else ""
    units = abs(units)
    if digits == 0:
        return sign + str(units)
    return "%s%d.%0*d" % (sign, units // 10**digits, digits, units % 10**digits)


def pico(text):
    """Decimal text of USD to an integer number of 10^-12."""
    return int(Decimal(text).scaleb(12).to_integral_exact())


def ms(us):
    """Microseconds as milliseconds with 3 decimals (None stays None)."""
    return None if us is None else fixed(int(us), 3)


def usd_shown(text):
    """What a page shows for a cost: "$1,234.5678" (4 decimals, half up),
    "unpriced" for None."""
    if text is None:
        return "unpriced"
    units = int(ratio(pico(text), 10**8, 1, 0))
    whole, frac = fixed(abs(units), 4).split(".")
    return "%s$%s.%s" % ("-" if units < 0 else "", "{:,}".format(int(whole)),
                         frac)


def int_shown(n):
    return "{:,}".format(int(n))


def iso_us(us):
    us = int(us)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(us // 10**6)) + \
        ".%06dZ" % (us % 10**6)


def iso_sec(us):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(us) // 10**6))


def csv_cell(typ, v):
    """The CSV text of a cell whose exact value (data-v) is v."""
    if v is None:
        return ""
    if typ == TIME:
        return iso_us(v)
    if typ == DUR:
        return ms(v)
    if typ == BOOL:
        return "false" if v == "0" else "true"
    if typ == TEXT and v[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + v      # no spreadsheet formulas
    return v


def shown(typ, v, first=False):
    """What a table cell shows for the exact value v."""
    if v is None:
        return "unpriced" if typ == USD else UNTAGGED if first and \
            typ == TEXT else "\u2013"
    if typ == USD:
        return usd_shown(v)
    if typ == INT:
        return int_shown(v)
    if typ == TIME:
        return iso_sec(v)
    if typ == DUR:
        return ms(v)
    return v


def parse_csv(text):
    return list(csv.reader(io.StringIO(text, newline="")))


def json_value(typ, v):
    """The JSON value of a cell whose exact value is v (numbers as
    Decimal, as json.loads(parse_float=Decimal) reads them)."""
    if v is None:
        return None
    if typ == INT:
        return int(v)
    if typ in (DEC, USD, PCTL):
        return Decimal(v)
    if typ == DUR:
        return Decimal(ms(v))
    if typ == TIME:
        return iso_us(v)
    if typ == BOOL:
        return v != "0"
    return v


def same_values(cols, got, want):
    """Rows equal cell by cell: costs as Decimal, everything else as the
    exact text."""
    if len(got) != len(want):
        return False
    for g, w in zip(got, want):
        if len(g) != len(w) or len(g) != len(cols):
            return False
        for (name, typ), a, b in zip(cols, g, w):
            if (a is None) != (b is None):
                return False
            if a is None:
                continue
            if typ == USD:
                if Decimal(a) != Decimal(b):
                    return False
            elif typ == PCTL:
                if not pctl_close(a, b):
                    return False
            elif a != b:
                return False
    return True


def pctl_close(got, want):
    """A percentile shown (ms text) is the exact one (ms text) within the
    histograms' relative error and half a microsecond of rounding."""
    if got is None or want is None:
        return got is None and want is None
    g, w = Decimal(got), Decimal(want)
    return abs(g - w) <= w * PCTL_ERROR + Decimal("0.0005")


def first_difference(got, want):
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            return "row %d:\n  got  %r\n  want %r" % (i, g, w)
    if len(got) != len(want):
        return "%d rows, want %d; extra: %r" % (
            len(got), len(want), (got[len(want):] or want[len(got):])[:3])
    return "equal as text (differ as decimals?)"


# ---------------------------------------------------------------------------
# Pages

class Cell:
    def __init__(self, attrs):
        self.v = attrs.get("data-v")
        self.text = ""
        self.href = None

    def __repr__(self):
        return "Cell(%r, %r)" % (self.v, self.text)


class Page(html.parser.HTMLParser):
    """A dashboard page: tables[id] = {"heads": [...], "rows": [[Cell]]},
    cards[id] = (data-v, text), links [(href, text)], tags (every start
    tag name in order), selects[name] = [(value, text, selected)], forms
    [(attrs, [inputs])], title, h1, texts (all text nodes)."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.tables, self.cards, self.links, self.tags = {}, {}, [], []
        self.selects, self.forms, self.texts = {}, [], []
        self.title = self.h1 = ""
        self.notices = []
        self._table = self._row = self._cell = self._card = None
        self._card_v = self._th = self._a = self._select = self._opt = None
        self._in = None
        self._pclass = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if tag == "table" and (a.get("id") or "").startswith("t-"):
            self._table = {"heads": [], "rows": []}
            self.tables[a["id"][2:]] = self._table
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag == "th" and self._table is not None:
            self._th = ""
        elif tag == "td" and self._row is not None:
            if "colspan" in a:      # "No data for these filters."
                self._cell = Cell({})
            else:
                self._cell = Cell(a)
                self._row.append(self._cell)
        elif tag == "div" and "card" in (a.get("class") or "").split():
            self._card = a.get("id", "")[2:]
            self.cards[self._card] = [None, ""]
        elif tag == "div" and self._card and a.get("class") == "v":
            self.cards[self._card][0] = a.get("data-v")
            self._card_v = True
        elif tag == "a":
            self._a = [a.get("href"), ""]
            if self._cell is not None and self._cell.href is None:
                self._cell.href = a.get("href")
        elif tag == "select":
            self._select = a.get("name")
            self.selects[self._select] = []
        elif tag == "option" and self._select is not None:
            self._opt = [a.get("value"), "", "selected" in a]
            self.selects[self._select].append(self._opt)
        elif tag == "form":
            self.forms.append((a, []))
        elif tag == "input" and self.forms:
            self.forms[-1][1].append(a)
        elif tag in ("title", "h1") and "svg" not in self.tags:
            self._in = tag
        elif tag == "p":
            self._pclass = a.get("class")
            if self._pclass in ("notice", "error"):
                self.notices.append([self._pclass, ""])

    def handle_endtag(self, tag):
        if tag == "table":
            self._table = None
        elif tag == "tr" and self._row is not None:
            if self._row:
                self._table["rows"].append(self._row)
            self._row = None
        elif tag == "th" and self._th is not None:
            self._table["heads"].append(self._th)
            self._th = None
        elif tag == "td":
            self._cell = None
        elif tag == "div" and self._card_v:
            self._card_v = None
            self._card = None
        elif tag == "a" and self._a is not None:
            self.links.append(tuple(self._a))
            self._a = None
        elif tag == "select":
            self._select = None
        elif tag == "option":
            self._opt = None
        elif tag in ("title", "h1"):
            self._in = None
        elif tag == "p":
            self._pclass = None

    def handle_data(self, data):
        self.texts.append(data)
        if self._cell is not None:
            self._cell.text += data
        if self._th is not None:
            self._th += data
        if self._card_v:
            self.cards[self._card][1] += data
        if self._a is not None:
            self._a[1] += data
        if self._opt is not None:
            self._opt[1] += data
        if self._in == "title":
            self.title += data
        elif self._in == "h1":
            self.h1 += data
        if self._pclass in ("notice", "error") and self.notices:
            self.notices[-1][1] += data

    def values(self, table):
        """The data-v of every cell of a table, row by row."""
        return [[c.v for c in r] for r in self.tables[table]["rows"]]


def parse_page(text):
    return Page(text)


def query_of(href):
    """The path and query parameters ({key: value}) of a link."""
    u = urllib.parse.urlsplit(href)
    return u.path, dict(urllib.parse.parse_qsl(u.query, keep_blank_values=True))


def url(path, **params):
    """path?params, values URL-encoded; None values left out."""
    q = [(k, v) for k, v in params.items() if v is not None]
    return path + ("?" + urllib.parse.urlencode(q) if q else "")


# ---------------------------------------------------------------------------
# The data set

MODELS = [("openai/gpt-4o", "openai", 4), ("anthropic/claude-dash", "anthropic", 3),
          ("azure/mini-dash", "azure", 3), ("local/mystery", "local", 1)]
PRICES = {
    "claude-dash": ["--input", "3e-06", "--output", "1.5e-05", "--cache-read",
                    "3e-07", "--cache-write", "3.75e-06"],
    "mini-dash": ["--input", "1.5e-07", "--output", "6e-07"],
}
DEPARTMENTS = [("eng", 5), ("sales", 3), ("R&D", 2), (XSS_DEPT, 1), (None, 2)]
TEAMS = {"eng": ["backend", "frontend", None], "sales": ["emea"],
         "R&D": ["lab"], XSS_DEPT: ["red-team"], None: [None, "backend"]}
# Agents weighted per period: now (last 7 days) and before.
AGENTS = [("chatbot", 2, 6), ("summarizer", 5, 2), (XSS_AGENT, 1, 1),
          ("batch-job", 2, 2), ("Développeur", 1, 1), (None, 2, 2)]
ERRORS = [("RateLimitError", "429"), ("APIConnectionError", "500"),
          ("AuthenticationError", "401"), ("BadRequestError", "400"),
          ("Timeout", None)]


def floor_hour(us):
    return us - us % HOUR


def event_hours(max_hours):
    """Hours before the current one (1..max_hours) that may hold events:
    none next to the boundary of a relative range or of its previous
    period, so that the answers do not depend on the second a request is
    made, even across the turn of an hour."""
    bad = set()
    for x in list(RANGE_HOURS.values()) + [2 * v for v in RANGE_HOURS.values()]:
        bad.update((x - 1, x, x + 1, x + 2))
    return [k for k in range(1, max_hours + 1) if k not in bad]


def weighted(rng, pairs):
    items = [p[0] for p in pairs]
    weights = [p[1] for p in pairs]
    return rng.choices(items, weights)[0]


def make_events(rng, base, n, prefix="dash"):
    """n event dicts (our own description, see payload()) over 60 days
    before the hour `base` (microseconds, whole hour)."""
    recent = [k for k in event_hours(1440) if k <= 168]
    older = [k for k in event_hours(1440) if k > 168]
    events = []
    for i in range(n):
        k = rng.choice(recent) if rng.random() < 0.45 else rng.choice(older)
        start = base - k * HOUR + rng.randrange(60, 3540) * 10**6 + \
            rng.randrange(10**6)
        period_now = k <= 168
        events.append(random_event(rng, "%s-%05d" % (prefix, i), start,
                                   period_now))
    return events


def random_event(rng, eid, start, period_now=True):
    model, provider, _ = rng.choices(MODELS, [m[2] for m in MODELS])[0]
    dept = weighted(rng, DEPARTMENTS)
    team = rng.choice(TEAMS[dept])
    agent = rng.choices([a[0] for a in AGENTS],
                        [a[1] if period_now else a[2] for a in AGENTS])[0]
    fail = rng.random() < 0.12
    stream = rng.random() < 0.4
    prompt = rng.randint(20, 6000)
    completion = 0 if fail else rng.randint(1, 2500)
    ev = {"id": eid, "start": start, "model": model, "provider": provider,
          "department": dept, "team": team, "agent": agent,
          "status": "failure" if fail else "success", "stream": stream,
          "prompt": prompt, "completion": completion,
          "cache_read": 0, "cache_write": 0, "cost": None}
    # Latencies and times to first token in steps of 20 us: the 95th
    # percentile (interpolated between ranks k/20 apart) is then a whole
    # number of microseconds and needs no rounding rule.
    ev["latency"] = None if rng.random() < 0.03 else 20 * rng.randint(5000, 400000)
    if stream:
        ev["ttft"] = 20 * rng.randint(1000, 60000)
    if provider == "anthropic" and not fail:
        ev["cache_read"] = rng.randint(0, prompt // 2)
        ev["cache_write"] = rng.randint(0, (prompt - ev["cache_read"]) // 3)
    elif provider == "openai" and rng.random() < 0.5:
        ev["cache_read"] = rng.randint(0, prompt // 2)
    if fail:
        ev["error"] = rng.choice(ERRORS)
    if provider == "local":
        # LiteLLM's cost for half of them: priced by LiteLLM, the rest unpriced.
        if rng.random() < 0.5:
            ev["cost"] = "%.8f" % (rng.random() / 50)
    elif rng.random() < 0.7:
        ev["cost"] = "%.8f" % (rng.random() / 20)
    served(ev)
    return ev


def served(ev):
    """What LiteLLM reports of the cache and the deployment, drawn from the
    event's id (not the shared generator, so the other fields stay what
    they were): a cache hit with its savings for some successes; for most
    calls of a model one of its deployments (two share the first host, a
    third has its own), for some neither."""
    h = int.from_bytes(hashlib.sha256(ev["id"].encode()).digest()[:8], "big")
    if ev["status"] == "success" and h % 10 == 0:
        ev["cache_hit"] = True
        ev["saved"] = "%.8f" % ((h >> 8) % 100000 / 1e7)
    model = ev.get("model")
    if model and (h >> 32) % 7 != 0:
        k = (h >> 40) % 3
        ev["deployment"] = "%s-dep-%d" % (model.split("/")[-1], k)
        ev["api_base"] = ("https://%s.Example.com/v1" % ev["provider"] if k < 2
                          else "https://eu.%s.example.com:8443/v1?x=1"
                          % ev["provider"])


def special_events(base):
    """Events the tests rely on: five at one instant (page boundaries
    inside a tie), an agent that only spent in the previous period and one
    only in this one, events around the custom range's half hours, a few
    without a model."""
    out = []
    tie = base - 50 * HOUR + 17 * 60 * 10**6 + 123456
    rng = random.Random(5)
    for i in range(5):
        out.append(random_event(rng, "tie-%d" % i, tie))
    for i, k in enumerate((200, 230, 260)):
        e = random_event(rng, "retired-%d" % i, base - k * HOUR + 600 * 10**6, False)
        e.update(agent="retired-bot", model="anthropic/claude-dash",
                 provider="anthropic", status="success", error=None)
        e["completion"] = 900
        out.append(e)
    for i, k in enumerate((30, 60)):
        e = random_event(rng, "new-%d" % i, base - k * HOUR + 900 * 10**6)
        e.update(agent="new-bot", model="openai/gpt-4o", provider="openai",
                 status="success", error=None)
        e["completion"] = 500
        out.append(e)
    for i, (k, m) in enumerate(((100, 10), (100, 40), (76, 10), (76, 50),
                                (99, 45))):
        out.append(random_event(rng, "half-%d" % i,
                                base - k * HOUR + m * 60 * 10**6))
    for i, k in enumerate((5, 40, 300)):
        e = random_event(rng, "nomodel-%d" % i, base - k * HOUR + 1200 * 10**6)
        e.update(model=None, provider=None)
        out.append(e)
    return out


def _num(text):
    return "@NUM%s@" % text


def payload(ev, token):
    """The LiteLLM StandardLoggingPayload of one event."""
    hdrs = {"x-cloudidr-token": token}
    for k in ("department", "team", "agent"):
        if ev.get(k) is not None:
            hdrs["x-" + k] = ev[k]
    start = ev["start"]
    p = {"id": ev["id"], "trace_id": "tr-" + ev["id"],
         "call_type": "acompletion", "status": ev["status"],
         "stream": ev["stream"],
         "startTime": _num("%d.%06d" % divmod(start, 10**6)),
         "prompt_tokens": ev["prompt"], "completion_tokens": ev["completion"],
         "total_tokens": ev["prompt"] + ev["completion"],
         "metadata": {"requester_custom_headers": hdrs, "usage_object": {
             "prompt_tokens_details": {
                 "cached_tokens": ev["cache_read"],
                 "cache_creation_tokens": ev["cache_write"]}}}}
    if ev.get("model"):
        p["model"] = ev["model"]
        p["custom_llm_provider"] = ev["provider"]
    if ev.get("latency") is not None:
        p["endTime"] = _num("%d.%06d" % divmod(start + ev["latency"], 10**6))
    if ev.get("ttft") is not None:
        p["completionStartTime"] = _num("%d.%06d" % divmod(start + ev["ttft"],
                                                            10**6))
    if ev.get("cost") is not None:
        p["response_cost"] = _num(ev["cost"])
    if ev.get("cache_hit"):
        p["cache_hit"] = True
        p["saved_cache_cost"] = _num(ev["saved"])
    if ev.get("deployment"):
        p["model_id"] = ev["deployment"]
        p["api_base"] = ev["api_base"]
    if ev["status"] == "failure":
        cls, code = ev.get("error") or ERRORS[0]
        info = {"error_class": cls, "llm_provider": ev.get("provider")}
        if code is not None:
            info["error_code"] = code
        p["error_information"] = info
    return p


def body_of(events, token):
    text = json.dumps([payload(e, token) for e in events])
    return text.replace('"@NUM', "").replace('@"', "").encode()


def post_events(stack, events, token, batch=500):
    accepted = 0
    for i in range(0, len(events), batch):
        status, _, doc = h.http_json(
            "POST", stack.url("/api/litellm/callback"),
            body=body_of(events[i:i + batch], token),
            headers={"Content-Type": "application/json"}, timeout=120)
        if status != 200:
            h.diag("callback POST: %d %r" % (status, doc))
        accepted += (doc or {}).get("accepted", 0)
    h.spool_drain(stack.conf)
    return accepted


class Seeded:
    """What seed() made: the base hour, the orgs' ids, the user's login."""


def seed(stack, n=1800, users=True):
    """Prices, organizations acme and other, events posted through the
    callback, a viewer of acme (and an API key). Returns a Seeded."""
    conf = stack.conf
    s = Seeded()
    for model, args in PRICES.items():
        rc, out, err = h.llmopsctl(conf, "prices", "set", model, "--from",
                                   "2020-01-01", *args)
        if rc != 0:
            raise h.StartError("prices set %s: %s" % (model, err))
    s.token = stack.token(ORG)
    s.other_token = stack.token(OTHER_ORG)
    s.now_us = int(time.time() * 10**6)
    s.base = floor_hour(s.now_us)
    rng = random.Random(20261127)
    s.events = make_events(rng, s.base, n) + special_events(s.base)
    s.accepted = post_events(stack, s.events, s.token)
    other = make_events(random.Random(7), s.base, 60, prefix="other")
    for e in other:
        e["department"] = OTHER_DEPT
    s.other_accepted = post_events(stack, other, s.other_token)
    s.org_id = int(stack.db.sql("SELECT id FROM organizations WHERE name = "
                                "'%s'" % ORG)[0][0])
    s.other_id = int(stack.db.sql("SELECT id FROM organizations WHERE name = "
                                  "'%s'" % OTHER_ORG)[0][0])
    if users:
        s.email = "viewer@acme.test"
        s.password = h.add_user(conf, ORG, s.email, "viewer")
        s.apikey = h.create_apikey(conf, ORG)
    return s


# Every view of the dashboard and its heading.
VIEWS = [("/", "Overview"), ("/agents", "Agent Explorer"),
         ("/departments", "Departments"), ("/teams", "Team Analysis"),
         ("/models", "Model Comparison"), ("/timeseries", "Time Series"),
         ("/errors", "Errors"), ("/events", "Events")]
# Organizations the dashboard shows in its empty state: one without any
# event, one whose events carry no agent label.
EMPTY_ORG = "empty"
UNLABELLED_ORG = "no-agents"


class Sparse:
    """An organization of seed_sparse(): name, id, accepted events, and
    the login of its viewer (email, password)."""


def seed_sparse(stack, base):
    """The two sparse organizations, with a viewer each (an API key for
    the empty one). Returns {name: Sparse}."""
    out = {}
    for name, n in ((EMPTY_ORG, 0), (UNLABELLED_ORG, 40)):
        o = Sparse()
        o.name = name
        token = stack.token(name)
        events = make_events(random.Random(11), base, n, prefix=name)
        for e in events:
            e["agent"] = None
        o.events = events
        o.accepted = post_events(stack, events, token) if events else 0
        o.id = int(stack.db.sql("SELECT id FROM organizations WHERE name = "
                                "'%s'" % name)[0][0])
        o.email = "viewer@%s.test" % name
        o.password = h.add_user(stack.conf, name, o.email, "viewer")
        o.apikey = h.create_apikey(stack.conf, name)
        out[name] = o
    return out


# ---------------------------------------------------------------------------
# Independent answers: SQL over raw events

def q(s):
    return "'" + str(s).replace("\\", "\\\\").replace("'", "''") + "'"


SUMS_SQL = ("CAST(SUM(cost) AS CHAR), COUNT(cost), COUNT(*), "
            "SUM(status <=> 'failure'), SUM(COALESCE(prompt_tokens, 0)), "
            "SUM(COALESCE(completion_tokens, 0)), SUM(COALESCE(total_tokens, 0)), "
            "SUM(COALESCE(cache_read_tokens, 0)), "
            "SUM(COALESCE(cache_write_tokens, 0)), "
            "SUM(COALESCE(reasoning_tokens, 0)), "
            "CAST(COALESCE(SUM(litellm_cost), 0) AS CHAR), "
            "CAST(COALESCE(SUM(our_cost), 0) AS CHAR), "
            "COALESCE(SUM(latency_us), 0), COUNT(latency_us), "
            "COALESCE(SUM(ttft_us), 0), COUNT(ttft_us), "
            "SUM(cache_hit <=> 1), "
            "CAST(COALESCE(SUM(saved_cache_cost), 0) AS CHAR)")
SUMS_KEYS = ("cost", "priced", "requests", "errors", "prompt", "completion",
             "total", "cache_read", "cache_write", "reasoning", "litellm",
             "our", "lat_sum", "lat_n", "ttft_sum", "ttft_n", "hits", "saved")
TEXT_SUMS = ("cost", "litellm", "our", "saved")


class Sums(dict):
    __getattr__ = dict.get


def _sums(cols):
    s = Sums()
    for k, v in zip(SUMS_KEYS, cols):
        if k in TEXT_SUMS:
            s[k] = v
        else:
            s[k] = int(v or 0)
    return s


class Ref:
    """SQL over usage_events of one organization. A range is (since,
    until) in microseconds; filters a dict {dimension: value, or None for
    untagged}."""

    def __init__(self, db, org_id):
        self.db = db
        self.org_id = org_id

    def where(self, rng, filters):
        w = "WHERE org_id = %d AND occurred_us >= %d AND occurred_us < %d" % (
            self.org_id, rng[0], rng[1])
        for d, v in sorted((filters or {}).items()):
            w += " AND %s %s" % (d, "IS NULL" if v is None else "<=> " + q(v))
        return w

    def groups(self, rng, filters, key=None):
        """{key value: Sums}; key: a column, "hour", "day" or None (one
        group, None)."""
        if key == "hour":
            expr = "occurred_us - MOD(occurred_us, %d)" % HOUR
        elif key == "day":
            expr = "occurred_us - MOD(occurred_us, %d)" % DAY
        else:
            expr = key or "NULL"
        rows = self.db.sql("SELECT %s, %s FROM usage_events %s GROUP BY 1"
                           % (expr, SUMS_SQL, self.where(rng, filters)))
        out = {}
        for r in rows:
            if int(r[3]) == 0:
                continue        # no rows: the aggregate of nothing
            k = r[0]
            if key in ("hour", "day"):
                k = int(k)
            out[k] = _sums(r[1:])
        return out

    def groups2(self, rng, filters, bucket, col):
        """{(bucket start, col value): Sums}."""
        size = HOUR if bucket == "hour" else DAY
        rows = self.db.sql(
            "SELECT occurred_us - MOD(occurred_us, %d), %s, %s FROM "
            "usage_events %s GROUP BY 1, 2" % (size, col, SUMS_SQL,
                                             self.where(rng, filters)))
        return {(int(r[0]), r[1]): _sums(r[2:]) for r in rows}

    def total(self, rng, filters):
        return self.groups(rng, filters).get(None) or _sums(
            [None] + [0] * (len(SUMS_KEYS) - 1))

    def values(self, rng, filters, cols):
        """Rows of raw columns."""
        return self.db.sql("SELECT %s FROM usage_events %s" % (
            ", ".join(cols), self.where(rng, filters)))

    def served(self, rng, filters):
        """{model: its deployments cell}, from raw events."""
        hosts, deps, reqs = {}, {}, {}
        for m, host, n in self.db.sql(
                "SELECT model, api_host, COUNT(*) FROM usage_events %s AND "
                "api_host IS NOT NULL GROUP BY 1, 2" % self.where(rng, filters)):
            hosts.setdefault(m, []).append((host, int(n)))
        for m, n in self.db.sql(
                "SELECT model, COUNT(DISTINCT deployment) FROM usage_events "
                "%s AND deployment IS NOT NULL GROUP BY 1"
                % self.where(rng, filters)):
            deps[m] = int(n)
        for m, s in self.groups(rng, filters, "model").items():
            reqs[m] = s.requests
        out = {}
        for m in set(hosts) | set(deps):
            hs = sorted(hosts.get(m, []),
                        key=lambda x: (-x[1], x[0].encode()))
            out[m] = served_text(hs, deps.get(m, 0), reqs.get(m, 0))
        return out

    def p95(self, rng, filters, key=None):
        """{group: (p95 latency us, p95 ttft us)}: the nearest-rank 95th
        percentile (SQL's PERCENTILE_DISC(0.95)), computed here."""
        rows = self.values(rng, filters, [key or "NULL", "latency_us",
                                          "ttft_us"])
        lat, ttft = {}, {}
        for k, l, t in rows:
            lat.setdefault(k, [])
            ttft.setdefault(k, [])
            if l is not None:
                lat[k].append(int(l))
            if t is not None:
                ttft[k].append(int(t))
        return {k: (percentile(lat[k]), percentile(ttft[k])) for k in lat}

    def failures(self, rng, filters):
        rows = self.db.sql(
            "SELECT error_class, error_code, model, provider, COUNT(*) FROM "
            "usage_events %s AND status = 'failure' GROUP BY 1, 2, 3, 4"
            % self.where(rng, filters))
        return [(r[0], r[1], r[2], r[3], int(r[4])) for r in rows]

    def failures_series(self, rng, filters, daily):
        size = DAY if daily else HOUR
        rows = self.db.sql(
            "SELECT occurred_us - MOD(occurred_us, %d), error_class, COUNT(*) "
            "FROM usage_events %s AND status = 'failure' GROUP BY 1, 2"
            % (size, self.where(rng, filters)))
        return [(int(r[0]), r[1], int(r[2])) for r in rows]

    def events(self, rng, filters):
        """Every event of the range as the export's exact values, newest
        first (occurred_us, then id, descending), with occurred_us."""
        rows = self.db.sql("SELECT occurred_us, %s FROM usage_events %s"
                           % (", ".join(EVENT_SQL), self.where(rng, filters)))
        rows.sort(key=lambda r: (int(r[0]), int(r[1])), reverse=True)
        return [(int(r[0]), list(r[1:])) for r in rows]


def percentile(values, p=Fraction(95, 100)):
    """The nearest-rank percentile: the smallest value with at least p of
    the values at or below it."""
    if not values:
        return None
    v = sorted(values)
    return v[(p * len(v)).__ceil__() - 1]


def untagged_share(ref, rng, filters, dim, total):
    """The share of the priced spend without a value of dim, in percent,
    within filters (all of it when they ask for untagged dim, none when
    they name a value of dim)."""
    if total.priced == 0:
        return None
    if dim in filters:
        part = pico(total.cost) if filters[dim] is None else 0
    else:
        s = ref.groups(rng, dict(filters, **{dim: None})).get(None)
        part = pico(s.cost) if s is not None and s.priced else 0
    return ratio(part, pico(total.cost), 100, 2)


def expected_cards(ref, rng, filters):
    """{card id: (exact value, text shown)} of the Overview, and the totals."""
    tot = ref.total(rng, filters)
    p95 = ref.p95(rng, filters).get(None, (None, None))[0]
    rate = ratio(tot.errors, tot.requests, 100, 2)
    avg = avg_ms(tot.lat_sum, tot.lat_n)
    cost = tot.cost if tot.priced else None
    want = {
        "cost": (cost, usd_shown(cost)),
        "requests": (str(tot.requests), int_shown(tot.requests)),
        "tokens": (str(tot.total), int_shown(tot.total)),
        "error_rate": (rate, "%s%%" % (rate or "0.00")),
        "latency_avg": (avg, "%s ms" % avg if avg else "- ms"),
        "latency_p95": (ms(p95), "%s ms" % ms(p95) if p95 is not None
                        else "-"),
        "cache_savings": (tot.saved or "0", "%s (%s cache hit%s)" % (
            usd_shown(tot.saved or "0"), int_shown(tot.hits),
            "" if tot.hits == 1 else "s")),
    }
    for dim in ("department", "team", "agent"):
        share = untagged_share(ref, rng, filters, dim, tot)
        want["untagged_" + dim] = (share, "%s%%" % (share or "0.00"))
    return want, tot


def key_order(k):
    """ORDER BY a binary-collated column: NULL first, then by code points."""
    return (0, "") if k is None else (1, k)


def sums_row(s):
    """The ten sums columns of a ranked or series table."""
    cost = s.cost if s.priced else None
    return [cost, str(s.requests), str(s.errors),
            ratio(s.errors, s.requests, 100, 2), str(s.prompt),
            str(s.completion), str(s.total), avg_ms(s.lat_sum, s.lat_n),
            ratio(pico(cost), s.priced * 10**12, 1, 12) if cost is not None
            else None,
            str(s.requests - s.priced)]


def cost0(s):
    return Decimal(s.cost) if s.cost is not None else Decimal(0)


def ranked_rows(groups):
    """Rows of a ranked table: most expensive first, then most requests,
    then by name."""
    keys = sorted(groups, key=lambda k: (-cost0(groups[k]), -groups[k].requests,
                                         key_order(k)))
    return [[k] + sums_row(groups[k]) for k in keys]


def series_rows(groups, split=False):
    if split:
        keys = sorted(groups, key=lambda k: (k[0], key_order(k[1])))
        return [[str(k[0]), k[1]] + sums_row(groups[k]) for k in keys]
    return [[str(k)] + sums_row(groups[k]) for k in sorted(groups)]


def avg_ms(total, n):
    r = ratio(total, n, 1, 0)
    return None if r is None else ms(int(r))


def served_text(hosts, deployments, requests):
    """A Model Comparison deployments cell: hosts [(host, requests)] most
    requests first with their share, how many more, then the number of
    deployments; None when LiteLLM named none."""
    parts = ["%s %s%%" % (host, ratio(n, requests, 100, 0) or "0")
             for host, n in hosts[:SERVED_HOSTS_SHOWN]]
    text = ", ".join(parts)
    more = len(hosts) - SERVED_HOSTS_SHOWN
    if more > 0:
        text += ", %d more host%s" % (more, "" if more == 1 else "s")
    if deployments:
        text += "%s%d deployment%s" % ("; " if text else "", deployments,
                                        "" if deployments == 1 else "s")
    return text or None


def model_rows(groups, p95s, served=None):
    keys = sorted(groups, key=lambda k: (-cost0(groups[k]), -groups[k].requests,
                                         key_order(k)))
    rows = []
    for k in keys:
        s = groups[k]
        cost = s.cost if s.priced else None
        pl, pt = p95s.get(k, (None, None))
        rows.append([k, cost, str(s.requests), str(s.prompt), str(s.completion),
                     str(s.cache_read), str(s.cache_write),
                     ratio(pico(cost), s.total * 10**12, 1000, 12)
                     if cost is not None else None,
                     avg_ms(s.lat_sum, s.lat_n), ms(pl),
                     avg_ms(s.ttft_sum, s.ttft_n), ms(pt),
                     ratio(s.errors, s.requests, 100, 2),
                     str(s.requests - s.priced),
                     (served or {}).get(k)])
    return rows


def mover_rows(now, before, shown=10):
    """Agents by the size of their change in priced cost against the
    previous period, largest first, then by name."""
    def c(groups, k):
        s = groups.get(k)
        return pico(s.cost) if s is not None and s.priced else 0
    keys = set(now) | set(before)
    ch = {k: (c(now, k), c(before, k)) for k in keys}
    order = sorted(keys, key=lambda k: (-abs(ch[k][0] - ch[k][1]),
                                        k or ""))
    rows = []
    for k in order[:shown]:
        n, b = ch[k]
        rows.append([k, fixed(n, 12), fixed(b, 12), fixed(n - b, 12),
                     ratio(n - b, b, 100, 2)])
    return rows


def error_rows(fails):
    rows = sorted(fails, key=lambda r: (-r[4], key_order(r[0]), key_order(r[1]),
                                        key_order(r[2]), key_order(r[3])))
    return [[a, b, c, d, str(n)] for a, b, c, d, n in rows]


def error_series_rows(fails):
    rows = sorted(fails, key=lambda r: (r[0], key_order(r[1])))
    return [[str(b), c, str(n)] for b, c, n in rows]


def usage_row(key_name, key, s):
    """A row of /api/v1/usage, as json.loads(parse_float=Decimal) reads it."""
    return {key_name: key,
            "cost_usd": Decimal(s.cost) if s.priced else None,
            "priced_requests": s.priced, "requests": s.requests,
            "errors": s.errors, "prompt_tokens": s.prompt,
            "completion_tokens": s.completion, "total_tokens": s.total,
            "cache_read_tokens": s.cache_read,
            "cache_write_tokens": s.cache_write,
            "reasoning_tokens": s.reasoning,
            "litellm_cost_usd": Decimal(s.litellm),
            "our_cost_usd": Decimal(s.our),
            "avg_latency_ms": None if not s.lat_n else Decimal(avg_ms(s.lat_sum, s.lat_n)),
            "avg_ttft_ms": None if not s.ttft_n else Decimal(avg_ms(s.ttft_sum, s.ttft_n)),
            "cache_hits": s.hits,
            "saved_cache_cost_usd": Decimal(s.saved or 0)}


# ---------------------------------------------------------------------------
# WebSocket client (RFC 6455) and the Chrome DevTools Protocol

class WebSocketError(RuntimeError):
    pass


class WebSocket:
    """A client WebSocket on a TCP connection: the opening handshake, masked
    frames from us, text messages (fragmented or not, any length) from the
    server, pings answered, close."""

    GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    def __init__(self, host, port, path, timeout=30):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buf = b""
        key = base64.b64encode(os.urandom(16)).decode()
        req = ("GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n"
               "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
               "Sec-WebSocket-Version: 13\r\n\r\n" % (path, host, port, key))
        self.sock.sendall(req.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise WebSocketError("connection closed during the handshake")
            head += chunk
        head, self.buf = head.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        if not lines[0].startswith("HTTP/1.1 101"):
            raise WebSocketError("handshake refused: %s" % lines[0])
        hdrs = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            hdrs[k.strip().lower()] = v.strip()
        want = base64.b64encode(hashlib.sha1(
            (key + self.GUID).encode()).digest()).decode()
        if hdrs.get("sec-websocket-accept") != want:
            raise WebSocketError("bad Sec-WebSocket-Accept")

    def _send_frame(self, opcode, data):
        head = bytes([0x80 | opcode])
        n = len(data)
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + struct.pack("!H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack("!Q", n)
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.sock.sendall(head + mask + masked)

    def send(self, text):
        self._send_frame(0x1, text.encode("utf-8"))

    def _read(self, n, deadline):
        while len(self.buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise socket.timeout("no WebSocket data in time")
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                continue
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise WebSocketError("connection closed")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def recv(self, timeout=30):
        """The next text message; None when none came within timeout."""
        deadline = time.monotonic() + timeout
        parts, first_op = [], None
        try:
            while True:
                b0, b1 = self._read(2, deadline)
                fin, op = b0 & 0x80, b0 & 0x0f
                n = b1 & 0x7f
                if n == 126:
                    n = struct.unpack("!H", self._read(2, deadline))[0]
                elif n == 127:
                    n = struct.unpack("!Q", self._read(8, deadline))[0]
                mask = self._read(4, deadline) if b1 & 0x80 else None
                data = self._read(n, deadline)
                if mask:
                    data = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
                if op == 0x9:               # ping
                    self._send_frame(0xA, data)
                    continue
                if op == 0xA:
                    continue
                if op == 0x8:
                    raise WebSocketError("closed by the server")
                if op in (0x1, 0x2):
                    first_op, parts = op, [data]
                elif op == 0x0 and first_op is not None:
                    parts.append(data)
                else:
                    raise WebSocketError("unexpected frame opcode %d" % op)
                if fin:
                    return b"".join(parts).decode("utf-8")
        except socket.timeout:
            return None

    def close(self):
        try:
            self._send_frame(0x8, struct.pack("!H", 1000))
        except OSError:
            pass
        self.sock.close()


class CDPError(RuntimeError):
    pass


class CDP:
    """Commands to a browser (or to one of its targets through sessionId);
    events are kept in self.events as (method, params, sessionId)."""

    def __init__(self, ws):
        self.ws = ws
        self.next_id = 0
        self.events = []

    def send(self, method, params=None, session=None, timeout=30):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self.ws.send(json.dumps(msg))
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            text = self.ws.recv(max(left, 0.01)) if left > 0 else None
            if text is None:
                raise CDPError("%s: no answer within %d s" % (method, timeout))
            doc = json.loads(text)
            if doc.get("id") == self.next_id:
                if "error" in doc:
                    raise CDPError("%s: %s" % (method, doc["error"]))
                return doc.get("result", {})
            if "method" in doc:
                self.events.append((doc["method"], doc.get("params", {}),
                                    doc.get("sessionId")))

    def wait_event(self, method, timeout=30, pred=None, since=0):
        """The first event `method` (kept from index `since` on) that pred
        accepts; None after timeout."""
        deadline = time.monotonic() + timeout
        i = since
        while True:
            while i < len(self.events):
                m, p, _ = self.events[i]
                i += 1
                if m == method and (pred is None or pred(p)):
                    return p
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            text = self.ws.recv(left)
            if text is None:
                return None
            doc = json.loads(text)
            if "method" in doc:
                self.events.append((doc["method"], doc.get("params", {}),
                                    doc.get("sessionId")))
