#!/usr/bin/env python3
"""The dashboard and the JSON API against a seeded database (issue 5).

About 1,900 events over two months (tests/dashboard_checks.py: seed) are
posted through the LiteLLM callback behind lighttpd. Every number of every
view is then checked against an independent computation over the raw
usage_events table (SQL, and Python for percentiles and rounding), never
the rollups the product reads:

- Overview cards (cost, requests, tokens, error rate, average and p95
  latency, untagged shares) as exact values (data-v) and as shown; the top
  movers against the previous period; cost over time; cost by agent.
- Agents, Departments, Teams: ranked tables, their drill-down links and
  the drill-down pages (a department's teams and agents, a team's agents
  and models, an agent's models and time series).
- Models (cost per 1k tokens, p95 latency and TTFT), Time series (hourly,
  daily, split by a dimension, three metrics), Errors (by class, code,
  model and provider; over time), Events (paged by the "Older events"
  link until the end: every event once, newest first).
- Every answer has a Content-Length equal to its body.
- The CSV export of every table: header, then the rows equal to the
  page's exact values and to SQL.
- /api/v1/usage for every group_by, with filters, through a session and
  through an API key; /api/v1/events followed by "next" to the end (a page
  boundary inside events of the same instant); bad arguments are 400 JSON
  with a log line.
- Every filter at least once: range 24h, 7d, 30d, custom since/until (a
  custom range is widened to whole hours, as the rollups are: every view
  counts the same events, and the API says which range it counted),
  source, department, team, agent, model, provider, status, untagged.
- Two organizations without data, one with no event at all and one
  whose events carry no agent label: every view in every range, each
  CSV export and the API answer 200 with the empty state (or SQL's
  numbers), and the sanitizers report nothing.
- A department named <script>alert(1)</script> and an agent named
  "><img src=x> are text in every page (no such element is ever parsed),
  and exact values in CSV and JSON.

Rules: costs are compared as Decimal; counts as integers; rates, averages
and per-request costs are the exact quotient rounded half away from zero
to the product's decimals (error rate: 2 decimals of a percent; latency:
whole microseconds, shown in ms with 3 decimals; cost per request and per
1k tokens: 12 decimals); p95 is the nearest-rank value (PERCENTILE_DISC),
which the product reads from histograms within 1.97 % (dc.pctl_close).
"""

import json
import os
import re
import sys
import time
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import dashboard_checks as dc  # noqa: E402
from dashboard_checks import HOUR  # noqa: E402

TAGS_SEEN = set()       # every element name parsed on any page
LENGTHS = []            # (path, Content-Length, body bytes) of every answer


class T:
    """The test's state: the stack, a logged-in client, the reference."""


def rel(t, name):
    """The range a relative range counts: whole hours, up to the end of the
    current hour."""
    x = dc.RANGE_HOURS[name] * HOUR
    return (t.s.base - x, t.s.base + HOUR)


def length_seen(path, hdrs, text):
    LENGTHS.append((path, hdrs.get("content-length"),
                    len(text.encode("utf-8"))))


def page(t, path, label, status=200):
    code, hdrs, text = t.c.get(path)
    length_seen(path, hdrs, text)
    h.is_(code, status, "%s: GET %s is %d" % (label, path[:90], status))
    p = dc.parse_page(text)
    TAGS_SEEN.update(p.tags)
    return p, text


def check_table(p, tid, cols, want, label):
    """The page's table tid holds exactly `want` (exact values)."""
    if not h.ok(tid in p.tables, "%s: table %s is on the page" % (label, tid),
                diag="tables: %r" % sorted(p.tables)):
        return
    heads = p.tables[tid]["heads"]
    got = p.values(tid)
    h.ok(len(heads) == len(cols) and dc.same_values(cols, got, want),
         "%s: table %s (%d rows) equals SQL over raw events" % (label, tid,
                                                                len(want)),
         diag=lambda: "heads %r\n%s" % (heads, dc.first_difference(got, want)))
    texts = [[c.text for c in r] for r in p.tables[tid]["rows"]]
    exp = [[dc.shown(typ, c.v, i == 0) for i, ((n, typ), c) in
            enumerate(zip(cols, r))] for r in p.tables[tid]["rows"]]
    h.ok(texts == exp, "%s: table %s shows each exact value as rounded "
         "money, grouped digits, UTC times" % (label, tid),
         diag=lambda: dc.first_difference(texts, exp))


def check_csv(t, path, tid, cols, want, label, link=False):
    """?format=csv&table=tid (or the link path): the header, then the rows
    of `want`."""
    sep = "&" if "?" in path else "?"
    code, hdrs, text = t.c.get(path if link else
                               path + sep + "format=csv&table=" + tid)
    length_seen(path, hdrs, text)
    rows = dc.parse_csv(text) if code == 200 else []
    h.ok(code == 200 and hdrs.get("content-type", "").startswith("text/csv")
         and rows and rows[0] == [n for n, _ in cols],
         "%s: CSV %s is text/csv with the header %s..." % (label, tid,
                                                          cols[0][0]),
         diag=lambda: "status %d %r\n%r" % (code, hdrs.get("content-type"),
                                            rows[:1] or text[:300]))
    got = [[v if v != "" else None for v in r] for r in rows[1:]]
    exp = [[None if v is None else (dc.csv_cell(typ, v) or None)
            for (n, typ), v in zip(cols, r)] for r in want]
    h.ok(dc.same_values(cols, got, exp),
         "%s: CSV %s rows equal the page's exact values and SQL (%d rows)"
         % (label, tid, len(exp)), diag=lambda: dc.first_difference(got, exp))
    return text


