#!/usr/bin/env python3
"""llmopsctl against a private MariaDB: exit statuses, --help, migrations,
organizations, tokens (creation, hashing, listing, revocation), the
usage and events reports checked against independent SQL over the events
that real callbacks stored, and the rebuild of the rollups from them."""

import hashlib
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

FIXTURES = os.path.join(h.SRCDIR, "tests", "fixtures", "litellm")


def ctl(conf, *args, input=None):
    return h.llmopsctl(conf, *args, input=input)


def check_usage_and_help(conf):
    commands = [[], ["migrate"], ["org"], ["org", "create"], ["org", "list"],
                ["token"], ["token", "create"], ["token", "add"],
                ["token", "list"], ["token", "revoke"], ["usage"], ["events"]]
    for cmd in commands:
        rc, out, err = ctl(conf, *(cmd + ["--help"]))
        h.ok(rc == 0 and "usage:" in out and err == "",
             "llmopsctl %s --help: usage on stdout, exit 0" % " ".join(cmd),
             diag="rc %d, err %r" % (rc, err))
    for args in (["frobnicate"], ["org"], ["org", "destroy", "x"],
                 ["org", "create"], ["token", "create"], ["token", "revoke", "x"],
                 ["usage"], ["usage", "acme", "--group-by", "colour"],
                 ["usage", "acme", "--format", "xml"],
                 ["usage", "acme", "--since", "yesterday-ish"],
                 ["usage", "acme", "--since", "1h", "--until", "2h"],
                 ["events", "acme", "--format", "table"],
                 ["events", "acme", "--limit", "0"]):
        rc, out, err = ctl(conf, *args)
        h.ok(rc == 2 and err.strip() != "",
             "llmopsctl %s: bad usage, exit 2 with a message" % " ".join(args),
             diag="rc %d, out %r, err %r" % (rc, out, err))


def check_config_errors(tmp, good_conf):
    bad = os.path.join(tmp, "bad.conf")
    with open(bad, "w") as f:
        f.write("database = {\n  prot = 3306;\n};\n")
    rc, out, err = ctl(bad, "org", "list")
    h.ok(rc == 1 and len(err.strip().splitlines()) == 1 and
         re.search(r"bad\.conf:2: unknown setting database\.prot", err),
         "a bad configuration: exit 1, one line with file, line and reason",
         diag=err)
    # The responder refuses to start on the same file, before serving.
    rc, out, err = h.run([h.responder_path(), "-c", bad])
    h.ok(rc == 1 and "refusing to start" in err and "bad.conf:2:" in err,
         "llmops.fcgi refuses to start with a bad configuration", diag=err)
    rc, out, err = h.run([h.responder_path(), "-t", "-c", good_conf])
    h.ok(rc == 0 and "configuration OK" in out, "llmops.fcgi -t accepts a "
         "good one", diag=out + err)
    with open(bad, "w") as f:
        f.write('database = { host = "127.0.0.1"; port = %d; user = "x"; '
                'connect_timeout = 2; };\n' % h.free_port())
    rc, out, err = ctl(bad, "org", "list")
    h.ok(rc == 1 and "cannot connect" in err and out == "",
         "database unreachable: exit 1, one line, nothing on stdout", diag=err)


def check_migrate(db, conf):
    rc, out, err = ctl(conf, "migrate")
    h.ok(rc == 0 and "up to date" in out, "migrate again: up to date",
         diag=out + err)
    files = sorted(f[:-4] for f in os.listdir(os.path.join(h.SRCDIR, "schema"))
                   if re.fullmatch(r"\d{3}_.*\.sql", f))
    h.is_(db.sql("SELECT version, name FROM schema_migrations ORDER BY version"),
          [(str(int(f[:3])), f) for f in files],
          "schema_migrations records every migration applied")
    # Schema 9: the event rows and the rollups page-compressed (MariaDB).
    compressed = sorted(r[0] for r in db.sql(
        "SELECT table_name FROM information_schema.TABLES WHERE "
        "table_schema = DATABASE() AND create_options LIKE "
        "'%page_compressed%'"))
    h.is_(compressed, ["usage_errors", "usage_event_rows", "usage_hourly",
                       "usage_rollup", "usage_rollup_hist"],
          "the event rows and the rollups are page-compressed")
    db.sql("INSERT INTO schema_migrations VALUES (999, '999_future', 0)")
    rc, out, err = ctl(conf, "migrate")
    h.ok(rc == 1 and "newer" in err, "migrate refuses a newer schema",
         diag=err)
    db.sql("DELETE FROM schema_migrations WHERE version = 999")


