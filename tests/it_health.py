#!/usr/bin/env python3
"""/api/health tells whether the database takes writes and what waits in
the spool; the dashboard says how many events wait and since when
(issue 10, proof 3's read-only half, and the health and dashboard parts).

One lighttpd stack with a private spool. Healthy: 200 "ok", writable,
nothing pending, no reasons. MariaDB made read-only (SET GLOBAL
read_only = 1 as root; our user has no READ_ONLY ADMIN): health is 200
"degraded", not writable, with the reason; a callback is still answered
200 with its events spooled, the loader's failed attempt shows in health,
and once the events have waited HEALTH_NOTICE_SECONDS the overview says
how many wait and since when. Writable again: `spool drain` stores every
event once, health is "ok" and the notice is gone. MariaDB stopped:
503 "unavailable", the spool still reported.
"""

import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import spool_checks as sc  # noqa: E402

# lib/llmops_limits.h
HEALTH_NOTICE_SECONDS = 10
# A superadmin is told how many events wait; an organization's reader only
# since when (the spool's events are not yet attributed).
NOTICE = r'<p class="notice">(\d+) events? waits? to be loaded into the ' \
    r'database \(all organizations\), the oldest since ' \
    r'\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \([^)<]*\)'
ORG_NOTICE = r'<p class="notice">Events received since ' \
    r'\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \([^)<]*\) wait to be loaded ' \
    r'into the database'


def wait_health(stack, cond, timeout=10):
    """Health until cond(status, doc) or timeout; the last answer."""
    deadline = time.monotonic() + timeout
    while True:
        status, doc = sc.health(stack)
        if cond(status, doc) or time.monotonic() > deadline:
            return status, doc
        time.sleep(0.2)


