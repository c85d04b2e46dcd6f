#!/usr/bin/env python3
"""The spool through the real stack (lighttpd, one responder):

- An accepted event is answered "spooled" and loaded by the responder
  itself right after its answer; `llmopsctl spool status` reports nothing
  pending and a successful last load.
- While MariaDB is down callbacks still get 200: tokens the responder has
  cached are checked, others are kept unchecked; `spool status` reports the
  pending events, since when, and the failed load. Once MariaDB is back,
  `spool drain` stores every event exactly once and rejects (and logs) the
  event whose token turns out unknown.
- Records loaded again (a crash between commit and marking them loaded)
  come back as duplicates and add nothing.
- A segment with a torn last record and one with a flipped byte: every
  intact record is loaded, the bad ones are not, both segments are set
  aside, and `spool status` lists them (exit 1) and the log says so.
"""

import hashlib
import json
import os
import shutil
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402

CALLBACK = "/api/litellm/callback"
HEADER = 128        # segment header (lib/spool.h)
REC_HEADER = 40     # record header


def event(name, token, i=0):
    return {"id": name, "call_type": "acompletion", "status": "success",
            "model": "openai/gpt-4o", "startTime": 1764000000.0 + i,
            "endTime": 1764000000.5 + i, "prompt_tokens": 10,
            "completion_tokens": 5, "total_tokens": 15,
            "metadata": {"requester_custom_headers":
                         {"x-cloudidr-token": token}}}


def post(stack, events):
    status, _, doc = h.http_json("POST", stack.url(CALLBACK), events)
    return status, doc if isinstance(doc, dict) else {}


def status_of(conf):
    rc, out, err = h.llmopsctl(conf, "spool", "status", "--format", "json")
    try:
        return rc, json.loads(out)
    except ValueError:
        h.diag("spool status: %r %r" % (out, err))
        return rc, {}


def stored(db, ids):
    rows = db.sql("SELECT litellm_id, COUNT(*) FROM usage_events WHERE "
                  "litellm_id IN (%s) GROUP BY litellm_id"
                  % ", ".join("'%s'" % i for i in ids))
    return {r[0]: int(r[1]) for r in rows}


def wait_stored(db, ids, seconds=10):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if len(stored(db, ids)) == len(ids):
            break
        time.sleep(0.05)
    return stored(db, ids)


def segments(spool):
    return sorted(n for n in os.listdir(spool)
                  if n.startswith("seg-") and n.endswith(".spool"))


def records(data):
    """(offset, length) of each record of a segment's bytes."""
    out, off = [], HEADER
    while off + REC_HEADER <= len(data):
        (plen,) = struct.unpack_from("<I", data, off + 8)
        out.append((off, REC_HEADER + plen))
        off += REC_HEADER + plen
    return out


def unloaded(data):
    """The segment header of data with the loader's progress forgotten (its
    check no longer matches: read from the first record)."""
    head = bytearray(data[:HEADER])
    struct.pack_into("<QQQ", head, 56, 1, 1, 1)
    return bytes(head)


def encode_event(org_id, token_id, litellm_id, model):
    """One event as lib/spool_event.h describes it (version 1, on purpose:
    the records a spool holds from before an upgrade to version 2 must
    still load)."""
    def text(s):
        if s is None:
            return struct.pack("<H", 0xFFFF)
        b = s.encode()
        return struct.pack("<H", len(b)) + b
    body = struct.pack("<BBBBIIIIIIq", 1, 1, 2, 0, 0, org_id, token_id, 0,
                       0, 0, int(time.time() * 1e6))
    body += b"\x11" * 32 + os.urandom(16)
    body += text("trk_te")
    for s in (litellm_id, None, "acompletion", model, None, "openai", None,
              None, None, None, None):
        body += text(s)
    return struct.pack("<I", len(body)) + body


def record(key, events):
    """A record of the encoded events, its checksum keyed by the segment."""
    payload = struct.pack("<I", len(events)) + b"".join(events)
    head = b"\x89SPR" + bytes([1, 1, 0, 0]) + struct.pack(
        "<IIq", len(payload), len(events), int(time.time() * 1e6))
    return head + hashlib.sha256(key + head + payload).digest()[:16] + payload


