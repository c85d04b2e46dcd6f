/* llmopsctl token: tracking tokens of an organization. */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "admin.h"
#include "cli.h"
#include "output.h"
#include "timefmt.h"
#include "token_admin.h"

/* Registered tokens shorter than this get a warning: guessable. */
#define TOKEN_WEAK_BYTES	20

static const char usage_text[] =
    "usage: llmopsctl token create ORG [--label LABEL] [--expires T]\n"
    "       llmopsctl token add ORG TOKEN|- [--label LABEL] [--expires T]\n"
    "       llmopsctl token list ORG [--format table|csv|json]\n"
    "       llmopsctl token revoke ID\n"
    "       llmopsctl token rotate ID [--grace DURATION]\n\n"
    "Tracking tokens are what LiteLLM clients send as X-Cloudidr-Token.\n"
    "create  prints a new random token once on stdout; only its SHA-256 is kept\n"
    "add     registers a token value clients already send (- reads it from\n"
    "        stdin, keeping it out of the process list and shell history)\n"
    "list    id, prefix, label, status, created, last used, expiry; never "
    "the token\n"
    "revoke  refuses the token (within ingest.token_cache_seconds, 30 s by\n"
    "        default, in every responder)\n"
    "rotate  prints a new token replacing ID; the old one is accepted until\n"
    "        the grace period ends (default 24h; 0: refused at once), then\n"
    "        refused\n"
    "--expires takes a time (2027-01-31) or a duration from now (90d);\n"
    "durations: 90s, 30m, 24h, 7d, 2w. Last use is recorded at most once a\n"
    "minute per responder.\n";

/* Default grace period of `token rotate`. */
#define TOKEN_ROTATE_GRACE	"24h"

static const struct report_col token_cols[] = {
	REPORT_CREDENTIAL_COLS,
	{ "expires", COL_TIME_US },
};

struct token_opts {
	const char	*label;
	int64_t		 expires_us;	/* 0: never */
	int64_t		 grace_us;
	int		 have_grace;
	enum out_format	 fmt;
};

