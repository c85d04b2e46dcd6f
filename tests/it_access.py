#!/usr/bin/env python3
"""Tenancy: one organization never sees nor changes another's data.

Two organizations share one MariaDB. Every label of organization B that A
does not have (department, team, agent, model, model group, provider,
error class and code, event and trace ids, its name and its users) holds
the canary CANARY; both also use some labels (the model openai/gpt-4, the
provider openai, the department shared-eng).

Through lighttpd and through Apache with mod_fcgid, A's viewer, A's admin
and A's API key ask every GET route of the route table in lib/route.c, in
every view (the drill-downs too) and every CSV export of each, with:

- a filter naming one of B's labels (also in another case, and as a
  drill-down): 404;
- org= B's id or name: 403;
- B's events cursor (before=), labels both organizations use, untagged
  groups, splits: 200 with A's numbers only (checked against the events
  posted);

and no answer A gets holds the canary. B's viewer asks the same views and
gets the canary (so the check can fail); a superadmin reads either
organization with ?org=ID. Then A posts callbacks with its own token whose
metadata and headers name B's labels and id, an exact copy of one of B's
events and a copy of B's next event: they land in A. B's totals (SQL over
the raw events and the rollups, B's labels, llmopsctl usage, B's own API)
are what they were, and B still records its next event.
"""

import json
import os
import re
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

CANARY = "zqxj"
ORG_A = "acme-tenancy"
ORG_B = "borg-" + CANARY
A_DEPT, A_TEAM, A_AGENT = "adept-alpha", "ateam-alpha", "aagent-alpha"
B_DEPT, B_TEAM, B_AGENT = ("bdept-" + CANARY, "bteam-" + CANARY,
                           "bagent-" + CANARY)
B_MODEL, B_PROVIDER = "openai/bmodel-" + CANARY, "bprov" + CANARY
B_ERR_CLASS, B_ERR_CODE = "BError" + CANARY, "b" + CANARY
SHARED_MODEL, SHARED_PROVIDER, SHARED_DEPT = "openai/gpt-4", "openai", "shared-eng"
# B's labels that A has not: each as a filter must be 404 for A.
B_ONLY = [("department", B_DEPT), ("team", B_TEAM), ("agent", B_AGENT),
          ("model", B_MODEL), ("provider", B_PROVIDER)]

CALLBACK = "/api/litellm/callback"
NOW = time.time()

# The GET routes of lib/route.c; check_route_table compares with the file.
PAGE_ROUTES = ["/", "/agents", "/departments", "/teams", "/models",
               "/timeseries", "/errors", "/events"]
API_ROUTES = ["/api/v1/usage", "/api/v1/events"]
NO_DATA_ROUTES = ["/login", "/account/password", "/static/llmops.css",
                  "/favicon.ico"]

# The CSV tables of each page; filtered by its own dimension (a value or
# untagged) a ranked page is a drill-down with other tables.
TABLES = {"/": ["movers", "cost_series", "top_agents"],
          "/agents": ["agents"], "/departments": ["departments"],
          "/teams": ["teams"], "/models": ["models"], "/timeseries": ["series"],
          "/errors": ["errors", "errors_series"], "/events": ["events"]}
DRILLS = {"/agents": ("agent", ["agent_series", "agent_models"]),
          "/departments": ("department", ["department_teams",
                                          "department_agents"]),
          "/teams": ("team", ["team_agents", "team_models"])}
# Every view of every page: (path, its own parameters). The drill-downs are
# the ranked pages filtered by one of A's labels; a foreign filter replaces
# that label with B's.
VIEWS = [("/", {}), ("/agents", {}), ("/agents", {"agent": A_AGENT}),
         ("/departments", {}), ("/departments", {"department": A_DEPT}),
         ("/teams", {}), ("/teams", {"team": A_TEAM}), ("/models", {}),
         ("/timeseries", {}),
         ("/timeseries", {"split": "department", "metric": "tokens"}),
         ("/errors", {}), ("/events", {})]


def tables_of(path, params):
    if path in DRILLS:
        dim, tables = DRILLS[path]
        if dim in params or dim in params.get("untagged", "").split(","):
            return tables
    return TABLES.get(path, [])


# Tables whose rows name labels (the series tables hold times and sums).
LABELLED_TABLES = {"movers", "top_agents", "agents", "agent_models",
                   "departments", "department_teams", "department_agents",
                   "teams", "team_agents", "team_models", "models", "errors",
                   "errors_series", "events"}
