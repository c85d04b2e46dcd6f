#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

#include "db.h"
#include "decimal.h"
#include "llmops_limits.h"

/* A decimal parameter as text: sign, 19 digits, point, NUL. */
#define DB_DECIMAL_TEXT_BYTES	40

/* The kinds of value a parameter or column binds. */
enum db_vtype {
	DBV_I64,
	DBV_STR,
	DBV_BLOB,
	DBV_DECIMAL,
};

/*
 * One prepared statement of the connection, with bindings sized to it when
 * it was prepared: np parameters and nc result columns.
 */
struct db_q {
	struct db		*db;
	const struct db_stmt	*stmt;		/* the cache key */
	MYSQL_STMT		*st;
	unsigned		 np, nc;	/* what the statement takes */
	unsigned		 bp, bc;	/* bound in this use */
	int			 overbound;	/* more bound than it takes */
	int			 open;		/* a result set is open */
	MYSQL_BIND		*p, *c;
	unsigned long		*plen, *clen;
	my_bool			*pnull, *cnull, *cerr;
	long long		*pint;
	char			(*pdec)[DB_DECIMAL_TEXT_BYTES];
	size_t			**cbloblen;	/* where a blob's length goes */
};

struct db_conn {
	MYSQL		*my;
	struct db_q	*slots[LIMIT_DB_STATEMENTS];	/* open addressing */
};

/* The engine's own statement: the version of the schema. */
static const struct db_stmt schema_version_stmt = {
	"schema.version",
	"SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
};

/*
 * Whether the server takes our writes: read_only binds every user
 * without READ_ONLY ADMIN (MariaDB 10.11: SUPER no longer implies it),
 * innodb_read_only everybody. USER_PRIVILEGES lists our own grants.
 */
static const struct db_stmt server_writable_stmt = {
	"server.writable",
	"SELECT @@global.read_only, @@global.innodb_read_only, "
	"(SELECT COUNT(*) FROM information_schema.USER_PRIVILEGES "
	"WHERE PRIVILEGE_TYPE = 'READ_ONLY ADMIN')",
};

static void
q_free(struct db_q *q)
{
	if (q == NULL)
		return;
	if (q->st != NULL)
		mysql_stmt_close(q->st);
	free(q->p);
	free(q->c);
	free(q->plen);
	free(q->clen);
	free(q->pnull);
	free(q->cnull);
	free(q->cerr);
	free(q->pint);
	free(q->pdec);
	free(q->cbloblen);
	free(q);
}

int
db_threads_prepare(void)
{
	return mysql_library_init(0, NULL, NULL) == 0 ? 0 : -1;
}

int
db_thread_begin(void)
{
	return mysql_thread_init() == 0 ? 0 : -1;
}

void
db_thread_end(void)
{
	mysql_thread_end();
}

void
db_init(struct db *db, const struct conf_db *conf)
{
	memset(db, 0, sizeof(*db));
	db->conf = conf;
}

void
db_close(struct db *db)
{
	struct db_conn	*c = db->conn;
	size_t		 i;

	if (c == NULL)
		return;
	for (i = 0; i < LIMIT_DB_STATEMENTS; i++)
		q_free(c->slots[i]);
	if (c->my != NULL)
		mysql_close(c->my);
	free(c);
	db->conn = NULL;
	db->broken = 0;
}

static int
is_lost(unsigned e)
{
	return e == CR_SERVER_GONE_ERROR || e == CR_SERVER_LOST ||
	    e == CR_CONNECTION_ERROR || e == CR_CONN_HOST_ERROR ||
	    e == CR_SERVER_LOST_EXTENDED || e == ER_SERVER_SHUTDOWN ||
	    e == ER_CONNECTION_KILLED || e == CR_COMMANDS_OUT_OF_SYNC;
}

/*
 * The server takes no writes for now (read-only, its disk or a table
 * full): the statement is fine and will succeed later, so callers get
 * 503 like for a lost connection (the loader keeps its records), but the
 * connection is sound.
 */
