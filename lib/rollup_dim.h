/*
 * The rollups per dimension (schema/007_rollups.sql): usage_rollup (sums
 * per organization x hour or day x one dimension x its value),
 * usage_rollup_hist (latency and time-to-first-token histograms, lib/hist.h)
 * and usage_errors (failures per hour x class x code x model x provider).
 * What a chunk of events adds to them, merged per row and written in key
 * order in the loader's transaction (store.c); what repricing changes in
 * them; their rebuild from raw events. Reads are lib/db_usage.c's.
 */
#ifndef LLMOPS_ROLLUP_DIM_H
#define LLMOPS_ROLLUP_DIM_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "event.h"
#include "rollup.h"

struct rollup_recost;

enum rollup_grain {
	ROLLUP_HOUR,
	ROLLUP_DAY,
	ROLLUP_GRAINS
};

/*
 * The dimensions of the rollups: 0 none (the totals), then the values of
 * enum dim (lib/db_usage.h) DIM_DEPARTMENT (1) .. DIM_PROVIDER (5).
 */
#define ROLLUP_DIM_NONE		0
#define ROLLUP_DIMS		6
/*
 * The drill-downs, after them: a dimension within a value of its parent
 * (6 teams within a department, 7 agents within a department, 8 agents
 * within a team, 9 models within a department), so that a page filtered
 * by the parent and grouped by the child reads as few rows as one grouped
 * by the child alone.
 */
#define ROLLUP_PAIRS		4
/* The drill-down with histograms (by day): models within a department. */
#define ROLLUP_MODEL_IN_DEPARTMENT	(ROLLUP_DIMS + 3)
/* The status ("success", "failure", "" unknown): 10. */
#define ROLLUP_STATUS		(ROLLUP_DIMS + ROLLUP_PAIRS)
/*
 * Last, what served each model (schema/008_labels.sql): its deployments
 * (LiteLLM's model_id), 11, and the hosts of their api_base, 12, each
 * within the model (the parent): Model Comparison's deployments. Only
 * the events whose deployment (or host) LiteLLM named count in them.
 */
#define ROLLUP_DEPLOYMENT	(ROLLUP_STATUS + 1)
#define ROLLUP_API_HOST		(ROLLUP_STATUS + 2)
#define ROLLUP_KEYS		(ROLLUP_STATUS + 3)

/* The dimension of pair code `code` (ROLLUP_DIMS ..) and of its parent;
 * -1 when it is none. */
int	rollup_pair_of(int parent, int child);

enum rollup_metric {
	ROLLUP_LATENCY,
	ROLLUP_TTFT,
	ROLLUP_METRICS
};

/* 1 when usage_rollup_hist has rows of dim at grain: the totals and the
 * models by hour and day, the departments and the models within a
 * department by day. */
int	rollup_dim_has_hist(enum rollup_grain, int dim);

/* The key of a row of usage_rollup (and of usage_rollup_hist's). */
struct rollup_dim_key {
	uint32_t	 org_id;
	uint8_t		 grain, dim;
	int64_t		 bucket_us;
	const char	*parent;	/* borrowed; "" but in drill-downs */
	const char	*value;		/* borrowed; "" untagged or none */
};

struct rollup_dim_row {
	struct rollup_dim_key	k;
	struct rollup_sums	s;
};

struct rollup_dim_hist {
	struct rollup_dim_key	k;
	uint8_t			metric;
	uint16_t		bin;
	int64_t			n;
};

struct rollup_dim_error {
	uint32_t	 org_id;
	int64_t		 hour_us;
	const char	*cls, *code, *model, *provider;	/* borrowed; "" none */
	int64_t		 n;
};

/* What a chunk of events (or of repricing) adds; values are borrowed from
 * the events, which must outlive it. */
struct rollup_dim_batch {
	struct rollup_dim_row	*rows;
	struct rollup_dim_hist	*hist;
	struct rollup_dim_error	*errs;
	size_t			 nrows, nhist, nerrs;
	size_t			 cap;		/* events */
	size_t			 nevents;
};

int	rollup_dim_batch_init(struct rollup_dim_batch *, size_t events);
void	rollup_dim_batch_clear(struct rollup_dim_batch *);
void	rollup_dim_batch_release(struct rollup_dim_batch *);

/* Adds what an event counts in every table; -1 when the batch is full. */
int	rollup_dim_add_event(struct rollup_dim_batch *,
	    const struct usage_event *);
/* Adds a change of the event's cost sums (repricing: rows only). */
int	rollup_dim_add_recost(struct rollup_dim_batch *,
	    const struct usage_event *, const struct rollup_recost *);
/* Merges the rows of each table and sorts them in key order. */
void	rollup_dim_merge(struct rollup_dim_batch *);
/* Merges, then writes: upserts of events, or (recost) updates. */
int	rollup_dim_write(struct db *, struct rollup_dim_batch *,
	    struct llmops_err *);
int	rollup_dim_write_recost(struct db *, struct rollup_dim_batch *,
	    struct llmops_err *);

#endif
