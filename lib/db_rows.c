/* What the db_<entity>.c files share about rows: see db_rows.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

const size_t	db_multi_rows[DB_MULTI_ARITIES] = { 256, 64, 8, 1 };

int
db_sql_put(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	char	*p;

	if (*len + n + 1 > *cap) {
		*cap = (*len + n + 1) * 2;
		if ((p = realloc(*buf, *cap)) == NULL)
			return -1;
		*buf = p;
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 0;
}

/*
 * Fills *st (named NAME_ROWS in nbuf) with head, then `rows` times term
 * separated by sep, then tail. -1 when out of memory.
 */
static int
repeat_fill(struct db_stmt *st, char *nbuf, size_t nbufsz, const char *name,
    const char *head, size_t hl, const char *term, size_t tl,
    const char *sep, const char *tail, size_t rows)
{
	char	*sql = NULL;
	size_t	 len = 0, cap = 0, i;

	if (db_sql_put(&sql, &len, &cap, head, hl) != 0)
		goto oom;
	for (i = 0; i < rows; i++)
		if ((i > 0 && db_sql_put(&sql, &len, &cap, sep,
		    strlen(sep)) != 0) ||
		    db_sql_put(&sql, &len, &cap, term, tl) != 0)
			goto oom;
	if (db_sql_put(&sql, &len, &cap, tail, strlen(tail)) != 0)
		goto oom;
	snprintf(nbuf, nbufsz, "%s_%zu", name, rows);
	st->name = nbuf;
	st->sql = sql;
	return 0;
oom:
	free(sql);
	return -1;
}

const struct db_stmt *
db_multi_stmt(struct db_multi *m, size_t a)
{
	const char	*one = m->one->sql, *values, *row, *tail;

	if (m->stmt[a].sql != NULL)
		return &m->stmt[a];
	/* "VALUES (?, ..., ?)": the tuple is up to the first ')'. */
	if ((values = strstr(one, "VALUES (")) == NULL)
		return NULL;
	row = values + strlen("VALUES ");
	tail = strchr(row, ')') + 1;
	if (repeat_fill(&m->stmt[a], m->name[a], sizeof(m->name[a]),
	    m->one->name, one, (size_t)(row - one), row, (size_t)(tail - row),
	    ", ", tail, db_multi_rows[a]) != 0)
		return NULL;
	return &m->stmt[a];
}

const struct db_stmt *
db_repeat_stmt(struct db_repeat *r, size_t a)
{
	if (r->stmt[a].sql != NULL)
		return &r->stmt[a];
	if (repeat_fill(&r->stmt[a], r->name[a], sizeof(r->name[a]),
	    r->base, r->head, strlen(r->head), r->term, strlen(r->term),
	    r->sep, r->tail, db_multi_rows[a]) != 0)
		return NULL;
	return &r->stmt[a];
}

size_t
db_multi_arity(size_t n, size_t at)
{
	size_t	a;

	for (a = 0; db_multi_rows[a] > n - at; a++)
		;
	return a;
}

int
db_multi_exec(struct db *db, struct db_multi *m, size_t n,
    db_multi_bind_fn bind, void *arg, struct llmops_err *err)
{
	const struct db_stmt	*st;
	struct db_q		*q;
	size_t			 at, a, i;

	for (at = 0; at < n; at += db_multi_rows[a]) {
		a = db_multi_arity(n, at);
		if ((st = db_multi_stmt(m, a)) == NULL)
			return err_set(err, 500, "out of memory");
		q = db_q(db, st, err);
		for (i = 0; i < db_multi_rows[a]; i++)
			bind(arg, at + i, q);
		if (db_exec(q, NULL, NULL, err) != 0)
			return -1;
	}
	return 0;
}
