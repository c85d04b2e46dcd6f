#!/usr/bin/env python3
"""Retention of raw events (`llmopsctl prune`) against a private MariaDB
behind lighttpd, with retention.raw_days = 30.

Events of two organizations spread over 60 days (and two on either side of
the horizon) go through the real callback. Every report (`llmopsctl usage`
overall, by each dimension, by day and by hour; /api/v1/usage by each
dimension and by day) over the whole period, the kept days and the pruned
days is recorded, then:

- `prune --dry-run` counts exactly the raw events before the horizon (the
  start of the UTC day 30 days ago) and deletes nothing;
- `prune` deletes exactly those, none after, and says so; every report is
  unchanged, the pruned days served from the rollups; so after `rollups
  rebuild`, which keeps the hours before the horizon;
- a second prune deletes nothing; a longer --days never moves the horizon
  back; a late event from before the horizon is counted and then pruned;
- the Events page and /api/v1/events say which raw events are gone, only
  when the range starts before the horizon;
- the audit log has each prune with the rows it deleted.
"""

import json
import os
import random
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dashboard_checks as dc  # noqa: E402
import harness as h  # noqa: E402

RAW_DAYS = 30
DAY = 86400 * 10**6
HOUR = 3600 * 10**6
N_PER_ORG = 1500
ORGS = ("ret1", "ret2")
USAGE_GROUPS = [None] + list(dc.DIMS) + ["day", "hour"]
API_GROUPS = ["none"] + list(dc.DIMS) + ["day"]


def ctl(conf, *args):
    rc, out, err = h.llmopsctl(conf, *args)
    if rc != 0:
        h.diag("llmopsctl %s: %d %s" % (" ".join(map(str, args)), rc,
                                         err.strip()))
    return rc, out, err