API_VIEWS = [("/api/v1/usage", {})] + \
    [("/api/v1/usage", {"group_by": g}) for g in
     ("source", "department", "team", "agent", "model", "provider", "status",
      "hour", "day")] + \
    [("/api/v1/events", {}), ("/api/v1/events", {"limit": "2"})]


def url(path, params):
    return path + ("?" + urllib.parse.urlencode(params) if params else "")


def has_canary(text):
    return CANARY in text.lower()


# ---------------------------------------------------------------------------
# Data

def event(token, eid, minutes_ago, model=SHARED_MODEL, provider=SHARED_PROVIDER,
          status="success", dept=None, team=None, agent=None, prompt=100,
          completion=20, cost=0.002, error=None):
    start = NOW - minutes_ago * 60
    hdrs = {"x-cloudidr-token": token}
    for k, v in (("x-department", dept), ("x-team", team), ("x-agent", agent)):
        if v is not None:
            hdrs[k] = v
    ev = {"id": eid, "trace_id": "trace-" + eid, "call_type": "acompletion",
          "status": status, "model": model,
          "model_group": model.split("/")[-1], "custom_llm_provider": provider,
          "startTime": start, "endTime": start + 0.8,
          "completionStartTime": start + 0.3, "stream": False,
          "prompt_tokens": prompt, "completion_tokens": completion,
          "total_tokens": prompt + completion, "response_cost": cost,
          "metadata": {"requester_custom_headers": hdrs}}
    if error is not None:
        ev["error_information"] = {"error_class": error[0],
                                   "error_code": error[1],
                                   "llm_provider": provider}
        ev["error_str"] = "failed"
    return ev


def a_events(tok):
    return [
        event(tok, "a-1", 10, dept=A_DEPT, team=A_TEAM, agent=A_AGENT,
              prompt=101, completion=11),
        event(tok, "a-2", 70, dept=SHARED_DEPT, team=A_TEAM, agent=A_AGENT,
              prompt=202, completion=22),
        event(tok, "a-3", 130, status="failure", dept=A_DEPT, team=A_TEAM,
              agent=A_AGENT, prompt=0, completion=0, cost=0,
              error=("RateLimitError", "429")),
        event(tok, "a-4", 190, model="anthropic/claude-3-haiku-20240307",
              provider="anthropic", prompt=303, completion=33, cost=0.001),
        event(tok, "a-5", 250, dept=A_DEPT, team=A_TEAM, agent="aagent-beta",
              prompt=404, completion=44),
    ]


def b_events(tok):
    return [
        event(tok, "bid-%s-1" % CANARY, 40, dept=B_DEPT, team=B_TEAM,
              agent=B_AGENT, prompt=5001, completion=501),
        event(tok, "bid-%s-2" % CANARY, 100, model=B_MODEL,
              provider=B_PROVIDER, dept=SHARED_DEPT, team=B_TEAM,
              agent=B_AGENT, prompt=5002, completion=502, cost=0.5),
        event(tok, "bid-%s-3" % CANARY, 160, status="failure", dept=B_DEPT,
              team=B_TEAM, agent=B_AGENT, prompt=0, completion=0, cost=0,
              error=(B_ERR_CLASS, B_ERR_CODE)),
        event(tok, "bid-%s-4" % CANARY, 220, prompt=5004, completion=504),
    ]


def b_next_event(tok):
    return event(tok, "bid-%s-next" % CANARY, 5, dept=B_DEPT, team=B_TEAM,
                 agent=B_AGENT, prompt=5005, completion=505)


def post(stack, events, headers=None, path=CALLBACK):
    """POSTs events, then loads the spool (llmopsctl spool drain), so that
    the database shows what the answer acknowledged."""
    status, _, doc = h.http_json("POST", stack.url(path), events,
                                 headers=headers)
    if status == 200:
        rc, _, err = h.llmopsctl(stack.conf, "spool", "drain")
        if rc != 0:
            h.ok(False, "llmopsctl spool drain", diag=err)
    return status, doc or {}


def expected(events, **match):
    """(requests, total tokens) of the events whose fields match."""
    def field(ev, k):
        hd = ev["metadata"]["requester_custom_headers"]
        return {"department": hd.get("x-department"), "team": hd.get("x-team"),
                "agent": hd.get("x-agent"), "model": ev["model"],
                "provider": ev["custom_llm_provider"],
                "status": ev["status"], "source": "litellm"}[k]
    sel = [e for e in events if all(field(e, k) == v for k, v in match.items())]
    return len(sel), sum(e["total_tokens"] for e in sel)


