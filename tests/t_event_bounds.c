/*
 * The sums of the rollups cannot overflow. An event with the largest
 * values the parser admits (lib/llmops_limits.h: LIMIT_EVENT_TOKENS_MAX,
 * LIMIT_COST_USD_MAX, LIMIT_EVENT_LATENCY_US_MAX) is parsed, turned into
 * its rollup delta, and:
 * - LIMIT_EVENTS_MAX of them (the largest batch the configuration allows)
 *   summed into one rollup row stay within the columns of usage_hourly
 *   (schema/: BIGINT UNSIGNED, DECIMAL(26,12)), computed in 128 bits;
 * - rollup_merge() of many of them never overflows its int64 sums (a row
 *   that would is split, and nothing is lost).
 * One value past each limit is stored as unknown (t_litellm.c checks each).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "litellm.h"
#include "rollup.h"
#include "tap.h"

#define NOW_US		1800000000000000LL
/* usage_hourly's columns: BIGINT UNSIGNED, and DECIMAL(26,12) in 1e-12. */
#define BIGINT_UNSIGNED_MAX	((__int128)UINT64_MAX)
#define DECIMAL_26_12_MAX	((__int128)100000000000000LL * 1000000000000LL - 1)

static const struct litellm_limits lim = { 10, 64, 128 };

/* An event with every summed value at the largest the parser admits. */
static int
parse_largest(struct event_batch *b)
{
	char			body[2048];
	struct llmops_err	err;
	long long		t = NOW_US / 1000000, day = 86400;

	snprintf(body, sizeof(body), "[{\"id\":\"largest\",\"stream\":true,"
	    "\"status\":\"failure\","
	    "\"prompt_tokens\":%lld,\"completion_tokens\":%lld,"
	    "\"total_tokens\":%lld,\"response_cost\":%lld,"
	    "\"startTime\":%lld,\"endTime\":%lld,\"completionStartTime\":%lld,"
	    "\"metadata\":{\"usage_object\":{\"cache_read_input_tokens\":%lld,"
	    "\"cache_creation_input_tokens\":%lld,"
	    "\"completion_tokens_details\":{\"reasoning_tokens\":%lld}}}}]",
	    LIMIT_EVENT_TOKENS_MAX, LIMIT_EVENT_TOKENS_MAX,
	    LIMIT_EVENT_TOKENS_MAX, LIMIT_COST_USD_MAX, t, t + day, t + day,
	    LIMIT_EVENT_TOKENS_MAX, LIMIT_EVENT_TOKENS_MAX,
	    LIMIT_EVENT_TOKENS_MAX);
	event_batch_init(b);
	return litellm_parse(body, strlen(body), NULL, &lim, NOW_US, b, &err);
}

static void
within(const char *name, __int128 per_event, __int128 column_max)
{
	__int128	sum = per_event * LIMIT_EVENTS_MAX;

	ok(sum <= column_max, "%s: %d events of the largest value fit the "
	    "column", name, LIMIT_EVENTS_MAX);
	tap_diag("%s: largest %lld per event; %lld batches of %d such events "
	    "fit one row", name, (long long)per_event,
	    (long long)(column_max / sum), LIMIT_EVENTS_MAX);
}

int
main(void)
{
	struct event_batch	 b;
	struct usage_event	*ev;
	struct rollup_delta	 d, *many;
	__int128		 sum;
	size_t			 i, n = 1000, rows;
	int			 k;

	is_int(parse_largest(&b), 0, "the largest event parses");
	is_int(b.nevents, 1, "the largest event is kept");
	is_int(b.warnings, 0, "the largest values are all admitted");
	if (b.nevents != 1)
		return tap_done();
	ev = &b.events[0];
	for (k = 0; k < ROLLUP_TOKENS; k++)
		is_int(ev->num[rollup_tokens[k]], LIMIT_EVENT_TOKENS_MAX,
		    "token column %d at LIMIT_EVENT_TOKENS_MAX", k);
	is_int(ev->num[EV_LITELLM_COST], LIMIT_COST_USD_MAX * 1000000000000LL,
	    "cost at LIMIT_COST_USD_MAX");
	is_int(ev->num[EV_LATENCY_US], LIMIT_EVENT_LATENCY_US_MAX,
	    "latency at LIMIT_EVENT_LATENCY_US_MAX");
	is_int(ev->num[EV_TTFT_US], LIMIT_EVENT_LATENCY_US_MAX,
	    "time to first token at LIMIT_EVENT_LATENCY_US_MAX");
	/* Our price and the cost that counts are capped by pricing.c alike. */
	usage_event_set(ev, EV_OUR_COST, LIMIT_COST_USD_MAX * 1000000000000LL);
	usage_event_set(ev, EV_COST, LIMIT_COST_USD_MAX * 1000000000000LL);
	ev->org_id = 1;

	is_int(rollup_delta_of(&d, ev), 0, "rollup delta of the largest event");
	within("requests", d.s.requests, BIGINT_UNSIGNED_MAX);
	within("errors", d.s.errors, BIGINT_UNSIGNED_MAX);
	for (k = 0; k < ROLLUP_TOKENS; k++)
		within("tokens", d.s.tokens[k], BIGINT_UNSIGNED_MAX);
	within("litellm_cost", d.s.litellm_cost, DECIMAL_26_12_MAX);
	within("cost", d.s.cost, DECIMAL_26_12_MAX);
	within("our_cost", d.s.our_cost, DECIMAL_26_12_MAX);
	within("latency_us_sum", d.s.latency_sum, BIGINT_UNSIGNED_MAX);
	within("ttft_us_sum", d.s.ttft_sum, BIGINT_UNSIGNED_MAX);

	/* In C: merging n of them splits rows rather than overflow. */
	if ((many = calloc(n, sizeof(*many))) == NULL)
		return tap_done();
	for (i = 0; i < n; i++)
		many[i] = d;
	rows = rollup_merge(many, n);
	ok(rows > 1, "%zu largest events merge into %zu rows (int64 cost sums "
	    "split)", n, rows);
	for (sum = 0, i = 0; i < rows; i++)
		sum += many[i].s.cost;
	ok(sum == (__int128)d.s.cost * (__int128)n, "merged cost: nothing lost");
	for (sum = 0, i = 0; i < rows; i++)
		sum += many[i].s.requests;
	ok(sum == (__int128)n, "merged requests: nothing lost");
	for (i = 0; i < rows; i++)
		if (many[i].s.cost < 0 || many[i].s.latency_sum < 0 ||
		    many[i].s.tokens[0] < 0)
			break;
	ok(i == rows, "no merged sum wrapped");
	free(many);
	event_batch_release(&b);
	return tap_done();
}
