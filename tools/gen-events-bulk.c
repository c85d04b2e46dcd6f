/*
 * tools/gen-events-bulk: the generator and bulk loader behind
 * tools/gen-events (which creates the organizations and their tokens with
 * llmopsctl, runs this, then `llmopsctl rollups rebuild`). It writes N
 * synthetic LiteLLM events of the named organizations straight into
 * usage_event_rows with LOAD DATA LOCAL INFILE, streamed from memory (no
 * file), their labels made first by the product's db_label_make(), and the
 * dimension values they use into dimension_values through the product's
 * own db_dimension_record(). It never writes a rollup table: the
 * rebuild computes them with the product's code.
 *
 *   gen-events-bulk -c CONF -o ORG [-o ORG ...] [-n EVENTS] [--days D]
 *       [--end-us US] [--seed S] [--departments N] [--teams N] [--agents N]
 *       [--models N] [--chunk ROWS]
 *
 * What the events look like (all drawn from one seeded generator, so the
 * same seed, end and counts give the same events):
 *   - every agent belongs to one team, every team to one department;
 *   - agents and models are Zipf-distributed (a few take most of the calls,
 *     and the expensive popular models most of the spend); each agent has a
 *     model it uses for most of its calls; organizations are skewed too;
 *   - the calls follow a daily cycle (a peak at 14:00 UTC, quieter
 *     weekends) with noise, and a few bursts of one agent on one model
 *     (one to three hours at three to six times the rate, with more
 *     rate-limit failures);
 *   - about 2% failures with LiteLLM's error classes and codes;
 *   - log-normal prompt and completion sizes, cache reads and writes,
 *     reasoning tokens for the reasoning models; latency is time to first
 *     token (log-normal per model) plus the completion at the model's
 *     speed; streams (about 40% of chat calls) carry the time to first
 *     token;
 *   - models of schema/003_price_seed.sql, priced by the product's own
 *     pricing_apply() with the price table in the database and the
 *     configuration's cost.prefer, as the loader prices them; LiteLLM's
 *     cost equals ours for those, and a few models are absent from the
 *     price table (one with a LiteLLM cost, the others unpriced).
 *
 * Dedupe keys are the run's start time (8 bytes) and a counter (8 bytes),
 * big-endian: every key is new (a second run adds events rather than
 * colliding) and each organization's keys grow, as do occurred_us and
 * the id, so every index of usage_events is appended to instead of split
 * at random places. Real keys are hashes (lib/event_key.h) and arrive in
 * random order; loading them would be slower, not the read path measured.
 *
 * At the end it prints one line "GEN {json}": events, seconds and events
 * per second of the generation and load, per organization. Built by `make
 * check` (tests/it_gen_events.py) and by tools/bench; never installed.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mysql.h>

#include "admin.h"
#include "conf.h"
#include "db.h"
#include "db_event.h"
#include "db_label.h"
#include "db_token.h"
#include "event.h"
#include "log.h"
#include "price.h"
#include "price_db.h"
#include "pricing.h"
#include "timefmt.h"

#define GEN_ORGS_MAX		16
#define GEN_DIMS		5	/* department, team, agent, model, provider */
#define GEN_COUNT_MAX		100000	/* departments, teams, agents, models */
#define GEN_NAME_BYTES		64
#define GEN_STAGE_BYTES		(1 << 20)
#define GEN_ROW_BYTES		1024	/* one row as text, at most */
#define GEN_HOUR_US		(3600LL * 1000000)
#define GEN_PICO		1000000000000LL
#define GEN_JOBS_MAX		16

