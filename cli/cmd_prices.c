/* llmopsctl prices: the price table and organization overrides. */
#include "config.h"

#include <fnmatch.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "admin.h"
#include "cli.h"
#include "db_price.h"
#include "decimal.h"
#include "fileio.h"
#include "output.h"
#include "price_db.h"
#include "price_import.h"
#include "timeargs.h"
#include "timefmt.h"

static const char usage_text[] =
    "usage: llmopsctl prices import FILE [--from T] [--sql]\n"
    "       llmopsctl prices list [PATTERN] [--org ORG] [--at T | --all]\n"
    "         [--format table|csv|json]\n"
    "       llmopsctl prices set MODEL --input X --output Y [--cache-read X]\n"
    "         [--cache-write X] [--cache-write-1h X] [--reasoning X]\n"
    "         [--tier ABOVE:RATE=X[,RATE=X...]] [--provider P] [--per-mtok]\n"
    "         [--org ORG] [--from T] [--to T]\n"
    "       llmopsctl prices set MODEL|'*' --org ORG --discount PCT [--from T]\n"
    "         [--to T]\n\n"
    "Prices are USD per token (LiteLLM's unit) unless --per-mtok: USD per\n"
    "million tokens. `list` shows them per million tokens.\n"
    "import  reads LiteLLM's price table (model_prices_and_context_window.json)\n"
    "        into the default table from --from (default: now); unchanged\n"
    "        models are skipped. --sql prints a seed migration instead.\n"
    "list    prices in effect at --at (default: now), or --all of them;\n"
    "        PATTERN is a shell glob or a substring of the model name.\n"
    "set     adds a price from --from (default: now), closing the one it\n"
    "        replaces. With --org it is that organization's override; with\n"
    "        --discount a percentage off the default table, for one model or\n"
    "        '*' (every model). Tier rates apply above ABOVE prompt tokens.\n"
    "Changed prices reach the responders within cost.reload_seconds; run\n"
    "`llmopsctl reprice` to recompute stored events.\n"
    TIMEARGS_HELP;

#define PRICES_NCOLS	14

static const struct report_col price_cols[PRICES_NCOLS] = {
	{ "id", COL_INT },
	{ "org", COL_TEXT },
	{ "model", COL_TEXT },
	{ "provider", COL_TEXT },
	{ "input_per_mtok", COL_DECIMAL },
	{ "output_per_mtok", COL_DECIMAL },
	{ "cache_read_per_mtok", COL_DECIMAL },
	{ "cache_write_per_mtok", COL_DECIMAL },
	{ "cache_write_1h_per_mtok", COL_DECIMAL },
	{ "reasoning_per_mtok", COL_DECIMAL },
	{ "tiers", COL_TEXT },
	{ "discount_pct", COL_DECIMAL },
	{ "from", COL_TIME_US },
	{ "to", COL_TIME_US },
};

/* Option values shared by the subcommands. */
struct prices_opts {
	const char	*org;
	const char	*provider;
	const char	*discount;
	const char	*rates[RATE__MAX];
	const char	*tiers[PRICE_TIERS_MAX];
	size_t		 ntiers;
	int		 per_mtok;
	int		 sql;
	int		 all;
	struct timeargs	 ta;		/* since = from/at, until = to */
	int		 have_from, have_to;
	enum out_format	 fmt;
};

