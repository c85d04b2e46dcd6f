"""The ingest pipeline end to end, through one real web server: LiteLLM
callback bodies over HTTP into MariaDB. Run by it_ingest_lighttpd.py and
it_ingest_apache.py.

What a row must hold is computed here from the fixture JSON, independently
of the C code: numbers are read as decimals from the text LiteLLM wrote
(json parse_float=Decimal), so a stored value is compared with the exact
value of the payload.
"""

import copy
import json
import os
import time
from decimal import ROUND_HALF_UP, Decimal

import harness as h

FIXTURES = os.path.join(h.SRCDIR, "tests", "fixtures", "litellm")
REAL = os.path.join(FIXTURES, "real-1.81.13")
CALLBACK = "/api/litellm/callback"
JSON_CT = {"Content-Type": "application/json"}
REAL_TOKEN = "trk_test123"              # the token of the real captures
SYNTH_TOKEN = "trk_live_7f3c9a2b1e5d4c8a"  # the token of fixtures 01..10

# The columns compared, in this order, with the expected values below.
COLUMNS = ["litellm_id", "trace_id", "call_type", "status", "model",
           "model_group", "provider", "department", "team", "agent",
           "prompt_tokens", "completion_tokens", "total_tokens",
           "cache_read_tokens", "cache_write_tokens",
           "CAST(litellm_cost AS CHAR)", "start_us", "end_us", "latency_us",
           "ttft_us", "stream", "error_code", "error_class", "source"]


def load(path):
    with open(path, "rb") as f:
        return f.read()


def events_of(body):
    """The events of a callback body, numbers as Decimal, in order."""
    text = body.decode("utf-8")
    try:
        doc = json.loads(text, parse_float=Decimal)
    except ValueError:
        doc = [json.loads(line, parse_float=Decimal)
               for line in text.split("\n") if line.strip()]
    return doc if isinstance(doc, list) else [doc]


def captured_headers(name):
    """Request headers of a real capture, minus what http.client sets."""
    out = {}
    with open(os.path.join(REAL, name)) as f:
        for line in f.read().splitlines()[1:]:
            if ":" not in line:
                continue
            k, v = line.split(":", 1)
            if k.lower() not in ("host", "content-length", "connection"):
                out[k] = v.strip()
    return out


def tracked(ev, name, webhook):
    """A tracked header's value, from the carriers in LiteLLM's order."""
    md = ev.get("metadata") or {}
    sources = [md.get("requester_custom_headers") or {},
               {k.lower(): v for k, v in (webhook or {}).items()},
               (md.get("requester_metadata") or {}).get("headers") or {}]
    for src in sources:
        for k, v in src.items():
            if k.lower() == name and isinstance(v, str) and v.strip():
                return v.strip()
    for tag in ev.get("request_tags") or []:
        if isinstance(tag, str) and tag.lower().startswith(name + ":"):
            v = tag[len(name) + 1:].strip()
            if v:
                return v
    return None


def micros(x):
    if x is None:
        return None
    return int((Decimal(x) * 1000000).to_integral_value(ROUND_HALF_UP))


