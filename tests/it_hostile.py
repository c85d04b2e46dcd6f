#!/usr/bin/env python3
"""The hostile corpus through the real web servers (lighttpd, Apache with
mod_fcgid), as shipped (issue 10, proof 5):

- malformed, truncated and oversize bodies, Content-Length lies, chunked
  bodies, 100,000-deep nesting, invalid UTF-8, NUL bytes, numbers beyond
  int64 and double, NaN, negative and fractional counts, 1 MB labels,
  duplicate keys, CR/LF in headers, an endTime in the year 2200 (the
  latency that overflowed the hourly rollup's sum);
- every case gets a JSON answer (Content-Type and a parseable body), or,
  where the client itself stops sending, none;
- no responder dies (the same processes before and after);
- 32 MiB bodies of empty objects and of zeros: a responder's peak RSS
  (VmHWM) stays within the documented bound, 3x ingest.max_body_bytes;
- memory stays flat across 1,000 hostile requests.

A watchdog kills a responder that grows past WATCHDOG_BYTES, so that a
parser that builds a tree of a hostile body fails this test instead of
exhausting the machine."""

import json
import os
import signal
import socket
import threading
import time

import harness as h
from ingest_checks import (CALLBACK, FIXTURES, dumps, events_of, load,
                           mutated, with_token)

JSON_CT = "application/json"
MAX_BODY = 32 * 1024 * 1024         # ingest.max_body_bytes, the default
RSS_BOUND = 3 * MAX_BODY            # README: a responder's peak RSS bound
WATCHDOG_BYTES = 1024 * 1024 * 1024
REPEAT = 1000                       # requests of the memory check
FLAT_BYTES = 16 * 1024 * 1024       # allowed growth across them
INT64_MAX = 2 ** 63 - 1
OVERFLOW_EVENTS = 200


def status_file(pid):
    out = {}
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmRSS", "VmHWM"):
                    out[k] = int(v.split()[0]) * 1024
    except OSError:
        pass
    return out


