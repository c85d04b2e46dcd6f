#!/usr/bin/env python3
"""Costs you can audit, end to end through lighttpd and MariaDB.

- Fixture 06 (Anthropic prompt caching) costs exactly $0.0172455 with the
  seeded price table.
- Exactness: 100,000 generated events over two organizations (one with a
  discount), priced models with cache, 1-hour, reasoning and tiered rates,
  a seeded model, and unknown models (some with LiteLLM's cost, some
  unpriced), posted in batches. Every total (rollups, `usage`, per day)
  equals an independent Decimal computation here to the last 1e-12 USD.
- Repricing: a price changes on a date in the middle; `reprice` updates
  exactly the events after it and their rollups; a second run changes
  nothing.
- Unpriced is shown as such, never as $0; `cost-check` lists the models
  whose costs disagree.
"""

import json
import os
import random
import sys
import time
from decimal import ROUND_HALF_UP, Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

FIXTURES = os.path.join(h.SRCDIR, "tests", "fixtures", "litellm")
N_EVENTS = 100000
BATCH = 1000
RELOAD_SECONDS = 1                # cost.reload_seconds of the stack
PICO = Decimal("1e-12")
T0 = 1772323200 * 10**6          # 2026-03-01T00:00:00Z, in microseconds
SPAN = 30 * 86400 * 10**6        # events over 30 days
T_MID = T0 + SPAN // 2           # the repricing date
DISCOUNT = Decimal("12.5")       # org "exact2": 12.5% off every model

# Prices set by the test (USD per token) and the seeded gpt-4o, as the
# public table has it. Tiers: {above: {rate: price}}.
PRICES = {
    "exact-a": {"input": "1.234567e-06", "output": "3.3e-06",
                "cache_read": "1.1e-07", "cache_write": "2.2e-06",
                "cache_write_1h": "4.4e-06",
                "tiers": {100000: {"input": "2.5e-06", "output": "7.7e-06",
                                   "cache_read": "3.3e-07",
                                   "cache_write": "5.5e-06"}}},
    "exact-b": {"input": "7e-09", "output": "1.3e-08"},
    "exact-c": {"input": "3.14159e-05", "output": "2.71828e-05",
                "reasoning": "9.99e-06"},
    "gpt-4o": {"input": "2.5e-06", "output": "1e-05", "cache_read": "1.25e-06"},
}
NEW_C = {"input": "1.7e-05", "output": "2.9e-05", "reasoning": "1.1e-05"}
MODELS = ["openai/exact-a", "exact-b", "azure/exact-c", "openai/gpt-4o",
          "openai/mystery-model"]


def D(x):
    return Decimal(str(x))


def rates_at(model, t):
    """The rates of a model at time t (the reprice test changes exact-c)."""
    name = model.split("/", 1)[-1]
    if name == "exact-c" and t >= T_MID and rates_at.changed:
        return NEW_C
    return PRICES.get(name)


rates_at.changed = False


def our_cost(ev, discount):
    """The cost of one generated event, per lib/pricing.h, exactly."""
    p = rates_at(ev["model"], ev["t"])
    if p is None:
        return None
    P, C = ev["prompt"], ev["completion"]
    R, W, W1, Z = ev["cread"], ev["cwrite"], ev["cwrite_1h"], ev["reasoning"]
    base = {k: D(v) for k, v in p.items() if k != "tiers"}
    for above, t in sorted(p.get("tiers", {}).items()):
        if P > above:
            base.update({k: D(v) for k, v in t.items()})
    r_in, r_out = base["input"], base["output"]
    cr = base.get("cache_read", r_in)
    cw = base.get("cache_write", r_in)
    cw1 = base.get("cache_write_1h", cw)
    cost = max(P - R - W, 0) * r_in + R * cr + (W - W1) * cw + W1 * cw1
    if "reasoning" in base:
        cost += (C - Z) * r_out + Z * base["reasoning"]
    else:
        cost += C * r_out
    if discount:
        cost = cost * (1 - DISCOUNT / 100)
    return cost.quantize(PICO, rounding=ROUND_HALF_UP)


def effective(ev, discount):
    """The cost that counts (cost.prefer = ours) and whether it is priced."""
    ours = our_cost(ev, discount)
    if ours is not None:
        return ours
    lite = ev["litellm"]
    if lite is not None and (lite > 0 or ev["prompt"] + ev["completion"] == 0):
        return lite.quantize(PICO, rounding=ROUND_HALF_UP)
    return None


