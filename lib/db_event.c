/* Events, hourly rollups and dimension values: see db_event.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_event.h"
#include "db_label.h"
#include "db_rows.h"
#include "db_sums.h"
#include "decimal.h"

/* A VARCHAR(255) utf8mb4 column as text, or a cost sum of any width. */
#define EVENT_TEXT_BYTES	LIMIT_TEXT_BYTES
/* A DECIMAL cost of one event as text. */
#define EVENT_COST_BYTES	48
/* Dimension columns of a recomputed rollup row: department, team, agent,
 * model, provider, status, error_class, error_code. */
#define RECOMPUTE_DIMS		8
/* Its numbers: hour, count, the rollup's tokens, the three counts of
 * costs, latency sum and count, ttft sum and count, cache hits. */
#define RECOMPUTE_NUMS		(2 + ROLLUP_TOKENS + 3 + 4 + 1)
/* Its sums as text: the three costs and the savings of cache hits. */
#define RECOMPUTE_COSTS		4
/* Rows given to the callback at once: the largest multi-row upsert. */
#define RECOMPUTE_BATCH		256
/* Label ids of an event repricing reads: department, team, agent, model,
 * model_group, provider (columns 2 to 7), then deployment and api host
 * (22 and 23): what pricing and the rollup keys need. */
#define COST_DIMS		8
#define COST_DIMS_FIRST		6
/* Its token counts, in the order cost_counts lists them. */
#define COST_COUNTS		7

enum {
	STMT_EVENT_INSERT,
	STMT_DIMENSION_RECORD,
	STMT_ROLLUP_UPSERT,
	STMT_ROLLUP_CLEAR,
	STMT_ROLLUP_RECOMPUTE,
	STMT_ROLLUP_RECOST,
	STMT_EVENT_COST_SELECT,
	STMT_EVENT_COST_UPDATE,
	STMT__MAX
};

