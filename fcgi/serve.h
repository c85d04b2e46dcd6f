/* The FastCGI side of llmops.fcgi: the accept loop, the CGI environment
 * and the body and answer streams; everything else is lib/app.c's. */
#ifndef LLMOPS_SERVE_H
#define LLMOPS_SERVE_H

#include "conf.h"

/* Serves requests on listen_fd (0 when spawned by the web server) until SIGTERM. */
int	serve_requests(const struct conf *, int listen_fd);
/* Installs the SIGTERM/SIGINT/SIGUSR1 handlers that stop the accept loop. */
void	serve_signals(void);
/* handler for SIGTERM and SIGINT (and SIGUSR1), SIGPIPE ignored. */
void	serve_stop_on(void (*handler)(int), int usr1);

#endif
