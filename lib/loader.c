/* Loading the spool into MariaDB: see loader.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "loader.h"
#include "log.h"
#include "pricing.h"
#include "timefmt.h"

/* A failure is logged again after this long (it is noted every time). */
#define LOADER_LOG_EVERY_US	(60LL * 1000000)
/* The state file is rewritten at most this often while nothing changes. */
#define LOADER_NOTE_EVERY_US	(1000LL * 1000)

void
loader_init(struct loader *l, const struct conf *conf, struct db *db)
{
	memset(l, 0, sizeof(*l));
	l->conf = conf;
	l->db = db;
	spool_reader_init(&l->r);
	spool_chunk_init(&l->c);
	price_cache_init(&l->prices, conf->cost.reload_seconds);
	token_cache_init(&l->tokens, conf->ingest.token_cache_seconds);
	dim_seen_init(&l->dims);
	l->noted_ok = -1;
}

void
loader_release(struct loader *l)
{
	spool_chunk_release(&l->c);
	spool_reader_release(&l->r);
	price_cache_release(&l->prices);
	token_cache_release(&l->tokens);
	dim_seen_release(&l->dims);
	memset(l, 0, sizeof(*l));
}

/* The state file, for health and `spool status`: on change, or each second. */
static void
note(struct loader *l, int ok, const char *error)
{
	int64_t	now = time_now_us();

	if (ok == l->noted_ok && ok && now - l->noted_us < LOADER_NOTE_EVERY_US)
		return;
	if (spool_note_load(l->conf->spool.dir, now, ok, error) == 0) {
		l->noted_us = now;
		l->noted_ok = ok;
	}
}

/* The entry of hash among n queries, or NULL. */
static struct token_query *
query_of(struct token_query *q, size_t n, const unsigned char *hash)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (token_hash_equal(q[i].hash, hash))
			return &q[i];
	return NULL;
}

/*
 * Checks the tokens of the events spooled unchecked (org_id 0) and puts
 * the events to store into acc (*nacc). Rejected ones are counted and the
 * first few of each chunk logged.
 */
static int
check_tokens(struct loader *l, struct usage_event **acc, size_t *nacc,
    size_t *rejected, struct llmops_err *err)
{
	struct spool_chunk	*c = &l->c;
	struct token_query	*q = NULL, *t;
	struct usage_event	*ev;
	enum token_state	 state;
	size_t			 i, nq = 0, logged = 0;
	int			 rc = -1;

	*nacc = 0;
	*rejected = 0;
	for (i = 0; i < c->nev; i++) {
		ev = &c->ev[i];
		if (ev->org_id != 0 || !ev->has_token ||
		    (q != NULL && query_of(q, nq, ev->token_hash) != NULL))
			continue;
		if (q == NULL && (q = calloc(c->nev, sizeof(*q))) == NULL) {
			err_set(err, 500, "loader: out of memory");
			goto out;
		}
		memcpy(q[nq++].hash, ev->token_hash, TOKEN_HASH_LEN);
	}
	if (nq > 0 && token_cache_resolve(&l->tokens, l->db, q, nq,
	    time_now_us(), err) != 0)
		goto out;
	for (i = 0; i < c->nev; i++) {
		ev = &c->ev[i];
		if (ev->org_id != 0) {
			acc[(*nacc)++] = ev;
			continue;
		}
		t = ev->has_token ? query_of(q, nq, ev->token_hash) : NULL;
		/* Expiry as of when the event was received, as the ack would. */
		state = t != NULL ? token_info_state(&t->info, ev->received_us) :
		    TOKEN_STATE_UNKNOWN;
		if (state == TOKEN_STATE_ACTIVE) {
			ev->org_id = t->info.org_id;
			ev->token_id = t->info.token_id;
			acc[(*nacc)++] = ev;
			continue;
		}
		(*rejected)++;
		if (logged++ < LIMIT_LOGGED_REJECTIONS)
			log_warn(LOG_TAG_LITELLM, "event %zu%s%s%s received at "
			    "%lld rejected when loaded: %s: token %s... from %s "
			    "is %s", ev->index, ev->litellm_id ? " (id " : "",
			    ev->litellm_id ? ev->litellm_id : "",
			    ev->litellm_id ? ")" : "", (long long)ev->received_us,
			    reject_reason_name(state == TOKEN_STATE_REVOKED ?
			    REJECT_REVOKED_TOKEN : state == TOKEN_STATE_EXPIRED ?
			    REJECT_EXPIRED_TOKEN : REJECT_UNKNOWN_TOKEN),
			    ev->token_prefix, token_source_name(ev->token_source),
			    state == TOKEN_STATE_REVOKED ? "revoked" :
			    state == TOKEN_STATE_EXPIRED ? "expired" : "unknown");
	}
	if (logged > LIMIT_LOGGED_REJECTIONS)
		log_warn(LOG_TAG_LITELLM, "... and %zu more events rejected "
		    "when loaded", logged - LIMIT_LOGGED_REJECTIONS);
	/* Last use is bookkeeping: its failure fails nothing. */
	for (i = 0; i < nq; i++)
		if (token_info_state(&q[i].info, time_now_us()) ==
		    TOKEN_STATE_ACTIVE)
			(void)token_cache_touch(&l->tokens, l->db, &q[i],
			    time_now_us(), 60LL * 1000000, NULL);
	rc = 0;
out:
	free(q);
	return rc;
}

