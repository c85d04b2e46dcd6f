#!/usr/bin/env python3
"""The tracking token lifecycle through the real stack, and the audit log.

- An expired token is refused (at its expiry, not later).
- A revoked token is refused by the responder within the documented time
  (ingest.token_cache_seconds), while events need no lookup each.
- A rotated token's old value works during the grace period, not after;
  the new one works at once.
- Last use is recorded without a write per request.
- Every administrative action is in the audit log, with its actor and
  without any secret.
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

CACHE_SECONDS = 2


def event(i, token):
    return {"id": "life-%d-%f" % (i, time.time()), "call_type": "acompletion",
            "status": "success", "model": "openai/gpt-4",
            "startTime": time.time(), "endTime": time.time() + 0.1,
            "prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15,
            "metadata": {"requester_custom_headers": {"x-cloudidr-token": token}}}


class Poster:
    def __init__(self, stack):
        self.stack = stack
        self.n = 0

    def post(self, token):
        self.n += 1
        status, _, doc = h.http_json("POST", self.stack.url(
            "/api/litellm/callback"), [event(self.n, token)])
        reasons = (doc or {}).get("rejected_reasons") or {}
        return status, (doc or {}).get("accepted"), sorted(reasons)


def ctl(conf, *args, input=None):
    rc, out, err = h.llmopsctl(conf, *args, input=input)
    if rc != 0:
        h.diag("llmopsctl %s: %s" % (" ".join(args), err.strip()))
    return rc, out, err


def token_id(conf, org, label):
    rc, out, err = ctl(conf, "token", "list", org, "--format", "json")
    return [t["id"] for t in json.loads(out) if t["label"] == label][0]


def until(pred, seconds):
    """Polls pred; returns the seconds it took to become true, or None."""
    start = time.time()
    while time.time() - start < seconds:
        if pred():
            return time.time() - start
        time.sleep(0.1)
    return None


def main():
    stack = h.start_all("lighttpd", conf_extra="ingest = { token_cache_seconds "
                        "= %d; };" % CACHE_SECONDS)
    conf, db = stack.conf, stack.db
    p = Poster(stack)
    ctl(conf, "org", "create", "life")
    secrets = []

    # Expiry, to the second, as the responder sees it.
    rc, out, err = ctl(conf, "token", "create", "life", "--label", "short",
                       "--expires", "3s")
    short = out.strip()
    secrets.append(short)
    h.is_(p.post(short), (200, 1, []), "a token that expires in 3 s works now")
    rows = db.sql("SELECT expires_us - created_us FROM tracking_tokens "
                  "WHERE label = 'short'")
    h.ok(rows and 2900000 <= int(rows[0][0]) <= 3100000,
         "its expiry is stored 3 s after creation", diag=repr(rows))
    took = until(lambda: p.post(short) == (401, 0, ["expired_token"]), 6)
    h.ok(took is not None and took <= 3.5, "after 3 s it is refused as expired "
         "(after %s s)" % took)
    rc, out, err = ctl(conf, "token", "create", "life", "--expires",
                       "2020-01-01")
    h.is_(rc, 1, "an expiry in the past is refused")

    # Revocation reaches the responder within token_cache_seconds.
    rc, out, err = ctl(conf, "token", "create", "life", "--label", "revoked")
    victim = out.strip()
    secrets.append(victim)
    h.is_(p.post(victim), (200, 1, []), "a new token works")
    h.is_(p.post(victim), (200, 1, []), "... and again (from the cache)")
    start = time.time()
    h.is_(ctl(conf, "token", "revoke", str(token_id(conf, "life", "revoked")))[0],
          0, "token revoke")
    took = until(lambda: p.post(victim) == (401, 0, ["revoked_token"]),
                 CACHE_SECONDS + 3)
    h.ok(took is not None and time.time() - start <= CACHE_SECONDS + 1,
         "the revoked token is refused within token_cache_seconds (%d s): "
         "after %s s" % (CACHE_SECONDS, took))

    # Rotation with a grace period.
    rc, out, err = ctl(conf, "token", "create", "life", "--label", "rotating")
    old = out.strip()
    secrets.append(old)
    h.is_(p.post(old), (200, 1, []), "the token to rotate works")
    oid = token_id(conf, "life", "rotating")
    rc, out, err = ctl(conf, "token", "rotate", str(oid), "--grace", "4s")
    new = out.strip()
    secrets.append(new)
    h.ok(rc == 0 and new.startswith("trk_") and new != old,
         "token rotate prints a new token", diag=err)
    h.ok("replaced by token" in err, "... and says which")
    rotated_at = time.time()
    h.is_(p.post(new), (200, 1, []), "the new token works at once")
    h.is_(p.post(old), (200, 1, []), "the old token works during the grace")
    rc, out, err = ctl(conf, "token", "list", "life", "--format", "json")
    toks = {t["id"]: t for t in json.loads(out)}
    h.ok(toks[oid]["expires"] is not None and len(toks) == 4,
         "token list shows the old token's end of grace")
    took = until(lambda: p.post(old) == (401, 0, ["expired_token"]), 8)
    h.ok(took is not None and time.time() - rotated_at >= 3.9,
         "after the grace the old token is refused (not before)")
    h.is_(p.post(new), (200, 1, []), "the new token still works")
    h.is_(ctl(conf, "token", "rotate", str(oid))[0], 1,
          "a rotated token cannot be rotated again")
    rc, out, err = ctl(conf, "token", "rotate", str(token_id(conf, "life",
                                                           "rotating") + 1),
                       "--grace", "0")
    h.is_(rc, 0, "rotate with --grace 0")
    gone = [t for t in json.loads(ctl(conf, "token", "list", "life", "--format",
                                      "json")[1]) if t["label"] == "rotating"]
    secrets.append(out.strip())
    took = until(lambda: p.post(new) == (401, 0, ["expired_token"]), 3)
    h.ok(took is not None, "--grace 0: the replaced token is refused at once")
    h.is_(len(gone), 3, "three generations of the rotating token listed")

    # Last use without a write per request.
    rc, out, err = ctl(conf, "token", "create", "life", "--label", "busy")
    busy = out.strip()
    secrets.append(busy)
    p.post(busy)
    # Written right after the answer (not before it): wait for it, bounded.
    until(lambda: db.sql("SELECT last_used_us FROM tracking_tokens WHERE "
                         "label = 'busy'")[0][0] is not None, 5)
    first = db.sql("SELECT last_used_us FROM tracking_tokens WHERE label = 'busy'")
    for _ in range(5):
        p.post(busy)
    again = db.sql("SELECT last_used_us FROM tracking_tokens WHERE label = 'busy'")
    h.ok(first[0][0] is not None, "last use is recorded")
    h.is_(again, first, "five more requests within a minute write nothing")
    rc, out, err = ctl(conf, "token", "list", "life", "--format", "json")
    busy_row = [t for t in json.loads(out) if t["label"] == "busy"]
    h.ok(busy_row and busy_row[0]["last_used"], "token list shows the last use")

    # The audit log.
    ctl(conf, "prices", "set", "my-model", "--input", "1e-6", "--output",
        "2e-6", "--org", "life")
    ctl(conf, "reprice", "life")
    rc, out, err = ctl(conf, "audit", "--org", "life", "--format", "json")
    log = json.loads(out) if rc == 0 else []
    actions = [e["action"] for e in log]
    for a in ("org.create", "token.create", "token.revoke", "token.rotate",
              "prices.set", "prices.reprice"):
        h.ok(a in actions, "the audit log has %s" % a)
    h.ok(all(e["actor"].startswith("cli:") for e in log),
         "every entry names its actor", diag=repr({e["actor"] for e in log}))
    h.is_([e["id"] for e in log], sorted((e["id"] for e in log), reverse=True),
          "newest first")
    rc, out, err = ctl(conf, "audit")
    h.ok(rc == 0 and "schema.migrate" in out, "audit without --org shows the "
         "migration too")
    dump = db.dump()
    leaked = [s for s in secrets if s in out or s in dump]
    h.ok(not leaked, "no token value in the audit log or anywhere in the "
         "database", diag=repr(leaked))
    stack.stop()
    h.ok(not stack.sanitizer_reports(), "no sanitizer report")
    h.done_testing()


main()
