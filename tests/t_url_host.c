/*
 * url_host: what we keep of LiteLLM's api_base. The host and port only,
 * lower-cased; never the user part (it can hold a key), the path, the
 * query or the fragment; anything else is refused.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "url_host.h"

/* The host of url, or "(refused)". */
static const char *
host_of(const char *url)
{
	static char	out[LIMIT_API_HOST_BYTES + 1];

	if (url_host(url, strlen(url), out) != 0)
		return out[0] == '\0' ? "(refused)" : "(refused, out not emptied)";
	return out;
}

static void
test_hosts(void)
{
	static const struct {
		const char	*url, *host;
	} cases[] = {
		/* What LiteLLM sends (the fixtures, the payload reference). */
		{ "https://api.openai.com/v1", "api.openai.com" },
		{ "https://api.anthropic.com/v1/messages", "api.anthropic.com" },
		{ "http://127.0.0.1:8100/v1", "127.0.0.1:8100" },
		{ "https://my-res.openai.azure.com/openai/deployments/gpt-4o/"
		    "chat/completions?api-version=2024-06-01",
		    "my-res.openai.azure.com" },
		{ "https://api.openai.com", "api.openai.com" },
		{ "https://api.openai.com/", "api.openai.com" },
		{ "https://api.openai.com?x=1", "api.openai.com" },
		{ "https://api.openai.com#frag", "api.openai.com" },
		/* Lower-cased, scheme whatever its case. */
		{ "HTTPS://API.OpenAI.COM/V1", "api.openai.com" },
		{ "git+ssh://Host.Example:22/x", "host.example:22" },
		/* Ports. */
		{ "http://localhost:4000", "localhost:4000" },
		{ "http://localhost:65535/", "localhost:65535" },
		{ "http://localhost:0080/", "localhost:80" },
		{ "http://localhost:/v1", "localhost" },
		{ "http://vllm_backend:8000/v1", "vllm_backend:8000" },
		/* IPv6 literals keep their brackets. */
		{ "http://[::1]:8080/v1", "[::1]:8080" },
		{ "http://[2001:DB8::A]/v1", "[2001:db8::a]" },
		{ "http://[::ffff:192.0.2.1]:443", "[::ffff:192.0.2.1]:443" },
		/* The user part is dropped, whatever it holds. */
		{ "https://user:sk-SECRET@api.example.com/v1", "api.example.com" },
		{ "https://:sk-SECRET@api.example.com:8443", "api.example.com:8443" },
		{ "https://sk-SECRET@[::1]:9/v1", "[::1]:9" },
		{ "https://us@er:p@ss@Host.Example/v1", "host.example" },
		/* Not scheme://host: refused. */
		{ "", "(refused)" },
		{ "api.openai.com/v1", "(refused)" },
		{ "localhost:4000/v1", "(refused)" },
		{ "//api.openai.com/v1", "(refused)" },
		{ "https:/api.openai.com", "(refused)" },
		{ "1http://host", "(refused)" },
		{ "ht tp://host", "(refused)" },
		{ "https://", "(refused)" },
		{ "https:///v1", "(refused)" },
		{ "https://:443/v1", "(refused)" },
		{ "https://user:pw@/v1", "(refused)" },
		{ "https://user:pw@", "(refused)" },
		{ " https://host", "(refused)" },
		{ "https://host /v1", "(refused)" },
		{ "https://ho%73t/", "(refused)" },
		{ "https://b\xc3\xbc" "cher.example/", "(refused)" },
		{ "http://host:65536/", "(refused)" },
		{ "http://host:99999999999999999999/", "(refused)" },
		{ "http://host:-1/", "(refused)" },
		{ "http://host:8o/", "(refused)" },
		{ "http://host:80:81/", "(refused)" },
		{ "http://[::1/", "(refused)" },
		{ "http://[]/", "(refused)" },
		{ "http://[1]/", "(refused)" },
		{ "http://[fe80::1%25eth0]/", "(refused)" },
		{ "http://[v1.x]/", "(refused)" },
		{ "http://[::1]x/", "(refused)" },
		{ "http://::1/", "(refused)" },
		/* A user part holding '/', '?' or '#': an '@' after the host. */
		{ "https://user:123/SECRET@api.example.com/v1", "(refused)" },
		{ "https://user:12?SECRET@api.example.com", "(refused)" },
		{ "https://user:12#SECRET@api.example.com", "(refused)" },
		{ "https://host/v1?email=a@b.example", "(refused)" },
	};
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (!tap_ok(strcmp(host_of(cases[i].url), cases[i].host) == 0,
		    "'%s' -> %s", cases[i].url, cases[i].host))
			tap_diag("got %s", host_of(cases[i].url));
	}
}

static void
test_lengths(void)
{
	char	url[LIMIT_API_HOST_BYTES + 64], out[LIMIT_API_HOST_BYTES + 1];
	size_t	n;

	/* A host of exactly the limit, then one byte more. */
	memcpy(url, "http://", 7);
	memset(url + 7, 'a', LIMIT_API_HOST_BYTES);
	strcpy(url + 7 + LIMIT_API_HOST_BYTES, "/v1");
	ok(url_host(url, strlen(url), out) == 0 &&
	    strlen(out) == LIMIT_API_HOST_BYTES, "a host of LIMIT_API_HOST_BYTES");
	url[7 + LIMIT_API_HOST_BYTES] = 'a';
	strcpy(url + 8 + LIMIT_API_HOST_BYTES, "/v1");
	ok(url_host(url, strlen(url), out) == -1 && out[0] == '\0',
	    "one byte longer: refused, never cut");
	/* host:port over the limit by its port. */
	n = LIMIT_API_HOST_BYTES - 3;
	memset(url + 7, 'a', n);
	strcpy(url + 7 + n, ":8080");
	ok(url_host(url, strlen(url), out) == -1 && out[0] == '\0',
	    "host:port over the limit by its port: refused");
	strcpy(url + 7 + n, ":80");
	ok(url_host(url, strlen(url), out) == 0 &&
	    strlen(out) == LIMIT_API_HOST_BYTES, "host:port of exactly the limit");

	/* Only len bytes are read: no NUL needed, none looked for. */
	memcpy(url, "https://a.example/vX", 20);
	ok(url_host(url, 17, out) == 0 && strcmp(out, "a.example") == 0,
	    "reads len bytes only");
	ok(url_host("https://a.example\0@evil", 23, out) == -1,
	    "a NUL inside the length is no URL character");
}

int
main(void)
{
	test_hosts();
	test_lengths();
	return tap_done();
}
