#!/usr/bin/env python3
"""The web servers as shipped (etc/ snippets), in front of LiteLLM:

- every answer the web server gives itself on the callback path (413 over
  the body limit, 411, 400 broken framing or headers, 5xx when a responder
  dies or none answers) is JSON, with Content-Type application/json;
- a connection is reused after 6 s and after 130 s idle, as LiteLLM's HTTP
  client does (it keeps connections 120 s and does not retry a POST): no
  POST is lost to a connection the server closed meanwhile;
- thousands of idle or slow connections (a slow-loris) are cut by the
  shipped limits and a real callback is still answered.

lighttpd, Apache with mod_fcgid and Apache with mod_proxy_fcgi. The
keep-alive checks of the three servers run in parallel threads while the
others run, so the test takes about 140 s once."""

import json
import os
import re
import resource
import signal
import socket
import threading
import time

import harness as h
from ingest_checks import (CALLBACK, FIXTURES, dumps, events_of, load,
                           mutated, with_token)

JSON_CT = "application/json"
# LiteLLM's idle times between batches that the servers must survive.
IDLE_WAITS = (6, 130)
# Connections a slow-loris opens (lighttpd's old limit was about 1,365).
LIGHTTPD_IDLE = 2000
# Apache: idle ones, and slow ones above Debian's MaxRequestWorkers (150).
APACHE_IDLE = 200
APACHE_SLOW = 200
# How long the servers may take to cut idle connections (their limit is 20 s).
CUT_WITHIN = 60


