/*
 * The two routes machines call without a login: POST /api/litellm/callback,
 * LiteLLM's webhook (lib/ingest.c does the work), and GET /api/health, the
 * probe of a monitor or load balancer (lib/health.c). Both describe their
 * answer as a struct reply (JSON), which the one response writer sends.
 * They check the method themselves, so that each 405 says what it takes.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "health.h"
#include "ingest.h"
#include "log.h"
#include "reply.h"
#include "ui_pages.h"

void
api_callback(struct ui *ui)
{
	const struct web_request *req = ui->req;
	struct ingest_request	 ir;
	struct reply		 r;
	size_t			 len = 0;
	char			*body = NULL;

	reply_init(&r);
	memset(&ir, 0, sizeof(ir));
	ir.method = req->method;
	ir.content_type = req->content_type;
	ir.content_length = req->content_length;
	ir.hdr.token = req->tracked.token;
	ir.hdr.department = req->tracked.department;
	ir.hdr.team = req->tracked.team;
	ir.hdr.agent = req->tracked.agent;
	/* Method, type and length first: an oversized body is never read. */
	if (ingest_precheck(ui->app->conf, &ir, &len, &r) != 0)
		goto out;
	/* One spare byte keeps the buffer NUL-terminated for json-c. */
	if ((body = malloc(len + 1)) == NULL) {
		log_error(LOG_TAG_LITELLM, "cannot allocate %zu bytes for a body",
		    len);
		reply_error(&r, 500, "out of memory");
		goto out;
	}
	if (web_read_body(req, body, len) != 0) {
		log_warn(LOG_TAG_LITELLM, "rejected POST: 400 body shorter than "
		    "its Content-Length (%zu)", len);
		reply_error(&r, 400, "body shorter than its Content-Length");
		goto out;
	}
	body[len] = '\0';
	ingest_callback(&ui->app->ingest, &ir, body, len, &r);
out:
	web_reply(ui->resp, &r);
	reply_release(&r);
	free(body);
}

void
api_health(struct ui *ui)
{
	const char	*m = ui->req->method;
	struct reply	 r;

	reply_init(&r);
	if (m == NULL || (strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0)) {
		log_warn(LOG_TAG_HTTP, "%s %s: 405 use GET", m ? m : "(none)",
		    ui->req->path);
		reply_error(&r, 405, "use GET");
		r.allow = "GET, HEAD";
	} else
		health_check(ui->app->db, app_spool_dir(ui->app), &r);
	web_reply(ui->resp, &r);
	reply_release(&r);
}
