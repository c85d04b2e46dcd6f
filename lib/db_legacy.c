/* TRANSITIONAL: see db_legacy.h. */
#include "config.h"

#include <string.h>

#include "db_legacy.h"

#define EVENT_COLUMNS \
	"org_id, token_id, dedupe_key, source, litellm_id, trace_id, " \
	"call_type, status, model, model_group, provider, department, team, " \
	"agent, prompt_tokens, completion_tokens, total_tokens, " \
	"cache_read_tokens, cache_write_tokens, reasoning_tokens, " \
	"cache_write_1h_tokens, litellm_cost, our_cost, cost, cost_source, " \
	"price_id, discount_id, start_us, end_us, latency_us, ttft_us, stream, " \
	"error_code, error_class, received_us, occurred_us"

static const char *const legacy_sql[STMT__MAX] = {
	[STMT_SCHEMA_VERSION] =
	"SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
	[STMT_MIGRATION_RECORD] =
	"INSERT INTO schema_migrations (version, name, applied_us) "
	"VALUES (?, ?, ?)",
	[STMT_TOKEN_LOOKUP] =
	"SELECT id, org_id, status = 'active', expires_us FROM tracking_tokens "
	"WHERE token_hash = ?",
	/* STMT_TOKEN_TOUCH: at most one write per token and interval */
	[STMT_TOKEN_TOUCH] =
	"UPDATE tracking_tokens SET last_used_us = ? WHERE id = ? AND "
	"(last_used_us IS NULL OR last_used_us < ?)",
	/* STMT_EVENT_INSERT: affected rows 0 means a duplicate */
	[STMT_EVENT_INSERT] =
	"INSERT INTO usage_events (" EVENT_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, "
	"?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
	"?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE id = id",
	[STMT_ROLLUP_UPSERT] =
	"INSERT INTO usage_hourly (org_id, hour_us, dims_key, source, "
	"department, team, agent, model, provider, status, error_class, "
	"error_code, requests, errors, "
	"prompt_tokens, completion_tokens, total_tokens, cache_read_tokens, "
	"cache_write_tokens, reasoning_tokens, litellm_cost, "
	"litellm_cost_events, cost, priced_requests, our_cost, our_cost_events, "
	"latency_us_sum, latency_count, ttft_us_sum, ttft_count) VALUES (?, ?, "
	"?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
	"?, ?, ?, ?) ON DUPLICATE KEY UPDATE "
	"requests = requests + VALUES(requests), "
	"errors = errors + VALUES(errors), "
	"prompt_tokens = prompt_tokens + VALUES(prompt_tokens), "
	"completion_tokens = completion_tokens + VALUES(completion_tokens), "
	"total_tokens = total_tokens + VALUES(total_tokens), "
	"cache_read_tokens = cache_read_tokens + VALUES(cache_read_tokens), "
	"cache_write_tokens = cache_write_tokens + VALUES(cache_write_tokens), "
	"reasoning_tokens = reasoning_tokens + VALUES(reasoning_tokens), "
	"litellm_cost = litellm_cost + VALUES(litellm_cost), "
	"litellm_cost_events = litellm_cost_events + VALUES(litellm_cost_events), "
	"cost = cost + VALUES(cost), "
	"priced_requests = priced_requests + VALUES(priced_requests), "
	"our_cost = our_cost + VALUES(our_cost), "
	"our_cost_events = our_cost_events + VALUES(our_cost_events), "
	"latency_us_sum = latency_us_sum + VALUES(latency_us_sum), "
	"latency_count = latency_count + VALUES(latency_count), "
	"ttft_us_sum = ttft_us_sum + VALUES(ttft_us_sum), "
	"ttft_count = ttft_count + VALUES(ttft_count)",
	[STMT_ORG_INSERT] =
	"INSERT INTO organizations (name, created_us) VALUES (?, ?)",
	[STMT_ORG_LIST] =
	"SELECT o.id, o.name, o.created_us, (SELECT COUNT(*) FROM "
	"tracking_tokens t WHERE t.org_id = o.id AND t.status = 'active') "
	"FROM organizations o ORDER BY o.id",
	[STMT_ORG_BY_NAME] =
	"SELECT id, name FROM organizations WHERE name = ?",
	[STMT_ORG_BY_ID] =
	"SELECT id, name FROM organizations WHERE id = ?",
	[STMT_TOKEN_INSERT] =
	"INSERT INTO tracking_tokens (org_id, token_hash, prefix, label, status, "
	"created_us, expires_us) VALUES (?, ?, ?, ?, 'active', ?, ?)",
	[STMT_TOKEN_LIST] =
	"SELECT id, prefix, label, status, created_us, last_used_us, expires_us, "
	"revoked_us FROM tracking_tokens WHERE org_id = ? ORDER BY id",
	[STMT_TOKEN_GET] =
	"SELECT id, org_id, status, label, expires_us, rotated_to FROM "
	"tracking_tokens WHERE id = ?",
	[STMT_TOKEN_REVOKE] =
	"UPDATE tracking_tokens SET status = 'revoked', revoked_us = ? "
	"WHERE id = ? AND status = 'active'",
	[STMT_PRICE_VERSION] =
	"SELECT version FROM price_version WHERE id = 1",
	[STMT_PRICE_BUMP] =
	"UPDATE price_version SET version = version + 1 WHERE id = 1",
	/* STMT_PRICE_LOAD: ordered by id for price_db_load's tier attachment */
	[STMT_PRICE_LOAD] =
	"SELECT id, COALESCE(org_id, 0), model, provider, mode, "
	"CAST(input AS CHAR), CAST(output AS CHAR), CAST(cache_read AS CHAR), "
	"CAST(cache_write AS CHAR), CAST(cache_write_1h AS CHAR), "
	"CAST(reasoning AS CHAR), CAST(discount_pct AS CHAR), "
	"effective_from_us, effective_to_us FROM prices ORDER BY id",
	[STMT_TIER_LOAD] =
	"SELECT price_id, above_tokens, CAST(input AS CHAR), "
	"CAST(output AS CHAR), CAST(cache_read AS CHAR), "
	"CAST(cache_write AS CHAR), CAST(cache_write_1h AS CHAR) "
	"FROM price_tiers ORDER BY price_id, above_tokens",
	/* STMT_PRICE_CONFLICT: rows of the same kind starting at or after */
	[STMT_PRICE_CONFLICT] =
	"SELECT COUNT(*) FROM prices WHERE org_id <=> ? AND model = ? AND "
	"(discount_pct IS NOT NULL) = ? AND effective_from_us >= ?",
	[STMT_PRICE_CLOSE] =
	"UPDATE prices SET effective_to_us = ? WHERE org_id <=> ? AND model = ? "
	"AND (discount_pct IS NOT NULL) = ? AND effective_from_us < ? AND "
	"(effective_to_us IS NULL OR effective_to_us > ?)",
	[STMT_PRICE_INSERT] =
	"INSERT INTO prices (org_id, model, provider, mode, input, output, "
	"cache_read, cache_write, cache_write_1h, reasoning, discount_pct, "
	"effective_from_us, effective_to_us, created_us) VALUES (?, ?, ?, ?, ?, "
	"?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[STMT_TIER_INSERT] =
	"INSERT INTO price_tiers (price_id, above_tokens, input, output, "
	"cache_read, cache_write, cache_write_1h) VALUES (?, ?, ?, ?, ?, ?, ?)",
	/*
	 * STMT_REPRICE_SELECT: one chunk in (occurred_us, id) order after the
	 * last row seen, locked; the model filter is off when its value is NULL.
	 */
	[STMT_REPRICE_SELECT] =
	"SELECT id, occurred_us, department, team, agent, model, model_group, "
	"provider, status, prompt_tokens, completion_tokens, total_tokens, "
	"cache_read_tokens, cache_write_tokens, cache_write_1h_tokens, "
	"reasoning_tokens, CAST(litellm_cost AS CHAR), CAST(our_cost AS CHAR), "
	"CAST(cost AS CHAR), cost_source, price_id, discount_id "
	"FROM usage_events WHERE org_id = ? AND occurred_us < ? AND "
	"occurred_us >= ? AND (occurred_us > ? OR id > ?) AND "
	"(? IS NULL OR model = ? OR model_group = ?) "
	"ORDER BY occurred_us, id LIMIT ? FOR UPDATE",
	[STMT_REPRICE_UPDATE] =
	"UPDATE usage_events SET our_cost = ?, cost = ?, cost_source = ?, "
	"price_id = ?, discount_id = ? WHERE id = ?",
	/* STMT_ROLLUP_RECOST: signed deltas */
	[STMT_ROLLUP_RECOST] =
	"UPDATE usage_hourly SET cost = cost + ?, "
	"priced_requests = priced_requests + ?, our_cost = our_cost + ?, "
	"our_cost_events = our_cost_events + ? "
	"WHERE org_id = ? AND hour_us = ? AND dims_key = ?",
	[STMT_AUDIT_INSERT] =
	"INSERT INTO audit_log (at_us, actor, org_id, action, target, details) "
	"VALUES (?, ?, ?, ?, ?, ?)",
	/* STMT_AUDIT_LIST: org 0 = every organization */
	[STMT_AUDIT_LIST] =
	"SELECT id, at_us, actor, org_id, action, target, details FROM audit_log "
	"WHERE (? = 0 OR org_id = ?) AND at_us >= ? ORDER BY id DESC LIMIT ?",
	[STMT_DIMENSION_RECORD] =
	"INSERT INTO dimension_values (org_id, dim, value, first_us) VALUES "
	"(?, ?, ?, ?) ON DUPLICATE KEY UPDATE first_us = "
	"LEAST(first_us, VALUES(first_us))",
	[STMT_ROLLUP_CLEAR] =
	"DELETE FROM usage_hourly WHERE org_id = ?",
	/*
	 * STMT_ROLLUP_REBUILD_SELECT: the rollup rows of one organization,
	 * recomputed from its events (the sums the responder keeps).
	 */
	[STMT_ROLLUP_REBUILD_SELECT] =
	"SELECT occurred_us - MOD(occurred_us, 3600000000), department, team, "
	"agent, model, provider, status, error_class, error_code, COUNT(*), "
	"SUM(COALESCE(prompt_tokens, 0)), SUM(COALESCE(completion_tokens, 0)), "
	"SUM(COALESCE(total_tokens, 0)), SUM(COALESCE(cache_read_tokens, 0)), "
	"SUM(COALESCE(cache_write_tokens, 0)), SUM(COALESCE(reasoning_tokens, 0)), "
	"CAST(COALESCE(SUM(litellm_cost), 0) AS CHAR), COUNT(litellm_cost), "
	"CAST(COALESCE(SUM(cost), 0) AS CHAR), COUNT(cost), "
	"CAST(COALESCE(SUM(our_cost), 0) AS CHAR), COUNT(our_cost), "
	"SUM(COALESCE(latency_us, 0)), COUNT(latency_us), "
	"SUM(COALESCE(ttft_us, 0)), COUNT(ttft_us) "
	"FROM usage_events WHERE org_id = ? GROUP BY 1, department, team, agent, "
	"model, provider, status, error_class, error_code",
	[STMT_USER_INSERT] =
	"INSERT INTO users (org_id, email, role, password_hash, "
	"must_change_password, status, created_us, password_changed_us) "
	"VALUES (?, ?, ?, ?, ?, 'active', ?, ?)",
	[STMT_USER_BY_EMAIL] =
	"SELECT u.id, COALESCE(u.org_id, 0), u.email, u.role, u.password_hash, "
	"u.must_change_password, u.status, o.name FROM users u LEFT JOIN "
	"organizations o ON o.id = u.org_id WHERE u.email = ?",
	[STMT_USER_BY_ID] =
	"SELECT u.id, COALESCE(u.org_id, 0), u.email, u.role, u.password_hash, "
	"u.must_change_password, u.status, o.name FROM users u LEFT JOIN "
	"organizations o ON o.id = u.org_id WHERE u.id = ?",
	[STMT_USER_SET_PASSWORD] =
	"UPDATE users SET password_hash = ?, must_change_password = ?, "
	"password_changed_us = ? WHERE id = ?",
	[STMT_USER_SET_STATUS] =
	"UPDATE users SET status = ? WHERE id = ?",
	[STMT_USER_LOGIN] =
	"UPDATE users SET last_login_us = ? WHERE id = ?",
	/* org 0: every user */
	[STMT_USER_LIST] =
	"SELECT u.id, o.name, u.email, u.role, u.status, u.must_change_password, "
	"u.created_us, u.last_login_us FROM users u LEFT JOIN organizations o "
	"ON o.id = u.org_id WHERE (? = 0 OR u.org_id = ?) ORDER BY u.id",
	[STMT_SESSION_INSERT] =
	"INSERT INTO sessions (id_hash, user_id, csrf, created_us, expires_us, "
	"last_seen_us) VALUES (?, ?, ?, ?, ?, ?)",
	/* A live session of an active user */
	[STMT_SESSION_LOOKUP] =
	"SELECT s.user_id, s.csrf, s.last_seen_us FROM sessions s JOIN users u "
	"ON u.id = s.user_id WHERE s.id_hash = ? AND s.expires_us > ? AND "
	"u.status = 'active'",
	[STMT_SESSION_DELETE] =
	"DELETE FROM sessions WHERE id_hash = ?",
	[STMT_SESSION_DELETE_USER] =
	"DELETE FROM sessions WHERE user_id = ?",
	[STMT_SESSION_DELETE_OTHERS] =
	"DELETE FROM sessions WHERE user_id = ? AND id_hash <> ?",
	[STMT_SESSION_PURGE] =
	"DELETE FROM sessions WHERE expires_us <= ? LIMIT 1000",
	[STMT_SESSION_SEEN] =
	"UPDATE sessions SET last_seen_us = ? WHERE id_hash = ?",
	[STMT_LOGIN_FAILURES] =
	"SELECT failures, first_us, last_us FROM login_failures WHERE "
	"key_hash = ?",
	/* A failure; the count starts again after the window (`?` seconds) */
	[STMT_LOGIN_FAILURE_ADD] =
	"INSERT INTO login_failures (key_hash, failures, first_us, last_us) "
	"VALUES (?, 1, ?, ?) ON DUPLICATE KEY UPDATE "
	"failures = IF(first_us < VALUES(first_us) - ?, 1, failures + 1), "
	"first_us = IF(first_us < VALUES(first_us) - ?, VALUES(first_us), "
	"first_us), last_us = VALUES(last_us)",
	[STMT_LOGIN_FAILURE_CLEAR] =
	"DELETE FROM login_failures WHERE key_hash = ?",
	/* An attempt counted before its check, which then succeeded */
	[STMT_LOGIN_FAILURE_UNDO] =
	"UPDATE login_failures SET failures = failures - 1 WHERE key_hash = ? "
	"AND failures > 0",
	[STMT_APIKEY_INSERT] =
	"INSERT INTO api_keys (org_id, key_hash, prefix, label, status, "
	"created_us) VALUES (?, ?, ?, ?, 'active', ?)",
	[STMT_APIKEY_LOOKUP] =
	"SELECT id, org_id, status = 'active', last_used_us FROM api_keys "
	"WHERE key_hash = ?",
	[STMT_APIKEY_LIST] =
	"SELECT id, prefix, label, status, created_us, last_used_us, "
	"revoked_us FROM api_keys WHERE org_id = ? ORDER BY id",
	[STMT_APIKEY_GET] =
	"SELECT id, org_id, status FROM api_keys WHERE id = ?",
	[STMT_APIKEY_REVOKE] =
	"UPDATE api_keys SET status = 'revoked', revoked_us = ? WHERE id = ? "
	"AND status = 'active'",
	[STMT_APIKEY_TOUCH] =
	"UPDATE api_keys SET last_used_us = ? WHERE id = ?",
	[STMT_ORG_IDS] =
	"SELECT id FROM organizations ORDER BY id",
	/* STMT_TOKEN_ROTATE: the old token expires at the end of the grace */
	[STMT_TOKEN_ROTATE] =
	"UPDATE tracking_tokens SET rotated_to = ?, expires_us = "
	"LEAST(COALESCE(expires_us, ?), ?) WHERE id = ? AND status = 'active' "
	"AND rotated_to IS NULL",
};


