#include "config.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "token.h"

int
token_hash(const char *token, size_t len, unsigned char out[TOKEN_HASH_LEN])
{
	unsigned int	n = 0;

	if (EVP_Digest(token, len, out, &n, EVP_sha256(), NULL) != 1 ||
	    n != TOKEN_HASH_LEN)
		return -1;
	return 0;
}

void
base64url_encode(const unsigned char *src, size_t n, char *dst)
{
	static const char	alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t			i;
	unsigned long		v;

	for (i = 0; i + 2 < n; i += 3) {
		v = (unsigned long)src[i] << 16 | (unsigned long)src[i + 1] << 8 |
		    src[i + 2];
		*dst++ = alphabet[(v >> 18) & 63];
		*dst++ = alphabet[(v >> 12) & 63];
		*dst++ = alphabet[(v >> 6) & 63];
		*dst++ = alphabet[v & 63];
	}
	if (n - i == 1) {
		v = (unsigned long)src[i] << 16;
		*dst++ = alphabet[(v >> 18) & 63];
		*dst++ = alphabet[(v >> 12) & 63];
	} else if (n - i == 2) {
		v = (unsigned long)src[i] << 16 | (unsigned long)src[i + 1] << 8;
		*dst++ = alphabet[(v >> 18) & 63];
		*dst++ = alphabet[(v >> 12) & 63];
		*dst++ = alphabet[(v >> 6) & 63];
	}
	*dst = '\0';
}

int
token_generate(char out[TOKEN_GENERATED_BYTES])
{
	unsigned char	rnd[TOKEN_RANDOM_BYTES];

	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return -1;
	memcpy(out, TOKEN_SCHEME, 4);
	base64url_encode(rnd, sizeof(rnd), out + 4);
	OPENSSL_cleanse(rnd, sizeof(rnd));
	return 0;
}

void
token_prefix(const char *token, char out[TOKEN_PREFIX_BYTES])
{
	size_t	len = strlen(token), n = len / 3;

	if (n > TOKEN_PREFIX_MAX)
		n = TOKEN_PREFIX_MAX;
	memcpy(out, token, n);
	out[n] = '\0';
}

int
token_format_ok(const char *token, const char **why)
{
	size_t	len = strlen(token), i;

	if (len < LIMIT_TOKEN_MIN_BYTES) {
		*why = "shorter than the minimum token length";
		return 0;
	}
	if (len > LIMIT_TOKEN_MAX_BYTES) {
		*why = "longer than the maximum token length";
		return 0;
	}
	for (i = 0; i < len; i++)
		if ((unsigned char)token[i] <= 0x20 || (unsigned char)token[i] >= 0x7f) {
			*why = "contains a space, a control or a non-ASCII character";
			return 0;
		}
	return 1;
}

enum token_state
token_info_state(const struct token_info *ti, int64_t now_us)
{
	if (!ti->known)
		return TOKEN_STATE_UNKNOWN;
	if (!ti->active)
		return TOKEN_STATE_REVOKED;
	if (ti->expires_us != 0 && ti->expires_us <= now_us)
		return TOKEN_STATE_EXPIRED;
	return TOKEN_STATE_ACTIVE;
}

int
token_hash_equal(const unsigned char *a, const unsigned char *b)
{
	return CRYPTO_memcmp(a, b, TOKEN_HASH_LEN) == 0;
}
