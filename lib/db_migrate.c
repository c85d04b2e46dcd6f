/* The schema_migrations table: see db_migrate.h. */
#include "config.h"

#include <stdint.h>

#include "db_migrate.h"

/* The one table the runner owns; created before anything is applied. */
#define MIGRATE_BOOTSTRAP \
	"CREATE TABLE IF NOT EXISTS schema_migrations (" \
	"version INT NOT NULL PRIMARY KEY, " \
	"name VARCHAR(255) NOT NULL, " \
	"applied_us BIGINT NOT NULL" \
	") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"
/* Two concurrent `migrate` runs must not interleave. */
#define MIGRATE_LOCK	"SELECT GET_LOCK('llmops_migrate', 30)"
#define MIGRATE_UNLOCK	"SELECT RELEASE_LOCK('llmops_migrate')"

enum {
	STMT_MIGRATION_RECORD,
	STMT__MAX
};

static const struct db_stmt stmts[STMT__MAX] = {
	[STMT_MIGRATION_RECORD] = { "migration.record",
	    "INSERT INTO schema_migrations (version, name, applied_us) "
	    "VALUES (?, ?, ?)" },
};

int
db_migrate_bootstrap(struct db *db, struct llmops_err *err)
{
	return db_exec_sql(db, MIGRATE_BOOTSTRAP, err);
}

int
db_migrate_lock(struct db *db, struct llmops_err *err)
{
	return db_exec_sql(db, MIGRATE_LOCK, err);
}

void
db_migrate_unlock(struct db *db)
{
	db_exec_sql(db, MIGRATE_UNLOCK, NULL);
}

int
db_migrate_record(struct db *db, int version, const char *name,
    int64_t applied_us, struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_MIGRATION_RECORD], err);

	db_bind_i64(q, version);
	db_bind_str(q, name);
	db_bind_i64(q, applied_us);
	return db_exec(q, NULL, NULL, err);
}
