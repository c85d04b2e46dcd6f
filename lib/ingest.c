#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "event_batch.h"
#include "ingest.h"
#include "litellm.h"
#include "log.h"
#include "pricing.h"
#include "store.h"
#include "timefmt.h"

/* One media type (parameters ignored) of len bytes at ct is JSON. */
static int
json_media_type(const char *ct, size_t len)
{
	static const char *const types[] = {
		"application/json", "application/x-ndjson", "application/ndjson",
		"application/jsonl", "application/x-jsonlines", "text/json", NULL,
	};
	size_t	i;

	for (i = 0; types[i] != NULL; i++)
		if (len == strlen(types[i]) && strncasecmp(ct, types[i], len) == 0)
			return 1;
	/* application/<anything>+json */
	return len > 17 && strncasecmp(ct, "application/", 12) == 0 &&
	    strncasecmp(ct + len - 5, "+json", 5) == 0;
}

/*
 * A client that sends Content-Type twice (httpx does when LiteLLM's own
 * header and a lower-case one from callback_settings meet) reaches us
 * joined by the web server: "application/json, application/json". Every
 * member of such a list must be JSON.
 */
int
ingest_content_type_ok(const char *ct)
{
	size_t	len;

	if (ct == NULL)
		return 0;
	for (;;) {
		while (*ct == ' ' || *ct == '\t')
			ct++;
		len = strcspn(ct, "; \t,");
		if (len == 0 || !json_media_type(ct, len))
			return 0;
		ct += strcspn(ct, ",");
		if (*ct == '\0')
			return 1;
		ct++;
	}
}

static int
precheck_fail(struct reply *r, int status, const char *allow, const char *msg)
{
	log_warn(LOG_TAG_LITELLM, "rejected request: %d %s", status, msg);
	reply_error(r, status, msg);
	r->allow = allow;
	return -1;
}

int
ingest_precheck(const struct conf *conf, const struct ingest_request *req,
    size_t *body_len, struct reply *r)
{
	char		 msg[ERR_MSG_BYTES];
	char		 ct[64];
	char		*end;
	long long	 n;

	if (req->method == NULL || strcmp(req->method, "POST") != 0) {
		snprintf(msg, sizeof(msg), "method %s not allowed: LiteLLM "
		    "callbacks are POSTed", req->method ? req->method : "(none)");
		return precheck_fail(r, 405, "POST", msg);
	}
	if (!ingest_content_type_ok(req->content_type)) {
		if (req->content_type == NULL)
			return precheck_fail(r, 415, NULL, "Content-Type missing: "
			    "send application/json");
		/* Quoted for the log and the client, cut to a sane length. */
		snprintf(ct, sizeof(ct), "%s", req->content_type);
		snprintf(msg, sizeof(msg), "Content-Type '%s' is not JSON: send "
		    "application/json", ct);
		return precheck_fail(r, 415, NULL, msg);
	}
	if (req->content_length == NULL || *req->content_length == '\0')
		return precheck_fail(r, 411, NULL, "Content-Length missing");
	errno = 0;
	n = strtoll(req->content_length, &end, 10);
	if (errno != 0 || *end != '\0' || n < 0)
		return precheck_fail(r, 400, NULL, "Content-Length is not a number");
	if (n > conf->ingest.max_body_bytes) {
		snprintf(msg, sizeof(msg), "body of %lld bytes is over the "
		    "max_body_bytes limit (%lld)", n, conf->ingest.max_body_bytes);
		return precheck_fail(r, 413, NULL, msg);
	}
	*body_len = (size_t)n;
	return 0;
}

/* The entry of hash among the n tokens of a POST, or NULL. */
static struct token_query *
token_seen(struct token_query *seen, size_t n, const unsigned char *hash)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (token_hash_equal(seen[i].hash, hash))
			return &seen[i];
	return NULL;
}

/*
 * Resolves every event's token to its organization; events with a missing
 * or unusable token become rejections. Fills accepted with the rest, and
 * seen with each token once.
 */
static int
resolve_tokens(struct ingest *in, struct event_batch *b, int64_t now,
    struct usage_event **accepted, size_t *naccepted,
    struct token_query *seen, size_t *nseen, struct llmops_err *err)
{
	static const enum reject_reason by_state[] = {
		[TOKEN_STATE_UNKNOWN] = REJECT_UNKNOWN_TOKEN,
		[TOKEN_STATE_REVOKED] = REJECT_REVOKED_TOKEN,
		[TOKEN_STATE_EXPIRED] = REJECT_EXPIRED_TOKEN,
	};
	char			 why[REJECT_NOTE_WHY_BYTES];
	struct usage_event	*ev;
	struct token_query	*ts;
	enum token_state	 state;
	size_t			 i;

