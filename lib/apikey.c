#include "config.h"

#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "apikey.h"
#include "encode.h"
#include "token.h"

#if APIKEY_RANDOM_CHARS != (APIKEY_RANDOM_BYTES * 4 + 2) / 3
#error "APIKEY_RANDOM_CHARS must be the base64url length of APIKEY_RANDOM_BYTES"
#endif

int
apikey_generate(char out[APIKEY_GENERATED_BYTES])
{
	unsigned char	rnd[APIKEY_RANDOM_BYTES];

	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return -1;
	memcpy(out, APIKEY_SCHEME, APIKEY_SCHEME_LEN);
	base64url_encode(rnd, sizeof(rnd), out + APIKEY_SCHEME_LEN);
	OPENSSL_cleanse(rnd, sizeof(rnd));
	return 0;
}

int
apikey_hash(const char *key, unsigned char out[APIKEY_HASH_LEN])
{
	return token_hash(key, strlen(key), out);
}

int
apikey_hash_equal(const unsigned char *a, const unsigned char *b)
{
	return CRYPTO_memcmp(a, b, APIKEY_HASH_LEN) == 0;
}

void
apikey_prefix(const char *key, char out[APIKEY_PREFIX_BYTES])
{
	size_t	n = strnlen(key, 3 * APIKEY_PREFIX_CHARS) / 3;

	if (n > APIKEY_PREFIX_CHARS)
		n = APIKEY_PREFIX_CHARS;
	memcpy(out, key, n);
	out[n] = '\0';
}

static int
b64url_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* The key at s[0..len): "llk_" and APIKEY_RANDOM_CHARS base64url. */
static int
format_ok(const char *s, size_t len)
{
	size_t	i;

	if (len != APIKEY_CHARS ||
	    memcmp(s, APIKEY_SCHEME, APIKEY_SCHEME_LEN) != 0)
		return 0;
	for (i = APIKEY_SCHEME_LEN; i < len; i++)
		if (!b64url_char((unsigned char)s[i]))
			return 0;
	return 1;
}

int
apikey_format_ok(const char *key)
{
	return format_ok(key, strnlen(key, APIKEY_CHARS + 1));
}

static int
blank(char c)
{
	return c == ' ' || c == '\t';
}

enum apikey_auth
apikey_from_authorization(const char *h, char *out, size_t outsz)
{
	const char	*p, *scheme, *key;
	size_t		 slen, klen;

	if (outsz > 0)
		out[0] = '\0';
	if (h == NULL)
		return APIKEY_AUTH_ABSENT;
	if (strnlen(h, APIKEY_AUTH_HEADER_MAX + 1) > APIKEY_AUTH_HEADER_MAX)
		return APIKEY_AUTH_MALFORMED;
	for (p = h; blank(*p); p++)
		continue;
	if (*p == '\0')
		return APIKEY_AUTH_ABSENT;
	scheme = p;
	slen = strcspn(p, " \t");
	if (slen != 6 || strncasecmp(scheme, "Bearer", 6) != 0)
		return APIKEY_AUTH_OTHER_SCHEME;
	p += slen;
	/* RFC 9110: the scheme and its credentials are separated by 1*SP. */
	if (*p != ' ')
		return APIKEY_AUTH_MALFORMED;
	while (*p == ' ')
		p++;
	key = p;
	klen = strcspn(p, " \t");
	for (p += klen; blank(*p); p++)
		continue;
	if (*p != '\0' || !format_ok(key, klen) || klen >= outsz)
		return APIKEY_AUTH_MALFORMED;
	memcpy(out, key, klen);
	out[klen] = '\0';
	return APIKEY_AUTH_OK;
}