def expected_row(ev, webhook=None):
    """The stored row an event must produce, as the strings MariaDB prints."""
    md = ev.get("metadata") or {}
    usage = md.get("usage_object") or {}
    details = usage.get("prompt_tokens_details") or {}
    start, end = micros(ev.get("startTime")), micros(ev.get("endTime"))
    first = micros(ev.get("completionStartTime"))
    stream = ev.get("stream") is True
    failure = ev.get("status") == "failure"
    info = ev.get("error_information") or {}
    cache_read = usage.get("cache_read_input_tokens")
    if cache_read is None:
        cache_read = details.get("cached_tokens")
    cache_write = usage.get("cache_creation_input_tokens")
    if cache_write is None:
        cache_write = details.get("cache_creation_tokens")
    cost = ev.get("response_cost")
    row = [ev.get("id") or None, ev.get("trace_id") or None,
           ev.get("call_type") or None, ev.get("status") or None,
           ev.get("model") or None, ev.get("model_group") or None,
           ev.get("custom_llm_provider") or None,
           tracked(ev, "x-department", webhook), tracked(ev, "x-team", webhook),
           tracked(ev, "x-agent", webhook),
           ev.get("prompt_tokens"), ev.get("completion_tokens"),
           ev.get("total_tokens"), cache_read, cache_write,
           None if cost is None else
           format(Decimal(cost).quantize(Decimal("1e-12"), ROUND_HALF_UP), "f"),
           start, end,
           end - start if start is not None and end is not None else None,
           first - start if stream and first is not None else None,
           1 if stream else 0,
           (info.get("error_code") or None) if failure else None,
           (info.get("error_class") or None) if failure else None,
           "litellm"]
    return [None if v is None else str(v) for v in row]


def q(s):
    return "'" + str(s).replace("\\", "\\\\").replace("'", "''") + "'"


