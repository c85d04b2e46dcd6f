/*
 * Every hard limit of llmops, named in one place. The ones a user may need
 * to change are defaults for settings of /etc/llmops.conf (see
 * etc/llmops.conf.sample); the others are bounds of the storage format.
 */
#ifndef LLMOPS_LIMITS_H
#define LLMOPS_LIMITS_H

/* ingest { max_body_bytes }: LiteLLM batches of 512 events with full
 * prompts reach tens of MB. */
#define LIMIT_BODY_BYTES_DEFAULT	(32L * 1024 * 1024)
#define LIMIT_BODY_BYTES_MAX		(1024L * 1024 * 1024)

/* ingest { max_events }: events in one POST (LiteLLM sends at most 512
 * unless DEFAULT_BATCH_SIZE is raised). The kept events of a POST must fit
 * in twice max_body_bytes (conf.c checks it with usage_event_bytes_max),
 * so that a responder's peak memory stays under 3x the body limit
 * whatever the body (lib/litellm.h); the maximum is what the largest body
 * allows at the default max_label_chars. */
#define LIMIT_EVENTS_DEFAULT		10000
/* LiteLLM's key, team and organization aliases are cut to at most this
 * many characters (and to max_label_chars): names, not prose. */
#define LIMIT_ALIAS_CHARS		64
#define LIMIT_EVENTS_MAX		250000
/* max_events allowed whatever max_body_bytes: LiteLLM's batch size (their
 * events take at most a few MiB, within LIMIT_PARSE_SLACK_BYTES). */
#define LIMIT_EVENTS_ALWAYS		512
/* What a responder needs beside the body and the kept events: one
 * element's kept object, the spool record being encoded, its own heap. */
#define LIMIT_PARSE_SLACK_BYTES		(8L * 1024 * 1024)
/* What malloc adds to each string it hands out (glibc: 16, rounded). */
#define LIMIT_ALLOC_OVERHEAD_BYTES	32

/* ingest { max_json_depth }: nesting of JSON values in a body, counted as
 * json-c does: {} is 1 deep, {"a":1} and [{}] are 2 deep. Tool schemas nest. */
#define LIMIT_JSON_DEPTH_DEFAULT	64
#define LIMIT_JSON_DEPTH_MAX		1000

/* ingest { max_label_chars }: department, team and agent are trimmed and
 * then cut to this many characters (never inside a UTF-8 sequence). */
#define LIMIT_LABEL_CHARS_DEFAULT	128
#define LIMIT_LABEL_CHARS_MAX		255

/* Stored identifiers: a longer value is cut there (at a character
 * boundary) and counted as a warning; the event is kept. id and trace_id
 * are cut after the dedupe key is made of the whole value. */
#define LIMIT_ID_BYTES			255	/* id, trace_id */
/* model, model_group, deployment (model_id), price_key (model_map_key) */
#define LIMIT_MODEL_BYTES		255
#define LIMIT_SHORT_BYTES		64	/* call_type, provider */
#define LIMIT_ERROR_CODE_BYTES		32
#define LIMIT_ERROR_CLASS_BYTES		128
/* api_host: the host[:port] of LiteLLM's api_base (lib/url_host.h). A
 * longer one is no host at all (DNS names stop at 253): refused, never
 * cut, since a cut host would name another. */
#define LIMIT_API_HOST_BYTES		255

/* Token counts of a price tier (llmopsctl prices). */
#define LIMIT_TOKENS_MAX		4294967295LL

/*
 * What one event may claim; a value outside is stored as unknown and
 * counted as a warning, never summed. Tokens: ten times the largest
 * context window sold today (10M), so no real call reaches it. Cost of
 * one call in USD. Times: from 2000 to a day after we received the
 * event; a latency or time to first token of at most a day. With these,
 * LIMIT_EVENTS_MAX events of the largest values sum within the rollup
 * columns (BIGINT UNSIGNED, DECIMAL(26,12)): tests/t_event_bounds.c.
 */
#define LIMIT_EVENT_TOKENS_MAX		100000000LL
#define LIMIT_COST_USD_MAX		100000LL
#define LIMIT_EVENT_TIME_MIN_US		946684800000000LL	/* 2000-01-01 */
#define LIMIT_EVENT_FUTURE_US		86400000000LL
#define LIMIT_EVENT_LATENCY_US_MAX	86400000000LL

