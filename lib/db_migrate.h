/*
 * The schema_migrations table and the lock of a migration run: their SQL
 * and the functions that run it (lib/db_migrate.c). The order of a run is
 * in lib/migrate.c.
 */
#ifndef LLMOPS_DB_MIGRATE_H
#define LLMOPS_DB_MIGRATE_H

#include "db.h"

/* Creates schema_migrations when it does not exist yet. */
int	db_migrate_bootstrap(struct db *, struct llmops_err *);
/* Takes (waiting up to 30 s) and gives back the lock of a migration run. */
int	db_migrate_lock(struct db *, struct llmops_err *);
void	db_migrate_unlock(struct db *);
/* Records that migration `version` (file `name`) is applied. */
int	db_migrate_record(struct db *, int version, const char *name,
	    int64_t applied_us, struct llmops_err *);

#endif
