/* What the db_<entity>.c files share about rows: see db_rows.h. */
#include "config.h"

#include <stdlib.h>

#include "db_rows.h"

int
db_exec_id(struct db_q *q, uint32_t *id, struct llmops_err *err)
{
	uint64_t	newid = 0;

	if (db_exec(q, NULL, &newid, err) != 0)
		return -1;
	*id = (uint32_t)newid;
	return 0;
}

int
db_rows_text(struct db *db, struct db_q *q, unsigned ncols, size_t colbytes,
    db_text_row_fn cb, void *arg, struct llmops_err *err)
{
	char		*buf;
	const char	**vals;
	unsigned	 i;
	int		 rc = -1;

	buf = calloc(ncols, colbytes);
	vals = calloc(ncols, sizeof(*vals));
	if (buf == NULL || vals == NULL) {
		err_set(err, 500, "out of memory");
		goto out;
	}
	for (i = 0; i < ncols; i++)
		db_col_str(q, buf + (size_t)i * colbytes, colbytes);
	if (db_select(q, err) != 0)
		goto out;
	while ((rc = db_fetch(q, err)) == 1) {
		for (i = 0; i < ncols; i++)
			vals[i] = db_col_null(q, i) ? NULL :
			    buf + (size_t)i * colbytes;
		db_txn_final(db);
		if (cb(vals, arg) != 0)
			break;
	}
	db_end(q);
	rc = rc < 0 ? -1 : 0;
out:
	free(vals);
	free(buf);
	return rc;
}

struct rows_txn {
	db_org_rows_fn	 fn;
	uint32_t	 org_id;
	db_text_row_fn	 cb;
	void		*arg;
};

static int
rows_txn(struct db *db, void *arg, struct llmops_err *err)
{
	struct rows_txn	*r = arg;

	return r->fn(db, r->org_id, r->cb, r->arg, err);
}

int
db_rows_txn(struct db *db, db_org_rows_fn fn, uint32_t org_id,
    db_text_row_fn cb, void *arg, struct llmops_err *err)
{
	struct rows_txn	r = { fn, org_id, cb, arg };

	return db_txn(db, DB_READ, rows_txn, &r, err);
}
