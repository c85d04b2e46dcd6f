#!/usr/bin/env python3
"""Smoke test of the whole stack: a private MariaDB, and the responder behind
lighttpd (mod_fastcgi), Apache with mod_fcgid and Apache with mod_proxy_fcgi
in front of llmops.fcgi --listen, each configured from the etc/ snippets.

Checks, for every web server: health is 200 with the database ok; the
LiteLLM connectivity test POST is answered; the web server passes bodies
larger than its default limits and lets the responder refuse bodies over
ingest.max_body_bytes; every path reaches the responder; every kind of
answer has a Content-Length and the same security headers. A session
secret that cannot be read turns dashboard logins off (logged, and
refused by llmops.fcgi -t) but not the callbacks. Then MariaDB stops
(health 503) and comes back (health 200 again), and stopping each server
leaves no process behind and no sanitizer report in its logs.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

# Servers under test; the "via" is how their llmops.conf reaches MariaDB.
SERVERS = [("lighttpd", "socket"), ("apache", "tcp"), ("apache-proxy", "socket")]
MAX_BODY = 32 * 1024 * 1024     # ingest.max_body_bytes default
JSON = {"Content-Type": "application/json"}


def check_health(stack, label, want):
    status, _, doc = h.http_json("GET", stack.url("/api/health"))
    h.is_(status, want, "%s: GET /api/health is %d" % (label, want))
    if want == 200:
        h.ok(isinstance(doc, dict) and doc.get("database") == "ok",
             '%s: health says {"database": "ok"}' % label, diag=repr(doc))


def check_callbacks(stack, label):
    url = stack.url("/api/litellm/callback")

    # The integration guide's curl test.
    status, hdrs, doc = h.http_json("POST", url, {"test": True})
    h.is_(status, 200, "%s: POST {\"test\": true} is 200" % label)
    h.ok(isinstance(doc, dict) and doc.get("test") is True,
         '%s: the answer says "test": true' % label, diag=repr(doc))
    h.like(hdrs.get("content-type", ""), r"^application/json",
           "%s: the answer is JSON" % label)

    # 1 MiB: over mod_fcgid's default FcgidMaxRequestLen (128 KiB) and
    # lighttpd's memory buffer; whitespace keeps it the same JSON document.
    body = b'{"test": true}' + b" " * (1024 * 1024)
    status, _, data = h.http("POST", url, body=body, headers=JSON)
    h.is_(status, 200, "%s: a 1 MiB body passes the web server" % label)

    # One byte over the responder's limit but under the web server's: the
    # responder's own 413, naming its setting.
    body = b" " * (MAX_BODY + 1)
    status, hdrs, data = h.http("POST", url, body=body, headers=JSON, timeout=120)
    h.is_(status, 413, "%s: a body over max_body_bytes is 413" % label)
    h.ok(b"max_body_bytes" in data,
         "%s: ... from the responder, naming max_body_bytes" % label,
         diag=data[:300])

    # Every path of the site belongs to the responder (it adds nosniff;
    # the web servers' own error pages do not).
    status, hdrs, _ = h.http("GET", stack.url("/no/such/page?x=1"))
    h.ok(status == 404 and hdrs.get("x-content-type-options") == "nosniff",
         "%s: an unknown path is the responder's 404" % label,
         diag="status %d, headers %r" % (status, hdrs))


def check_one_writer(stack, kind):
    """Every answer, whichever part of the responder makes it (callback,
    health, error, login page, redirect, static file, API), comes out of
    one writer: a Content-Length equal to its body, nosniff, same-origin
    referrers and a caching rule."""
    for method, path, body, hdrs in (
            ("POST", "/api/litellm/callback", b'{"test": true}', JSON),
            ("GET", "/api/litellm/callback", None, None),
            ("GET", "/api/health", None, None),
            ("POST", "/api/health", b"{}", JSON),
            ("GET", "/no/such/page", None, None),
            ("GET", "/login", None, None),
            ("GET", "/agents?range=7d", None, None),
            ("GET", "/static/llmops.css", None, None),
            ("GET", "/api/v1/usage", None, None)):
        status, rh, data = h.http(method, stack.url(path), body=body,
                                  headers=hdrs)
        # mod_proxy_fcgi drops the responder's length and sends chunks.
        rechunked = kind == "apache-proxy" and \
            rh.get("transfer-encoding") == "chunked" and \
            "content-length" not in rh
        h.ok((rh.get("content-length") == str(len(data)) or rechunked) and
             rh.get("x-content-type-options") == "nosniff" and
             rh.get("referrer-policy") == "same-origin" and
             "cache-control" in rh,
             "%s: %s %s (%d): Content-Length %d, nosniff, referrer policy, "
             "caching" % (kind, method, path, status, len(data)),
             diag=repr(rh))


def check_broken_secret(db):
    """A session secret that cannot be read turns dashboard logins off, with
    a log line, and nothing else: callbacks are still stored."""
    missing = os.path.join(h.workdir(), "no-such-session.key")
    stack = h.start_all("lighttpd", db=db, session_secret=False,
                        web_conf='session_secret_file = "%s";' % missing)
    token = stack.token("smoke-secret")
    event = {"id": "smoke-secret-1", "call_type": "acompletion",
             "status": "success", "model": "gpt-4o",
             "startTime": 1764000000.0, "endTime": 1764000001.0,
             "prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2,
             "metadata": {"requester_custom_headers":
                          {"x-cloudidr-token": token}}}
    status, _, doc = h.http_json("POST", stack.url("/api/litellm/callback"),
                                 [event])
    h.ok(status == 200 and isinstance(doc, dict) and doc.get("accepted") == 1,
         "an unreadable session secret: callbacks are still stored",
         diag="%d %r" % (status, doc))
    c = stack.client()
    status, _, page = c.get("/login")
    h.is_(status, 200, "... the login form is served")
    status, _, page = c.post("/login", {"email": "a@b.example", "password": "x",
                                        "login_token": "x"})
    h.ok(status == 503 and "Logins are off" in page,
         "... and a login is refused with 503: logins are off",
         diag="%d %s" % (status, page[:300]))
    h.like(stack.error_log_text(), r"\[MAIN\] dashboard logins are off: .*"
           "no-such-session.key", "... and the log says why")
    rc, out, err = h.run([h.responder_path(), "-t", "-c", stack.conf])
    h.ok(rc == 1 and "web.session_secret_file" in err and
         "no-such-session.key" in err, "llmops.fcgi -t fails on it, naming "
         "the setting and the file", diag="rc %d: %s%s" % (rc, out, err))
    stack.stop()


def main():
    db = h.MariaDB().start()
    h.ok(True, "MariaDB started on %s and port %d" % (db.socket, db.port))

    stacks = []
    for kind, via in SERVERS:
        stack = h.start_all(kind, db=db, via=via)
        h.ok(True, "%s started on %s (database via %s)" % (kind, stack.url(), via))
        stacks.append((kind, stack))

    for kind, stack in stacks:
        check_health(stack, kind, 200)
        check_callbacks(stack, kind)
        check_one_writer(stack, kind)

    check_broken_secret(db)

    db.stop()
    for kind, stack in stacks:
        check_health(stack, kind + " without MariaDB", 503)

    db.start()
    for kind, stack in stacks:
        check_health(stack, kind + " after MariaDB restarted", 200)

    for kind, stack in stacks:
        stack.stop()
        strays = [p for d in stack.daemons() for p in d.strays]
        h.ok(not strays, "%s: stopping leaves no process behind" % kind,
             diag=repr(strays))
        reports = stack.sanitizer_reports()
        h.ok(not reports, "%s: no sanitizer reports in the logs" % kind,
             diag="\n".join(reports[:40]))

    db.stop()
    left = h.processes_matching(os.path.join(h.workdir(), ""))
    h.ok(not left, "no process of ours is left", diag=repr(left))
    h.done_testing()


main()
