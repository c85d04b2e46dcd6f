#!/usr/bin/env python3
"""The spool's filesystem full: 503 with a JSON body, nothing corrupted,
and ingest recovers when space returns (issue 10, proof 3).

The spool lives on a private 8 MiB tmpfs (we are root; without the right
to mount, the test is a TAP SKIP). Batches are stored; then a file of
ours fills the tmpfs but for 12 KiB, and batches of 200 events are
posted until they are refused: 503 JSON, the only refusal allowed, and
/api/health says the spool is full. Nothing is set aside, every event
answered 200 is stored once, no event of a refused batch is stored
(a half-written batch is cut off, never half-loaded). The filler goes,
callbacks are 200 again, and everything acknowledged is stored once.
"""

import errno
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import spool_checks as sc  # noqa: E402

TMPFS_BYTES = 8 * 1024 * 1024
LEFT_BYTES = 12 * 1024
BIG = 200
TRIES = 20


def mount_tmpfs():
    """A tmpfs of TMPFS_BYTES for the spool, or a skip."""
    path = h.unique_dir("spool-tmpfs")
    opts = "size=%d,mode=0750" % TMPFS_BYTES
    ids = h.web_ids()
    if ids:
        opts += ",uid=%d,gid=%d" % ids
    try:
        rc, out, err = h.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs",
                              path], timeout=30)
    except OSError as e:
        rc, out, err = -1, "", str(e)
    if rc != 0:
        h.skip_rest("cannot mount a tmpfs here: %s"
                    % (err.strip() or out.strip() or rc))
    h.at_cleanup(lambda: h.run(["umount", "-l", path], timeout=30))
    return path


def fill(path, leave):
    """Fills the filesystem of path with one file, then gives back leave
    bytes. Returns the file's path."""
    filler = os.path.join(path, "filler")
    chunk = b"\0" * 65536
    with open(filler, "wb") as f:
        while True:
            try:
                f.write(chunk)
                f.flush()
            except OSError as e:
                if e.errno != errno.ENOSPC:
                    raise
                break
        size = f.tell()
    size = os.path.getsize(filler)
    os.truncate(filler, max(0, size - leave))
    return filler


def main():
    spool = mount_tmpfs()
    stack = sc.start_stack(spool, max_procs=1)
    token = stack.token("disk")
    answers = [sc.post_batch(stack, ["disk-pre-%d-%d" % (j, i)
                                     for i in range(25)], token)
               for j in range(3)]
    h.is_([a.status for a in answers], [200] * 3, "with room: 200")

    filler = fill(spool, LEFT_BYTES)
    refused = None
    for j in range(TRIES):
        a = sc.post_batch(stack, ["disk-full-%d-%d" % (j, i)
                                  for i in range(BIG)], token)
        answers.append(a)
        if a.status != 200:
            refused = a
            break
    h.ok(refused is not None, "the full spool refuses a batch within %d "
         "tries" % TRIES)
    refused = refused or answers[-1]
    h.is_(refused.status, 503, "the full spool: 503")
    doc = refused.doc if isinstance(refused.doc, dict) else {}
    h.ok(doc.get("status") == 503 and doc.get("error"), "503 with a JSON "
         "error body", diag=repr(refused.doc))
    again = sc.post_batch(stack, ["disk-again-%d" % i for i in range(BIG)],
                          token)
    answers.append(again)
    h.is_(again.status, 503, "still full: 503 again")
    h.is_(sorted(set(a.status for a in answers)), [200, 503],
          "no answer but 200 and 503")

    status, hdoc = sc.health(stack)
    h.is_(status, 200, "/api/health: 200 (the database answers)")
    h.is_((hdoc.get("status"), (hdoc.get("spool") or {}).get("full")),
          ("degraded", True), "/api/health: degraded, the spool full")

    os.unlink(filler)
    after = [sc.post_batch(stack, ["disk-after-%d-%d" % (j, i)
                                   for i in range(BIG)], token)
             for j in range(3)]
    answers += after
    h.is_([a.status for a in after], [200] * 3, "room again: 200")

    rc, out, err = sc.drain(stack)
    h.is_(rc, 0, "llmopsctl spool drain")
    if rc != 0:
        h.diag(out + err)
    acked = [i for a in answers if a.status == 200 for i in a.ids]
    sent = [i for a in answers for i in a.ids]
    sc.check_exactly_once(stack.db, acked, sent, "spool disk full",
                          strict=True, prefix="disk-")
    doc, (rc, out, err) = sc.spool_status(stack)
    aside = os.path.join(spool, sc.SET_ASIDE_DIR)
    h.ok(not (os.path.isdir(aside) and os.listdir(aside)),
         "nothing was set aside: no segment was corrupted",
         diag=out + err)
    status, hdoc = sc.health(stack)
    h.is_((status, hdoc.get("status")), (200, "ok"), "/api/health: ok again")

    stack.stop()
    reports = stack.sanitizer_reports()
    h.ok(not reports, "no sanitizer report in the logs",
         diag="\n".join(reports[:40]))
    stack.db.stop()


if __name__ == "__main__":
    main()
    h.done_testing()
