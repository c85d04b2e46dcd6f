"""What the spool's fault tests share (tests/it_spool_*.py, it_health.py).

A stack with a private spool directory; posters that send batches of
unique events from several threads and remember every answer; the proof
of exactly once (every event answered 2xx stored once, in usage_events
and in the rollups); `llmopsctl spool status|drain`; and a reader of the
spool's files (the layout of lib/spool.h) to damage them on purpose.

Everything is bounded: posters stop after a time or a number of batches,
whichever comes first, and every wait has a deadline.
"""

import fcntl
import json
import os
import struct
import threading
import time

import harness as h

CALLBACK = "/api/litellm/callback"
HEALTH = "/api/health"

# lib/spool.h
SEGMENT_HEADER_BYTES = 128
RECORD_HEADER_BYTES = 40
RECORD_MAGIC = b"\x89SPR"
SET_ASIDE_DIR = "set-aside"


def spool_dir(path=None):
    """A spool directory as the sample configuration wants it: owned by
    the web server's user, 0750. Returns its path."""
    if path is None:
        path = h.unique_dir("spool")
    os.chmod(path, 0o750)
    ids = h.web_ids()
    if ids:
        os.chown(path, ids[0], ids[1])
    return path


def spool_conf(path, extra=""):
    """The configuration group naming the spool directory."""
    return 'spool = {\n  dir = "%s";\n%s};\n' % (path, extra)


def start_stack(spool, conf_extra="", **kw):
    """A lighttpd stack whose responders spool into spool."""
    return h.start_all("lighttpd", conf_extra=spool_conf(spool) + conf_extra,
                       **kw)


def event(eid, token, t=None):
    """One small LiteLLM event with id eid, attributed by token."""
    t = time.time() - 60 if t is None else t
    return {"id": eid, "call_type": "acompletion", "status": "success",
            "model": "openai/gpt-4", "startTime": t, "endTime": t + 0.5,
            "prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15,
            "metadata": {"requester_custom_headers":
                         {"x-cloudidr-token": token}}}


class Answer:
    """One POST: the ids it carried, its status (None: no answer at all),
    the parsed body."""

    def __init__(self, ids, status, doc):
        self.ids = ids
        self.status = status
        self.doc = doc

    def spooled(self):
        return (self.doc or {}).get("spooled") if isinstance(self.doc, dict) \
            else None


def post_batch(stack, ids, token, timeout=30):
    """POSTs the events ids; returns an Answer (never raises on the
    network: a connection the server dropped is status None)."""
    body = [event(i, token) for i in ids]
    try:
        status, _, doc = h.http_json("POST", stack.url(CALLBACK), body,
                                     timeout=timeout)
    except OSError as e:
        return Answer(ids, None, {"exception": repr(e)})
    return Answer(ids, status, doc)


class Posters:
    """n threads posting batches of batch events each, until stop() or
    max_seconds or max_batches per thread. answers holds every Answer."""

    def __init__(self, stack, token, n=4, batch=25, max_seconds=30,
                 max_batches=400, prefix="ev"):
        self.stack = stack
        self.token = token
        self.batch = batch
        self.max_seconds = max_seconds
        self.max_batches = max_batches
        self.prefix = prefix
        self.answers = []
        self.lock = threading.Lock()
        self.halt = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(k,),
                                         daemon=True) for k in range(n)]

    def _run(self, k):
        deadline = time.monotonic() + self.max_seconds
        for j in range(self.max_batches):
            if self.halt.is_set() or time.monotonic() > deadline:
                break
            ids = ["%s-%d-%d-%d" % (self.prefix, k, j, i)
                   for i in range(self.batch)]
            a = post_batch(self.stack, ids, self.token)
            with self.lock:
                self.answers.append(a)

    def start(self):
        for t in self.threads:
            t.start()
        return self

    def count(self):
        with self.lock:
            return len(self.answers)

    def wait_for(self, n, timeout=30):
        """Waits until n answers have come back (or timeout)."""
        deadline = time.monotonic() + timeout
        while self.count() < n and time.monotonic() < deadline:
            time.sleep(0.05)

    def stop(self):
        self.halt.set()
        for t in self.threads:
            t.join(timeout=120)
        return self

    def acked(self):
        return [i for a in self.answers if a.status is not None and
                200 <= a.status < 300 for i in a.ids]

    def sent(self):
        return [i for a in self.answers for i in a.ids]

    def statuses(self):
        out = {}
        for a in self.answers:
            out[a.status] = out.get(a.status, 0) + 1
        return out