static const struct db_stmt stmts[STMT__MAX] = {
	/*
	 * One event: its labels by id (db_label.h), in the order of enum
	 * label_kind. Bound by bind_event; made multi-row by db_multi.
	 */
	[STMT_EVENT_INSERT] = { "event.insert",
	    "INSERT INTO usage_event_rows (org_id, token_id, dedupe_key, "
	    "occurred_us, received_us, litellm_id, trace_id, status, "
	    "cost_source, stream, cache_hit, department_id, team_id, agent_id, "
	    "model_id, provider_id, model_group_id, call_type_id, "
	    "error_class_id, error_code_id, deployment_id, api_host_id, "
	    "key_alias_id, team_alias_id, org_alias_id, price_key_id, "
	    "prompt_tokens, completion_tokens, total_tokens, cache_read_tokens, "
	    "cache_write_tokens, reasoning_tokens, cache_write_1h_tokens, "
	    "litellm_cost, our_cost, cost, price_id, discount_id, "
	    "saved_cache_cost, cb_input_cost, cb_output_cost, "
	    "cb_cache_read_cost, cb_cache_write_cost, cb_reasoning_cost, "
	    "cb_tool_cost, start_us, end_us, latency_us, ttft_us) VALUES (?, ?, "
	    "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
	    "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
	    "?, ?, ?) ON DUPLICATE KEY UPDATE id = id" },
	[STMT_DIMENSION_RECORD] = { "dimension.record",
	    "INSERT INTO dimension_values (org_id, dim, value, first_us) "
	    "VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE first_us = "
	    "LEAST(first_us, VALUES(first_us))" },
	/* Bound by db_rollup_add; the sums saturate (db_sums.h). */
	[STMT_ROLLUP_UPSERT] = { "rollup.upsert",
	    "INSERT INTO usage_hourly (org_id, hour_us, dims_key, source, "
	    "department, team, agent, model, provider, status, error_class, "
	    "error_code, " DB_SUMS_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
	    "?, ?, ?, ?, " DB_SUMS_VALUES ")" DB_SUMS_UPSERT },
	[STMT_ROLLUP_CLEAR] = { "rollup.clear",
	    "DELETE FROM usage_hourly WHERE org_id = ? AND hour_us >= ?" },
	/* The sums the responder keeps, from the rebuild's events grouped by
	 * hour and label ids (rebuild_fine, lib/db_rollup.h), given their
	 * texts; read by db_rollup_recompute. */
	[STMT_ROLLUP_RECOMPUTE] = { "rollup.recompute",
	    "SELECT g.b, l1.value, l2.value, l3.value, l4.value, l5.value, "
	    "g.status, l8.value, l9.value, g.n, g.pt, g.ct, g.tt, g.crt, g.cwt, "
	    "g.rt, CAST(g.lc AS CHAR), g.lcn, CAST(g.c AS CHAR), g.cn, "
	    "CAST(g.oc AS CHAR), g.ocn, g.lat, g.latn, g.ttft, g.ttftn, g.hits, "
	    "CAST(g.saved AS CHAR) FROM (SELECT b, department_id, team_id, "
	    "agent_id, model_id, provider_id, status, error_class_id, "
	    "error_code_id, SUM(s0) AS n, SUM(s2) AS pt, SUM(s3) AS ct, "
	    "SUM(s4) AS tt, SUM(s5) AS crt, SUM(s6) AS cwt, SUM(s7) AS rt, "
	    "SUM(s8) AS lc, SUM(s9) AS lcn, SUM(s10) AS c, SUM(s11) AS cn, "
	    "SUM(s12) AS oc, SUM(s13) AS ocn, SUM(s14) AS lat, SUM(s15) AS latn, "
	    "SUM(s16) AS ttft, SUM(s17) AS ttftn, SUM(s18) AS hits, "
	    "SUM(s19) AS saved FROM rebuild_fine GROUP BY b, department_id, "
	    "team_id, agent_id, model_id, provider_id, status, error_class_id, "
	    "error_code_id) g "
	    "LEFT JOIN labels l1 ON l1.id = g.department_id "
	    "LEFT JOIN labels l2 ON l2.id = g.team_id "
	    "LEFT JOIN labels l3 ON l3.id = g.agent_id "
	    "LEFT JOIN labels l4 ON l4.id = g.model_id "
	    "LEFT JOIN labels l5 ON l5.id = g.provider_id "
	    "LEFT JOIN labels l8 ON l8.id = g.error_class_id "
	    "LEFT JOIN labels l9 ON l9.id = g.error_code_id" },
	/* Signed deltas. */
	[STMT_ROLLUP_RECOST] = { "rollup.recost",
	    "UPDATE usage_hourly SET " DB_SUMS_RECOST " WHERE org_id = ? AND "
	    "hour_us = ? AND dims_key = ?" },
	/*
	 * One chunk in (occurred_us, id) order after the last row seen,
	 * locked; the model filter is off when its value is NULL. Read by
	 * db_event_cost_read.
	 */
	[STMT_EVENT_COST_SELECT] = { "event.cost_select",
	    "SELECT id, occurred_us, department_id, team_id, agent_id, "
	    "model_id, model_group_id, provider_id, status, prompt_tokens, "
	    "completion_tokens, total_tokens, cache_read_tokens, "
	    "cache_write_tokens, cache_write_1h_tokens, reasoning_tokens, "
	    "CAST(litellm_cost AS CHAR), CAST(our_cost AS CHAR), "
	    "CAST(cost AS CHAR), cost_source, price_id, discount_id, "
	    "deployment_id, api_host_id FROM usage_event_rows WHERE org_id = ? AND occurred_us < ? AND "
	    "occurred_us >= ? AND (occurred_us > ? OR id > ?) AND "
	    "(? IS NULL OR model_id = ? OR model_group_id = ?) "
	    "ORDER BY occurred_us, id LIMIT ? FOR UPDATE" },
	[STMT_EVENT_COST_UPDATE] = { "event.cost_update",
	    "UPDATE usage_event_rows SET our_cost = ?, cost = ?, "
	    "cost_source = ?, price_id = ?, discount_id = ? WHERE id = ?" },
};

