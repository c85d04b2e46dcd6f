#include "config.h"

#include <stdio.h>

#include <json-c/json.h>

#include "json_batch.h"
#include "json_skim.h"
#include "litellm.h"

#define PING_IN_BATCH	"a {\"test\": true} ping inside a batch is not an event"

struct parse_ctx {
	const struct webhook_headers	*wh;
	const struct litellm_limits	*lim;
	int64_t				 received_us;
	struct event_batch		*batch;
	int				 first_is_ping;
};

static const char *
element_id(struct json_object *obj)
{
	struct json_object	*v;

	if (obj != NULL && json_object_is_type(obj, json_type_object) &&
	    json_object_object_get_ex(obj, "id", &v) &&
	    json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return NULL;
}

/*
 * One element: an object is skimmed into a json-c object of only what
 * litellm_event_reduce reads (litellm_event_keep), reduced, and freed
 * before the next element is read; anything else is skipped and rejected.
 */
static int
on_element(struct json_skim *sk, int level, size_t index, size_t offset,
    void *arg, struct llmops_err *err)
{
	struct parse_ctx	*ctx = arg;
	struct usage_event	*ev;
	struct json_object	*obj = NULL;
	enum json_skim_kind	 kind;
	enum reject_reason	 reason;
	size_t			 unlisted;
	unsigned		 nwarn = 0;
	int			 rc = -1;
	char			 why[REDUCE_WHY_BYTES];

	(void)offset;
	if (json_skim_peek(sk) != '{') {
		if (json_skim_value(sk, level, &kind) != 0)
			return json_skim_error(sk, err);
		if (kind == JSON_SKIM_NULL)
			event_batch_reject(ctx->batch, index, NULL,
			    REJECT_NULL_EVENT, "null element (LiteLLM could not "
			    "build the logging payload)");
		else {
			snprintf(why, sizeof(why), "element is a JSON %s, not "
			    "an object", json_skim_kind_name(kind));
			event_batch_reject(ctx->batch, index, NULL,
			    REJECT_NOT_EVENT, why);
		}
		return 0;
	}
	switch (json_skim_keep(sk, level, litellm_event_keep, &obj, &unlisted)) {
	case 0:
		break;
	case -1:
		return json_skim_error(sk, err);
	default:
		return err_set(err, 500, "out of memory");
	}
	if (unlisted == 0 && litellm_is_test_ping(obj)) {
		/* Only a whole body of {"test": true} is the guide's ping. */
		if (index == 0)
			ctx->first_is_ping = 1;
		else
			event_batch_reject(ctx->batch, index, NULL,
			    REJECT_NOT_EVENT, PING_IN_BATCH);
		rc = 0;
		goto out;
	}
	if ((ev = event_batch_add(ctx->batch)) == NULL) {
		err_set(err, 500, "out of memory");
		goto out;
	}
	switch (litellm_event_reduce(obj, ctx->wh, ctx->lim->max_label_chars,
	    ctx->received_us, ev, &reason, why, &nwarn)) {
	case REDUCE_OK:
		ev->index = index;
		event_batch_warn(ctx->batch, index, ev->litellm_id, nwarn, why);
		rc = 0;
		break;
	case REDUCE_REJECT:
		event_batch_drop_last(ctx->batch);
		event_batch_reject(ctx->batch, index, element_id(obj), reason, why);
		rc = 0;
		break;
	case REDUCE_OOM:
		event_batch_drop_last(ctx->batch);
		err_set(err, 500, "out of memory");
		break;
	}
out:
	json_object_put(obj);
	return rc;
}

int
litellm_parse(const char *body, size_t len, const struct webhook_headers *wh,
    const struct litellm_limits *lim, int64_t received_us,
    struct event_batch *batch, struct llmops_err *err)
{
	struct parse_ctx	ctx;
	enum json_framing	framing;

	ctx.wh = wh;
	ctx.lim = lim;
	ctx.received_us = received_us;
	ctx.batch = batch;
	ctx.first_is_ping = 0;
	if (json_batch_parse(body, len, lim->max_json_depth, lim->max_events,
	    on_element, &ctx, &framing, &batch->nelements, err) != 0)
		return -1;
	if (ctx.first_is_ping) {
		if (framing == JSON_FRAMING_SEQUENCE && batch->nelements == 1)
			batch->is_test = 1;
		else
			event_batch_reject(batch, 0, NULL, REJECT_NOT_EVENT,
			    PING_IN_BATCH);
	}
	return 0;
}