def check_refused(stack, db):
    """A record MariaDB refuses (a model name longer than its column) is
    set aside on its own; the records around it are loaded."""
    oid = int(db.sql("SELECT id FROM organizations WHERE name = 'spooled'")[0][0])
    tid = int(db.sql("SELECT MIN(id) FROM tracking_tokens WHERE org_id = %d"
                     % oid)[0][0])
    key = os.urandom(16)
    head = bytearray(HEADER)
    head[0:9] = b"LLMOPSSP\x01"
    head[104:120] = key
    body = bytes(head)
    body += record(key, [encode_event(oid, tid, "p-1", "gpt-4o")])
    body += record(key, [encode_event(oid, tid, "p-2", "m" * 300)])
    body += record(key, [encode_event(oid, tid, "p-3", "gpt-4o")])
    spool = stack.conf + ".spool"
    with open(os.path.join(spool, "seg-0000000000000000-refused.spool"),
              "wb") as f:
        f.write(body)
    rc, out, err = h.llmopsctl(stack.conf, "spool", "drain")
    h.ok(rc == 0 and "1 records set aside" in out,
         "a record MariaDB refuses: set aside, the drain goes on",
         diag=out + err)
    h.is_(stored(db, ["p-1", "p-2", "p-3"]), {"p-1": 1, "p-3": 1},
          "the records around it are loaded")
    rc, st = status_of(stack.conf)
    h.ok(rc == 1 and [n for n in st.get("set_aside") or []
                      if "refused" in n], "spool status lists it",
         diag=repr(st))
    aside = os.path.join(spool, "set-aside")
    for n in os.listdir(aside):
        os.unlink(os.path.join(aside, n))


def check_normal(stack, db, tok):
    status, doc = post(stack, [event("n-1", tok, 1), event("n-2", tok, 2)])
    h.is_((status, doc.get("accepted"), doc.get("spooled")), (200, 2, 2),
          "two events: 200, spooled")
    h.is_(wait_stored(db, ["n-1", "n-2"]), {"n-1": 1, "n-2": 1},
          "loaded by the responder after its answer, no drain")
    rc, st = status_of(stack.conf)
    h.ok(rc == 0 and st.get("pending_events") == 0 and
         st.get("last_load_ok") is True and st.get("set_aside") == [],
         "spool status: nothing pending, the last load succeeded",
         diag=repr(st))


def check_saturation(stack, db, tok):
    """A rollup sum at its column's limit saturates instead of failing every
    later load of its row."""
    top = 18446744073709551615
    db.sql("UPDATE usage_hourly SET latency_us_sum = %d - 10, total_tokens "
           "= %d - 1 WHERE requests = 2" % (top, top))
    status, doc = post(stack, [event("n-3", tok, 3)])
    h.is_((status, h.spool_drain(stack.conf)), (200, 0),
          "an event for a rollup row at its limits: loaded")
    h.is_(db.sql("SELECT requests, latency_us_sum, total_tokens FROM "
                 "usage_hourly WHERE requests = 3"),
          [("3", str(top), str(top))], "its sums saturate at the column's "
          "largest value; the count goes on")


def check_database_down(stack, db, tok, tok2):
    db.stop()
    t0 = time.time()
    status, doc = post(stack, [event("d-1", tok, 3), event("d-2", tok, 4)])
    h.is_((status, doc.get("accepted"), doc.get("spooled")), (200, 2, 2),
          "MariaDB down, a cached token: 200, spooled")
    status, doc = post(stack, [event("d-3", tok2, 5)])
    h.is_((status, doc.get("spooled")), (200, 1),
          "MariaDB down, a token the responder never saw: kept unchecked")
    status, doc = post(stack, [event("d-4", "trk_nobody_00000001", 6)])
    h.is_((status, doc.get("spooled")), (200, 1),
          "MariaDB down, an unknown token: kept unchecked too")
    # The responders' loaders try after the answers, on their own time
    # (gathering callbacks for a moment first): wait for their failure.
    rc, st = h.poll(lambda: status_of(stack.conf),
                    lambda r: r[1].get("last_load_ok") is False)
    h.ok(st.get("pending_events") == 4, "spool status: 4 events pending",
         diag=repr(st))
    h.ok(st.get("oldest_us") and t0 - 1 <= st["oldest_us"] / 1e6 <=
         time.time(), "spool status: waiting since the first of them",
         diag=repr(st))
    h.ok(st.get("last_load_ok") is False and st.get("last_load_error"),
         "spool status: the last load failed, and why", diag=repr(st))
    rc, out, err = h.llmopsctl(stack.conf, "spool", "status")
    h.ok(rc == 0 and "pending events: 4" in out and "FAILED" in out,
         "spool status as text", diag=out + err)
    rc, out, err = h.llmopsctl(stack.conf, "spool", "drain")
    h.ok(rc == 1 and err.strip(), "spool drain with MariaDB down: exit 1 "
         "with the reason", diag=err)

    db.start()
    rc, out, err = h.llmopsctl(stack.conf, "spool", "drain")
    h.ok(rc == 0 and "1 rejected" in out, "MariaDB back: spool drain loads "
         "them, one rejected", diag=out + err)
    h.is_(stored(db, ["d-1", "d-2", "d-3", "d-4"]),
          {"d-1": 1, "d-2": 1, "d-3": 1},
          "every event acknowledged while MariaDB was down stored once; "
          "the unknown token's event not at all")
    # Logged by whichever loader loaded it: here llmopsctl, on stderr.
    log = stack.error_log_text() + err
    h.ok(any("[LITELLM]" in l and "rejected when loaded" in l and
             "unknown_token" in l for l in log.splitlines()),
         "the rejection at load is logged [LITELLM]", diag=err)
    h.ok("trk_nobody_00000001" not in log and tok2 not in log,
         "no token in the log")
    rc, st = status_of(stack.conf)
    h.ok(st.get("pending_events") == 0 and st.get("last_load_ok") is True,
         "spool status: nothing pending, last load ok", diag=repr(st))