/* The token counts of event.cost_select, in its column order. */
static const enum event_num cost_counts[COST_COUNTS] = {
	EV_PROMPT_TOKENS, EV_COMPLETION_TOKENS, EV_TOTAL_TOKENS,
	EV_CACHE_READ_TOKENS, EV_CACHE_WRITE_TOKENS, EV_CACHE_WRITE_1H_TOKENS,
	EV_REASONING_TOKENS,
};

/* A number of the event, NULL when it has none. */
static void
bind_num(struct db_q *q, const struct usage_event *ev, enum event_num f)
{
	db_bind_i64_opt(q, EVENT_HAS(ev, f), ev->num[f]);
}

static void
bind_cost(struct db_q *q, const struct usage_event *ev, enum event_num f)
{
	db_bind_decimal(q, EVENT_HAS(ev, f), ev->num[f], COST_SCALE_DIGITS);
}

/* Text columns, in order (a NULL pointer binds NULL). */
static void
bind_strs(struct db_q *q, const char *const *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		db_bind_str(q, v[i]);
}

/* An id of the event, NULL for 0 (none). */
static void
bind_id(struct db_q *q, uint32_t id)
{
	db_bind_i64_opt(q, id != 0, id);
}

/*
 * Copies text column i into *out (NULL when the column was NULL).
 * -1 when out of memory.
 */
static int
col_dup(const struct db_q *q, unsigned i, const char *text, char **out)
{
	*out = NULL;
	if (db_col_null(q, i))
		return 0;
	return (*out = strdup(text)) == NULL ? -1 : 0;
}

/* Status column i: NULL is unknown, anything but a failure a success. */
static enum event_status
col_status(const struct db_q *q, unsigned i, const char *text)
{
	if (db_col_null(q, i))
		return EVENT_STATUS_UNKNOWN;
	return strcmp(text, "failure") == 0 ? EVENT_STATUS_FAILURE :
	    EVENT_STATUS_SUCCESS;
}

/* A cost as text in rollup units; -1 when it does not fit. */
static int
cost_of(const char *text, int64_t *out)
{
	return decimal_parse(text, COST_SCALE_DIGITS, INT64_MAX, out);
}

/* The values of event.insert of one event whose label ids are ids. */
static void
bind_event(struct db_q *q, const struct usage_event *ev,
    const uint32_t *ids)
{
	static const enum event_num costs[] = {
		EV_LITELLM_COST, EV_OUR_COST, EV_COST,
	};
	static const enum event_num reported[] = {
		EV_SAVED_CACHE_COST, EV_CB_INPUT_COST, EV_CB_OUTPUT_COST,
		EV_CB_CACHE_READ_COST, EV_CB_CACHE_WRITE_COST,
		EV_CB_REASONING_COST, EV_CB_TOOL_COST,
	};
	size_t		 i;

	db_bind_i64(q, ev->org_id);
	db_bind_i64(q, ev->token_id);
	db_bind_blob(q, ev->dedupe_key, EVENT_KEY_LEN);
	db_bind_i64(q, usage_event_time(ev));
	db_bind_i64(q, ev->received_us);
	db_bind_str(q, ev->litellm_id);
	db_bind_str(q, ev->trace_id);
	db_bind_str(q, event_status_name(ev->status));
	db_bind_str(q, cost_source_name(ev->cost_source));
	db_bind_i64(q, ev->stream ? 1 : 0);
	db_bind_i64_opt(q, ev->cache_hit != CACHE_HIT_UNKNOWN,
	    ev->cache_hit == CACHE_HIT_YES);
	for (i = 0; i < EVENT_LABELS; i++)
		bind_id(q, ids[i]);
	for (i = 0; i < ROLLUP_TOKENS; i++)
		bind_num(q, ev, rollup_tokens[i]);
	bind_num(q, ev, EV_CACHE_WRITE_1H_TOKENS);
	for (i = 0; i < sizeof(costs) / sizeof(costs[0]); i++)
		bind_cost(q, ev, costs[i]);
	bind_id(q, ev->price_id);
	bind_id(q, ev->discount_id);
	for (i = 0; i < sizeof(reported) / sizeof(reported[0]); i++)
		bind_cost(q, ev, reported[i]);
	bind_num(q, ev, EV_START_US);
	bind_num(q, ev, EV_END_US);
	bind_num(q, ev, EV_LATENCY_US);
	bind_num(q, ev, EV_TTFT_US);
}

