#!/usr/bin/env python3
"""tools/bench.py: the measuring half of tools/bench (Python 3 standard
library only). tools/bench builds, starts the private stack and calls the
subcommands below in order; each reads the run's context (ctx.json, written
by tools/bench: ports, paths, tokens, organizations) and writes one JSON file
into the results directory, which `report` turns into the table,
results.json and the block of doc/PERFORMANCE.

  bodies    the request bodies, from the real captured LiteLLM events
  check     one POST of each kind to each target, answers checked
  facts     the machine, the versions, the settings
  parse     the bare parse rate (tools/bench-parse on the same bodies)
  run       one load measurement (tools/bench-load, or wrk with
            tools/bench.lua), and the marker events of the visibility time
            during batched loads on llmops
  rss       peak RSS of a responder for one body
  profile   perf record on the responders under the batched load
  report    the table, results.json and the doc block
  doc       the doc block of an existing results.json
"""

import argparse
import copy
import glob
import http.client
import json
import math
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

CHILDREN = []  # processes to stop when we are stopped


def stop_children(signum, frame):
    for p in CHILDREN:
        if p.poll() is None:
            try:
                p.send_signal(signal.SIGINT)
                p.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                p.kill()
    sys.exit(128 + signum)


signal.signal(signal.SIGTERM, stop_children)
signal.signal(signal.SIGINT, stop_children)


def die(msg):
    sys.stderr.write("tools/bench: %s\n" % msg)
    sys.exit(1)


def say(msg):
    sys.stdout.write("tools/bench: %s\n" % msg)
    sys.stdout.flush()


def load(path):
    with open(path) as f:
        return json.load(f)


def save(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=1, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)


def read_pid(pidfile):
    try:
        with open(pidfile) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def percentile(values, p):
    """The p-th percentile (nearest rank) of values, or None."""
    if not values:
        return None
    v = sorted(values)
    return v[max(0, min(len(v) - 1, math.ceil(p / 100.0 * len(v)) - 1))]


# --- MariaDB ----------------------------------------------------------------