	*naccepted = 0;
	for (i = 0; i < b->nevents; i++) {
		ev = &b->events[i];
		if (ev->has_token && token_seen(seen, *nseen, ev->token_hash) ==
		    NULL)
			memcpy(seen[(*nseen)++].hash, ev->token_hash,
			    TOKEN_HASH_LEN);
	}
	if (token_cache_resolve(&in->tokens, in->db, seen, *nseen, now,
	    err) != 0)
		return -1;
	for (i = 0; i < b->nevents; i++) {
		ev = &b->events[i];
		if (!ev->has_token) {
			event_batch_reject(b, ev->index, ev->litellm_id,
			    REJECT_MISSING_TOKEN, "no x-cloudidr-token in the "
			    "event's headers, the webhook request, "
			    "requester_metadata or request_tags");
			continue;
		}
		ts = token_seen(seen, *nseen, ev->token_hash);
		if ((state = token_info_state(&ts->info, now)) != TOKEN_STATE_ACTIVE) {
			snprintf(why, sizeof(why), "token %s... from %s is %s",
			    ev->token_prefix, token_source_name(ev->token_source),
			    state == TOKEN_STATE_UNKNOWN ? "unknown" :
			    state == TOKEN_STATE_REVOKED ? "revoked" : "expired");
			event_batch_reject(b, ev->index, ev->litellm_id,
			    by_state[state], why);
			continue;
		}
		ev->org_id = ts->info.org_id;
		ev->token_id = ts->info.token_id;
		accepted[(*naccepted)++] = ev;
	}
	return 0;
}

static struct json_object *
counts_json(const struct event_batch *b, size_t inserted, size_t dups)
{
	struct json_object	*o, *reasons;
	int			 i;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(o, "accepted", json_object_new_int64((int64_t)inserted));
	json_object_object_add(o, "duplicates", json_object_new_int64((int64_t)dups));
	json_object_object_add(o, "rejected",
	    json_object_new_int64((int64_t)b->nrejected));
	reasons = json_object_new_object();
	for (i = 0; i < REJECT__MAX; i++)
		if (b->rejected[i] > 0)
			json_object_object_add(reasons, reject_reason_name(i),
			    json_object_new_int64((int64_t)b->rejected[i]));
	json_object_object_add(o, "rejected_reasons", reasons);
	json_object_object_add(o, "events", json_object_new_int64((int64_t)b->nelements));
	return o;
}

static void
log_rejections(const struct event_batch *b)
{
	size_t	i;

	for (i = 0; i < b->nnotes; i++)
		log_warn(LOG_TAG_LITELLM, "event %zu%s%s%s rejected: %s: %s",
		    b->notes[i].index, *b->notes[i].id ? " (id " : "",
		    b->notes[i].id, *b->notes[i].id ? ")" : "",
		    reject_reason_name(b->notes[i].reason), b->notes[i].why);
	if (b->nrejected > b->nnotes)
		log_warn(LOG_TAG_LITELLM, "... and %zu more rejected events in "
		    "this POST", b->nrejected - b->nnotes);
}

static void
reasons_text(const struct event_batch *b, char *buf, size_t sz)
{
	size_t	o = 0;
	int	i, n;

	buf[0] = '\0';
	for (i = 0; i < REJECT__MAX; i++) {
		if (b->rejected[i] == 0)
			continue;
		n = snprintf(buf + o, sz - o, "%s%s %zu", o ? ", " : "",
		    reject_reason_name(i), b->rejected[i]);
		if (n < 0 || (size_t)n >= sz - o)
			break;
		o += (size_t)n;
	}
}

void
ingest_init(struct ingest *in, const struct conf *conf, struct db *db)
{
	memset(in, 0, sizeof(*in));
	in->conf = conf;
	in->db = db;
	price_cache_init(&in->prices, conf->cost.reload_seconds);
	token_cache_init(&in->tokens, conf->ingest.token_cache_seconds);
	dim_seen_init(&in->dims);
}

void
ingest_release(struct ingest *in)
{
	price_cache_release(&in->prices);
	token_cache_release(&in->tokens);
	dim_seen_release(&in->dims);
	memset(in, 0, sizeof(*in));
}

/* Arguments of load_prices(). */
struct prices {
	struct price_cache	*cache;
	int64_t			 now;
	const struct price_set	*set;
};

/* The price table, refreshed from the database when due (a db_txn fn). */
static int
load_prices(struct db *db, void *arg, struct llmops_err *err)
{
	struct prices	*p = arg;

	/* Only the last attempt's note of stale prices counts. */
	err_clear(err);
	p->set = price_cache_get(p->cache, db, p->now, err);
	return p->set != NULL ? 0 : -1;
}

/* Prices every accepted event; a failure here fails the POST (503). */
static int
price_events(struct ingest *in, struct usage_event **evs, size_t n,
    int64_t now, struct llmops_err *err)
{
	struct prices	p;
	size_t		i;

	if (n == 0)
		return 0;
	p.cache = &in->prices;
	p.now = now;
	p.set = NULL;
	if (db_txn(in->db, DB_READ, load_prices, &p, err) != 0)
		return -1;
	if (err->msg[0] != '\0')
		log_warn(LOG_TAG_DB, "prices not refreshed, using the previous "
		    "copy: %s", err->msg);
	for (i = 0; i < n; i++)
		pricing_apply(p.set, (enum cost_prefer)in->conf->cost.prefer,
		    evs[i]);
	return 0;
}

