#include "config.h"
#include "db_legacy.h"

#include <stdlib.h>
#include <string.h>

#include "db_org.h"
#include "decimal.h"
#include "rollup.h"

/* Text of a rebuilt row's dimension columns. */
#define ROLLUP_TEXT_BYTES	(255 * 4 + 1)
#define ROLLUP_NUM_BYTES	48
/* Dimension columns: department, team, agent, model, provider, status,
 * error_class, error_code. */
#define ROLLUP_DIMS		8

const enum event_num rollup_tokens[ROLLUP_TOKENS] = {
	EV_PROMPT_TOKENS, EV_COMPLETION_TOKENS, EV_TOTAL_TOKENS,
	EV_CACHE_READ_TOKENS, EV_CACHE_WRITE_TOKENS, EV_REASONING_TOKENS,
};

static int
rollup_cmp(const void *a, const void *b)
{
	const struct rollup_delta	*x = a, *y = b;

	if (x->org_id != y->org_id)
		return x->org_id < y->org_id ? -1 : 1;
	if (x->hour_us != y->hour_us)
		return x->hour_us < y->hour_us ? -1 : 1;
	return memcmp(x->key, y->key, ROLLUP_KEY_LEN);
}

/* A value and its count (1), when the event has it. */
static void
sum_of(const struct usage_event *ev, enum event_num f, int64_t *sum,
    int64_t *n)
{
	if (EVENT_HAS(ev, f)) {
		*sum = ev->num[f];
		*n = 1;
	}
}

int
rollup_delta_of(struct rollup_delta *d, const struct usage_event *ev)
{
	int	i;

	memset(d, 0, sizeof(*d));
	d->org_id = ev->org_id;
	d->hour_us = usage_event_hour(ev);
	d->dims = ev;
	d->requests = 1;
	d->errors = ev->status == EVENT_STATUS_FAILURE;
	for (i = 0; i < ROLLUP_TOKENS; i++)
		d->tokens[i] = EVENT_HAS(ev, rollup_tokens[i]) ?
		    ev->num[rollup_tokens[i]] : 0;
	sum_of(ev, EV_LITELLM_COST, &d->litellm_cost, &d->litellm_cost_events);
	sum_of(ev, EV_COST, &d->cost, &d->priced);
	sum_of(ev, EV_OUR_COST, &d->our_cost, &d->our_cost_events);
	sum_of(ev, EV_LATENCY_US, &d->latency_sum, &d->latency_count);
	sum_of(ev, EV_TTFT_US, &d->ttft_sum, &d->ttft_count);
	return event_key_rollup(ev, d->key);
}

/* Adds b into a; returns -1 (a unchanged) if a sum would overflow. */
static int
merge_one(struct rollup_delta *a, const struct rollup_delta *b)
{
	struct rollup_delta	t = *a;
	int			i, o = 0;

#define ADD(f)	(o |= __builtin_add_overflow(t.f, b->f, &t.f))
	ADD(requests);
	ADD(errors);
	for (i = 0; i < ROLLUP_TOKENS; i++)
		ADD(tokens[i]);
	ADD(litellm_cost);
	ADD(litellm_cost_events);
	ADD(cost);
	ADD(priced);
	ADD(our_cost);
	ADD(our_cost_events);
	ADD(latency_sum);
	ADD(latency_count);
	ADD(ttft_sum);
	ADD(ttft_count);
#undef ADD
	if (o)
		return -1;
	*a = t;
	return 0;
}

size_t
rollup_merge(struct rollup_delta *d, size_t n)
{
	size_t	i, out = 0;

	qsort(d, n, sizeof(d[0]), rollup_cmp);
	for (i = 0; i < n; i++) {
		/* A row whose sums would overflow is written in two parts. */
		if (out > 0 && rollup_cmp(&d[out - 1], &d[i]) == 0 &&
		    merge_one(&d[out - 1], &d[i]) == 0)
			continue;
		d[out++] = d[i];
	}
	return out;
}

int
rollup_apply(struct db *db, const struct rollup_delta *d, struct llmops_err *err)
{
	struct db_params	 p;
	const struct usage_event *ev = d->dims;
	int			 i;

	dbp_init(&p);
	dbp_i64(&p, d->org_id);
	dbp_i64(&p, d->hour_us);
	dbp_blob(&p, d->key, ROLLUP_KEY_LEN);
	dbp_str(&p, EVENT_SOURCE_LITELLM);
	dbp_str(&p, ev->department);
	dbp_str(&p, ev->team);
	dbp_str(&p, ev->agent);
	dbp_str(&p, ev->model);
	dbp_str(&p, ev->provider);
	dbp_str(&p, event_status_name(ev->status));
	dbp_str(&p, ev->error_class);
	dbp_str(&p, ev->error_code);
	dbp_i64(&p, d->requests);
	dbp_i64(&p, d->errors);
	for (i = 0; i < ROLLUP_TOKENS; i++)
		dbp_i64(&p, d->tokens[i]);
	dbp_decimal(&p, 1, d->litellm_cost, COST_SCALE_DIGITS);
	dbp_i64(&p, d->litellm_cost_events);
	dbp_decimal(&p, 1, d->cost, COST_SCALE_DIGITS);
	dbp_i64(&p, d->priced);
	dbp_decimal(&p, 1, d->our_cost, COST_SCALE_DIGITS);
	dbp_i64(&p, d->our_cost_events);
	dbp_i64(&p, d->latency_sum);
	dbp_i64(&p, d->latency_count);
	dbp_i64(&p, d->ttft_sum);
	dbp_i64(&p, d->ttft_count);
	return dbl_exec(db, STMT_ROLLUP_UPSERT, &p, NULL, NULL, err);
}