/* Names for log lines; the SQL is filled in from legacy_sql at first use. */
static struct db_stmt legacy[STMT__MAX] = {
	[STMT_SCHEMA_VERSION] = { "schema_version", NULL },
	[STMT_MIGRATION_RECORD] = { "migration_record", NULL },
	[STMT_TOKEN_LOOKUP] = { "token_lookup", NULL },
	[STMT_TOKEN_TOUCH] = { "token_touch", NULL },
	[STMT_EVENT_INSERT] = { "event_insert", NULL },
	[STMT_ROLLUP_UPSERT] = { "rollup_upsert", NULL },
	[STMT_ORG_INSERT] = { "org_insert", NULL },
	[STMT_ORG_LIST] = { "org_list", NULL },
	[STMT_ORG_BY_NAME] = { "org_by_name", NULL },
	[STMT_ORG_BY_ID] = { "org_by_id", NULL },
	[STMT_TOKEN_INSERT] = { "token_insert", NULL },
	[STMT_TOKEN_LIST] = { "token_list", NULL },
	[STMT_TOKEN_GET] = { "token_get", NULL },
	[STMT_TOKEN_REVOKE] = { "token_revoke", NULL },
	[STMT_PRICE_VERSION] = { "price_version", NULL },
	[STMT_PRICE_BUMP] = { "price_bump", NULL },
	[STMT_PRICE_LOAD] = { "price_load", NULL },
	[STMT_TIER_LOAD] = { "tier_load", NULL },
	[STMT_PRICE_CONFLICT] = { "price_conflict", NULL },
	[STMT_PRICE_CLOSE] = { "price_close", NULL },
	[STMT_PRICE_INSERT] = { "price_insert", NULL },
	[STMT_TIER_INSERT] = { "tier_insert", NULL },
	[STMT_REPRICE_SELECT] = { "reprice_select", NULL },
	[STMT_REPRICE_UPDATE] = { "reprice_update", NULL },
	[STMT_ROLLUP_RECOST] = { "rollup_recost", NULL },
	[STMT_AUDIT_INSERT] = { "audit_insert", NULL },
	[STMT_AUDIT_LIST] = { "audit_list", NULL },
	[STMT_TOKEN_ROTATE] = { "token_rotate", NULL },
	[STMT_DIMENSION_RECORD] = { "dimension_record", NULL },
	[STMT_ROLLUP_CLEAR] = { "rollup_clear", NULL },
	[STMT_ROLLUP_REBUILD_SELECT] = { "rollup_rebuild_select", NULL },
	[STMT_ORG_IDS] = { "org_ids", NULL },
	[STMT_USER_INSERT] = { "user_insert", NULL },
	[STMT_USER_BY_EMAIL] = { "user_by_email", NULL },
	[STMT_USER_BY_ID] = { "user_by_id", NULL },
	[STMT_USER_SET_PASSWORD] = { "user_set_password", NULL },
	[STMT_USER_SET_STATUS] = { "user_set_status", NULL },
	[STMT_USER_LOGIN] = { "user_login", NULL },
	[STMT_USER_LIST] = { "user_list", NULL },
	[STMT_SESSION_INSERT] = { "session_insert", NULL },
	[STMT_SESSION_LOOKUP] = { "session_lookup", NULL },
	[STMT_SESSION_DELETE] = { "session_delete", NULL },
	[STMT_SESSION_DELETE_USER] = { "session_delete_user", NULL },
	[STMT_SESSION_DELETE_OTHERS] = { "session_delete_others", NULL },
	[STMT_SESSION_PURGE] = { "session_purge", NULL },
	[STMT_SESSION_SEEN] = { "session_seen", NULL },
	[STMT_LOGIN_FAILURES] = { "login_failures", NULL },
	[STMT_LOGIN_FAILURE_ADD] = { "login_failure_add", NULL },
	[STMT_LOGIN_FAILURE_CLEAR] = { "login_failure_clear", NULL },
	[STMT_LOGIN_FAILURE_UNDO] = { "login_failure_undo", NULL },
	[STMT_APIKEY_INSERT] = { "apikey_insert", NULL },
	[STMT_APIKEY_LOOKUP] = { "apikey_lookup", NULL },
	[STMT_APIKEY_LIST] = { "apikey_list", NULL },
	[STMT_APIKEY_GET] = { "apikey_get", NULL },
	[STMT_APIKEY_REVOKE] = { "apikey_revoke", NULL },
	[STMT_APIKEY_TOUCH] = { "apikey_touch", NULL },
};