# ---------------------------------------------------------------------------
# Who asks

class Principal:
    """A's or B's viewer or admin (a logged-in WebClient) or an API key."""

    def __init__(self, name, stack, client=None, key=None):
        self.name, self.stack, self.client, self.key = name, stack, client, key

    def get(self, path):
        if self.client is not None:
            return self.client.get(path)
        status, hdrs, data = h.http("GET", self.stack.url(path), headers={
            "Authorization": "Bearer " + self.key})
        return status, hdrs, data.decode("utf-8", "replace")

    def json(self, path):
        status, _, body = self.get(path)
        try:
            return status, json.loads(body)
        except ValueError:
            return status, None


def login(stack, email, pw):
    c = stack.client()
    status, hdrs, body = c.login(email, pw)
    if status != 303 or not c.cookies:
        raise h.StartError("login of %s answered %d: %s" % (email, status,
                                                           body[:300]))
    return c


# ---------------------------------------------------------------------------
# Checks

def check_route_table():
    """The routes hard-coded here are those of lib/route.c."""
    with open(os.path.join(h.SRCDIR, "lib", "route.c")) as f:
        text = f.read()
    found = re.findall(r'\{\s*"(/[^"]*)",\s*([A-Z_| ]+),\s*(ACCESS_\w+)', text)
    gets = sorted(p for p, m, a in found if "ROUTE_GET" in m)
    posts = sorted(p for p, m, a in found if "ROUTE_POST" in m)
    h.is_(gets, sorted(PAGE_ROUTES + API_ROUTES + NO_DATA_ROUTES),
          "the GET routes tested are those of lib/route.c's route table")
    h.is_(posts, ["/account/password", "/login", "/logout"],
          "the POST routes are /login, /logout and /account/password")


def check_tables(viewer):
    """Each view's CSV links are the tables listed in VIEWS."""
    bad = []
    for path, base in VIEWS:
        status, _, page = viewer.get(url(path, base))
        links = sorted(set(re.findall(r'(?:\?|&amp;)table=([a-z_]+)', page)))
        if status != 200 or links != sorted(tables_of(path, base)):
            bad.append((url(path, base), status, links))
    h.ok(not bad, "every view's CSV exports are the tables tested",
         diag=repr(bad))


def sweep(p, cases, label):
    """cases: [(url, allowed statuses)]. One check: every answer has an
    allowed status and no canary."""
    bad = []
    for u, allowed in cases:
        status, hdrs, body = p.get(u)
        if status not in allowed or has_canary(body) or \
                has_canary(json.dumps(hdrs)):
            bad.append("%s -> %d%s" % (u, status, " CANARY" if
                                       has_canary(body) else ""))
    h.ok(not bad, "%s: %s (%d requests)" % (p.name, label, len(cases)),
         diag="\n".join(bad[:30]))


def view_urls(path, base, extra, tables=None):
    """The view with extra parameters, and each CSV export of it (tables:
    those of the view with its own parameters, by default)."""
    params = dict(base)
    params.update(extra)
    out = [url(path, params)]
    for t in tables_of(path, base) if tables is None else tables:
        q = dict(params)
        q.update({"format": "csv", "table": t})
        out.append(url(path, q))
    return out


def isolation_sweep(p, b_id, b_cursor, pages=True):
    """Every view and export of p's routes, against B's labels and ids."""
    views = (VIEWS if pages else []) + API_VIEWS
    for path, base in views:
        name = url(path, base)
        foreign = []
        for dim, value in B_ONLY + [("department", B_DEPT.upper()),
                                    ("agent", B_AGENT + " ")]:
            foreign += [(u, (404,)) for u in
                        view_urls(path, base, {dim: value})]
        # A's own label next to B's: still not found.
        foreign += [(u, (404,)) for u in view_urls(
            path, base, {"department": A_DEPT, "team": B_TEAM})]
        sweep(p, foreign, "%s with B's labels as filters is 404" % name)
        orgs = []
        for extra in ({"org": str(b_id)}, {"org": ORG_B},
                      {"org": str(b_id), "department": B_DEPT},
                      {"org": "0%d" % b_id}):
            orgs += [(u, (403,)) for u in view_urls(path, base, extra)]
        sweep(p, orgs, "%s with org= B's id or name is 403" % name)
        shared = []
        untagged = ",".join(d for d in ("department", "team", "agent")
                            if d not in base)
        for extra in ({}, {"model": SHARED_MODEL},
                      {"provider": SHARED_PROVIDER},
                      {"department": SHARED_DEPT}, {"source": "litellm"},
                      {"status": "failure"}, {"untagged": untagged},
                      {"range": "30d"}, {"before": b_cursor}):
            if "before" in extra and "events" not in path:
                continue
            shared += [(u, (200,)) for u in view_urls(
                path, base, extra, tables_of(path, dict(base, **extra)))]
        sweep(p, shared, "%s unfiltered, with shared labels and B's cursor "
              "is 200 without B's data" % name)


