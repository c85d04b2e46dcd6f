#include "config.h"

#include <stdio.h>
#include <string.h>

#include <errmsg.h>
#include <mysqld_error.h>

#include "db.h"
#include "decimal.h"

/* The metrics of the hourly rollup, summed by every usage report. */
#define USAGE_SUMS \
	"SUM(requests), SUM(errors), SUM(prompt_tokens), " \
	"SUM(completion_tokens), SUM(total_tokens), SUM(cache_read_tokens), " \
	"SUM(cache_write_tokens), SUM(reasoning_tokens), " \
	"CAST(SUM(cost) AS CHAR), SUM(priced_requests), " \
	"CAST(SUM(our_cost) AS CHAR), SUM(our_cost_events), " \
	"CAST(SUM(litellm_cost) AS CHAR), " \
	"SUM(litellm_cost_events), SUM(latency_us_sum), SUM(latency_count), " \
	"SUM(ttft_us_sum), SUM(ttft_count)"
#define USAGE_WHERE \
	" FROM usage_hourly WHERE org_id = ? AND hour_us >= ? AND hour_us < ?"
/* Ranked groups: most expensive first; NULL (untagged) sorts by cost too. */
#define USAGE_BY(col) \
	"SELECT " col ", " USAGE_SUMS USAGE_WHERE " GROUP BY " col \
	" ORDER BY SUM(cost) DESC, SUM(requests) DESC, " col
/* Time buckets: chronological. */
#define USAGE_BY_TIME(expr) \
	"SELECT CAST(" expr " AS CHAR), " USAGE_SUMS USAGE_WHERE \
	" GROUP BY 1 ORDER BY 1 + 0"

#define EVENT_COLUMNS \
	"org_id, token_id, dedupe_key, source, litellm_id, trace_id, " \
	"call_type, status, model, model_group, provider, department, team, " \
	"agent, prompt_tokens, completion_tokens, total_tokens, " \
	"cache_read_tokens, cache_write_tokens, reasoning_tokens, " \
	"cache_write_1h_tokens, litellm_cost, our_cost, cost, cost_source, " \
	"price_id, discount_id, start_us, end_us, latency_us, ttft_us, stream, " \
	"error_code, error_class, received_us, occurred_us"

/*
 * The dashboard's filters: for each of source, department, team, agent,
 * model, provider, status a flag (0: any) and a value (NULL: untagged).
 */
#define DASH_FILTER \
	" AND (? = 0 OR source <=> ?) AND (? = 0 OR department <=> ?)" \
	" AND (? = 0 OR team <=> ?) AND (? = 0 OR agent <=> ?)" \
	" AND (? = 0 OR model <=> ?) AND (? = 0 OR provider <=> ?)" \
	" AND (? = 0 OR status <=> ?)"
#define DASH_ROLLUPS \
	" FROM usage_hourly WHERE org_id = ? AND hour_us >= ? AND hour_us < ?" \
	DASH_FILTER
#define DASH_HOUR	"hour_us"
#define DASH_DAY	"hour_us - MOD(hour_us, 86400000000)"
#define DASH_BY(col) \
	"SELECT 0, " col ", " USAGE_SUMS DASH_ROLLUPS " GROUP BY " col \
	" ORDER BY SUM(cost) DESC, SUM(requests) DESC, " col " LIMIT 500"
#define DASH_SERIES(bucket) \
	"SELECT " bucket " AS b, NULL, " USAGE_SUMS DASH_ROLLUPS \
	" GROUP BY b ORDER BY b"
#define DASH_SERIES_BY(bucket, col) \
	"SELECT " bucket " AS b, " col ", " USAGE_SUMS DASH_ROLLUPS \
	" GROUP BY b, " col " ORDER BY b, " col
#define DASH_ERRORS_SERIES(bucket) \
	"SELECT " bucket " AS b, error_class, NULL, NULL, NULL, SUM(requests)" \
	DASH_ROLLUPS " AND status = 'failure' GROUP BY b, error_class " \
	"ORDER BY b, error_class"
