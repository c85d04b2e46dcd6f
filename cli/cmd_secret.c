/* llmopsctl secret generate: the session secret of the dashboard. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "secret.h"

static const char usage_text[] =
    "usage: llmopsctl secret generate FILE [--mode OCTAL]\n\n"
    "Writes a new random secret (32 bytes, as hex) to FILE, which must not\n"
    "exist, with mode 0640 unless --mode says otherwise. Name it in\n"
    "llmops.conf as web.session_secret_file, readable by the web server's\n"
    "user (chgrp www-data FILE). Replacing it logs every user out.\n";

static int
secret_generate(struct cli *cli, int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct llmops_err	 err;
	unsigned long		 mode = 0640;
	char			*end;
	int			 ch;

	(void)cli;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (ch == 'm') {
			mode = strtoul(optarg, &end, 8);
			if (*end != '\0' || mode > 0777) {
				cli_error("--mode: an octal mode like 0640");
				return EXIT_USAGE;
			}
			continue;
		}
		return cli_usage(usage_text, ch == 'h' ? EXIT_OK : EXIT_USAGE);
	}
	if (argc - optind != 1)
		return cli_usage(usage_text, EXIT_USAGE);
	err_clear(&err);
	if (secret_generate_file(argv[optind], (mode_t)mode, &err) != 0)
		return cli_fail(&err);
	printf("wrote a new session secret to %s\n", argv[optind]);
	return EXIT_OK;
}

int
cmd_secret(struct cli *cli, int argc, char *argv[])
{
	static const struct cli_cmd sub[] = {
		{ "generate", secret_generate, NULL },
		{ NULL, NULL, NULL },
	};

	return cli_dispatch(cli, sub, "secret", usage_text, argc - 1, argv + 1);
}
