/* llmopsctl user and apikey: who may read an organization's data. */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "account.h"
#include "admin.h"
#include "apikey_admin.h"
#include "cli.h"
#include "output.h"

static const char user_usage[] =
    "usage: llmopsctl user add ORG|'*' EMAIL [--role viewer|admin|superadmin]\n"
    "         [--password-stdin]\n"
    "       llmopsctl user passwd EMAIL [--password-stdin]\n"
    "       llmopsctl user disable EMAIL\n"
    "       llmopsctl user enable EMAIL\n"
    "       llmopsctl user list [ORG] [--format table|csv|json]\n\n"
    "Dashboard users. A viewer reads one organization, an admin too (and\n"
    "will manage it), a superadmin ('*') reads every organization.\n"
    "add and passwd print a one-time password to change at the first login,\n"
    "or read the password from standard input (--password-stdin: then no\n"
    "change is required). Passwords are hashed with yescrypt. passwd and\n"
    "disable end the user's sessions at once.\n";

static const char apikey_usage[] =
    "usage: llmopsctl apikey create ORG [--label L]\n"
    "       llmopsctl apikey list ORG [--format table|csv|json]\n"
    "       llmopsctl apikey revoke ID\n\n"
    "Read-only keys for the JSON API (Authorization: Bearer llk_...). create\n"
    "prints the key once; only its SHA-256 is kept. Behind Apache the header\n"
    "must be passed through (CGIPassAuth On, see etc/apache-llmops.conf).\n";

struct user_opts {
	const char	*role;
	const char	*label;
	int		 stdin_pw;
	enum out_format	 fmt;
};

static int
parse_opts(int argc, char *argv[], const char *usage, struct user_opts *o,
    int *rc)
{
	static const struct option longopts[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "label", required_argument, NULL, 'l' },
		{ "password-stdin", no_argument, NULL, 'p' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int	ch;

	memset(o, 0, sizeof(*o));
	o->fmt = OUT_TABLE;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'r': o->role = optarg; break;
		case 'l': o->label = optarg; break;
		case 'p': o->stdin_pw = 1; break;
		case 'f':
			if (cli_parse_format(optarg, &o->fmt) == 0)
				break;
			*rc = EXIT_USAGE;
			return -1;
		case 'h':
			*rc = cli_usage(usage, EXIT_OK);
			return -1;
		default:
			*rc = cli_usage(usage, EXIT_USAGE);
			return -1;
		}
	}
	return 0;
}

/* The password to set: from stdin, or a new one-time password (printed). */
static int
new_password(int from_stdin, char pw[PASSWORD_MAX_BYTES + 2], int *one_time)
{
	*one_time = !from_stdin;
	if (!from_stdin)
		return password_generate(pw, PASSWORD_GENERATED_BYTES) == 0 ? 0 :
		    cli_error("no randomness for a password");
	if (fgets(pw, PASSWORD_MAX_BYTES + 2, stdin) == NULL)
		return cli_error("no password on standard input");
	pw[strcspn(pw, "\r\n")] = '\0';
	return 0;
}

static int
user_add(struct cli *cli, int argc, char *argv[])
{
	struct user_opts	o;
	struct llmops_err	err;
	struct org		org;
	enum role		role = ROLE_VIEWER;
	char			pw[PASSWORD_MAX_BYTES + 2];
	uint32_t		id = 0;
	int			rc, one_time;

	if (parse_opts(argc, argv, user_usage, &o, &rc) != 0)
		return rc;
	if (argc - optind != 2)
		return cli_usage(user_usage, EXIT_USAGE);
	if (o.role != NULL && role_parse(o.role, &role) != 0) {
		cli_error("--role: viewer, admin or superadmin");
		return EXIT_USAGE;
	}
	if ((strcmp(argv[optind], "*") == 0) != (role == ROLE_SUPERADMIN)) {
		cli_error("a superadmin is added with ORG '*' and --role "
		    "superadmin; viewers and admins to one organization");
		return EXIT_USAGE;
	}
	if (cli_db(cli) != 0)
		return EXIT_ERR;
	err_clear(&err);
	memset(&org, 0, sizeof(org));
	if (role != ROLE_SUPERADMIN &&
	    admin_org_find(&cli->db, argv[optind], &org, &err) != 0)
		return cli_fail(&err);
	if (new_password(o.stdin_pw, pw, &one_time) != 0)
		return EXIT_ERR;
	rc = account_create(&cli->db, cli->actor, org.id, argv[optind + 1], role,
	    pw, one_time, &id, &err);
	if (rc == 0 && one_time) {
		fprintf(stderr, "user %" PRIu32 " (%s) added; the one-time "
		    "password below must be changed at the first login:\n", id,
		    role_name(role));
		printf("%s\n", pw);
	} else if (rc == 0)
		printf("user %" PRIu32 " (%s) added\n", id, role_name(role));
	OPENSSL_cleanse(pw, sizeof(pw));
	return rc == 0 ? EXIT_OK : cli_fail(&err);
}