/* The 95th percentile from raw events (NULLs are ignored). */
#define DASH_P95(col, partition) \
	"SELECT k, ROUND(l), ROUND(t) FROM (SELECT DISTINCT " col " AS k, " \
	"PERCENTILE_CONT(0.95) WITHIN GROUP (ORDER BY latency_us) OVER (" \
	partition ") AS l, PERCENTILE_CONT(0.95) WITHIN GROUP (ORDER BY " \
	"ttft_us) OVER (" partition ") AS t FROM usage_events WHERE " \
	"org_id = ? AND occurred_us >= ? AND occurred_us < ?" DASH_FILTER \
	") q ORDER BY k"

/* The stored fields of an event, as report_event_cols lists them. */
#define EVENT_EXPORT_COLUMNS \
	"id, source, token_id, litellm_id, trace_id, call_type, status, " \
	"model, model_group, provider, department, team, agent, prompt_tokens, " \
	"completion_tokens, total_tokens, cache_read_tokens, cache_write_tokens, " \
	"cache_write_1h_tokens, reasoning_tokens, CAST(litellm_cost AS CHAR), " \
	"CAST(our_cost AS CHAR), CAST(cost AS CHAR), cost_source, price_id, " \
	"start_us, end_us, latency_us, ttft_us, stream, error_code, error_class, " \
	"received_us"

