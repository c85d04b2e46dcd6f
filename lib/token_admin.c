#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include <json-c/json.h>

#include "audit.h"
#include "label.h"
#include "timefmt.h"
#include "token_admin.h"

/* A token row to insert, checked and hashed. */
struct new_token {
	uint32_t	 org_id;
	unsigned char	 hash[TOKEN_HASH_LEN];
	char		 prefix[TOKEN_PREFIX_BYTES];
	const char	*label;		/* borrowed; NULL or "": none */
	int64_t		 expires_us;	/* 0: never */
};

static int
new_token_init(struct new_token *t, uint32_t org_id, const char *token,
    const char *label, int64_t expires_us, struct llmops_err *err)
{
	if (label != NULL && (strlen(label) > LIMIT_TOKEN_LABEL_BYTES ||
	    !utf8_valid((const unsigned char *)label, strlen(label))))
		return err_set(err, 400, "token label must be valid UTF-8 of "
		    "at most %d bytes", LIMIT_TOKEN_LABEL_BYTES);
	if (expires_us != 0 && expires_us <= time_now_us())
		return err_set(err, 400, "the expiry is in the past");
	if (token_hash(token, strlen(token), t->hash) != 0)
		return err_set(err, 500, "cannot hash the token");
	token_prefix(token, t->prefix);
	t->org_id = org_id;
	t->label = label;
	t->expires_us = expires_us;
	return 0;
}

/* Inserts the row (inside the caller's transaction). */
static int
new_token_insert(struct db *db, const struct new_token *t, uint32_t *id,
    struct llmops_err *err)
{
	if (db_token_insert(db, t->org_id, t->hash, t->prefix,
	    t->label != NULL && *t->label != '\0' ? t->label : NULL,
	    time_now_us(), t->expires_us, id, err) != 0) {
		/* Never say which organization holds it. */
		if (db_duplicate(db))
			return err_set(err, 409, "this token is already "
			    "registered");
		return -1;
	}
	return 0;
}

static struct json_object *
details_label(const char *label, int64_t expires_us)
{
	struct json_object	*o = json_object_new_object();
	char			 iso[TIME_ISO_BYTES];

	if (o == NULL)
		return NULL;
	if (label != NULL)
		json_object_object_add(o, "label", json_object_new_string(label));
	if (expires_us != 0) {
		time_format_iso_sec(expires_us, iso);
		json_object_object_add(o, "expires", json_object_new_string(iso));
	}
	return o;
}

/* Arguments of add(). */
struct add {
	const char		*actor;
	const char		*action;
	struct new_token	 t;
	uint32_t		 id;
};

/* A new token row and its audit row (a db_txn fn). */
static int
add(struct db *db, void *arg, struct llmops_err *err)
{
	struct add	*a = arg;
	char		 target[32];

	if (new_token_insert(db, &a->t, &a->id, err) != 0)
		return -1;
	snprintf(target, sizeof(target), "token %u", a->id);
	return audit_record(db, a->actor, a->t.org_id, a->action, target,
	    details_label(a->t.label, a->t.expires_us), err);
}

static int
add_token(struct db *db, const char *actor, const char *action,
    uint32_t org_id, const char *token, const char *label, int64_t expires_us,
    uint32_t *id, struct llmops_err *err)
{
	struct add	a;

	memset(&a, 0, sizeof(a));
	a.actor = actor;
	a.action = action;
	if (new_token_init(&a.t, org_id, token, label, expires_us, err) != 0 ||
	    db_txn(db, DB_WRITE, add, &a, err) != 0)
		return -1;
	*id = a.id;
	return 0;
}

int
token_admin_create(struct db *db, const char *actor, uint32_t org_id,
    const char *label, int64_t expires_us, char token[TOKEN_GENERATED_BYTES],
    uint32_t *id, struct llmops_err *err)
{
	if (token_generate(token) != 0)
		return err_set(err, 500, "no randomness available for a token");
	if (add_token(db, actor, "token.create", org_id, token, label,
	    expires_us, id, err) != 0) {
		OPENSSL_cleanse(token, TOKEN_GENERATED_BYTES);
		return -1;
	}
	return 0;
}

int
token_admin_add(struct db *db, const char *actor, uint32_t org_id,
    const char *token, const char *label, int64_t expires_us, uint32_t *id,
    struct llmops_err *err)
{
	const char	*why;

	if (!token_format_ok(token, &why))
		return err_set(err, 400, "token %s (%d to %d printable ASCII "
		    "characters)", why, LIMIT_TOKEN_MIN_BYTES,
		    LIMIT_TOKEN_MAX_BYTES);
	return add_token(db, actor, "token.add", org_id, token, label,
	    expires_us, id, err);
}

/* Arguments of list() and list_row(). */
struct list {
	struct db	*db;
	uint32_t	 org_id;
	int		(*cb)(const struct token_row *, void *);
	void		*arg;
};

