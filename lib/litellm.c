#include "config.h"

#include <json-c/json.h>

#include "json_batch.h"
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

static int
on_element(struct json_object *obj, size_t index, size_t offset, void *arg,
    struct llmops_err *err)
{
	struct parse_ctx	*ctx = arg;
	struct usage_event	*ev;
	enum reject_reason	 reason;
	char			 why[REDUCE_WHY_BYTES];

	(void)offset;
	if (litellm_is_test_ping(obj)) {
		/* Only a whole body of {"test": true} is the guide's ping. */
		if (index == 0)
			ctx->first_is_ping = 1;
		else
			event_batch_reject(ctx->batch, index, NULL,
			    REJECT_NOT_EVENT, PING_IN_BATCH);
		return 0;
	}
	if ((ev = event_batch_add(ctx->batch)) == NULL)
		return err_set(err, 500, "out of memory");
	ev->index = index;
	switch (litellm_event_reduce(obj, ctx->wh, ctx->lim->max_label_chars,
	    ctx->received_us, ev, &reason, why)) {
	case REDUCE_OK:
		ev->index = index;
		return 0;
	case REDUCE_REJECT:
		event_batch_drop_last(ctx->batch);
		event_batch_reject(ctx->batch, index, element_id(obj), reason, why);
		return 0;
	case REDUCE_OOM:
		break;
	}
	event_batch_drop_last(ctx->batch);
	return err_set(err, 500, "out of memory");
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