static const char *const stmts[STMT__MAX] = {
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
	[STMT_USAGE_TOTAL] =
	"SELECT NULL, " USAGE_SUMS USAGE_WHERE,
	/* STMT_USAGE_BY_DEPARTMENT .. STMT_USAGE_BY_STATUS */
	[STMT_USAGE_BY_DEPARTMENT] = USAGE_BY("department"),
	[STMT_USAGE_BY_TEAM] = USAGE_BY("team"),
	[STMT_USAGE_BY_AGENT] = USAGE_BY("agent"),
	[STMT_USAGE_BY_MODEL] = USAGE_BY("model"),
	[STMT_USAGE_BY_PROVIDER] = USAGE_BY("provider"),
	[STMT_USAGE_BY_STATUS] = USAGE_BY("status"),
	/* STMT_USAGE_BY_DAY, STMT_USAGE_BY_HOUR: bucket start in microseconds */
	[STMT_USAGE_BY_DAY] = USAGE_BY_TIME("hour_us - MOD(hour_us, 86400000000)"),
	[STMT_USAGE_BY_HOUR] = USAGE_BY_TIME("hour_us"),
	/* STMT_EVENTS_LIST: the columns of report_event_cols, in order */
	[STMT_EVENTS_LIST] =
	"SELECT " EVENT_EXPORT_COLUMNS " FROM usage_events "
	"WHERE org_id = ? AND occurred_us >= ? AND occurred_us < ? "
	"ORDER BY occurred_us, id LIMIT ?",
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
	/*
	 * STMT_COST_CHECK: per model, LiteLLM's total against ours where they
	 * differ by more than ? percent of the larger (exact DECIMAL math).
	 */
	[STMT_COST_CHECK] =
	"SELECT model, SUM(requests), CAST(SUM(litellm_cost) AS CHAR), "
	"CAST(SUM(our_cost) AS CHAR), "
	"CAST(SUM(our_cost) - SUM(litellm_cost) AS CHAR), "
	"SUM(requests) - SUM(our_cost_events) "
	"FROM usage_hourly WHERE org_id = ? AND hour_us >= ? AND hour_us < ? "
	"GROUP BY model HAVING ABS(SUM(our_cost) - SUM(litellm_cost)) > "
	"? / 100 * GREATEST(ABS(SUM(our_cost)), ABS(SUM(litellm_cost))) "
	"OR SUM(requests) > SUM(our_cost_events) "
	"ORDER BY ABS(SUM(our_cost) - SUM(litellm_cost)) DESC, model",
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
	/* --- the dashboard (lib/dash.c): one organization, DASH_FILTER */
	[STMT_DASH_TOTALS] =
	"SELECT " USAGE_SUMS DASH_ROLLUPS,
	[STMT_DASH_BY_SOURCE] = DASH_BY("source"),
	[STMT_DASH_BY_DEPARTMENT] = DASH_BY("department"),
	[STMT_DASH_BY_TEAM] = DASH_BY("team"),
	[STMT_DASH_BY_AGENT] = DASH_BY("agent"),
	[STMT_DASH_BY_MODEL] = DASH_BY("model"),
	[STMT_DASH_BY_PROVIDER] = DASH_BY("provider"),
	[STMT_DASH_BY_STATUS] = DASH_BY("status"),
	[STMT_DASH_SERIES_HOUR] = DASH_SERIES(DASH_HOUR),
	[STMT_DASH_SERIES_DAY] = DASH_SERIES(DASH_DAY),
	[STMT_DASH_SERIES_HOUR_BY_SOURCE] = DASH_SERIES_BY(DASH_HOUR, "source"),
	[STMT_DASH_SERIES_HOUR_BY_DEPARTMENT] = DASH_SERIES_BY(DASH_HOUR, "department"),
	[STMT_DASH_SERIES_HOUR_BY_TEAM] = DASH_SERIES_BY(DASH_HOUR, "team"),
	[STMT_DASH_SERIES_HOUR_BY_AGENT] = DASH_SERIES_BY(DASH_HOUR, "agent"),
	[STMT_DASH_SERIES_HOUR_BY_MODEL] = DASH_SERIES_BY(DASH_HOUR, "model"),
	[STMT_DASH_SERIES_HOUR_BY_PROVIDER] = DASH_SERIES_BY(DASH_HOUR, "provider"),
	[STMT_DASH_SERIES_HOUR_BY_STATUS] = DASH_SERIES_BY(DASH_HOUR, "status"),
	[STMT_DASH_SERIES_DAY_BY_SOURCE] = DASH_SERIES_BY(DASH_DAY, "source"),
	[STMT_DASH_SERIES_DAY_BY_DEPARTMENT] = DASH_SERIES_BY(DASH_DAY, "department"),
	[STMT_DASH_SERIES_DAY_BY_TEAM] = DASH_SERIES_BY(DASH_DAY, "team"),
	[STMT_DASH_SERIES_DAY_BY_AGENT] = DASH_SERIES_BY(DASH_DAY, "agent"),
	[STMT_DASH_SERIES_DAY_BY_MODEL] = DASH_SERIES_BY(DASH_DAY, "model"),
	[STMT_DASH_SERIES_DAY_BY_PROVIDER] = DASH_SERIES_BY(DASH_DAY, "provider"),
	[STMT_DASH_SERIES_DAY_BY_STATUS] = DASH_SERIES_BY(DASH_DAY, "status"),
	[STMT_DASH_ERRORS] =
	"SELECT 0, error_class, error_code, model, provider, SUM(requests)"
	DASH_ROLLUPS " AND status = 'failure' GROUP BY error_class, error_code, "
	"model, provider ORDER BY SUM(requests) DESC, error_class, error_code, "
	"model, provider LIMIT 500",
	[STMT_DASH_ERRORS_HOUR] = DASH_ERRORS_SERIES(DASH_HOUR),
	[STMT_DASH_ERRORS_DAY] = DASH_ERRORS_SERIES(DASH_DAY),
	[STMT_DASH_P95] = DASH_P95("NULL", ""),
	[STMT_DASH_P95_BY_SOURCE] = DASH_P95("source", "PARTITION BY source"),
	[STMT_DASH_P95_BY_DEPARTMENT] = DASH_P95("department", "PARTITION BY department"),
	[STMT_DASH_P95_BY_TEAM] = DASH_P95("team", "PARTITION BY team"),
	[STMT_DASH_P95_BY_AGENT] = DASH_P95("agent", "PARTITION BY agent"),
	[STMT_DASH_P95_BY_MODEL] = DASH_P95("model", "PARTITION BY model"),
	[STMT_DASH_P95_BY_PROVIDER] = DASH_P95("provider", "PARTITION BY provider"),
	[STMT_DASH_P95_BY_STATUS] = DASH_P95("status", "PARTITION BY status"),
	[STMT_DASH_EVENTS] =
	"SELECT " EVENT_EXPORT_COLUMNS " FROM usage_events WHERE org_id = ? AND "
	"occurred_us >= ? AND occurred_us < ?" DASH_FILTER
	" AND (? = 0 OR occurred_us < ? OR (occurred_us = ? AND id < ?)) "
	"ORDER BY occurred_us DESC, id DESC LIMIT ?",
	[STMT_DASH_DIM_EXISTS] =
	"SELECT COUNT(*) FROM dimension_values WHERE org_id = ? AND dim = ? AND "
	"value = ?",
	[STMT_DASH_DIM_VALUES] =
	"SELECT value FROM dimension_values WHERE org_id = ? AND dim = ? "
	"ORDER BY value LIMIT 1000",
	[STMT_ORG_IDS] =
	"SELECT id FROM organizations ORDER BY id",
	/* STMT_TOKEN_ROTATE: the old token expires at the end of the grace */
	[STMT_TOKEN_ROTATE] =
	"UPDATE tracking_tokens SET rotated_to = ?, expires_us = "
	"LEAST(COALESCE(expires_us, ?), ?) WHERE id = ? AND status = 'active' "
	"AND rotated_to IS NULL",
};