def main():
    spool = sc.spool_dir()
    stack = sc.start_stack(spool, max_procs=1)
    token = stack.token("health")
    email = "viewer@health.test"
    password = h.add_user(stack.conf, "health", email, "viewer")
    web = stack.client()
    h.is_(web.login(email, password)[0], 303, "the viewer logs in")
    sa_email = "root@health.test"
    sa_password = h.add_user(stack.conf, "*", sa_email, "superadmin")
    sa = stack.client()
    h.is_(sa.login(sa_email, sa_password)[0], 303, "the superadmin logs in")

    a = sc.post_batch(stack, ["hl-ok-%d" % i for i in range(5)], token)
    h.is_((a.status, a.spooled()), (200, 5), "a callback: 200, 5 spooled")
    # The responder's loader thread loads beside the answers: soon after.
    status, doc = wait_health(stack, lambda s, d: d.get("status") == "ok"
                              and (d.get("spool") or {}).get(
                                  "pending_events") == 0 and
                              (d.get("loader") or {}).get("last_load_ok"))
    h.is_((status, doc.get("status"), doc.get("database"),
           doc.get("database_writable"), doc.get("reasons")),
          (200, "ok", "ok", True, []), "healthy: 200 ok, writable, no "
          "reasons")
    sp = doc.get("spool") or {}
    h.is_((sp.get("pending_events"), sp.get("set_aside_files"),
           sp.get("full")), (0, 0, False), "healthy: nothing pending or "
          "set aside, the spool not full")
    h.ok(isinstance(sp.get("free_bytes"), int) and sp["free_bytes"] > 0,
         "health reports the spool's free bytes")
    h.ok(isinstance(sp.get("oldest_age_seconds"), int),
         "health reports the oldest event's age")
    h.is_((doc.get("loader") or {}).get("last_load_ok"), True,
          "the loader's last load succeeded")

    stack.db.sql("SET GLOBAL read_only = 1", db="")
    status, doc = sc.health(stack)
    h.is_((status, doc.get("status"), doc.get("database"),
           doc.get("database_writable")), (200, "degraded", "ok", False),
          "read-only: 200 degraded, the database answers, not writable")
    h.ok(any("read_only is ON" in r for r in doc.get("reasons") or []),
         "read-only: the reason says read_only is ON", diag=repr(doc))

    since = time.time()
    a = sc.post_batch(stack, ["hl-ro-%d" % i for i in range(7)], token)
    h.is_((a.status, a.spooled()), (200, 7), "read-only: a callback is "
          "still 200, its 7 events spooled")
    status, doc = wait_health(stack, lambda s, d: (d.get("loader") or {})
                              .get("last_load_ok") is False)
    h.is_((doc.get("spool") or {}).get("pending_events"), 7,
          "read-only: health counts the 7 events waiting")
    loader = doc.get("loader") or {}
    h.ok(loader.get("last_load_ok") is False and loader.get(
         "last_load_error"), "read-only: the loader's failed write is "
         "reported with its reason", diag=repr(doc))

    status, _, page = web.get("/")
    h.ok(status == 200 and 'class="notice">7 events' not in page,
         "events waiting less than %d s: no notice yet"
         % HEALTH_NOTICE_SECONDS)
    time.sleep(max(0, since + HEALTH_NOTICE_SECONDS + 1 - time.time()))
    status, _, page = web.get("/")
    h.is_(status, 200, "the overview while events wait")
    h.like(page, ORG_NOTICE, "the viewer's overview says since when events "
           "wait")
    h.ok(not re.search(NOTICE, page) and "7 events" not in page,
         "... and not how many (every organization's events)")
    status, _, page = web.get("/models")
    h.like(page, ORG_NOTICE, "every dashboard page has the notice")
    status, _, page = sa.get("/")
    h.is_(status, 200, "the superadmin's overview while events wait")
    h.like(page, NOTICE, "the superadmin's overview says how many events "
           "wait and since when")
    m = re.search(NOTICE, page)
    h.is_(m and m.group(1), "7", "... 7 of them")

    stack.db.sql("SET GLOBAL read_only = 0", db="")
    rc, out, err = sc.drain(stack)
    h.is_(rc, 0, "writable again: llmopsctl spool drain")
    if rc != 0:
        h.diag(out + err)
    ids = ["hl-ok-%d" % i for i in range(5)] + \
        ["hl-ro-%d" % i for i in range(7)]
    sc.check_exactly_once(stack.db, ids, ids, "read-only", strict=True,
                          prefix="hl-")
    status, doc = wait_health(stack, lambda s, d: d.get("status") == "ok")
    h.is_((status, doc.get("status"), doc.get("database_writable")),
          (200, "ok", True), "writable again: health ok")
    status, _, page = web.get("/")
    h.ok(status == 200 and "to be loaded into the database" not in page,
         "the notice is gone")

    stack.db.stop()
    status, doc = sc.health(stack)
    h.is_((status, doc.get("status"), doc.get("database")),
          (503, "unavailable", "unreachable"), "MariaDB stopped: 503 "
          "unavailable")
    h.is_((doc.get("spool") or {}).get("pending_events"), 0,
          "MariaDB stopped: the spool is still reported")
    a = sc.post_batch(stack, ["hl-down-%d" % i for i in range(3)], token)
    h.is_((a.status, a.spooled()), (200, 3), "MariaDB stopped: a callback "
          "is 200, 3 spooled")
    status, doc = wait_health(stack, lambda s, d: (d.get("loader") or {})
                              .get("last_load_ok") is False)
    h.ok(not (doc.get("loader") or {}).get("last_load_ok", True),
         "MariaDB stopped: the failed load is reported", diag=repr(doc))
    h.ok(stack.db.socket not in json.dumps(doc) and
         os.path.dirname(stack.db.socket) not in json.dumps(doc),
         "... without the database's socket", diag=repr(doc))

    stack.stop()
    reports = stack.sanitizer_reports()
    h.ok(not reports, "no sanitizer report in the logs",
         diag="\n".join(reports[:40]))


if __name__ == "__main__":
    main()
    h.done_testing()