/* Options shared by the token subcommands; returns -1 with *rc set to exit. */
static int
parse_opts(int argc, char *argv[], struct token_opts *o, int *rc)
{
	static const struct option longopts[] = {
		{ "label", required_argument, NULL, 'l' },
		{ "expires", required_argument, NULL, 'e' },
		{ "grace", required_argument, NULL, 'g' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int	ch;

	memset(o, 0, sizeof(*o));
	o->fmt = OUT_TABLE;
	time_parse_duration(TOKEN_ROTATE_GRACE, &o->grace_us);
	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (ch == 'l') {
			o->label = optarg;
			continue;
		}
		if (ch == 'e') {
			if (time_parse_future(optarg, time_now_us(),
			    &o->expires_us) != 0) {
				cli_error("--expires: a time or a duration, not "
				    "'%s'", optarg);
				*rc = EXIT_USAGE;
				return -1;
			}
			continue;
		}
		if (ch == 'g') {
			if (time_parse_duration(optarg, &o->grace_us) != 0) {
				cli_error("--grace: a duration (0, 90s, 30m, 24h, "
				    "7d), not '%s'", optarg);
				*rc = EXIT_USAGE;
				return -1;
			}
			o->have_grace = 1;
			continue;
		}
		if (ch == 'f' && out_format_parse(optarg, OUT_ALLOW(OUT_TABLE) |
		    OUT_ALLOW(OUT_CSV) | OUT_ALLOW(OUT_JSON), &o->fmt) == 0)
			continue;
		*rc = cli_usage(usage_text, ch == 'h' ? EXIT_OK : EXIT_USAGE);
		return -1;
	}
	return 0;
}

static int
find_org(struct cli *cli, const char *ref, struct org *o)
{
	struct llmops_err	err;

	if (cli_db(cli) != 0)
		return -1;
	err_clear(&err);
	if (admin_org_find(&cli->db, ref, o, &err) != 0) {
		cli_fail(&err);
		return -1;
	}
	return 0;
}

static int
token_create(struct cli *cli, int argc, char *argv[])
{
	struct token_opts	o;
	struct llmops_err	err;
	struct org		org;
	char			token[TOKEN_GENERATED_BYTES];
	uint32_t		id = 0;
	int			rc;

	if (parse_opts(argc, argv, &o, &rc) != 0)
		return rc;
	if (argc - optind != 1)
		return cli_usage(usage_text, EXIT_USAGE);
	if (find_org(cli, argv[optind], &org) != 0)
		return EXIT_ERR;
	err_clear(&err);
	if (token_admin_create(&cli->db, cli->actor, org.id, o.label,
	    o.expires_us, token, &id, &err) != 0)
		return cli_fail(&err);
	fprintf(stderr, "created token %" PRIu32 " for organization %s; it is "
	    "shown only now, store it safely:\n", id, org.name);
	printf("%s\n", token);
	OPENSSL_cleanse(token, sizeof(token));
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_ERR;
}

static int
token_add(struct cli *cli, int argc, char *argv[])
{
	struct token_opts	 o;
	struct llmops_err	 err;
	struct org		 org;
	char			 buf[LIMIT_TOKEN_MAX_BYTES + 2];
	const char		*token;
	uint32_t		 id = 0;
	int			 rc;

	if (parse_opts(argc, argv, &o, &rc) != 0)
		return rc;
	if (argc - optind != 2)
		return cli_usage(usage_text, EXIT_USAGE);
	token = argv[optind + 1];
	if (strcmp(token, "-") == 0) {
		if (fgets(buf, sizeof(buf), stdin) == NULL)
			return cli_error("no token on standard input");
		buf[strcspn(buf, "\r\n")] = '\0';
		token = buf;
	}
	if (find_org(cli, argv[optind], &org) != 0) {
		OPENSSL_cleanse(buf, sizeof(buf));
		return EXIT_ERR;
	}
	err_clear(&err);
	rc = token_admin_add(&cli->db, cli->actor, org.id, token, o.label,
	    o.expires_us, &id, &err);
	if (rc == 0 && strlen(token) < TOKEN_WEAK_BYTES)
		fprintf(stderr, "llmopsctl: warning: a token of %zu characters "
		    "is easy to guess; prefer `token create`\n", strlen(token));
	OPENSSL_cleanse(buf, sizeof(buf));
	if (rc != 0)
		return cli_fail(&err);
	printf("registered token %" PRIu32 " for organization %s\n", id,
	    org.name);
	return EXIT_OK;
}

static int
print_token(const struct token_row *t, void *arg)
{
	char		 id[16], created[24], used[24], expires[24];
	const char	*vals[7];

	snprintf(id, sizeof(id), "%" PRIu32, t->id);
	snprintf(created, sizeof(created), "%" PRId64, t->created_us);
	snprintf(used, sizeof(used), "%" PRId64, t->last_used_us);
	snprintf(expires, sizeof(expires), "%" PRId64, t->expires_us);
	vals[0] = id;
	vals[1] = t->prefix;
	vals[2] = t->has_label ? t->label : NULL;
	vals[3] = t->status;
	vals[4] = created;
	vals[5] = t->last_used_us ? used : NULL;
	vals[6] = t->expires_us ? expires : NULL;
	return out_row(arg, vals);
}

static int
token_list(struct cli *cli, int argc, char *argv[])
{
	struct token_opts	o;
	struct llmops_err	err;
	struct org		org;
	struct out		out;
	int			rc;

	if (parse_opts(argc, argv, &o, &rc) != 0)
		return rc;
	if (argc - optind != 1 || o.label != NULL)
		return cli_usage(usage_text, EXIT_USAGE);
	if (find_org(cli, argv[optind], &org) != 0)
		return EXIT_ERR;
	err_clear(&err);
	out_begin(&out, o.fmt, cli_stdout(cli), token_cols,
	    sizeof(token_cols) / sizeof(token_cols[0]));
	rc = token_admin_list(&cli->db, org.id, print_token, &out, &err);
	if (out_end(&out) != 0 && rc == 0)
		return cli_error("cannot write the output");
	return rc != 0 ? cli_fail(&err) : EXIT_OK;
}

static int
token_revoke(struct cli *cli, int argc, char *argv[])
{
	struct token_opts	o;
	struct llmops_err	err;
	unsigned		id;
	int			rc;

	if (parse_opts(argc, argv, &o, &rc) != 0)
		return rc;
	if (argc - optind != 1 || o.label != NULL || o.expires_us != 0)
		return cli_usage(usage_text, EXIT_USAGE);
	if (cli_parse_id(argv[optind], &id) != 0) {
		cli_error("token id must be a positive number, not '%s'",
		    argv[optind]);
		return EXIT_USAGE;
	}
	if (cli_db(cli) != 0)
		return EXIT_ERR;
	err_clear(&err);
	if (token_admin_revoke(&cli->db, cli->actor, id, &err) != 0)
		return cli_fail(&err);
	printf("revoked token %u\n", id);
	return EXIT_OK;
}

static int
token_rotate(struct cli *cli, int argc, char *argv[])
{
	struct token_opts	o;
	struct llmops_err	err;
	char			token[TOKEN_GENERATED_BYTES];
	char			until[TIME_ISO_BYTES];
	unsigned		id;
	uint32_t		new_id = 0;
	int			rc;

	if (parse_opts(argc, argv, &o, &rc) != 0)
		return rc;
	if (argc - optind != 1 || o.label != NULL || o.expires_us != 0)
		return cli_usage(usage_text, EXIT_USAGE);
	if (cli_parse_id(argv[optind], &id) != 0) {
		cli_error("token id must be a positive number, not '%s'",
		    argv[optind]);
		return EXIT_USAGE;
	}
	if (cli_db(cli) != 0)
		return EXIT_ERR;
	err_clear(&err);
	if (token_admin_rotate(&cli->db, cli->actor, id, o.grace_us, token,
	    &new_id, &err) != 0)
		return cli_fail(&err);
	time_format_iso_sec(time_now_us() + o.grace_us, until);
	fprintf(stderr, "token %u replaced by token %" PRIu32 ", accepted until "
	    "%s; the new token is shown only now, store it safely:\n", id,
	    new_id, until);
	printf("%s\n", token);
	OPENSSL_cleanse(token, sizeof(token));
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_ERR;
}

int
cmd_token(struct cli *cli, int argc, char *argv[])
{
	static const struct cli_cmd sub[] = {
		{ "create", token_create, NULL },
		{ "add", token_add, NULL },
		{ "list", token_list, NULL },
		{ "revoke", token_revoke, NULL },
		{ "rotate", token_rotate, NULL },
		{ NULL, NULL, NULL },
	};

	return cli_dispatch(cli, sub, "token", usage_text, argc - 1, argv + 1);
}