/* Arguments of load_prices(). */
struct prices {
	struct price_cache	*cache;
	int64_t			 now;
	const struct price_set	*set;
};

/* The price table, refreshed when due (a db_txn fn). */
static int
load_prices(struct db *db, void *arg, struct llmops_err *err)
{
	struct prices	*p = arg;

	err_clear(err);
	p->set = price_cache_get(p->cache, db, p->now, err);
	return p->set != NULL ? 0 : -1;
}

static int
price_events(struct loader *l, struct usage_event **evs, size_t n,
    struct llmops_err *err)
{
	struct prices	p;
	size_t		i;

	if (n == 0)
		return 0;
	p.cache = &l->prices;
	p.now = time_now_us();
	p.set = NULL;
	if (db_txn(l->db, DB_READ, load_prices, &p, err) != 0)
		return -1;
	if (err->msg[0] != '\0')
		log_warn(LOG_TAG_DB, "prices not refreshed, using the previous "
		    "copy: %s", err->msg);
	for (i = 0; i < n; i++)
		pricing_apply(p.set, (enum cost_prefer)l->conf->cost.prefer,
		    evs[i]);
	return 0;
}

/* A lost connection or a database that is down: the records wait. */
static int
transient(const struct llmops_err *err)
{
	return err->status == 503;
}

/*
 * The chunk failed as a whole for a reason of its data: each record
 * alone, and the one MariaDB refuses is set aside.
 */
static int
load_records(struct loader *l, struct usage_event **acc, size_t nacc,
    struct llmops_err *err)
{
	struct spool_chunk	*c = &l->c;
	struct spool_rec	*rec;
	struct llmops_err	 one;
	size_t			 i, k, a = 0, n, ins, dups;

	for (i = 0; i < c->nrec; i++) {
		rec = &c->rec[i];
		/* acc keeps chunk order: this record's accepted events. */
		for (k = a, n = 0; k < nacc && acc[k] >= &c->ev[rec->first] &&
		    acc[k] < &c->ev[rec->first + rec->n]; k++)
			n++;
		err_clear(&one);
		if (store_events(l->db, acc + a, n, &l->dims, &ins, &dups,
		    &one) == 0) {
			l->counts.inserted += ins;
			l->counts.duplicates += dups;
		} else if (transient(&one)) {
			*err = one;
			return -1;
		} else {
			log_error(LOG_TAG_SPOOL, "a record of %zu events cannot "
			    "be stored (%s); setting it aside", rec->n,
			    one.msg);
			if (spool_set_aside_record(&l->r, rec, err) != 0)
				return -1;
			l->counts.records_set_aside++;
		}
		a += n;
	}
	return 0;
}

