#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "db_event.h"
#include "db_label.h"
#include "event_key.h"
#include "rollup.h"
#include "rollup_dim.h"
#include "store.h"

void
dim_seen_init(struct dim_seen *s)
{
	memset(s, 0, sizeof(*s));
	label_cache_init(&s->labels);
}

void
dim_seen_release(struct dim_seen *s)
{
	free(s->keys);
	label_cache_release(&s->labels);
	memset(s, 0, sizeof(*s));
}

static int
dim_seen_has(const struct dim_seen *s, const unsigned char *k)
{
	size_t	i;

	for (i = 0; s != NULL && i < s->n; i++)
		if (memcmp(s->keys[i], k, DIM_KEY_LEN) == 0)
			return 1;
	return 0;
}

void
dim_seen_add(struct dim_seen *s, const unsigned char *k)
{
	if (dim_seen_has(s, k))
		return;
	if (s->keys == NULL &&
	    (s->keys = calloc(DIM_SEEN_MAX, sizeof(*s->keys))) == NULL)
		return;
	/* Full: start over; at worst a few values are written again. */
	if (s->n == DIM_SEEN_MAX)
		s->n = 0;
	memcpy(s->keys[s->n++], k, DIM_KEY_LEN);
}

/* One batch being stored: its events, and what one attempt found. */
struct batch {
	struct usage_event *const *evs;
	size_t			   n;
	const struct dim_seen	  *seen;
	struct rollup_delta	  *deltas;	/* n */
	struct rollup_dim_batch	   dims;	/* n events */
	/* n * DIMS_RECORDED dimension keys */
	unsigned char		 (*pending)[DIM_KEY_LEN];
	size_t			   npending;
	size_t			   inserted, duplicates;
	/* n each: events by (org, key); a group's; their verdicts; new ones */
	struct sorted_event	  *sorted;
	struct usage_event	 **group, **fresh;
	uint32_t		 (*ids)[EVENT_LABELS];	/* of fresh */
	const struct label_cache  *labels;	/* of committed batches */
	struct label_cache	   new_labels;	/* those this attempt used */
	size_t			  *group_pos;
	int			  *known;
	unsigned char		  *is_new;
};

/* An event of the batch and its position in it. */
struct sorted_event {
	const struct usage_event	*ev;
	size_t				 pos;
};

/* By organization, then dedupe key. */
static int
event_cmp(const struct usage_event *x, const struct usage_event *y)
{
	if (x->org_id != y->org_id)
		return x->org_id < y->org_id ? -1 : 1;
	return memcmp(x->dedupe_key, y->dedupe_key, EVENT_KEY_LEN);
}

