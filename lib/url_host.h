/*
 * The host of a URL, and nothing else of it: what we keep of LiteLLM's
 * api_base. A base URL can carry a key in its user part
 * (https://user:sk-...@host/v1) or its query (?key=...), and paths name
 * customers' deployments; the host (and port) is what tells two
 * upstreams apart. Pure: bytes in, bytes out, no allocation.
 */
#ifndef LLMOPS_URL_HOST_H
#define LLMOPS_URL_HOST_H

#include <stddef.h>

#include "llmops_limits.h"

/*
 * Writes the host of url[0..len) to out, lower-cased, with ":port" when
 * the URL names one (an IPv6 literal keeps its brackets: "[::1]:8080"),
 * and returns 0. The scheme, any user:password@ part, the path, query
 * and fragment are never copied. Returns -1 (out "") when url is not
 * scheme://host[:port][/?#...]: no scheme, a blank or control character
 * (NUL included) anywhere, an empty or non-ASCII host, a port that is
 * not a number up to 65535, a host[:port] longer than
 * LIMIT_API_HOST_BYTES, or an '@' after the host (a user part holding
 * '/', '?' or '#': which part is the host cannot be told safely).
 */
int	url_host(const char *url, size_t len, char out[LIMIT_API_HOST_BYTES + 1]);

#endif
