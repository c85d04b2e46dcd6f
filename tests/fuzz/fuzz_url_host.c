/*
 * libFuzzer harness for url_host (lib/url_host.c), what we keep of
 * LiteLLM's api_base. Any input is accepted or refused without crashing;
 * what is accepted is a host[:port] within LIMIT_API_HOST_BYTES, lower
 * case, with no user part, path, query or fragment in it, and it is
 * its own host once given a scheme again.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "url_host.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	out[LIMIT_API_HOST_BYTES + 1], again[LIMIT_API_HOST_BYTES + 1];
	char	url[LIMIT_API_HOST_BYTES + 8];
	size_t	n, i;

	if (url_host((const char *)data, size, out) != 0) {
		if (out[0] != '\0')
			abort();
		return 0;
	}
	if ((n = strlen(out)) == 0 || n > LIMIT_API_HOST_BYTES)
		abort();
	for (i = 0; i < n; i++)
		if ((out[i] >= 'A' && out[i] <= 'Z') || out[i] == '@' ||
		    out[i] == '/' || out[i] == '?' || out[i] == '#' ||
		    (unsigned char)out[i] <= 0x20 || (unsigned char)out[i] >= 0x7f)
			abort();
	memcpy(url, "x://", 4);
	memcpy(url + 4, out, n);
	if (url_host(url, n + 4, again) != 0 || strcmp(again, out) != 0)
		abort();
	return 0;
}