def check_numbers(p, a_evs, a_id, a_ids_before_cursor, b_cursor):
    """Labels both organizations use show A's numbers only."""
    for extra, match in (({}, {}),
                         ({"model": SHARED_MODEL}, {"model": SHARED_MODEL}),
                         ({"provider": SHARED_PROVIDER},
                          {"provider": SHARED_PROVIDER}),
                         ({"department": SHARED_DEPT},
                          {"department": SHARED_DEPT}),
                         ({"status": "failure"}, {"status": "failure"}),
                         ({"source": "litellm"}, {})):
        status, doc = p.json(url("/api/v1/usage", extra))
        rows = (doc or {}).get("rows") or []
        got = (rows[0]["requests"], rows[0]["total_tokens"]) if rows else (0, 0)
        h.ok(status == 200 and doc["organization"]["id"] == a_id and
             got == expected(a_evs, **match),
             "%s: /api/v1/usage %s counts A's events only" % (p.name, extra),
             diag="status %d, got %r, expected %r" % (
                 status, got, expected(a_evs, **match)))
    status, doc = p.json(url("/api/v1/events", {"before": b_cursor}))
    got = [e["litellm_id"] for e in (doc or {}).get("events") or []]
    h.is_((status, got), (200, a_ids_before_cursor),
          "%s: /api/v1/events before B's newest event lists A's older "
          "events only" % p.name)


def check_pages_numbers(p, a_evs):
    """The overview card and the models export under a shared filter."""
    status, _, page = p.get(url("/", {"model": SHARED_MODEL}))
    m = re.search(r'id="k-requests"><div class="k">[^<]*</div><div class="v" '
                  r'data-v="(\d+)"', page)
    h.ok(status == 200 and m and int(m.group(1)) ==
         expected(a_evs, model=SHARED_MODEL)[0],
         "%s: the overview filtered by %s counts A's calls" % (p.name,
                                                              SHARED_MODEL),
         diag=m.group(0) if m else page[:300])
    status, _, csv = p.get(url("/models", {"provider": SHARED_PROVIDER,
                                           "format": "csv", "table": "models"}))
    rows = [line.split(",") for line in csv.strip().splitlines()[1:]]
    got = sorted((r[0].strip('"'), int(r[2])) for r in rows)
    h.is_(got, [(SHARED_MODEL, expected(a_evs, model=SHARED_MODEL)[0])],
          "%s: the models export filtered by provider %s has A's rows only"
          % (p.name, SHARED_PROVIDER))


def check_b_sees_canaries(p, b_id):
    """The same views show B's viewer B's data: the canary check works."""
    missing = []
    drill = {"agent": B_AGENT, "department": B_DEPT, "team": B_TEAM}
    for path, base in VIEWS:
        base = {k: drill.get(k, v) for k, v in base.items()}
        status, _, page = p.get(url(path, base))
        if status != 200 or not has_canary(page):
            missing.append((url(path, base), status))
        for t in tables_of(path, base):
            u = url(path, dict(base, format="csv", table=t))
            status, _, csv = p.get(u)
            if status != 200 or (t in LABELLED_TABLES and not has_canary(csv)):
                missing.append((u, status))
    for path, base in API_VIEWS:
        if base.get("group_by") in ("hour", "day", "source", "status") or \
                path == "/api/v1/usage" and not base:
            continue
        status, _, body = p.get(url(path, base))
        if status != 200 or not has_canary(body):
            missing.append((url(path, base), status))
    h.ok(not missing, "%s: every view and labelled export shows B's labels"
         % p.name, diag=repr(missing))
    status, doc = p.json("/api/v1/usage")
    h.ok(status == 200 and doc["organization"] == {"id": b_id, "name": ORG_B},
         "%s: the API answers for organization B" % p.name)


