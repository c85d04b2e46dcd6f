#!/usr/bin/env python3
"""Crashes during load lose nothing and store nothing twice (issue 10,
proofs 1 and 2).

1. Four posters send batches of 25 unique events through lighttpd while
   MariaDB is SIGKILLed in the middle of the load and restarted a few
   seconds later. Every answer, during the outage too, is 200 (the
   events spool); after `llmopsctl spool drain` every event answered 2xx
   is stored exactly once and nothing else is (rollups included).
2. The same posters while responders are SIGKILLed again and again: a
   batch whose responder died may get an error from lighttpd (LiteLLM
   would drop it), but every event answered 2xx is stored exactly once,
   no event twice, nothing that was not sent, and ingest recovers.

Bounded: each phase posts for at most 12 s (and at most 400 batches per
poster); every wait has a deadline.
"""

import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import spool_checks as sc  # noqa: E402


def check_mariadb_killed(stack, spool, token):
    p = sc.Posters(stack, token, n=4, batch=25, max_seconds=12,
                   prefix="dbkill").start()
    p.wait_for(8)
    loading = sc.wait_loading(spool)
    stack.db.kill()
    h.ok(loading, "MariaDB is SIGKILLed while a loader holds the lock")
    h.diag("SIGKILL MariaDB after %d answers" % p.count())
    before = p.count()
    time.sleep(3)
    h.diag("restart MariaDB after %d answers during the outage"
           % (p.count() - before))
    during = p.count() - before
    stack.db.start()
    time.sleep(2)
    p.stop()
    h.ok(during > 0, "batches were posted while MariaDB was down (%d)"
         % during)
    h.is_(p.statuses(), {200: len(p.answers)}, "every answer, during the "
          "outage too, is 200")
    bad = [a for a in p.answers if a.status == 200 and
           a.spooled() != len(a.ids)]
    h.ok(not bad, "every 200 says all its events were spooled",
         diag=repr([a.doc for a in bad[:3]]))
    rc, out, err = sc.drain(stack)
    h.is_(rc, 0, "llmopsctl spool drain after the restart")
    if rc != 0:
        h.diag(out + err)
    doc, _ = sc.spool_status(stack)
    h.is_((doc or {}).get("pending_events"), 0, "nothing is left pending")
    sc.check_exactly_once(stack.db, p.acked(), p.sent(), "MariaDB killed",
                          strict=True, prefix="dbkill-")


def responders(stack):
    return h.processes_matching(os.path.join(stack.web.dir, "bin",
                                             "llmops.fcgi"))


def check_responders_killed(stack, token):
    p = sc.Posters(stack, token, n=4, batch=25, max_seconds=12,
                   prefix="rkill").start()
    p.wait_for(4)
    rng = random.Random(10)
    kills = 0
    deadline = time.monotonic() + 8
    while time.monotonic() < deadline:
        procs = responders(stack)
        if procs:
            h.kill_processes([rng.choice(procs)])
            kills += 1
        time.sleep(rng.uniform(0.2, 0.6))
    p.stop()
    h.ok(kills >= 5, "responders were SIGKILLed during the load (%d times)"
         % kills)
    h.diag("answers: %r" % p.statuses())
    h.ok(p.statuses().get(200, 0) > 0, "batches were answered 200 between "
         "the kills")
    # Ingest recovers: lighttpd starts new responders.
    after = [sc.post_batch(stack, ["rkill-after-%d-%d" % (k, i)
                                   for i in range(25)], token)
             for k in range(4)]
    h.is_([a.status for a in after], [200] * 4, "after the kills, "
          "callbacks are answered 200 again")
    acked = p.acked() + [i for a in after if a.status == 200 for i in a.ids]
    sent = p.sent() + [i for a in after for i in a.ids]
    rc, out, err = sc.drain(stack)
    h.is_(rc, 0, "llmopsctl spool drain after the kills")
    if rc != 0:
        h.diag(out + err)
    # A batch whose responder died after its fdatasync but before the
    # answer may be stored though never acknowledged: not strict.
    sc.check_exactly_once(stack.db, acked, sent, "responders killed",
                          strict=False, prefix="rkill-")


def main():
    spool = sc.spool_dir()
    stack = sc.start_stack(spool, max_procs=4)
    token = stack.token("crash")
    check_mariadb_killed(stack, spool, token)
    check_responders_killed(stack, token)
    stack.stop()
    reports = stack.sanitizer_reports()
    h.ok(not reports, "no sanitizer report in the logs",
         diag="\n".join(reports[:40]))
    stack.db.stop()


if __name__ == "__main__":
    main()
    h.done_testing()