/*
 * The multi-row statements: the inserts made from event.insert by
 * db_multi (lib/db_rows.h), and the SELECTs of stored keys of the same
 * arities, each built once per process and prepared once per connection
 * like the others.
 */
static struct db_multi	insert_rows = { &stmts[STMT_EVENT_INSERT], { { 0 } },
    { { 0 } } };
/* The SELECT of stored keys, of the same arities. */
static struct db_repeat	known_rows = { "event.known",
    "SELECT dedupe_key FROM usage_event_rows WHERE org_id = ? AND "
    "dedupe_key "
    "IN (", "?", ", ", ")", { { 0 } }, { { 0 } } };

int
db_event_known(struct db *db, struct usage_event *const *evs, size_t n,
    int *known, struct llmops_err *err)
{
	unsigned char		 key[EVENT_KEY_LEN];
	const struct db_stmt	*st;
	struct db_q		*q;
	size_t			 at, a, i, k, len;
	int		 rc;

	for (i = 0; i < n; i++)
		known[i] = 0;
	for (at = 0; at < n; at += k) {
		/* The smallest arity that takes the rest, else the largest. */
		for (a = DB_MULTI_ARITIES - 1; a > 0 &&
		    db_multi_rows[a] < n - at; a--)
			;
		k = n - at < db_multi_rows[a] ? n - at : db_multi_rows[a];
		if ((st = db_repeat_stmt(&known_rows, a)) == NULL)
			return err_set(err, 500, "out of memory");
		q = db_q(db, st, err);
		db_bind_i64(q, evs[at]->org_id);
		/* Unused places repeat the last key. */
		for (i = 0; i < db_multi_rows[a]; i++)
			db_bind_blob(q, evs[at + (i < k ? i : k - 1)]->dedupe_key,
			    EVENT_KEY_LEN);
		db_col_blob(q, key, sizeof(key), &len);
		if (db_select(q, err) != 0)
			return -1;
		while ((rc = db_fetch(q, err)) == 1)
			for (i = 0; i < k; i++)
				if (len == EVENT_KEY_LEN && memcmp(key,
				    evs[at + i]->dedupe_key, EVENT_KEY_LEN) == 0)
					known[at + i] = 1;
		db_end(q);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int
db_event_insert_rows(struct db *db, struct usage_event *const *evs,
    const uint32_t (*ids)[EVENT_LABELS], size_t n, struct llmops_err *err)
{
	const struct db_stmt	*st;
	struct db_q		*q;
	uint64_t		 affected = 0;
	size_t			 at, a, i, rows;

	for (at = 0; at < n; at += rows) {
		a = db_multi_arity(n, at);
		rows = db_multi_rows[a];
		if ((st = db_multi_stmt(&insert_rows, a)) == NULL)
			return err_set(err, 500, "out of memory");
		q = db_q(db, st, err);
		for (i = 0; i < rows; i++)
			bind_event(q, evs[at + i], ids[at + i]);
		if (db_exec(q, &affected, NULL, err) != 0)
			return -1;
		/* Another writer stored some meanwhile: try again later. */
		if (affected != rows)
			return err_set(err, 503, "%zu of %zu events were stored "
			    "meanwhile by another writer", (size_t)(rows -
			    affected), rows);
	}
	return 0;
}

int
db_dimension_record(struct db *db, uint32_t org_id, const char *dim,
    const char *value, int64_t first_us, struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_DIMENSION_RECORD], err);

	db_bind_i64(q, org_id);
	db_bind_str(q, dim);
	db_bind_str(q, value);
	db_bind_i64(q, first_us);
	return db_exec(q, NULL, NULL, err);
}