def stored_counts(db, prefix=None):
    """{litellm_id: rows} of usage_events (those starting with prefix)."""
    q = "SELECT litellm_id, COUNT(*) FROM usage_events"
    if prefix is not None:
        q += " WHERE litellm_id LIKE '%s%%'" % prefix.replace("'", "''")
    q += " GROUP BY litellm_id"
    return {r[0]: int(r[1]) for r in db.sql(q)}


def rollup_requests(db):
    """(events in usage_events, requests summed over usage_hourly)."""
    rows = db.sql("SELECT (SELECT COUNT(*) FROM usage_events), "
                  "(SELECT COALESCE(SUM(requests), 0) FROM usage_hourly)")
    return int(rows[0][0]), int(rows[0][1])


def check_exactly_once(db, acked, sent, what, strict=True, prefix=None):
    """Every acked id stored exactly once; nothing stored that was not
    sent; with strict, nothing stored that was not acked. The rollups
    count every stored event once."""
    stored = stored_counts(db, prefix)
    acked_set = set(acked)
    missing = sorted(i for i in acked_set if stored.get(i, 0) == 0)
    dup = sorted(i for i, n in stored.items() if n != 1)
    h.is_(len(acked), len(acked_set), "%s: the ids posted are unique" % what)
    h.ok(not missing, "%s: every one of %d events answered 2xx is stored"
         % (what, len(acked_set)), diag="missing: %r" % missing[:20])
    h.ok(not dup, "%s: no event is stored twice" % what,
         diag="duplicates: %r" % dup[:20])
    if not strict:
        h.diag("%s: %d events stored of batches not answered 2xx (their "
               "answer was lost after they were spooled)"
               % (what, len(set(stored) - acked_set)))
    others = set(stored) - (acked_set if strict else set(sent))
    h.ok(not others, "%s: nothing is stored %s" % (what, "but the events "
         "answered 2xx" if strict else "that was not sent"),
         diag="%d others: %r" % (len(others), sorted(others)[:20]))
    events, requests = rollup_requests(db)
    h.is_(requests, events, "%s: the hourly rollups count every stored "
          "event once" % what)
    return stored


def ctl(stack, *args, timeout=120):
    return h.llmopsctl(stack.conf, *args, timeout=timeout)


def spool_status(stack):
    """`llmopsctl spool status --format json` parsed (None when it prints
    no JSON), with the raw (rc, out, err): rc 1 when files were set
    aside."""
    rc, out, err = ctl(stack, "spool", "status", "--format", "json")
    try:
        doc = json.loads(out)
    except ValueError:
        doc = None
    return doc, (rc, out, err)


def drain(stack, timeout=120):
    """`llmopsctl spool drain` until it succeeds with nothing pending, or
    timeout. Returns (rc, out, err) of the last run."""
    deadline = time.monotonic() + timeout
    while True:
        res = ctl(stack, "spool", "drain")
        doc, _ = spool_status(stack)
        pending = (doc or {}).get("pending_events") if isinstance(doc, dict) \
            else None
        if (res[0] == 0 and not pending) or time.monotonic() > deadline:
            return res
        time.sleep(0.5)


def wait_loading(spool, timeout=5):
    """Waits until a loader holds the spool's lock (a load is under way);
    True when one did within timeout. Our probe takes the lock for no
    longer than a failed try."""
    path = os.path.join(spool, "loader.lock")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            time.sleep(0.005)
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        else:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
        time.sleep(0.002)
    return False


def health(stack):
    status, _, doc = h.http_json("GET", stack.url(HEALTH))
    return status, doc if isinstance(doc, dict) else {}


# ---------------------------------------------------------------------------
# The spool's files (lib/spool.h)

def segments(path):
    """The segment files of the spool directory path, in name order."""
    return sorted(n for n in os.listdir(path)
                  if n.startswith("seg-") and n.endswith(".spool"))


def records(path):
    """[(offset, total bytes, events)] of the records of the segment file
    path, read by their lengths from the first record on."""
    with open(path, "rb") as f:
        data = f.read()
    out = []
    off = SEGMENT_HEADER_BYTES
    while off + RECORD_HEADER_BYTES <= len(data):
        if data[off:off + 4] != RECORD_MAGIC:
            break
        length, nev = struct.unpack_from("<II", data, off + 8)
        total = RECORD_HEADER_BYTES + length
        if off + total > len(data):
            break
        out.append((off, total, nev))
        off += total
    return out