static int
is_unwritable(unsigned e)
{
	return e == ER_OPTION_PREVENTS_STATEMENT || e == ER_READ_ONLY_MODE ||
	    e == ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION ||
	    e == ER_DISK_FULL || e == ER_RECORD_FILE_FULL;
}

int
db_lost(const struct db *db)
{
	return db->conn == NULL || db->broken || is_lost(db->last_errno);
}

int
db_retryable(const struct db *db)
{
	return db->last_errno == ER_LOCK_DEADLOCK ||
	    db->last_errno == ER_LOCK_WAIT_TIMEOUT;
}

int
db_duplicate(const struct db *db)
{
	return db->last_errno == ER_DUP_ENTRY;
}

/*
 * Records a failure (errno and text from the client library) and turns it
 * into err: 503 when the connection is gone or the server takes no
 * writes for now, else 500. A lost connection
 * is marked broken, not closed: the caller's statement handles stay valid
 * until db_ensure opens a new one.
 * The client library sometimes has no text for an error: the number is
 * then given, so no failure is ever logged without a reason.
 */
static int
fail(struct db *db, unsigned e, const char *text, const char *what,
    const char *name, struct llmops_err *err)
{
	db->last_errno = e;
	if (text == NULL || *text == '\0')
		text = "no message from the client library";
	err_set(err, is_lost(e) || is_unwritable(e) ? 503 : 500,
	    "database: %s%s%s: %s (error %u)",
	    what, name ? " " : "", name ? name : "", text, e);
	if (is_lost(e))
		db->broken = 1;
	return -1;
}

static int
fail_conn(struct db *db, const char *what, struct llmops_err *err)
{
	MYSQL	*my = db->conn && !db->broken ? db->conn->my : NULL;

	if (my == NULL)
		return fail(db, CR_SERVER_GONE_ERROR, db->conn ? "connection lost"
		    : "not connected", what, NULL, err);
	return fail(db, mysql_errno(my), mysql_error(my), what, NULL, err);
}

/*
 * A statement's failure. The client library does not always put the
 * reason on the statement: a fetch of an unbuffered result whose packet
 * cannot be read (the server's error in the middle of the rows, a read
 * timeout, a lost connection) returns 1 and leaves the statement's error
 * empty, with the reason on the connection (libmariadb's
 * stmt_unbuffered_fetch). Such a failure was logged without a reason,
 * and worse, not seen as a lost connection, so the next statements ran on
 * a connection out of sync: the reason is then the connection's.
 */
static int
fail_q(struct db_q *q, const char *what, struct llmops_err *err)
{
	MYSQL		*my = q->db->conn ? q->db->conn->my : NULL;
	unsigned	 e = mysql_stmt_errno(q->st);
	const char	*text = mysql_stmt_error(q->st);

	if (e == 0 && my != NULL) {
		e = mysql_errno(my);
		text = mysql_error(my);
	}
	/* No reason anywhere: the connection cannot be trusted either. */
	if (e == 0) {
		fail(q->db, CR_UNKNOWN_ERROR, "the client library gave no reason",
		    what, q->stmt->name, err);
		q->db->broken = 1;
		return -1;
	}
	return fail(q->db, e, text, what, q->stmt->name, err);
}

/* A responder must not write into a schema older than it was built for. */
static int
check_schema(struct db *db, struct llmops_err *err)
{
	int	v = 0;

	if (db_schema_version(db, &v, err) != 0) {
		if (db->last_errno == ER_NO_SUCH_TABLE)
			return err_set(err, 503, "database: no llmops schema in "
			    "database %s: run llmopsctl migrate", db->conf->name);
		return -1;
	}
	if (v < db->require_schema)
		return err_set(err, 503, "database: schema is at version %d, "
		    "this build needs %d: run llmopsctl migrate", v,
		    db->require_schema);
	return 0;
}