static int
parse_opts(int argc, char *argv[], struct prices_opts *o, int *rc)
{
	static const struct option longopts[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "output", required_argument, NULL, 'o' },
		{ "cache-read", required_argument, NULL, 'r' },
		{ "cache-write", required_argument, NULL, 'w' },
		{ "cache-write-1h", required_argument, NULL, 'W' },
		{ "reasoning", required_argument, NULL, 'R' },
		{ "tier", required_argument, NULL, 'T' },
		{ "provider", required_argument, NULL, 'p' },
		{ "per-mtok", no_argument, NULL, 'M' },
		{ "discount", required_argument, NULL, 'd' },
		{ "org", required_argument, NULL, 'O' },
		{ "from", required_argument, NULL, 'f' },
		{ "at", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "all", no_argument, NULL, 'a' },
		{ "sql", no_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int	ch;

	memset(o, 0, sizeof(*o));
	timeargs_init(&o->ta);
	o->ta.since_us = time_now_us();
	o->fmt = OUT_TABLE;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'i': o->rates[RATE_INPUT] = optarg; break;
		case 'o': o->rates[RATE_OUTPUT] = optarg; break;
		case 'r': o->rates[RATE_CACHE_READ] = optarg; break;
		case 'w': o->rates[RATE_CACHE_WRITE] = optarg; break;
		case 'W': o->rates[RATE_CACHE_WRITE_1H] = optarg; break;
		case 'R': o->rates[RATE_REASONING] = optarg; break;
		case 'T':
			if (o->ntiers == PRICE_TIERS_MAX) {
				cli_error("at most %d --tier options",
				    PRICE_TIERS_MAX);
				goto usage;
			}
			o->tiers[o->ntiers++] = optarg;
			break;
		case 'p': o->provider = optarg; break;
		case 'M': o->per_mtok = 1; break;
		case 'd': o->discount = optarg; break;
		case 'O': o->org = optarg; break;
		case 'a': o->all = 1; break;
		case 's': o->sql = 1; break;
		case 'f':
		case 't':
			if (timeargs_set(&o->ta, ch == 't', optarg) != 0)
				goto usage;
			if (ch == 'f')
				o->have_from = 1;
			else
				o->have_to = 1;
			break;
		case 'F':
			if (cli_parse_format(optarg, &o->fmt) != 0)
				goto usage;
			break;
		case 'h':
			*rc = cli_usage(usage_text, EXIT_OK);
			return -1;
		default:
			*rc = cli_usage(usage_text, EXIT_USAGE);
			return -1;
		}
	}
	return 0;
usage:
	*rc = EXIT_USAGE;
	return -1;
}

/* A rate given on the command line, per token or per million tokens. */
static int
parse_rate(const char *text, int per_mtok, int64_t *out)
{
	/* Per million tokens at scale 12 is per token at scale 18. */
	return decimal_parse(text, per_mtok ? PRICE_SCALE_DIGITS - 6 :
	    PRICE_SCALE_DIGITS, INT64_MAX, out) != 0 || *out < 0 ? -1 : 0;
}

static int
rate_by_name(const char *s, size_t n, enum price_rate *r)
{
	int	i;

	for (i = 0; i < RATE_REASONING; i++)
		if (strlen(price_rate_name(i)) == n &&
		    strncmp(s, price_rate_name(i), n) == 0) {
			*r = (enum price_rate)i;
			return 0;
		}
	return -1;
}

/* "200000:input=6e-6,output=2.25e-5" into a tier of p. */
static int
parse_tier(const char *arg, int per_mtok, struct price *p)
{
	struct price_tier	*t = &p->tiers[p->ntiers];
	const char		*s;
	char			*end, num[64];
	enum price_rate		 r;
	int64_t			 v;
	size_t			 n;

	memset(t, 0, sizeof(*t));
	t->above_tokens = strtoll(arg, &end, 10);
	if (end == arg || *end != ':' || t->above_tokens <= 0 ||
	    t->above_tokens > LIMIT_TOKENS_MAX)
		return -1;
	for (s = end + 1; *s != '\0';) {
		n = strcspn(s, "=");
		if (s[n] != '=' || rate_by_name(s, n, &r) != 0)
			return -1;
		s += n + 1;
		n = strcspn(s, ",");
		if (n == 0 || n >= sizeof(num))
			return -1;
		memcpy(num, s, n);
		num[n] = '\0';
		if (parse_rate(num, per_mtok, &v) != 0)
			return -1;
		price_rate_set(&t->rates, r, v);
		s += n;
		if (*s == ',')
			s++;
	}
	if (t->rates.present == 0)
		return -1;
	p->ntiers++;
	return 0;
}

