/*
 * tests/db-probe: lib/db.c against a real server, for it_db_errors.py.
 * A statement whose first rows reach the client and whose next ones do
 * not come within the read timeout (1 s) fails in db_fetch, not in
 * db_select: the client library then leaves the statement's error empty
 * and puts the reason on the connection. The probe prints the error as
 * lib/db.c reports it, whether the connection is seen as lost, and
 * whether the next statement runs once db_ensure has reconnected.
 *
 *	tests/db-probe SOCKET USER PASSWORD DATABASE
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "db.h"

/* 49,999 rows at once (more than the server's network buffer), then the
 * 50,000th after 3 s: more than the read timeout. */
static const struct db_stmt stalled = { "probe.stalled_rows",
    "SELECT seq FROM seq_1_to_100000 WHERE seq < 50000 OR SLEEP(3) = 0 "
    "LIMIT 50000" };
static const struct db_stmt one = { "probe.one", "SELECT 1" };

int
main(int argc, char *argv[])
{
	struct conf_db		 c;
	struct db		 db;
	struct llmops_err	 err;
	struct db_q		*q;
	int64_t			 v = 0, rows = 0;
	int			 rc;

	if (argc != 5) {
		fprintf(stderr, "usage: db-probe SOCKET USER PASSWORD DATABASE\n");
		return 2;
	}
	memset(&c, 0, sizeof(c));
	c.socket = argv[1];
	c.user = argv[2];
	c.password = argv[3];
	c.name = argv[4];
	c.host = c.tls_ca = c.tls_cert = c.tls_key = "";
	c.connect_timeout = 5;
	c.read_timeout = 1;
	c.write_timeout = 5;
	db_init(&db, &c);
	err_clear(&err);

	q = db_q(&db, &stalled, &err);
	db_col_i64(q, &v);
	if (db_select(q, &err) == 0) {
		while ((rc = db_fetch(q, &err)) == 1)
			rows++;
		db_end(q);
	} else
		rc = -2;
	printf("rows: %lld\n", (long long)rows);
	printf("fetch: %d\n", rc);
	printf("error: %s\n", err.msg);
	printf("lost: %d\n", db_lost(&db));

	err_clear(&err);
	v = 0;
	if (db_ensure(&db, &err) == 0 && (q = db_q(&db, &one, &err)) != NULL) {
		db_col_i64(q, &v);
		if (db_one(q, &err) < 0)
			v = -1;
	}
	printf("next: %lld %s\n", (long long)v, err.msg);
	db_close(&db);
	return 0;
}