/* The chunk in l->c into the database, then marked loaded. */
static int
load_chunk(struct loader *l, struct llmops_err *err)
{
	struct spool_chunk	 *c = &l->c;
	struct usage_event	**acc = NULL;
	struct llmops_err	  first;
	size_t			  nacc = 0, rejected = 0, ins = 0, dups = 0;
	int			  rc = -1;

	if (c->nev > 0 && (acc = calloc(c->nev, sizeof(*acc))) == NULL) {
		err_set(err, 500, "loader: out of memory");
		goto out;
	}
	if (check_tokens(l, acc, &nacc, &rejected, err) != 0 ||
	    price_events(l, acc, nacc, err) != 0)
		goto out;
	err_clear(&first);
	if (store_events(l->db, acc, nacc, &l->dims, &ins, &dups,
	    &first) == 0) {
		l->counts.inserted += ins;
		l->counts.duplicates += dups;
	} else if (transient(&first)) {
		*err = first;
		goto out;
	} else {
		log_warn(LOG_TAG_SPOOL, "a chunk of %zu events failed (%s); "
		    "loading its records one by one", c->nev, first.msg);
		if (load_records(l, acc, nacc, err) != 0)
			goto out;
	}
	if (spool_done(&l->r, c, err) != 0)
		goto out;
	l->counts.events += c->nev;
	l->counts.rejected += rejected;
	l->counts.chunks++;
	rc = 0;
out:
	free(acc);
	return rc;
}

enum loader_result
loader_turn(struct loader *l, int64_t budget_us, int wait_ms,
    struct llmops_err *err)
{
	const char		*dir = l->conf->spool.dir;
	enum loader_result	 res = LOADER_DONE;
	int64_t			 start = time_now_us(), now;
	int			 rc;

	err_clear(err);
	if (start < l->retry_us)
		return LOADER_LATER;
	for (;;) {
		if ((rc = spool_lock(&l->r, dir, wait_ms, err)) == 1)
			return LOADER_BUSY;
		if (rc != 0) {
			res = LOADER_FAILED;
			break;
		}
		for (;;) {
			if (spool_read(&l->r, &l->c, LOADER_CHUNK_EVENTS,
			    err) != 0) {
				res = LOADER_FAILED;
				break;
			}
			if (l->c.nrec == 0) {
				/* Removes what was read to its end. */
				if (spool_done(&l->r, &l->c, err) != 0)
					res = LOADER_FAILED;
				break;
			}
			if (load_chunk(l, err) != 0) {
				res = LOADER_FAILED;
				break;
			}
			note(l, 1, NULL);
			if (time_now_us() - start >= budget_us) {
				res = LOADER_MORE;
				break;
			}
		}
		spool_chunk_clear(&l->c);
		spool_unlock(&l->r);
		now = time_now_us();
		/* Appended while we finished: not left waiting for a turn. */
		if (res != LOADER_DONE || !spool_grown(&l->r, dir))
			break;
		if (now - start >= budget_us) {
			res = LOADER_MORE;	/* the caller comes back */
			break;
		}
		wait_ms = 0;
	}
	if (res == LOADER_FAILED) {
		note(l, 0, err->msg);
		l->backoff_us = l->backoff_us == 0 ? LOADER_RETRY_US :
		    l->backoff_us >= LOADER_RETRY_MAX_US / 2 ?
		    LOADER_RETRY_MAX_US : 2 * l->backoff_us;
		l->retry_us = time_now_us() + l->backoff_us;
		if (time_now_us() - l->logged_us >= LOADER_LOG_EVERY_US) {
			log_error(LOG_TAG_SPOOL, "loading the spool failed (the "
			    "events wait there): %s", err->msg);
			l->logged_us = time_now_us();
		}
	} else {
		l->backoff_us = 0;
		if (l->logged_us != 0) {
			log_info(LOG_TAG_SPOOL, "loading the spool works again");
			l->logged_us = 0;
		}
	}
	return res;
}
