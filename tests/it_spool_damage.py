#!/usr/bin/env python3
"""A torn and a corrupt spool file: detected, set aside, reported, every
intact record loaded, nothing half-applied (issue 10, proof 4).

With MariaDB stopped, one responder (lighttpd max-procs 1) spools six
batches of ten events, one record each, into one segment; lighttpd is
stopped (the segment is sealed) and started again, and six more batches
go into a second segment. Then the first segment is cut in the middle
of its last record (a write torn by a crash) and one byte in the middle
of the third record of the second is flipped (bit rot). MariaDB comes
back and `llmopsctl spool drain` loads: exactly the ten intact records'
events are stored, once; both segments are in set-aside/, `spool
status`, /api/health and the dashboard say so.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import spool_checks as sc  # noqa: E402

BATCHES = 6
EVENTS = 10


def spool_batches(stack, token, tag):
    """BATCHES posts of EVENTS events; returns the ids of each batch."""
    batches = []
    for j in range(BATCHES):
        a = sc.post_batch(stack, ["dmg-%s-%d-%d" % (tag, j, i)
                                  for i in range(EVENTS)], token)
        h.is_((a.status, a.spooled()), (200, EVENTS), "MariaDB down: batch "
              "%s%d is answered 200, %d spooled" % (tag, j, EVENTS))
        batches.append(a.ids)
    return batches


def main():
    spool = sc.spool_dir()
    stack = sc.start_stack(spool, max_procs=1)
    token = stack.token("damage")
    email = "viewer@damage.test"
    password = h.add_user(stack.conf, "damage", email, "viewer")

    stack.db.stop()
    first = spool_batches(stack, token, "a")
    stack.web.stop()
    stack.web.start()
    second = spool_batches(stack, token, "b")
    stack.web.stop()

    segs = sc.segments(spool)
    h.is_(len(segs), 2, "two segments, one per responder")
    if len(segs) != 2:
        h.diag("spool: %r" % os.listdir(spool))
        h.done_testing()
    recs = [sc.records(os.path.join(spool, s)) for s in segs]
    h.is_([[n for _, _, n in r] for r in recs], [[EVENTS] * BATCHES] * 2,
          "each batch is one record of %d events" % EVENTS)

    # The first: cut in the middle of its last record.
    off, total, _ = recs[0][-1]
    with open(os.path.join(spool, segs[0]), "r+b") as f:
        f.truncate(off + total // 2)
    # The second: one byte flipped in the middle of its third record.
    off, total, _ = recs[1][2]
    with open(os.path.join(spool, segs[1]), "r+b") as f:
        f.seek(off + sc.RECORD_HEADER_BYTES + (total -
               sc.RECORD_HEADER_BYTES) // 2)
        b = f.read(1)
        f.seek(-1, os.SEEK_CUR)
        f.write(bytes([b[0] ^ 0x20]))

    stack.db.start()
    stack.web.start()
    rc, out, err = sc.drain(stack)
    h.is_(rc, 0, "llmopsctl spool drain")
    if rc != 0:
        h.diag(out + err)

    intact = [i for b in first[:-1] + second[:2] + second[3:] for i in b]
    lost = first[-1] + second[2]
    stored = sc.check_exactly_once(stack.db, intact, intact,
                                   "damaged segments", strict=True,
                                   prefix="dmg-")
    h.ok(not any(i in stored for i in lost), "no event of the torn or the "
         "corrupt record is stored")

    aside = os.path.join(spool, sc.SET_ASIDE_DIR)
    names = sorted(os.listdir(aside)) if os.path.isdir(aside) else []
    h.ok(len(names) == 2 and all(any(n.startswith(s.rsplit(".", 1)[0])
                                     for n in names) for s in segs),
         "both segments are in set-aside/", diag=repr(names))
    h.is_(sc.segments(spool), [], "no segment is left in the spool")

    doc, (rc, out, err) = sc.spool_status(stack)
    h.is_(rc, 1, "llmopsctl spool status --format json exits 1: files "
          "were set aside")
    h.is_(sorted((doc or {}).get("set_aside") or []), names,
          "spool status lists the two files set aside")
    rc, out, err = sc.ctl(stack, "spool", "status")
    h.ok(rc == 1 and "set aside:      2 files" in out and
         all(n in out for n in names), "spool status names them",
         diag=out + err)

    status, doc = sc.health(stack)
    h.is_((status, doc.get("status")), (200, "degraded"),
          "/api/health: 200 degraded")
    h.is_((doc.get("spool") or {}).get("set_aside_files"), 2,
          "/api/health: set_aside_files 2")

    c = stack.client()
    status, _, _ = c.login(email, password)
    h.is_(status, 303, "the viewer logs in")
    status, _, page = c.get("/")
    h.is_(status, 200, "the overview")
    h.like(page, r'<p class="notice">[^<]*2 spool files were set aside',
           "the dashboard says two spool files were set aside")

    stack.stop()
    reports = stack.sanitizer_reports()
    h.ok(not reports, "no sanitizer report in the logs",
         diag="\n".join(reports[:40]))
    stack.db.stop()


if __name__ == "__main__":
    main()
    h.done_testing()