def is_json_answer(status, hdrs, body):
    """The answer is JSON: Content-Type, a parseable object with an error,
    and the same status in the body if it names one."""
    if status is None:
        return False
    if not hdrs.get("content-type", "").startswith(JSON_CT):
        return False
    try:
        doc = json.loads(body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return False
    if not isinstance(doc, dict):
        return False
    if status >= 400 and "error" not in doc:
        return False
    return doc.get("status", status) == status


def check_error_documents():
    """etc/errors: one JSON document per status, each named by every
    snippet and installed by Makefile.am."""
    d = os.path.join(h.SRCDIR, "etc", "errors")
    names = sorted(os.listdir(d))
    with open(os.path.join(h.SRCDIR, "Makefile.am")) as f:
        makefile = f.read()
    snippets = {}
    for s in ("etc/lighttpd-llmops.conf", "etc/apache-llmops.conf",
              "etc/apache-llmops-proxy-fcgi.conf"):
        with open(os.path.join(h.SRCDIR, s)) as f:
            snippets[s] = f.read()
    bad = []
    for n in names:
        m = re.match(r"^json-(\d{3})\.html$", n)
        try:
            with open(os.path.join(d, n), "rb") as f:
                doc = json.loads(f.read().decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            doc = None
        if not m or not isinstance(doc, dict) or doc.get("status") != int(m.group(1)) \
                or not doc.get("error"):
            bad.append("%s: not a JSON error of its status" % n)
            continue
        if "etc/errors/%s" % n not in makefile:
            bad.append("%s: not in Makefile.am" % n)
        for s, text in snippets.items():
            if n not in text:
                bad.append("%s: not named in %s" % (n, s))
    h.ok(len(names) >= 16 and not bad,
         "%d error documents: JSON of their status, installed, named by "
         "every snippet" % len(names), diag="\n".join(bad))


class Server:
    """One stack and what the checks need of it."""

    def __init__(self, kind, db):
        self.kind = kind
        self.stack = h.start_all(kind, db=db)
        self.port = self.stack.web.port
        self.token = self.stack.token("servers-" + kind)
        self.base = with_token(events_of(load(os.path.join(
            FIXTURES, "01_success_openai_gpt4_nonstream.json")))[0], self.token)
        self.n = 0

    def batch(self):
        """A real one-event callback body with a new id."""
        self.n += 1
        return dumps([mutated(self.base, id="%s-%d-%d" % (
            self.kind, self.n, time.monotonic_ns()))])

    def post(self, timeout=60):
        return h.http("POST", self.stack.url(CALLBACK), body=self.batch(),
                      headers={"Content-Type": JSON_CT}, timeout=timeout)

    def responders(self):
        """[(pid, cmd)] of the llmops.fcgi processes serving this stack
        (the workers only, for --listen)."""
        marker = os.path.join((self.stack.responder or self.stack.web).dir, "")
        procs = [p for p in h.processes_matching(marker) if "llmops.fcgi" in p[1]]
        if self.stack.responder is not None:
            procs = [p for p in procs if p[0] != self.stack.responder.proc.pid]
        return procs


def request(head, body=b""):
    return head.replace(b"\n", b"\r\n") + body


# A request the server cannot take, and what it may answer: its own JSON
# error document, or llmops' JSON refusal when the server passes it on
# (Apache hands a POST without a length to the responder as an empty body:
# 400 with mod_fcgid, 411 with mod_proxy_fcgi). None: the server may close
# without an answer: a chunked body that stops coming is cut after the idle
# limit (lighttpd 1.4 sends no 408; mod_fcgid answers 500).
BROKEN = [
    # (name, request, statuses allowed)
    ("Content-Length over the limit", request(
        b"POST /api/litellm/callback HTTP/1.1\nHost: x\n"
        b"Content-Type: application/json\nContent-Length: 40000000\n\n", b"[{}"),
     (413,)),
    ("POST without a length", request(
        b"POST /api/litellm/callback HTTP/1.1\nHost: x\n"
        b"Content-Type: application/json\nConnection: close\n\n"), (400, 411)),
    ("Content-Length not a number", request(
        b"POST /api/litellm/callback HTTP/1.1\nHost: x\n"
        b"Content-Type: application/json\nContent-Length: 12abc\n\n", b"[]"), (400,)),
    ("two different Content-Lengths", request(
        b"POST /api/litellm/callback HTTP/1.1\nHost: x\n"
        b"Content-Type: application/json\nContent-Length: 2\nContent-Length: 3\n\n",
        b"[]"), (400,)),
    ("broken chunk size", request(
        b"POST /api/litellm/callback HTTP/1.1\nHost: x\n"
        b"Content-Type: application/json\nTransfer-Encoding: chunked\n\n",
        b"zz\r\n[]\r\n0\r\n\r\n"), (400,)),
    ("chunked body cut short", request(
        b"POST /api/litellm/callback HTTP/1.1\nHost: x\n"
        b"Content-Type: application/json\nTransfer-Encoding: chunked\n\n",
        b"10\r\n[]\r\n"), (400, 408, 500, None)),
    ("unknown Transfer-Encoding", request(
        b"POST /api/litellm/callback HTTP/1.1\nHost: x\n"
        b"Content-Type: application/json\nTransfer-Encoding: gzip\n\n", b"[]"),
     (400, 501)),
    ("header line without a colon", request(
        b"POST /api/litellm/callback HTTP/1.1\nHost: x\nnot a header\n"
        b"Content-Type: application/json\nContent-Length: 2\n\n", b"[]"), (400,)),
    ("header over 64 KiB", request(
        b"POST /api/litellm/callback HTTP/1.1\nHost: x\nX-Big: " + b"a" * 65536 +
        b"\nContent-Type: application/json\nContent-Length: 2\n\n", b"[]"),
     (400, 413, 431)),
    ("bad request line", request(b"POST /api/litellm/callback HTTP/1.1 extra\n\n"),
     (400,)),
    ("HTTP version 3.7", request(
        b"POST /api/litellm/callback HTTP/3.7\nHost: x\nContent-Length: 2\n\n",
        b"[]"), (400, 415, 505)),
]


def check_broken_requests(s):
    for name, data, allowed in BROKEN:
        status, hdrs, body = h.raw_http(s.port, data, timeout=40)
        h.ok(status in allowed and (status is None or is_json_answer(status, hdrs, body)),
             "%s: %s: %s, JSON" % (s.kind, name, "/".join(map(str, allowed))),
             diag="%r %r %r" % (status, hdrs.get("content-type"), body[:300]))


def check_responder_death(s):
    """A responder that dies in the middle of a request: a JSON 5xx, and
    the next callback is served by a new one."""
    procs = s.responders()
    if not procs:
        h.ok(False, "%s: responders found" % s.kind)
        return
    for pid, _ in procs:
        os.kill(pid, signal.SIGSTOP)
    result = {}

    def post():
        result["answer"] = s.post(timeout=60)

    t = threading.Thread(target=post)
    t.start()
    time.sleep(1.5)
    h.kill_processes(procs)
    t.join(90)
    status, hdrs, body = result.get("answer", (None, {}, b""))
    # With mod_proxy_fcgi the request may still wait in the socket's queue,
    # not accepted by the stopped workers: the manager's new workers then
    # serve it (200), which is as good.
    allowed = range(500, 505) if s.stack.responder is None else (200, 500, 502, 503)
    h.ok(status in allowed and is_json_answer(status, hdrs, body),
         "%s: responder killed mid-request: JSON %s" % (
             s.kind, "5xx" if s.stack.responder is None else "5xx or 200"),
         diag="%r %r %r" % (status, hdrs.get("content-type"), body[:300]))
    deadline = time.monotonic() + 30
    while True:
        status, hdrs, body = s.post()
        if status == 200 or time.monotonic() > deadline:
            break
        time.sleep(1)
    h.is_(status, 200, "%s: the next callback is served again" % s.kind)


def check_no_responder(s):
    """mod_proxy_fcgi with its responder stopped: a JSON 503."""
    s.stack.responder.stop()
    status, hdrs, body = s.post()
    h.ok(status == 503 and is_json_answer(status, hdrs, body),
         "%s: no responder listening: JSON 503" % s.kind,
         diag="%r %r %r" % (status, hdrs.get("content-type"), body[:300]))


def keepalive(s, results):
    """Posts on one connection like LiteLLM's client: reused while the
    server keeps it, reopened when the server said it closes it."""
    import http.client as httpclient
    conn = httpclient.HTTPConnection("127.0.0.1", s.port, timeout=60)
    for wait in (0,) + IDLE_WAITS:
        time.sleep(wait)
        reused = conn.sock is not None
        try:
            conn.request("POST", CALLBACK, body=s.batch(),
                         headers={"Content-Type": JSON_CT})
            resp = conn.getresponse()
            body = resp.read()
            doc = json.loads(body.decode("utf-8"))
            results.append((wait, reused, resp.status, doc.get("accepted"),
                            resp.getheader("Connection")))
        except Exception as e:      # noqa: BLE001 (any failure is the finding)
            results.append((wait, reused, repr(e), None, None))
            conn.close()
    conn.close()


def open_idle(port, n, partial=b""):
    """n connections that send partial (maybe nothing) and then wait."""
    socks = []
    for _ in range(n):
        c = socket.create_connection(("127.0.0.1", port), timeout=10)
        if partial:
            c.sendall(partial)
        socks.append(c)
    return socks


def wait_closed(socks, within):
    """Seconds until the server closed every connection (None if it did
    not within `within`), and the answers some got before closing."""
    for c in socks:
        c.setblocking(False)
    start = time.monotonic()
    open_ = list(socks)
    answers = []
    while open_ and time.monotonic() - start < within:
        still = []
        for c in open_:
            try:
                data = c.recv(65536)
            except BlockingIOError:
                still.append(c)
                continue
            except OSError:
                continue
            if data:
                answers.append(data)
                still.append(c)
        open_ = still
        if open_:
            time.sleep(1)
    for c in socks:
        c.close()
    return (None if open_ else time.monotonic() - start), len(open_), answers


def check_slowloris(s, n_idle, n_slow, cuts_idle):
    """n_idle connections that send nothing and n_slow that send part of
    their headers and then nothing (a slow-loris): a real callback is still
    answered, and the server cuts the slow ones within its limits.
    cuts_idle: the server sees the idle ones too and must cut them (lighttpd);
    Apache never sees them: on Linux it accepts with TCP_DEFER_ACCEPT
    (AcceptFilter http data), so the kernel holds a connection until its
    first byte and they cost Apache nothing."""
    idle = open_idle(s.port, n_idle)
    slow = open_idle(s.port, n_slow, partial=b"POST /api/litellm/callback HTTP/1.1\r\n"
                     b"Host: x\r\nContent-Type: application/json\r\nContent-Le")
    t0 = time.monotonic()
    status, hdrs, body = s.post(timeout=CUT_WITHIN)
    took = time.monotonic() - t0
    h.is_(status, 200, "%s: %d idle and %d slow connections open: a real callback "
          "is answered 200 (in %.1f s)" % (s.kind, n_idle, n_slow, took))
    cut = slow + (idle if cuts_idle else [])
    took_cut, left, answers = wait_closed(cut, CUT_WITHIN)
    h.ok(took_cut is not None, "%s: the server cut the %s connections (within %s s)"
         % (s.kind, "idle and slow" if cuts_idle else "slow",
            "%.0f" % took_cut if took_cut is not None else "no"),
         diag="%d of %d still open after %d s" % (left, len(cut), CUT_WITHIN))
    if not cuts_idle:
        for c in idle:
            c.close()
    bad = [a[:200] for a in answers
           if not a.startswith(b"HTTP/") or b"application/json" not in a]
    h.ok(not bad, "%s: what they were answered (%d) is JSON" % (s.kind, len(answers)),
         diag=repr(bad[:3]))
    status, hdrs, body = s.post()
    h.is_(status, 200, "%s: afterwards callbacks are answered" % s.kind)


def main():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = LIGHTTPD_IDLE + LIGHTTPD_IDLE // 10 + 200
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, need), hard))
    check_error_documents()
    db = h.MariaDB().start()
    servers = [Server(k, db) for k in ("lighttpd", "apache", "apache-proxy")]
    h.ok(True, "lighttpd, Apache (mod_fcgid), Apache (mod_proxy_fcgi) started")

    results = {s.kind: [] for s in servers}
    threads = [threading.Thread(target=keepalive, args=(s, results[s.kind]),
                                daemon=True) for s in servers]
    for t in threads:
        t.start()

    for s in servers:
        check_broken_requests(s)
    for s in servers:
        check_responder_death(s)
    check_slowloris(servers[0], LIGHTTPD_IDLE, LIGHTTPD_IDLE // 10, True)
    check_slowloris(servers[1], APACHE_IDLE, APACHE_SLOW, False)

    for t in threads:
        t.join(sum(IDLE_WAITS) + 120)
    for s in servers:
        got = results[s.kind]
        h.is_(len(got), 1 + len(IDLE_WAITS), "%s: every keep-alive POST ran" % s.kind)
        for wait, reused, status, accepted, connection in got:
            h.is_((status, accepted), (200, 1),
                  "%s: POST after %d s idle (%s connection): 200, stored"
                  % (s.kind, wait, "reused" if reused else "new"))
        h.ok(all((c or "").lower() == "close" for _, _, _, _, c in got),
             "%s: callback answers end their connection (Connection: close)"
             % s.kind, diag=repr(got))

    check_no_responder(servers[2])
    for s in servers:
        s.stack.stop()
        reports = s.stack.sanitizer_reports()
        h.ok(not reports, "%s: no sanitizer report" % s.kind,
             diag="\n".join(reports[:40]))
    db.stop()
    h.done_testing()


main()