static int
prices_import(struct cli *cli, int argc, char *argv[])
{
	struct prices_opts	 o;
	struct price_import_stats st;
	struct price_set	 in;
	struct llmops_err	 err;
	const char		*base;
	char			*text = NULL;
	size_t			 len, added = 0, same = 0;
	int			 rc;

	if (parse_opts(argc, argv, &o, &rc) != 0)
		return rc;
	if (argc - optind != 1)
		return cli_usage(usage_text, EXIT_USAGE);
	err_clear(&err);
	price_set_init(&in);
	if (fileio_read(argv[optind], PRICE_IMPORT_MAX_BYTES, &text, &len,
	    &err) != 0)
		return cli_fail(&err);
	/* A seed applies from the beginning of time. */
	rc = price_import_json(text, len, o.sql && !o.have_from ? 0 :
	    o.ta.since_us, &in, &st, &err);
	free(text);
	if (rc != 0) {
		rc = cli_fail(&err);
		goto out;
	}
	if (o.sql) {
		base = strrchr(argv[optind], '/');
		printf("-- %zu priced models of %zu in %s\n", st.priced,
		    st.entries, base ? base + 1 : argv[optind]);
		rc = db_price_write_seed(&in, stdout) == 0 ? EXIT_OK :
		    cli_error("cannot write the SQL");
		goto out;
	}
	if (cli_db(cli) != 0) {
		rc = EXIT_ERR;
		goto out;
	}
	if (price_db_import(&cli->db, cli->actor, &in, argv[optind], &added,
	    &same, &err) != 0) {
		rc = cli_fail(&err);
		goto out;
	}
	printf("imported %zu prices (%zu unchanged, %zu models without a "
	    "per-token price, %zu invalid) from %s\n", added, same, st.skipped,
	    st.invalid, argv[optind]);
	rc = EXIT_OK;
out:
	price_set_release(&in);
	return rc;
}

/* Per million tokens, trimmed: "2.5". */
static void
per_mtok(const struct price_rates *r, enum price_rate f, char *buf, size_t sz)
{
	if (!RATE_HAS(r, f) || decimal_format_short(r->v[f],
	    PRICE_SCALE_DIGITS - 6, buf, sz) != 0)
		buf[0] = '\0';
}

static void
tiers_text(const struct price *p, char *buf, size_t sz)
{
	char	num[48];
	size_t	o = 0, i;
	int	k, n;

	buf[0] = '\0';
	for (i = 0; i < p->ntiers; i++) {
		n = snprintf(buf + o, sz - o, "%s>%lld:", i ? " " : "",
		    (long long)p->tiers[i].above_tokens);
		if (n < 0 || (size_t)n >= sz - o)
			return;
		o += (size_t)n;
		for (k = 0; k < RATE_REASONING; k++) {
			per_mtok(&p->tiers[i].rates, (enum price_rate)k, num,
			    sizeof(num));
			if (*num == '\0')
				continue;
			n = snprintf(buf + o, sz - o, "%s%s=%s",
			    buf[o - 1] == ':' ? "" : ",", price_rate_name(k), num);
			if (n < 0 || (size_t)n >= sz - o)
				return;
			o += (size_t)n;
		}
	}
}

/* Organization names for the org column of `prices list`. */
struct org_names {
	struct org	*o;
	size_t		 n;
};

static int
remember_org(const struct org *o, void *arg)
{
	struct org_names	*names = arg;
	struct org		*p;

	if ((p = reallocarray(names->o, names->n + 1, sizeof(*p))) == NULL)
		return -1;
	names->o = p;
	names->o[names->n++] = *o;
	return 0;
}

static const char *
org_name(const struct org_names *names, uint32_t id)
{
	size_t	i;

	if (id == 0)
		return "default";
	for (i = 0; i < names->n; i++)
		if (names->o[i].id == id)
			return names->o[i].name;
	return "?";
}

static int
pattern_match(const char *pattern, const char *model)
{
	if (pattern == NULL)
		return 1;
	if (strpbrk(pattern, "*?[") != NULL)
		return fnmatch(pattern, model, 0) == 0;
	return strstr(model, pattern) != NULL;
}

