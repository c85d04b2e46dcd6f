/*
 * The SQL every rollup table shares (private to the db_*.c files that
 * write rollups): the columns of the sums, in the order struct
 * rollup_sums binds them, and the upsert that adds them to a row.
 */
#ifndef LLMOPS_DB_SUMS_H
#define LLMOPS_DB_SUMS_H

/* The largest values of the rollup sums' columns, as SQL. */
#define UMAX	"18446744073709551615"		/* BIGINT UNSIGNED */
#define DMAX	"99999999999999.999999999999"	/* DECIMAL(26,12) */

/* The sums' columns, in binding order, and their 20 placeholders. */
#define DB_SUMS_COLUMNS \
	"requests, errors, prompt_tokens, completion_tokens, total_tokens, " \
	"cache_read_tokens, cache_write_tokens, reasoning_tokens, " \
	"litellm_cost, litellm_cost_events, cost, priced_requests, our_cost, " \
	"our_cost_events, latency_us_sum, latency_count, ttft_us_sum, " \
	"ttft_count, cache_hits, saved_cache_cost"
#define DB_SUMS_VALUES \
	"?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?"

/*
 * x + LEAST(v, MAX - x) never exceeds MAX: sums saturate at their
 * column's largest value instead of failing the transaction, so one
 * implausible event cannot stop every later load that touches its row.
 */
#define DB_SAT(col, max) \
	col " = " col " + LEAST(VALUES(" col "), " max " - " col ")"
#define DB_SUMS_UPSERT \
	" ON DUPLICATE KEY UPDATE " \
	DB_SAT("requests", UMAX) ", " DB_SAT("errors", UMAX) ", " \
	DB_SAT("prompt_tokens", UMAX) ", " \
	DB_SAT("completion_tokens", UMAX) ", " \
	DB_SAT("total_tokens", UMAX) ", " \
	DB_SAT("cache_read_tokens", UMAX) ", " \
	DB_SAT("cache_write_tokens", UMAX) ", " \
	DB_SAT("reasoning_tokens", UMAX) ", " \
	DB_SAT("litellm_cost", DMAX) ", " \
	DB_SAT("litellm_cost_events", UMAX) ", " \
	DB_SAT("cost", DMAX) ", " DB_SAT("priced_requests", UMAX) ", " \
	DB_SAT("our_cost", DMAX) ", " DB_SAT("our_cost_events", UMAX) ", " \
	DB_SAT("latency_us_sum", UMAX) ", " DB_SAT("latency_count", UMAX) \
	", " DB_SAT("ttft_us_sum", UMAX) ", " DB_SAT("ttft_count", UMAX) \
	", " DB_SAT("cache_hits", UMAX) ", " DB_SAT("saved_cache_cost", DMAX)

/* The signed change of the cost sums of repricing: cost, priced, ours. */
#define DB_SUMS_RECOST \
	"cost = cost + ?, priced_requests = priced_requests + ?, " \
	"our_cost = our_cost + ?, our_cost_events = our_cost_events + ?"

#endif