def check_superadmin(sa, a_id, b_id, a_evs, b_evs):
    for org, evs in ((a_id, a_evs), (b_id, b_evs)):
        status, doc = sa.json(url("/api/v1/usage", {"org": org}))
        rows = (doc or {}).get("rows") or []
        got = (rows[0]["requests"], rows[0]["total_tokens"]) if rows else None
        h.ok(status == 200 and doc["organization"]["id"] == org and
             got == expected(evs), "superadmin: /api/v1/usage?org=%d reads "
             "that organization's totals" % org,
             diag="%d %r, expected %r" % (status, got, expected(evs)))
    status, _, page = sa.get(url("/departments", {"org": b_id}))
    h.ok(status == 200 and has_canary(page) and
         ('<span class="org">%s</span>' % ORG_B) in page,
         "superadmin: the departments of B with ?org=B")
    h.ok(("org=%d" % b_id) in page and
         re.search(r'name="org" value="%d"' % b_id, page),
         "superadmin: links and the filter form keep org=B")
    status, _, csv = sa.get(url("/events", {"org": b_id, "format": "csv",
                                            "table": "events"}))
    h.ok(status == 200 and len([line for line in csv.splitlines()
                                if "bid-" + CANARY in line]) == len(b_evs),
         "superadmin: B's events export with ?org=B")
    status, _, page = sa.get(url("/departments", {"org": a_id}))
    h.ok(status == 200 and A_DEPT in page and not has_canary(page),
         "superadmin: ?org=A shows A, nothing of B")
    status, _, _ = sa.get(url("/departments", {"org": a_id,
                                                "department": B_DEPT}))
    h.is_(status, 404, "superadmin: ?org=A with B's department is 404")
    status, _, _ = sa.get(url("/", {"org": "999999"}))
    h.is_(status, 404, "superadmin: an organization that does not exist is 404")
    status, _, _ = sa.get(url("/", {"org": "x1"}))
    h.is_(status, 400, "superadmin: org= not an id is 400")


def b_snapshot(db, conf, b_id, b_key_principal):
    """Everything that makes B's totals."""
    snap = {}
    snap["events"] = db.sql(
        "SELECT COUNT(*), SUM(prompt_tokens), SUM(completion_tokens), "
        "SUM(total_tokens), CAST(SUM(cost) AS CHAR), "
        "CAST(SUM(litellm_cost) AS CHAR), MAX(id), "
        "GROUP_CONCAT(litellm_id ORDER BY id) FROM usage_events "
        "WHERE org_id = %d" % b_id)
    snap["rollups"] = db.sql(
        "SELECT COUNT(*), SUM(requests), SUM(errors), SUM(total_tokens), "
        "CAST(SUM(cost) AS CHAR) FROM usage_hourly WHERE org_id = %d" % b_id)
    snap["labels"] = db.sql("SELECT dim, value FROM dimension_values WHERE "
                            "org_id = %d ORDER BY dim, value" % b_id)
    snap["cli"] = [h.llmopsctl(conf, "usage", ORG_B, "--format", "json")[:2],
                   h.llmopsctl(conf, "usage", ORG_B, "--group-by",
                               "department", "--format", "json")[:2]]
    status, doc = b_key_principal.json(url("/api/v1/usage",
                                           {"group_by": "agent"}))
    snap["api"] = (status, (doc or {}).get("rows"))
    return snap