void
db_bind_sums(struct db_q *q, const struct rollup_sums *s)
{
	int	i;

	db_bind_i64(q, s->requests);
	db_bind_i64(q, s->errors);
	for (i = 0; i < ROLLUP_TOKENS; i++)
		db_bind_i64(q, s->tokens[i]);
	db_bind_decimal(q, 1, s->litellm_cost, COST_SCALE_DIGITS);
	db_bind_i64(q, s->litellm_cost_events);
	db_bind_decimal(q, 1, s->cost, COST_SCALE_DIGITS);
	db_bind_i64(q, s->priced);
	db_bind_decimal(q, 1, s->our_cost, COST_SCALE_DIGITS);
	db_bind_i64(q, s->our_cost_events);
	db_bind_i64(q, s->latency_sum);
	db_bind_i64(q, s->latency_count);
	db_bind_i64(q, s->ttft_sum);
	db_bind_i64(q, s->ttft_count);
	db_bind_i64(q, s->cache_hits);
	db_bind_decimal(q, 1, s->saved_cache_cost, COST_SCALE_DIGITS);
}

void
db_bind_recost(struct db_q *q, const struct rollup_recost *r)
{
	db_bind_decimal(q, 1, r->cost, COST_SCALE_DIGITS);
	db_bind_i64(q, r->priced);
	db_bind_decimal(q, 1, r->our, COST_SCALE_DIGITS);
	db_bind_i64(q, r->our_events);
}

static struct db_multi	rollup_upsert = { &stmts[STMT_ROLLUP_UPSERT],
    { { 0 } }, { { 0 } } };

/* Binds delta i of arg (a db_multi_bind_fn). */
static void
bind_rollup_row(void *arg, size_t i, struct db_q *q)
{
	const struct rollup_delta	*d = (const struct rollup_delta *)arg + i;
	const struct usage_event	*ev = d->dims;
	const char			*dims[] = {
		EVENT_SOURCE_LITELLM, ev->department, ev->team, ev->agent,
		ev->model, ev->provider, event_status_name(ev->status),
		ev->error_class, ev->error_code,
	};

	db_bind_i64(q, d->org_id);
	db_bind_i64(q, d->hour_us);
	db_bind_blob(q, d->key, ROLLUP_KEY_LEN);
	bind_strs(q, dims, sizeof(dims) / sizeof(dims[0]));
	db_bind_sums(q, &d->s);
}

int
db_rollup_add(struct db *db, const struct rollup_delta *d, size_t n,
    struct llmops_err *err)
{
	return db_multi_exec(db, &rollup_upsert, n, bind_rollup_row,
	    (void *)d, err);
}

int
db_rollup_clear(struct db *db, uint32_t org_id, int64_t from_us,
    struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_ROLLUP_CLEAR], err);

	db_bind_i64(q, org_id);
	db_bind_i64(q, from_us);
	return db_exec(q, NULL, NULL, err);
}

int
db_rollup_recost(struct db *db, uint32_t org_id, const struct rollup_recost *r,
    struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_ROLLUP_RECOST], err);

	db_bind_recost(q, r);
	db_bind_i64(q, org_id);
	db_bind_i64(q, r->hour_us);
	db_bind_blob(q, r->key, ROLLUP_KEY_LEN);
	return db_exec(q, NULL, NULL, err);
}