def both(t, path, p, tid, cols, want, label):
    """The table on the page, then its CSV through the page's own link,
    which keeps the page's filters."""
    check_table(p, tid, cols, want, label)
    lpath, params = dc.query_of(path)
    links = [href for href, text in p.links if text == "CSV" and
             dc.query_of(href)[1].get("table") == tid]
    got = dc.query_of(links[0]) if links else (None, {})
    h.ok(len(links) == 1 and got[0] == lpath and
         got[1] == dict(params, format="csv", table=tid),
         "%s: the CSV link of %s keeps the view's filters" % (label, tid),
         diag=repr(links))
    check_csv(t, links[0] if links else path, tid, cols, want, label,
              link=bool(links))


# ---------------------------------------------------------------------------
# Overview

def check_cards(t, p, rng, filters, label):
    want, tot = dc.expected_cards(t.ref, rng, filters)
    if not filters:
        h.ok(tot.hits > 0 and Decimal(tot.saved) > 0, "overview: cache hits "
             "and their savings are there to show (%s hits)" % tot.hits)
    got = {k: tuple(v) for k, v in p.cards.items()}
    # Costs compare as decimals, the rest as text.
    gc, wc = got.get("cost", (None, None)), want["cost"]
    h.ok(gc[1] == wc[1] and (gc[0] is None) == (wc[0] is None) and
         (wc[0] is None or Decimal(gc[0]) == Decimal(wc[0])),
         "%s: card total cost %s (exact %s)" % (label, wc[1], wc[0]),
         diag="got %r" % (gc,))
    gp, wp = got.get("latency_p95", (None, None)), want["latency_p95"]
    h.ok(dc.pctl_close(gp[0], wp[0]) and gp[1] == ("%s ms" % gp[0] if gp[0]
                                                  else "-"),
         "%s: card p95 latency %s within %s%% of the exact %s" % (
             label, gp[0], dc.PCTL_ERROR * 100, wp[0]), diag="got %r" % (gp,))
    rest = {k: v for k, v in want.items() if k not in ("cost", "latency_p95")}
    h.is_({k: got.get(k) for k in rest}, rest,
          "%s: cards requests %s, tokens %s, error rate %s, latency avg %s, "
          "untagged shares" % (label, want["requests"][0], want["tokens"][0],
                               want["error_rate"][0],
                               want["latency_avg"][0]))
    unpriced = tot.requests - tot.priced
    notes = " ".join(n[1] for n in p.notices)
    h.ok(("%d requests have no price" % unpriced) in notes if unpriced else
         "have no price" not in notes,
         "%s: the page says %d requests have no price" % (label, unpriced),
         diag=notes)
    return tot


def prev_range(rng):
    n = rng[1] - rng[0]
    return (rng[0] - n, rng[0])


def check_overview(t):
    # Default range: 7 days; movers against the 7 days before.
    rng = rel(t, "7d")
    p, _ = page(t, "/", "overview")
    h.is_(p.h1, "Overview", "overview: the title")
    check_cards(t, p, rng, {}, "overview 7d")
    movers = dc.mover_rows(t.ref.groups(rng, {}, "agent"),
                           t.ref.groups(prev_range(rng), {}, "agent"))
    h.ok(any(r[4] is not None and r[4].startswith("-") for r in movers) and
         any(r[4] is None for r in movers),
         "overview: the movers include a fall and an agent new in this period",
         diag=repr(movers))
    both(t, "/", p, "movers", dc.MOVER_COLS, movers, "overview 7d")
    both(t, "/", p, "cost_series", dc.series_cols(True),
         dc.series_rows(t.ref.groups(rng, {}, "day")), "overview 7d")
    both(t, "/", p, "top_agents", dc.ranked_cols("agent"),
         dc.ranked_rows(t.ref.groups(rng, {}, "agent")), "overview 7d")
    link = [c.href for r in p.tables["top_agents"]["rows"] for c in r[:1]
            if c.v == "chatbot"]
    h.ok(link and dc.query_of(link[0]) == ("/agents", {"agent": "chatbot"}),
         "overview: an agent links to its drill-down", diag=repr(link))

    # 24 hours: hourly buckets.
    rng = rel(t, "24h")
    path = "/?range=24h"
    p, _ = page(t, path, "overview 24h")
    check_cards(t, p, rng, {}, "overview 24h")
    both(t, path, p, "cost_series", dc.series_cols(False),
         dc.series_rows(t.ref.groups(rng, {}, "hour")), "overview 24h")
    both(t, path, p, "movers", dc.MOVER_COLS,
         dc.mover_rows(t.ref.groups(rng, {}, "agent"),
                       t.ref.groups(prev_range(rng), {}, "agent")),
         "overview 24h")

    # 30 days, filtered by source.
    rng = rel(t, "30d")
    path = "/?range=30d&source=litellm"
    p, _ = page(t, path, "overview 30d")
    check_cards(t, p, rng, {"source": "litellm"}, "overview 30d source")
    both(t, path, p, "movers", dc.MOVER_COLS,
         dc.mover_rows(t.ref.groups(rng, {}, "agent"),
                       t.ref.groups(prev_range(rng), {}, "agent")),
         "overview 30d source")

    # One department, then none: the untagged shares follow the filter.
    for path, filters, label in (
            ("/?range=30d&department=eng", {"department": "eng"},
             "overview 30d department eng"),
            ("/?range=30d&untagged=department", {"department": None},
             "overview 30d without department")):
        p, _ = page(t, path, label)
        check_cards(t, p, rng, filters, label)