int
db_ensure(struct db *db, struct llmops_err *err)
{
	const struct conf_db	*c = db->conf;
	unsigned		 timeout;
	my_bool			 verify;
	const char		*host, *sock;
	MYSQL			*my;

	if (db->conn != NULL && !db->broken)
		return 0;
	db_close(db);
	db->last_errno = 0;
	if ((db->conn = calloc(1, sizeof(*db->conn))) == NULL ||
	    (db->conn->my = mysql_init(NULL)) == NULL) {
		free(db->conn);
		db->conn = NULL;
		return err_set(err, 500, "database: out of memory");
	}
	my = db->conn->my;
	timeout = (unsigned)c->connect_timeout;
	mysql_options(my, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	timeout = (unsigned)c->read_timeout;
	mysql_options(my, MYSQL_OPT_READ_TIMEOUT, &timeout);
	timeout = (unsigned)c->write_timeout;
	mysql_options(my, MYSQL_OPT_WRITE_TIMEOUT, &timeout);
	mysql_options(my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	if (c->tls) {
		mysql_ssl_set(my, *c->tls_key ? c->tls_key : NULL,
		    *c->tls_cert ? c->tls_cert : NULL,
		    *c->tls_ca ? c->tls_ca : NULL, NULL, NULL);
		verify = c->tls_verify_server_cert ? 1 : 0;
		mysql_options(my, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify);
	}
	sock = *c->socket ? c->socket : NULL;
	host = sock ? "localhost" : c->host;
	if (mysql_real_connect(my, host, c->user,
	    *c->password ? c->password : NULL, c->name, (unsigned)c->port,
	    sock, 0) == NULL) {
		db->last_errno = mysql_errno(my);
		if (sock)
			err_set(err, 503, "database: cannot connect to socket "
			    "%s: %s", sock, mysql_error(my));
		else
			err_set(err, 503, "database: cannot connect to %s:%d: %s",
			    host, c->port, mysql_error(my));
		db_close(db);
		return -1;
	}
	/*
	 * Strict mode turns truncation into errors; UTC makes any SQL time
	 * function agree with our epoch microseconds; READ COMMITTED avoids
	 * gap locks between concurrent batches.
	 */
	if (db_exec_sql(db, "SET SESSION sql_mode = 'STRICT_ALL_TABLES,"
	    "NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,"
	    "NO_ENGINE_SUBSTITUTION', time_zone = '+00:00'", err) != 0 ||
	    db_exec_sql(db, "SET SESSION TRANSACTION ISOLATION LEVEL "
	    "READ COMMITTED", err) != 0) {
		db_close(db);
		return -1;
	}
	if (mysql_autocommit(my, 1) != 0) {
		fail_conn(db, "autocommit", err);
		db_close(db);
		return -1;
	}
	if (db->require_schema > 0 && check_schema(db, err) != 0) {
		db_close(db);
		return -1;
	}
	return 0;
}

int
db_exec_sql(struct db *db, const char *sql, struct llmops_err *err)
{
	MYSQL		*my;
	MYSQL_RES	*res;

	if (db->conn == NULL || db->broken)
		return fail_conn(db, "query", err);
	my = db->conn->my;
	if (mysql_real_query(my, sql, (unsigned long)strlen(sql)) != 0)
		return fail_conn(db, "query", err);
	/* Drain every result, so the connection is ready for the next query. */
	do {
		if ((res = mysql_store_result(my)) != NULL)
			mysql_free_result(res);
		else if (mysql_field_count(my) != 0)
			return fail_conn(db, "query result", err);
	} while (mysql_next_result(my) == 0);
	if (mysql_errno(my) != 0)
		return fail_conn(db, "query", err);
	return 0;
}

int
db_multi_statements(struct db *db, int on, struct llmops_err *err)
{
	if (db->conn == NULL || db->broken)
		return fail_conn(db, "multi-statement option", err);
	if (mysql_set_server_option(db->conn->my, on ?
	    MYSQL_OPTION_MULTI_STATEMENTS_ON : MYSQL_OPTION_MULTI_STATEMENTS_OFF))
		return fail_conn(db, "multi-statement option", err);
	return 0;
}

static int
db_begin(struct db *db, struct llmops_err *err)
{
	if (db->conn == NULL || db->broken ||
	    mysql_autocommit(db->conn->my, 0) != 0)
		return fail_conn(db, "begin", err);
	return 0;
}

static int
db_commit(struct db *db, struct llmops_err *err)
{
	if (db->conn == NULL || db->broken || mysql_commit(db->conn->my) != 0)
		return fail_conn(db, "commit", err);
	if (mysql_autocommit(db->conn->my, 1) != 0)
		return fail_conn(db, "autocommit", err);
	return 0;
}

static void
db_rollback(struct db *db)
{
	if (db->conn == NULL || db->broken)
		return;
	/* A failed rollback means the connection is gone: the server rolls back. */
	if (mysql_rollback(db->conn->my) != 0 ||
	    mysql_autocommit(db->conn->my, 1) != 0)
		db->broken = 1;
}

void
db_txn_final(struct db *db)
{
	db->txn_final = 1;
}

int
db_txn(struct db *db, enum db_mode mode, db_txn_fn fn, void *arg,
    struct llmops_err *err)
{
	int	lost_retries = 0, lock_retries = 0, rc;

	/*
	 * Inside another transaction, fn joins it: a retry here would
	 * reconnect in the middle of the outer one and lose its work.
	 */
	if (db->txn_depth > 0 && (mode == DB_READ || db->txn_mode == DB_WRITE))
		return fn(db, arg, err);
	/* A change inside a read (a page): atomic, retried by the reader. */
	if (db->txn_depth > 0) {
		db->txn_depth++;
		db->txn_mode = DB_WRITE;
		if ((rc = db_begin(db, err)) == 0 &&
		    (rc = fn(db, arg, err)) == 0)
			rc = db_commit(db, err);
		if (rc != 0)
			db_rollback(db);
		db->txn_mode = DB_READ;
		db->txn_depth--;
		return rc;
	}
	for (;;) {
		db->txn_final = 0;
		/* A failure of fn that is not the database's must not retry. */
		db->last_errno = 0;
		db->txn_depth++;
		db->txn_mode = mode;
		if (db_ensure(db, err) != 0)
			rc = -1;
		else if (mode == DB_WRITE && db_begin(db, err) != 0)
			rc = -1;
		else if ((rc = fn(db, arg, err)) == 0 && mode == DB_WRITE)
			rc = db_commit(db, err);
		db->txn_depth--;
		if (rc == 0)
			return 0;
		if (mode == DB_WRITE)
			db_rollback(db);
		/*
		 * A retry after a lost COMMIT is safe for the callers: writes
		 * are idempotent (dedupe keys, upserts of what was not
		 * stored) or fail cleanly as duplicates.
		 */
		if (db->txn_final)
			return -1;
		if (db->last_errno != 0 && db_lost(db) &&
		    lost_retries++ < DB_TXN_LOST_RETRIES) {
			db_close(db);
			continue;
		}
		if (db_retryable(db) && lock_retries++ < DB_TXN_DEADLOCK_RETRIES)
			continue;
		return -1;
	}
}

/* --- prepared statements --------------------------------------------------- */

static size_t
slot_of(const struct db_stmt *s)
{
	uintptr_t	h = (uintptr_t)s;

	/* Statement tables are arrays of two pointers: skip the low bits. */
	h ^= h >> 16;
	return (size_t)(h >> 4) % LIMIT_DB_STATEMENTS;
}

/* Allocates the bindings of a freshly prepared statement. */
static int
q_alloc(struct db_q *q)
{
	size_t	np = q->np ? q->np : 1, nc = q->nc ? q->nc : 1;

	q->p = calloc(np, sizeof(*q->p));
	q->plen = calloc(np, sizeof(*q->plen));
	q->pnull = calloc(np, sizeof(*q->pnull));
	q->pint = calloc(np, sizeof(*q->pint));
	q->pdec = calloc(np, sizeof(*q->pdec));
	q->c = calloc(nc, sizeof(*q->c));
	q->clen = calloc(nc, sizeof(*q->clen));
	q->cnull = calloc(nc, sizeof(*q->cnull));
	q->cerr = calloc(nc, sizeof(*q->cerr));
	q->cbloblen = calloc(nc, sizeof(*q->cbloblen));
	return q->p && q->plen && q->pnull && q->pint && q->pdec && q->c &&
	    q->clen && q->cnull && q->cerr && q->cbloblen ? 0 : -1;
}

static struct db_q *
prepare(struct db *db, const struct db_stmt *s, struct llmops_err *err)
{
	struct db_q	*q;

	if ((q = calloc(1, sizeof(*q))) == NULL) {
		err_set(err, 500, "database: out of memory");
		return NULL;
	}
	q->db = db;
	q->stmt = s;
	if ((q->st = mysql_stmt_init(db->conn->my)) == NULL) {
		fail_conn(db, "statement init", err);
		free(q);
		return NULL;
	}
	if (mysql_stmt_prepare(q->st, s->sql, (unsigned long)strlen(s->sql))) {
		fail_q(q, "prepare", err);
		q_free(q);
		return NULL;
	}
	q->np = (unsigned)mysql_stmt_param_count(q->st);
	q->nc = mysql_stmt_field_count(q->st);
	if (q_alloc(q) != 0) {
		err_set(err, 500, "database: out of memory");
		q_free(q);
		return NULL;
	}
	return q;
}

struct db_q *
db_q(struct db *db, const struct db_stmt *s, struct llmops_err *err)
{
	struct db_conn	*c;
	struct db_q	*q;
	size_t		 i, n;

	if (db->broken) {
		fail_conn(db, s->name, err);
		return NULL;
	}
	if (db_ensure(db, err) != 0)
		return NULL;
	c = db->conn;
	for (i = slot_of(s), n = 0; n < LIMIT_DB_STATEMENTS;
	    i = (i + 1) % LIMIT_DB_STATEMENTS, n++) {
		if (c->slots[i] == NULL) {
			if ((q = prepare(db, s, err)) == NULL)
				return NULL;
			c->slots[i] = q;
			break;
		}
		if (c->slots[i]->stmt == s) {
			q = c->slots[i];
			break;
		}
	}
	if (n == LIMIT_DB_STATEMENTS) {
		err_set(err, 500, "database: more than %d statements",
		    LIMIT_DB_STATEMENTS);
		return NULL;
	}
	db_end(q);
	q->bp = q->bc = 0;
	q->overbound = 0;
	return q;
}

/* The next parameter's binding, or NULL when the statement takes no more. */
static MYSQL_BIND *
next_param(struct db_q *q, enum enum_field_types type)
{
	MYSQL_BIND	*b;

	if (q == NULL)
		return NULL;
	if (q->bp >= q->np) {
		q->overbound = 1;
		return NULL;
	}
	b = &q->p[q->bp];
	memset(b, 0, sizeof(*b));
	b->buffer_type = type;
	b->length = &q->plen[q->bp];
	b->is_null = &q->pnull[q->bp];
	q->plen[q->bp] = 0;
	q->pnull[q->bp] = 0;
	q->bp++;
	return b;
}

void
db_bind_str(struct db_q *q, const char *s)
{
	MYSQL_BIND	*b = next_param(q, MYSQL_TYPE_STRING);

	if (b == NULL)
		return;
	if (s == NULL) {
		*b->is_null = 1;
		return;
	}
	b->buffer = (void *)s;
	*b->length = (unsigned long)strlen(s);
}

void
db_bind_blob(struct db_q *q, const void *v, size_t n)
{
	MYSQL_BIND	*b = next_param(q, MYSQL_TYPE_BLOB);

	if (b == NULL)
		return;
	b->buffer = (void *)v;
	*b->length = (unsigned long)n;
}

void
db_bind_i64(struct db_q *q, int64_t v)
{
	db_bind_i64_opt(q, 1, v);
}

void
db_bind_i64_opt(struct db_q *q, int present, int64_t v)
{
	MYSQL_BIND	*b = next_param(q, MYSQL_TYPE_LONGLONG);
	long long	*slot;

	if (b == NULL)
		return;
	slot = &q->pint[q->bp - 1];
	*slot = v;
	b->buffer = slot;
	*b->is_null = present ? 0 : 1;
}

void
db_bind_decimal(struct db_q *q, int present, int64_t units, int scale)
{
	MYSQL_BIND	*b = next_param(q, MYSQL_TYPE_NEWDECIMAL);
	char		*text;

	if (b == NULL)
		return;
	text = q->pdec[q->bp - 1];
	if (!present || decimal_format(units, scale, text,
	    DB_DECIMAL_TEXT_BYTES) != 0) {
		*b->is_null = 1;
		return;
	}
	b->buffer = text;
	*b->length = (unsigned long)strlen(text);
}

static MYSQL_BIND *
next_col(struct db_q *q, enum enum_field_types type)
{
	MYSQL_BIND	*b;

	if (q == NULL)
		return NULL;
	if (q->bc >= q->nc) {
		q->overbound = 1;
		return NULL;
	}
	b = &q->c[q->bc];
	memset(b, 0, sizeof(*b));
	b->buffer_type = type;
	b->length = &q->clen[q->bc];
	b->is_null = &q->cnull[q->bc];
	b->error = &q->cerr[q->bc];
	q->cbloblen[q->bc] = NULL;
	q->bc++;
	return b;
}

void
db_col_i64(struct db_q *q, int64_t *v)
{
	MYSQL_BIND	*b = next_col(q, MYSQL_TYPE_LONGLONG);

	if (b != NULL)
		b->buffer = v;
}

void
db_col_str(struct db_q *q, char *buf, size_t bufsz)
{
	MYSQL_BIND	*b = next_col(q, MYSQL_TYPE_STRING);

	if (b == NULL)
		return;
	b->buffer = buf;
	/* One byte is kept for the terminating NUL added by db_fetch. */
	b->buffer_length = bufsz > 0 ? (unsigned long)bufsz - 1 : 0;
}

void
db_col_blob(struct db_q *q, void *buf, size_t bufsz, size_t *len)
{
	MYSQL_BIND	*b = next_col(q, MYSQL_TYPE_BLOB);

	if (b == NULL)
		return;
	b->buffer = buf;
	b->buffer_length = (unsigned long)bufsz;
	q->cbloblen[q->bc - 1] = len;
}

int
db_col_null(const struct db_q *q, unsigned i)
{
	return q != NULL && i < q->bc && q->cnull[i];
}

/* Binds the parameters and executes. */
static int
run(struct db_q *q, struct llmops_err *err)
{
	if (q == NULL)
		return -1;
	if (q->overbound || q->bp != q->np)
		return err_set(err, 500, "database: statement %s takes %u "
		    "parameters, %s%u bound", q->stmt->name, q->np,
		    q->overbound ? "more than " : "", q->bp);
	if (q->np > 0 && mysql_stmt_bind_param(q->st, q->p))
		return fail_q(q, "bind", err);
	if (mysql_stmt_execute(q->st))
		return fail_q(q, "execute", err);
	return 0;
}

int
db_exec(struct db_q *q, uint64_t *affected, uint64_t *insert_id,
    struct llmops_err *err)
{
	if (run(q, err) != 0)
		return -1;
	if (affected != NULL)
		*affected = mysql_stmt_affected_rows(q->st);
	if (insert_id != NULL)
		*insert_id = mysql_stmt_insert_id(q->st);
	return 0;
}

int
db_select(struct db_q *q, struct llmops_err *err)
{
	if (q != NULL && (q->overbound || q->bc != q->nc))
		return err_set(err, 500, "database: statement %s returns %u "
		    "columns, %s%u bound", q->stmt->name, q->nc,
		    q->overbound ? "more than " : "", q->bc);
	if (run(q, err) != 0)
		return -1;
	q->open = 1;
	if (q->nc > 0 && mysql_stmt_bind_result(q->st, q->c)) {
		fail_q(q, "bind result", err);
		db_end(q);
		return -1;
	}
	return 0;
}

int
db_select_stored(struct db_q *q, struct llmops_err *err)
{
	if (db_select(q, err) != 0)
		return -1;
	if (mysql_stmt_store_result(q->st) != 0) {
		fail_q(q, "store result", err);
		db_end(q);
		return -1;
	}
	return 0;
}

int
db_fetch(struct db_q *q, struct llmops_err *err)
{
	unsigned	i;
	int		rc;

	if (q == NULL)
		return -1;
	if (!q->open)
		return err_set(err, 500, "database: statement %s: fetch "
		    "without a result", q->stmt->name);
	rc = mysql_stmt_fetch(q->st);
	if (rc == MYSQL_NO_DATA)
		return 0;
	if (rc == 1)
		return fail_q(q, "fetch", err);
	for (i = 0; i < q->bc; i++) {
		MYSQL_BIND	*b = &q->c[i];

		if (rc == MYSQL_DATA_TRUNCATED && q->cerr[i] &&
		    b->buffer_type != MYSQL_TYPE_LONGLONG)
			return err_set(err, 500, "database: column %u of "
			    "statement %s is longer than its buffer", i,
			    q->stmt->name);
		if (b->buffer_type == MYSQL_TYPE_STRING) {
			unsigned long	n = q->cnull[i] ? 0 : q->clen[i];

			if (n > b->buffer_length)
				n = b->buffer_length;
			((char *)b->buffer)[n] = '\0';
		} else if (q->cbloblen[i] != NULL)
			*q->cbloblen[i] = q->cnull[i] ? 0 : q->clen[i];
	}
	return 1;
}

void
db_end(struct db_q *q)
{
	if (q == NULL || !q->open)
		return;
	mysql_stmt_free_result(q->st);
	q->open = 0;
}

int
db_one(struct db_q *q, struct llmops_err *err)
{
	int	rc;

	if (db_select(q, err) != 0)
		return -1;
	rc = db_fetch(q, err);
	db_end(q);
	return rc;
}

int
db_schema_version(struct db *db, int *version, struct llmops_err *err)
{
	struct db_q	*q;
	int64_t		 v = 0;
	int		 rc;

	q = db_q(db, &schema_version_stmt, err);
	db_col_i64(q, &v);
	if ((rc = db_one(q, err)) < 0)
		return -1;
	*version = rc == 1 ? (int)v : 0;
	return 0;
}

int
db_server_writable(struct db *db, struct db_writable *w,
    struct llmops_err *err)
{
	struct db_q	*q;
	int64_t		 ro = 0, innodb_ro = 0, admin = 0;
	int		 rc;

	memset(w, 0, sizeof(*w));
	q = db_q(db, &server_writable_stmt, err);
	db_col_i64(q, &ro);
	db_col_i64(q, &innodb_ro);
	db_col_i64(q, &admin);
	if ((rc = db_one(q, err)) < 0)
		return -1;
	if (rc == 0)
		return err_set(err, 503, "%s: no row", server_writable_stmt.name);
	w->read_only = ro != 0;
	w->innodb_read_only = innodb_ro != 0;
	w->read_only_admin = admin != 0;
	w->writable = !w->innodb_read_only &&
	    (!w->read_only || w->read_only_admin);
	return 0;
}
