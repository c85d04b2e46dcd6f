#!/usr/bin/env python3
"""tools/gen-events against a private MariaDB: a small run stores exactly
the events asked for, with the relations and the skew it promises (each
agent in one team, each team in one department; a few models take most of
the cost; about 2% failures), priced from our price table, the dimension
values recorded, and the rollups that `llmopsctl rollups rebuild` made
equal to the sums over the raw events. Not timed: tools/bench --read
measures."""

import json
import os
import sys
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

N = 20000
ORGS = ("gen-a", "gen-b")


def gen_events(conf, *args):
    argv = [os.path.join(h.SRCDIR, "tools", "gen-events"), "-c", conf,
            "--build", h.BUILDDIR] + list(args)
    rc, out, err = h.run(argv, timeout=600)
    line = [x for x in out.splitlines() if x.startswith("GEN-EVENTS ")]
    h.ok(rc == 0 and len(line) == 1, "tools/gen-events %s: exit 0 and its "
         "summary line" % " ".join(args), diag="rc %d\n%s%s" % (rc, out, err))
    return json.loads(line[0][len("GEN-EVENTS "):]) if line else {}


def one(db, query):
    return db.sql(query)[0]


def main():
    db = h.MariaDB()
    db.start()
    tmp = h.unique_dir("gen")
    conf = h.write_conf(os.path.join(tmp, "llmops.conf"), db)
    h.migrate(conf)

    summary = gen_events(conf, "-n", str(N), "--org", ORGS[0], "--org",
                         ORGS[1], "--days", "7", "--seed", "7")
    h.is_(summary.get("events"), N, "the summary counts N events")
    h.is_(int(one(db, "SELECT COUNT(*) FROM usage_events")[0]), N,
          "exactly N events stored")
    orgs = dict(db.sql("SELECT name, id FROM organizations"))
    h.ok(all(o in orgs for o in ORGS), "the organizations were created")
    h.is_(int(one(db, "SELECT COUNT(DISTINCT org_id) FROM tracking_tokens "
                  "WHERE status = 'active'")[0]), 2,
          "each organization has a tracking token")
    per_org = dict(db.sql("SELECT org_id, COUNT(*) FROM usage_events "
                          "GROUP BY org_id"))
    h.ok(len(per_org) == 2 and all(int(v) > N // 10 for v in per_org.values()),
         "both organizations have events", diag=per_org)
    h.is_(int(one(db, "SELECT COUNT(*) FROM usage_events e JOIN "
                  "tracking_tokens t ON t.id = e.token_id AND "
                  "t.org_id = e.org_id")[0]), N,
          "every event carries a token of its organization")

    # The relations.
    h.is_(db.sql("SELECT agent FROM usage_events GROUP BY agent "
                 "HAVING COUNT(DISTINCT team) > 1 OR "
                 "COUNT(DISTINCT department) > 1"), [],
          "each agent has exactly one team and one department")
    h.is_(db.sql("SELECT team FROM usage_events GROUP BY team "
                 "HAVING COUNT(DISTINCT department) > 1"), [],
          "each team has exactly one department")
    counts = one(db, "SELECT COUNT(DISTINCT department), COUNT(DISTINCT "
                 "team), COUNT(DISTINCT agent), COUNT(DISTINCT model) "
                 "FROM usage_events")
    h.ok(int(counts[0]) == 20 and int(counts[1]) == 100 and
         int(counts[2]) > 400 and int(counts[3]) == 30,
         "20 departments, 100 teams, most of 500 agents, 30 models",
         diag=counts)
    h.is_(int(one(db, "SELECT COUNT(*) FROM usage_events WHERE "
                  "department IS NULL OR team IS NULL OR agent IS NULL OR "
                  "model IS NULL")[0]), 0, "every event is fully tagged")

    # The skew.
    costs = [Decimal(c) for (c,) in db.sql(
        "SELECT SUM(cost) FROM usage_events WHERE cost IS NOT NULL "
        "GROUP BY model ORDER BY SUM(cost) DESC")]
    h.ok(sum(costs[:3]) > sum(costs) / 2,
         "the top 3 models have more than half of the cost",
         diag="%s of %s" % (sum(costs[:3]), sum(costs)))
    top = db.sql("SELECT agent, COUNT(*) FROM usage_events GROUP BY agent "
                 "ORDER BY COUNT(*) DESC LIMIT 10")
    h.ok(sum(int(n) for _, n in top) > N // 5,
         "the top 10 agents make more than a fifth of the calls", diag=top)
    failures = int(one(db, "SELECT COUNT(*) FROM usage_events WHERE "
                       "status = 'failure'")[0])
    h.ok(0.012 * N <= failures <= 0.035 * N, "about 2% failures",
         diag="%d of %d" % (failures, N))
    h.is_(int(one(db, "SELECT COUNT(*) FROM usage_events WHERE "
                  "status = 'failure' AND (error_class IS NULL OR "
                  "error_code IS NULL)")[0]), 0,
          "every failure has an error class and code")
    h.is_(int(one(db, "SELECT COUNT(*) FROM usage_events WHERE "
                  "occurred_us <> start_us OR end_us < start_us OR "
                  "latency_us <> end_us - start_us OR received_us < end_us")[0]),
          0, "times are consistent (occurred = start, end = start + latency)")
    hours = int(one(db, "SELECT COUNT(DISTINCT occurred_us DIV 3600000000) "
                    "FROM usage_events")[0])
    h.ok(hours > 7 * 24 * 0.9, "the events spread over the 7 days",
         diag="%d hours" % hours)

    # Pricing as the loader prices.
    sources = dict(db.sql("SELECT cost_source, COUNT(*) FROM usage_events "
                          "GROUP BY cost_source"))
    h.ok(int(sources.get("price_table", 0)) > N * 0.8 and
         int(sources.get("unpriced", 0)) > 0,
         "most events priced from our price table, a few unpriced",
         diag=sources)
    h.is_(int(one(db, "SELECT COUNT(*) FROM usage_events e LEFT JOIN "
                  "prices p ON p.id = e.price_id WHERE e.cost_source = "
                  "'price_table' AND (p.model IS NULL OR p.model <> e.model "
                  "OR e.cost <> e.our_cost)")[0]), 0,
          "priced events name the price row of their model")
    h.is_(int(one(db, "SELECT COUNT(*) FROM usage_events WHERE "
                  "status = 'success' AND prompt_tokens IS NOT NULL AND "
                  "total_tokens <> prompt_tokens + completion_tokens")[0]),
          0, "total tokens = prompt + completion")

    # Dimension values, as ingest records them.
    dims = db.sql("SELECT dim, COUNT(*) FROM dimension_values "
                  "GROUP BY dim ORDER BY dim")
    expect = db.sql(
        "SELECT 'department', COUNT(DISTINCT org_id, department) FROM usage_events "
        "UNION ALL SELECT 'team', COUNT(DISTINCT org_id, team) FROM usage_events "
        "UNION ALL SELECT 'agent', COUNT(DISTINCT org_id, agent) FROM usage_events "
        "UNION ALL SELECT 'model', COUNT(DISTINCT org_id, model) FROM usage_events "
        "UNION ALL SELECT 'provider', COUNT(DISTINCT org_id, provider) FROM usage_events")
    h.is_(sorted(dims), sorted(expect), "dimension_values holds every value "
          "each organization used")
    h.is_(int(one(db, "SELECT COUNT(*) FROM dimension_values d WHERE "
                  "d.dim = 'agent' AND d.first_us <> (SELECT MIN(occurred_us) "
                  "FROM usage_events e WHERE e.org_id = d.org_id AND "
                  "e.agent = d.value)")[0]), 0,
          "first_us is the first use of each value")

    # The rollups the rebuild made against the raw events.
    for name in ORGS:
        oid = orgs.get(name)
        raw = one(db, "SELECT COUNT(*), SUM(prompt_tokens), "
                  "SUM(completion_tokens), SUM(total_tokens), SUM(cost), "
                  "COUNT(*) - COUNT(cost), "
                  "SUM(status = 'failure') FROM usage_events WHERE org_id = %s"
                  % oid)
        rc, out, err = h.llmopsctl(conf, "usage", name, "--format", "json")
        try:
            rows = json.loads(out)
            tot = rows[0] if isinstance(rows, list) else rows
        except (ValueError, IndexError, KeyError):
            tot = {}
        h.ok(rc == 0 and tot, "llmopsctl usage %s answers" % name,
             diag=out + err)
        keys = ("requests", "prompt_tokens", "completion_tokens",
                "total_tokens", "cost_usd", "unpriced_requests", "errors")
        got = tuple(Decimal(str(tot.get(k))) if tot.get(k) is not None
                    else None for k in keys)
        want = tuple(Decimal(v) for v in raw)
        h.is_(got, want, "%s: the rollups (llmopsctl usage) equal the sums "
              "over its raw events" % name)

    # The same seed and end give the same events; a second run adds.
    end = str(summary.get("end_us", 0) // 1000000)
    runs = "SELECT SUM(cost), SUM(total_tokens), COUNT(*) FROM " \
        "usage_events GROUP BY LEFT(dedupe_key, 8) ORDER BY LEFT(dedupe_key, 8)"
    for _ in range(2):
        gen_events(conf, "-n", "2000", "--org", ORGS[0], "--days", "2",
                   "--seed", "9", "--end", "@" + end, "--no-rebuild")
    got = db.sql(runs)
    h.ok(len(got) == 3 and got[1] == got[2] and got[2][2] == "2000",
         "the same seed and end give the same events; each run adds its "
         "own (new dedupe keys)", diag=got)
    db.stop()
    h.done_testing()


main()