def check_orgs_and_tokens(db, conf):
    rc, out, err = ctl(conf, "org", "create", "acme")
    h.ok(rc == 0 and "acme" in out, "org create acme")
    for name, why in (("ACME", "exists"), ("12345", "digits"), ("", "1 to 128"),
                      ("x" * 129, "1 to 128"), ("a\tb", "control")):
        rc, out, err = ctl(conf, "org", "create", name)
        h.ok(rc == 1 and why in err, "org create %r refused (%s)"
             % (name[:20], why), diag=err)
    rc, out, err = ctl(conf, "org", "list", "--format", "json")
    orgs = json.loads(out) if rc == 0 else []
    h.is_([o["name"] for o in orgs], ["acme"], "org list --format json")

    rc, out, err = ctl(conf, "token", "create", "acme", "--label", "prod")
    token = out.strip()
    h.ok(rc == 0 and re.fullmatch(r"trk_[A-Za-z0-9_-]{32,}", token),
         "token create prints trk_ and 32+ URL-safe characters", diag=out)
    h.ok("shown only now" in err, "... and says it is shown once")
    stored = db.sql("SELECT HEX(token_hash), prefix, label FROM "
                    "tracking_tokens WHERE label = 'prod'")
    h.is_(stored[0][0].lower() if stored else None,
          hashlib.sha256(token.encode()).hexdigest(),
          "the database keeps the SHA-256 of the token")
    h.ok(stored and token.startswith(stored[0][1]) and len(stored[0][1]) <= 8,
         "... and a short prefix")
    h.ok(token not in db.dump(), "the token itself is nowhere in the database")
    rc2, out2, _ = ctl(conf, "token", "create", "1")
    h.ok(rc2 == 0 and out2.strip() != token, "token create by org id; tokens "
         "differ")

    rc, out, err = ctl(conf, "token", "add", "acme", "trk_test123")
    h.ok(rc == 0 and "warning" in err, "token add of a short value warns")
    rc, out, err = ctl(conf, "token", "add", "acme", "trk_test123")
    h.ok(rc == 1 and "already registered" in err, "the same token twice: "
         "exit 1")
    rc, out, err = ctl(conf, "token", "add", "acme", "short")
    h.is_(rc, 1, "a token under 8 characters is refused")
    rc, out, err = ctl(conf, "token", "add", "nobody", "trk_abcdefgh")
    h.ok(rc == 1 and "no organization" in err, "token add to an unknown org")

    rc, out, err = ctl(conf, "token", "list", "acme", "--format", "json")
    toks = json.loads(out) if rc == 0 else []
    h.is_([(t["id"], t["label"], t["status"]) for t in toks],
          [(1, "prod", "active"), (2, None, "active"), (3, None, "active")],
          "token list: id, label, status")
    h.ok(all(set(t) == {"id", "prefix", "label", "status", "created",
                        "last_used", "expires"} for t in toks),
         "token list columns: id, prefix, label, status, created, last "
         "used, expires")
    h.ok(token not in out and "trk_test123" not in out,
         "token list never shows a token")
    rc, out, err = ctl(conf, "token", "list", "acme")
    h.ok(rc == 0 and re.search(r"^id +prefix +label +status", out, re.M),
         "token list as a table")
    h.is_(ctl(conf, "token", "revoke", "2")[0], 0, "token revoke 2")
    rc, out, err = ctl(conf, "token", "revoke", "99")
    h.ok(rc == 1 and "no token" in err, "revoking an unknown id: exit 1")
    return token


def post_fixtures(stack, token):
    """A spread of events for the reports, under the test token."""
    names = ["05_batch_json_array.json", "02_success_openai_gpt4o_stream.json",
             "03_failure_anthropic_429.json", "04_success_embedding.json"]
    n = 0
    for name in names:
        with open(os.path.join(FIXTURES, name)) as f:
            doc = json.load(f)
        for ev in doc if isinstance(doc, list) else [doc]:
            ev["metadata"]["requester_custom_headers"]["x-cloudidr-token"] = token
        status, _, ans = h.http_json("POST", stack.url("/api/litellm/callback"),
                                     doc)
        n += (ans or {}).get("accepted", 0)
    h.spool_drain(stack.conf)
    return n


