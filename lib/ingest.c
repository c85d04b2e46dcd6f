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
#include "loader.h"
#include "log.h"
#include "spool.h"
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
 * The state of every token of the POST: from the cache, else with one
 * indexed read when the database answers. When it does not (or did not
 * a moment ago), the tokens the cache cannot vouch for stay unchecked
 * (*checked 0): their events are spooled with org_id 0 and checked when
 * loaded.
 */
static void
lookup_tokens(struct ingest *in, struct token_query *seen, size_t nseen,
    int64_t now, int *checked)
{
	struct llmops_err	err;
	size_t			i;

	err_clear(&err);
	if (now >= in->db_down_until_us &&
	    token_cache_resolve(&in->tokens, in->db, seen, nseen, now,
	    &err) == 0) {
		in->db_backoff_us = 0;
		*checked = 1;
		return;
	}
	if (now >= in->db_down_until_us) {
		log_warn(LOG_TAG_LITELLM, "tokens not checked now (they are when "
		    "the events are loaded): %s", err.msg);
		in->db_backoff_us = in->db_backoff_us == 0 ? LOADER_RETRY_US :
		    in->db_backoff_us >= LOADER_RETRY_MAX_US / 2 ?
		    LOADER_RETRY_MAX_US : 2 * in->db_backoff_us;
		in->db_down_until_us = now + in->db_backoff_us;
	}
	/* What the cache still holds fresh is checked; the rest waits. */
	*checked = 0;
	for (i = 0; i < nseen; i++)
		seen[i].fetched = token_cache_peek(&in->tokens, seen[i].hash, now,
		    &seen[i].info) != 0;
}

/*
 * Resolves every event's token to its organization where it can; events
 * with a missing or unusable token become rejections. Fills accepted with
 * the rest (an event whose token could not be checked has org_id 0), and
 * seen with each token once; *unchecked counts those events.
 */
static void
resolve_tokens(struct ingest *in, struct event_batch *b, int64_t now,
    struct usage_event **accepted, size_t *naccepted,
    struct token_query *seen, size_t *nseen, size_t *unchecked)
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
	int			 checked = 1;

	*naccepted = 0;
	*unchecked = 0;
	for (i = 0; i < b->nevents; i++) {
		ev = &b->events[i];
		if (ev->has_token && token_seen(seen, *nseen, ev->token_hash) ==
		    NULL)
			memcpy(seen[(*nseen)++].hash, ev->token_hash,
			    TOKEN_HASH_LEN);
	}
	if (*nseen > 0)
		lookup_tokens(in, seen, *nseen, now, &checked);
	for (i = 0; i < b->nevents; i++) {
		ev = &b->events[i];
		ev->org_id = 0;
		ev->token_id = 0;
		if (!ev->has_token) {
			event_batch_reject(b, ev->index, ev->litellm_id,
			    REJECT_MISSING_TOKEN, "no x-cloudidr-token in the "
			    "event's headers, the webhook request, "
			    "requester_metadata or request_tags");
			continue;
		}
		ts = token_seen(seen, *nseen, ev->token_hash);
		if (!checked && ts->fetched) {
			/* Kept with its token's hash; checked when loaded. */
			(*unchecked)++;
			accepted[(*naccepted)++] = ev;
			continue;
		}
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
}