def iso(us):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(us // 10**6))


def day_of(us):
    return time.strftime("%Y-%m-%d", time.gmtime(us // 10**6))


def horizon_at(now_us):
    """The start of the UTC day RAW_DAYS before now (lib/prune.c)."""
    t = now_us - RAW_DAYS * DAY
    return t - t % DAY


def make_events(rng, org, now, horizon):
    """N_PER_ORG events over 60 days, and one just before and one at the
    horizon."""
    evs = [dc.random_event(rng, "%s-%05d" % (org, i),
                           now - rng.randrange(60 * DAY) - HOUR)
           for i in range(N_PER_ORG)]
    evs.append(dc.random_event(rng, org + "-edge-before", horizon - 1))
    evs.append(dc.random_event(rng, org + "-edge-at", horizon))
    return evs


def ranges(now, horizon):
    """The periods reports are recorded over: (name, since, until)."""
    start = now - 62 * DAY
    end = now + 2 * HOUR
    return [("whole", start, end), ("kept", horizon, end),
            ("pruned", start, horizon)]


def reports(stack, key, now, horizon):
    """Every report, keyed by what it is: the CLI's JSON and the API's rows."""
    out = {}
    for org in ORGS:
        for name, since, until in ranges(now, horizon):
            for g in USAGE_GROUPS:
                args = ["usage", org, "--since", iso(since), "--until",
                        iso(until), "--format", "json"]
                if g:
                    args += ["--group-by", g]
                rc, text, _ = ctl(stack.conf, *args)
                out[(org, name, "cli", g)] = json.loads(text) if rc == 0 \
                    else None
    for name, since, until in ranges(now, horizon):
        for g in API_GROUPS:
            status, _, doc = h.http_json(
                "GET", stack.url("/api/v1/usage?group_by=%s&since=%s&until=%s"
                                 % (g, iso(since), iso(until))),
                headers={"Authorization": "Bearer " + key})
            out[(ORGS[0], name, "api", g)] = (status, (doc or {}).get("rows"))
    return out


def requests_in(reps, org, name):
    rows = reps[(org, name, "cli", None)] or [{}]
    return rows[0].get("requests")


def count(db, where):
    return int(db.sql("SELECT COUNT(*) FROM usage_events WHERE " + where)[0][0])


def check_same(before, after, label):
    changed = sorted("%s %s %s %s" % k for k in before
                     if before[k] != after.get(k))
    h.is_(changed, [], "%s: every report is unchanged (%d reports)"
          % (label, len(before)))


def check_notice(stack, client, horizon, now):
    day = day_of(horizon)
    notice = ("Raw events before %s are no longer kept (retention.raw_days "
              "= %d); the other views still count them from the rollups."
              % (day, RAW_DAYS))
    status, _, page = client.get("/events?since=%s&until=%s"
                                 % (iso(now - 62 * DAY), iso(now)))
    h.ok(status == 200 and '<p class="notice">' + notice in page,
         "the Events page over the pruned days says what it no longer has",
         diag="%d %s" % (status, re.findall(r'<p class="notice">[^<]*', page)))
    status, _, page = client.get("/events?range=7d")
    h.ok(status == 200 and "no longer kept" not in page and "<table" in page,
         "... and says nothing over the last 7 days, all kept")
    return notice


def check_api_events(stack, key, horizon, now):
    hdr = {"Authorization": "Bearer " + key}
    status, _, doc = h.http_json("GET", stack.url(
        "/api/v1/events?limit=5&since=%s&until=%s"
        % (iso(now - 62 * DAY), iso(now))), headers=hdr)
    h.is_((status, (doc or {}).get("raw_events_before")),
          (200, time.strftime("%Y-%m-%dT00:00:00.000000Z",
                              time.gmtime(horizon // 10**6))),
          "/api/v1/events over the pruned days: raw_events_before is the "
          "horizon")
    status, _, doc = h.http_json("GET", stack.url(
        "/api/v1/events?since=%s&until=%s"
        % (iso(now - 62 * DAY), iso(horizon))), headers=hdr)
    h.is_((status, (doc or {}).get("events"), (doc or {}).get("next")),
          (200, [], None),
          "... and lists no event of the pruned days")
    status, _, doc = h.http_json("GET", stack.url(
        "/api/v1/events?limit=5&range=7d"), headers=hdr)
    h.ok(status == 200 and "raw_events_before" in (doc or {}) and
         doc["raw_events_before"] is None and len(doc["events"]) == 5,
         "/api/v1/events over the last 7 days: raw_events_before null",
         diag=repr(doc)[:300])


def audit_prunes(db):
    return [json.loads(d) for (d,) in db.sql(
        "SELECT details FROM audit_log WHERE action = 'events.prune' "
        "ORDER BY id")]


def main():
    rng = random.Random(20260315)
    stack = h.start_all("lighttpd",
                        conf_extra="retention = { raw_days = %d; };" % RAW_DAYS)
    db, conf = stack.db, stack.conf
    now = int(time.time()) * 10**6
    horizon = horizon_at(now)

    for args in (["prune", "--days", "0"], ["prune", "--days", "36501"],
                 ["prune", "--max-seconds", "x"], ["prune", "extra"]):
        rc, out, err = h.llmopsctl(conf, *args)
        h.ok(rc == 2 and err.strip() != "", "llmopsctl %s: bad usage, exit 2"
             % " ".join(args), diag="%d %r" % (rc, err))
    rc, out, err = h.llmopsctl(conf, "prune", "--help")
    h.ok(rc == 0 and "retention.raw_days" in out, "prune --help")

    total = 0
    for org in ORGS:
        token = stack.token(org)
        total += dc.post_events(stack, make_events(rng, org, now, horizon),
                                token)
    h.is_(total, len(ORGS) * (N_PER_ORG + 2), "every event accepted")
    h.is_(count(db, "1"), total, "... and stored")
    h.add_user(conf, ORGS[0], "viewer@example.com", password="pw-prune-viewer")
    key = h.create_apikey(conf, ORGS[0])
    client = stack.client()
    status, _, _ = client.login("viewer@example.com", "pw-prune-viewer")
    h.is_(status, 303, "the viewer logs in")

    old = count(db, "occurred_us < %d" % horizon)
    kept = count(db, "occurred_us >= %d" % horizon)
    h.ok(old > 500 and kept > 500, "events on both sides of the horizon "
         "(%d before, %d after)" % (old, kept))
    before = reports(stack, key, now, horizon)
    h.ok(all(requests_in(before, o, n) for o in ORGS
             for n in ("whole", "kept", "pruned")),
         "the reports count requests in every period")

    # --dry-run: counts, changes nothing.
    rc, out, err = ctl(conf, "prune", "--dry-run")
    h.is_((rc, out.strip()), (0, "would prune %d raw events before %s "
                              "(%d days kept)" % (old, day_of(horizon),
                                                  RAW_DAYS)),
          "prune --dry-run says how many would go and the horizon")
    h.is_(count(db, "1"), total, "... and deletes nothing")
    h.is_(db.sql("SELECT raw_before_us FROM retention_state"), [("0",)],
          "... nor records a horizon")
    h.is_(audit_prunes(db), [], "... nor an audit entry")

    # The prune.
    rc, out, err = ctl(conf, "prune")
    h.is_((rc, out.strip()), (0, "pruned %d raw events before %s (%d days "
                              "kept)" % (old, day_of(horizon), RAW_DAYS)),
          "prune deletes them and says so")
    h.is_(count(db, "occurred_us < %d" % horizon), 0,
          "no raw event before the horizon is left")
    h.is_(count(db, "occurred_us >= %d" % horizon), kept,
          "every raw event from the horizon on is kept")
    h.is_(sorted(r[0] for r in db.sql(
        "SELECT litellm_id FROM usage_events WHERE litellm_id LIKE '%-edge-%'")),
        ["%s-edge-at" % o for o in ORGS],
        "the event a microsecond before the horizon went; the one at it stays")
    h.is_(db.sql("SELECT raw_before_us, raw_days FROM retention_state"),
          [(str(horizon), str(RAW_DAYS))], "the horizon is recorded")
    after = reports(stack, key, now, horizon)
    check_same(before, after, "after the prune")

    rc, out, err = ctl(conf, "rollups", "rebuild")
    h.is_(rc, 0, "rollups rebuild after the prune")
    check_same(before, reports(stack, key, now, horizon),
               "after rollups rebuild, the pruned hours kept")

    rc, out, err = ctl(conf, "prune")
    h.is_((rc, out.strip()), (0, "pruned 0 raw events before %s (%d days "
                              "kept)" % (day_of(horizon), RAW_DAYS)),
          "a second prune deletes nothing")
    rc, out, err = ctl(conf, "prune", "--days", "45", "--dry-run")
    h.is_((rc, out.strip()), (0, "would prune 0 raw events before %s (%d "
                              "days kept)" % (day_of(horizon), RAW_DAYS)),
          "a longer retention never moves the horizon back")

    notice = check_notice(stack, client, horizon, now)
    h.ok(notice.startswith("Raw events before " + day_of(horizon)),
         "the notice names the horizon's date")
    check_api_events(stack, key, horizon, now)

    # A late event from before the horizon: counted in the rollups, its raw
    # row pruned by the next run.
    late = dc.random_event(rng, "late-1", horizon - 3 * DAY)
    h.is_(dc.post_events(stack, [late], stack.token(ORGS[0])), 1,
          "a late event from before the horizon is accepted")
    whole = before[(ORGS[0], "whole", "cli", None)][0]["requests"]
    rc, text, _ = ctl(conf, "usage", ORGS[0], "--since",
                      iso(now - 62 * DAY), "--until", iso(now + 2 * HOUR),
                      "--format", "json")
    h.is_(json.loads(text)[0]["requests"] if rc == 0 else None, whole + 1,
          "... and counted")
    rc, out, err = ctl(conf, "prune", "--max-seconds", "60")
    h.ok(rc == 0 and out.startswith("pruned 1 raw events"),
         "the next prune deletes its raw row", diag=out)
    h.is_(count(db, "litellm_id = 'late-1'"), 0, "... which is gone")

    entries = audit_prunes(db)
    h.is_([(e.get("rows"), e.get("raw_days"), e.get("complete"),
            e.get("raw_events_before")) for e in entries],
          [(old, RAW_DAYS, True, iso(horizon)),
           (0, RAW_DAYS, True, iso(horizon)),
           (1, RAW_DAYS, True, iso(horizon))],
          "the audit log has each prune with the rows it deleted")
    actors = db.sql("SELECT DISTINCT actor, org_id FROM audit_log "
                    "WHERE action = 'events.prune'")
    h.ok(len(actors) == 1 and actors[0][0].startswith("cli:") and
         actors[0][1] is None, "... by the CLI's user, about no one "
         "organization", diag=repr(actors))
    h.check_sanitizers(stack.web)
    stack.stop()
    h.done_testing()


if __name__ == "__main__":
    main()