/* xoshiro256**, seeded by splitmix64. */
struct rng {
	uint64_t	s[4];
	int		have_normal;
	double		normal;
};

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t	z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void
rng_seed(struct rng *r, uint64_t seed)
{
	int	i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
	r->have_normal = 0;
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t
rng_next(struct rng *r)
{
	uint64_t	res = rotl(r->s[1] * 5, 7) * 9, t = r->s[1] << 17;

	r->s[2] ^= r->s[0];
	r->s[3] ^= r->s[1];
	r->s[1] ^= r->s[2];
	r->s[0] ^= r->s[3];
	r->s[2] ^= t;
	r->s[3] = rotl(r->s[3], 45);
	return res;
}

/* Uniform in [0, 1). */
static double
rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

static double
rng_normal(struct rng *r)
{
	double	u, v;

	if (r->have_normal) {
		r->have_normal = 0;
		return r->normal;
	}
	u = 1.0 - rng_unit(r);
	v = rng_unit(r);
	r->normal = sqrt(-2.0 * log(u)) * sin(2 * M_PI * v);
	r->have_normal = 1;
	return sqrt(-2.0 * log(u)) * cos(2 * M_PI * v);
}

/* Log-normal with this median and sigma. */
static double
rng_lognormal(struct rng *r, double median, double sigma)
{
	return median * exp(sigma * rng_normal(r));
}

/* A Zipf-like distribution over n items: cdf[i] = sum_{j<=i} 1/(j+1)^s. */
struct zipf {
	double	*cdf;
	size_t	 n;
};

static int
zipf_init(struct zipf *z, size_t n, double s)
{
	double	sum = 0;
	size_t	i;

	if ((z->cdf = calloc(n, sizeof(*z->cdf))) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		z->cdf[i] = sum += pow((double)(i + 1), -s);
	z->n = n;
	return 0;
}

static size_t
zipf_draw(const struct zipf *z, struct rng *r)
{
	double	u = rng_unit(r) * z->cdf[z->n - 1];
	size_t	lo = 0, hi = z->n - 1, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (z->cdf[mid] > u)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/*
 * The models, most called first. ttft: median time to first token (ms);
 * tps: completion tokens per second; kind: chat, reasoning or embedding;
 * litellm_pico: LiteLLM's cost per 1000 tokens for a model absent from
 * our price table (0: LiteLLM reports 0, so the call is unpriced).
 */
enum model_kind { MODEL_CHAT, MODEL_REASONING, MODEL_EMBEDDING };

struct model_spec {
	const char	*name;
	const char	*provider;
	enum model_kind	 kind;
	int		 cache;		/* prompt caching: reads (and writes) */
	double		 ttft_ms;
	double		 tps;
	int64_t		 litellm_pico;
};

static const struct model_spec model_specs[] = {
	{ "claude-sonnet-4-20250514", "anthropic", MODEL_CHAT, 2, 900, 60, -1 },
	{ "gpt-4o", "openai", MODEL_CHAT, 1, 450, 90, -1 },
	{ "gpt-4.1", "openai", MODEL_CHAT, 1, 500, 80, -1 },
	{ "gpt-4o-mini", "openai", MODEL_CHAT, 1, 350, 120, -1 },
	{ "claude-3-5-sonnet-20241022", "anthropic", MODEL_CHAT, 2, 850, 65, -1 },
	{ "text-embedding-3-small", "openai", MODEL_EMBEDDING, 0, 120, 0, -1 },
	{ "gemini/gemini-2.5-flash", "gemini", MODEL_CHAT, 0, 400, 150, -1 },
	{ "claude-opus-4-20250514", "anthropic", MODEL_CHAT, 2, 1500, 35, -1 },
	{ "gpt-4.1-mini", "openai", MODEL_CHAT, 1, 380, 110, -1 },
	{ "o3", "openai", MODEL_REASONING, 1, 4000, 70, -1 },
	{ "claude-3-5-haiku-20241022", "anthropic", MODEL_CHAT, 2, 500, 100, -1 },
	{ "acme/llama-3-70b-ft", "hosted_vllm", MODEL_CHAT, 0, 300, 70, 0 },
	{ "gemini/gemini-2.5-pro", "gemini", MODEL_REASONING, 0, 2500, 80, -1 },
	{ "o4-mini", "openai", MODEL_REASONING, 1, 2000, 120, -1 },
	{ "gpt-5", "openai", MODEL_REASONING, 1, 3000, 70, -1 },
	{ "claude-sonnet-4-5-20250929", "anthropic", MODEL_CHAT, 2, 900, 60, -1 },
	{ "text-embedding-3-large", "openai", MODEL_EMBEDDING, 0, 150, 0, -1 },
	{ "mistral/mistral-large-latest", "mistral", MODEL_CHAT, 0, 600, 60, -1 },
	{ "deepseek/deepseek-chat", "deepseek", MODEL_CHAT, 0, 900, 40, -1 },
	{ "gpt-5-mini", "openai", MODEL_REASONING, 1, 1500, 110, -1 },
	{ "claude-haiku-4-5-20251001", "anthropic", MODEL_CHAT, 2, 450, 110, -1 },
	{ "azure/acme-gpt4o-eu", "azure", MODEL_CHAT, 0, 500, 85, 4000000000LL },
	{ "groq/llama-3.3-70b-versatile", "groq", MODEL_CHAT, 0, 150, 280, -1 },
	{ "gemini/gemini-2.0-flash", "gemini", MODEL_CHAT, 0, 350, 170, -1 },
	{ "deepseek/deepseek-reasoner", "deepseek", MODEL_REASONING, 0, 3000, 35, -1 },
	{ "o3-mini", "openai", MODEL_REASONING, 1, 1800, 120, -1 },
	{ "gpt-4.1-nano", "openai", MODEL_CHAT, 1, 250, 160, -1 },
	{ "mistral/mistral-small-latest", "mistral", MODEL_CHAT, 0, 300, 130, -1 },
	{ "internal/qwen2.5-coder-32b", "hosted_vllm", MODEL_CHAT, 0, 250, 90, 0 },
	{ "gpt-5-nano", "openai", MODEL_REASONING, 1, 900, 150, -1 },
};
#define MODEL_SPECS	(sizeof(model_specs) / sizeof(model_specs[0]))

static const char *const dept_words[] = {
	"engineering", "research", "sales", "support", "marketing", "finance",
	"legal", "people", "operations", "data", "security", "product",
	"design", "platform", "infrastructure", "mobile", "growth", "it",
	"compliance", "procurement",
};
static const char *const team_words[] = {
	"core", "search", "billing", "onboarding", "analytics", "tooling",
	"insights", "automation", "quality", "apps",
};
static const char *const agent_words[] = {
	"triage-bot", "summarizer", "code-review", "sql-helper", "doc-writer",
	"crawler", "classifier", "chat-assistant", "extractor", "planner",
	"translator", "qa-agent",
};
#define NWORDS(a)	(sizeof(a) / sizeof((a)[0]))

/* LiteLLM's error classes, with their codes and relative frequency. */
static const struct {
	const char	*class, *code;
	double		 weight;
	double		 latency_ms;	/* median time until it failed */
} error_specs[] = {
	{ "RateLimitError", "429", 40, 300 },
	{ "APIConnectionError", "500", 12, 2000 },
	{ "InternalServerError", "500", 10, 1500 },
	{ "ServiceUnavailableError", "503", 10, 800 },
	{ "Timeout", "408", 8, 60000 },
	{ "BadRequestError", "400", 10, 200 },
	{ "ContextWindowExceededError", "400", 5, 250 },
	{ "ContentPolicyViolationError", "400", 3, 600 },
	{ "AuthenticationError", "401", 2, 100 },
};
#define ERROR_SPECS	(sizeof(error_specs) / sizeof(error_specs[0]))

struct model {
	char			*name;		/* owned */
	const char		*provider;
	size_t			 provider_ix;
	enum model_kind		 kind;
	int			 cache;
	double			 ttft_ms, tps;
	int64_t			 litellm_pico;
};

struct burst {
	size_t	hour, hours;
	double	factor;
	size_t	agent, model;
};

struct org_gen {
	char		*name;		/* borrowed from argv */
	uint32_t	 id, token_id;
	uint64_t	 events;
};

/*
 * What one loading thread generates: the hours [hour, hour_end), on a
 * connection of its own. Each hour has a generator seeded by the seed and
 * the hour, and its events' counters start at the events of the hours
 * before, so the events do not depend on how the hours are divided.
 */
struct part {
	struct gen	*g;
	pthread_t	 thread;
	MYSQL		*my;
	struct rng	 r;
	size_t		 hour, hour_end;
	uint64_t	 in_hour, counter, todo;
	/* Per organization: events, and when each value was first used. */
	uint64_t	 events[GEN_ORGS_MAX];
	int64_t		*first_us[GEN_ORGS_MAX][GEN_DIMS];	/* 0: not seen */
	/* The rows of the current LOAD DATA. */
	uint64_t	 chunk_left;
	char		*stage;
	size_t		 stage_len, stage_off;
	int		 failed;
	char		 msg[256];
};

struct gen {
	/* Options. */
	uint64_t	 n;
	unsigned	 days;
	int64_t		 end_us;
	uint64_t	 seed;
	size_t		 ndept, nteam, nagent, nmodel;
	uint64_t	 chunk;

	struct org_gen	 orgs[GEN_ORGS_MAX];
	size_t		 norgs;
	char		(*dept)[GEN_NAME_BYTES];
	char		(*team)[GEN_NAME_BYTES];
	char		(*agent)[GEN_NAME_BYTES];
	size_t		*team_dept, *agent_team, *agent_model;
	struct model	*models;
	const char	*providers[MODEL_SPECS + 1];
	size_t		 nprov;
	struct zipf	 z_agent, z_model, z_org, z_error;
	struct burst	*bursts;
	size_t		 nbursts;

	const struct price_set	*prices;
	enum cost_prefer	 prefer;
	const struct conf_db	*dbconf;

	struct rng	 r;		/* the set-up's: names, bursts, hours */
	size_t		 hours;
	uint64_t	*per_hour;
	int64_t		 start_us, run_us;
	size_t		 nvals[GEN_DIMS];
	/* Label ids (lib/db_label.h): of each value of each dimension, of
	 * the models as model groups, of the two call types, and of the
	 * error classes and codes (by error_specs). */
	uint32_t	*lid[GEN_DIMS];
	uint32_t	*group_lid;
	uint32_t	 call_lid[2];
	uint32_t	 class_lid[ERROR_SPECS], code_lid[ERROR_SPECS];
	size_t		 jobs;
};

/* --- text of a row ----------------------------------------------------------- */

static char *
put_str(char *p, const char *s)
{
	if (s == NULL) {
		*p++ = '\\';
		*p++ = 'N';
		return p;
	}
	while (*s != '\0')
		*p++ = *s++;
	return p;
}

static char *
put_u64(char *p, uint64_t v)
{
	char	tmp[24];
	size_t	n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n > 0)
		*p++ = tmp[--n];
	return p;
}

static char *
put_num(char *p, const struct usage_event *e, enum event_num f)
{
	if (!EVENT_HAS(e, f))
		return put_str(p, NULL);
	return put_u64(p, (uint64_t)e->num[f]);
}

/* A cost of 1e-12 USD units as DECIMAL text. */
static char *
put_cost(char *p, const struct usage_event *e, enum event_num f)
{
	uint64_t	v, frac;
	int		i;

	if (!EVENT_HAS(e, f))
		return put_str(p, NULL);
	v = (uint64_t)e->num[f];
	p = put_u64(p, v / GEN_PICO);
	*p++ = '.';
	frac = v % GEN_PICO;
	for (i = 11; i >= 0; i--) {
		p[i] = (char)('0' + frac % 10);
		frac /= 10;
	}
	return p + 12;
}

static char *
put_hex(char *p, const unsigned char *b, size_t n)
{
	static const char	hex[] = "0123456789abcdef";
	size_t			i;

	for (i = 0; i < n; i++) {
		*p++ = hex[b[i] >> 4];
		*p++ = hex[b[i] & 15];
	}
	return p;
}

/* A UUID-shaped id of 128 random bits, after prefix. */
static char *
put_uuid(char *p, struct rng *r, const char *prefix)
{
	unsigned char	b[16];
	uint64_t	x = rng_next(r), y = rng_next(r);
	int		i;

	for (i = 0; i < 8; i++) {
		b[i] = (unsigned char)(x >> (8 * i));
		b[8 + i] = (unsigned char)(y >> (8 * i));
	}
	p = put_str(p, prefix);
	p = put_hex(p, b, 4);
	*p++ = '-';
	p = put_hex(p, b + 4, 2);
	*p++ = '-';
	p = put_hex(p, b + 6, 2);
	*p++ = '-';
	p = put_hex(p, b + 8, 2);
	*p++ = '-';
	return put_hex(p, b + 10, 6);
}

/* --- one event --------------------------------------------------------------- */

static uint64_t
clamp_tokens(double v, uint64_t lo, uint64_t hi)
{
	if (v < (double)lo)
		return lo;
	if (v > (double)hi)
		return hi;
	return (uint64_t)v;
}

static void
seen(struct part *t, size_t org, int dim, size_t ix, int64_t us)
{
	if (t->first_us[org][dim][ix] == 0)
		t->first_us[org][dim][ix] = us;
}

/* Generates the next event of the current hour and appends its row. */
static char *
gen_event(struct part *t, char *p)
{
	struct gen		*g = t->g;
	struct rng		*r = &t->r;
	struct usage_event	 e;
	const struct model	*m;
	struct org_gen		*o;
	const struct burst	*b = NULL;
	unsigned char		 key[EVENT_KEY_LEN];
	int64_t			 start, ttft = 0, latency;
	uint64_t		 prompt = 0, completion = 0, cread = 0, cwrite = 0;
	uint64_t		 reasoning = 0, c;
	double			 fail_p = 0.018;
	size_t			 agent, model, team, dept, err_ix = 0, i, oi;
	int			 failed, stream;

	for (i = 0; i < g->nbursts; i++)
		if (t->hour >= g->bursts[i].hour &&
		    t->hour < g->bursts[i].hour + g->bursts[i].hours)
			b = &g->bursts[i];
	start = g->start_us + (int64_t)t->hour * GEN_HOUR_US +
	    (int64_t)(((double)t->in_hour + rng_unit(r)) *
	    (double)GEN_HOUR_US / (double)g->per_hour[t->hour]);
	oi = zipf_draw(&g->z_org, r);
	o = &g->orgs[oi];
	if (b != NULL && rng_unit(r) < 1.0 - 1.0 / b->factor) {
		agent = b->agent;
		model = b->model;
		fail_p = 0.06;
	} else {
		agent = zipf_draw(&g->z_agent, r);
		model = rng_unit(r) < 0.6 ? g->agent_model[agent] :
		    zipf_draw(&g->z_model, r);
	}
	team = g->agent_team[agent];
	dept = g->team_dept[team];
	m = &g->models[model];
	failed = rng_unit(r) < fail_p;
	stream = m->kind != MODEL_EMBEDDING && rng_unit(r) < 0.4;

	memset(&e, 0, sizeof(e));
	e.org_id = o->id;
	e.model = m->name;
	e.model_group = m->name;
	e.status = failed ? EVENT_STATUS_FAILURE : EVENT_STATUS_SUCCESS;
	usage_event_set(&e, EV_START_US, start);
	if (failed) {
		err_ix = zipf_draw(&g->z_error, r);
		latency = (int64_t)(1000 * rng_lognormal(r,
		    error_specs[err_ix].latency_ms, 0.5));
		usage_event_set(&e, EV_LITELLM_COST, 0);
	} else {
		prompt = clamp_tokens(rng_lognormal(r, m->kind ==
		    MODEL_EMBEDDING ? 300 : 1200, 1.0), 1, 190000);
		if (m->kind != MODEL_EMBEDDING) {
			completion = clamp_tokens(rng_lognormal(r,
			    m->kind == MODEL_REASONING ? 900 : 250, 0.9), 1,
			    30000);
			if (m->cache && rng_unit(r) < 0.35)
				cread = (uint64_t)((double)prompt *
				    (0.3 + 0.6 * rng_unit(r)));
			if (m->cache == 2 && rng_unit(r) < 0.1)
				cwrite = (uint64_t)((double)(prompt - cread) *
				    0.5 * rng_unit(r));
			if (m->kind == MODEL_REASONING)
				reasoning = (uint64_t)((double)completion *
				    (0.3 + 0.5 * rng_unit(r)));
		}
		ttft = (int64_t)(1000 * rng_lognormal(r, m->ttft_ms, 0.45));
		latency = ttft + (m->tps > 0 ? (int64_t)(1e6 *
		    (double)completion / m->tps * rng_lognormal(r, 1, 0.2)) : 0);
		usage_event_set(&e, EV_PROMPT_TOKENS, (int64_t)prompt);
		usage_event_set(&e, EV_COMPLETION_TOKENS, (int64_t)completion);
		usage_event_set(&e, EV_TOTAL_TOKENS, (int64_t)(prompt + completion));
		if (m->cache) {
			usage_event_set(&e, EV_CACHE_READ_TOKENS, (int64_t)cread);
			usage_event_set(&e, EV_CACHE_WRITE_TOKENS, (int64_t)cwrite);
		}
		if (m->kind == MODEL_REASONING)
			usage_event_set(&e, EV_REASONING_TOKENS,
			    (int64_t)reasoning);
	}
	usage_event_set(&e, EV_END_US, start + latency);
	usage_event_set(&e, EV_LATENCY_US, latency);
	if (stream && !failed)
		usage_event_set(&e, EV_TTFT_US, ttft);
	e.received_us = start + latency +
	    (int64_t)(1e6 * (0.5 + 9.5 * rng_unit(r)));

	/* Our price first; LiteLLM's cost agrees with it, or is its own. */
	if (!failed) {
		pricing_apply(g->prices, g->prefer, &e);
		if (EVENT_HAS(&e, EV_OUR_COST))
			usage_event_set(&e, EV_LITELLM_COST, e.num[EV_OUR_COST]);
		else
			usage_event_set(&e, EV_LITELLM_COST, m->litellm_pico > 0 ?
			    m->litellm_pico * (int64_t)(prompt + completion) /
			    1000 : 0);
	}
	pricing_apply(g->prices, g->prefer, &e);

	seen(t, oi, 0, dept, start);
	seen(t, oi, 1, team, start);
	seen(t, oi, 2, agent, start);
	seen(t, oi, 3, model, start);
	seen(t, oi, 4, m->provider_ix, start);
	t->events[oi]++;

	c = t->counter++;
	for (i = 0; i < 8; i++) {
		key[i] = (unsigned char)((uint64_t)g->run_us >> (56 - 8 * i));
		key[8 + i] = (unsigned char)(c >> (56 - 8 * i));
	}
	p = put_u64(p, o->id);
	*p++ = '\t';
	p = put_u64(p, o->token_id);
	*p++ = '\t';
	p = put_hex(p, key, sizeof(key));
	*p++ = '\t';
	p = put_u64(p, (uint64_t)start);	/* occurred_us = start_us */
	*p++ = '\t';
	p = put_u64(p, (uint64_t)e.received_us);
	*p++ = '\t';
	p = put_uuid(p, r, "chatcmpl-");
	*p++ = '\t';
	p = put_uuid(p, r, "");
	*p++ = '\t';
	p = put_str(p, failed ? "failure" : "success");
	*p++ = '\t';
	p = put_str(p, cost_source_name(e.cost_source));
	*p++ = '\t';
	*p++ = stream ? '1' : '0';
	*p++ = '\t';
	p = put_u64(p, g->lid[0][dept]);
	*p++ = '\t';
	p = put_u64(p, g->lid[1][team]);
	*p++ = '\t';
	p = put_u64(p, g->lid[2][agent]);
	*p++ = '\t';
	p = put_u64(p, g->lid[3][model]);
	*p++ = '\t';
	p = put_u64(p, g->lid[4][m->provider_ix]);
	*p++ = '\t';
	p = put_u64(p, g->group_lid[model]);
	*p++ = '\t';
	p = put_u64(p, g->call_lid[m->kind == MODEL_EMBEDDING]);
	*p++ = '\t';
	p = failed ? put_u64(p, g->class_lid[err_ix]) : put_str(p, NULL);
	*p++ = '\t';
	p = failed ? put_u64(p, g->code_lid[err_ix]) : put_str(p, NULL);
	*p++ = '\t';
	p = put_num(p, &e, EV_PROMPT_TOKENS);
	*p++ = '\t';
	p = put_num(p, &e, EV_COMPLETION_TOKENS);
	*p++ = '\t';
	p = put_num(p, &e, EV_TOTAL_TOKENS);
	*p++ = '\t';
	p = put_num(p, &e, EV_CACHE_READ_TOKENS);
	*p++ = '\t';
	p = put_num(p, &e, EV_CACHE_WRITE_TOKENS);
	*p++ = '\t';
	p = put_num(p, &e, EV_REASONING_TOKENS);
	*p++ = '\t';
	p = put_num(p, &e, EV_CACHE_WRITE_1H_TOKENS);
	*p++ = '\t';
	p = put_cost(p, &e, EV_LITELLM_COST);
	*p++ = '\t';
	p = put_cost(p, &e, EV_OUR_COST);
	*p++ = '\t';
	p = put_cost(p, &e, EV_COST);
	*p++ = '\t';
	p = e.price_id ? put_u64(p, e.price_id) : put_str(p, NULL);
	*p++ = '\t';
	p = e.discount_id ? put_u64(p, e.discount_id) : put_str(p, NULL);
	*p++ = '\t';
	p = put_num(p, &e, EV_START_US);
	*p++ = '\t';
	p = put_num(p, &e, EV_END_US);
	*p++ = '\t';
	p = put_num(p, &e, EV_LATENCY_US);
	*p++ = '\t';
	p = put_num(p, &e, EV_TTFT_US);
	*p++ = '\n';

	t->todo--;
	if (++t->in_hour == g->per_hour[t->hour]) {
		t->in_hour = 0;
		t->hour++;
	}
	return p;
}

/* The hour of the next event, past the hours with none; its generator. */
static void
next_hour(struct part *t)
{
	const struct gen	*g = t->g;

	while (t->hour < t->hour_end && g->per_hour[t->hour] == 0)
		t->hour++;
	if (t->in_hour == 0 && t->hour < t->hour_end)
		rng_seed(&t->r, g->seed * 0x9e3779b97f4a7c15ULL + t->hour + 1);
}

/* --- LOAD DATA LOCAL INFILE from memory ------------------------------------- */

static int
infile_init(void **ptr, const char *name, void *userdata)
{
	*ptr = userdata;
	return 0;
}

static int
infile_read(void *ptr, char *buf, unsigned int len)
{
	struct part	*t = ptr;
	size_t		 n;
	char		*p;

	if (t->stage_off == t->stage_len) {
		t->stage_off = t->stage_len = 0;
		p = t->stage;
		while (t->chunk_left > 0 &&
		    (size_t)(p - t->stage) + GEN_ROW_BYTES <= GEN_STAGE_BYTES) {
			next_hour(t);
			p = gen_event(t, p);
			t->chunk_left--;
		}
		t->stage_len = (size_t)(p - t->stage);
	}
	n = t->stage_len - t->stage_off;
	if (n > len)
		n = len;
	memcpy(buf, t->stage + t->stage_off, n);
	t->stage_off += n;
	return (int)n;
}

static void
infile_end(void *ptr)
{
}

static int
infile_error(void *ptr, char *msg, unsigned int len)
{
	snprintf(msg, len, "generator failed");
	return 1;
}

static const char load_sql[] =
    "LOAD DATA LOCAL INFILE 'gen-events' INTO TABLE usage_event_rows "
    "CHARACTER SET utf8mb4 FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' "
    "LINES TERMINATED BY '\\n' (org_id, token_id, @dedupe_hex, occurred_us, "
    "received_us, litellm_id, trace_id, status, cost_source, stream, "
    "department_id, team_id, agent_id, model_id, provider_id, "
    "model_group_id, call_type_id, error_class_id, error_code_id, "
    "prompt_tokens, completion_tokens, total_tokens, cache_read_tokens, "
    "cache_write_tokens, reasoning_tokens, cache_write_1h_tokens, "
    "litellm_cost, our_cost, cost, price_id, discount_id, start_us, end_us, "
    "latency_us, ttft_us) SET dedupe_key = UNHEX(@dedupe_hex)";

static MYSQL *
bulk_connect(const struct conf_db *c, char *msg, size_t msgsz)
{
	MYSQL		*my;
	unsigned	 timeout = 3600;
	my_bool		 on = 1;
	const char	*host = c->socket != NULL ? "localhost" : c->host;

	if ((my = mysql_init(NULL)) == NULL) {
		snprintf(msg, msgsz, "out of memory");
		return NULL;
	}
	mysql_options(my, MYSQL_OPT_LOCAL_INFILE, &on);
	mysql_options(my, MYSQL_OPT_READ_TIMEOUT, &timeout);
	mysql_options(my, MYSQL_OPT_WRITE_TIMEOUT, &timeout);
	mysql_options(my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	if (mysql_real_connect(my, host, c->user,
	    c->password && *c->password ? c->password : NULL, c->name,
	    (unsigned)c->port, c->socket, 0) == NULL) {
		snprintf(msg, msgsz, "cannot connect: %s", mysql_error(my));
		mysql_close(my);
		return NULL;
	}
	return my;
}

/* One loading thread: its hours, LOAD DATA by LOAD DATA. */
static void *
part_run(void *arg)
{
	struct part	*t = arg;
	struct gen	*g = t->g;

	if (db_thread_begin() != 0) {
		snprintf(t->msg, sizeof(t->msg), "cannot start a client thread");
		t->failed = 1;
		return NULL;
	}
	if ((t->my = bulk_connect(g->dbconf, t->msg, sizeof(t->msg))) == NULL) {
		t->failed = 1;
		goto out;
	}
	mysql_set_local_infile_handler(t->my, infile_init, infile_read,
	    infile_end, infile_error, t);
	while (t->todo > 0) {
		t->chunk_left = t->todo < g->chunk ? t->todo : g->chunk;
		t->stage_len = t->stage_off = 0;
		if (mysql_query(t->my, load_sql) != 0) {
			snprintf(t->msg, sizeof(t->msg), "LOAD DATA: %s",
			    mysql_error(t->my));
			t->failed = 1;
			break;
		}
		if (mysql_warning_count(t->my) != 0) {
			snprintf(t->msg, sizeof(t->msg), "LOAD DATA: %u warnings "
			    "(a value that does not fit its column)",
			    mysql_warning_count(t->my));
			t->failed = 1;
			break;
		}
	}
	mysql_close(t->my);
	t->my = NULL;
out:
	db_thread_end();
	return NULL;
}

/* --- set-up -------------------------------------------------------------------- */

static void
gen_names(struct gen *g)
{
	size_t	i;

	for (i = 0; i < g->ndept; i++)
		if (i < NWORDS(dept_words))
			snprintf(g->dept[i], GEN_NAME_BYTES, "%s", dept_words[i]);
		else
			snprintf(g->dept[i], GEN_NAME_BYTES, "dept-%zu", i);
	/* Team t belongs to department t mod D, agent a to team a mod T. */
	for (i = 0; i < g->nteam; i++) {
		g->team_dept[i] = i % g->ndept;
		snprintf(g->team[i], GEN_NAME_BYTES, "%.24s-%s-%zu",
		    g->dept[g->team_dept[i]],
		    team_words[(i / g->ndept) % NWORDS(team_words)], i);
	}
	for (i = 0; i < g->nagent; i++) {
		g->agent_team[i] = i % g->nteam;
		snprintf(g->agent[i], GEN_NAME_BYTES, "%s-%04zu",
		    agent_words[(i * 7) % NWORDS(agent_words)], i);
		g->agent_model[i] = zipf_draw(&g->z_model, &g->r);
	}
}

static int
gen_models(struct gen *g)
{
	struct model	*m;
	size_t		 i, j;
	char		 name[GEN_NAME_BYTES];

	for (i = 0; i < g->nmodel; i++) {
		m = &g->models[i];
		if (i < MODEL_SPECS) {
			snprintf(name, sizeof(name), "%s", model_specs[i].name);
			m->provider = model_specs[i].provider;
			m->kind = model_specs[i].kind;
			m->cache = model_specs[i].cache;
			m->ttft_ms = model_specs[i].ttft_ms;
			m->tps = model_specs[i].tps;
			m->litellm_pico = model_specs[i].litellm_pico;
		} else {
			/* Beyond the list: self-hosted models, unpriced. */
			snprintf(name, sizeof(name), "selfhosted/model-%zu", i);
			m->provider = "hosted_vllm";
			m->kind = MODEL_CHAT;
			m->ttft_ms = 300;
			m->tps = 80;
		}
		if ((m->name = strdup(name)) == NULL)
			return -1;
		for (j = 0; j < g->nprov; j++)
			if (strcmp(g->providers[j], m->provider) == 0)
				break;
		if (j == g->nprov)
			g->providers[g->nprov++] = m->provider;
		m->provider_ix = j;
	}
	return 0;
}

/*
 * How many events each hour gets: a daily cycle peaking at 14:00 UTC,
 * quieter weekends, noise and bursts, rounded so that they sum to n.
 */
static int
gen_hours(struct gen *g)
{
	double	*w, total = 0, cum = 0, hod, f;
	int64_t	 t;
	int	 dow;
	size_t	 i, j;
	uint64_t prev = 0, upto;

	g->hours = (size_t)g->days * 24;
	g->start_us = g->end_us - (int64_t)g->hours * GEN_HOUR_US;
	if ((w = calloc(g->hours, sizeof(*w))) == NULL ||
	    (g->per_hour = calloc(g->hours, sizeof(*g->per_hour))) == NULL)
		goto fail;
	g->nbursts = g->hours / 150 > 0 ? g->hours / 150 : 1;
	if ((g->bursts = calloc(g->nbursts, sizeof(*g->bursts))) == NULL)
		goto fail;
	for (i = 0; i < g->nbursts; i++) {
		g->bursts[i].hour = (size_t)(rng_unit(&g->r) * (double)g->hours);
		g->bursts[i].hours = 1 + (size_t)(rng_unit(&g->r) * 3);
		g->bursts[i].factor = 3 + 3 * rng_unit(&g->r);
		g->bursts[i].agent = (size_t)(rng_unit(&g->r) *
		    (double)(g->nagent < 50 ? g->nagent : 50));
		g->bursts[i].model = (size_t)(rng_unit(&g->r) *
		    (double)(g->nmodel < 10 ? g->nmodel : 10));
	}
	for (i = 0; i < g->hours; i++) {
		t = g->start_us + (int64_t)i * GEN_HOUR_US;
		hod = (double)((t / GEN_HOUR_US) % 24);
		dow = (int)((t / (24 * GEN_HOUR_US) + 4) % 7);	/* 0: Sunday */
		f = 0.25 + exp(-(hod - 14) * (hod - 14) / (2 * 3.5 * 3.5));
		if (dow == 0 || dow == 6)
			f *= 0.35;
		f *= rng_lognormal(&g->r, 1, 0.15);
		for (j = 0; j < g->nbursts; j++)
			if (i >= g->bursts[j].hour &&
			    i < g->bursts[j].hour + g->bursts[j].hours)
				f *= g->bursts[j].factor;
		total += w[i] = f;
	}
	for (i = 0; i < g->hours; i++) {
		cum += w[i];
		upto = i + 1 == g->hours ? g->n :
		    (uint64_t)((double)g->n * cum / total + 0.5);
		if (upto < prev)
			upto = prev;
		if (upto > g->n)
			upto = g->n;
		g->per_hour[i] = upto - prev;
		prev = upto;
	}
	free(w);
	return 0;
fail:
	free(w);
	return -1;
}

/* The first active token of an organization (db_token_list's callback). */
static int
first_active(const struct token_row *t, void *arg)
{
	uint32_t	*id = arg;

	if (strcmp(t->status, "active") != 0)
		return 0;
	*id = t->id;
	return 1;
}

/* The dimension values seen, as the loader records them (a db_txn fn). */
static int
record_dimensions(struct db *db, void *arg, struct llmops_err *err)
{
	static const char *const dims[GEN_DIMS] = {
		"department", "team", "agent", "model", "provider",
	};
	struct part	*parts = arg;
	struct gen	*g = parts[0].g;
	const char	*v;
	int64_t		 first, us;
	size_t		 i, j, k;
	int		 d;

	for (i = 0; i < g->norgs; i++)
		for (d = 0; d < GEN_DIMS; d++)
			for (k = 0; k < g->nvals[d]; k++) {
				first = 0;
				for (j = 0; j < g->jobs; j++) {
					us = parts[j].first_us[i][d][k];
					if (us != 0 && (first == 0 || us < first))
						first = us;
				}
				if (first == 0)
					continue;
				v = d == 0 ? g->dept[k] : d == 1 ? g->team[k] :
				    d == 2 ? g->agent[k] : d == 3 ?
				    g->models[k].name : g->providers[k];
				if (db_dimension_record(db, g->orgs[i].id, dims[d],
				    v, first, err) != 0)
					return -1;
			}
	return 0;
}

/* The label ids of every value the events use (lib/db_label.h). */
static int
make_labels(struct db *db, struct gen *g, struct llmops_err *err)
{
	static const enum label_kind kinds[GEN_DIMS] = {
		LABEL_DEPARTMENT, LABEL_TEAM, LABEL_AGENT, LABEL_MODEL,
		LABEL_PROVIDER,
	};
	const char	*v;
	size_t		 k;
	int		 d;

	for (d = 0; d < GEN_DIMS; d++) {
		if ((g->lid[d] = calloc(g->nvals[d], sizeof(uint32_t))) == NULL)
			return err_set(err, 500, "out of memory");
		for (k = 0; k < g->nvals[d]; k++) {
			v = d == 0 ? g->dept[k] : d == 1 ? g->team[k] :
			    d == 2 ? g->agent[k] : d == 3 ? g->models[k].name :
			    g->providers[k];
			if (db_label_make(db, kinds[d], v, &g->lid[d][k],
			    err) != 0)
				return -1;
		}
	}
	if ((g->group_lid = calloc(g->nmodel, sizeof(uint32_t))) == NULL)
		return err_set(err, 500, "out of memory");
	for (k = 0; k < g->nmodel; k++)
		if (db_label_make(db, LABEL_MODEL_GROUP, g->models[k].name,
		    &g->group_lid[k], err) != 0)
			return -1;
	if (db_label_make(db, LABEL_CALL_TYPE, "acompletion", &g->call_lid[0],
	    err) != 0 || db_label_make(db, LABEL_CALL_TYPE, "aembedding",
	    &g->call_lid[1], err) != 0)
		return -1;
	for (k = 0; k < ERROR_SPECS; k++)
		if (db_label_make(db, LABEL_ERROR_CLASS, error_specs[k].class,
		    &g->class_lid[k], err) != 0 ||
		    db_label_make(db, LABEL_ERROR_CODE, error_specs[k].code,
		    &g->code_lid[k], err) != 0)
			return -1;
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: gen-events-bulk -c CONF -o ORG [-o ORG ...] "
	    "[-n EVENTS] [--days D]\n"
	    "         [--end-us US] [--seed S] [--departments N] [--teams N] "
	    "[--agents N]\n"
	    "         [--models N] [--chunk ROWS] [--jobs N]\n");
	exit(2);
}

static uint64_t
num_arg(const char *name, const char *s, uint64_t lo, uint64_t hi)
{
	char			*end;
	unsigned long long	 v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0' || v < lo || v > hi) {
		fprintf(stderr, "gen-events-bulk: %s: a number from %" PRIu64
		    " to %" PRIu64 "\n", name, lo, hi);
		exit(2);
	}
	return (uint64_t)v;
}

static double
seconds_since(const struct timespec *t0)
{
	struct timespec	t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "conf", required_argument, NULL, 'c' },
		{ "org", required_argument, NULL, 'o' },
		{ "events", required_argument, NULL, 'n' },
		{ "days", required_argument, NULL, 'D' },
		{ "end-us", required_argument, NULL, 'E' },
		{ "seed", required_argument, NULL, 'S' },
		{ "departments", required_argument, NULL, 'd' },
		{ "teams", required_argument, NULL, 't' },
		{ "agents", required_argument, NULL, 'a' },
		{ "models", required_argument, NULL, 'm' },
		{ "chunk", required_argument, NULL, 'C' },
		{ "jobs", required_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct gen		 g;
	struct conf		 conf;
	struct db		 db;
	struct price_set	 prices;
	struct llmops_err	 err;
	struct org		 org;
	struct timespec		 t0;
	struct part		*parts = NULL;
	const char		*conf_path = NULL;
	double			 secs;
	uint64_t		 before, share, counts[GEN_ORGS_MAX] = { 0 };
	size_t			 i, j, d, h, started = 0;
	int			 ch, rc = 1;

	memset(&g, 0, sizeof(g));
	memset(&prices, 0, sizeof(prices));
	g.n = 1000000;
	g.days = 30;
	g.seed = 1;
	g.ndept = 20;
	g.nteam = 100;
	g.nagent = 500;
	g.nmodel = MODEL_SPECS;
	g.chunk = 250000;
	g.jobs = 2;
	while ((ch = getopt_long(argc, argv, "c:o:n:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			conf_path = optarg;
			break;
		case 'o':
			if (g.norgs == GEN_ORGS_MAX) {
				fprintf(stderr, "gen-events-bulk: at most %d "
				    "organizations\n", GEN_ORGS_MAX);
				return 2;
			}
			g.orgs[g.norgs++].name = optarg;
			break;
		case 'n':
			g.n = num_arg("--events", optarg, 1, 1000000000);
			break;
		case 'D':
			g.days = (unsigned)num_arg("--days", optarg, 1, 3660);
			break;
		case 'E':
			g.end_us = (int64_t)num_arg("--end-us", optarg, 1,
			    INT64_MAX / 2);
			break;
		case 'S':
			g.seed = num_arg("--seed", optarg, 0, UINT64_MAX);
			break;
		case 'd':
			g.ndept = num_arg("--departments", optarg, 1, GEN_COUNT_MAX);
			break;
		case 't':
			g.nteam = num_arg("--teams", optarg, 1, GEN_COUNT_MAX);
			break;
		case 'a':
			g.nagent = num_arg("--agents", optarg, 1, GEN_COUNT_MAX);
			break;
		case 'm':
			g.nmodel = num_arg("--models", optarg, 1, GEN_COUNT_MAX);
			break;
		case 'C':
			g.chunk = num_arg("--chunk", optarg, 1, 100000000);
			break;
		case 'j':
			g.jobs = num_arg("--jobs", optarg, 1, GEN_JOBS_MAX);
			break;
		default:
			usage();
		}
	}
	if (optind != argc || g.norgs == 0)
		usage();
	if (g.nteam < g.ndept || g.nagent < g.nteam) {
		fprintf(stderr, "gen-events-bulk: every department needs a team "
		    "and every team an agent (departments <= teams <= "
		    "agents)\n");
		return 2;
	}
	if (g.end_us == 0)
		g.end_us = time_now_us();
	g.run_us = time_now_us();
	rng_seed(&g.r, g.seed);
	log_open("gen-events-bulk", LOG_LEVEL_WARN, 0);
	if (db_threads_prepare() != 0) {
		fprintf(stderr, "gen-events-bulk: the client library does not "
		    "start\n");
		return 1;
	}

	err_clear(&err);
	if (conf_load(&conf, conf_default_path(conf_path), &err) != 0) {
		fprintf(stderr, "gen-events-bulk: %s\n", err.msg);
		conf_release(&conf);
		return 1;
	}
	db_init(&db, &conf.db);
	if ((g.dept = calloc(g.ndept, GEN_NAME_BYTES)) == NULL ||
	    (g.team = calloc(g.nteam, GEN_NAME_BYTES)) == NULL ||
	    (g.agent = calloc(g.nagent, GEN_NAME_BYTES)) == NULL ||
	    (g.team_dept = calloc(g.nteam, sizeof(size_t))) == NULL ||
	    (g.agent_team = calloc(g.nagent, sizeof(size_t))) == NULL ||
	    (g.agent_model = calloc(g.nagent, sizeof(size_t))) == NULL ||
	    (g.models = calloc(g.nmodel, sizeof(*g.models))) == NULL ||
	    (parts = calloc(g.jobs, sizeof(*parts))) == NULL ||
	    zipf_init(&g.z_agent, g.nagent, 1.0) != 0 ||
	    zipf_init(&g.z_model, g.nmodel, 1.1) != 0 ||
	    zipf_init(&g.z_org, g.norgs, 1.0) != 0 ||
	    zipf_init(&g.z_error, ERROR_SPECS, 0) != 0 ||
	    gen_models(&g) != 0) {
		fprintf(stderr, "gen-events-bulk: out of memory\n");
		goto out;
	}
	/* The error classes by their weights, not by rank. */
	for (i = 0; i < ERROR_SPECS; i++)
		g.z_error.cdf[i] = (i > 0 ? g.z_error.cdf[i - 1] : 0) +
		    error_specs[i].weight;
	gen_names(&g);
	if (gen_hours(&g) != 0) {
		fprintf(stderr, "gen-events-bulk: out of memory\n");
		goto out;
	}
	g.nvals[0] = g.ndept;
	g.nvals[1] = g.nteam;
	g.nvals[2] = g.nagent;
	g.nvals[3] = g.nmodel;
	g.nvals[4] = g.nprov;
	for (i = 0; i < g.jobs; i++) {
		parts[i].g = &g;
		if ((parts[i].stage = malloc(GEN_STAGE_BYTES)) == NULL)
			goto oom;
		for (j = 0; j < g.norgs; j++)
			for (d = 0; d < GEN_DIMS; d++)
				if ((parts[i].first_us[j][d] = calloc(g.nvals[d],
				    sizeof(int64_t))) == NULL)
					goto oom;
	}
	for (i = 0; i < g.norgs; i++) {
		if (admin_org_find(&db, g.orgs[i].name, &org, &err) != 0) {
			fprintf(stderr, "gen-events-bulk: organization %s: %s\n",
			    g.orgs[i].name, err.msg);
			goto out;
		}
		g.orgs[i].id = org.id;
		if (db_token_list(&db, org.id, first_active,
		    &g.orgs[i].token_id, &err) != 0) {
			fprintf(stderr, "gen-events-bulk: %s\n", err.msg);
			goto out;
		}
		if (g.orgs[i].token_id == 0) {
			fprintf(stderr, "gen-events-bulk: organization %s has no "
			    "active token (llmopsctl token create)\n",
			    g.orgs[i].name);
			goto out;
		}
	}
	if (price_db_load(&db, &prices, &err) != 0) {
		fprintf(stderr, "gen-events-bulk: the price table: %s\n", err.msg);
		goto out;
	}
	g.prices = &prices;
	g.prefer = (enum cost_prefer)conf.cost.prefer;
	if (make_labels(&db, &g, &err) != 0) {
		fprintf(stderr, "gen-events-bulk: labels: %s\n", err.msg);
		goto out;
	}
	g.dbconf = &conf.db;

	/* Consecutive hours of about n / jobs events for each thread. */
	for (i = 0, h = 0, before = 0; i < g.jobs; i++) {
		parts[i].hour = h;
		parts[i].counter = before;
		share = g.n * (i + 1) / g.jobs;
		while (h < g.hours && (i + 1 == g.jobs || before < share))
			before += g.per_hour[h++];
		parts[i].hour_end = h;
		parts[i].todo = before - parts[i].counter;
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < g.jobs; i++) {
		if (pthread_create(&parts[i].thread, NULL, part_run,
		    &parts[i]) != 0) {
			fprintf(stderr, "gen-events-bulk: cannot start a thread\n");
			break;
		}
		started++;
	}
	for (i = 0; i < started; i++)
		pthread_join(parts[i].thread, NULL);
	if (started < g.jobs)
		goto out;
	for (i = 0; i < g.jobs; i++) {
		if (parts[i].failed) {
			fprintf(stderr, "gen-events-bulk: %s\n", parts[i].msg);
			goto out;
		}
		for (j = 0; j < g.norgs; j++)
			counts[j] += parts[i].events[j];
	}
	if (db_txn(&db, DB_WRITE, record_dimensions, parts, &err) != 0) {
		fprintf(stderr, "gen-events-bulk: dimension values: %s\n", err.msg);
		goto out;
	}
	secs = seconds_since(&t0);
	printf("GEN {\"events\": %" PRIu64 ", \"seconds\": %.3f, "
	    "\"events_per_s\": %.0f, \"jobs\": %zu, \"seed\": %" PRIu64
	    ", \"start_us\": %" PRId64 ", \"end_us\": %" PRId64
	    ", \"bursts\": %zu, \"orgs\": {",
	    g.n, secs, (double)g.n / secs, g.jobs, g.seed, g.start_us,
	    g.end_us, g.nbursts);
	for (i = 0; i < g.norgs; i++)
		printf("%s\"%s\": {\"id\": %" PRIu32 ", \"events\": %" PRIu64 "}",
		    i ? ", " : "", g.orgs[i].name, g.orgs[i].id, counts[i]);
	printf("}}\n");
	rc = 0;
	goto out;
oom:
	fprintf(stderr, "gen-events-bulk: out of memory\n");
out:
	price_set_release(&prices);
	db_close(&db);
	for (i = 0; parts != NULL && i < g.jobs; i++) {
		for (j = 0; j < g.norgs; j++)
			for (d = 0; d < GEN_DIMS; d++)
				free(parts[i].first_us[j][d]);
		free(parts[i].stage);
	}
	free(parts);
	for (i = 0; g.models != NULL && i < g.nmodel; i++)
		free(g.models[i].name);
	for (d = 0; d < GEN_DIMS; d++)
		free(g.lid[d]);
	free(g.group_lid);
	free(g.bursts);
	free(g.per_hour);
	free(g.z_agent.cdf);
	free(g.z_model.cdf);
	free(g.z_org.cdf);
	free(g.z_error.cdf);
	free(g.models);
	free(g.agent_model);
	free(g.agent_team);
	free(g.team_dept);
	free(g.agent);
	free(g.team);
	free(g.dept);
	conf_release(&conf);
	return rc;
}