/* One row of rollup.recompute: its dimensions into ev, its sums into d. */
static int
recompute_row(const struct db_q *q, char (*text)[EVENT_TEXT_BYTES],
    const int64_t *num, struct usage_event *ev, struct rollup_delta *d,
    struct llmops_err *err)
{
	char	**dims[RECOMPUTE_DIMS] = {
		&ev->department, &ev->team, &ev->agent, &ev->model,
		&ev->provider, NULL, &ev->error_class, &ev->error_code,
	};
	int	  k;

	for (k = 0; k < RECOMPUTE_DIMS; k++)
		if (dims[k] != NULL &&
		    col_dup(q, (unsigned)(1 + k), text[k], dims[k]) != 0)
			return err_set(err, 500, "out of memory");
	ev->status = col_status(q, 6, text[5]);
	memset(d, 0, sizeof(*d));
	d->dims = ev;
	d->org_id = ev->org_id;
	d->hour_us = num[0];
	d->s.requests = num[1];
	d->s.errors = ev->status == EVENT_STATUS_FAILURE ? num[1] : 0;
	for (k = 0; k < ROLLUP_TOKENS; k++)
		d->s.tokens[k] = num[2 + k];
	d->s.litellm_cost_events = num[8];
	d->s.priced = num[9];
	d->s.our_cost_events = num[10];
	d->s.latency_sum = num[11];
	d->s.latency_count = num[12];
	d->s.ttft_sum = num[13];
	d->s.ttft_count = num[14];
	d->s.cache_hits = num[15];
	if (cost_of(text[8], &d->s.litellm_cost) != 0 ||
	    cost_of(text[9], &d->s.cost) != 0 ||
	    cost_of(text[10], &d->s.our_cost) != 0 ||
	    cost_of(text[11], &d->s.saved_cache_cost) != 0)
		return err_set(err, 500, "rebuild: a cost sum beyond the rollup "
		    "unit");
	return 0;
}

int
db_rollup_recompute(struct db *db, uint32_t org_id, db_rollup_row_fn cb,
    void *arg, struct llmops_err *err)
{
	struct db_q		 *q;
	struct usage_event	 *ev;
	struct rollup_delta	 *d;
	char			(*text)[EVENT_TEXT_BYTES];
	int64_t			  num[RECOMPUTE_NUMS];
	size_t			  n = 0, i;
	int			  got = -1, k;

	/* Dimensions, then the sums of costs; RECOMPUTE_BATCH rows a call. */
	text = calloc(RECOMPUTE_DIMS + RECOMPUTE_COSTS, sizeof(*text));
	ev = calloc(RECOMPUTE_BATCH, sizeof(*ev));
	d = calloc(RECOMPUTE_BATCH, sizeof(*d));
	if (text == NULL || ev == NULL || d == NULL) {
		err_set(err, 500, "out of memory");
		goto out;
	}
	q = db_q(db, &stmts[STMT_ROLLUP_RECOMPUTE], err);
	db_col_i64(q, &num[0]);
	for (k = 0; k < RECOMPUTE_DIMS; k++)
		db_col_str(q, text[k], sizeof(text[k]));
	db_col_i64(q, &num[1]);
	for (k = 0; k < ROLLUP_TOKENS; k++)
		db_col_i64(q, &num[2 + k]);
	for (k = 0; k < 3; k++) {
		db_col_str(q, text[RECOMPUTE_DIMS + k],
		    sizeof(text[RECOMPUTE_DIMS + k]));
		db_col_i64(q, &num[8 + k]);
	}
	for (k = 11; k < RECOMPUTE_NUMS; k++)
		db_col_i64(q, &num[k]);
	db_col_str(q, text[RECOMPUTE_DIMS + 3], sizeof(text[RECOMPUTE_DIMS + 3]));
	/* Stored client-side, so that cb can write while the rows are read. */
	if (db_select_stored(q, err) != 0)
		goto out;
	while ((got = db_fetch(q, err)) == 1) {
		ev[n].org_id = org_id;
		if (recompute_row(q, text, num, &ev[n], &d[n], err) != 0) {
			n++;
			got = -1;
			break;
		}
		if (++n == RECOMPUTE_BATCH) {
			got = cb(db, d, n, arg, err) == 0 ? 1 : -1;
			for (i = 0; i < n; i++)
				usage_event_release(&ev[i]);
			n = 0;
			if (got < 0)
				break;
		}
	}
	db_end(q);
	if (got == 0 && n > 0 && cb(db, d, n, arg, err) != 0)
		got = -1;
out:
	if (ev != NULL)
		for (i = 0; i < n; i++)
			usage_event_release(&ev[i]);
	free(d);
	free(ev);
	free(text);
	return got < 0 ? -1 : 0;
}