GROUPS = {"department": "department", "team": "team", "agent": "agent",
          "model": "model", "provider": "provider", "status": "status"}


def check_reports(db, conf, stack, token):
    n = post_fixtures(stack, token)
    h.is_(n, 7, "seven events posted for the reports")
    oid = db.sql("SELECT id FROM organizations WHERE name = 'acme'")[0][0]
    for group, col in GROUPS.items():
        rc, out, err = ctl(conf, "usage", "acme", "--group-by", group,
                           "--format", "json")
        rows = json.loads(out) if rc == 0 else []
        got = sorted(((r[group] or ""), r["requests"], r["errors"], r["prompt_tokens"],
                      r["completion_tokens"], r["total_tokens"],
                      r["cache_read_tokens"], r["cache_write_tokens"])
                     for r in rows)
        want = sorted(((g or ""), int(a), int(b), int(c), int(d), int(e), int(f), int(k))
                      for g, a, b, c, d, e, f, k in db.sql(
            "SELECT %s, COUNT(*), SUM(status = 'failure'), "
            "SUM(COALESCE(prompt_tokens, 0)), SUM(COALESCE(completion_tokens, 0)), "
            "SUM(COALESCE(total_tokens, 0)), SUM(COALESCE(cache_read_tokens, 0)), "
            "SUM(COALESCE(cache_write_tokens, 0)) FROM usage_events WHERE "
            "org_id = %s GROUP BY %s" % (col, oid, col)))
        h.is_(got, want, "usage --group-by %s equals SQL over the events" % group)
        costs = {r[group]: r["litellm_cost_usd"] for r in rows}
        want_costs = {g: float(c) for g, c in db.sql(
            "SELECT %s, CAST(SUM(COALESCE(litellm_cost, 0)) AS CHAR) FROM "
            "usage_events WHERE org_id = %s GROUP BY %s" % (col, oid, col))}
        h.is_(costs, want_costs, "usage --group-by %s: costs" % group)

    rc, out, err = ctl(conf, "usage", "acme", "--format", "csv")
    lines = out.strip().splitlines()
    h.ok(rc == 0 and len(lines) == 2 and lines[0].startswith("range,requests"),
         "usage --format csv: header and one total row", diag=out)
    total = db.sql("SELECT COUNT(*), CAST(SUM(litellm_cost) AS CHAR) FROM "
                   "usage_events WHERE org_id = %s" % oid)[0]
    h.ok(len(lines) == 2 and lines[1].split(",")[1] == total[0] and
         total[1] in lines[1], "usage total: requests and exact cost",
         diag="%r vs %r" % (lines, total))
    rc, out, err = ctl(conf, "usage", "acme", "--group-by", "agent")
    h.ok(rc == 0 and "(untagged)" in out, "usage table: untagged shown as such")
    rc, out, err = ctl(conf, "usage", "acme", "--group-by", "day",
                       "--since", "2026-02-27T10:30", "--until", "2026-03-01")
    h.ok(rc == 0 and "rollups are hourly" in err and "2026-02-27T10:00:00Z" in err,
         "usage widens the range to whole hours and says so", diag=err)
    days = db.sql("SELECT COUNT(DISTINCT FLOOR(occurred_us / 86400000000)) "
                  "FROM usage_events WHERE org_id = %s AND occurred_us >= "
                  "1772186400000000 AND occurred_us < 1772323200000000" % oid)
    h.is_(len(out.strip().splitlines()) - 1, int(days[0][0]),
          "usage --group-by day: one row per day with events")

    rc, out, err = ctl(conf, "events", "acme", "--format", "jsonl")
    evs = [json.loads(l) for l in out.splitlines()]
    h.is_(len(evs), 7, "events: every stored event")
    starts = [e["start_time"] for e in evs]
    h.is_(starts, sorted(starts), "events: oldest first")
    rc, out, err = ctl(conf, "events", "acme", "--since", "2026-02-27T16:30",
                       "--until", "2026-02-27T16:34", "--format", "jsonl")
    want = db.sql("SELECT COUNT(*) FROM usage_events WHERE org_id = %s AND "
                  "occurred_us >= 1772209800000000 AND occurred_us < "
                  "1772210040000000" % oid)[0][0]
    h.is_(len(out.splitlines()), int(want), "events --since/--until select "
          "by the call's time")
    rc, out, err = ctl(conf, "events", "acme", "--limit", "2", "--format", "csv")
    h.is_(len(out.strip().splitlines()), 3, "events --limit 2 --format csv")