/* ingest { token_cache_seconds }: how long a responder trusts what it read
 * of a tracking token; a revocation is in force everywhere after it. */
#define LIMIT_TOKEN_CACHE_DEFAULT	30
#define LIMIT_TOKEN_CACHE_MAX		300

/* web { session_hours }: how long a dashboard login lasts. */
#define LIMIT_SESSION_HOURS_DEFAULT	12

/* cost { reload_seconds }: how stale a responder's prices may be. */
#define LIMIT_PRICE_RELOAD_DEFAULT	30

/* Tracking tokens: what `token add` accepts, and what `token create` makes. */
#define LIMIT_TOKEN_MIN_BYTES		8
#define LIMIT_TOKEN_MAX_BYTES		256
#define TOKEN_RANDOM_BYTES		24	/* -> 32 base64url characters */
#define TOKEN_PREFIX_MAX		8	/* characters shown by `token list` */

/* Organization names and token labels. */
#define LIMIT_ORG_NAME_BYTES		128
#define LIMIT_TOKEN_LABEL_BYTES		128

/* Log lines: longer messages are cut, with a marker. */
#define LIMIT_LOG_LINE_BYTES		1024
/* Per-event rejection lines written for one POST before summarising. */
#define LIMIT_LOGGED_REJECTIONS		10

/* The web side of the responder (lib/web.c, lib/app.c, fcgi/serve.c). */
/* Bytes of a request path we route; longer paths are not found. */
#define WEB_PATH_BYTES			512
/* Parameters of one query string or form body. */
#define WEB_PARAMS_MAX			64
/* Bytes of one decoded key or value. */
#define WEB_PARAM_BYTES			1024
/* Largest form body read (login, password change). */
#define WEB_FORM_BYTES			(64 * 1024)
/* Bytes of the response's extra header lines. */
#define WEB_HEADERS_BYTES		2048
/* An answer is kept in memory up to this size, so that it gets a
 * Content-Length and can still be replaced (web_response_reset); a
 * longer one (a large CSV export) streams without a length. */
#define WEB_BUFFER_BYTES		(4L * 1024 * 1024)
/* Events waiting this long in the spool make /api/health "degraded" (the
 * loader runs after every callback and `spool drain` every minute) ... */
#define HEALTH_SPOOL_LAG_SECONDS	90
/* ... and this long, a notice on the dashboard (a load takes less). */
#define HEALTH_NOTICE_SECONDS		10

/* Timestamps accepted from LiteLLM: 1970 .. 2200, in microseconds. */
#define LIMIT_EPOCH_US_MAX		7258118400000000LL

/* Inputs read whole or bounded before parsing. */
/* Dimension values a responder remembers having recorded (store.c). */
#define DIM_SEEN_MAX			4096

/* Tracking tokens a responder keeps in its cache; the oldest is
 * replaced when full (token_cache.c). */
#define TOKEN_CACHE_ENTRIES		1024

/* Largest migration file read. */
#define MIGRATE_FILE_MAX		(64L * 1024 * 1024)

/* Largest price table read (LiteLLM's is about 1.3 MB). */
#define PRICE_IMPORT_MAX_BYTES		(64L * 1024 * 1024)

/* Longest Authorization header read (bytes). */
#define APIKEY_AUTH_HEADER_MAX		1024

/* Longest Cookie header session_cookie_from_header reads (bytes). */
#define SESSION_COOKIE_HEADER_MAX	8192

/* Longest Origin, Referer or Host header the origin check reads. */
#define ORIGIN_HEADER_MAX		8192

/* Prepared statements one connection keeps (all the db_*.c tables hold
 * fewer; the cache is a hash table of this size). */
#define LIMIT_DB_STATEMENTS		256
/* db_txn: runs of a transaction after a lost connection, and after a
 * deadlock or lock wait timeout between concurrent writers. */
#define DB_TXN_LOST_RETRIES		1
#define DB_TXN_DEADLOCK_RETRIES		3

/* Reads over usage (the dashboard, the JSON API, llmopsctl). */
/* Most groups of a ranked table of the dashboard or the API, and most rows
 * of its table of failures (llmopsctl usage lists every group). */
#define LIMIT_USAGE_GROUPS		500
/* Most raw events on one page of the dashboard or the API. */
#define LIMIT_EVENTS_PAGE		500
/* Most values of one dimension offered by a filter of the dashboard. */
#define LIMIT_DIM_VALUES		1000
/* A stored label or identifier as read back: 255 characters of up to 4
 * bytes, and its NUL. */
