-- llmops schema 1: organizations, tracking tokens, usage events and their
-- hourly rollups. Applied by `llmopsctl migrate`; never edit an applied
-- migration, add the next number instead.
--
-- Conventions: times are microseconds since the Unix epoch (UTC) in BIGINT
-- columns named *_us; money is exact DECIMAL in USD; text is utf8mb4 with a
-- binary collation, so SQL grouping agrees byte for byte with the rollup
-- keys computed by the responder; absent values are NULL, never ''.

CREATE TABLE organizations (
  id          INT UNSIGNED NOT NULL AUTO_INCREMENT,
  name        VARCHAR(128) NOT NULL COLLATE utf8mb4_general_ci,
  created_us  BIGINT NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_org_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- A tracking token is stored as the SHA-256 of its value, never the value;
-- `prefix` is the few characters `token list` shows to tell tokens apart.
CREATE TABLE tracking_tokens (
  id            INT UNSIGNED NOT NULL AUTO_INCREMENT,
  org_id        INT UNSIGNED NOT NULL,
  token_hash    BINARY(32) NOT NULL,
  prefix        VARCHAR(16) NOT NULL,
  label         VARCHAR(128) NULL,
  status        ENUM('active', 'revoked') NOT NULL DEFAULT 'active',
  created_us    BIGINT NOT NULL,
  expires_us    BIGINT NULL,
  revoked_us    BIGINT NULL,
  last_used_us  BIGINT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_token_hash (token_hash),
  KEY ix_token_org (org_id),
  CONSTRAINT fk_token_org FOREIGN KEY (org_id) REFERENCES organizations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per LiteLLM call, reduced to what we track: no prompts, no
-- completions, no keys, no other headers. `dedupe_key` identifies the call
-- (see lib/event_key.h); a re-posted event hits uq_event_dedupe and is not
-- counted again. `occurred_us` is start_us, else end_us, else received_us:
-- the time reports and the hourly rollup use.
-- No foreign keys here on purpose: they would lock the token and
-- organization rows on every insert; the responder resolves both first.
CREATE TABLE usage_events (
  id                 BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  org_id             INT UNSIGNED NOT NULL,
  token_id           INT UNSIGNED NOT NULL,
  dedupe_key         BINARY(16) NOT NULL,
  source             ENUM('litellm') NOT NULL,
  litellm_id         VARCHAR(255) NULL,
  trace_id           VARCHAR(255) NULL,
  call_type          VARCHAR(64) NULL,
  status             ENUM('success', 'failure') NULL,
  model              VARCHAR(255) NULL,
  model_group        VARCHAR(255) NULL,
  provider           VARCHAR(64) NULL,
  department         VARCHAR(255) NULL,
  team               VARCHAR(255) NULL,
  agent              VARCHAR(255) NULL,
  prompt_tokens      INT UNSIGNED NULL,
  completion_tokens  INT UNSIGNED NULL,
  total_tokens       INT UNSIGNED NULL,
  cache_read_tokens  INT UNSIGNED NULL,
  cache_write_tokens INT UNSIGNED NULL,
  litellm_cost       DECIMAL(20,12) NULL,
  start_us           BIGINT NULL,
  end_us             BIGINT NULL,
  latency_us         BIGINT NULL,
  ttft_us            BIGINT NULL,
  stream             TINYINT(1) NOT NULL DEFAULT 0,
  error_code         VARCHAR(32) NULL,
  error_class        VARCHAR(128) NULL,
  received_us        BIGINT NOT NULL,
  occurred_us        BIGINT NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_event_dedupe (org_id, dedupe_key),
  KEY ix_event_org_time (org_id, occurred_us)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Hourly rollups, updated in the same transaction as the events they count,
-- so reports never scan usage_events. `dims_key` hashes the nullable
-- dimension columns into one fixed-size key (see lib/event_key.h).
CREATE TABLE usage_hourly (
  org_id              INT UNSIGNED NOT NULL,
  hour_us             BIGINT NOT NULL,
  dims_key            BINARY(16) NOT NULL,
  source              ENUM('litellm') NOT NULL,
  department          VARCHAR(255) NULL,
  team                VARCHAR(255) NULL,
  agent               VARCHAR(255) NULL,
  model               VARCHAR(255) NULL,
  provider            VARCHAR(64) NULL,
  status              ENUM('success', 'failure') NULL,
  requests            BIGINT UNSIGNED NOT NULL,
  errors              BIGINT UNSIGNED NOT NULL,
  prompt_tokens       BIGINT UNSIGNED NOT NULL,
  completion_tokens   BIGINT UNSIGNED NOT NULL,
  total_tokens        BIGINT UNSIGNED NOT NULL,
  cache_read_tokens   BIGINT UNSIGNED NOT NULL,
  cache_write_tokens  BIGINT UNSIGNED NOT NULL,
  litellm_cost        DECIMAL(26,12) NOT NULL,
  litellm_cost_events BIGINT UNSIGNED NOT NULL,
  latency_us_sum      BIGINT UNSIGNED NOT NULL,
  latency_count       BIGINT UNSIGNED NOT NULL,
  ttft_us_sum         BIGINT UNSIGNED NOT NULL,
  ttft_count          BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (org_id, hour_us, dims_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