def rollup_rows(db):
    return db.sql(
        "SELECT org_id, hour_us, HEX(dims_key), source, department, team, "
        "agent, model, provider, status, error_class, error_code, requests, "
        "errors, prompt_tokens, completion_tokens, total_tokens, "
        "cache_read_tokens, cache_write_tokens, reasoning_tokens, "
        "CAST(litellm_cost AS CHAR), litellm_cost_events, CAST(cost AS CHAR), "
        "priced_requests, CAST(our_cost AS CHAR), our_cost_events, "
        "latency_us_sum, latency_count, ttft_us_sum, ttft_count "
        "FROM usage_hourly ORDER BY org_id, hour_us, dims_key")


def dim_rollup_rows(db):
    """Every row of the rollups per dimension, as text."""
    return (db.sql("SELECT org_id, grain, dim, bucket_us, parent, value, "
                   "requests, "
                   "errors, prompt_tokens, completion_tokens, total_tokens, "
                   "cache_read_tokens, cache_write_tokens, reasoning_tokens, "
                   "CAST(litellm_cost AS CHAR), litellm_cost_events, "
                   "CAST(cost AS CHAR), priced_requests, CAST(our_cost AS "
                   "CHAR), our_cost_events, latency_us_sum, latency_count, "
                   "ttft_us_sum, ttft_count FROM usage_rollup ORDER BY 1, 2, "
                   "3, 4, 5, 6") +
            db.sql("SELECT org_id, grain, dim, bucket_us, parent, value, "
                   "metric, HEX(bins), n FROM usage_rollup_hist ORDER BY 1, 2, "
                   "3, 4, 5, 6, 7") +
            db.sql("SELECT * FROM usage_errors ORDER BY 1, 2, 3, 4, 5, 6"))


def check_rollups_rebuild(db, conf):
    """rollups rebuild recomputes from the events exactly the rows that
    ingest wrote, also after they were changed by hand."""
    before = rollup_rows(db)
    dims = dim_rollup_rows(db)
    h.ok(len(dims) > len(before), "ingest wrote rollups per dimension too "
         "(%d rows)" % len(dims))
    db.sql("UPDATE usage_hourly SET requests = requests + 5, cost = cost + 1 "
           "ORDER BY hour_us LIMIT 1; "
           "DELETE FROM usage_hourly ORDER BY hour_us DESC LIMIT 1; "
           "UPDATE usage_rollup SET requests = requests + 5 ORDER BY "
           "bucket_us LIMIT 1; DELETE FROM usage_rollup_hist ORDER BY "
           "bucket_us DESC LIMIT 1")
    want = "rebuilt %d rollup rows and %d rows of the rollups per dimension" \
        % (len(before), len(dims))
    rc, out, err = ctl(conf, "rollups", "rebuild", "acme")
    h.ok(rc == 0 and out.strip() == want, "rollups rebuild acme: %s" % want,
         diag="rc %d: %s%s" % (rc, out, err))
    h.is_(rollup_rows(db), before, "... the rows ingest wrote, again, after "
          "one was changed and one deleted by hand")
    h.is_(dim_rollup_rows(db), dims, "... and the rows per dimension, "
          "histograms and failures ingest wrote, to the last unit")
    rc, out, err = ctl(conf, "rollups", "rebuild")
    h.ok(rc == 0 and out.strip() == want,
         "rollups rebuild: every organization", diag="rc %d: %s%s"
         % (rc, out, err))
    h.is_(rollup_rows(db), before, "... the same rows")
    h.is_(dim_rollup_rows(db), dims, "... the same rows per dimension")
    h.is_(db.sql("SELECT COUNT(*) FROM audit_log WHERE action = "
                 "'rollups.rebuild'"), [("2",)], "both rebuilds are audited")


def main():
    tmp = h.unique_dir("cli")
    stack = h.start_all("lighttpd")
    db, conf = stack.db, stack.conf
    check_usage_and_help(conf)
    check_config_errors(tmp, conf)
    check_migrate(db, conf)
    token = check_orgs_and_tokens(db, conf)
    check_reports(db, conf, stack, token)
    check_rollups_rebuild(db, conf)
    stack.stop()
    h.ok(not stack.sanitizer_reports(), "no sanitizer report")
    h.done_testing()


main()