/* By organization, key, then position: the first copy comes first. */
static int
sorted_cmp(const void *a, const void *b)
{
	const struct sorted_event	*x = a, *y = b;
	int				 c = event_cmp(x->ev, y->ev);

	if (c != 0)
		return c;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/*
 * Records the department, team, agent, model and provider of an inserted
 * event in dimension_values, unless this process already knows them;
 * `pending` collects what to add to `seen` once the batch commits.
 */
static int
record_dims(struct db *db, struct batch *b, const struct usage_event *ev,
    struct llmops_err *err)
{
	const char		*vals[DIMS_RECORDED] = {
		ev->department, ev->team, ev->agent, ev->model, ev->provider,
	};
	static const char *const names[DIMS_RECORDED] = {
		"department", "team", "agent", "model", "provider",
	};
	unsigned char		 k[DIM_KEY_LEN];
	size_t			 i, j;
	int			 queued;

	for (i = 0; i < DIMS_RECORDED; i++) {
		if (vals[i] == NULL ||
		    event_key_dimension(ev->org_id, names[i], vals[i], k) != 0)
			continue;
		for (j = 0, queued = 0; j < b->npending && !queued; j++)
			queued = memcmp(b->pending[j], k, DIM_KEY_LEN) == 0;
		if (queued || dim_seen_has(b->seen, k))
			continue;
		if (db_dimension_record(db, ev->org_id, names[i], vals[i],
		    usage_event_time(ev), err) != 0)
			return -1;
		memcpy(b->pending[b->npending++], k, DIM_KEY_LEN);
	}
	return 0;
}

/*
 * The events of the batch not stored yet, into b->fresh (b->inserted of
 * them, in batch order): a copy within the batch, or one whose (org,
 * dedupe key) is in usage_events, is a duplicate. One indexed SELECT per
 * organization and 256 events. Relies on being the only writer of new
 * events (the spool's loader lock); db_event_insert_rows checks it.
 */
static int
find_fresh(struct db *db, struct batch *b, struct llmops_err *err)
{
	size_t	i, j, k, ng;

	for (i = 0; i < b->n; i++) {
		b->sorted[i].ev = b->evs[i];
		b->sorted[i].pos = i;
		b->is_new[i] = 0;
	}
	qsort(b->sorted, b->n, sizeof(*b->sorted), sorted_cmp);
	for (i = 0; i < b->n; i = j) {
		/* One organization's distinct keys, each at its first copy. */
		ng = 0;
		for (j = i; j < b->n && b->sorted[j].ev->org_id ==
		    b->sorted[i].ev->org_id; j++)
			if (j == i || event_cmp(b->sorted[j].ev,
			    b->sorted[j - 1].ev) != 0) {
				b->group[ng] = b->evs[b->sorted[j].pos];
				b->group_pos[ng++] = b->sorted[j].pos;
			}
		if (db_event_known(db, b->group, ng, b->known, err) != 0)
			return -1;
		for (k = 0; k < ng; k++)
			if (!b->known[k])
				b->is_new[b->group_pos[k]] = 1;
	}
	b->inserted = 0;
	for (i = 0; i < b->n; i++)
		if (b->is_new[i])
			b->fresh[b->inserted++] = b->evs[i];
	b->duplicates = b->n - b->inserted;
	return 0;
}

/*
 * One attempt (a db_txn fn): insert the new events in multi-row
 * statements, then add them to their rollup rows, merged per row and in
 * key order so that concurrent writers lock rollup rows in the same order.
 */
static int
store_batch(struct db *db, void *arg, struct llmops_err *err)
{
	struct batch	*b = arg;
	size_t		 i, nd = 0, out;

	b->inserted = b->duplicates = b->npending = 0;
	rollup_dim_batch_clear(&b->dims);
	label_cache_clear(&b->new_labels);
	if (find_fresh(db, b, err) != 0)
		return -1;
	for (i = 0; i < b->inserted; i++)
		if (db_label_ids(db, b->labels, &b->new_labels, b->fresh[i],
		    b->ids[i], err) != 0)
			return -1;
	if (db_event_insert_rows(db, b->fresh,
	    (const uint32_t (*)[EVENT_LABELS])b->ids, b->inserted, err) != 0)
		return -1;
	for (i = 0; i < b->inserted; i++) {
		if (rollup_delta_of(&b->deltas[nd], b->fresh[i]) != 0)
			return err_set(err, 500, "cannot compute a rollup key");
		nd++;
		if (rollup_dim_add_event(&b->dims, b->fresh[i]) != 0)
			return err_set(err, 500, "rollups: more events than "
			    "the batch holds");
		if (record_dims(db, b, b->fresh[i], err) != 0)
			return -1;
	}
	out = rollup_merge(b->deltas, nd);
	if (db_rollup_add(db, b->deltas, out, err) != 0)
		return -1;
	return rollup_dim_write(db, &b->dims, err);
}

int
store_events(struct db *db, struct usage_event *const *evs, size_t n,
    struct dim_seen *seen, size_t *inserted, size_t *duplicates,
    struct llmops_err *err)
{
	struct batch		b;
	struct label_cache	none;
	size_t			i;
	int			rc = -1;

	*inserted = *duplicates = 0;
	if (n == 0)
		return 0;
	memset(&b, 0, sizeof(b));
	b.evs = evs;
	b.n = n;
	b.seen = seen;
	label_cache_init(&none);
	label_cache_init(&b.new_labels);
	b.labels = seen != NULL ? &seen->labels : &none;
	if ((b.deltas = calloc(n, sizeof(*b.deltas))) == NULL ||
	    (b.pending = calloc(n * DIMS_RECORDED, sizeof(*b.pending))) == NULL ||
	    (b.sorted = calloc(n, sizeof(*b.sorted))) == NULL ||
	    (b.group = calloc(n, sizeof(*b.group))) == NULL ||
	    (b.group_pos = calloc(n, sizeof(*b.group_pos))) == NULL ||
	    (b.is_new = calloc(n, sizeof(*b.is_new))) == NULL ||
	    (b.fresh = calloc(n, sizeof(*b.fresh))) == NULL ||
	    (b.ids = calloc(n, sizeof(*b.ids))) == NULL ||
	    (b.known = calloc(n, sizeof(*b.known))) == NULL ||
	    rollup_dim_batch_init(&b.dims, n) != 0) {
		err_set(err, 500, "out of memory");
		goto out;
	}
	/*
	 * A retry is safe even if a lost COMMIT did land: the events then
	 * come back as duplicates and add nothing to the rollups.
	 */
	if (db_txn(db, DB_WRITE, store_batch, &b, err) != 0)
		goto out;
	/* Only values of a committed batch are known to be stored. */
	for (i = 0; seen != NULL && i < b.npending; i++)
		dim_seen_add(seen, b.pending[i]);
	/* Out of memory here only costs lookups later. */
	if (seen != NULL)
		(void)label_cache_merge(&seen->labels, &b.new_labels);
	*inserted = b.inserted;
	*duplicates = b.duplicates;
	rc = 0;
out:
	rollup_dim_batch_release(&b.dims);
	label_cache_release(&b.new_labels);
	free(b.ids);
	free(b.known);
	free(b.fresh);
	free(b.is_new);
	free(b.group_pos);
	free(b.group);
	free(b.sorted);
	free(b.pending);
	free(b.deltas);
	return rc;
}
