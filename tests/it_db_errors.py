#!/usr/bin/env python3
"""A statement that fails while its rows are read says why, and the
connection it broke is not used again.

The client library reports a failure of an unbuffered fetch (the server's
error in the middle of the rows, a read timeout, a lost connection) on the
connection, not on the statement. lib/db.c once logged such failures as
"database: statement N:" with no reason (issue 11 saw it on the Models
page under load: 2 of 27 requests answered 503), and did not see the
connection as lost, so the statements after it ran on a connection out of
sync. tests/db-probe runs a statement whose first rows arrive and whose
last one comes after the read timeout.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402


def main():
    probe = os.path.join(h.BUILDDIR, "tests", "db-probe")
    db = h.MariaDB().start()
    rc, out, err = h.run([probe, db.socket, db.user, db.password,
                          db.database], timeout=60)
    h.is_(rc, 0, "the probe ran")
    got = dict(line.split(": ", 1) for line in out.splitlines()
               if ": " in line)
    h.diag(out)
    h.ok(int(got.get("rows", "0")) > 0, "rows arrived before the stall, so "
         "the failure is in the fetch")
    h.is_(got.get("fetch"), "-1", "the fetch failed")
    h.like(got.get("error", ""), r"^database: fetch probe\.stalled_rows: ",
           "the error names the step and the statement")
    h.like(got.get("error", ""), r"Lost connection.*\(error 2013\)$",
           "the error gives the real reason and its number")
    h.is_(got.get("lost"), "1", "the connection is seen as lost")
    h.is_(got.get("next"), "1 ", "the next statement runs on a new "
          "connection")
    db.stop()
    h.done_testing()


main()
