#!/usr/bin/env python3
"""The rollups per dimension hold exactly the sums over raw events.

schema/007_rollups.sql: usage_rollup (sums per organization x hour or day x
one dimension x its value), usage_rollup_hist (latency and time-to-first-
token histograms in logarithmic bins, lib/hist.h) and usage_errors
(failures per hour x class x code x model x provider). The loader writes
them in the transaction of the events, repricing corrects their costs,
`llmopsctl rollups rebuild` recomputes them in SQL. Here every row of all
three is computed again in Python from the raw events and compared, to the
last unit, after:

1. random loads of two organizations through the real callback (events
   over 60 days with every feature of dashboard_checks.make_events:
   untagged labels, failures of several classes, unpriced models, streams),
2. re-deliveries of a random part of them (duplicates add nothing),
3. a new price from the middle of the range and `llmopsctl reprice`,
4. rows damaged by hand and `llmopsctl rollups rebuild`.

Then `llmopsctl usage` over a range that starts and ends inside a day
(whole days from day rows, the hours at either end from hour rows) equals
SQL over the raw events for every grouping, and with a filter on one
dimension, and on two (answered from usage_hourly).
"""

import json
import math
import os
import random
import sys
import time
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import dashboard_checks as dc  # noqa: E402

HOUR = dc.HOUR
DAY = dc.DAY
# lib/hist.h
GAMMA = 1.04
HIST_BINS = 1200
# The dimensions of the rollups: none, then enum dim's labels, then the
# drill-downs (parent, child) of lib/rollup_dim.c.
DIMS = [None, "department", "team", "agent", "model", "provider"]
PAIRS = [(1, 2), (1, 3), (2, 3), (1, 4)]
STATUS_DIM = 10
# What served each model (parent: the model): its deployments, the hosts
# of their api_base; only events that name one count in them.
SERVED_DIMS = {11: "deployment", 12: "api_host"}
# Which of them have histograms, by grain (rollup_dim_has_hist).
HIST_DIMS = {0: {0, 4}, 1: {0, 1, 4, 9}}

EVENT_COLS = ("org_id, occurred_us, department, team, agent, model, "
              "provider, status, error_class, error_code, prompt_tokens, "
              "completion_tokens, total_tokens, cache_read_tokens, "
              "cache_write_tokens, reasoning_tokens, CAST(litellm_cost AS "
              "CHAR), CAST(cost AS CHAR), CAST(our_cost AS CHAR), "
              "latency_us, ttft_us, deployment, api_host, cache_hit, "
              "CAST(saved_cache_cost AS CHAR)")


def hist_bin(v):
    if v <= 0:
        return 0
    return min(HIST_BINS - 1, 1 + math.ceil(math.log(v) / math.log(GAMMA)))


def expected(db):
    """The three tables as the raw events sum up: {key: values}."""
    sums, hist, errs = {}, {}, {}
    for r in db.sql("SELECT %s FROM usage_events" % EVENT_COLS):
        org, occ = int(r[0]), int(r[1])
        hour, day = occ - occ % HOUR, occ - occ % DAY
        vals = ["", r[2] or "", r[3] or "", r[4] or "", r[5] or "", r[6] or ""]
        fail = r[7] == "failure"
        add = [1, int(fail)] + [int(x or 0) for x in r[10:16]]
        for c in r[16:19]:
            add += [Decimal(c or 0), int(c is not None)]
        for c in r[19:21]:
            add += [int(c or 0), int(c is not None)]
        add += [int(r[23] == "1"), Decimal(r[24] or 0)]
        keys = [(d, "", vals[d]) for d in range(len(DIMS))] + \
            [(len(DIMS) + i, vals[p], vals[c]) for i, (p, c) in
             enumerate(PAIRS)] + [(STATUS_DIM, "", r[7] or "")] + \
            [(d, vals[4], r[21 + i]) for i, d in enumerate(SERVED_DIMS)
             if r[21 + i] is not None]
        for grain, bucket in ((0, hour), (1, day)):
            for d, parent, value in keys:
                key = (org, grain, d, bucket, parent, value)
                old = sums.get(key, [0] * len(add))
                sums[key] = [a + b for a, b in zip(old, add)]
                if d not in HIST_DIMS[grain]:
                    continue
                for metric, v in ((0, r[19]), (1, r[20])):
                    if v is not None:
                        k = (org, grain, d, bucket, parent, value, metric)
                        bins = hist.setdefault(k, {})
                        b = hist_bin(int(v))
                        bins[b] = bins.get(b, 0) + 1
        if fail:
            k = (org, hour, r[8] or "", r[9] or "", r[5] or "", r[6] or "")
            errs[k] = errs.get(k, 0) + 1
    return sums, hist, errs