/* One rebuilt row: its dimensions as an event, and its sums. */
static int
rebuild_row(char (*text)[ROLLUP_TEXT_BYTES], const struct db_cols *c,
    const int64_t *num, struct usage_event *ev, struct rollup_delta *d,
    struct llmops_err *err)
{
	char	**dims[ROLLUP_DIMS] = {
		&ev->department, &ev->team, &ev->agent, &ev->model,
		&ev->provider, NULL, &ev->error_class, &ev->error_code,
	};
	int	  k;

	for (k = 0; k < ROLLUP_DIMS; k++) {
		if (dims[k] == NULL || dbc_null(c, (unsigned)(1 + k)))
			continue;
		if ((*dims[k] = strdup(text[k])) == NULL)
			return err_set(err, 500, "out of memory");
	}
	if (dbc_null(c, 6))
		ev->status = EVENT_STATUS_UNKNOWN;
	else
		ev->status = strcmp(text[5], "failure") == 0 ?
		    EVENT_STATUS_FAILURE : EVENT_STATUS_SUCCESS;
	memset(d, 0, sizeof(*d));
	d->dims = ev;
	d->org_id = ev->org_id;
	d->hour_us = num[0];
	d->requests = num[1];
	d->errors = ev->status == EVENT_STATUS_FAILURE ? num[1] : 0;
	for (k = 0; k < ROLLUP_TOKENS; k++)
		d->tokens[k] = num[2 + k];
	d->litellm_cost_events = num[8];
	d->priced = num[9];
	d->our_cost_events = num[10];
	d->latency_sum = num[11];
	d->latency_count = num[12];
	d->ttft_sum = num[13];
	d->ttft_count = num[14];
	if (decimal_parse(text[8], COST_SCALE_DIGITS, INT64_MAX,
	    &d->litellm_cost) != 0 || decimal_parse(text[9], COST_SCALE_DIGITS,
	    INT64_MAX, &d->cost) != 0 || decimal_parse(text[10],
	    COST_SCALE_DIGITS, INT64_MAX, &d->our_cost) != 0)
		return err_set(err, 500, "rebuild: a cost sum beyond the rollup "
		    "unit");
	if (event_key_rollup(ev, d->key) != 0)
		return err_set(err, 500, "cannot compute a rollup key");
	return 0;
}

/* One organization's rollups, in one transaction. */
static int
rebuild_org(struct db *db, uint32_t org_id, size_t *rows, struct llmops_err *err)
{
	struct db_params	  p;
	struct db_cols		  c;
	struct usage_event	  ev;
	struct rollup_delta	  d;
	char			(*text)[ROLLUP_TEXT_BYTES];
	int64_t			  num[15];
	int			  rc = -1, got, k;

	/* Dimensions, then the three cost sums as text. */
	if ((text = calloc(ROLLUP_DIMS + 3, sizeof(*text))) == NULL)
		return err_set(err, 500, "out of memory");
	memset(&ev, 0, sizeof(ev));
	if (db_begin(db, err) != 0)
		goto out;
	dbp_init(&p);
	dbp_i64(&p, org_id);
	if (dbl_exec(db, STMT_ROLLUP_CLEAR, &p, NULL, NULL, err) != 0)
		goto fail;
	dbc_init(&c);
	dbc_i64(&c, &num[0]);
	for (k = 0; k < ROLLUP_DIMS; k++)
		dbc_str(&c, text[k], sizeof(text[k]));
	dbc_i64(&c, &num[1]);
	for (k = 0; k < ROLLUP_TOKENS; k++)
		dbc_i64(&c, &num[2 + k]);
	dbc_str(&c, text[8], sizeof(text[8]));
	dbc_i64(&c, &num[8]);
	dbc_str(&c, text[9], sizeof(text[9]));
	dbc_i64(&c, &num[9]);
	dbc_str(&c, text[10], sizeof(text[10]));
	dbc_i64(&c, &num[10]);
	for (k = 11; k < 15; k++)
		dbc_i64(&c, &num[k]);
	dbp_init(&p);
	dbp_i64(&p, org_id);
	/* Stored client-side, so the rows can be written while reading. */
	if (dbl_select_stored(db, STMT_ROLLUP_REBUILD_SELECT, &p, &c, err) != 0)
		goto fail;
	while ((got = dbl_fetch(db, STMT_ROLLUP_REBUILD_SELECT, &c, err)) == 1) {
		ev.org_id = org_id;
		got = rebuild_row(text, &c, num, &ev, &d, err) == 0 &&
		    rollup_apply(db, &d, err) == 0 ? 1 : -1;
		usage_event_release(&ev);
		if (got < 0)
			break;
		(*rows)++;
	}
	dbl_select_end(db, STMT_ROLLUP_REBUILD_SELECT);
	if (got < 0 || db_commit(db, err) != 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	db_rollback(db);
out:
	free(text);
	return rc;
}

int
rollup_rebuild(struct db *db, uint32_t org_id, size_t *rows,
    struct llmops_err *err)
{
	uint32_t	*ids = NULL;
	size_t		 n = 0, i;
	int		 rc = -1;

	*rows = 0;
	if (db_ensure(db, err) != 0)
		return -1;
	if (org_id != 0)
		return rebuild_org(db, org_id, rows, err);
	if (db_org_ids(db, &ids, &n, err) != 0)
		goto out;
	for (i = 0; i < n; i++)
		if (rebuild_org(db, ids[i], rows, err) != 0)
			goto out;
	rc = 0;
out:
	free(ids);
	return rc;
}
