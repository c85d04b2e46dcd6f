#!/usr/bin/env python3
"""The first request after MariaDB restarts is answered, not 503.

A responder keeps its MariaDB connection between requests. When MariaDB
restarts (cleanly, or after a crash) that connection is dead, and the
responder learns it only from the first statement that fails. The callback
and the health check run their statements through db_txn, which then
opens a new connection and runs the work again once, so that first request
is answered 200 and nothing is lost.

One responder (lighttpd max-procs 1), so that the first request after a
restart is the first of the responder that held the dead connection. The
database's first statement after each restart is, in turn: the store of a
callback (its token and the prices cached), the lookup of a token the
responder has not seen, and the health check's ping.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

CALLBACK = "/api/litellm/callback"
HEALTH = "/api/health"
# Long enough that no cached token or price expires during the test, so
# the first statement after a restart is the one each step means.
CONF = ("ingest = { token_cache_seconds = 300; };\n"
        "cost = { reload_seconds = 3600; };")


class Run:
    def __init__(self):
        self.db = h.MariaDB().start()
        self.stack = h.start_all("lighttpd", db=self.db, conf_extra=CONF,
                                 max_procs=1)
        self.n = 0

    def post(self, token):
        """One event with token; returns (status, accepted)."""
        self.n += 1
        ev = {"id": "reconnect-%d" % self.n, "call_type": "acompletion",
              "status": "success", "model": "openai/gpt-4",
              "startTime": 1764000000.0 + self.n,
              "endTime": 1764000000.5 + self.n,
              "prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15,
              "metadata": {"requester_custom_headers":
                           {"x-cloudidr-token": token}}}
        status, _, doc = h.http_json("POST", self.stack.url(CALLBACK), [ev])
        return status, (doc or {}).get("accepted") if isinstance(doc, dict) \
            else None

    def health(self):
        status, _, doc = h.http_json("GET", self.stack.url(HEALTH))
        return status, (doc or {}).get("database") if isinstance(doc, dict) \
            else None

    def responder_connected(self):
        """The responder holds a connection (the CLI's are closed). Its
        loader thread stores a callback's events after the answer, on a
        connection of its own: waited for, bounded."""
        return h.poll(lambda: int(self.db.sql(
            "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE "
            "USER = '%s'" % self.db.user)[0][0]) >= 1, bool)

    def restart(self, crash, what):
        h.ok(self.responder_connected(),
             "%s: the responder holds a connection before MariaDB %s"
             % (what, "crashes" if crash else "restarts"))
        if crash:
            self.db.kill()
        else:
            self.db.stop()
        self.db.start()

    def stored(self, want):
        """Rows of usage_events once they are want (loaded after the
        answers), or what there is after 10 s."""
        return h.poll(lambda: int(self.db.sql(
            "SELECT COUNT(*) FROM usage_events")[0][0]), lambda n: n == want)

    def failures_logged(self):
        """Log lines of refused work: a callback not stored, a failed ping."""
        return [line for line in self.stack.error_log_text().splitlines()
                if "not stored" in line or "health check failed" in line]


def main():
    r = Run()
    token = r.stack.token("reconnect")
    h.is_(r.post(token), (200, 1), "a callback before any restart is stored")
    h.is_(r.health(), (200, "ok"), "health before any restart is 200")

    for crash in (False, True):
        how = "after a crash" if crash else "after a restart"

        r.restart(crash, "store first")
        h.is_(r.post(token), (200, 1), "%s: the first callback (its token "
              "cached, so the store meets the dead connection) is 200" % how)

        r.restart(crash, "lookup first")
        fresh = r.stack.token("reconnect")
        h.is_(r.post(fresh), (200, 1), "%s: the first callback with a token "
              "the responder has not seen (the lookup meets the dead "
              "connection) is 200" % how)

        r.restart(crash, "ping first")
        h.is_(r.health(), (200, "ok"), "%s: the first health check is 200"
              % how)

    h.is_(r.stored(r.n), r.n, "every event of every callback is stored once")
    h.is_(r.failures_logged(), [], "no callback or health check failed in "
          "the log")
    h.is_(r.post(token), (200, 1), "callbacks go on")
    r.stack.stop()
    reports = r.stack.sanitizer_reports()
    h.ok(not reports, "no sanitizer report in the logs",
         diag="\n".join(reports[:40]))
    r.db.stop()
    h.done_testing()


main()