static int
list_row(const struct token_row *t, void *arg)
{
	struct list	*l = arg;

	/* A row given out cannot be taken back: no retry from here on. */
	db_txn_final(l->db);
	return l->cb(t, l->arg);
}

/* A db_txn fn. */
static int
list(struct db *db, void *arg, struct llmops_err *err)
{
	struct list	*l = arg;

	l->db = db;
	return db_token_list(db, l->org_id, list_row, l, err);
}

int
token_admin_list(struct db *db, uint32_t org_id,
    int (*cb)(const struct token_row *, void *), void *arg,
    struct llmops_err *err)
{
	struct list	l;

	l.db = db;
	l.org_id = org_id;
	l.cb = cb;
	l.arg = arg;
	return db_txn(db, DB_READ, list, &l, err);
}

/* The token row of id; 404 when there is none. */
static int
get_token(struct db *db, uint32_t id, struct token_row *t,
    struct llmops_err *err)
{
	int	rc;

	if ((rc = db_token_get(db, id, t, err)) < 0)
		return -1;
	if (rc == 0)
		return err_set(err, 404, "no token with id %u", id);
	return 0;
}

/* Arguments of revoke(). */
struct revoke {
	const char	*actor;
	uint32_t	 id;
};

/* The revocation and its audit row (a db_txn fn). */
static int
revoke(struct db *db, void *arg, struct llmops_err *err)
{
	struct revoke		*r = arg;
	struct token_row	 t;
	char			 target[32];
	int			 done = 0;

	if (get_token(db, r->id, &t, err) != 0)
		return -1;
	if (strcmp(t.status, "active") != 0)
		return err_set(err, 409, "token %u is already %s", r->id,
		    t.status);
	if (db_token_revoke(db, r->id, time_now_us(), &done, err) != 0)
		return -1;
	if (!done)
		return err_set(err, 409, "token %u was revoked concurrently",
		    r->id);
	snprintf(target, sizeof(target), "token %u", r->id);
	return audit_record(db, r->actor, t.org_id, "token.revoke", target,
	    NULL, err);
}

int
token_admin_revoke(struct db *db, const char *actor, uint32_t id,
    struct llmops_err *err)
{
	struct revoke	r;

	r.actor = actor;
	r.id = id;
	return db_txn(db, DB_WRITE, revoke, &r, err);
}

/* Arguments of rotate(). */
struct rotate {
	const char	*actor;
	uint32_t	 id;
	int64_t		 now, grace_us;
	const char	*token;		/* the new value */
	uint32_t	 new_id;
};

/* The new token, the old one's end and the audit row (a db_txn fn). */
static int
rotate(struct db *db, void *arg, struct llmops_err *err)
{
	struct rotate		*r = arg;
	struct token_row	 t;
	struct new_token	 nt;
	struct json_object	*d;
	char			 target[32], iso[TIME_ISO_BYTES];
	int			 done = 0;

	if (get_token(db, r->id, &t, err) != 0)
		return -1;
	if (strcmp(t.status, "active") != 0)
		return err_set(err, 409, "token %u is %s", r->id, t.status);
	if (t.rotated_to != 0)
		return err_set(err, 409, "token %u was already rotated (to "
		    "token %lld)", r->id, (long long)t.rotated_to);
	if (t.expires_us != 0 && t.expires_us <= r->now)
		return err_set(err, 409, "token %u has expired", r->id);
	if (new_token_init(&nt, t.org_id, r->token, t.has_label ? t.label :
	    NULL, t.expires_us, err) != 0 ||
	    new_token_insert(db, &nt, &r->new_id, err) != 0)
		return -1;
	if (db_token_rotate(db, r->id, r->new_id, r->now + r->grace_us, &done,
	    err) != 0)
		return -1;
	if (!done)
		return err_set(err, 409, "token %u changed concurrently", r->id);
	d = json_object_new_object();
	json_object_object_add(d, "new_token", json_object_new_int64(
	    (int64_t)r->new_id));
	time_format_iso_sec(r->now + r->grace_us, iso);
	json_object_object_add(d, "old_valid_until",
	    json_object_new_string(iso));
	snprintf(target, sizeof(target), "token %u", r->id);
	return audit_record(db, r->actor, t.org_id, "token.rotate", target, d,
	    err);
}

int
token_admin_rotate(struct db *db, const char *actor, uint32_t id,
    int64_t grace_us, char token[TOKEN_GENERATED_BYTES], uint32_t *new_id,
    struct llmops_err *err)
{
	struct rotate	r;

	if (grace_us < 0)
		return err_set(err, 400, "the grace period cannot be negative");
	if (token_generate(token) != 0)
		return err_set(err, 500, "no randomness available for a token");
	memset(&r, 0, sizeof(r));
	r.actor = actor;
	r.id = id;
	r.now = time_now_us();
	r.grace_us = grace_us;
	r.token = token;
	if (db_txn(db, DB_WRITE, rotate, &r, err) != 0) {
		OPENSSL_cleanse(token, TOKEN_GENERATED_BYTES);
		return -1;
	}
	*new_id = r.new_id;
	return 0;
}