void
event_cost_rows_release(struct event_cost_row *rows, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		usage_event_release(&rows[i].ev);
}

/* A stored cost, which may be NULL; -1 when it does not fit. */
static int
col_cost(const struct db_q *q, unsigned i, const char *text, int64_t *out,
    int *has)
{
	*has = !db_col_null(q, i);
	*out = 0;
	return *has ? cost_of(text, out) : 0;
}

/* One row of event.cost_select into r, but for its labels (ids). */
static int
cost_row(const struct db_q *q, const char *status, const int64_t *num,
    char (*cost)[EVENT_COST_BYTES], const char *source, uint32_t org_id,
    struct event_cost_row *r, struct llmops_err *err)
{
	int64_t	  v;
	int	  k;

	r->ev.org_id = org_id;
	/* occurred_us is the time pricing looks prices up at. */
	usage_event_set(&r->ev, EV_START_US, r->occurred_us);
	r->ev.status = col_status(q, 8, status);
	for (k = 0; k < COST_COUNTS; k++)
		if (!db_col_null(q, (unsigned)(9 + k)))
			usage_event_set(&r->ev, cost_counts[k], num[k]);
	if (!db_col_null(q, 16)) {
		if (cost_of(cost[0], &v) != 0)
			return err_set(err, 500, "bad litellm_cost %s", cost[0]);
		usage_event_set(&r->ev, EV_LITELLM_COST, v);
	}
	if (col_cost(q, 17, cost[1], &r->old_our, &r->old_has_our) != 0 ||
	    col_cost(q, 18, cost[2], &r->old_cost, &r->old_has_cost) != 0 ||
	    cost_source_parse(source, &r->old_source) != 0)
		return err_set(err, 500, "bad stored cost in event %lld",
		    (long long)r->id);
	return 0;
}

/* The labels of the rows read, from their ids (after the SELECT ended). */
static int
cost_labels(struct db *db, struct label_cache *c, struct event_cost_row *rows,
    const uint32_t (*ids)[COST_DIMS], size_t n, struct llmops_err *err)
{
	static const enum label_kind kinds[COST_DIMS] = {
		LABEL_DEPARTMENT, LABEL_TEAM, LABEL_AGENT, LABEL_MODEL,
		LABEL_MODEL_GROUP, LABEL_PROVIDER, LABEL_DEPLOYMENT,
		LABEL_API_HOST,
	};
	const char	*text;
	size_t		 i, k;

	for (i = 0; i < n; i++)
		for (k = 0; k < COST_DIMS; k++) {
			if (ids[i][k] == 0)
				continue;
			if (db_label_text(db, c, ids[i][k], &text, err) != 0)
				return -1;
			if (event_label_set(&rows[i].ev, kinds[k], text) != 0)
				return err_set(err, 500, "out of memory");
		}
	return 0;
}

/* The ids of the labels of cq's model filter, as event.cost_select binds
 * them: 0 for a label never stored (no event has it). */
static int
model_filter(struct db *db, const struct event_cost_query *cq,
    int64_t ids[2], struct llmops_err *err)
{
	int	rc;

	ids[0] = ids[1] = 0;
	if (cq->model == NULL)
		return 0;
	if ((rc = db_label_find(db, LABEL_MODEL, cq->model, &ids[0],
	    err)) != 0)
		return rc;
	return db_label_find(db, LABEL_MODEL_GROUP, cq->model, &ids[1], err);
}