enum { V_I64, V_STR, V_BLOB, V_DEC };

static const struct db_stmt *
stmt_of(enum stmt s)
{
	legacy[s].sql = legacy_sql[s];
	return &legacy[s];
}

void
dbp_init(struct db_params *p)
{
	memset(p, 0, sizeof(*p));
}

static void
dbp_add(struct db_params *p, int type, int present, int64_t i,
    const void *ptr, size_t len, int scale)
{
	if (p->n >= DB_MAX_PARAMS)
		p->n = DB_MAX_PARAMS - 1;
	p->v[p->n].type = type;
	p->v[p->n].present = present;
	p->v[p->n].i = i;
	p->v[p->n].ptr = ptr;
	p->v[p->n].len = len;
	p->v[p->n].scale = scale;
	p->n++;
}

void
dbp_str(struct db_params *p, const char *s)
{
	dbp_add(p, V_STR, s != NULL, 0, s, 0, 0);
}

void
dbp_i64(struct db_params *p, int64_t v)
{
	dbp_add(p, V_I64, 1, v, NULL, 0, 0);
}

void
dbp_i64_opt(struct db_params *p, int present, int64_t v)
{
	dbp_add(p, V_I64, present, v, NULL, 0, 0);
}

void
dbp_blob(struct db_params *p, const void *v, size_t n)
{
	dbp_add(p, V_BLOB, 1, 0, v, n, 0);
}