#define LIMIT_TEXT_BYTES		(255 * 4 + 1)
/* The memory MariaDB may give each grouping of `llmopsctl rollups
 * rebuild` (its session's tmp_table_size and max_heap_table_size; the
 * server's default of 16 MiB sends the groups of a month to disk, three
 * times slower). Taken as used, only by the rebuild's connection. */
#define LIMIT_REBUILD_TMP_BYTES		(256 * 1024 * 1024)
/* The database read timeout, in seconds, at least, of `llmopsctl migrate`
 * and `rollups rebuild`: one of their statements reads every event, for
 * minutes at 10 million (database.read_timeout, 30 s by default, is for a
 * responder waiting on a dead server). */
#define LIMIT_MAINTENANCE_READ_S	3600
/* A sum of costs as text: DECIMAL(26,12) as MariaDB prints it. */
#define LIMIT_DECIMAL_BYTES		48

/* The spool (lib/spool.c, lib/loader.c). */
/* spool { dir }: where acknowledged events wait for the database. */
#define SPOOL_DIR_DEFAULT		"/var/spool/llmops"
/* spool { segment_bytes }: a responder starts a new segment file once its
 * current one is this big; a loaded segment is removed once closed. */
#define SPOOL_SEGMENT_BYTES_DEFAULT	(64LL * 1024 * 1024)
#define SPOOL_SEGMENT_BYTES_MIN		(16LL * 1024)
#define SPOOL_SEGMENT_BYTES_MAX		(4LL * 1024 * 1024 * 1024)
/* spool { loader_turn_ms }: how long a responder loads after answering
 * before it serves again (the rest waits for the next turn). */
#define SPOOL_LOADER_TURN_MS_DEFAULT	50
#define SPOOL_LOADER_TURN_MS_MAX	10000
/* Events of one spool record: a larger batch is several records. */
#define SPOOL_RECORD_EVENTS		512
/* A record's payload is closed once it is this big ... */
#define SPOOL_RECORD_TARGET_BYTES	(1L * 1024 * 1024)
/* ... and a longer length field means a corrupt record. */
#define SPOOL_RECORD_MAX_BYTES		(64L * 1024 * 1024)
/* Events the loader gathers for one transaction (whole records, so up to
 * SPOOL_RECORD_EVENTS - 1 more). */
#define LOADER_CHUNK_EVENTS		1024
/* After a failed load (or token lookup) a process waits this long before
 * it tries again, doubling while it keeps failing up to the maximum: a
 * database that is down (or a host that drops packets, each attempt
 * costing database.connect_timeout) costs one attempt per interval, not
 * one per request. */
#define LOADER_RETRY_US			(1000LL * 1000)
#define LOADER_RETRY_MAX_US		(10LL * 1000 * 1000)
/* A responder's loader thread looks at the spool at least this often. */
#define LOADER_THREAD_IDLE_MS		1000
/* ... at this nice value above the request thread's (setpriority). */
#define LOADER_THREAD_NICE		10
/* ... and gathers what arrives for this long after a turn that emptied it. */
#define LOADER_THREAD_GATHER_MS		100
/* How long `llmopsctl spool drain` waits for another loader's lock. */
#define LOADER_DRAIN_WAIT_MS		10000
/* Below this much free space the spool is reported full (/api/health). */
#define SPOOL_FREE_BYTES_MIN		(4L * 1024 * 1024)

/* The retention of raw events (lib/prune.c, `llmopsctl prune`). */
/* retention { raw_days }: days of raw events (usage_events) kept, counted
 * back from the start of today (UTC); 0 keeps them forever. The rollups
 * are never pruned. */
#define RETENTION_RAW_DAYS_DEFAULT	400
#define RETENTION_RAW_DAYS_MAX		36500
/* Raw events one prune transaction deletes: small, so that the row locks
 * it holds are released before a loader's insert would notice them ... */
#define LIMIT_PRUNE_CHUNK		1000
/* ... and the pause after each full chunk, in which the loaders' inserts
 * and the readers get the database to themselves. */
#define PRUNE_PAUSE_MS			20

/* Money: exact integer units of 1e-12 USD (picodollars). */
#define COST_SCALE_DIGITS		12

#endif