def generate(rng, n):
    events = []
    for i in range(n):
        model = MODELS[i % len(MODELS)]
        prompt = rng.choice([0, rng.randint(1, 5000), rng.randint(1, 300000)])
        cread = rng.randint(0, prompt // 2) if prompt else 0
        cwrite = rng.randint(0, (prompt - cread) // 2) if prompt else 0
        completion = rng.randint(0, 8000)
        lite = None
        if rng.random() < 0.8:
            # LiteLLM's floats, as Python writes them; 0 for the unknown model
            # half of the time.
            lite = Decimal(repr(rng.random() * 0.3))
            if model.endswith("mystery-model") and rng.random() < 0.5:
                lite = Decimal("0")
        events.append({
            "id": "exact-%06d" % i, "model": model,
            "t": T0 + rng.randrange(SPAN), "prompt": prompt,
            "completion": completion, "cread": cread, "cwrite": cwrite,
            "cwrite_1h": rng.randint(0, cwrite), "reasoning":
            rng.randint(0, completion), "litellm": lite,
            "org": "exact2" if i % 3 == 0 else "exact1",
            "department": rng.choice(["eng", "sales", None]),
            "agent": rng.choice(["bot", "batch", None])})
    return events


def payload(ev, token):
    """A LiteLLM StandardLoggingPayload with what pricing reads."""
    hdrs = {"x-cloudidr-token": token}
    if ev["department"]:
        hdrs["x-department"] = ev["department"]
    if ev["agent"]:
        hdrs["x-agent"] = ev["agent"]
    out = {
        "id": ev["id"], "trace_id": "t-" + ev["id"], "call_type": "acompletion",
        "status": "success", "model": ev["model"],
        "custom_llm_provider": ev["model"].split("/")[0],
        "startTime": num("%d.%06d" % divmod(ev["t"], 10**6)),
        "endTime": num("%d.%06d" % divmod(ev["t"] + 500000, 10**6)),
        "prompt_tokens": ev["prompt"], "completion_tokens": ev["completion"],
        "total_tokens": ev["prompt"] + ev["completion"],
        "metadata": {"requester_custom_headers": hdrs, "usage_object": {
            "prompt_tokens_details": {
                "cached_tokens": ev["cread"],
                "cache_creation_tokens": ev["cwrite"],
                "cache_creation_token_details": {
                    "ephemeral_5m_input_tokens": ev["cwrite"] - ev["cwrite_1h"],
                    "ephemeral_1h_input_tokens": ev["cwrite_1h"]}},
            "completion_tokens_details": {"reasoning_tokens": ev["reasoning"]}}},
    }
    if ev["litellm"] is not None:
        out["response_cost"] = num(str(ev["litellm"]))
    return out


def num(text):
    """A JSON number written with exactly these digits (see body_of)."""
    return "@NUM%s@" % text


def body_of(events, token):
    text = json.dumps([payload(e, token) for e in events])
    return text.replace('"@NUM', "").replace('@"', "").encode()


def ctl(conf, *args):
    rc, out, err = h.llmopsctl(conf, *args)
    if rc != 0:
        h.diag("llmopsctl %s: %s" % (" ".join(args), err.strip()))
    return rc, out, err


def set_prices(conf):
    for model, p in PRICES.items():
        if model == "gpt-4o":
            continue            # from the seed
        args = ["prices", "set", model, "--from", "2020-01-01"]
        for k, v in p.items():
            if k == "tiers":
                for above, t in v.items():
                    args += ["--tier", "%d:%s" % (above, ",".join(
                        "%s=%s" % kv for kv in t.items()))]
            else:
                args += ["--" + k.replace("_", "-"), v]
        rc, out, err = ctl(conf, *args)
        h.is_(rc, 0, "prices set %s" % model)
    rc, out, err = ctl(conf, "prices", "set", "*", "--org", "exact2",
                       "--discount", str(DISCOUNT), "--from", "2020-01-01")
    h.is_(rc, 0, "a 12.5% discount for exact2")


def post_all(stack, events, tokens):
    accepted = 0
    for org in ("exact1", "exact2"):
        mine = [e for e in events if e["org"] == org]
        for i in range(0, len(mine), BATCH):
            status, _, doc = h.http_json(
                "POST", stack.url("/api/litellm/callback"),
                body=body_of(mine[i:i + BATCH], tokens[org]),
                headers={"Content-Type": "application/json"}, timeout=300)
            if status != 200:
                h.diag("POST: %d %r" % (status, doc))
            accepted += (doc or {}).get("accepted", 0)
    h.spool_drain(stack.conf)
    return accepted


def check_totals(db, conf, events, label):
    """Rollups, `usage` and per-day sums against the Decimal computation."""
    for org in ("exact1", "exact2"):
        mine = [e for e in events if e["org"] == org]
        disc = org == "exact2"
        costs = [effective(e, disc) for e in mine]
        ours = [our_cost(e, disc) for e in mine]
        want_cost = sum((c for c in costs if c is not None), Decimal(0))
        want_priced = sum(1 for c in costs if c is not None)
        want_ours = sum((c for c in ours if c is not None), Decimal(0))
        oid = db.sql("SELECT id FROM organizations WHERE name = '%s'" % org)[0][0]
        got = db.sql("SELECT CAST(SUM(cost) AS CHAR), SUM(priced_requests), "
                     "CAST(SUM(our_cost) AS CHAR), SUM(requests) FROM "
                     "usage_hourly WHERE org_id = %s" % oid)[0]
        h.is_(Decimal(got[0]), want_cost, "%s %s: rollup cost equals the "
              "independent sum to the last unit" % (label, org))
        h.is_(int(got[1]), want_priced, "%s %s: priced requests" % (label, org))
        h.is_(Decimal(got[2]), want_ours, "%s %s: our cost" % (label, org))
        h.is_(int(got[3]), len(mine), "%s %s: requests" % (label, org))
        rc, out, err = ctl(conf, "usage", org, "--format", "json")
        rows = json.loads(out, parse_float=Decimal) if rc == 0 else [{}]
        h.is_((rows[0].get("cost_usd"), rows[0].get("unpriced_requests")),
              (want_cost, len(mine) - want_priced),
              "%s %s: usage shows the same cost and unpriced count" % (label, org))
        rc, out, err = ctl(conf, "usage", org, "--group-by", "day",
                           "--format", "json")
        got_days = {r["day"]: (r["cost_usd"] or Decimal(0))
                    for r in json.loads(out, parse_float=Decimal)}
        want_days = {}
        for e, c in zip(mine, costs):
            day = h_day(e["t"])
            want_days[day] = want_days.get(day, Decimal(0)) + (c or 0)
        h.is_(got_days, want_days, "%s %s: usage per day" % (label, org))


def h_day(us):
    return time.strftime("%Y-%m-%d", time.gmtime(us // 10**6))


def check_fixture_06(stack, conf):
    ctl(conf, "org", "create", "fixture")
    ctl(conf, "token", "add", "fixture", "trk_live_7f3c9a2b1e5d4c8a")
    with open(os.path.join(FIXTURES, "06_success_anthropic_prompt_caching.json"),
              "rb") as f:
        status, _, doc = h.http_json("POST", stack.url("/api/litellm/callback"),
                                     body=f.read(), headers={
                                         "Content-Type": "application/json"})
    h.is_((status, (doc or {}).get("accepted")), (200, 1), "fixture 06 stored")
    h.spool_drain(conf)
    row = stack.db.sql("SELECT CAST(our_cost AS CHAR), CAST(cost AS CHAR), "
                       "cost_source, CAST(litellm_cost AS CHAR) FROM "
                       "usage_events WHERE litellm_id = "
                       "'chatcmpl-3f9a1c2e-7b64-4d8e-a0c1-5e2d9b7f6a48'")
    h.is_(row, [("0.017245500000", "0.017245500000", "price_table",
                 "0.017245500000")],
          "fixture 06 costs exactly $0.0172455 from the price table")


def check_unpriced(stack, conf):
    ctl(conf, "org", "create", "dark")
    token = h.create_token(conf, "dark")
    ev = {"id": "dark-1", "model": "openai/mystery-model", "t": T0,
          "prompt": 10, "completion": 10, "cread": 0, "cwrite": 0,
          "cwrite_1h": 0, "reasoning": 0, "litellm": Decimal("0"),
          "org": "dark", "department": None, "agent": None}
    status, _, doc = h.http_json("POST", stack.url("/api/litellm/callback"),
                                 body=body_of([ev], token),
                                 headers={"Content-Type": "application/json"})
    h.is_((status, (doc or {}).get("accepted")), (200, 1), "unpriced event stored")
    h.spool_drain(conf)
    h.is_(stack.db.sql("SELECT cost, our_cost, cost_source FROM usage_events "
                       "WHERE litellm_id = 'dark-1'"), [(None, None, "unpriced")],
          "an unknown model with LiteLLM's 0: cost NULL, source unpriced")
    rc, out, err = ctl(conf, "usage", "dark")
    h.ok(rc == 0 and " unpriced " in out and "0.000000000000" not in
         out.splitlines()[1].split("unpriced")[0],
         "usage table says unpriced, not $0", diag=out)
    rc, out, err = ctl(conf, "usage", "dark", "--format", "json")
    row = json.loads(out)[0] if rc == 0 else {}
    h.is_((row.get("cost_usd"), row.get("unpriced_requests")), (None, 1),
          "usage JSON: cost null, one unpriced request")


def check_cost_check(conf):
    rc, out, err = ctl(conf, "cost-check", "exact1", "--format", "json")
    rows = json.loads(out) if rc == 0 else []
    models = {r["model"] for r in rows}
    h.ok("openai/mystery-model" in models, "cost-check lists the model we "
         "cannot price", diag=repr(models))
    h.ok("openai/exact-a" in models, "cost-check lists a model whose costs "
         "differ from LiteLLM's", diag=repr(models))
    mystery = [r for r in rows if r["model"] == "openai/mystery-model"]
    h.ok(mystery and mystery[0]["unpriced_by_us"] == mystery[0]["requests"],
         "... with every request unpriced by us")
    h.ok(mystery and mystery[0]["compared"] == 0 and
         mystery[0]["our_cost_usd"] is None and
         mystery[0]["difference_usd"] is None,
         "... and no cost of ours or difference (not $0 and a negative "
         "difference)", diag=repr(mystery))
    rc, out, err = ctl(conf, "cost-check", "exact1")
    line = [ln for ln in out.splitlines() if "mystery-model" in ln]
    h.ok(rc == 0 and line and " 0.000" not in line[0] and
         line[0].split()[3:6] == ["-", "-", "-"], "the table shows no cost "
         "of ours for it", diag=out)
    rc, out, err = ctl(conf, "cost-check", "exact1", "--threshold", "100",
                       "--format", "json")
    rows = json.loads(out) if rc == 0 else []
    h.is_(sorted(r["model"] for r in rows), ["openai/mystery-model"],
          "--threshold 100: only what we cannot price")


def main():
    rng = random.Random(20261127)
    stack = h.start_all("lighttpd", conf_extra="cost = { reload_seconds = %d; };"
                        % RELOAD_SECONDS)
    db, conf = stack.db, stack.conf
    check_fixture_06(stack, conf)

    tokens = {}
    for org in ("exact1", "exact2"):
        ctl(conf, "org", "create", org)
        tokens[org] = h.create_token(conf, org)
    set_prices(conf)
    # Responders check for new prices at most every reload_seconds; one that
    # priced the fixture above checked before the prices were set, so after
    # this long every responder's next request sees them.
    time.sleep(RELOAD_SECONDS + 0.2)
    events = generate(rng, N_EVENTS)
    h.is_(post_all(stack, events, tokens), N_EVENTS,
          "%d generated events accepted" % N_EVENTS)
    h.is_(int(db.sql("SELECT COUNT(*) FROM usage_events WHERE "
                     "litellm_id LIKE 'exact-%'")[0][0]), N_EVENTS,
          "all stored")
    check_totals(db, conf, events, "ingest:")
    sample = rng.sample(events, 300)
    bad = []
    for e in sample:
        got = db.sql("SELECT CAST(cost AS CHAR) FROM usage_events WHERE "
                     "litellm_id = '%s'" % e["id"])[0][0]
        want = effective(e, e["org"] == "exact2")
        if (None if got is None else Decimal(got)) != want:
            bad.append((e["id"], got, want))
    h.ok(not bad, "300 sampled events: each cost exact", diag=repr(bad[:5]))
    check_cost_check(conf)

    # A new exact-c price from the middle of the range, then reprice.
    args = ["prices", "set", "exact-c", "--from",
            time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(T_MID // 10**6))]
    for k, v in NEW_C.items():
        args += ["--" + k, v]
    h.is_(ctl(conf, *args)[0], 0, "a new exact-c price from the middle date")
    rates_at.changed = True
    n_changed = sum(1 for e in events if e["model"] == "azure/exact-c" and
                    e["t"] >= T_MID)
    for org in ("exact1", "exact2"):
        rc, out, err = ctl(conf, "reprice", org)
        h.is_(rc, 0, "reprice %s" % org)
    rc1, out1, _ = ctl(conf, "reprice", "exact1", "--model", "exact-c")
    rc2, out2, _ = ctl(conf, "reprice", "exact2")
    h.ok(rc1 == 0 and " 0 changed" in out1 and rc2 == 0 and " 0 changed" in out2,
         "a second reprice changes nothing", diag=out1 + out2)
    got = int(db.sql("SELECT COUNT(*) FROM usage_events e JOIN prices p ON "
                     "p.id = e.price_id WHERE p.model = 'exact-c' AND "
                     "p.effective_from_us > 0 AND p.input = 0.000017")[0][0])
    h.is_(got, n_changed, "exactly the %d exact-c events after the date use "
          "the new price" % n_changed)
    check_totals(db, conf, events, "after reprice:")

    check_unpriced(stack, conf)
    stack.stop()
    h.ok(not stack.sanitizer_reports(), "no sanitizer report",
         diag="\n".join(stack.sanitizer_reports()[:30]))
    h.done_testing()


main()