def reset_peak(pid):
    """Resets VmHWM to the current RSS (Linux >= 4.0, as root)."""
    try:
        with open("/proc/%d/clear_refs" % pid, "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


class Server:
    def __init__(self, kind, db):
        self.kind = kind
        # No ASan quarantine: freed memory goes back at once, so peak and
        # flat-memory checks see the responder's own use.
        asan = os.environ.get("ASAN_OPTIONS", "")
        asan = (asan + ":" if asan else "") + \
            "quarantine_size_mb=0:thread_local_quarantine_size_kb=0"
        self.stack = h.start_all(kind, db=db, env={"ASAN_OPTIONS": asan})
        self.port = self.stack.web.port
        self.token = self.stack.token("hostile-" + kind)
        self.killed = []
        self.n = 0

    def responders(self):
        marker = os.path.join(self.stack.web.dir, "")
        return sorted(p for p, cmd in h.processes_matching(marker)
                      if "llmops.fcgi" in cmd)

    def url(self):
        return self.stack.url(CALLBACK)


def watchdog(servers, stop):
    """Kills a responder past WATCHDOG_BYTES (and notes it)."""
    while not stop.is_set():
        for s in servers:
            for pid in s.responders():
                if status_file(pid).get("VmRSS", 0) > WATCHDOG_BYTES:
                    try:
                        os.kill(pid, signal.SIGKILL)
                        s.killed.append(pid)
                    except OSError:
                        pass
        time.sleep(0.02)


# --- the corpus ---------------------------------------------------------------

def base_event():
    return events_of(load(os.path.join(
        FIXTURES, "01_success_openai_gpt4_nonstream.json")))[0]


class Corpus:
    """Bodies built from a real event with the stack's token; raw JSON text
    (numbers JSON cannot say in Python) spliced in by placeholder."""

    def __init__(self, token):
        self.token = token
        self.n = 0

    def event(self, **changes):
        self.n += 1
        ev = with_token(base_event(), self.token)
        ev = mutated(ev, id="hostile-%d-%d" % (self.n, time.monotonic_ns()))
        for k, v in changes.items():
            ev[k] = v
        return ev

    def header(self, name, value):
        ev = self.event()
        ev["metadata"]["requester_custom_headers"][name] = value
        return dumps([ev])

    def raw(self, field, text, where=None):
        """An event whose field holds the JSON text `text` as it is."""
        ev = self.event()
        target = ev if where is None else ev[where]
        target[field] = "@@RAW@@"
        return dumps([ev]).replace(b'"@@RAW@@"', text)


def post(body, ctype=JSON_CT, **kw):
    return h.http("POST", CURRENT["url"], body=body,
                  headers={"Content-Type": ctype}, timeout=120, **kw)


def raw_request(head, body=b"", half_close=False):
    """Sends head (\\n line ends) and body on a new connection as they are;
    half_close: the client then stops sending (shutdown SHUT_WR)."""
    data = head.replace(b"\n", b"\r\n") + body
    sock = socket.create_connection(("127.0.0.1", CURRENT["port"]), timeout=60)
    import http.client as httpclient
    try:
        try:
            sock.sendall(data)
            if half_close:
                sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        resp = httpclient.HTTPResponse(sock, method="POST")
        try:
            resp.begin()
        except (httpclient.RemoteDisconnected, ConnectionResetError):
            return None, {}, b""
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        sock.close()


CURRENT = {}


def head(extra=b"", length=None, ctype=b"application/json"):
    h_ = b"POST /api/litellm/callback HTTP/1.1\nHost: x\n"
    if ctype:
        h_ += b"Content-Type: " + ctype + b"\n"
    if length is not None:
        h_ += b"Content-Length: %d\n" % length
    return h_ + extra + b"\n"


def cases(c):
    """(name, thunk returning (status, headers, body), statuses allowed,
    what the answer must say: a function of the parsed answer or None).
    None among the statuses: the server may close without an answer (the
    client stopped sending)."""
    one = dumps([c.event()])
    deep = b"[" * 100000 + b"]" * 100000
    year2200 = 7258118400.0         # 2200-01-01T00:00:00Z
    ok200 = (200,)

    def stored(doc):
        return doc.get("accepted", 0) + doc.get("rejected", 0) >= 1

    def warned(doc):
        return doc.get("accepted") == 1 and doc.get("warnings", 0) >= 1

    def kept(doc):
        return doc.get("accepted") == 1

    out = [
        ("malformed JSON", lambda: post(b'[{"id": "x"} {"id": "y"}]'), (400,), None),
        ("truncated body", lambda: post(one[:len(one) // 2]), (400,), None),
        ("only an opening bracket", lambda: post(b"["), (400,), None),
        ("trailing garbage", lambda: post(one + b"garbage"), (400,), None),
        ("oversize body (33 MiB + 1)", lambda: raw_request(
            head(length=33 * 1024 * 1024 + 1), b"[" + b"0," * 1000),
         (413,), None),
        ("body over ingest.max_body_bytes", lambda: post(
            b"[" + b"0," * (MAX_BODY // 2) + b"0]"), (413,), None),
        ("Content-Length shorter than the body", lambda: raw_request(
            head(length=len(one) - 100), one), (400,), None),
        ("Content-Length longer than the body, client stops", lambda: raw_request(
            head(length=len(one) + 100), one, half_close=True),
         (400, 408, 500, None), None),
        ("Content-Length negative", lambda: raw_request(head(length=None, extra=b"Content-Length: -5\n"), b"[]"),
         (400,), None),
        ("Content-Length beyond int64", lambda: raw_request(
            head(extra=b"Content-Length: 99999999999999999999999\n"), b"[]"), (400, 413), None),
        ("chunked body", lambda: post(one, chunked=True), (200, 411), None),
        ("chunked body with chunk extensions and trailer", lambda: raw_request(
            head(extra=b"Transfer-Encoding: chunked\n"),
            b"%x;ext=1\r\n" % len(one) + one + b"\r\n0\r\nX-Trailer: 1\r\n\r\n"),
         (200, 400, 411), None),
        ("chunked body cut short, client stops", lambda: raw_request(
            head(extra=b"Transfer-Encoding: chunked\n"),
            b"%x\r\n" % (len(one) + 50) + one, half_close=True),
         (400, 408, 500, None), None),
        ("100,000-deep nesting", lambda: post(deep), (400,), None),
        ("100,000-deep nesting inside an event", lambda: post(
            dumps([c.event(metadata_extra="@@D@@")]).replace(b'"@@D@@"', deep)),
         (200, 400), None),
        ("invalid UTF-8 in a label", lambda: post(
            c.header("x-team", "@@U@@").replace(b"@@U@@", b"\xc3\x28\xff")),
         (200, 400), None),
        ("NUL byte in the body", lambda: post(one[:40] + b"\x00" + one[40:]), (400,), None),
        ("\\u0000 in a label", lambda: post(c.header("x-team", "plat\u0000form")),
         ok200, kept),
        ("token count beyond int64", lambda: post(
            c.raw("prompt_tokens", b"99999999999999999999999")), ok200, warned),
        ("token count INT64_MAX", lambda: post(
            c.raw("prompt_tokens", str(INT64_MAX).encode())), ok200, warned),
        ("cost beyond double", lambda: post(c.raw("response_cost", b"1e400")),
         (200, 400), None),
        ("cost NaN", lambda: post(c.raw("response_cost", b"NaN")), ok200, kept),
        ("cost -Infinity", lambda: post(c.raw("response_cost", b"-Infinity")),
         ok200, kept),
        ("negative token count", lambda: post(c.raw("completion_tokens", b"-212")),
         ok200, warned),
        ("fractional token count", lambda: post(c.raw("prompt_tokens", b"56.5")),
         ok200, kept),
        ("1 MB label", lambda: post(c.header("x-department", "d" * 1000000)),
         ok200, warned),
        ("1 MB model name", lambda: post(dumps([c.event(model="m" * 1000000)])),
         ok200, warned),
        ("duplicate keys", lambda: post(dumps([c.event()]).replace(
            b'{"id": "', b'{"id": "first", "id": "', 1)), ok200, stored),
        ("CR/LF in a tracked label", lambda: post(c.header("x-agent", "a\r\nX-Evil: 1")),
         ok200, kept),
        ("CR/LF in a request header", lambda: raw_request(
            head(length=len(one), extra=b"X-Department: a\rb\n"), one), (400,), None),
        # RFC 9112 lets a server unfold it (lighttpd) or refuse it (Apache).
        ("obsolete folded request header", lambda: raw_request(
            head(length=len(one), extra=b"X-Department: a\n b\n"), one),
         (200, 400), None),
        # Without response_time, the latency is endTime - startTime.
        ("endTime in the year 2200", lambda: post(dumps([c.event(
            endTime=year2200, response_time=None)])),
         ok200, warned),
        ("startTime 0 and endTime 2200", lambda: post(dumps([c.event(
            startTime=0, endTime=year2200, completionStartTime=year2200,
            response_time=None)])),
         ok200, warned),
        ("no Content-Type", lambda: post(one, ctype=""), (415,), None),
        ("an array of 10,000 empty objects", lambda: post(b"[" + b"{}," * 9999 + b"{}]"),
         ok200, None),
    ]
    return out


def check_answer(kind, name, got, allowed, says):
    status, hdrs, body = got
    if status is None and None in allowed:
        h.ok(True, "%s: %s: closed without an answer (the client stopped)" % (kind, name))
        return
    doc = None
    try:
        doc = json.loads(body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        pass
    good = (status in allowed and
            hdrs.get("content-type", "").startswith(JSON_CT) and
            isinstance(doc, dict) and
            (status < 400 or "error" in doc) and
            (says is None or status >= 400 or says(doc)))
    h.ok(good, "%s: %s: %s JSON%s" % (kind, name, "/".join(
        str(a) for a in allowed if a is not None),
        "" if says is None else " (" + says.__name__ + ")"),
        diag="%r %r %r" % (status, hdrs.get("content-type"), body[:300]))


def big_bodies():
    """32 MiB (ingest.max_body_bytes exactly) of the shapes that once built
    gigabytes of json-c tree."""
    def fill(prefix, unit, last, suffix):
        n = (MAX_BODY - len(prefix) - len(last) - len(suffix)) // len(unit)
        body = prefix + unit * n + last + suffix
        return body + b" " * (MAX_BODY - len(body))
    return [
        ("32 MiB of nested empty objects [[{},{},...]]", fill(b"[[", b"{},", b"{}", b"]]")),
        ("32 MiB of nested zeros [[0,0,...]]", fill(b"[[", b"0,", b"0", b"]]")),
        ("32 MiB array of empty events [{},{},...]", fill(b"[", b"{},", b"{}", b"]")),
        ("32 MiB of [[[[...]]]] nesting", fill(b"", b"[", b"", b"")),
    ]


def check_stored(s, c):
    """In the database (once the events are loaded: they may be loaded
    after the answer): no implausible value was stored, the overflow
    batches are there with their values unknown, and the rollups hold
    sums that fit."""
    org = "(SELECT id FROM organizations WHERE name = 'hostile-%s')" % s.kind
    deadline = time.monotonic() + 30
    while True:
        total, no_latency, no_prompt = map(int, s.stack.db.sql(
            "SELECT COUNT(*), COALESCE(SUM(latency_us IS NULL), 0), "
            "COALESCE(SUM(prompt_tokens IS NULL), 0) FROM usage_events "
            "WHERE org_id = %s" % org)[0])
        done = (total >= 2 * OVERFLOW_EVENTS and no_latency >= OVERFLOW_EVENTS
                and no_prompt >= OVERFLOW_EVENTS)
        if done or time.monotonic() > deadline:
            break
        time.sleep(1)
    h.ok(done, "%s: the overflow events are stored, their implausible "
         "latencies and counts unknown (%d events, %d without latency, %d "
         "without prompt tokens)" % (s.kind, total, no_latency, no_prompt))
    # LIMIT_EVENT_LATENCY_US_MAX (a day) and LIMIT_EVENT_TOKENS_MAX.
    bad = s.stack.db.sql(
        "SELECT COUNT(*) FROM usage_events WHERE org_id = %s AND "
        "(latency_us > 86400000000 OR latency_us < 0 OR "
        "prompt_tokens > 100000000 OR completion_tokens > 100000000 OR "
        "total_tokens > 100000000 OR prompt_tokens < 0 OR "
        "completion_tokens < 0)" % org)[0][0]
    h.is_(int(bad), 0, "%s: no implausible latency or token count stored" % s.kind)
    sums = s.stack.db.sql(
        "SELECT COUNT(*), COALESCE(MAX(latency_us_sum), 0), "
        "COALESCE(MAX(prompt_tokens), 0) FROM usage_hourly WHERE org_id = %s" % org)[0]
    h.ok(int(sums[0]) > 0 and int(sums[1]) < 2 ** 63 and int(sums[2]) < 2 ** 63,
         "%s: the hourly rollups hold sums that fit (%s)" % (s.kind, list(sums)))


def check_big(s):
    for name, body in big_bodies():
        killed = len(s.killed)
        procs = s.responders()
        reset = all(reset_peak(p) for p in procs)
        got = post(body)
        status = got[0]
        check_answer(s.kind, name, got, (200, 400, 413), None)
        peak = max([status_file(p).get("VmHWM", 0) for p in s.responders()] or [0])
        h.ok(reset and 0 < peak <= RSS_BOUND and len(s.killed) == killed,
             "%s: %s: responder peak RSS %.0f MiB <= 3x the body limit (%d MiB)"
             % (s.kind, name, peak / 1048576.0, RSS_BOUND // 1048576),
             diag="answer %r; peak reset: %r; killed by the watchdog over %d MiB: %r"
             % (status, reset, WATCHDOG_BYTES // 1048576, s.killed[killed:]))


def run_server(s):
    """The whole corpus against one server (sets CURRENT: one server at a
    time)."""
    CURRENT["url"] = s.url()
    CURRENT["port"] = s.port
    c = Corpus(s.token)
    before = s.responders()
    h.ok(before, "%s: responders running (%s)" % (s.kind, before))
    for name, thunk, allowed, says in cases(c):
        check_answer(s.kind, name, thunk(), allowed, says)
    # The overflow of issue 10: batches whose latencies (endTime in the
    # year 5138) or token counts (INT64_MAX) would sum past a BIGINT
    # UNSIGNED rollup column: the events are kept (values unknown, each
    # with a warning), and the next ordinary event of the same hour and
    # dimensions is stored too.
    for what, changes in (
            ("latencies (endTime in the year 5138)", {"endTime": 1e11,
                                                      "response_time": None}),
            ("token counts (INT64_MAX)", {"prompt_tokens": INT64_MAX,
                                          "completion_tokens": INT64_MAX,
                                          "total_tokens": INT64_MAX})):
        big = [c.event(**changes) for _ in range(OVERFLOW_EVENTS)]
        got = post(dumps(big))
        doc = json.loads(got[2].decode("utf-8") or "{}") if got[0] else {}
        h.ok(got[0] == 200 and doc.get("accepted") == OVERFLOW_EVENTS and
             doc.get("warnings", 0) >= OVERFLOW_EVENTS,
             "%s: %d events whose %s would overflow a rollup's sum: kept, "
             "each with a warning" % (s.kind, OVERFLOW_EVENTS, what),
             diag="%r %r" % (got[0], got[2][:300]))
    got = post(dumps([c.event()]))
    doc = json.loads(got[2].decode("utf-8") or "{}") if got[0] else {}
    h.is_((got[0], doc.get("accepted")), (200, 1),
          "%s: then the next event in the same rollup is stored" % s.kind)
    check_stored(s, c)
    check_big(s)

    # Memory: warm up with REPEAT requests of the small corpus, then REPEAT
    # more. The requests are spread over several responders, and each grows
    # to a plateau of a few MiB (its bounded caches fill, its allocator keeps
    # freed blocks); one pass of the corpus left some of them below it (CI
    # measured +18.1 MiB over 4 responders). What must hold is that a
    # responder already warm does not keep growing.
    small = [(n, t) for n, t, a, _ in cases(c)
             if "33 MiB" not in n and "max_body" not in n and "client stops" not in n]
    start = {p: status_file(p).get("VmRSS", 0) for p in s.responders()}
    for i in range(REPEAT):
        small[i % len(small)][1]()
    # Summed over the processes that served them all (a process started
    # meanwhile would only add its own size).
    rss0 = {p: status_file(p).get("VmRSS", 0) for p in s.responders()}
    warm = sum(rss0[p] - start[p] for p in rss0 if p in start)
    t0 = time.monotonic()
    for i in range(REPEAT):
        small[i % len(small)][1]()
    now = {p: status_file(p).get("VmRSS", 0) for p in s.responders()}
    both = [p for p in rss0 if now.get(p)]
    rss0, rss1 = sum(rss0[p] for p in both), sum(now[p] for p in both)
    h.ok(rss1 - rss0 <= FLAT_BYTES,
         "%s: memory flat across %d hostile requests after %d to warm up "
         "(%+.1f MiB, %.0f s)"
         % (s.kind, REPEAT, REPEAT, (rss1 - rss0) / 1048576.0,
            time.monotonic() - t0),
         diag="RSS %d -> %d bytes; the warm-up added %+.1f MiB"
         % (rss0, rss1, warm / 1048576.0))

    after = s.responders()
    alive = [p for p in before if os.path.exists("/proc/%d" % p)]
    h.ok(alive == before and not s.killed,
         "%s: no responder died (before %s, after %s)" % (s.kind, before, after),
         diag="killed by the watchdog (over %d MiB): %r"
         % (WATCHDOG_BYTES // 1048576, s.killed))


def main():
    db = h.MariaDB().start()
    servers = [Server(k, db) for k in ("lighttpd", "apache")]
    h.ok(True, "lighttpd and Apache (mod_fcgid) started")
    stop = threading.Event()
    dog = threading.Thread(target=watchdog, args=(servers, stop), daemon=True)
    dog.start()
    try:
        for s in servers:
            # mod_fcgid starts its first process with the first request.
            if not s.responders():
                post_to = s.url()
                h.http("POST", post_to, body=b'{"test": true}',
                       headers={"Content-Type": JSON_CT})
            run_server(s)
    finally:
        stop.set()
        dog.join(5)
    for s in servers:
        s.stack.stop()
        reports = s.stack.sanitizer_reports()
        h.ok(not reports, "%s: no sanitizer report" % s.kind,
             diag="\n".join(reports[:40]))
    db.stop()
    h.done_testing()


main()