void
db_init(struct db *db, const struct conf_db *conf)
{
	memset(db, 0, sizeof(*db));
	db->conf = conf;
}

void
db_close(struct db *db)
{
	int	i;

	for (i = 0; i < STMT__MAX; i++)
		if (db->stmts[i] != NULL) {
			mysql_stmt_close(db->stmts[i]);
			db->stmts[i] = NULL;
		}
	if (db->my != NULL)
		mysql_close(db->my);
	db->my = NULL;
}

static int
is_lost(unsigned e)
{
	return e == CR_SERVER_GONE_ERROR || e == CR_SERVER_LOST ||
	    e == CR_CONNECTION_ERROR || e == CR_CONN_HOST_ERROR ||
	    e == CR_SERVER_LOST_EXTENDED || e == ER_SERVER_SHUTDOWN ||
	    e == ER_CONNECTION_KILLED || e == CR_COMMANDS_OUT_OF_SYNC;
}

int
db_lost(const struct db *db)
{
	return db->my == NULL || is_lost(db->last_errno);
}

int
db_retryable(const struct db *db)
{
	return db->last_errno == ER_LOCK_DEADLOCK ||
	    db->last_errno == ER_LOCK_WAIT_TIMEOUT;
}

/* Records a failure of the connection and turns it into err. */
static int
fail_conn(struct db *db, const char *what, struct llmops_err *err)
{
	db->last_errno = db->my ? mysql_errno(db->my) : CR_SERVER_GONE_ERROR;
	err_set(err, is_lost(db->last_errno) ? 503 : 500, "database: %s: %s",
	    what, db->my ? mysql_error(db->my) : "not connected");
	if (is_lost(db->last_errno))
		db_close(db);
	return -1;
}

