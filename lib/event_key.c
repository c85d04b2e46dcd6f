#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "event_key.h"

/* Each field is framed as a tag byte and a length, so no two tuples collide. */
static int
add_str(EVP_MD_CTX *ctx, const char *s)
{
	unsigned char	hdr[5];
	uint32_t	len;

	if (s == NULL) {
		hdr[0] = 0;
		return EVP_DigestUpdate(ctx, hdr, 1) == 1 ? 0 : -1;
	}
	len = (uint32_t)strlen(s);
	hdr[0] = 1;
	hdr[1] = (unsigned char)(len >> 24);
	hdr[2] = (unsigned char)(len >> 16);
	hdr[3] = (unsigned char)(len >> 8);
	hdr[4] = (unsigned char)len;
	if (EVP_DigestUpdate(ctx, hdr, sizeof(hdr)) != 1 ||
	    EVP_DigestUpdate(ctx, s, len) != 1)
		return -1;
	return 0;
}

static int
add_num(EVP_MD_CTX *ctx, const struct usage_event *ev, enum event_num f)
{
	unsigned char	buf[9];
	uint64_t	v = (uint64_t)ev->num[f];
	int		i;

	if (!EVENT_HAS(ev, f)) {
		buf[0] = 0;
		return EVP_DigestUpdate(ctx, buf, 1) == 1 ? 0 : -1;
	}
	buf[0] = 1;
	for (i = 0; i < 8; i++)
		buf[1 + i] = (unsigned char)(v >> (56 - 8 * i));
	return EVP_DigestUpdate(ctx, buf, sizeof(buf)) == 1 ? 0 : -1;
}

static int
finish(EVP_MD_CTX *ctx, unsigned char *out, size_t outlen)
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	n = 0;

	if (EVP_DigestFinal_ex(ctx, md, &n) != 1 || n < outlen)
		return -1;
	memcpy(out, md, outlen);
	return 0;
}

int
event_key_dedupe(struct usage_event *ev)
{
	EVP_MD_CTX	*ctx;
	int		 rc = -1;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    add_str(ctx, "llmops-dedupe-v1") ||
	    add_str(ctx, EVENT_SOURCE_LITELLM) ||
	    add_str(ctx, ev->litellm_id) ||
	    add_str(ctx, ev->trace_id) ||
	    add_str(ctx, ev->call_type) ||
	    add_str(ctx, ev->model) ||
	    add_str(ctx, event_status_name(ev->status)) ||
	    add_num(ctx, ev, EV_START_US) ||
	    add_num(ctx, ev, EV_END_US) ||
	    finish(ctx, ev->dedupe_key, EVENT_KEY_LEN))
		goto out;
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}

int
event_key_rollup(const struct usage_event *ev, unsigned char out[ROLLUP_KEY_LEN])
{
	EVP_MD_CTX	*ctx;
	int		 rc = -1;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    add_str(ctx, "llmops-rollup-v2") ||
	    add_str(ctx, EVENT_SOURCE_LITELLM) ||
	    add_str(ctx, ev->department) ||
	    add_str(ctx, ev->team) ||
	    add_str(ctx, ev->agent) ||
	    add_str(ctx, ev->model) ||
	    add_str(ctx, ev->provider) ||
	    add_str(ctx, event_status_name(ev->status)) ||
	    add_str(ctx, ev->error_class) ||
	    add_str(ctx, ev->error_code) ||
	    finish(ctx, out, ROLLUP_KEY_LEN))
		goto out;
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}

int
event_key_dimension(uint32_t org_id, const char *dim, const char *value,
    unsigned char out[ROLLUP_KEY_LEN])
{
	EVP_MD_CTX	*ctx;
	char		 org[16];
	int		 rc = -1;

	snprintf(org, sizeof(org), "%u", org_id);
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return -1;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    add_str(ctx, "llmops-dimension-v1") ||
	    add_str(ctx, org) ||
	    add_str(ctx, dim) ||
	    add_str(ctx, value) ||
	    finish(ctx, out, ROLLUP_KEY_LEN))
		goto out;
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}