def check_custom_range(t):
    """A custom range off the hour is widened to whole hours, for every
    view alike: cards, movers (the previous period ends where this one
    starts) and raw events."""
    base = t.s.base
    since, until = base - 100 * HOUR + 30 * 60 * 10**6, base - 76 * HOUR + 30 * 60 * 10**6
    rng = (base - 100 * HOUR, base - 75 * HOUR)
    q = "since=%s&until=%s" % (fmt_arg(since), fmt_arg(until))
    p, _ = page(t, "/?" + q, "custom range")
    h.is_([o[0] for o in p.selects.get("range", []) if o[2]], ["custom"],
          "custom range: the form shows Custom")
    form_since = [i.get("value") for f in p.forms for i in f[1]
                  if i.get("name") == "since"]
    h.is_(form_since, [dc.iso_sec(rng[0])],
          "custom range: the form shows where the range starts (whole hour)")
    tot = check_cards(t, p, rng, {}, "custom range off the hour")
    h.ok(t.ref.total((since, until), {}).requests != tot.requests,
         "custom range: ... which differs from the unwidened count "
         "(the data has events in both half hours)")
    both(t, "/?" + q, p, "movers", dc.MOVER_COLS,
         dc.mover_rows(t.ref.groups(rng, {}, "agent"),
                       t.ref.groups(prev_range(rng), {}, "agent")),
         "custom range movers")
    ev, _ = page(t, "/events?" + q, "custom range events")
    h.ok(len(ev.values("events")) == 100 and
         any(text == "Older events" for _, text in ev.links),
         "custom range: the Events view shows a first page of 100")
    want = [r for _, r in t.ref.events(rng, {})]
    h.is_(len(want), tot.requests, "custom range: as many raw events in the "
          "widened range as the overview counts")
    check_csv(t, "/events?" + q, "events", dc.EVENT_COLS, want,
              "custom range events")
    status, _, doc = api(t, "/api/v1/usage?" + q)
    h.is_((status, doc and doc.get("since"), doc and doc.get("until")),
          (200, dc.iso_us(rng[0]), dc.iso_us(rng[1])),
          "custom range: the API states the whole hours it counted")
    h.is_(doc and doc["rows"], [dc.usage_row("range", None, tot)],
          "custom range: API totals equal SQL over the widened range")
    # An aligned custom range, with an agent filter, on a ranked page.
    rng = (base - 300 * HOUR, base - 30 * HOUR)
    path = "/agents?range=custom&since=%s&until=%s" % (
        fmt_arg(rng[0]), fmt_arg(rng[1]))
    p, _ = page(t, path, "agents custom")
    both(t, path, p, "agents", dc.ranked_cols("agent"),
         dc.ranked_rows(t.ref.groups(rng, {}, "agent")), "agents custom")


