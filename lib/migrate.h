/*
 * Schema migrations: numbered files NNN_name.sql in the schema directory,
 * applied in order and recorded in schema_migrations. Applying is
 * idempotent (applied versions are skipped) and refuses a database whose
 * schema is newer than this build knows (DB_SCHEMA_VERSION).
 */
#ifndef LLMOPS_MIGRATE_H
#define LLMOPS_MIGRATE_H

#include <stddef.h>

#include "db.h"
#include "llmops_limits.h"

#ifndef LLMOPS_SCHEMA_DIR
#define LLMOPS_SCHEMA_DIR	"/usr/local/share/llmops/schema"
#endif
#define MIGRATE_SCHEMA_ENV	"LLMOPS_SCHEMA_DIR"

struct migration {
	int	 version;
	char	*name;		/* file name without .sql */
	char	*path;
};

struct migration_set {
	struct migration	*m;
	size_t			 n;
};

/* The schema directory: explicit, else $LLMOPS_SCHEMA_DIR, else built in. */
const char	*migrate_default_dir(const char *explicit_dir);
/* Lists NNN_*.sql in dir, sorted; duplicates and gaps are errors. */
int		 migrate_scan(const char *dir, struct migration_set *, struct llmops_err *);
void		 migrate_set_release(struct migration_set *);

typedef void (*migrate_progress)(const struct migration *, void *arg);

/*
 * Brings the database to the newest version in set. *from and *to tell
 * the versions before and after; progress is called before each file.
 */
int		 migrate_apply(struct db *, const struct migration_set *,
		    int *from, int *to, migrate_progress, void *arg,
		    struct llmops_err *);

#endif