def main():
    db = h.MariaDB().start()
    lt = h.start_all("lighttpd", db=db)
    ap = h.start_all("apache", db=db)
    conf = lt.conf
    check_route_table()

    h.create_org(conf, ORG_A)
    h.create_org(conf, ORG_B)
    orgs = {o["name"]: o["id"] for o in json.loads(
        h.llmopsctl(conf, "org", "list", "--format", "json")[1])}
    a_id, b_id = orgs[ORG_A], orgs[ORG_B]
    tok_a, tok_b = h.create_token(conf, ORG_A), h.create_token(conf, ORG_B)
    a_evs, b_evs = a_events(tok_a), b_events(tok_b)
    st_a, doc_a = post(lt, a_evs)
    st_b, doc_b = post(ap, b_evs)
    h.ok(st_a == 200 and doc_a.get("accepted") == len(a_evs) and
         st_b == 200 and doc_b.get("accepted") == len(b_evs),
         "A's and B's events are stored", diag=repr((doc_a, doc_b)))
    h.is_(db.sql("SELECT org_id, COUNT(*) FROM usage_events GROUP BY org_id "
                 "ORDER BY org_id"),
          sorted([(str(a_id), str(len(a_evs))), (str(b_id), str(len(b_evs)))]),
          "each organization has its events")
    newest_b = db.sql("SELECT occurred_us, id FROM usage_events WHERE "
                      "org_id = %d ORDER BY occurred_us DESC, id DESC LIMIT 1"
                      % b_id)[0]
    b_cursor = "%s.%s" % newest_b
    a_before = [r[0] for r in db.sql(
        "SELECT litellm_id FROM usage_events WHERE org_id = %d AND "
        "occurred_us < %s ORDER BY occurred_us DESC, id DESC" % (a_id,
                                                                newest_b[0]))]
    h.ok(0 < len(a_before) < len(a_evs), "A has events before and after B's "
         "newest (the cursor splits A's events)", diag=repr(a_before))

    pw = {}
    for email, org, role in (("viewer@acme.example", ORG_A, "viewer"),
                             ("admin@acme.example", ORG_A, "admin"),
                             ("viewer@" + CANARY + ".example", ORG_B, "viewer"),
                             ("root@llmops.example", "*", "superadmin")):
        pw[email] = h.add_user(conf, org, email, role)
    key_a = h.create_apikey(conf, ORG_A, "a-reader")
    key_b = h.create_apikey(conf, ORG_B, "b-reader")
    b_api = Principal("B's API key", lt, key=key_b)
    before = b_snapshot(db, conf, b_id, b_api)
    h.ok(before["events"][0][0] == str(len(b_evs)) and before["api"][0] == 200
         and before["cli"][0][0] == 0, "B's totals before A acts",
         diag=repr(before))

    for stack, label in ((lt, "lighttpd"), (ap, "Apache mod_fcgid")):
        h.diag("--- %s" % label)
        viewer = Principal("%s: A's viewer" % label, stack,
                           login(stack, "viewer@acme.example",
                                 pw["viewer@acme.example"]))
        admin = Principal("%s: A's admin" % label, stack,
                          login(stack, "admin@acme.example",
                                pw["admin@acme.example"]))
        key = Principal("%s: A's API key" % label, stack, key=key_a)
        if stack is lt:
            check_tables(viewer)
        for p in (viewer, admin, key):
            isolation_sweep(p, b_id, b_cursor, pages=p.key is None)
            check_numbers(p, a_evs, a_id, a_before, b_cursor)
        for p in (viewer, admin):
            check_pages_numbers(p, a_evs)
            sweep(p, [(r, (200,)) for r in NO_DATA_ROUTES] +
                  [(url(r, {"org": b_id}), (200,)) for r in NO_DATA_ROUTES],
                  "the login form, the password form and the stylesheet "
                  "hold nothing of B")
        # An API key opens no page: the login form, no data.
        bad = []
        for path, base in VIEWS:
            for u in view_urls(path, base, {"org": b_id}):
                status, hdrs, body = key.get(u)
                if status != 303 or not hdrs.get("location", "").startswith(
                        "/login") or has_canary(body):
                    bad.append((u, status))
        h.ok(not bad, "%s: an API key gets no page, only the way to the "
             "login form" % label, diag=repr(bad))
        b_viewer = Principal("%s: B's viewer" % label, stack,
                             login(stack, "viewer@%s.example" % CANARY,
                                   pw["viewer@%s.example" % CANARY]))
        check_b_sees_canaries(b_viewer, b_id)
        check_superadmin(Principal("%s: superadmin" % label, stack,
                                   login(stack, "root@llmops.example",
                                         pw["root@llmops.example"])),
                         a_id, b_id, a_evs, b_evs)
        log = stack.error_log_text()
        h.like(log, r"\[AUTH\] GET /[a-z/0-9]*: 403 .*\(viewer@acme\.example",
               "%s: A's viewer asking for B's organization is logged [AUTH]"
               % label)
        h.like(log, r"\[HTTP\] GET /[a-z/0-9]*: 404 no \w+ of that name.*"
               r"\(API key \d+", "%s: a foreign filter of A's API key is "
               "logged [HTTP]" % label)

    # A writes what it can write: callbacks with its own token claiming B.
    claim = event(tok_a, "a-claims-b", 15, dept=B_DEPT, team=B_TEAM,
                  agent=B_AGENT, prompt=61, completion=6)
    claim["metadata"].update({"user_api_key_org_id": str(b_id),
                              "user_api_key_team_alias": B_TEAM,
                              "user_api_key_team_id": str(b_id)})
    claim.update({"org_id": b_id, "organization": ORG_B})
    copy_b = json.loads(json.dumps(b_evs[0]))
    copy_b["metadata"]["requester_custom_headers"]["x-cloudidr-token"] = tok_a
    b_next = b_next_event(tok_b)
    copy_next = json.loads(json.dumps(b_next))
    copy_next["metadata"]["requester_custom_headers"]["x-cloudidr-token"] = tok_a
    spoof = [claim, copy_b, copy_next]
    status, doc = post(lt, spoof, headers={
        "X-Department": B_DEPT, "X-Team": B_TEAM, "X-Agent": B_AGENT,
        "X-Org-Id": str(b_id)}, path=CALLBACK + "?org=%d" % b_id)
    h.ok(status == 200 and doc.get("accepted") == 3,
         "A's callbacks naming B's labels and id, and copies of B's events, "
         "are accepted", diag=repr(doc))
    status, doc = post(ap, [copy_b], headers={"Authorization": "Bearer " + key_b})
    h.is_((status, doc.get("accepted")), (200, 1), "A's copy again (with B's "
          "API key as Authorization) is accepted ...")
    h.is_(sorted(db.sql("SELECT org_id, COUNT(*) FROM usage_events WHERE "
                        "litellm_id = 'bid-%s-1' GROUP BY org_id" % CANARY)),
          sorted([(str(a_id), "1"), (str(b_id), "1")]),
          "... and is a duplicate of A's own: one copy in A, B's own in B")
    h.is_(db.sql("SELECT DISTINCT org_id FROM usage_events WHERE litellm_id "
                 "IN ('a-claims-b', 'bid-%s-1', 'bid-%s-next') AND token_id = "
                 "(SELECT id FROM tracking_tokens WHERE org_id = %d)"
                 % (CANARY, CANARY, a_id)), [(str(a_id),)],
          "they are stored in A")
    after = b_snapshot(db, conf, b_id, b_api)
    for k in ("events", "rollups", "labels", "cli", "api"):
        h.is_(after[k], before[k], "B's %s are unchanged by everything A did"
              % k)
    # A now has B's label names itself: filtering by them shows A's calls.
    viewer = Principal("A's viewer", lt, login(lt, "viewer@acme.example",
                                                pw["viewer@acme.example"]))
    for dim, value in (("department", B_DEPT), ("agent", B_AGENT)):
        status, doc = viewer.json(url("/api/v1/usage", {dim: value}))
        rows = (doc or {}).get("rows") or []
        got = (rows[0]["requests"], rows[0]["total_tokens"]) if rows else None
        h.is_((status, got), (200, expected(spoof, **{dim: value})),
              "A filtering by its own %s named like B's counts A's calls only"
              % dim)
    # B records its next event although A posted a copy first.
    status, doc = post(ap, [b_next])
    h.ok(status == 200 and doc.get("accepted") == 1,
         "B's next event is recorded although A stored a copy first",
         diag=repr(doc))
    status, doc = post(lt, [b_evs[0]])
    h.is_((status, doc.get("accepted")), (200, 1), "B's own event again is "
          "accepted ...")
    h.is_(db.sql("SELECT COUNT(*) FROM usage_events WHERE org_id = %d AND "
                 "litellm_id = 'bid-%s-1'" % (b_id, CANARY)), [("1",)],
          "... and is B's duplicate: stored once")
    final = b_snapshot(db, conf, b_id, b_api)
    h.is_((int(final["events"][0][0]), int(final["events"][0][3])),
          (len(b_evs) + 1, sum(e["total_tokens"] for e in b_evs) +
           b_next["total_tokens"]), "B's totals grew by exactly its next event")

    for stack, label in ((lt, "lighttpd"), (ap, "Apache mod_fcgid")):
        stack.stop()
        h.ok(not stack.sanitizer_reports(), "%s: no sanitizer report" % label)
    h.done_testing()


main()