class Maria:
    """One mariadb client process kept open, for queries of one value."""

    def __init__(self, sock):
        self.p = subprocess.Popen(
            ["mariadb", "--no-defaults", "--socket=" + sock, "--user=root",
             "--batch", "--skip-column-names", "--unbuffered", "llmops"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        CHILDREN.append(self.p)

    def value(self, sql):
        self.p.stdin.write(sql.rstrip(";") + ";\n")
        self.p.stdin.flush()
        line = self.p.stdout.readline()
        if not line:
            die("the mariadb client stopped answering (query: %s)" % sql)
        return line.rstrip("\n")

    def close(self):
        try:
            self.p.stdin.close()
            self.p.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.p.kill()


def sql_value(ctx, sql):
    out = subprocess.run(
        ["mariadb", "--no-defaults", "--socket=" + ctx["db_sock"], "--user=root",
         "--batch", "--skip-column-names", "llmops", "-e", sql],
        check=True, capture_output=True, text=True).stdout
    return out.strip()


def org_events(db, org_id):
    return int(db.value("SELECT COUNT(*) FROM usage_events WHERE org_id = %d"
                        % org_id))


# --- processes and CPU time ---------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def proc_stat(pid):
    """(ppid, utime+stime in seconds) of pid, or None."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            s = f.read()
    except OSError:
        return None
    fields = s[s.rindex(")") + 2:].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK


def proc_exe(pid):
    try:
        return os.path.basename(os.readlink("/proc/%d/exe" % pid))
    except OSError:
        return ""


def children_of(ppid):
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            st = proc_stat(int(d))
            if st is not None and st[0] == ppid:
                out.append(int(d))
    return out


def responders(ctx, kind="llmops.fcgi"):
    lt = read_pid(ctx["lighttpd_pidfile"])
    if lt is None:
        return []
    return [p for p in children_of(lt) if proc_exe(p) == kind]


def machine_busy():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + v[4]
    return (sum(v[:8]) - idle) / TICK


def cpu_snapshot(ctx):
    """CPU seconds used so far by each of our server processes."""
    snap = {"busy": machine_busy(), "pids": {}}
    lt = read_pid(ctx["lighttpd_pidfile"])
    db = read_pid(ctx["db_pidfile"])
    for pid, role in [(lt, "lighttpd"), (db, "mariadbd")]:
        if pid is not None and proc_stat(pid) is not None:
            snap["pids"][pid] = (role, proc_stat(pid)[1])
    if lt is not None:
        for pid in children_of(lt):
            exe = proc_exe(pid)
            role = {"llmops.fcgi": "llmops", "bench-empty": "empty"}.get(exe, exe)
            st = proc_stat(pid)
            if st is not None:
                snap["pids"][pid] = (role, st[1])
    return snap


def cpu_delta(a, b):
    out = {}
    for pid, (role, t) in b["pids"].items():
        t0 = a["pids"].get(pid, (role, 0.0))[1]
        out[role] = out.get(role, 0.0) + t - t0
    out["machine_busy"] = b["busy"] - a["busy"]
    return out


# --- bodies ---------------------------------------------------------------------

TIME_FIELDS = ("startTime", "endTime", "completionStartTime")


def real_events(fixtures):
    events = []
    for path in sorted(glob.glob(os.path.join(fixtures, "real-*", "*.json"))):
        body = load(path)
        events.extend(e for e in (body if isinstance(body, list) else [body])
                      if isinstance(e, dict))
    if not events:
        die("no captured LiteLLM events under %s/real-*/" % fixtures)
    return events


def shaped(ev, token, start):
    """A copy of captured event ev with ids to fill in, token as its tracking
    token (where the capture had one), and its times moved to start."""
    e = copy.deepcopy(ev)
    e["id"] = "@@ID@@"
    e["trace_id"] = "@@ID@@"
    hdrs = (e.get("metadata") or {}).get("requester_custom_headers")
    if isinstance(hdrs, dict) and "x-cloudidr-token" in hdrs:
        hdrs["x-cloudidr-token"] = token
    t0 = ev.get("startTime")
    if isinstance(t0, (int, float)):
        for k in TIME_FIELDS:
            if isinstance(ev.get(k), (int, float)):
                e[k] = round(start + (ev[k] - t0), 6)
    return e


def dumps(obj):
    # As LiteLLM writes its bodies: Python's json.dumps with its defaults.
    return json.dumps(obj)


def fill(template, prefix):
    parts = template.split("@@ID@@")
    out = [parts[0]]
    for i, p in enumerate(parts[1:], 1):
        out.append("%s-%d" % (prefix, i))
        out.append(p)
    return "".join(out)


def cmd_bodies(args):
    ctx = load(args.ctx)
    events = real_events(args.fixtures)
    now = time.time()
    out = ctx["bodies"]
    os.makedirs(out, exist_ok=True)
    n = args.events
    # Batches: n events cycling through the captured ones, times within
    # the last minute (the hour's rollup rows are shared, as in production).
    batches = []
    for k in range(args.templates):
        batch = [shaped(events[(k + j) % len(events)], ctx["token"],
                        now - 60 + j * 0.5) for j in range(n)]
        batches.append(dumps(batch))
    singles = [dumps(shaped(e, ctx["token"], now - 30)) for e in events]
    marker = dumps(shaped(events[0], ctx["marker_token"], now - 1))
    for name, lines in (("batch.tpl", batches), ("single.tpl", singles),
                        ("marker.tpl", [marker])):
        with open(os.path.join(out, name), "w") as f:
            for line in lines:
                assert "\n" not in line
                f.write(line + "\n")
    with open(os.path.join(out, "batch.json"), "w") as f:
        f.write(fill(batches[0], "parse"))
    with open(os.path.join(out, "single.json"), "w") as f:
        f.write(fill(singles[0], "parse"))

    # The largest allowed body: real-shaped events up to the limit, and the
    # hostile [[{},{},...]] and [[0,0,...]] of the same size (all padded
    # with blanks to it).
    limit = args.limit
    parts, size, k = [], 2, 0
    while True:
        e = fill(dumps(shaped(events[k % len(events)], ctx["token"],
                              now - 120 + k * 0.01)), "rss-%d" % k)
        if size + len(e) + 2 > limit or k >= args.max_events:
            break
        parts.append(e)
        size += len(e) + 2
        k += 1
    real = "[" + ", ".join(parts) + "]"
    with open(os.path.join(out, "rss-real.json"), "w") as f:
        f.write(real + " " * (limit - len(real)))
    nobj = (limit - 3) // 3
    hostile = "[[" + ",".join(["{}"] * nobj) + "]]"
    with open(os.path.join(out, "rss-objects.json"), "w") as f:
        f.write(hostile + " " * (limit - len(hostile)))
    nzero = (limit - 3) // 2
    zeros = "[[" + ",".join(["0"] * nzero) + "]]"
    with open(os.path.join(out, "rss-zeros.json"), "w") as f:
        f.write(zeros + " " * (limit - len(zeros)))
    meta = {
        "batch_events": n,
        "batch_bytes": statistics.mean(len(fill(b, "x-1-1")) for b in batches),
        "single_bytes": statistics.mean(len(fill(s, "x-1-1")) for s in singles),
        "captured_events": len(events),
        "rss_real_events": k,
        "rss_hostile_objects": nobj,
        "rss_hostile_zeros": nzero,
        "body_limit": limit,
    }
    save(os.path.join(out, "meta.json"), meta)
    say("bodies: %d-event batches of %.0f KB, single events of %.1f KB, "
        "%d real-shaped events and %d empty objects in %d-byte bodies"
        % (n, meta["batch_bytes"] / 1e3, meta["single_bytes"] / 1e3, k, nobj,
           limit))


# --- HTTP -------------------------------------------------------------------------

def post(ctx, path, body, token, timeout=60):
    """POSTs body; returns (status, answer bytes)."""
    c = http.client.HTTPConnection("127.0.0.1", ctx["port"], timeout=timeout)
    try:
        c.request("POST", path, body=body, headers={
            "Content-Type": "application/json", "X-Cloudidr-Token": token})
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


def ledger_add(ctx, events):
    path = ctx["ledger"]
    led = load(path) if os.path.exists(path) else {"acked_events": 0}
    led["acked_events"] += events
    save(path, led)
    return led["acked_events"]


def cmd_check(args):
    """One batch and one single event to each target: the answers are what
    they must be before anything is measured."""
    ctx = load(args.ctx)
    b = ctx["bodies"]
    meta = load(os.path.join(b, "meta.json"))
    for shape, n in (("batch", meta["batch_events"]), ("single", 1)):
        with open(os.path.join(b, shape + ".tpl")) as f:
            tpl = f.readline().rstrip("\n")
        body = fill(tpl, "check-%s" % shape).encode()
        st, ans = post(ctx, ctx["empty_path"], body, ctx["token"])
        if st != 200 or b'"empty":true' not in ans:
            die("the empty responder answered %d %r" % (st, ans[:300]))
        st, ans = post(ctx, ctx["ingest_path"], body, ctx["token"])
        try:
            a = json.loads(ans)
        except ValueError:
            a = {}
        if st != 200 or a.get("accepted") != n or a.get("rejected"):
            die("llmops answered %d %r to a %d-event %s body"
                % (st, ans[:300], n, shape))
        ledger_add(ctx, n)
    say("check: both responders answer as they should")


# --- facts --------------------------------------------------------------------------

def first_line(argv):
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=30)
        return ((r.stdout or r.stderr).strip().splitlines() or [""])[0]
    except (OSError, subprocess.TimeoutExpired):
        return ""


def fdatasync_ms(directory, n=200):
    path = os.path.join(directory, "fdatasync.probe")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    times = []
    try:
        buf = b"x" * 4096
        for _ in range(n):
            os.write(fd, buf)
            t = time.perf_counter()
            os.fdatasync(fd)
            times.append((time.perf_counter() - t) * 1e3)
    finally:
        os.close(fd)
        os.unlink(path)
    return {"p50": percentile(times, 50), "p99": percentile(times, 99)}


def cmd_facts(args):
    ctx = load(args.ctx)
    cpu = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kib = int(f.readline().split()[1])
    try:
        with open("/etc/debian_version") as f:
            debian = f.read().strip()
    except OSError:
        debian = ""
    df = subprocess.run(["df", "-PT", ctx["state"]], capture_output=True,
                        text=True).stdout.splitlines()[-1].split()
    with open(os.path.join(ctx["objdir"], "Makefile")) as f:
        cflags = next((l.split("=", 1)[1].strip() for l in f
                       if l.startswith("CFLAGS =")), "")
    git = ["git", "-C", ctx["repo"]]
    dirty = first_line(git + ["status", "--porcelain", "--untracked-files=no"])
    def num(v):
        return {"ON": 1, "OFF": 0}.get(v.upper(), None) if not v.isdigit() else int(v)

    mdb = sql_value(ctx, "SELECT CONCAT_WS(' ', @@version, "
                    "@@innodb_flush_log_at_trx_commit, @@log_bin, @@sync_binlog, "
                    "@@innodb_buffer_pool_size, @@innodb_doublewrite)").split()
    facts = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "mode": ctx["mode"],
        "duration_s": ctx["duration"],
        "warmup_s": ctx["warmup"],
        "commit": first_line(git + ["rev-parse", "--short=12", "HEAD"]),
        "describe": first_line(git + ["log", "-1", "--format=%s"]),
        "dirty": bool(dirty),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kib / 1048576, 1),
        "kernel": platform.release(),
        "debian": debian,
        "virt": first_line(["systemd-detect-virt"]),
        "loadavg_start": os.getloadavg(),
        "state_fs": "%s on %s" % (df[1], df[0]),
        "fdatasync_4k_ms": fdatasync_ms(ctx["state"]),
        "cflags": cflags,
        "configure": ctx["configure"],
        "lighttpd": first_line(["lighttpd", "-v"]),
        "mariadb": mdb[0],
        "mariadb_settings": {
            "innodb_flush_log_at_trx_commit": num(mdb[1]),
            "log_bin": num(mdb[2]), "sync_binlog": num(mdb[3]),
            "innodb_buffer_pool_size": num(mdb[4]),
            "innodb_doublewrite": num(mdb[5]),
        },
        "client": ctx["client"],
        "wrk": first_line(["wrk", "-v"]),
        "json_c": first_line(["pkg-config", "--modversion", "json-c"]),
        "gcc": first_line(["gcc", "--version"]),
        "max_procs": ctx["max_procs"],
        "body_limit": ctx["body_limit"],
        "conf_extra": ctx["conf_extra"],
    }
    save(os.path.join(ctx["results"], "facts.json"), facts)
    say("machine: %s, %d cores, %.0f GiB, Debian %s, kernel %s; state on %s"
        % (cpu, facts["cores"], facts["memory_gib"], debian,
           facts["kernel"], facts["state_fs"]))


# --- parse ----------------------------------------------------------------------------

def cmd_parse(args):
    ctx = load(args.ctx)
    b = ctx["bodies"]
    out = subprocess.run(
        [ctx["parse_driver"], "-s", str(args.seconds), "-t", ctx["token"],
         os.path.join(b, "batch.json"), os.path.join(b, "single.json")],
        check=True, capture_output=True, text=True).stdout
    rows = [json.loads(l) for l in out.splitlines() if l.strip()]
    res = {"batch": rows[0], "single": rows[1]}
    save(os.path.join(ctx["results"], "parse.json"), res)
    for k, r in res.items():
        say("parse %s: %.0f events/s per core (%.2f ms per body, %.0f MB/s)"
            % (k, r["events_per_cpu_s"], r["ms_per_body"], r["mb_per_cpu_s"]))


# --- load -------------------------------------------------------------------------------

def load_argv(ctx, target, shape, conc, seconds, tag):
    """The command of one load: tools/bench-load (the default), or wrk with
    tools/bench.lua (tools/bench --client wrk), which is slower than the
    empty responder for 476 KB bodies made per request (doc/PERFORMANCE)."""
    path = ctx["ingest_path"] if target == "llmops" else ctx["empty_path"]
    tpl = os.path.join(ctx["bodies"], shape + ".tpl")
    if ctx["client"] == "wrk":
        return ["wrk", "-t", str(min(2, conc)), "-c", str(conc),
                "-d", "%ds" % seconds, "--timeout", "30s", "-s", ctx["lua"],
                "http://127.0.0.1:%d%s" % (ctx["port"], path), "--",
                tpl, tag, ctx["token"]]
    return [ctx["load_client"], "-p", str(ctx["port"]), "-u", path,
            "-c", str(conc), "-d", str(seconds), "-T", ctx["token"], tpl, tag]


def wrk(ctx, target, shape, conc, seconds, tag):
    """One load run; returns (its BENCH numbers, CPU seconds of the
    client)."""
    argv = load_argv(ctx, target, shape, conc, seconds, tag)
    log = open(os.path.join(ctx["results"], "wrk.log"), "a")
    log.write("$ %s\n" % " ".join(argv))
    log.flush()
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=log, text=True)
    CHILDREN.append(p)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = status
    CHILDREN.remove(p)
    log.write(out)
    log.close()
    if status != 0:
        die("%s failed (status %d); see %s/wrk.log"
            % (os.path.basename(argv[0]), status, ctx["results"]))
    line = next((l for l in out.splitlines() if l.startswith("BENCH ")), None)
    if line is None:
        die("%s printed no BENCH line; see %s/wrk.log"
            % (os.path.basename(argv[0]), ctx["results"]))
    return json.loads(line[6:]), ru.ru_utime + ru.ru_stime


class Markers(threading.Thread):
    """Posts one marker event at a time (an organization of its own) while
    the load runs, and times how long after its 200 the event is a row
    that a new transaction of MariaDB sees."""

    TIMEOUT = 30.0

    def __init__(self, ctx, tag, until, interval):
        super().__init__(daemon=True)
        self.ctx, self.tag, self.until, self.interval = ctx, tag, until, interval
        with open(os.path.join(ctx["bodies"], "marker.tpl")) as f:
            self.tpl = f.readline().rstrip("\n")
        self.vis_ms, self.ack_ms = [], []
        self.failed = self.timeouts = 0

    def run(self):
        db = Maria(self.ctx["db_sock"])
        try:
            seen = org_events(db, self.ctx["marker_org"])
            k = 0
            while time.monotonic() < self.until:
                k += 1
                body = self.tpl.replace("@@ID@@", "marker-%s-%d" % (self.tag, k))
                t0 = time.monotonic()
                try:
                    st, _ = post(self.ctx, self.ctx["ingest_path"],
                                 body.encode(), self.ctx["marker_token"])
                except OSError:
                    st = 0
                t1 = time.monotonic()
                if st != 200:
                    self.failed += 1
                    continue
                self.ack_ms.append((t1 - t0) * 1e3)
                seen += 1
                polls = 0
                while org_events(db, self.ctx["marker_org"]) < seen:
                    polls += 1
                    if time.monotonic() - t1 > self.TIMEOUT:
                        self.timeouts += 1
                        break
                    time.sleep(0.001 if polls < 20 else 0.005)
                else:
                    self.vis_ms.append((time.monotonic() - t1) * 1e3)
                time.sleep(self.interval)
        finally:
            db.close()

    def result(self):
        v = self.vis_ms
        return {
            "markers": len(v) + self.timeouts + self.failed,
            "failed": self.failed, "timeouts": self.timeouts,
            "visible_ms": {"p50": percentile(v, 50), "p99": percentile(v, 99),
                           "max": max(v) if v else None},
            "ack_ms": {"p50": percentile(self.ack_ms, 50),
                       "p99": percentile(self.ack_ms, 99)},
        }


def wait_stored(ctx, expected, timeout=120.0):
    """Waits until the demo organization has expected events; returns
    (count, seconds waited)."""
    db = Maria(ctx["db_sock"])
    try:
        t0 = time.monotonic()
        while True:
            n = org_events(db, ctx["org"])
            if n >= expected or time.monotonic() - t0 > timeout:
                return n, time.monotonic() - t0
            time.sleep(0.05)
    finally:
        db.close()


def spool_drain(ctx):
    """llmopsctl spool drain, as the minutely timer would run it; returns
    the seconds it took, or None when it failed."""
    env = dict(os.environ, LLMOPS_SCHEMA_DIR=ctx["schema_dir"])
    t0 = time.monotonic()
    r = subprocess.run([ctx["llmopsctl"], "-c", ctx["conf"], "spool", "drain"],
                       capture_output=True, text=True, env=env, timeout=600)
    if r.returncode != 0:
        say("llmopsctl spool drain failed (%d): %s"
            % (r.returncode, (r.stderr or r.stdout).strip()[:300]))
        return None
    return time.monotonic() - t0


def cmd_run(args):
    ctx = load(args.ctx)
    meta = load(os.path.join(ctx["bodies"], "meta.json"))
    per_body = meta["batch_events"] if args.shape == "batch" else 1
    name = "%s-%s-c%d" % (args.target, args.shape, args.c)
    tag = "%s-%s" % (ctx["run_id"], name)
    res = {"target": args.target, "shape": args.shape, "concurrency": args.c,
           "events_per_body": per_body}
    if args.warmup > 0:
        w, _ = wrk(ctx, args.target, args.shape, args.c, args.warmup, tag + "w")
        if args.target == "llmops":
            ledger_add(ctx, (w["requests"] - w["errors"]["status"]) * per_body)
    markers = None
    if args.markers:
        markers = Markers(ctx, tag, time.monotonic() + args.duration - 0.5,
                          args.marker_interval)
    stored0 = None
    if args.target == "llmops":
        stored0 = int(sql_value(ctx, "SELECT COUNT(*) FROM usage_events "
                                "WHERE org_id = %d" % ctx["org"]))
    a = cpu_snapshot(ctx)
    if markers:
        markers.start()
    m, wrk_cpu = wrk(ctx, args.target, args.shape, args.c, args.duration, tag + "m")
    b = cpu_snapshot(ctx)
    stored1 = None
    if args.target == "llmops":
        stored1 = int(sql_value(ctx, "SELECT COUNT(*) FROM usage_events "
                                "WHERE org_id = %d" % ctx["org"]))
    if markers:
        markers.join()
        res["visibility"] = markers.result()
    secs = m["duration_us"] / 1e6
    ok = m["requests"] - m["errors"]["status"]
    lat = m["latency_us"]
    res.update({
        "seconds": secs,
        "requests": m["requests"],
        "non_2xx": m["errors"]["status"],
        "socket_errors": sum(v for k, v in m["errors"].items() if k != "status"),
        "rps": ok / secs,
        "events_per_s": ok * per_body / secs,
        "mb_per_s": m["sent_bytes"] / max(1, m["sent_requests"]) * ok / secs / 1e6,
        "latency_ms": {k: lat[k] / 1e3 for k in lat},
    })
    cpu = cpu_delta(a, b)
    cpu["client"] = wrk_cpu
    ours = sum(v for k, v in cpu.items() if k != "machine_busy")
    cpu["other"] = max(0.0, cpu["machine_busy"] - ours)
    res["cpu_s"] = cpu
    res["cpu_ms_per_request"] = {k: v * 1e3 / max(1, ok) for k, v in cpu.items()}
    if args.target == "llmops":
        # What the load left in the spool, and how long it takes the
        # responders to load it; what they leave (a loader runs after an
        # answer, and none comes now), llmopsctl spool drain loads, as the
        # minutely timer of a real install would.
        expected = ledger_add(ctx, ok * per_body)
        count, waited = wait_stored(ctx, expected, args.settle)
        ctl_s = None
        if count < expected and ctx.get("spool"):
            ctl_s = spool_drain(ctx)
            count, _ = wait_stored(ctx, expected, 10.0)
        res["stored"] = {"acked_events_total": expected,
                         "stored_at_load_end": stored1,
                         "backlog_at_load_end": max(0, expected - stored1),
                         "stored_per_s": (stored1 - stored0) / secs,
                         "stored_events_total": count,
                         "all_stored": count >= expected,
                         "drain_s": waited,
                         "drained_by_ctl": ctl_s is not None,
                         "ctl_drain_s": ctl_s}
    save(os.path.join(ctx["results"], "run-%s.json" % name), res)
    line = ("%-6s %-6s c=%-2d %7.0f req/s %9.0f events/s  p50 %7.1f ms  "
            "p99 %7.1f ms" % (args.target, args.shape, args.c, res["rps"],
                              res["events_per_s"], lat["p50"] / 1e3,
                              lat["p99"] / 1e3))
    if res["non_2xx"] or res["socket_errors"]:
        line += "  (%d non-2xx, %d socket errors)" % (res["non_2xx"],
                                                      res["socket_errors"])
    if "visibility" in res and res["visibility"]["visible_ms"]["max"] is not None:
        line += "  visible <= %.0f ms" % res["visibility"]["visible_ms"]["max"]
    if "stored" in res and not res["stored"]["all_stored"]:
        line += "  NOT ALL STORED"
    say(line)


# --- RSS ---------------------------------------------------------------------------------

def status_kib(pid, key):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def cmd_rss(args):
    ctx = load(args.ctx)
    with open(args.body, "rb") as f:
        body = f.read()
    before = {p: status_kib(p, "VmHWM") for p in responders(ctx)}
    if not before:
        die("no llmops responder runs under lighttpd")
    peak = {}
    result = {}

    def send():
        t = time.monotonic()
        try:
            result["status"], ans = post(ctx, ctx["ingest_path"], body,
                                         ctx["token"], timeout=args.timeout)
            result["answer"] = ans[:300].decode("utf-8", "replace")
        except OSError as e:
            result["status"], result["answer"] = 0, str(e)
        result["seconds"] = time.monotonic() - t

    th = threading.Thread(target=send, daemon=True)
    th.start()
    while True:
        alive = th.is_alive()
        for p in responders(ctx):
            v = status_kib(p, "VmHWM")
            if v is not None and v > peak.get(p, 0):
                peak[p] = v
        if not alive:
            break
        time.sleep(0.02)
    th.join()
    pid = max(peak, key=peak.get)
    res = {
        "body": os.path.basename(args.body), "bytes": len(body),
        "status": result["status"], "answer": result["answer"],
        "seconds": result["seconds"],
        "peak_kib": peak[pid], "idle_kib": before.get(pid),
        "responder_died": sorted(set(before) - set(responders(ctx))) != [],
        "cap_mib": args.cap_mib,
    }
    res["ratio"] = res["peak_kib"] * 1024.0 / ctx["body_limit"]
    res["at_cap"] = bool(args.cap_mib) and (
        res["peak_kib"] >= args.cap_mib * 1024 * 0.9 or res["responder_died"])
    save(os.path.join(ctx["results"], "rss-%s.json" % args.name), res)
    say("rss %s: %d MiB peak (%.1fx the body limit)%s, answer %d in %.1f s"
        % (args.name, res["peak_kib"] // 1024, res["ratio"],
           " AT THE CAP" if res["at_cap"] else "", res["status"],
           res["seconds"]))


# --- profile -------------------------------------------------------------------------------

def perf_report(data, *opts):
    r = subprocess.run(["perf", "report", "-i", data, "--stdio", "-g", "none"]
                       + list(opts), capture_output=True, text=True)
    return r.stdout


def top_lines(text, n):
    rows = []
    for line in text.splitlines():
        m = re.match(r"\s+([0-9.]+)%\s+(?:[0-9.]+%\s+)?(.*\S)", line)
        if m and not line.lstrip().startswith("#"):
            rows.append((float(m.group(1)), re.sub(r"\s+", " ", m.group(2))))
        if len(rows) >= n:
            break
    return rows


def inclusive(data, comm, n):
    """The share of comm's samples in which each function is on the stack
    (once per sample, so recursion and several processes count right),
    the n largest, as perf report --children does not merge them."""
    p = subprocess.Popen(["perf", "script", "-i", data, "--comms", comm,
                          "-F", "ip,sym"], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True, errors="replace")
    counts, total, seen = {}, 0, None
    for line in p.stdout:
        fields = line.split(None, 1)
        if not fields:
            if seen is not None:
                for sym in seen:
                    counts[sym] = counts.get(sym, 0) + 1
                total += 1
            seen = None
            continue
        if seen is None:
            seen = set()
        if len(fields) == 2:
            sym = re.sub(r"\+0x[0-9a-f]+$", "", fields[1].strip())
            if sym and sym != "[unknown]":
                seen.add(sym)
    p.wait()
    if seen is not None:
        for sym in seen:
            counts[sym] = counts.get(sym, 0) + 1
        total += 1
    rows = sorted(((100.0 * c / total, sym) for sym, c in counts.items()),
                  reverse=True)
    return rows[:n]


def cmd_profile(args):
    ctx = load(args.ctx)
    data = os.path.join(ctx["out"], "perf.data")
    pids = responders(ctx)
    others = [read_pid(ctx["lighttpd_pidfile"]), read_pid(ctx["db_pidfile"])]
    argv = load_argv(ctx, "llmops", "batch", args.c, args.seconds + 3,
                     "%s-profile" % ctx["run_id"])
    load_p = subprocess.Popen(argv, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    CHILDREN.append(load_p)
    time.sleep(1.5)
    rec = subprocess.Popen(
        ["perf", "record", "-q", "-F", "499", "--call-graph", "dwarf,16384",
         "-o", data, "-p", ",".join(str(p) for p in pids + others if p)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    CHILDREN.append(rec)
    time.sleep(args.seconds)
    rec.send_signal(signal.SIGINT)
    err = rec.communicate(timeout=120)[1]
    load_p.wait()
    if rec.returncode not in (0, -signal.SIGINT):
        die("perf record failed: %s" % err.strip())
    by_comm = perf_report(data, "--no-children", "--sort", "comm")
    comms = ",".join(proc_exe(p) or "llmops.fcgi" for p in pids[:1])
    self_syms = perf_report(data, "--no-children", "--comms", comms,
                            "--percentage", "relative", "--sort", "dso,sym")
    incl = inclusive(data, comms, 40)
    text = ("perf profile of tools/bench: llmops responders, lighttpd and "
            "MariaDB under 75-event batches at concurrency %d, %d s, "
            "perf record -F 499 --call-graph dwarf\n\n"
            "== CPU by process (share of all samples) ==\n%s\n"
            "== llmops.fcgi: self time by symbol (share of its samples) ==\n%s\n"
            "== llmops.fcgi: time including callees (share of its samples "
            "with the function on the stack) ==\n%s"
            % (args.c, args.seconds, by_comm, self_syms,
               "".join("%8.1f%%  %s\n" % r for r in incl)))
    with open(os.path.join(ctx["out"], "profile.txt"), "w") as f:
        f.write(text)
    summary = {
        "concurrency": args.c, "seconds": args.seconds,
        "by_process": top_lines(by_comm, 8),
        "self": top_lines(self_syms, args.top),
        "inclusive": [list(r) for r in incl[:args.top]],
    }
    save(os.path.join(ctx["results"], "profile.json"), summary)
    say("profile: %s/profile.txt" % ctx["out"])


# --- report -------------------------------------------------------------------------------

TARGETS_DOC = "issue 10"


def gather(results):
    runs = {}
    for path in glob.glob(os.path.join(results, "run-*.json")):
        r = load(path)
        runs[(r["target"], r["shape"], r["concurrency"])] = r
    out = {"facts": load(os.path.join(results, "facts.json")),
           "meta": load(os.path.join(results, "meta.json")),
           "runs": [runs[k] for k in sorted(runs)]}
    for name in ("parse", "profile"):
        p = os.path.join(results, name + ".json")
        if os.path.exists(p):
            out[name] = load(p)
    out["rss"] = {}
    for p in glob.glob(os.path.join(results, "rss-*.json")):
        out["rss"][os.path.basename(p)[4:-5]] = load(p)
    return out, runs


def targets(res, runs):
    """The targets of issue 10, as measured in this run."""
    t = []

    def add(name, value, op, limit, unit="x", note=""):
        ok = None
        if value is not None:
            ok = value <= limit if op == "<=" else value >= limit
        t.append({"name": name, "value": value, "op": op, "target": limit,
                  "unit": unit, "pass": ok, "note": note})

    concs = sorted({k[2] for k in runs})
    for c in concs:
        e, l = runs.get(("empty", "batch", c)), runs.get(("llmops", "batch", c))
        v = (l["latency_ms"]["p99"] / e["latency_ms"]["p99"]
             if e and l and e["latency_ms"]["p99"] else None)
        add("batch p99 ack, llmops/empty, c=%d" % c, v, "<=", 2.0)
    l2 = runs.get(("llmops", "batch", 2))
    add("batch p99 ack at c=2", l2["latency_ms"]["p99"] if l2 else None,
        "<=", 10.0, "ms")
    for c in concs:
        e, l = runs.get(("empty", "batch", c)), runs.get(("llmops", "batch", c))
        v = (l["events_per_s"] / e["events_per_s"]
             if e and l and e["events_per_s"] else None)
        add("batch events/s, llmops/empty, c=%d" % c, v, ">=", 0.5)
    best = {tg: max((r["events_per_s"] for k, r in runs.items()
                     if k[0] == tg and k[1] == "batch"), default=None)
            for tg in ("empty", "llmops")}
    add("batch events/s, best llmops/best empty",
        best["llmops"] / best["empty"] if best["llmops"] and best["empty"] else None,
        ">=", 0.5)
    for c in concs:
        e, l = runs.get(("empty", "single", c)), runs.get(("llmops", "single", c))
        v = l["rps"] / e["rps"] if e and l and e["rps"] else None
        add("single-event req/s, llmops/empty, c=%d" % c, v, ">=", 0.5)
    vis = [r["visibility"] for r in runs.values() if "visibility" in r]
    vmax = None
    if vis:
        maxes = [v["visible_ms"]["max"] for v in vis]
        if all(m is not None for m in maxes) and not any(v["timeouts"] for v in vis):
            vmax = max(maxes) / 1e3
        else:
            vmax = Markers.TIMEOUT
    add("acked event visible in MariaDB (max, batched load)", vmax, "<=", 2.0, "s")
    for name, r in sorted(res["rss"].items()):
        add("peak RSS / body limit, %s body" % name, r["ratio"], "<=", 3.0, "x",
            "at least (the cap of %d MiB stopped it)" % r["cap_mib"]
            if r["at_cap"] else "")
    return t


def fmt(v, unit, digits=None):
    if v is None:
        return "-"
    if unit == "x":
        return "%.2fx" % v if v < 10 else "%.0fx" % v
    if unit == "ms":
        return "%.1f ms" % v
    if unit == "s":
        return "%.3f s" % v if v < 10 else "%.0f s" % v
    return str(v)


def table(res):
    f, meta = res["facts"], res["meta"]
    runs = {(r["target"], r["shape"], r["concurrency"]): r for r in res["runs"]}
    L = []
    L.append("llmops tools/bench, %s, %s run (%d s per point after %d s of "
             "warm-up)" % (f["date"], f["mode"], f["duration_s"], f["warmup_s"]))
    L.append("code: %s%s \"%s\"" % (f["commit"], " (with local changes)"
                                    if f["dirty"] else "", f["describe"][:60]))
    L.append("machine: %s, %d cores, %.0f GiB, Debian %s, kernel %s, %s"
             % (f["cpu"], f["cores"], f["memory_gib"], f["debian"], f["kernel"],
                f["virt"] or "bare metal"))
    L.append("  state on %s, fdatasync of 4 KB p50 %.2f ms p99 %.2f ms; "
             "load average at start %.2f, at the end %.2f"
             % (f["state_fs"], f["fdatasync_4k_ms"]["p50"],
                f["fdatasync_4k_ms"]["p99"], f["loadavg_start"][0],
                f.get("loadavg_end", [0])[0]))
    ms = f["mariadb_settings"]
    L.append("  %s; MariaDB %s (innodb_flush_log_at_trx_commit=%d, log_bin=%d, "
             "sync_binlog=%d);" % (f["lighttpd"].split(" ")[0], f["mariadb"],
                                   ms["innodb_flush_log_at_trx_commit"],
                                   ms["log_bin"], ms["sync_binlog"]))
    L.append("  load: %s; json-c %s; CFLAGS %s; max-procs %d per responder"
             % ("tools/bench-load" if f.get("client", "load") == "load"
                else f["wrk"].split(" [")[0], f["json_c"], f["cflags"],
                f["max_procs"]))
    for shape, title in (("batch", "%d-event LiteLLM batches (%.0f KB each)"
                          % (meta["batch_events"], meta["batch_bytes"] / 1e3)),
                         ("single", "single-event POSTs (log_format single, "
                          "%.1f KB each)" % (meta["single_bytes"] / 1e3))):
        L.append("")
        L.append(title + ", through lighttpd:")
        L.append("  conc  target     req/s   events/s  stored/s    p50 ms    "
                 "p99 ms   non-2xx  CPU ms/req  other")
        for c in sorted({k[2] for k in runs if k[1] == shape}):
            for tg in ("empty", "llmops"):
                r = runs.get((tg, shape, c))
                if not r:
                    continue
                cpu = r["cpu_ms_per_request"]
                server = sum(cpu.get(k, 0) for k in ("lighttpd", tg, "mariadbd"))
                other = 100.0 * r["cpu_s"].get("other", 0) / (
                    r["seconds"] * f["cores"])
                st = r.get("stored", {}).get("stored_per_s")
                L.append("  %4d  %-7s %8.0f %10.0f %9s %9.2f %9.2f %9d %11.2f "
                         "%5.0f%%"
                         % (c, tg, r["rps"], r["events_per_s"],
                            "-" if st is None else "%.0f" % st,
                            r["latency_ms"]["p50"], r["latency_ms"]["p99"],
                            r["non_2xx"] + r["socket_errors"], server, other))
    L.append("  events/s: acknowledged with 2xx; stored/s: rows of usage_events "
             "added during the point;")
    L.append("  CPU ms/req: lighttpd + the responders + MariaDB per answered "
             "request (the load client")
    L.append("  ran on the same cores); other: the share of the machine's CPU "
             "taken by processes outside the bench")
    if "parse" in res:
        L.append("")
        p = res["parse"]
        L.append("parse alone (litellm_parse in process, one core): batches %.0f "
                 "events/s (%.2f ms per body, %.0f MB/s); single events %.0f "
                 "events/s" % (p["batch"]["events_per_cpu_s"],
                               p["batch"]["ms_per_body"],
                               p["batch"]["mb_per_cpu_s"],
                               p["single"]["events_per_cpu_s"]))
    vis = [(c, runs[("llmops", "batch", c)]["visibility"])
           for c in sorted({k[2] for k in runs})
           if "visibility" in runs.get(("llmops", "batch", c), {})]
    if vis:
        L.append("")
        L.append("acknowledged -> visible in MariaDB (marker events during the "
                 "batched load):")
        for c, v in vis:
            vm = v["visible_ms"]
            L.append("  c=%-2d %3d markers: p50 %s, p99 %s, max %s%s"
                     % (c, v["markers"],
                        "-" if vm["p50"] is None else "%.1f ms" % vm["p50"],
                        "-" if vm["p99"] is None else "%.1f ms" % vm["p99"],
                        "-" if vm["max"] is None else "%.1f ms" % vm["max"],
                        "" if not (v["timeouts"] or v["failed"]) else
                        " (%d not visible within %d s, %d not acknowledged)"
                        % (v["timeouts"], Markers.TIMEOUT, v["failed"])))
    stored = [r for r in res["runs"] if "stored" in r]
    if stored:
        s = stored[-1]["stored"]
        L.append("  events acknowledged with 2xx: %d, stored: %d%s"
                 % (s["acked_events_total"], s["stored_events_total"],
                    "" if s["stored_events_total"] >= s["acked_events_total"]
                    else " (SOME ACKNOWLEDGED EVENTS WERE NOT STORED)"))
        for r in stored:
            x = r["stored"]
            if not x.get("backlog_at_load_end") and x["all_stored"]:
                continue
            if not x["all_stored"]:
                how = "NOT ALL STORED (%d missing)" % (
                    x["acked_events_total"] - x["stored_events_total"])
            elif x.get("drained_by_ctl"):
                how = ("not all stored after %.0f s without traffic; llmopsctl "
                       "spool drain loaded the rest in %.1f s"
                       % (x["drain_s"], x["ctl_drain_s"]))
            else:
                how = "the responders stored them within %.1f s" % x["drain_s"]
            L.append("  %s c=%d: %d acknowledged events not yet stored when "
                     "the load stopped; %s"
                     % (r["shape"], r["concurrency"],
                        x.get("backlog_at_load_end", 0), how))
    if res["rss"]:
        L.append("")
        L.append("peak RSS of a responder (VmHWM) for a body of the limit "
                 "(%d bytes):" % meta["body_limit"])
        order = {"real": 0, "objects": 1, "zeros": 2}
        for name, r in sorted(res["rss"].items(),
                              key=lambda kv: (order.get(kv[0], 9), kv[0])):
            what = {"real": "%d real-shaped events" % meta["rss_real_events"],
                    "objects": "[[{},{},...]], %d empty objects"
                    % meta["rss_hostile_objects"],
                    "zeros": "[[0,0,...]], %d zeros"
                    % meta.get("rss_hostile_zeros", 0)}.get(name, name)
            L.append("  %-8s %s: %s%d MiB = %.1fx the limit (answer %d, %.1f s)"
                     % (name, what, ">= " if r["at_cap"] else "",
                        r["peak_kib"] // 1024, r["ratio"], r["status"],
                        r["seconds"]))
            if r["at_cap"]:
                L.append("           stopped at the address-space cap of %d MiB "
                         "(tools/bench --rss-cap)" % r["cap_mib"])
    L.append("")
    L.append("targets (%s), measured in this run:" % TARGETS_DOC)
    for t in res["targets"]:
        L.append("  %-52s %10s  %s %-6s %s%s"
                 % (t["name"], fmt(t["value"], t["unit"]), t["op"],
                    fmt(t["target"], t["unit"]),
                    {True: "met", False: "MISSED", None: "-"}[t["pass"]],
                    " (%s)" % t["note"] if t["note"] else ""))
    if "profile" in res:
        pr = res["profile"]
        L.append("")
        L.append("profile (perf, llmops responders, batches at c=%d): by process "
                 % pr["concurrency"] + ", ".join("%s %.1f%%" % (n, v)
                                                 for v, n in pr["by_process"][:5]))
        L.append("  self time of llmops.fcgi by symbol:")
        for v, n in pr["self"]:
            L.append("    %5.1f%%  %s" % (v, n))
        if pr.get("inclusive"):
            L.append("  llmops.fcgi samples with the function on the stack:")
            for v, n in pr["inclusive"]:
                L.append("    %5.1f%%  %s" % (v, n))
    return "\n".join(L) + "\n"


def cmd_report(args):
    res, runs = gather(args.results)
    res["facts"]["loadavg_end"] = os.getloadavg()
    res["targets"] = targets(res, runs)
    text = table(res)
    res["table"] = text
    save(args.json, res)
    with open(os.path.splitext(args.json)[0] + ".txt", "w") as f:
        f.write(text)
    sys.stdout.write("\n" + text + "\n")
    say("results: %s (and .txt)" % args.json)


def cmd_doc(args):
    """The block of doc/PERFORMANCE: the table, indented as the doc is."""
    res = load(args.json)
    for line in res["table"].splitlines():
        print(("  " + line).rstrip())


# --- the read path (tools/bench --read) -----------------------------------------------

class Browser:
    """The dashboard as a browser uses it: the session cookie after the
    login form (its login_token), on a new connection per request."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, body=None, headers=None, timeout=60):
        hdrs = dict(headers or {})
        if self.cookies:
            hdrs["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=hdrs)
            resp = conn.getresponse()
            data = resp.read()
            for k, v in resp.getheaders():
                if k.lower() == "set-cookie":
                    name, _, rest = v.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
            return resp.status, data
        finally:
            conn.close()

    def login(self, email, password):
        status, page = self.request("GET", "/login")
        m = re.search(rb'name="login_token" value="([^"]*)"', page)
        if status != 200 or not m:
            die("GET /login: %d, no login form" % status)
        form = "email=%s&password=%s&login_token=%s" % tuple(
            urllib.parse.quote(x, safe="") for x in
            (email, password, m.group(1).decode()))
        status, _ = self.request("POST", "/login", body=form, headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": "http://127.0.0.1:%d" % self.port})
        if status != 303:
            die("POST /login answered %d" % status)


def read_views():
    """Every dashboard page and API query: (name, path, kind)."""
    pages = [("overview", "/"), ("departments", "/departments"),
             ("teams", "/teams"), ("agents", "/agents"), ("models", "/models"),
             ("timeseries split=model", "/timeseries?split=model"),
             ("errors", "/errors"), ("events", "/events")]
    api = [("api usage", "/api/v1/usage")]
    for g in ("department", "team", "agent", "model", "provider", "status",
              "day", "hour"):
        api.append(("api usage group_by=" + g, "/api/v1/usage?group_by=" + g))
    api.append(("api events", "/api/v1/events"))
    return [(n, p, "page") for n, p in pages] + [(n, p, "api") for n, p in api]


def cmd_read(args):
    ctx = load(args.ctx)
    up = urllib.parse
    events = int(sql_value(ctx, "SELECT COUNT(*) FROM usage_events"))
    org = ctx["read_org"]
    org_id = int(sql_value(ctx, "SELECT id FROM organizations WHERE name = '%s'" % org))
    dept = sql_value(ctx, "SELECT department FROM usage_events WHERE org_id = %d "
                     "GROUP BY department ORDER BY COUNT(*) DESC LIMIT 1" % org_id)
    model = "claude-sonnet-4-20250514"
    b = Browser(ctx["port"])
    b.login(ctx["read_email"], ctx["read_password"])
    key = {"Authorization": "Bearer " + ctx["read_apikey"]}
    filters = [("none", ""), ("department", "department=" + up.quote(dept)),
               ("model", "model=" + up.quote(model))]
    rows = []
    started = time.time()
    for name, path, kind in read_views():
        for rng in ("default", "30d"):
            for fname, fq in filters:
                q = [x for x in (("range=30d" if rng == "30d" else ""), fq) if x]
                full = path + (("&" if "?" in path else "?") + "&".join(q) if q else "")
                lat, size, statuses, timeouts = [], None, set(), 0
                runs = args.runs
                i = 0
                while i < runs:
                    t0 = time.perf_counter()
                    try:
                        if kind == "page":
                            st, data = b.request("GET", full, timeout=args.timeout)
                        else:
                            st, data = b.request("GET", full, headers=key,
                                                 timeout=args.timeout)
                    except (OSError, http.client.HTTPException):
                        timeouts += 1
                        break
                    dt = (time.perf_counter() - t0) * 1000
                    statuses.add(st)
                    size = len(data)
                    lat.append(dt)
                    if i == 0 and dt > 0:
                        # Bounded: at most --view-seconds per view and range.
                        runs = max(args.min_runs, min(args.runs, int(
                            args.view_seconds * 1000 / dt)))
                    i += 1
                rows.append({"view": name, "kind": kind, "range": rng,
                             "filter": fname, "path": full, "runs": len(lat),
                             "p50_ms": percentile(lat, 50),
                             "p95_ms": percentile(lat, 95),
                             "bytes": size, "status": sorted(statuses),
                             "timeouts": timeouts})
                say("%8d events  %-28s %-7s %-10s %s runs  p50 %s ms  p95 %s ms  %s bytes%s"
                    % (events, name, rng, fname, len(lat),
                       fmt_ms(percentile(lat, 50)), fmt_ms(percentile(lat, 95)),
                       size, "  TIMEOUT" if timeouts else ""))
    # Bytes per event, per table, from information_schema (after ANALYZE).
    # Base tables only: usage_events is a view of usage_event_rows and
    # labels (schema 8), and a view has no size.
    tables = sql_value(ctx, "SELECT GROUP_CONCAT(table_name) FROM "
                       "information_schema.TABLES WHERE table_schema = 'llmops' "
                       "AND table_type = 'BASE TABLE' AND (table_name LIKE "
                       "'usage%' OR table_name LIKE '%rollup%' OR table_name "
                       "IN ('dimension_values', 'labels'))").split(",")
    sql_value(ctx, "ANALYZE TABLE " + ", ".join(tables))
    # On disk: the pages flushed (FLUSH ... FOR EXPORT writes a table's
    # dirty pages), then the blocks each file holds (ALLOCATED_SIZE: with
    # page compression, schema 9, less than the pages' own size).
    sql_value(ctx, "FLUSH TABLES %s FOR EXPORT; UNLOCK TABLES"
              % ", ".join(tables))
    disk = {}
    for line in sql_value(ctx, "SELECT SUBSTRING_INDEX(name, '/', -1), "
                          "allocated_size FROM information_schema."
                          "INNODB_SYS_TABLESPACES WHERE name LIKE "
                          "'llmops/%'").splitlines():
        t, a = line.split("\t")
        disk[t] = int(a)
    sizes = {}
    for line in sql_value(ctx, "SELECT table_name, data_length, index_length, "
                          "table_rows FROM information_schema.TABLES WHERE "
                          "table_schema = 'llmops' AND table_name IN (%s)"
                          % ",".join("'%s'" % t for t in tables)).splitlines():
        t, d, i, n = line.split("\t")
        sizes[t] = {"data": int(d), "index": int(i), "rows": int(n),
                    "bytes_per_event": (int(d) + int(i)) / max(events, 1),
                    "disk": disk.get(t, 0),
                    "disk_bytes_per_event": disk.get(t, 0) / max(events, 1)}
    res = {"events": events, "org": org, "department": dept, "model": model,
           "views": rows, "tables": sizes, "seconds": time.time() - started,
           "total_bytes_per_event": sum(v["bytes_per_event"] for v in sizes.values()),
           "total_disk_bytes_per_event": sum(v["disk_bytes_per_event"]
                                             for v in sizes.values())}
    if args.gen:
        res["gen"] = json.loads(args.gen)
    save(os.path.join(ctx["results"], "read-%d.json" % events), res)


def fmt_ms(v):
    return "-" if v is None else ("%.1f" % v if v < 100 else "%.0f" % v)


def read_table(res):
    f = res["facts"]
    out = ["llmops tools/bench --read, %s, %s run" % (f["date"], f["mode"]),
           "code: %s \"%s\"%s" % (f["commit"], f["describe"],
                                  " (uncommitted changes)" if f["dirty"] else ""),
           "machine: %s, %d cores, %s GiB; load average at start %.2f" % (
               f["cpu"], f["cores"], f["memory_gib"], f["loadavg_start"][0]),
           "  MariaDB %s: %s" % (f["mariadb"], ", ".join(
               "%s=%s" % kv for kv in f["mariadb_settings"].items())),
           "  events: tools/gen-events, 30 days, 2 organizations, 20 departments, "
           "100 teams, 500 agents, 30 models; measured as the larger organization "
           "(%s)" % res["sizes"][0]["org"] if res["sizes"] else ""]
    for s in res["sizes"]:
        g = s.get("gen", {})
        out.append("")
        out.append("%d events: generated and loaded at %s events/s (%.1f s), "
                   "rollups rebuilt in %s s (%s); filters department=%s, model=%s"
                   % (s["events"], g.get("events_per_s", "-"), g.get("seconds", 0),
                      g.get("rebuild_seconds", "-"), g.get("rebuild_output", ""),
                      s["department"], s["model"]))
        out.append("  %-28s %-7s %-10s %4s %9s %9s %9s" % (
            "view", "range", "filter", "runs", "p50 ms", "p95 ms", "bytes"))
        worst = 0
        for r in s["views"]:
            worst = max(worst, r["p95_ms"] or 0)
            out.append("  %-28s %-7s %-10s %4d %9s %9s %9s%s" % (
                r["view"], r["range"], r["filter"], r["runs"],
                fmt_ms(r["p50_ms"]), fmt_ms(r["p95_ms"]),
                r["bytes"] if r["bytes"] is not None else "-",
                "" if r["status"] == [200] else "  status %s" % r["status"]
                if not r["timeouts"] else "  TIMEOUT (%d s)" % res["timeout"]))
        out.append("  bytes per event: pages (information_schema.TABLES data +"
                   " index), on disk (INNODB_SYS_TABLESPACES.ALLOCATED_SIZE):")
        for t, v in sorted(s["tables"].items()):
            out.append("    %-20s %8.1f %8s  (%d rows, %.1f MiB, %s MiB on disk)"
                       % (t, v["bytes_per_event"],
                          "%.1f" % v["disk_bytes_per_event"]
                          if "disk" in v else "-", v["rows"],
                          (v["data"] + v["index"]) / 1048576,
                          "%.1f" % (v["disk"] / 1048576) if "disk" in v
                          else "-"))
        on_disk = s.get("total_disk_bytes_per_event", s["total_bytes_per_event"])
        out.append("    %-20s %8.1f %8.1f" % ("total", s["total_bytes_per_event"],
                                              on_disk))
        out.append("  targets: every view p95 <= 100 ms: worst %s ms %s; "
                   "<= 250 bytes per event on disk: %.0f %s" % (
                       fmt_ms(worst), "met" if worst <= 100 else "MISSED",
                       on_disk, "met" if on_disk <= 250 else "MISSED"))
    return "\n".join(out)


def cmd_read_report(args):
    ctx = load(args.ctx)
    mdb = sql_value(ctx, "SELECT CONCAT_WS(' ', @@version, "
                    "@@innodb_buffer_pool_size DIV 1048576, "
                    "@@innodb_log_file_size DIV 1048576, "
                    "@@innodb_flush_log_at_trx_commit, @@log_bin, @@sync_binlog, "
                    "@@binlog_format, @@innodb_autoinc_lock_mode, "
                    "@@innodb_flush_neighbors)").split()
    cpu = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kib = int(f.readline().split()[1])
    git = ["git", "-C", ctx["repo"]]
    facts = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "mode": ctx["mode"], "cpu": cpu, "cores": os.cpu_count(),
        "memory_gib": round(mem_kib / 1048576, 1),
        "loadavg_start": ctx["loadavg_start"],
        "commit": first_line(git + ["rev-parse", "--short=12", "HEAD"]),
        "describe": first_line(git + ["log", "-1", "--format=%s"]),
        "dirty": bool(first_line(git + ["status", "--porcelain",
                                        "--untracked-files=no"])),
        "mariadb": mdb[0],
        "mariadb_settings": dict(zip(
            ("buffer_pool_mib", "log_file_mib", "innodb_flush_log_at_trx_commit",
             "log_bin", "sync_binlog", "binlog_format",
             "innodb_autoinc_lock_mode", "innodb_flush_neighbors"), mdb[1:])),
    }
    sizes = sorted((load(p) for p in glob.glob(os.path.join(ctx["results"],
                                                              "read-*.json"))),
                   key=lambda r: r["events"])
    res = {"facts": facts, "sizes": sizes, "timeout": ctx["read_timeout"]}
    text = read_table(res)
    res["table"] = text
    save(args.json, res)
    with open(os.path.splitext(args.json)[0] + ".txt", "w") as f:
        f.write(text + "\n")
    sys.stdout.write("\n" + text + "\n")
    say("results: %s (and .txt)" % args.json)


def main():
    ap = argparse.ArgumentParser(prog="tools/bench.py")
    ap.add_argument("--ctx")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("bodies")
    p.add_argument("--fixtures", required=True)
    p.add_argument("--events", type=int, default=75)
    p.add_argument("--templates", type=int, default=8)
    p.add_argument("--limit", type=int, required=True)
    p.add_argument("--max-events", type=int, default=10000)
    sub.add_parser("check")
    sub.add_parser("facts")
    p = sub.add_parser("parse")
    p.add_argument("--seconds", type=float, default=2.0)
    p = sub.add_parser("run")
    p.add_argument("--target", choices=("empty", "llmops"), required=True)
    p.add_argument("--shape", choices=("batch", "single"), required=True)
    p.add_argument("-c", type=int, required=True)
    p.add_argument("--duration", type=int, required=True)
    p.add_argument("--warmup", type=int, default=0)
    p.add_argument("--markers", action="store_true")
    p.add_argument("--marker-interval", type=float, default=0.2)
    p.add_argument("--settle", type=float, default=10.0)
    p = sub.add_parser("rss")
    p.add_argument("--name", required=True)
    p.add_argument("--body", required=True)
    p.add_argument("--cap-mib", type=int, default=0)
    p.add_argument("--timeout", type=float, default=300)
    p = sub.add_parser("profile")
    p.add_argument("-c", type=int, default=8)
    p.add_argument("--seconds", type=int, default=10)
    p.add_argument("--top", type=int, default=20)
    p = sub.add_parser("report")
    p.add_argument("--results", required=True)
    p.add_argument("--json", required=True)
    p = sub.add_parser("doc")
    p.add_argument("--json", required=True)
    p = sub.add_parser("read")
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--min-runs", type=int, default=3)
    p.add_argument("--view-seconds", type=float, default=10.0)
    p.add_argument("--timeout", type=float, default=30.0)
    p.add_argument("--gen", default="")
    p = sub.add_parser("read-report")
    p.add_argument("--json", required=True)
    args = ap.parse_args()
    {"bodies": cmd_bodies, "check": cmd_check, "facts": cmd_facts,
     "parse": cmd_parse, "run": cmd_run, "rss": cmd_rss, "profile": cmd_profile,
     "report": cmd_report, "doc": cmd_doc, "read": cmd_read,
     "read-report": cmd_read_report}[args.cmd](args)


if __name__ == "__main__":
    main()