void
dbp_decimal(struct db_params *p, int present, int64_t units, int scale)
{
	dbp_add(p, V_DEC, present, units, NULL, 0, scale);
}

void
dbc_init(struct db_cols *c)
{
	memset(c, 0, sizeof(*c));
}

static void
dbc_add(struct db_cols *c, int type, void *ptr, size_t sz)
{
	if (c->n >= DB_MAX_COLS)
		c->n = DB_MAX_COLS - 1;
	c->v[c->n].type = type;
	c->v[c->n].ptr = ptr;
	c->v[c->n].sz = sz;
	c->n++;
}

void
dbc_i64(struct db_cols *c, int64_t *v)
{
	dbc_add(c, V_I64, v, 0);
}

void
dbc_str(struct db_cols *c, char *buf, size_t bufsz)
{
	dbc_add(c, V_STR, buf, bufsz);
}

void
dbc_blob(struct db_cols *c, void *buf, size_t bufsz)
{
	dbc_add(c, V_BLOB, buf, bufsz);
}

int
dbc_null(const struct db_cols *c, unsigned i)
{
	return db_col_null(c->q, i);
}

static struct db_q *
bound(struct db *db, enum stmt s, struct db_params *p, struct db_cols *c,
    struct llmops_err *err)
{
	struct db_q	*q = db_q(db, stmt_of(s), err);
	unsigned	 i;