static int
prices_list(struct cli *cli, int argc, char *argv[])
{
	struct prices_opts	 o;
	struct price_set	 set;
	struct llmops_err	 err;
	struct org		 org;
	struct out		 out;
	const struct price	*p;
	const char		*pattern, *vals[PRICES_NCOLS];
	struct org_names	 names = { NULL, 0 };
	char			 id[16], rates[RATE__MAX][48];
	char			 tiers[512], disc[32], from[24], to[24];
	size_t			 i;
	int			 rc, k;

	if (parse_opts(argc, argv, &o, &rc) != 0)
		return rc;
	if (argc - optind > 1)
		return cli_usage(usage_text, EXIT_USAGE);
	pattern = argc - optind == 1 ? argv[optind] : NULL;
	if (cli_db(cli) != 0)
		return EXIT_ERR;
	err_clear(&err);
	memset(&org, 0, sizeof(org));
	if (o.org != NULL && admin_org_find(&cli->db, o.org, &org, &err) != 0)
		return cli_fail(&err);
	if (admin_org_list(&cli->db, remember_org, &names, &err) != 0 ||
	    price_db_load(&cli->db, &set, &err) != 0) {
		free(names.o);
		return cli_fail(&err);
	}
	out_begin(&out, o.fmt, cli_stdout(cli), price_cols, PRICES_NCOLS);
	for (i = 0; i < set.n; i++) {
		p = &set.p[i];
		if (!pattern_match(pattern, p->model) ||
		    (o.org != NULL && p->org_id != org.id) ||
		    (!o.all && (o.ta.since_us < p->from_us ||
		    o.ta.since_us >= p->to_us)))
			continue;
		snprintf(id, sizeof(id), "%" PRIu32, p->id);
		for (k = 0; k < RATE__MAX; k++)
			per_mtok(&p->rates, (enum price_rate)k, rates[k],
			    sizeof(rates[k]));
		tiers_text(p, tiers, sizeof(tiers));
		if (!p->has_discount || decimal_format_short(p->discount_ppm, 4,
		    disc, sizeof(disc)) != 0)
			disc[0] = '\0';
		snprintf(from, sizeof(from), "%lld", (long long)p->from_us);
		snprintf(to, sizeof(to), "%lld", (long long)p->to_us);
		vals[0] = id;
		vals[1] = org_name(&names, p->org_id);
		vals[2] = p->model;
		vals[3] = p->provider;
		for (k = 0; k < RATE__MAX; k++)
			vals[4 + k] = *rates[k] ? rates[k] : NULL;
		vals[10] = *tiers ? tiers : NULL;
		vals[11] = *disc ? disc : NULL;
		vals[12] = p->from_us != 0 ? from : NULL;
		vals[13] = p->to_us == PRICE_OPEN_END ? NULL : to;
		if (out_row(&out, vals) != 0)
			break;
	}
	price_set_release(&set);
	free(names.o);
	return out_end(&out) != 0 ? cli_error("cannot write the output") : EXIT_OK;
}

/* What the audit log says of a price: its rates per million tokens. */
static struct json_object *
price_details(const struct price *p)
{
	struct json_object	*o = json_object_new_object();
	char			 num[48], iso[TIME_ISO_BYTES];
	int			 k;

	for (k = 0; k < RATE__MAX; k++) {
		per_mtok(&p->rates, (enum price_rate)k, num, sizeof(num));
		if (*num != '\0')
			json_object_object_add(o, price_rate_name(k),
			    json_object_new_string(num));
	}
	if (p->has_discount && decimal_format_short(p->discount_ppm, 4, num,
	    sizeof(num)) == 0)
		json_object_object_add(o, "discount_pct",
		    json_object_new_string(num));
	if (p->ntiers > 0) {
		tiers_text(p, num, sizeof(num));
		json_object_object_add(o, "tiers", json_object_new_string(num));
	}
	time_format_iso_sec(p->from_us, iso);
	json_object_object_add(o, "from", json_object_new_string(iso));
	return o;
}