int
db_event_cost_read(struct db *db, const struct event_cost_query *cq,
    struct event_cost_row *rows, size_t *n, struct llmops_err *err)
{
	struct db_q		 *q;
	struct event_cost_row	 *r;
	int64_t			  id = 0, occurred = 0, num[COST_COUNTS];
	int64_t			  price = 0, disc = 0, lid[COST_DIMS];
	int64_t			  model[2];
	uint32_t		(*ids)[COST_DIMS];
	char			  cost[3][EVENT_COST_BYTES], status[16];
	char			  source[16];
	int			  got = -1, k;

	*n = 0;
	if ((ids = calloc(cq->limit, sizeof(*ids))) == NULL)
		return err_set(err, 500, "out of memory");
	if (model_filter(db, cq, model, err) != 0)
		goto out;
	q = db_q(db, &stmts[STMT_EVENT_COST_SELECT], err);
	db_bind_i64(q, cq->org_id);
	db_bind_i64(q, cq->until_us);
	db_bind_i64(q, cq->from_us);
	db_bind_i64(q, cq->after_occurred_us);
	db_bind_i64(q, cq->after_id);
	db_bind_i64_opt(q, cq->model != NULL, 1);
	db_bind_i64(q, model[0]);
	db_bind_i64(q, model[1]);
	db_bind_i64(q, (int64_t)cq->limit);
	db_col_i64(q, &id);
	db_col_i64(q, &occurred);
	for (k = 0; k < COST_DIMS_FIRST; k++)
		db_col_i64(q, &lid[k]);
	db_col_str(q, status, sizeof(status));
	for (k = 0; k < COST_COUNTS; k++)
		db_col_i64(q, &num[k]);
	for (k = 0; k < 3; k++)
		db_col_str(q, cost[k], sizeof(cost[k]));
	db_col_str(q, source, sizeof(source));
	db_col_i64(q, &price);
	db_col_i64(q, &disc);
	for (k = COST_DIMS_FIRST; k < COST_DIMS; k++)
		db_col_i64(q, &lid[k]);
	if (db_select(q, err) != 0)
		goto out;
	got = 0;
	while (*n < cq->limit && (got = db_fetch(q, err)) == 1) {
		r = &rows[*n];
		memset(r, 0, sizeof(*r));
		r->id = id;
		r->occurred_us = occurred;
		for (k = 0; k < COST_DIMS; k++)
			ids[*n][k] = db_col_null(q, (unsigned)(k <
			    COST_DIMS_FIRST ? 2 + k : 22 + k - COST_DIMS_FIRST)) ?
			    0 : (uint32_t)lid[k];
		(*n)++;
		if (cost_row(q, status, num, cost, source, cq->org_id, r,
		    err) != 0) {
			got = -1;
			break;
		}
		r->old_price = db_col_null(q, 20) ? 0 : (uint32_t)price;
		r->old_discount = db_col_null(q, 21) ? 0 : (uint32_t)disc;
	}
	db_end(q);
	if (got >= 0 && cost_labels(db, cq->labels, rows,
	    (const uint32_t (*)[COST_DIMS])ids, *n, err) != 0)
		got = -1;
out:
	free(ids);
	return got < 0 ? -1 : 0;
}

int
db_event_cost_update(struct db *db, int64_t id, const struct usage_event *e,
    struct llmops_err *err)
{
	struct db_q	*q = db_q(db, &stmts[STMT_EVENT_COST_UPDATE], err);

	bind_cost(q, e, EV_OUR_COST);
	bind_cost(q, e, EV_COST);
	db_bind_str(q, cost_source_name(e->cost_source));
	bind_id(q, e->price_id);
	bind_id(q, e->discount_id);
	db_bind_i64(q, id);
	return db_exec(q, NULL, NULL, err);
}