static int
fail_stmt(struct db *db, MYSQL_STMT *st, enum stmt s, struct llmops_err *err)
{
	db->last_errno = mysql_stmt_errno(st);
	err_set(err, is_lost(db->last_errno) ? 503 : 500,
	    "database: statement %d: %s", (int)s, mysql_stmt_error(st));
	if (is_lost(db->last_errno))
		db_close(db);
	return -1;
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

	if (db->my != NULL)
		return 0;
	db->last_errno = 0;
	if ((db->my = mysql_init(NULL)) == NULL)
		return err_set(err, 500, "database: out of memory");
	timeout = (unsigned)c->connect_timeout;
	mysql_options(db->my, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	timeout = (unsigned)c->read_timeout;
	mysql_options(db->my, MYSQL_OPT_READ_TIMEOUT, &timeout);
	timeout = (unsigned)c->write_timeout;
	mysql_options(db->my, MYSQL_OPT_WRITE_TIMEOUT, &timeout);
	mysql_options(db->my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	if (c->tls) {
		mysql_ssl_set(db->my, *c->tls_key ? c->tls_key : NULL,
		    *c->tls_cert ? c->tls_cert : NULL,
		    *c->tls_ca ? c->tls_ca : NULL, NULL, NULL);
		verify = c->tls_verify_server_cert ? 1 : 0;
		mysql_options(db->my, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify);
	}
	sock = *c->socket ? c->socket : NULL;
	host = sock ? "localhost" : c->host;
	if (mysql_real_connect(db->my, host, c->user,
	    *c->password ? c->password : NULL, c->name, (unsigned)c->port,
	    sock, 0) == NULL) {
		db->last_errno = mysql_errno(db->my);
		if (sock)
			err_set(err, 503, "database: cannot connect to socket "
			    "%s: %s", sock, mysql_error(db->my));
		else
			err_set(err, 503, "database: cannot connect to %s:%d: %s",
			    host, c->port, mysql_error(db->my));
		mysql_close(db->my);
		db->my = NULL;
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
	if (mysql_autocommit(db->my, 1) != 0)
		return fail_conn(db, "autocommit", err);
	if (db->require_schema > 0 && check_schema(db, err) != 0) {
		db_close(db);
		return -1;
	}
	return 0;
}

int
db_exec_sql(struct db *db, const char *sql, struct llmops_err *err)
{
	MYSQL_RES	*res;

	if (db->my == NULL)
		return err_set(err, 503, "database: not connected");
	if (mysql_real_query(db->my, sql, (unsigned long)strlen(sql)) != 0)
		return fail_conn(db, "query", err);
	/* Drain every result, so the connection is ready for the next query. */
	do {
		if ((res = mysql_store_result(db->my)) != NULL)
			mysql_free_result(res);
		else if (mysql_field_count(db->my) != 0)
			return fail_conn(db, "query result", err);
	} while (mysql_next_result(db->my) == 0);
	if (mysql_errno(db->my) != 0)
		return fail_conn(db, "query", err);
	return 0;
}

int
db_multi_statements(struct db *db, int on, struct llmops_err *err)
{
	if (db->my == NULL)
		return err_set(err, 503, "database: not connected");
	if (mysql_set_server_option(db->my, on ? MYSQL_OPTION_MULTI_STATEMENTS_ON :
	    MYSQL_OPTION_MULTI_STATEMENTS_OFF) != 0)
		return fail_conn(db, "multi-statement option", err);
	return 0;
}

int
db_begin(struct db *db, struct llmops_err *err)
{
	if (db->my == NULL)
		return err_set(err, 503, "database: not connected");
	if (mysql_autocommit(db->my, 0) != 0)
		return fail_conn(db, "begin", err);
	return 0;
}

int
db_commit(struct db *db, struct llmops_err *err)
{
	if (db->my == NULL)
		return err_set(err, 503, "database: not connected");
	if (mysql_commit(db->my) != 0)
		return fail_conn(db, "commit", err);
	if (mysql_autocommit(db->my, 1) != 0)
		return fail_conn(db, "autocommit", err);
	return 0;
}

void
db_rollback(struct db *db)
{
	if (db->my == NULL)
		return;
	/* A failed rollback means the connection is gone: the server rolls back. */
	if (mysql_rollback(db->my) != 0 || mysql_autocommit(db->my, 1) != 0)
		db_close(db);
}

static MYSQL_STMT *
prepared(struct db *db, enum stmt s, struct llmops_err *err)
{
	MYSQL_STMT	*st;

	if (db->my == NULL) {
		err_set(err, 503, "database: not connected");
		return NULL;
	}
	if (db->stmts[s] != NULL)
		return db->stmts[s];
	if (stmts[s] == NULL) {
		err_set(err, 500, "database: statement %d has no SQL", (int)s);
		return NULL;
	}
	if ((st = mysql_stmt_init(db->my)) == NULL) {
		fail_conn(db, "statement init", err);
		return NULL;
	}
	if (mysql_stmt_prepare(st, stmts[s], (unsigned long)strlen(stmts[s]))) {
		fail_stmt(db, st, s, err);
		mysql_stmt_close(st);
		return NULL;
	}
	db->stmts[s] = st;
	return st;
}

void
dbp_init(struct db_params *p)
{
	memset(p, 0, sizeof(*p));
}

static MYSQL_BIND *
dbp_next(struct db_params *p)
{
	MYSQL_BIND	*b;

	/* The statement table fixes the count; overflowing is a programming error. */
	if (p->n >= DB_MAX_PARAMS)
		p->n = DB_MAX_PARAMS - 1;
	b = &p->b[p->n];
	memset(b, 0, sizeof(*b));
	b->length = &p->len[p->n];
	b->is_null = &p->isnull[p->n];
	p->n++;
	return b;
}

void
dbp_str(struct db_params *p, const char *s)
{
	MYSQL_BIND	*b = dbp_next(p);

	b->buffer_type = MYSQL_TYPE_STRING;
	if (s == NULL) {
		*b->is_null = 1;
		return;
	}
	b->buffer = (void *)s;
	*b->length = (unsigned long)strlen(s);
}

void
dbp_blob(struct db_params *p, const void *v, size_t n)
{
	MYSQL_BIND	*b = dbp_next(p);

	b->buffer_type = MYSQL_TYPE_BLOB;
	b->buffer = (void *)v;
	*b->length = (unsigned long)n;
}

void
dbp_i64(struct db_params *p, int64_t v)
{
	dbp_i64_opt(p, 1, v);
}

void
dbp_i64_opt(struct db_params *p, int present, int64_t v)
{
	unsigned	 i = p->n;
	MYSQL_BIND	*b = dbp_next(p);

	b->buffer_type = MYSQL_TYPE_LONGLONG;
	p->ints[i] = v;
	b->buffer = &p->ints[i];
	*b->is_null = present ? 0 : 1;
}

void
dbp_decimal(struct db_params *p, int present, int64_t units, int scale)
{
	unsigned	 i = p->n;
	MYSQL_BIND	*b = dbp_next(p);

	b->buffer_type = MYSQL_TYPE_NEWDECIMAL;
	if (!present || decimal_format(units, scale, p->dec[i],
	    sizeof(p->dec[i])) != 0) {
		*b->is_null = 1;
		return;
	}
	b->buffer = p->dec[i];
	*b->length = (unsigned long)strlen(p->dec[i]);
}

void
dbc_init(struct db_cols *c)
{
	memset(c, 0, sizeof(*c));
}

static MYSQL_BIND *
dbc_next(struct db_cols *c)
{
	MYSQL_BIND	*b;

	if (c->n >= DB_MAX_COLS)
		c->n = DB_MAX_COLS - 1;
	b = &c->b[c->n];
	memset(b, 0, sizeof(*b));
	b->length = &c->len[c->n];
	b->is_null = &c->isnull[c->n];
	b->error = &c->error[c->n];
	c->n++;
	return b;
}

void
dbc_i64(struct db_cols *c, int64_t *v)
{
	MYSQL_BIND	*b = dbc_next(c);

	b->buffer_type = MYSQL_TYPE_LONGLONG;
	b->buffer = v;
}

void
dbc_str(struct db_cols *c, char *buf, size_t bufsz)
{
	MYSQL_BIND	*b = dbc_next(c);

	b->buffer_type = MYSQL_TYPE_STRING;
	b->buffer = buf;
	/* One byte is kept for the terminating NUL added by db_fetch. */
	b->buffer_length = bufsz > 0 ? (unsigned long)bufsz - 1 : 0;
}

void
dbc_blob(struct db_cols *c, void *buf, size_t bufsz)
{
	MYSQL_BIND	*b = dbc_next(c);

	b->buffer_type = MYSQL_TYPE_BLOB;
	b->buffer = buf;
	b->buffer_length = (unsigned long)bufsz;
}

int
dbc_null(const struct db_cols *c, unsigned i)
{
	return i < c->n && c->isnull[i];
}

int
db_exec(struct db *db, enum stmt s, struct db_params *p, uint64_t *affected,
    uint64_t *insert_id, struct llmops_err *err)
{
	MYSQL_STMT	*st;

	if ((st = prepared(db, s, err)) == NULL)
		return -1;
	if (mysql_stmt_param_count(st) != (p ? p->n : 0))
		return err_set(err, 500, "database: statement %d takes %lu "
		    "parameters, %u bound", (int)s, mysql_stmt_param_count(st),
		    p ? p->n : 0);
	if (p != NULL && p->n > 0 && mysql_stmt_bind_param(st, p->b))
		return fail_stmt(db, st, s, err);
	if (mysql_stmt_execute(st))
		return fail_stmt(db, st, s, err);
	if (affected != NULL)
		*affected = mysql_stmt_affected_rows(st);
	if (insert_id != NULL)
		*insert_id = mysql_stmt_insert_id(st);
	return 0;
}

int
db_select(struct db *db, enum stmt s, struct db_params *p, struct db_cols *c,
    struct llmops_err *err)
{
	MYSQL_STMT	*st;

	if (db_exec(db, s, p, NULL, NULL, err) != 0)
		return -1;
	st = db->stmts[s];
	if (mysql_stmt_field_count(st) != c->n) {
		mysql_stmt_free_result(st);
		return err_set(err, 500, "database: statement %d returns %u "
		    "columns, %u bound", (int)s, mysql_stmt_field_count(st), c->n);
	}
	if (mysql_stmt_bind_result(st, c->b))
		return fail_stmt(db, st, s, err);
	return 0;
}

int
db_select_stored(struct db *db, enum stmt s, struct db_params *p,
    struct db_cols *c, struct llmops_err *err)
{
	if (db_select(db, s, p, c, err) != 0)
		return -1;
	if (mysql_stmt_store_result(db->stmts[s]) != 0)
		return fail_stmt(db, db->stmts[s], s, err);
	return 0;
}

int
db_fetch(struct db *db, enum stmt s, struct db_cols *c, struct llmops_err *err)
{
	MYSQL_STMT	*st = db->stmts[s];
	unsigned	 i;
	int		 rc;

	if (st == NULL)
		return err_set(err, 503, "database: not connected");
	rc = mysql_stmt_fetch(st);
	if (rc == MYSQL_NO_DATA)
		return 0;
	if (rc == 1)
		return fail_stmt(db, st, s, err);
	for (i = 0; i < c->n; i++) {
		MYSQL_BIND	*b = &c->b[i];

		if (rc == MYSQL_DATA_TRUNCATED && c->error[i] &&
		    b->buffer_type != MYSQL_TYPE_LONGLONG)
			return err_set(err, 500, "database: column %u of "
			    "statement %d is longer than its buffer", i, (int)s);
		if (b->buffer_type == MYSQL_TYPE_STRING) {
			unsigned long	n = c->isnull[i] ? 0 : c->len[i];

			if (n > b->buffer_length)
				n = b->buffer_length;
			((char *)b->buffer)[n] = '\0';
		}
	}
	return 1;
}

void
db_select_end(struct db *db, enum stmt s)
{
	if (db->stmts[s] != NULL)
		mysql_stmt_free_result(db->stmts[s]);
}

int
db_schema_version(struct db *db, int *version, struct llmops_err *err)
{
	struct db_cols	c;
	int64_t		v = 0;
	int		rc;

	dbc_init(&c);
	dbc_i64(&c, &v);
	if (db_select(db, STMT_SCHEMA_VERSION, NULL, &c, err) != 0)
		return -1;
	rc = db_fetch(db, STMT_SCHEMA_VERSION, &c, err);
	db_select_end(db, STMT_SCHEMA_VERSION);
	if (rc < 0)
		return -1;
	*version = (int)v;
	return 0;
}