static struct json_object *
counts_json(const struct event_batch *b, size_t spooled)
{
	struct json_object	*o, *reasons;
	int			 i;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(o, "accepted",
	    json_object_new_int64((int64_t)spooled));
	json_object_object_add(o, "rejected",
	    json_object_new_int64((int64_t)b->nrejected));
	reasons = json_object_new_object();
	for (i = 0; i < REJECT__MAX; i++)
		if (b->rejected[i] > 0)
			json_object_object_add(reasons, reject_reason_name(i),
			    json_object_new_int64((int64_t)b->rejected[i]));
	json_object_object_add(o, "rejected_reasons", reasons);
	json_object_object_add(o, "warnings",
	    json_object_new_int64((int64_t)b->warnings));
	json_object_object_add(o, "events",
	    json_object_new_int64((int64_t)b->nelements));
	json_object_object_add(o, "spooled",
	    json_object_new_int64((int64_t)spooled));
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

/* Kept events with fields stored unknown or cut: the fields, never values. */
static void
log_warnings(const struct event_batch *b)
{
	size_t	i;

	for (i = 0; i < b->nwarn_notes; i++)
		log_warn(LOG_TAG_LITELLM, "event %zu%s%s%s kept with %u field%s "
		    "unknown or cut: %s", b->warn_notes[i].index,
		    *b->warn_notes[i].id ? " (id " : "", b->warn_notes[i].id,
		    *b->warn_notes[i].id ? ")" : "", b->warn_notes[i].fields,
		    b->warn_notes[i].fields == 1 ? "" : "s",
		    b->warn_notes[i].why);
	if (b->warned_events > b->nwarn_notes)
		log_warn(LOG_TAG_LITELLM, "... and %zu more events with fields "
		    "unknown or cut in this POST",
		    b->warned_events - b->nwarn_notes);
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
	struct llmops_err	err;

	memset(in, 0, sizeof(*in));
	in->conf = conf;
	in->db = db;
	token_cache_init(&in->tokens, conf->ingest.token_cache_seconds);
	/* Out of memory here: every append answers 500 and says so. */
	if (spool_writer_init(&in->spool, conf->spool.dir,
	    (uint64_t)conf->spool.segment_bytes) != 0)
		log_error(LOG_TAG_LITELLM, "out of memory for the spool");
	err_clear(&err);
	/* Without it the events wait for `llmopsctl spool drain` (timer). */
	if (loader_thread_start(&in->loader, conf, &err) != 0)
		log_error(LOG_TAG_SPOOL, "no loader in this responder: %s",
		    err.msg);
}

void
ingest_release(struct ingest *in)
{
	loader_thread_stop(&in->loader);
	spool_writer_release(&in->spool);
	token_cache_release(&in->tokens);
	memset(in, 0, sizeof(*in));
}

/* Notes the active tokens of a POST whose last use is written later. */
static void
touch_later(struct ingest *in, const struct token_query *seen, size_t n,
    int64_t now)
{
	size_t	i, j;

	for (i = 0; i < n && in->ntouch < INGEST_TOUCH_PENDING; i++) {
		if (seen[i].fetched && now < in->db_down_until_us)
			continue;	/* not checked: the loader does it */
		if (token_info_state(&seen[i].info, now) != TOKEN_STATE_ACTIVE)
			continue;
		for (j = 0; j < in->ntouch; j++)
			if (token_hash_equal(in->touch[j].hash, seen[i].hash))
				break;
		if (j == in->ntouch)
			in->touch[in->ntouch++] = seen[i];
	}
}

void
ingest_after(struct ingest *in)
{
	struct llmops_err	err;
	int64_t			now = time_now_us();
	size_t			i;

	/* Last use is bookkeeping: its failure fails nothing. */
	for (i = 0; i < in->ntouch && now >= in->db_down_until_us; i++)
		if (token_cache_touch(&in->tokens, in->db, &in->touch[i], now,
		    INGEST_TOUCH_INTERVAL_US, &err) != 0)
			log_warn(LOG_TAG_DB, "cannot record token use: %s",
			    err.msg);
	in->ntouch = 0;
	if (in->spooled)
		loader_thread_kick(&in->loader);
	in->spooled = 0;
}

void
ingest_callback(struct ingest *in, const struct ingest_request *req,
    const char *body, size_t len, struct reply *r)
{
	const struct conf	 *conf = in->conf;
	struct litellm_limits	  lim;
	struct event_batch	  b;
	struct llmops_err	  err;
	struct usage_event	**accepted = NULL;
	struct token_query	 *seen = NULL;
	size_t			  naccepted = 0, nseen = 0, unchecked = 0;
	int64_t			  now = time_now_us();
	char			  reasons[256], note[64] = "";
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
	resolve_tokens(in, &b, now, accepted, &naccepted, seen, &nseen,
	    &unchecked);
	log_rejections(&b);
	log_warnings(&b);
	reasons_text(&b, reasons, sizeof(reasons));
	if (naccepted == 0 && b.nrejected > 0 &&
	    (b.rejected[REJECT_MISSING_TOKEN] || b.rejected[REJECT_UNKNOWN_TOKEN] ||
	    b.rejected[REJECT_REVOKED_TOKEN] || b.rejected[REJECT_EXPIRED_TOKEN])) {
		log_warn(LOG_TAG_LITELLM, "rejected POST: 401 no event of %zu "
		    "carried a usable tracking token (%s)", b.nelements, reasons);
		o = counts_json(&b, 0);
		json_object_object_add(o, "error", json_object_new_string(
		    "no event carried a usable tracking token (X-Cloudidr-Token)"));
		json_object_object_add(o, "status", json_object_new_int(401));
		reply_json(r, 401, o);
		goto out;
	}
	/* Durable before the answer: the only write on this path. */
	if (spool_append(&in->spool, accepted, naccepted, now, &err) != 0) {
		log_error(LOG_TAG_LITELLM, "POST of %zu events not accepted: %s",
		    b.nelements, err.msg);
		reply_error(r, err.status == 503 ? 503 : 500,
		    err.status == 503 ? "the spool's disk is full; nothing "
		    "accepted, send again later" : "cannot write the spool; "
		    "nothing accepted");
		goto out;
	}
	if (naccepted > 0)
		in->spooled = 1;
	touch_later(in, seen, nseen, now);
	if (unchecked > 0)
		snprintf(note, sizeof(note), " (%zu with tokens checked when "
		    "loaded)", unchecked);
	log_info(LOG_TAG_LITELLM, "POST spooled: %zu events, accepted %zu%s, "
	    "rejected %zu%s%s%s, %zu bytes, %.1f ms",
	    b.nelements, naccepted, note, b.nrejected, *reasons ? " (" : "", reasons, *reasons ? ")" : "",
	    len, (double)(time_now_us() - now) / 1000.0);
	reply_json(r, 200, counts_json(&b, naccepted));
out:
	free(seen);
	free(accepted);
	event_batch_release(&b);
}