/* The price `set` describes, from the options. */
static int
build_price(const struct prices_opts *o, const char *model, uint32_t org_id,
    struct price *p)
{
	size_t	i;
	int	k;

	p->org_id = org_id;
	p->from_us = o->ta.since_us;
	p->to_us = o->have_to ? o->ta.until_us : PRICE_OPEN_END;
	if (p->to_us <= p->from_us)
		return cli_error("--to must be after --from");
	if ((p->model = strdup(model)) == NULL ||
	    (o->provider && (p->provider = strdup(o->provider)) == NULL))
		return cli_error("out of memory");
	if (strlen(model) == 0 || strlen(model) > LIMIT_MODEL_BYTES)
		return cli_error("model names are 1 to %d bytes", LIMIT_MODEL_BYTES);
	if (o->discount != NULL) {
		for (k = 0; k < RATE__MAX; k++)
			if (o->rates[k] != NULL)
				return cli_error("--discount replaces the rates; "
				    "give one or the other");
		if (org_id == 0)
			return cli_error("--discount needs --org");
		if (decimal_parse(o->discount, 4, PRICE_PPM, &p->discount_ppm) != 0 ||
		    p->discount_ppm < 0)
			return cli_error("--discount: a percentage from 0 to 100");
		p->has_discount = 1;
		return 0;
	}
	if (strcmp(model, PRICE_ANY_MODEL) == 0)
		return cli_error("'*' only takes a --discount");
	for (k = 0; k < RATE__MAX; k++) {
		int64_t	v;

		if (o->rates[k] == NULL)
			continue;
		if (parse_rate(o->rates[k], o->per_mtok, &v) != 0)
			return cli_error("--%s: not a price: '%s'",
			    price_rate_name(k), o->rates[k]);
		price_rate_set(&p->rates, (enum price_rate)k, v);
	}
	if (!RATE_HAS(&p->rates, RATE_INPUT) || !RATE_HAS(&p->rates, RATE_OUTPUT))
		return cli_error("a price needs --input and --output");
	for (i = 0; i < o->ntiers; i++)
		if (parse_tier(o->tiers[i], o->per_mtok, p) != 0)
			return cli_error("--tier: ABOVE:RATE=X[,RATE=X...], not "
			    "'%s'", o->tiers[i]);
	if (price_sort_tiers(p) != 0)
		return cli_error("two --tier options with the same threshold");
	return 0;
}

static int
prices_set(struct cli *cli, int argc, char *argv[])
{
	struct prices_opts	o;
	struct llmops_err	err;
	struct org		org;
	struct price		p;
	char			from[TIME_ISO_BYTES];
	int			rc;

	if (parse_opts(argc, argv, &o, &rc) != 0)
		return rc;
	if (argc - optind != 1)
		return cli_usage(usage_text, EXIT_USAGE);
	memset(&org, 0, sizeof(org));
	memset(&p, 0, sizeof(p));
	if (cli_db(cli) != 0)
		return EXIT_ERR;
	err_clear(&err);
	if (o.org != NULL && admin_org_find(&cli->db, o.org, &org, &err) != 0)
		return cli_fail(&err);
	if (build_price(&o, argv[optind], org.id, &p) != 0) {
		price_release(&p);
		return EXIT_USAGE;
	}
	if (price_db_set(&cli->db, cli->actor, &p, price_details(&p),
	    &err) != 0) {
		price_release(&p);
		return cli_fail(&err);
	}
	time_format_iso_sec(p.from_us, from);
	printf("%s %" PRIu32 " for %s (%s) from %s\n", p.has_discount ?
	    "discount" : "price", p.id, p.model, org.id ? org.name : "default",
	    from);
	price_release(&p);
	return EXIT_OK;
}

int
cmd_prices(struct cli *cli, int argc, char *argv[])
{
	static const struct cli_cmd sub[] = {
		{ "import", prices_import, NULL },
		{ "list", prices_list, NULL },
		{ "set", prices_set, NULL },
		{ NULL, NULL, NULL },
	};

	return cli_dispatch(cli, sub, "prices", usage_text, argc - 1, argv + 1);
}