def actual(db):
    sums = {}
    for r in db.sql(
            "SELECT org_id, grain, dim, bucket_us, parent, value, requests, "
            "errors, "
            "prompt_tokens, completion_tokens, total_tokens, "
            "cache_read_tokens, cache_write_tokens, reasoning_tokens, "
            "CAST(litellm_cost AS CHAR), litellm_cost_events, CAST(cost AS "
            "CHAR), priced_requests, CAST(our_cost AS CHAR), "
            "our_cost_events, latency_us_sum, latency_count, ttft_us_sum, "
            "ttft_count, cache_hits, CAST(saved_cache_cost AS CHAR) "
            "FROM usage_rollup"):
        key = (int(r[0]), int(r[1]), int(r[2]), int(r[3]), r[4], r[5])
        v = [int(x) for x in r[6:14]]
        for i in (14, 16, 18):
            v += [Decimal(r[i]), int(r[i + 1])]
        sums[key] = v + [int(x) for x in r[20:25]] + [Decimal(r[25])]
    hist = {}
    for r in db.sql("SELECT org_id, grain, dim, bucket_us, parent, value, "
                    "metric, HEX(bins), n FROM usage_rollup_hist"):
        bins = unpack_bins(bytes.fromhex(r[7] or ""))
        if sum(bins.values()) != int(r[8]):
            bins["total"] = int(r[8])   # n disagrees: shows as a difference
        hist[(int(r[0]), int(r[1]), int(r[2]), int(r[3]), r[4], r[5],
              int(r[6]))] = bins
    errs = {(int(r[0]), int(r[1]), r[2], r[3], r[4], r[5]): int(r[6])
            for r in db.sql("SELECT * FROM usage_errors")}
    return sums, hist, errs


def unpack_bins(blob):
    """lib/hist.h's packing: (bin: 2 bytes, count: 8 bytes) little-endian,
    bins increasing."""
    out = {}
    for i in range(0, len(blob), 10):
        b = int.from_bytes(blob[i:i + 2], "little")
        out[b] = int.from_bytes(blob[i + 2:i + 10], "little")
    return out


def diff(got, want):
    for k in sorted(set(got) | set(want), key=repr):
        if got.get(k) != want.get(k):
            return "first difference at %r:\n  got  %r\n  want %r" % (
                k, got.get(k), want.get(k))
    return ""


def check_tables(db, label):
    want, got = expected(db), actual(db)
    for name, g, w in zip(("usage_rollup", "usage_rollup_hist",
                           "usage_errors"), got, want):
        h.ok(g == w and w, "%s: %s equals the raw events (%d rows)" % (
            label, name, len(w)), diag=lambda: diff(g, w))
    return got


def raw_usage(db, org_id, since, until, group, where=""):
    """{key: (requests, cost or None)} over raw events, the range widened
    to whole hours as the CLI does."""
    since -= since % HOUR
    until += -until % HOUR
    col = {"hour": "occurred_us - MOD(occurred_us, %d)" % HOUR,
           "day": "occurred_us - MOD(occurred_us, %d)" % DAY,
           None: "NULL"}.get(group, group)
    rows = db.sql("SELECT %s, COUNT(*), CAST(SUM(cost) AS CHAR) FROM "
                  "usage_events WHERE org_id = %d AND occurred_us >= %d AND "
                  "occurred_us < %d %s GROUP BY 1" % (col, org_id, since,
                                                      until, where))
    return {r[0]: (int(r[1]), None if r[2] is None else Decimal(r[2]))
            for r in rows}


def cli_usage(conf, org, since, until, group, filters=()):
    args = ["usage", org, "--since", iso(since), "--until", iso(until),
            "--format", "json"] + list(filters)
    if group:
        args += ["--group-by", group]
    rc, out, err = h.llmopsctl(conf, *args)
    if rc != 0:
        return {"error": err}
    got = {}
    for row in json.loads(out):
        key = row.get(group) if group else None
        if group in ("hour", "day") and key is not None:
            key = str(us_of(key))
        cost = row.get("cost_usd")
        got[key] = (row["requests"], None if cost is None else
                    Decimal(str(cost)))
    return got


def us_of(text):
    """Microseconds of "2026-11-27" (a day) or "2026-11-27T07:00:00.000000Z"."""
    import calendar
    fmt = "%Y-%m-%d" if len(text) == 10 else "%Y-%m-%dT%H:%M:%S"
    return calendar.timegm(time.strptime(text[:19], fmt)) * 10**6