def check_replay(stack, db, spool, snapshot):
    """Segments copied before they were loaded, put back after."""
    before = db.sql("SELECT COUNT(*), SUM(requests) FROM usage_hourly")
    events = db.sql("SELECT COUNT(*) FROM usage_events")
    for i, name in enumerate(snapshot):
        with open(snapshot[name], "rb") as f:
            data = f.read()
        with open(os.path.join(spool, "seg-ffff-replay-%d.spool" % i),
                  "wb") as f:
            f.write(unloaded(data) + data[HEADER:])
    rc, out, err = h.llmopsctl(stack.conf, "spool", "drain")
    h.ok(rc == 0 and "loaded 8 events: 0 new, 7 duplicates, 1 rejected" in
         out, "every record loaded again from the start: duplicates (and "
         "the unknown token's event rejected again)", diag=out + err)
    h.is_(db.sql("SELECT COUNT(*) FROM usage_events"), events,
          "... no event added")
    h.is_(db.sql("SELECT COUNT(*), SUM(requests) FROM usage_hourly"), before,
          "... nothing added to the rollups")


def check_damage(db, conf, spool, tok):
    """A torn tail and a flipped byte, in segments of a stopped responder."""
    names = segments(spool)
    h.is_(len(names), 1, "one segment left by the stopped responder")
    with open(os.path.join(spool, names[0]), "rb") as f:
        data = f.read()
    (done,) = struct.unpack_from("<Q", data, 56)   # loaded up to here
    recs = [r for r in records(data) if r[0] >= done]
    h.is_(len(recs), 6, "six records in it not loaded (one per POST)")
    if len(recs) != 6:
        return
    head = unloaded(data)
    a = b"".join(data[o:o + n] for o, n in recs[:3])
    b = bytearray(b"".join(data[o:o + n] for o, n in recs[3:]))
    torn = bytes(head) + a[:-10]
    flip_at = recs[3][1] + REC_HEADER + 5       # in the 5th record's payload
    b[flip_at] ^= 0x20
    os.unlink(os.path.join(spool, names[0]))
    for name, body in (("seg-0000000000000001-torn.spool", torn),
                       ("seg-0000000000000002-flip.spool", bytes(head) + b)):
        with open(os.path.join(spool, name), "wb") as f:
            f.write(body)
    rc, out, err = h.llmopsctl(conf, "spool", "drain")
    h.ok(rc == 0, "spool drain with damaged segments: exit 0", diag=out + err)
    ids = ["x-%d" % i for i in range(1, 7)]
    h.is_(stored(db, ids), {"x-1": 1, "x-2": 1, "x-4": 1, "x-6": 1},
          "every intact record loaded, the torn and the flipped one not")
    rc, st = status_of(conf)
    h.ok(rc == 1 and sorted(st.get("set_aside") or []) ==
         ["seg-0000000000000001-torn.spool",
          "seg-0000000000000002-flip.spool"] and
         st.get("segments") == 0,
         "spool status: both segments set aside, listed, exit 1",
         diag=repr(st))
    rc, out, err = h.llmopsctl(conf, "spool", "status")
    h.ok(rc == 1 and "set aside:      2 files" in out, "... also as text",
         diag=out)


def main():
    db = h.MariaDB().start()
    stack = h.start_all("lighttpd", db=db, max_procs=1)
    spool = stack.conf + ".spool"
    tok = stack.token("spooled")
    tok2 = stack.token("spooled", label="second")
    check_normal(stack, db, tok)
    check_saturation(stack, db, tok)
    check_refused(stack, db)

    check_database_down(stack, db, tok, tok2)

    # What the responder's segment held before it was loaded.
    snapdir = h.unique_dir("snapshot")
    db.stop()
    post(stack, [event("r-1", tok, 7)])
    snapshot = {}
    for n in segments(spool):
        snapshot[n] = os.path.join(snapdir, n)
        shutil.copy(os.path.join(spool, n), snapshot[n])
    db.start()
    h.is_(h.spool_drain(stack.conf), 0, "spool drain")
    check_replay(stack, db, spool, snapshot)

    # Six records while MariaDB is down, then the responder stops.
    db.stop()
    for i in range(1, 7):
        post(stack, [event("x-%d" % i, tok, 10 + i)])
    stack.stop()
    h.ok(not stack.sanitizer_reports(), "no sanitizer report")
    db.start()
    check_damage(db, stack.conf, spool, tok)
    db.stop()
    h.done_testing()


main()
