#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_migrate.h"
#include "fileio.h"
#include "migrate.h"
#include "rollup.h"
#include "timefmt.h"

const char *
migrate_default_dir(const char *explicit_dir)
{
	const char	*env;

	if (explicit_dir != NULL)
		return explicit_dir;
	if ((env = getenv(MIGRATE_SCHEMA_ENV)) != NULL && *env != '\0')
		return env;
	return LLMOPS_SCHEMA_DIR;
}

void
migrate_set_release(struct migration_set *s)
{
	size_t	i;

	for (i = 0; i < s->n; i++) {
		free(s->m[i].name);
		free(s->m[i].path);
	}
	free(s->m);
	s->m = NULL;
	s->n = 0;
}

static int
mig_cmp(const void *a, const void *b)
{
	const struct migration	*x = a, *y = b;

	return (x->version > y->version) - (x->version < y->version);
}

/* "NNN_name.sql" -> version, or -1 for other files. */
static int
file_version(const char *fn)
{
	size_t	len = strlen(fn);
	int	i, v = 0;

	if (len < 9 || strcmp(fn + len - 4, ".sql") != 0 || fn[3] != '_')
		return -1;
	for (i = 0; i < 3; i++) {
		if (!isdigit((unsigned char)fn[i]))
			return -1;
		v = v * 10 + (fn[i] - '0');
	}
	return v;
}

int
migrate_scan(const char *dir, struct migration_set *s, struct llmops_err *err)
{
	DIR		*d;
	struct dirent	*de;
	struct migration *m;
	size_t		 cap = 0, i, len;
	int		 v, rc = -1;

	s->m = NULL;
	s->n = 0;
	if ((d = opendir(dir)) == NULL)
		return err_set(err, 0, "schema directory %s: %s", dir,
		    strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if ((v = file_version(de->d_name)) < 0)
			continue;
		if (s->n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((m = reallocarray(s->m, cap, sizeof(*m))) == NULL) {
				err_set(err, 0, "out of memory");
				goto out;
			}
			s->m = m;
		}
		m = &s->m[s->n];
		memset(m, 0, sizeof(*m));
		m->version = v;
		len = strlen(de->d_name) - 4;
		m->name = strndup(de->d_name, len);
		if (m->name == NULL || asprintf(&m->path, "%s/%s", dir,
		    de->d_name) < 0) {
			free(m->name);
			err_set(err, 0, "out of memory");
			goto out;
		}
		s->n++;
	}
	qsort(s->m, s->n, sizeof(*s->m), mig_cmp);
	for (i = 0; i < s->n; i++)
		if (s->m[i].version != (int)i + 1) {
			err_set(err, 0, "schema directory %s: expected migration "
			    "%03zu, found %s", dir, i + 1, s->m[i].name);
			goto out;
		}
	if (s->n == 0) {
		err_set(err, 0, "schema directory %s holds no NNN_*.sql files", dir);
		goto out;
	}
	rc = 0;
out:
	closedir(d);
	if (rc != 0)
		migrate_set_release(s);
	return rc;
}

/*
 * The last schema that changed what the rollups hold: 5 the rollup key,
 * 7 the rollups per dimension. A run that starts below it recomputes every
 * rollup row from the raw events, once, after the last migration (the
 * rebuild writes every rollup table of this build and reads the retention
 * horizon of schema 6). A run that fails after this schema and before the
 * last leaves the rebuild to `llmopsctl rollups rebuild`.
 */
#define MIGRATE_ROLLUPS_CHANGED	7

/* Work the run needs done in C after the SQL of `version`. */
static int
after_migration(struct db *db, int version, int last, int started,
    struct llmops_err *err)
{
	size_t		rows;
	uint64_t	dim_rows;

	if (version == last && started < MIGRATE_ROLLUPS_CHANGED)
		return rollup_rebuild(db, 0, &rows, &dim_rows, err);
	return 0;
}

/*
 * No db_txn: DDL commits as it goes, so a run cannot be rolled back and
 * run again, and the run's lock belongs to its connection. A lost
 * connection stops the run, and the error says where.
 */
int
migrate_apply(struct db *db, const struct migration_set *s, int *from, int *to,
    migrate_progress progress, void *arg, struct llmops_err *err)
{
	const struct migration	*m;
	char			*sql = NULL;
	int			 current = 0, known, locked = 0, rc = -1;
	size_t			 i, len;

	known = s->m[s->n - 1].version;
	if (known != DB_SCHEMA_VERSION)
		return err_set(err, 0, "the schema directory holds version %d "
		    "but this build expects %d: install matching schema files",
		    known, DB_SCHEMA_VERSION);
	if (db_ensure(db, err) != 0 || db_migrate_bootstrap(db, err) != 0)
		return -1;
	if (db_migrate_lock(db, err) != 0)
		return -1;
	locked = 1;
	if (db_schema_version(db, &current, err) != 0)
		goto out;
	*from = *to = current;
	if (current > known) {
		err_set(err, 0, "the database schema is at version %d, newer "
		    "than this llmopsctl knows (%d): upgrade llmops", current,
		    known);
		goto out;
	}
	if (db_multi_statements(db, 1, err) != 0)
		goto out;
	for (i = 0; i < s->n; i++) {
		m = &s->m[i];
		if (m->version <= current)
			continue;
		if (progress != NULL)
			progress(m, arg);
		if (fileio_read(m->path, MIGRATE_FILE_MAX, &sql, &len, err) != 0)
			goto out;
		if (db_exec_sql(db, sql, err) != 0) {
			char	cause[ERR_MSG_BYTES];

			/* DDL commits as it goes: say where we stopped. */
			snprintf(cause, sizeof(cause), "%s", err->msg);
			err_set(err, 0, "migration %s failed (the database is at "
			    "version %d, possibly with part of %s applied): %s",
			    m->name, *to, m->name, cause);
			goto out;
		}
		free(sql);
		sql = NULL;
		/* Multi-statement mode is for the SQL files only. */
		if (db_multi_statements(db, 0, err) != 0 ||
		    after_migration(db, m->version, known, current,
		    err) != 0 ||
		    db_migrate_record(db, m->version, m->name, time_now_us(),
		    err) != 0 ||
		    db_multi_statements(db, 1, err) != 0)
			goto out;
		*to = m->version;
	}
	rc = 0;
out:
	free(sql);
	if (db->conn != NULL)
		db_multi_statements(db, 0, NULL);
	if (locked && db->conn != NULL)
		db_migrate_unlock(db);
	return rc;
}