def iso(us):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(us // 10**6))


def check_usage(stack, org, org_id, base):
    """Ranges inside days: whole days from day rows, ends from hours."""
    db, conf = stack.db, stack.conf
    since = base - 9 * DAY - 5 * HOUR
    until = base - 2 * HOUR
    for group in (None, "department", "team", "agent", "model", "provider",
                  "status", "day", "hour"):
        want = raw_usage(db, org_id, since, until, group)
        got = cli_usage(conf, org, since, until, group)
        h.is_(got, want, "usage %s, 9 days and 3 hours, by %s: requests and "
              "cost equal the raw events" % (org, group or "nothing"))


def main():
    stack = h.start_all("lighttpd")
    db, conf = stack.db, stack.conf
    for model, args in dc.PRICES.items():
        rc, _, err = h.llmopsctl(conf, "prices", "set", model, "--from",
                                 "2020-01-01", *args)
        h.is_(rc, 0, "price of %s set" % model)
    base = dc.floor_hour(int(time.time() * 10**6))
    rng = random.Random(20261205)
    orgs = {}
    for org, n in (("acme", 2500), ("other", 700)):
        tok = stack.token(org)
        evs = dc.make_events(rng, base, n, prefix=org)
        rng.shuffle(evs)
        h.is_(dc.post_events(stack, evs, tok, batch=rng.randint(40, 400)), n,
              "%s: %d random events accepted" % (org, n))
        orgs[org] = (tok, evs)
    ids = {org: int(db.sql("SELECT id FROM organizations WHERE name = '%s'"
                           % org)[0][0]) for org in orgs}
    check_tables(db, "after the loads")

    tok, evs = orgs["acme"]
    again = rng.sample(evs, 600)
    h.is_(dc.post_events(stack, again, tok, batch=150), 600,
          "600 events delivered again, accepted")
    h.is_(int(db.sql("SELECT COUNT(*) FROM usage_events")[0][0]), 3200,
          "... and stored once")
    check_tables(db, "after the re-deliveries")

    mid = time.strftime("%Y-%m-%dT%H:%M:%SZ",
                        time.gmtime((base - 20 * DAY) // 10**6))
    rc, _, err = h.llmopsctl(conf, "prices", "set", "claude-dash", "--from",
                             mid, "--input", "4e-06", "--output", "2e-05")
    h.is_(rc, 0, "a new price of claude-dash from 20 days ago")
    for org in orgs:
        rc, out, err = h.llmopsctl(conf, "reprice", org)
        h.ok(rc == 0 and " 0 changed" not in out, "reprice %s changes "
             "events" % org, diag=out + err)
    after_reprice = check_tables(db, "after the reprice")

    db.sql("UPDATE usage_rollup SET requests = requests + 3, cost = cost + 1 "
           "ORDER BY bucket_us LIMIT 5; DELETE FROM usage_rollup_hist "
           "ORDER BY bucket_us DESC LIMIT 7; UPDATE usage_rollup_hist SET "
           "n = n + 1 LIMIT 3; DELETE FROM usage_errors LIMIT 2")
    # An empty label and none are both '' in the rollups: the rebuild
    # groups label ids, and must add the two groups into one row.
    db.sql("INSERT INTO labels (kind, value) VALUES (3, '')")
    empty = int(db.sql("SELECT id FROM labels WHERE kind = 3 AND "
                       "value = ''")[0][0])
    db.sql("UPDATE usage_event_rows SET agent_id = %d WHERE agent_id IS "
           "NULL AND id %% 2 = 0" % empty)
    h.ok(int(db.sql("SELECT COUNT(*) FROM usage_event_rows WHERE agent_id "
                    "= %d" % empty)[0][0]) > 0 and
         int(db.sql("SELECT COUNT(*) FROM usage_event_rows WHERE agent_id "
                    "IS NULL")[0][0]) > 0,
         "some events without an agent now name the empty one")
    rc, out, err = h.llmopsctl(conf, "rollups", "rebuild")
    h.is_(rc, 0, "rollups rebuild")
    h.is_(actual(db), after_reprice, "the rebuild writes exactly the rows "
          "the loads and the reprice wrote")
    check_tables(db, "after the rebuild")
    # Back to none, rebuilt (usage_hourly keeps '' apart from none, and the
    # API's usage below is compared with SQL that tells them apart).
    db.sql("UPDATE usage_event_rows SET agent_id = NULL WHERE agent_id = %d; "
           "DELETE FROM labels WHERE id = %d" % (empty, empty))
    rc, out, err = h.llmopsctl(conf, "rollups", "rebuild")
    h.is_(rc, 0, "rollups rebuild, the empty agent gone")

    for org in orgs:
        check_usage(stack, org, ids[org], base)
    since, until = base - 30 * DAY - 7 * HOUR, base
    for filters, where in (
            (["--department", "eng"], "AND department = 'eng'"),
            (["--model", "claude-dash"], "AND model = 'claude-dash'"),
            (["--agent", ""], "AND agent IS NULL"),
            (["--department", "eng", "--model", "claude-dash"],
             "AND department = 'eng' AND model = 'claude-dash'"),
            (["--status", "failure"], "AND status = 'failure'"),
            (["--department", "eng", "--team", ""],
             "AND department = 'eng' AND team IS NULL"),
            (["--team", "backend", "--agent", "chatbot"],
             "AND team = 'backend' AND agent = 'chatbot'"),
            (["--model", "claude-dash", "--provider", "anthropic"],
             "AND model = 'claude-dash' AND provider = 'anthropic'"),
            (["--status", "success", "--department", "eng"],
             "AND status = 'success' AND department = 'eng'")):
        for group in ("agent", "day", "status", None):
            h.is_(cli_usage(conf, "acme", since, until, group, filters),
                  raw_usage(db, ids["acme"], since, until, group, where),
                  "usage acme %s by %s equals the raw events"
                  % (" ".join(filters), group or "nothing"))

    stack.stop()
    reports = stack.sanitizer_reports()
    h.ok(not reports, "no sanitizer report in the logs",
         diag="\n".join(reports[:40]))
    db.stop()
    h.done_testing()


main()