class Run:
    def __init__(self, server):
        self.server = server
        self.db = h.MariaDB().start()
        self.stack = h.start_all(server, db=self.db)
        self.conf = self.stack.conf
        h.ok(True, "%s and MariaDB started (%s)" % (server, self.stack.url()))

    def ctl(self, *args):
        rc, out, err = h.llmopsctl(self.conf, *args)
        if rc != 0:
            h.diag("llmopsctl %s: %s" % (" ".join(args), err))
        return rc, out

    def drain(self):
        """llmopsctl spool drain: what was acknowledged is in the database
        once it returns (the responders load right after answering; this
        makes the test independent of their timing)."""
        rc, out = self.ctl("spool", "drain")
        if rc != 0:
            h.ok(False, "llmopsctl spool drain failed")
        return rc

    def wait_count(self, org, n, seconds=10):
        """Waits (bounded) until org has n events stored, without draining."""
        deadline = time.time() + seconds
        while self.count(org) != n and time.time() < deadline:
            time.sleep(0.05)
        return self.count(org)

    def post(self, body, headers=None, content_type="application/json",
             drain=True):
        """POSTs body; then (drain) loads the spool, so that the database
        shows what the answer acknowledged."""
        status, rh, doc = self.post_only(body, headers, content_type)
        if drain and status == 200:
            self.drain()
        return status, rh, doc

    def post_only(self, body, headers=None, content_type="application/json"):
        hdrs = dict(headers or {})
        if content_type and not any(k.lower() == "content-type" for k in hdrs):
            hdrs["Content-Type"] = content_type
        status, rh, data = h.http("POST", self.stack.url(CALLBACK), body=body,
                                  headers=hdrs)
        try:
            doc = json.loads(data.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            doc = None
        return status, rh, doc

    def sql(self, query):
        return self.db.sql(query)

    def org_id(self, name):
        return self.sql("SELECT id FROM organizations WHERE name = %s" % q(name))[0][0]

    def count(self, org):
        return int(self.sql("SELECT COUNT(*) FROM usage_events WHERE org_id = %s"
                            % self.org_id(org))[0][0])

    def row(self, org, litellm_id):
        rows = self.sql("SELECT %s FROM usage_events WHERE org_id = %s AND "
                        "litellm_id = %s" % (", ".join(COLUMNS),
                                             self.org_id(org), q(litellm_id)))
        return rows

    def rollup_totals(self, org):
        return self.sql(
            "SELECT SUM(requests), SUM(errors), SUM(prompt_tokens), "
            "SUM(completion_tokens), SUM(total_tokens), SUM(cache_read_tokens), "
            "SUM(cache_write_tokens), CAST(SUM(litellm_cost) AS CHAR), "
            "SUM(latency_us_sum), SUM(latency_count) FROM usage_hourly "
            "WHERE org_id = %s" % self.org_id(org))[0]

    def events_totals(self, org):
        return self.sql(
            "SELECT COUNT(*), SUM(status = 'failure'), "
            "SUM(COALESCE(prompt_tokens, 0)), SUM(COALESCE(completion_tokens, 0)), "
            "SUM(COALESCE(total_tokens, 0)), SUM(COALESCE(cache_read_tokens, 0)), "
            "SUM(COALESCE(cache_write_tokens, 0)), "
            "CAST(SUM(COALESCE(litellm_cost, 0)) AS CHAR), "
            "SUM(COALESCE(latency_us, 0)), COUNT(latency_us) FROM usage_events "
            "WHERE org_id = %s" % self.org_id(org))[0]

    def rollups_match_events(self, org, name):
        """The hourly rollup equals an independent GROUP BY over the events."""
        oid = self.org_id(org)
        dims = ("department, team, agent, model, provider, status, "
                "error_class, error_code")
        by_rollup = self.sql(
            "SELECT hour_us, %s, requests, errors, prompt_tokens, "
            "completion_tokens, total_tokens, cache_read_tokens, "
            "cache_write_tokens, CAST(litellm_cost AS CHAR), "
            "litellm_cost_events, latency_us_sum, latency_count, ttft_us_sum, "
            "ttft_count FROM usage_hourly WHERE org_id = %s" % (dims, oid))
        by_events = self.sql(
            "SELECT occurred_us - MOD(occurred_us, 3600000000) AS h, %s, "
            "COUNT(*), SUM(status = 'failure'), SUM(COALESCE(prompt_tokens, 0)), "
            "SUM(COALESCE(completion_tokens, 0)), SUM(COALESCE(total_tokens, 0)), "
            "SUM(COALESCE(cache_read_tokens, 0)), "
            "SUM(COALESCE(cache_write_tokens, 0)), "
            "CAST(CAST(SUM(COALESCE(litellm_cost, 0)) AS DECIMAL(26,12)) AS CHAR), "
            "COUNT(litellm_cost), SUM(COALESCE(latency_us, 0)), COUNT(latency_us), "
            "SUM(COALESCE(ttft_us, 0)), COUNT(ttft_us) FROM usage_events "
            "WHERE org_id = %s GROUP BY h, %s" % (dims, oid, dims))
        h.is_(sorted(map(tuple, by_rollup), key=repr),
              sorted(map(tuple, by_events), key=repr),
              "%s: hourly rollups equal a GROUP BY over the events" % name)


def check_real_captures(r):
    """The real LiteLLM 1.81.13 batches, stored field by field."""
    h.is_(r.ctl("org", "create", "acme")[0], 0, "org create acme")
    h.is_(r.ctl("token", "add", "acme", REAL_TOKEN, "--label", "rig")[0], 0,
          "token add acme trk_test123")

    b1, b2 = load(os.path.join(REAL, "batch1.json")), load(os.path.join(REAL, "batch2.json"))
    before = int(time.time() * 1e6)
    status, rh, doc = r.post(b1, captured_headers("batch1.headers.txt"),
                             drain=False)
    h.is_(status, 200, "real batch 1: 200")
    h.is_((doc or {}).get("accepted"), 1, "real batch 1: one event accepted")
    h.is_((doc or {}).get("spooled"), 1, "real batch 1: one event spooled")
    h.is_(r.wait_count("acme", 1), 1, "real batch 1: loaded by the responder "
          "itself after its answer (no drain)")
    h.is_((doc or {}).get("rejected_reasons"), {"missing_token": 1},
          "real batch 1: the event sent without headers is missing_token")
    status, rh, doc = r.post(b2, captured_headers("batch2.headers.txt"))
    h.is_(status, 200, "real batch 2: 200")
    h.is_(doc, {"accepted": 4, "rejected": 0, "rejected_reasons": {},
                "warnings": 0, "events": 4, "spooled": 4},
          "real batch 2: four events accepted and spooled")
    h.is_(r.count("acme"), 5, "real batch 2: four more rows")
    after = int(time.time() * 1e6)

    stored = [ev for ev in events_of(b1) + events_of(b2)
              if tracked(ev, "x-cloudidr-token", None) == REAL_TOKEN]
    h.is_(len(stored), 5, "five captured events carry trk_test123")
    for ev in stored:
        rows = r.row("acme", ev["id"])
        h.is_(len(rows), 1, "%s: stored once" % ev["id"])
        if rows:
            got = dict(zip(COLUMNS, rows[0]))
            want = dict(zip(COLUMNS, expected_row(ev)))
            h.is_(got, want, "%s: the row equals the payload, field by field"
                  % ev["id"])
    oid = r.org_id("acme")
    tid = r.sql("SELECT id FROM tracking_tokens WHERE org_id = %s" % oid)[0][0]
    rows = r.sql("SELECT token_id, received_us FROM usage_events WHERE "
                 "org_id = %s" % oid)
    h.ok(all(t == tid for t, _ in rows), "every row names the token used")
    h.ok(all(before <= int(rv) <= after for _, rv in rows),
         "received_us is the time of the POST")
    h.is_(r.sql("SELECT COUNT(*) FROM usage_events WHERE org_id = %s AND "
                "(department = '' OR team = '' OR agent = '' OR "
                "model_group = '' OR provider = '')" % oid)[0][0], "0",
          "no empty strings stored: absent is NULL")

    # LiteLLM posts some batches twice: the second adds nothing.
    totals = r.rollup_totals("acme")
    status, rh, doc = r.post(b2, captured_headers("batch2.headers.txt"))
    h.is_(status, 200, "real batch 2 again: 200")
    # Duplicates are no longer known when answering: the loader finds them.
    h.is_(doc, {"accepted": 4, "rejected": 0, "rejected_reasons": {},
                "warnings": 0, "events": 4, "spooled": 4},
          "real batch 2 again: four events spooled (the loader finds the "
          "duplicates)")
    h.is_(r.count("acme"), 5, "the second post adds no row")
    h.is_(r.rollup_totals("acme"), totals, "... and nothing to the rollups")
    h.is_(r.rollup_totals("acme"), r.events_totals("acme"),
          "rollup totals equal the events' totals")
    r.rollups_match_events("acme", "real captures")

    # The webhook's own X-Cloudidr-Token (callback_settings headers) applies
    # to events that carry none: the claude event of batch 1 is now kept.
    hdrs = captured_headers("batch1.headers.txt")
    hdrs.update({"X-Cloudidr-Token": REAL_TOKEN, "X-Team": "platform-team"})
    status, rh, doc = r.post(b1, hdrs)
    h.is_((status, (doc or {}).get("accepted"), (doc or {}).get("spooled")),
          (200, 2, 2), "batch 1 with a webhook token: both events accepted")
    h.is_(r.count("acme"), 6, "... and exactly one new row: the headerless "
          "event; the other was a duplicate")
    claude = events_of(b1)[1]
    rows = r.row("acme", claude["id"])
    want = expected_row(claude, webhook={"x-cloudidr-token": REAL_TOKEN,
                                         "x-team": "platform-team"})
    h.is_(dict(zip(COLUMNS, rows[0])) if rows else None,
          dict(zip(COLUMNS, want)), "webhook-level X-Team attributed, "
          "department and agent untagged")

    # What llmopsctl events shows for them.
    rc, out = r.ctl("events", "acme", "--format", "jsonl")
    lines = [json.loads(l) for l in out.splitlines() if l.strip()]
    h.is_(len(lines), 6, "llmopsctl events: six events")
    first = [x for x in lines if x["litellm_id"] == "chatcmpl-rig000002"]
    h.ok(first and str(first[0]["litellm_cost"]) == "0.00096" and
         first[0]["latency_ms"] == 79.816 and
         first[0]["start_time"] == "2026-11-27T04:26:27.369350Z",
         "llmopsctl events: cost, latency and start of the first call",
         diag=repr(first))
    rc, out = r.ctl("events", "acme", "--format", "csv")
    h.is_(len(out.strip().splitlines()), 7, "llmopsctl events --format csv: "
          "header and six rows")


def mutated(base, **changes):
    ev = copy.deepcopy(base)
    for k, v in changes.items():
        ev[k] = v
    return ev


def with_token(ev, token):
    ev = copy.deepcopy(ev)
    hdrs = ev["metadata"]["requester_custom_headers"]
    if token is None:
        ev["metadata"]["requester_custom_headers"] = {
            k: v for k, v in hdrs.items() if k != "x-cloudidr-token"}
    else:
        hdrs["x-cloudidr-token"] = token
    return ev


def dumps(events):
    """JSON as LiteLLM writes it (Python's json, ", " and ": " separators)."""
    return json.dumps(events, default=float).encode()


def check_mixed_batch(r):
    """Valid, revoked and missing tokens in one batch: only the valid one."""
    r.ctl("org", "create", "mixed")
    good = h.create_token(r.conf, "mixed", "good")
    bad = h.create_token(r.conf, "mixed", "bad")
    rc, out = r.ctl("token", "list", "mixed", "--format", "json")
    toks = json.loads(out) if rc == 0 else []
    bad_id = [t["id"] for t in toks if t["label"] == "bad"]
    h.ok(rc == 0 and bad_id and good not in out and bad not in out,
         "token list shows ids and prefixes, never a token")
    h.is_(r.ctl("token", "revoke", str(bad_id[0]))[0] if bad_id else None, 0,
          "token revoke")
    h.is_(r.ctl("token", "revoke", str(bad_id[0]))[0] if bad_id else None, 1,
          "revoking twice is an error")

    base = events_of(load(os.path.join(FIXTURES,
                                       "01_success_openai_gpt4_nonstream.json")))[0]
    batch = [with_token(mutated(base, id="mixed-valid"), good),
             with_token(mutated(base, id="mixed-revoked"), bad),
             with_token(mutated(base, id="mixed-missing"), None)]
    acme_before = r.count("acme")
    status, rh, doc = r.post(dumps(batch))
    h.is_(status, 200, "mixed batch: 200")
    h.is_(doc, {"accepted": 1, "rejected": 2,
                "rejected_reasons": {"missing_token": 1, "revoked_token": 1},
                "warnings": 0, "events": 3, "spooled": 1},
          "mixed batch: one accepted, two rejected by reason")
    h.is_([x[0] for x in r.sql(
        "SELECT litellm_id FROM usage_events WHERE org_id = %s"
        % r.org_id("mixed"))], ["mixed-valid"], "only the valid event is stored")
    h.is_(r.count("acme"), acme_before, "another organization is untouched")
    log = r.stack.error_log_text()
    h.ok("[LITELLM]" in log and "revoked_token" in log and
         "missing_token" in log, "each rejection is logged with [LITELLM] "
         "and its reason")
    h.ok(good not in log and bad not in log and REAL_TOKEN not in log,
         "no token is ever logged")

    # Every token unusable: 401, with the counts.
    batch = [with_token(mutated(base, id="unknown-%d" % i), "trk_nobody_%08d" % i)
             for i in range(3)]
    status, rh, doc = r.post(dumps(batch))
    h.is_(status, 401, "only unknown tokens: 401")
    h.is_((doc or {}).get("rejected_reasons"), {"unknown_token": 3},
          "401 body counts the unknown tokens")
    h.ok(isinstance((doc or {}).get("error"), str), "401 body has an error text")


def check_framings(r):
    """Every fixture through HTTP: arrays, NDJSON, single, null elements."""
    r.ctl("org", "create", "synth")
    r.ctl("token", "add", "synth", SYNTH_TOKEN)
    plan = [
        ("05_batch_json_array.json", 200, 4, 0, {}),
        ("07_batch.ndjson", 200, 0, 4, {}),
        ("10_single_format_one_event.json", 200, 0, 1, {}),
        ("09_batch_with_null_entry.json", 200, 1, 1, {"null_event": 1}),
        ("04_success_embedding.json", 200, 0, 1, {}),
        ("01_success_openai_gpt4_nonstream.json", 200, 0, 1, {}),
        ("02_success_openai_gpt4o_stream.json", 200, 1, 0, {}),
        ("03_failure_anthropic_429.json", 200, 1, 0, {}),
        ("06_success_anthropic_prompt_caching.json", 200, 0, 1, {}),
        ("08_failure_proxy_auth_401.json", 401, 0, 0, {"missing_token": 1}),
    ]
    # acc new rows and dup duplicates: the answer accepts (spools) both,
    # the database gains exactly acc rows.
    for name, want_status, acc, dup, reasons in plan:
        before = r.count("synth")
        status, rh, doc = r.post(load(os.path.join(FIXTURES, name)))
        doc = doc or {}
        want_acc = acc + dup if want_status == 200 else 0
        h.is_((status, doc.get("accepted"), doc.get("spooled"),
               doc.get("rejected_reasons")),
              (want_status, want_acc, want_acc, reasons),
              "%s: %d, accepted %d" % (name, want_status, want_acc))
        h.is_(r.count("synth") - before, acc, "%s: %d new rows, %d "
              "duplicates" % (name, acc, dup))
    h.is_(r.count("synth"), 7, "seven distinct synthetic events stored")
    for name in ("02_success_openai_gpt4o_stream.json",
                 "03_failure_anthropic_429.json",
                 "06_success_anthropic_prompt_caching.json",
                 "04_success_embedding.json"):
        ev = events_of(load(os.path.join(FIXTURES, name)))[0]
        rows = r.row("synth", ev["id"])
        h.is_(dict(zip(COLUMNS, rows[0])) if rows else None,
              dict(zip(COLUMNS, expected_row(ev))),
              "%s: row equals the payload" % name)
    r.rollups_match_events("synth", "synthetic fixtures")

    # Python's NaN and Infinity: stored as unknown (NULL), never 0.
    base = events_of(load(os.path.join(FIXTURES,
                                       "01_success_openai_gpt4_nonstream.json")))[0]
    body = dumps([mutated(base, id="nan-cost")]).replace(
        b'"response_cost": 0.0144', b'"response_cost": NaN')
    status, rh, doc = r.post(body)
    h.is_((status, (doc or {}).get("accepted")), (200, 1), "NaN cost accepted")
    h.is_(r.row("synth", "nan-cost")[0][COLUMNS.index("CAST(litellm_cost AS CHAR)")]
          if r.row("synth", "nan-cost") else "missing", None,
          "NaN cost stored as NULL")


def check_bad_requests(r):
    """Every bad request: a clear 4xx with a JSON body, and a log line."""
    url = r.stack.url(CALLBACK)
    status, rh, data = h.http("GET", url)
    h.is_(status, 405, "GET on the callback: 405")
    h.is_(rh.get("allow"), "POST", "405 says Allow: POST")
    cases = [
        ("text/plain body", b'{"test": true}', "text/plain", 415, "Content-Type"),
        ("no content type", b'{"test": true}', None, 415, "Content-Type"),
        ("malformed JSON", b'[{"id": "x"} {"id": "y"}]', "application/json", 400,
         "byte 13"),
        ("truncated JSON", b'[{"id": "x"', "application/json", 400, "end of body"),
        ("legacy double-encoded body", b'"{\\"id\\": 1}"', "application/json",
         400, "1.68"),
        ("a number", b"42", "application/json", 400, "byte 0"),
        ("invalid UTF-8", b'[{"id": "\xc3\x28"}]', "application/json", 400,
         "utf-8"),
        ("empty body", b"", "application/json", 400, "empty body"),
    ]
    for name, body, ct, want, text in cases:
        status, rh, doc = r.post(body, content_type=ct)
        h.is_(status, want, "%s: %d" % (name, want))
        h.ok(isinstance(doc, dict) and doc.get("status") == want and
             text.lower() in str(doc.get("error", "")).lower(),
             "%s: JSON error body mentions %r" % (name, text), diag=repr(doc))
        h.like(rh.get("content-type", ""), r"^application/json",
               "%s: Content-Type application/json" % name)
    log = r.stack.error_log_text()
    for text in ("405", "415", "malformed JSON", "1.68"):
        h.ok(any("[LITELLM]" in line and text in line
                 for line in log.splitlines()),
             "a [LITELLM] log line says %r" % text)
    status, rh, doc = r.post(b'{"test": true}')
    h.is_((status, (doc or {}).get("test")), (200, True),
          "the guide's connectivity test: 200")
    # httpx sends Content-Type twice when callback_settings has a
    # lower-case one; the web server joins them.
    status, rh, doc = r.post(b'{"test": true}', headers={
        "Content-Type": "application/json", "content-type": "application/json"})
    h.is_(status, 200, "Content-Type sent twice: still 200")


def check_database_faults(r):
    """A restarted database is reconnected to; while it is stopped the
    events are acknowledged from the spool (200) and stored exactly once
    when it is back."""
    base = events_of(load(os.path.join(FIXTURES,
                                       "01_success_openai_gpt4_nonstream.json")))[0]
    r.db.restart()
    status, rh, doc = r.post(dumps([mutated(base, id="after-restart")]))
    h.is_((status, (doc or {}).get("accepted")), (200, 1),
          "after MariaDB restarted: the responder reconnects, 200")
    h.is_(len(r.sql(
        "SELECT id FROM usage_events WHERE litellm_id = 'after-restart'")), 1,
          "after MariaDB restarted: stored once")
    r.db.stop()
    status, rh, doc = r.post(dumps([mutated(base, id="while-down")]),
                             drain=False)
    h.is_((status, (doc or {}).get("accepted"), (doc or {}).get("spooled")),
          (200, 1, 1), "MariaDB down: 200, the event spooled")
    status, rh, doc = h.http_json("GET", r.stack.url("/api/health"))
    h.is_(status, 503, "MariaDB down: health 503")
    r.db.start()
    h.is_(r.drain(), 0, "MariaDB back: llmopsctl spool drain")
    status, rh, doc = r.post(dumps([mutated(base, id="while-down")]))
    h.is_((status, (doc or {}).get("accepted")), (200, 1),
          "MariaDB back: the same batch again is accepted")
    h.is_(len(r.sql("SELECT id FROM usage_events WHERE litellm_id = "
                    "'while-down'")), 1,
          "the event acknowledged while MariaDB was down is stored, once")
    status, rh, doc = h.http_json("GET", r.stack.url("/api/health"))
    h.is_((status, (doc or {}).get("database")), (200, "ok"), "health 200")


def check_shutdown(r):
    r.stack.stop()
    strays = [p for d in r.stack.daemons() for p in d.strays]
    h.ok(not strays, "SIGTERM: no responder is left behind", diag=repr(strays))
    reports = r.stack.sanitizer_reports()
    h.ok(not reports, "no sanitizer report in the logs",
         diag="\n".join(reports[:40]))
    r.db.stop()


def run(server):
    r = Run(server)
    check_real_captures(r)
    check_mixed_batch(r)
    check_framings(r)
    check_bad_requests(r)
    check_database_faults(r)
    check_shutdown(r)
    h.done_testing()