/* The user named by the one EMAIL operand. */
static int
one_user(struct cli *cli, int argc, char *argv[], struct account *a)
{
	struct llmops_err	err;

	if (argc - optind != 1)
		return cli_usage(user_usage, EXIT_USAGE);
	if (cli_db(cli) != 0)
		return EXIT_ERR;
	err_clear(&err);
	if (account_by_email(&cli->db, argv[optind], a, &err) != 0)
		return err.status == 404 ? cli_error("no user '%s'",
		    argv[optind]) : cli_fail(&err);
	return EXIT_OK;
}

static int
user_passwd(struct cli *cli, int argc, char *argv[])
{
	struct user_opts	o;
	struct llmops_err	err;
	struct account		a;
	char			pw[PASSWORD_MAX_BYTES + 2];
	int			rc, one_time;

	if (parse_opts(argc, argv, user_usage, &o, &rc) != 0)
		return rc;
	if ((rc = one_user(cli, argc, argv, &a)) != EXIT_OK)
		return rc;
	if (new_password(o.stdin_pw, pw, &one_time) != 0)
		return EXIT_ERR;
	err_clear(&err);
	rc = account_set_password(&cli->db, cli->actor, &a, pw, one_time, NULL,
	    &err);
	if (rc == 0 && one_time) {
		fprintf(stderr, "password of %s reset; the one-time password "
		    "below must be changed at the next login:\n", a.email);
		printf("%s\n", pw);
	} else if (rc == 0)
		printf("password of %s set\n", a.email);
	OPENSSL_cleanse(pw, sizeof(pw));
	OPENSSL_cleanse(a.password_hash, sizeof(a.password_hash));
	return rc == 0 ? EXIT_OK : cli_fail(&err);
}

static int
user_set_active(struct cli *cli, int argc, char *argv[], int active)
{
	struct user_opts	o;
	struct llmops_err	err;
	struct account		a;
	int			rc;

	if (parse_opts(argc, argv, user_usage, &o, &rc) != 0)
		return rc;
	if ((rc = one_user(cli, argc, argv, &a)) != EXIT_OK)
		return rc;
	err_clear(&err);
	if (account_set_active(&cli->db, cli->actor, &a, active, &err) != 0)
		return cli_fail(&err);
	printf("%s %s\n", active ? "enabled" : "disabled", a.email);
	return EXIT_OK;
}

static int
user_disable(struct cli *cli, int argc, char *argv[])
{
	return user_set_active(cli, argc, argv, 0);
}

static int
user_enable(struct cli *cli, int argc, char *argv[])
{
	return user_set_active(cli, argc, argv, 1);
}

static int
user_list(struct cli *cli, int argc, char *argv[])
{
	struct user_opts	o;
	struct llmops_err	err;
	struct org		org;
	struct out		out;
	int			rc;

	if (parse_opts(argc, argv, user_usage, &o, &rc) != 0)
		return rc;
	if (argc - optind > 1)
		return cli_usage(user_usage, EXIT_USAGE);
	if (cli_db(cli) != 0)
		return EXIT_ERR;
	err_clear(&err);
	memset(&org, 0, sizeof(org));
	if (argc - optind == 1 &&
	    admin_org_find(&cli->db, argv[optind], &org, &err) != 0)
		return cli_fail(&err);
	out_begin(&out, o.fmt, cli_stdout(cli), user_list_cols,
	    USER_LIST_NCOLS);
	rc = account_list(&cli->db, org.id, out_row_cb, &out, &err);
	if (out_end(&out) != 0 && rc == 0)
		return cli_error("cannot write the output");
	return rc != 0 ? cli_fail(&err) : EXIT_OK;
}