def fmt_arg(us):
    return time.strftime("%Y-%m-%dT%H:%M", time.gmtime(us // 10**6))


# ---------------------------------------------------------------------------
# Agents, departments, teams

def check_links(p, tid, path, dim, label):
    """Each name of a ranked table links to path filtered by it; untagged
    to untagged=dim."""
    bad = []
    for r in p.tables[tid]["rows"]:
        c = r[0]
        lpath, params = dc.query_of(c.href or "")
        if c.v is not None:
            linked = params.get(dim) == c.v
        else:
            linked = dim in params.get("untagged", "").split(",") and \
                dim not in params
        if lpath != path or not linked or (c.v is not None and c.text != c.v) or \
                (c.v is None and c.text != dc.UNTAGGED):
            bad.append((c.v, c.text, c.href))
    h.ok(p.tables[tid]["rows"] and not bad,
         "%s: every %s in %s links to %s filtered by it" % (label, dim, tid,
                                                           path),
         diag=repr(bad[:5]))


def check_ranked(t):
    rng = rel(t, "7d")
    p, text = page(t, "/agents", "agents")
    h.is_(p.h1, "Agent Explorer", "agents: the title")
    both(t, "/agents", p, "agents", dc.ranked_cols("agent"),
         dc.ranked_rows(t.ref.groups(rng, {}, "agent")), "agents 7d")
    check_links(p, "agents", "/agents", "agent", "agents")
    h.ok("<svg" in text and 'id="c-agents-title"' in text, "agents: a bar chart")

    for agent in ("chatbot", dc.XSS_AGENT):
        f = {"agent": agent}
        path = dc.url("/agents", agent=agent)
        p, text = page(t, path, "agent drill-down")
        h.is_(p.h1, "Agent: " + agent, "agent %r: the title is text" % agent)
        both(t, path, p, "agent_series", dc.series_cols(True),
             dc.series_rows(t.ref.groups(rng, f, "day")), "agent %r" % agent)
        both(t, path, p, "agent_models", dc.ranked_cols("model"),
             dc.ranked_rows(t.ref.groups(rng, f, "model")), "agent %r" % agent)
        check_links(p, "agent_models", "/models", "model", "agent %r" % agent)
        links = [dc.query_of(c.href)[1] for r in p.tables["agent_models"]["rows"]
                 for c in r[:1]]
        h.ok(links and all(q.get("agent") == agent for q in links),
             "agent %r: model links keep the agent filter" % agent,
             diag=repr(links[:2]))
    # Hourly on request.
    path = dc.url("/agents", agent="summarizer", bucket="hour")
    p, _ = page(t, path, "agent hourly")
    both(t, path, p, "agent_series", dc.series_cols(False),
         dc.series_rows(t.ref.groups(rng, {"agent": "summarizer"}, "hour")),
         "agent summarizer hourly")

    rng = rel(t, "30d")
    path = "/departments?range=30d"
    p, text = page(t, path, "departments")
    h.is_(p.h1, "Departments", "departments: the title")
    h.ok('id="c-departments-title"' in text, "departments: a bar chart")
    both(t, path, p, "departments", dc.ranked_cols("department"),
         dc.ranked_rows(t.ref.groups(rng, {}, "department")), "departments 30d")
    check_links(p, "departments", "/departments", "department", "departments")
    for dept in ("eng", dc.XSS_DEPT, None):
        f = {"department": dept}
        path = "/departments?range=30d&" + (
            "untagged=department" if dept is None else
            dc.url("", department=dept)[1:])
        p, _ = page(t, path, "department drill-down")
        h.is_(p.h1, "Department: " + (dept or dc.UNTAGGED),
              "department %r: the title is text" % dept)
        both(t, path, p, "department_teams", dc.ranked_cols("team"),
             dc.ranked_rows(t.ref.groups(rng, f, "team")),
             "department %r" % dept)
        both(t, path, p, "department_agents", dc.ranked_cols("agent"),
             dc.ranked_rows(t.ref.groups(rng, f, "agent")),
             "department %r" % dept)
        check_links(p, "department_teams", "/teams", "team",
                    "department %r" % dept)

    rng = rel(t, "7d")
    p, text = page(t, "/teams", "teams")
    h.is_(p.h1, "Team Analysis", "teams: the title")
    h.ok('id="c-teams-title"' in text, "teams: a bar chart")
    both(t, "/teams", p, "teams", dc.ranked_cols("team"),
         dc.ranked_rows(t.ref.groups(rng, {}, "team")), "teams 7d")
    path = "/teams?team=backend&department=eng"
    f = {"team": "backend", "department": "eng"}
    p, _ = page(t, path, "team drill-down")
    h.is_(p.h1, "Team: backend", "team backend: the title")
    both(t, path, p, "team_agents", dc.ranked_cols("agent"),
         dc.ranked_rows(t.ref.groups(rng, f, "agent")), "team backend of eng")
    both(t, path, p, "team_models", dc.ranked_cols("model"),
         dc.ranked_rows(t.ref.groups(rng, f, "model")), "team backend of eng")


# ---------------------------------------------------------------------------
# Models, time series, errors

def check_models(t):
    for path, rng, f in (("/models?range=30d", rel(t, "30d"), {}),
                         ("/models?provider=anthropic&team=backend",
                          rel(t, "7d"), {"provider": "anthropic",
                                         "team": "backend"})):
        p, text = page(t, path, "models")
        h.is_(p.h1, "Model Comparison", "models: the title")
        # What served the models is counted within the model alone: under
        # a filter that names more, in the whole organization, and said so.
        whole = any(k != "model" for k in f)
        want = dc.model_rows(t.ref.groups(rng, f, "model"),
                             t.ref.p95(rng, f, "model"),
                             t.ref.served(rng, {k: v for k, v in f.items()
                                                if k == "model"}))
        both(t, path, p, "models", dc.MODEL_COLS, want, path)
        heads = p.tables.get("models", {}).get("heads", [])
        h.is_(heads[-1:], ["Deployments (whole organization)" if whole else
                           "Deployments"],
              "%s: the deployments column says whose they are" % path)
        h.ok(all(r[9] is not None for r in want if r[0]) and
             any(r[11] is not None for r in want),
             "%s: p95 latency and TTFT are there to compare" % path)
        h.ok(any(r[-1] and "%" in r[-1] and "deployment" in r[-1]
                 for r in want),
             "%s: hosts and deployments are there to compare" % path,
             diag=repr([r[-1] for r in want]))


def check_timeseries(t):
    cases = [
        ("/timeseries", rel(t, "7d"), {}, True, None, "Cost over time"),
        ("/timeseries?range=24h&metric=requests", rel(t, "24h"), {}, False,
         None, "Requests over time"),
        ("/timeseries?range=30d&bucket=hour&metric=tokens", rel(t, "30d"), {},
         False, None, "Tokens over time"),
        ("/timeseries?bucket=day&split=model", rel(t, "7d"), {}, True,
         "model", "Cost over time"),
        ("/timeseries?range=30d&bucket=hour&split=status&status=failure",
         rel(t, "30d"), {"status": "failure"}, False, "status",
         "Cost over time"),
        ("/timeseries?range=24h&split=agent&untagged=team", rel(t, "24h"),
         {"team": None}, False, "agent", "Cost over time"),
    ]
    for path, rng, f, daily, split, title in cases:
        p, text = page(t, path, "timeseries")
        if split:
            groups = t.ref.groups2(rng, f, "day" if daily else "hour", split)
        else:
            groups = t.ref.groups(rng, f, "day" if daily else "hour")
        both(t, path, p, "series", dc.series_cols(daily, split),
             dc.series_rows(groups, split is not None), path)
        h.ok("c-series" in text and title in text,
             "%s: the chart is titled %s" % (path, title))
        sel = {k: [o[0] for o in v if o[2]] for k, v in p.selects.items()
               if k in ("bucket", "split")}
        h.is_(sel, {"bucket": ["day" if daily else "hour"],
                    "split": [split or "none"]},
              "%s: the settings show the buckets and the split" % path)

    # More hours than a chart holds (744): daily buckets, and the settings
    # and a notice say so.
    rng = (t.s.base - 800 * HOUR, t.s.base + HOUR)
    path = "/timeseries?bucket=hour&since=%s&until=%s" % (
        fmt_arg(rng[0]), fmt_arg(rng[1]))
    p, _ = page(t, path, "timeseries 800 h")
    both(t, path, p, "series", dc.series_cols(True, None),
         dc.series_rows(t.ref.groups(rng, {}, "day")), "timeseries 800 h")
    h.is_([o[0] for o in p.selects.get("bucket", []) if o[2]], ["day"],
          "timeseries 800 h: hourly asked, the settings show daily")
    h.ok(any("daily buckets" in n[1] for n in p.notices),
         "timeseries 800 h: a notice says why", diag=repr(p.notices))


def check_errors(t):
    for path, rng, f, daily in (
            ("/errors", rel(t, "7d"), {}, True),
            ("/errors?range=30d&provider=openai", rel(t, "30d"),
             {"provider": "openai"}, True),
            ("/errors?range=24h", rel(t, "24h"), {}, False)):
        p, text = page(t, path, "errors")
        h.is_(p.h1, "Errors", "errors: the title")
        h.ok('id="c-errors-title"' in text, "%s: failures over time, "
             "charted" % path)
        fails = t.ref.failures(rng, f)
        want = dc.error_rows(fails)
        both(t, path, p, "errors", dc.ERROR_COLS, want, path)
        both(t, path, p, "errors_series", dc.ERROR_SERIES_COLS,
             dc.error_series_rows(t.ref.failures_series(rng, f, daily)), path)
        h.ok(len({r[0] for r in want}) >= 3 and len({r[1] for r in want}) >= 3
             or path.endswith("24h"),
             "%s: several classes and codes" % path)


# ---------------------------------------------------------------------------
# Events

def check_events(t):
    rng = rel(t, "7d")
    want = t.ref.events(rng, {})
    cols = dc.EVENT_COLS
    got, path, pages = [], "/events", 0
    while path is not None and pages < 20:
        p, _ = page(t, path, "events page %d" % (pages + 1))
        pages += 1
        rows = p.values("events")
        got.extend(rows)
        nxt = [href for href, text in p.links if text == "Older events"]
        path = nxt[0] if nxt else None
        if path is not None:
            h.is_(len(rows), 100, "events: a full page has 100 events")
    h.ok(pages >= 3, "events: %d pages" % pages)
    exp = [r for _, r in want]
    h.ok(dc.same_values(cols, got, exp),
         "events: every page followed to the end: each event once, newest "
         "first, equal to SQL (%d)" % len(exp),
         diag=lambda: dc.first_difference(got, exp))
    ids = [r[0] for r in got]
    h.is_(len(ids), len(set(ids)), "events: no event twice")
    check_csv(t, "/events", "events", cols, exp, "events 7d (the whole range)")

    for path, f, rng in (
            ("/events?status=failure&model=anthropic/claude-dash&range=30d",
             {"status": "failure", "model": "anthropic/claude-dash"},
             rel(t, "30d")),
            (dc.url("/events", agent=dc.XSS_AGENT, range="30d"),
             {"agent": dc.XSS_AGENT}, rel(t, "30d"))):
        p, _ = page(t, path, "events filtered")
        exp = [r for _, r in t.ref.events(rng, f)]
        h.ok(exp and len(exp) <= 100, "%s: under a page" % path)
        check_table(p, "events", cols, exp, path)
        text = check_csv(t, path, "events", cols, exp, path)
        if "agent" in f:
            h.ok(dc.XSS_AGENT in [r[12] for r in dc.parse_csv(text)[1:]],
                 "events CSV: the agent %r is the exact text of its cell"
                 % dc.XSS_AGENT)


# ---------------------------------------------------------------------------
# The JSON API

def api(t, path, key=False):
    if key:
        status, hdrs, data = h.http("GET", t.stack.url(path), headers={
            "Authorization": "Bearer " + t.s.apikey})
        text = data.decode("utf-8", "replace")
    else:
        status, hdrs, text = t.c.get(path)
    length_seen(path, hdrs, text)
    try:
        doc = json.loads(text, parse_float=Decimal)
    except ValueError:
        doc = None
    if not hdrs.get("content-type", "").startswith("application/json"):
        h.diag("%s: Content-Type %r" % (path, hdrs.get("content-type")))
        doc = None
    return status, hdrs, doc


def envelope_ok(t, doc, name, group_by):
    rng = rel(t, name)
    ok = []
    for shift in (0, HOUR):      # the hour may turn during the test
        ok.append((dc.iso_us(rng[0] + shift), dc.iso_us(rng[1] + shift)))
    return (doc.get("organization") == {"id": t.s.org_id, "name": dc.ORG} and
            doc.get("group_by") == group_by and
            (doc.get("since"), doc.get("until")) in ok)


def check_api_usage(t):
    rng = rel(t, "7d")
    for g in dc.DIMS:
        key = g == "model"      # one of them with an API key
        status, _, doc = api(t, "/api/v1/usage?group_by=" + g, key=key)
        groups = t.ref.groups(rng, {}, g)
        want = [dc.usage_row(g, r[0], groups[r[0]])
                for r in dc.ranked_rows(groups)]
        h.ok(status == 200 and doc and envelope_ok(t, doc, "7d", g),
             "API usage group_by=%s%s: 200 with organization, range and "
             "group_by" % (g, " (API key)" if key else ""),
             diag=lambda: repr(doc)[:400])
        h.is_(doc and doc.get("rows"), want,
              "API usage group_by=%s: rows equal SQL" % g)
    for g, name in (("hour", "24h"), ("day", "30d")):
        rng = rel(t, name)
        status, _, doc = api(t, "/api/v1/usage?group_by=%s&range=%s" % (g, name))
        groups = t.ref.groups(rng, {}, g)
        want = [dc.usage_row(g, dc.iso_sec(k), groups[k]) for k in sorted(groups)]
        h.ok(status == 200 and doc and envelope_ok(t, doc, name, g),
             "API usage group_by=%s range=%s: envelope" % (g, name),
             diag=lambda: repr(doc)[:400])
        h.is_(doc and doc.get("rows"), want,
              "API usage group_by=%s: %d buckets equal SQL" % (g, len(want)))
    status, _, doc = api(t, "/api/v1/usage", key=True)
    h.ok(status == 200 and doc and envelope_ok(t, doc, "7d", "none"),
         "API usage without group_by: envelope", diag=lambda: repr(doc)[:300])
    h.is_(doc and doc.get("rows"),
          [dc.usage_row("range", None, t.ref.total(rel(t, "7d"), {}))],
          "API usage without group_by: one row of totals")
    for q, f, g in (("department=eng&group_by=team", {"department": "eng"},
                     "team"),
                    ("model=openai/gpt-4o&status=success&group_by=agent",
                     {"model": "openai/gpt-4o", "status": "success"}, "agent"),
                    ("untagged=agent,team&group_by=department",
                     {"agent": None, "team": None}, "department"),
                    (dc.url("", department=dc.XSS_DEPT, group_by="agent")[1:],
                     {"department": dc.XSS_DEPT}, "agent")):
        status, _, doc = api(t, "/api/v1/usage?range=30d&" + q)
        groups = t.ref.groups(rel(t, "30d"), f, g)
        want = [dc.usage_row(g, r[0], groups[r[0]])
                for r in dc.ranked_rows(groups)]
        h.ok(status == 200 and want and doc and doc.get("rows") == want,
             "API usage ?%s: rows equal SQL" % q[:70],
             diag=lambda: "%d %r\nwant %r" % (status, doc and doc.get("rows"),
                                              want[:2]))
    status, _, doc = api(t, "/api/v1/usage?group_by=department&range=30d")
    names = [r["department"] for r in (doc or {}).get("rows", [])]
    h.ok(dc.XSS_DEPT in names and dc.OTHER_DEPT not in names,
         "API usage: the department %r is the exact string; no other "
         "organization's department" % dc.XSS_DEPT, diag=repr(names))
    status, _, doc = api(t, "/api/v1/usage?group_by=agent&range=30d")
    names = [r["agent"] for r in (doc or {}).get("rows", [])]
    h.ok(dc.XSS_AGENT in names, "API usage: the agent %r is the exact string"
         % dc.XSS_AGENT, diag=repr(names))


def follow_events(t, first, label, key=False):
    got, path, pages, nexts = [], first, 0, []
    while path is not None and pages < 50:
        status, _, doc = api(t, path, key=key)
        pages += 1
        if not h.ok(status == 200 and doc is not None and "events" in doc,
                    "%s: page %d answers 200 JSON" % (label, pages),
                    diag=lambda: repr(doc)[:300]):
            break
        got.extend(doc["events"])
        nxt = doc.get("next")
        nexts.append(nxt)
        path = None if nxt is None else first + "&before=" + nxt
    return got, pages, nexts


def event_json(row):
    return {n: dc.json_value(typ, v) for (n, typ), v in zip(dc.EVENT_COLS, row)}


def check_api_events(t):
    rng = rel(t, "7d")
    want = t.ref.events(rng, {})
    # A limit that puts a page boundary inside the five events of one instant.
    tie = [i for i, (occ, r) in enumerate(want) if r[3].startswith("tie-")]
    h.is_(len(tie), 5, "API events: the five events of one instant are in range")
    limit = tie[0] + 2
    first = "/api/v1/events?limit=%d" % limit
    got, pages, nexts = follow_events(t, first, "API events limit=%d" % limit)
    exp = [event_json(r) for _, r in want]
    h.ok(got == exp, "API events limit=%d: %d pages followed by next: every "
         "event once, newest first, equal to SQL (%d)" % (limit, pages, len(exp)),
         diag=lambda: dc.first_difference(got, exp))
    h.ok(nexts and nexts[-1] is None and all(nexts[:-1]),
         "API events: next is a cursor on every page but the last (null)")
    ids = [e["id"] for e in got]
    h.is_(len(ids), len(set(ids)), "API events: no event twice")

    f = {"status": "failure"}
    first = "/api/v1/events?limit=7&status=failure&range=30d"
    got, pages, _ = follow_events(t, first, "API events failures", key=True)
    exp = [event_json(r) for _, r in t.ref.events(rel(t, "30d"), f)]
    h.ok(got == exp and pages > 3,
         "API events status=failure limit=7 (API key): %d pages, every "
         "failure once (%d)" % (pages, len(exp)),
         diag=lambda: dc.first_difference(got, exp))
    status, _, doc = api(t, "/api/v1/events?range=30d&" +
                         dc.url("", agent=dc.XSS_AGENT)[1:])
    exp = [event_json(r) for _, r in t.ref.events(rel(t, "30d"),
                                                  {"agent": dc.XSS_AGENT})]
    h.ok(status == 200 and doc and doc["events"] == exp and doc["next"] is None,
         "API events agent=%r: the exact strings, default limit 100" %
         dc.XSS_AGENT, diag=lambda: repr(doc)[:300])


# ---------------------------------------------------------------------------
# Bad requests: a clear 4xx and a log line

def check_errors_answers(t):
    cases = [
        ("/api/v1/usage?group_by=week", 400, "group_by", True),
        ("/api/v1/usage?range=1y", 400, "range", True),
        ("/api/v1/usage?since=yesterday-ish", 400, "since", True),
        ("/api/v1/usage?since=2026-02-01&until=2026-01-01", 400, "before",
         True),
        ("/api/v1/events?limit=0", 400, "limit", True),
        ("/api/v1/events?limit=501", 400, "limit", True),
        ("/api/v1/events?before=abc", 400, "before", True),
        ("/api/v1/events?before=5.3xyz", 400, "before", True),
        ("/events?before=-5.3", 400, "before", False),
        ("/api/v1/usage?department=nonexistent", 404, "department", True),
        ("/api/v1/usage?department=" + dc.OTHER_DEPT, 404, "department", True),
        ("/agents?range=2d", 400, "range", False),
        ("/timeseries?bucket=week", 400, "bucket", False),
        ("/events?before=1.0", 400, "before", False),
        ("/models?format=csv&table=nope", 404, "table", False),
        ("/departments?department=" + dc.OTHER_DEPT, 404, "department", False),
    ]
    for path, status, word, is_api in cases:
        before = len(t.stack.error_log_text())
        if is_api:
            code, hdrs, doc = api(t, path)
            h.ok(code == status and isinstance(doc, dict) and
                 doc.get("status") == status and word in doc.get("error", ""),
                 "%s: %d JSON naming %s" % (path, status, word),
                 diag="%d %r" % (code, doc))
        else:
            code, hdrs, text = t.c.get(path)
            length_seen(path, hdrs, text)
            p = dc.parse_page(text)
            TAGS_SEEN.update(p.tags)
            h.ok(code == status and hdrs.get("content-type", "").startswith(
                "text/html") and word in text,
                 "%s: %d page naming %s" % (path, status, word),
                 diag="%d %s" % (code, text[:300]))
        log = wait_log(t, before, path.split("?")[0], status)
        h.ok(log, "%s: the error log has a line for the %d" % (path, status),
             diag=t.stack.error_log_text()[before:][-600:])
    before = len(t.stack.error_log_text())
    code, hdrs, data = h.http("GET", t.stack.url("/api/v1/events"))
    h.ok(code == 401 and hdrs.get("www-authenticate") == "Bearer" and
         b'"status":401' in data,
         "API events without a session or key: 401 JSON asking for a Bearer "
         "key", diag="%d %r %r" % (code, hdrs, data[:200]))
    h.ok(wait_log(t, before, "/api/v1/events", 401),
         "... with a line in the error log")


def wait_log(t, offset, path, status):
    pat = re.compile(r"GET %s\b.*\b%d\b" % (re.escape(path), status))
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if any(pat.search(line) for line in
               t.stack.error_log_text()[offset:].splitlines()):
            return True
        time.sleep(0.05)
    return False


# ---------------------------------------------------------------------------

def check_xss(t):
    h.ok("script" not in TAGS_SEEN and "img" not in TAGS_SEEN,
         "no page had a script or img element (the hostile labels are text)",
         diag=repr(sorted(TAGS_SEEN)))
    p, text = page(t, "/departments?range=30d", "xss")
    cells = [c.text for r in p.tables["departments"]["rows"] for c in r[:1]]
    h.ok(dc.XSS_DEPT in cells and "&lt;script&gt;" in text,
         "departments: %r is shown as text (escaped in the HTML)" % dc.XSS_DEPT)
    opts = [o[0] for o in p.selects.get("department", [])]
    h.ok(dc.XSS_DEPT in opts and dc.OTHER_DEPT not in opts,
         "the department filter offers %r as a value, and nothing of the "
         "other organization" % dc.XSS_DEPT, diag=repr(opts))
    p, text = page(t, "/agents?range=30d", "xss")
    cells = [c.text for r in p.tables["agents"]["rows"] for c in r[:1]]
    opts = [o[0] for o in p.selects.get("agent", [])]
    h.ok(dc.XSS_AGENT in cells and dc.XSS_AGENT in opts and
         '"><img' not in text,
         "agents: %r is text, and an escaped attribute value" % dc.XSS_AGENT)


# ---------------------------------------------------------------------------
# Organizations without data

def check_sparse_page(t, c, ref, o, path, title):
    """One view of a sparse organization: 200 with its heading, every
    table in its empty state (or, for the organization without agent
    labels, equal to SQL), and the CSV export of each of its tables."""
    label = "%s %s" % (o.name, path)
    code, hdrs, text = c.get(path)
    length_seen(path, hdrs, text)
    p = dc.parse_page(text)
    TAGS_SEEN.update(p.tags)
    h.ok(code == 200 and hdrs.get("content-type", "").startswith("text/html")
         and p.h1 == title and p.tables,
         "%s: 200, the heading %r and its tables" % (label, title),
         diag="%d %r %r %s" % (code, p.h1, sorted(p.tables), text[:300]))
    if o.name == dc.EMPTY_ORG:
        rows = {tid: len(tb["rows"]) for tid, tb in p.tables.items()}
        h.ok(p.tables and not any(rows.values()) and
             text.count("No data for these filters.") == len(p.tables),
             "%s: every table says there is no data" % label,
             diag=repr(rows))
    for tid in sorted(p.tables):
        sep = "&" if "?" in path else "?"
        code, hdrs, csvtext = c.get(path + sep + "format=csv&table=" + tid)
        length_seen(path, hdrs, csvtext)
        rows = dc.parse_csv(csvtext) if code == 200 else []
        h.ok(code == 200 and hdrs.get("content-type", "").startswith(
            "text/csv") and rows and (o.name != dc.EMPTY_ORG or len(rows) == 1),
             "%s: the CSV of %s answers 200%s" % (
                 label, tid, ", a header and no row"
                 if o.name == dc.EMPTY_ORG else ""),
             diag="%d %r" % (code, csvtext[:300]))
    return p


def check_sparse(t):
    """An organization without any event, and one whose events carry no
    agent label: every view of them, in every range, answers 200 with its
    empty state (the Overview once sorted no agents at all: qsort(NULL,
    0, ...), which the sanitizer build reports and dies of)."""
    orgs = dc.seed_sparse(t.stack, t.s.base)
    unl = orgs[dc.UNLABELLED_ORG]
    h.is_(unl.accepted, len(unl.events), "%s: %d events without an agent "
          "accepted" % (unl.name, len(unl.events)))
    for o in orgs.values():
        c = t.stack.client()
        status, _, _ = c.login(o.email, o.password)
        h.is_(status, 303, "%s: its viewer logs in" % o.name)
        ref = dc.Ref(t.stack.db, o.id)
        for name in ("7d", "24h", "30d"):
            rng = rel(t, name)
            for path, title in dc.VIEWS:
                p = check_sparse_page(t, c, ref, o, "%s?range=%s" % (path, name),
                                      title)
                if path != "/":
                    continue
                label = "%s overview %s" % (o.name, name)
                want, _ = dc.expected_cards(ref, rng, {})
                got = {k: tuple(v) for k, v in p.cards.items()}
                gp = got.pop("latency_p95", (None, None))
                wp = want.pop("latency_p95")
                h.is_(got, {k: tuple(v) for k, v in want.items()},
                      "%s: the cards equal SQL (requests %s)" % (
                          label, want["requests"][0]))
                h.ok(dc.pctl_close(gp[0], wp[0]), "%s: the p95 card %s is "
                     "within %s%% of the exact %s" % (
                         label, gp[0], dc.PCTL_ERROR * 100, wp[0]))
                if "top_agents" in p.tables:
                    check_table(p, "top_agents", dc.ranked_cols("agent"),
                                dc.ranked_rows(ref.groups(rng, {}, "agent")),
                                label)
                if "movers" in p.tables:
                    check_table(p, "movers", dc.MOVER_COLS, dc.mover_rows(
                        ref.groups(rng, {}, "agent"),
                        ref.groups(prev_range(rng), {}, "agent")), label)
        # The drill-down to the spend without an agent.
        path = "/agents?range=30d&untagged=agent"
        code, _, text = c.get(path)
        h.ok(code == 200 and dc.parse_page(text).h1 == "Agent: " + dc.UNTAGGED,
             "%s %s: 200, the untagged agents' page" % (o.name, path),
             diag="%d %s" % (code, text[:300]))
        for path, key in (("/api/v1/usage", "rows"),
                          ("/api/v1/usage?group_by=agent", "rows"),
                          ("/api/v1/usage?group_by=day&range=30d", "rows"),
                          ("/api/v1/events", "events")):
            status, hdrs, data = h.http("GET", t.stack.url(path), headers={
                "Authorization": "Bearer " + o.apikey})
            try:
                doc = json.loads(data, parse_float=Decimal)
            except ValueError:
                doc = None
            h.ok(status == 200 and isinstance(doc, dict) and
                 isinstance(doc.get(key), list) and
                 (o.name != dc.EMPTY_ORG or doc[key] == []),
                 "%s API %s: 200 JSON%s" % (o.name, path, ", no %s" % key
                                            if o.name == dc.EMPTY_ORG else ""),
                 diag="%d %r" % (status, data[:300]))


def check_lengths(t):
    """Every page, CSV export and API answer came with its length."""
    bad = [x for x in LENGTHS if x[1] != str(x[2])]
    h.ok(len(LENGTHS) > 100 and not bad,
         "all %d pages, CSV exports and API answers have a Content-Length "
         "equal to their body" % len(LENGTHS), diag=repr(bad[:5]))


def main():
    t = T()
    t.stack = h.start_all("lighttpd", conf_extra="cost = { reload_seconds = 1; };")
    t.s = dc.seed(t.stack)
    h.is_(t.s.accepted, len(t.s.events), "%d events accepted" % len(t.s.events))
    h.is_(t.s.other_accepted, 60, "60 events of the other organization")
    t.ref = dc.Ref(t.stack.db, t.s.org_id)
    t.c = t.stack.client()
    status, _, _ = t.c.login(t.s.email, t.s.password)
    h.is_(status, 303, "the viewer logs in")

    for check in (check_overview, check_custom_range, check_ranked,
                  check_models, check_timeseries, check_errors, check_events,
                  check_api_usage, check_api_events, check_errors_answers,
                  check_sparse, check_xss, check_lengths):
        started = time.monotonic()
        check(t)
        h.diag("%s: %.1f s" % (check.__name__, time.monotonic() - started))

    h.check_sanitizers(t.stack.web)
    h.done_testing()


main()
