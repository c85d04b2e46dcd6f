/*
 * tools/bench-empty: the ceiling of tools/bench. A libfcgi responder that
 * does nothing but what every responder must: it accepts a request, reads
 * the whole body, and answers 200 with a small JSON body. lighttpd spawns
 * it beside llmops.fcgi with the same settings, so the difference between
 * the two is what llmops itself costs. Built by tools/bench (an
 * EXTRA_PROGRAMS of Makefile.am), never installed.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>

#include <fcgiapp.h>

static char	buf[64 * 1024];

int
main(void)
{
	FCGX_Request	req;
	long long	total;
	int		n;

	signal(SIGPIPE, SIG_IGN);
	if (FCGX_Init() != 0 || FCGX_InitRequest(&req, 0, 0) != 0) {
		fprintf(stderr, "bench-empty: cannot initialise libfcgi\n");
		return 1;
	}
	while (FCGX_Accept_r(&req) >= 0) {
		total = 0;
		while ((n = FCGX_GetStr(buf, (int)sizeof(buf), req.in)) > 0)
			total += n;
		n = snprintf(buf, sizeof(buf), "{\"empty\":true,\"read\":%lld}",
		    total);
		FCGX_FPrintF(req.out, "Status: 200 OK\r\n"
		    "Content-Type: application/json\r\n"
		    "Content-Length: %d\r\n\r\n%s", n, buf);
		FCGX_Finish_r(&req);
	}
	FCGX_Free(&req, 1);
	return 0;
}