void
ingest_callback(struct ingest *in, const struct ingest_request *req,
    const char *body, size_t len, struct reply *r)
{
	const struct conf	 *conf = in->conf;
	struct db		 *db = in->db;
	struct litellm_limits	  lim;
	struct event_batch	  b;
	struct llmops_err	  err;
	struct usage_event	**accepted = NULL;
	struct token_query	 *seen = NULL;
	size_t			  naccepted = 0, nseen = 0, inserted = 0, dups = 0, i;
	int64_t			  now = time_now_us();
	char			  reasons[256];
	struct json_object	 *o;

	event_batch_init(&b);
	err_clear(&err);
	lim.max_events = (size_t)conf->ingest.max_events;
	lim.max_json_depth = conf->ingest.max_json_depth;
	lim.max_label_chars = (size_t)conf->ingest.max_label_chars;

	if (litellm_parse(body, len, &req->hdr, &lim, now, &b, &err) != 0) {
		log_warn(LOG_TAG_LITELLM, "rejected POST of %zu bytes: %d %s",
		    len, err.status, err.msg);
		reply_error(r, err.status, err.msg);
		goto out;
	}
	if (b.is_test) {
		log_info(LOG_TAG_LITELLM, "connectivity test received; nothing "
		    "stored");
		o = json_object_new_object();
		json_object_object_add(o, "status", json_object_new_string("ok"));
		json_object_object_add(o, "test", json_object_new_boolean(1));
		json_object_object_add(o, "message", json_object_new_string(
		    "llmops LiteLLM callback endpoint is reachable; nothing was "
		    "stored"));
		reply_json(r, 200, o);
		goto out;
	}
	if (b.nevents > 0 &&
	    ((accepted = calloc(b.nevents, sizeof(*accepted))) == NULL ||
	    (seen = calloc(b.nevents, sizeof(*seen))) == NULL)) {
		reply_error(r, 500, "out of memory");
		goto out;
	}
	if (resolve_tokens(in, &b, now, accepted, &naccepted, seen, &nseen,
	    &err) != 0) {
		log_error(LOG_TAG_LITELLM, "POST of %zu events not stored: %s",
		    b.nelements, err.msg);
		reply_error(r, err.status ? err.status : 503,
		    err.status == 503 ? "database unreachable; nothing stored" :
		    "database error; nothing stored");
		goto out;
	}
	log_rejections(&b);
	reasons_text(&b, reasons, sizeof(reasons));
	if (naccepted == 0 && b.nrejected > 0 &&
	    (b.rejected[REJECT_MISSING_TOKEN] || b.rejected[REJECT_UNKNOWN_TOKEN] ||
	    b.rejected[REJECT_REVOKED_TOKEN] || b.rejected[REJECT_EXPIRED_TOKEN])) {
		log_warn(LOG_TAG_LITELLM, "rejected POST: 401 no event of %zu "
		    "carried a usable tracking token (%s)", b.nelements, reasons);
		o = counts_json(&b, 0, 0);
		json_object_object_add(o, "error", json_object_new_string(
		    "no event carried a usable tracking token (X-Cloudidr-Token)"));
		json_object_object_add(o, "status", json_object_new_int(401));
		reply_json(r, 401, o);
		goto out;
	}
	err_clear(&err);
	if (price_events(in, accepted, naccepted, now, &err) != 0 ||
	    store_events(db, accepted, naccepted, &in->dims, &inserted, &dups,
	    &err) != 0) {
		log_error(LOG_TAG_LITELLM, "POST of %zu events not stored: %s",
		    b.nelements, err.msg);
		reply_error(r, err.status == 503 ? 503 : 500,
		    err.status == 503 ? "database unreachable; nothing stored" :
		    "database error; nothing stored");
		goto out;
	}
	/* Last use is bookkeeping: its failure never fails the POST. */
	for (i = 0; i < nseen; i++)
		if (token_cache_touch(&in->tokens, db, &seen[i], now,
		    INGEST_TOUCH_INTERVAL_US, &err) != 0)
			log_warn(LOG_TAG_DB, "cannot record token use: %s", err.msg);
	log_info(LOG_TAG_LITELLM, "POST stored: %zu events, accepted %zu, "
	    "duplicates %zu, rejected %zu%s%s%s, %zu bytes, %.1f ms",
	    b.nelements, inserted, dups, b.nrejected, *reasons ? " (" : "",
	    reasons, *reasons ? ")" : "", len,
	    (double)(time_now_us() - now) / 1000.0);
	reply_json(r, 200, counts_json(&b, inserted, dups));
out:
	free(seen);
	free(accepted);
	event_batch_release(&b);
}