int
cmd_user(struct cli *cli, int argc, char *argv[])
{
	static const struct cli_cmd sub[] = {
		{ "add", user_add, NULL },
		{ "passwd", user_passwd, NULL },
		{ "disable", user_disable, NULL },
		{ "enable", user_enable, NULL },
		{ "list", user_list, NULL },
		{ NULL, NULL, NULL },
	};

	return cli_dispatch(cli, sub, "user", user_usage, argc - 1, argv + 1);
}

static int
apikey_create(struct cli *cli, int argc, char *argv[])
{
	struct user_opts	o;
	struct llmops_err	err;
	struct org		org;
	char			key[APIKEY_GENERATED_BYTES];
	uint32_t		id = 0;
	int			rc;

	if (parse_opts(argc, argv, apikey_usage, &o, &rc) != 0)
		return rc;
	if (argc - optind != 1)
		return cli_usage(apikey_usage, EXIT_USAGE);
	if (cli_db(cli) != 0)
		return EXIT_ERR;
	err_clear(&err);
	if (admin_org_find(&cli->db, argv[optind], &org, &err) != 0 ||
	    apikey_admin_create(&cli->db, cli->actor, org.id, o.label, key, &id,
	    &err) != 0)
		return cli_fail(&err);
	fprintf(stderr, "API key %" PRIu32 " for organization %s (read-only); "
	    "it is shown only now:\n", id, org.name);
	printf("%s\n", key);
	OPENSSL_cleanse(key, sizeof(key));
	return EXIT_OK;
}

static int
apikey_list(struct cli *cli, int argc, char *argv[])
{
	struct user_opts	o;
	struct llmops_err	err;
	struct org		org;
	struct out		out;
	int			rc;

	if (parse_opts(argc, argv, apikey_usage, &o, &rc) != 0)
		return rc;
	if (argc - optind != 1)
		return cli_usage(apikey_usage, EXIT_USAGE);
	if (cli_db(cli) != 0)
		return EXIT_ERR;
	err_clear(&err);
	if (admin_org_find(&cli->db, argv[optind], &org, &err) != 0)
		return cli_fail(&err);
	out_begin(&out, o.fmt, cli_stdout(cli), apikey_cols, APIKEY_NCOLS);
	rc = apikey_admin_list(&cli->db, org.id, out_row_cb, &out, &err);
	if (out_end(&out) != 0 && rc == 0)
		return cli_error("cannot write the output");
	return rc != 0 ? cli_fail(&err) : EXIT_OK;
}

static int
apikey_revoke(struct cli *cli, int argc, char *argv[])
{
	struct user_opts	o;
	struct llmops_err	err;
	unsigned		id;
	int			rc;

	if (parse_opts(argc, argv, apikey_usage, &o, &rc) != 0)
		return rc;
	if (argc - optind != 1)
		return cli_usage(apikey_usage, EXIT_USAGE);
	if (cli_parse_id(argv[optind], &id) != 0) {
		cli_error("the key id must be a positive number");
		return EXIT_USAGE;
	}
	if (cli_db(cli) != 0)
		return EXIT_ERR;
	err_clear(&err);
	if (apikey_admin_revoke(&cli->db, cli->actor, id, &err) != 0)
		return cli_fail(&err);
	printf("revoked API key %u\n", id);
	return EXIT_OK;
}

int
cmd_apikey(struct cli *cli, int argc, char *argv[])
{
	static const struct cli_cmd sub[] = {
		{ "create", apikey_create, NULL },
		{ "list", apikey_list, NULL },
		{ "revoke", apikey_revoke, NULL },
		{ NULL, NULL, NULL },
	};

	return cli_dispatch(cli, sub, "apikey", apikey_usage, argc - 1,
	    argv + 1);
}