	for (i = 0; p != NULL && i < p->n; i++)
		switch (p->v[i].type) {
		case V_I64:
			db_bind_i64_opt(q, p->v[i].present, p->v[i].i);
			break;
		case V_STR:
			db_bind_str(q, p->v[i].present ? p->v[i].ptr : NULL);
			break;
		case V_BLOB:
			db_bind_blob(q, p->v[i].ptr, p->v[i].len);
			break;
		default:
			db_bind_decimal(q, p->v[i].present, p->v[i].i,
			    p->v[i].scale);
			break;
		}
	for (i = 0; c != NULL && i < c->n; i++)
		switch (c->v[i].type) {
		case V_I64:
			db_col_i64(q, c->v[i].ptr);
			break;
		case V_STR:
			db_col_str(q, c->v[i].ptr, c->v[i].sz);
			break;
		default:
			db_col_blob(q, c->v[i].ptr, c->v[i].sz, NULL);
			break;
		}
	if (c != NULL)
		c->q = q;
	return q;
}

int
dbl_exec(struct db *db, enum stmt s, struct db_params *p, uint64_t *affected,
    uint64_t *insert_id, struct llmops_err *err)
{
	return db_exec(bound(db, s, p, NULL, err), affected, insert_id, err);
}

int
dbl_select(struct db *db, enum stmt s, struct db_params *p, struct db_cols *c,
    struct llmops_err *err)
{
	return db_select(bound(db, s, p, c, err), err);
}

int
dbl_select_stored(struct db *db, enum stmt s, struct db_params *p,
    struct db_cols *c, struct llmops_err *err)
{
	return db_select_stored(bound(db, s, p, c, err), err);
}

int
dbl_fetch(struct db *db, enum stmt s, struct db_cols *c, struct llmops_err *err)
{
	(void)db;
	(void)s;
	return db_fetch(c->q, err);
}

void
dbl_select_end(struct db *db, enum stmt s)
{
	db_end(db_q_cached(db, stmt_of(s)));
}
