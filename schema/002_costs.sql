-- llmops schema 2: our own price table and costs we can audit.
--
-- Prices are USD per token as exact DECIMAL (LiteLLM's price-table units).
-- A row with org_id NULL is the default table; a row with an org_id is that
-- organization's override: explicit prices, or a discount_pct on the default
-- price (model '*' = every model). Rows are valid from effective_from_us
-- (inclusive) to effective_to_us (exclusive, NULL = open).

CREATE TABLE prices (
  id                   INT UNSIGNED NOT NULL AUTO_INCREMENT,
  org_id               INT UNSIGNED NULL,
  model                VARCHAR(255) NOT NULL,
  provider             VARCHAR(64) NULL,
  mode                 VARCHAR(32) NULL,
  input                DECIMAL(24,18) NULL,
  output               DECIMAL(24,18) NULL,
  cache_read           DECIMAL(24,18) NULL,
  cache_write          DECIMAL(24,18) NULL,
  cache_write_1h       DECIMAL(24,18) NULL,
  reasoning            DECIMAL(24,18) NULL,
  discount_pct         DECIMAL(9,6) NULL,
  effective_from_us    BIGINT NOT NULL DEFAULT 0,
  effective_to_us      BIGINT NULL,
  created_us           BIGINT NOT NULL,
  PRIMARY KEY (id),
  KEY ix_price_model (model, org_id, effective_from_us),
  KEY ix_price_org (org_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Tiered prices: above `above_tokens` prompt tokens these rates replace the
-- row's own (LiteLLM's *_above_128k_tokens, *_above_200k_tokens, ...).
CREATE TABLE price_tiers (
  price_id             INT UNSIGNED NOT NULL,
  above_tokens         INT UNSIGNED NOT NULL,
  input                DECIMAL(24,18) NULL,
  output               DECIMAL(24,18) NULL,
  cache_read           DECIMAL(24,18) NULL,
  cache_write          DECIMAL(24,18) NULL,
  cache_write_1h       DECIMAL(24,18) NULL,
  PRIMARY KEY (price_id, above_tokens),
  CONSTRAINT fk_tier_price FOREIGN KEY (price_id) REFERENCES prices (id)
    ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Bumped by every change of prices, so responders reload their copy.
CREATE TABLE price_version (
  id       TINYINT UNSIGNED NOT NULL,
  version  BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB;
INSERT INTO price_version VALUES (1, 1);

-- Per event: the counts pricing needs, our cost next to LiteLLM's, the
-- rows used, and which cost counts (cost) with its source. cost is NULL
-- when unpriced: never 0 for "unknown".
ALTER TABLE usage_events
  ADD COLUMN reasoning_tokens      INT UNSIGNED NULL AFTER cache_write_tokens,
  ADD COLUMN cache_write_1h_tokens INT UNSIGNED NULL AFTER reasoning_tokens,
  ADD COLUMN our_cost              DECIMAL(20,12) NULL AFTER litellm_cost,
  ADD COLUMN cost                  DECIMAL(20,12) NULL AFTER our_cost,
  ADD COLUMN cost_source           ENUM('price_table', 'override', 'litellm',
                                        'unpriced') NOT NULL DEFAULT 'unpriced'
                                   AFTER cost,
  ADD COLUMN price_id              INT UNSIGNED NULL AFTER cost_source,
  ADD COLUMN discount_id           INT UNSIGNED NULL AFTER price_id;

ALTER TABLE usage_hourly
  ADD COLUMN cost               DECIMAL(26,12) NOT NULL DEFAULT 0 AFTER litellm_cost_events,
  ADD COLUMN priced_requests    BIGINT UNSIGNED NOT NULL DEFAULT 0 AFTER cost,
  ADD COLUMN our_cost           DECIMAL(26,12) NOT NULL DEFAULT 0 AFTER priced_requests,
  ADD COLUMN our_cost_events    BIGINT UNSIGNED NOT NULL DEFAULT 0 AFTER our_cost,
  ADD COLUMN reasoning_tokens   BIGINT UNSIGNED NOT NULL DEFAULT 0 AFTER cache_write_tokens;

-- Events stored before this schema had only LiteLLM's cost: it counts where
-- it can (a positive cost, or a failure), the rest is unpriced until
-- `llmopsctl reprice` computes ours.
UPDATE usage_events
   SET cost = litellm_cost,
       cost_source = 'litellm'
 WHERE litellm_cost > 0 OR (litellm_cost = 0 AND status = 'failure');
UPDATE usage_hourly h
   SET h.cost = (SELECT COALESCE(SUM(e.cost), 0) FROM usage_events e
                  WHERE e.org_id = h.org_id
                    AND e.occurred_us - MOD(e.occurred_us, 3600000000) = h.hour_us
                    AND e.source = h.source
                    AND e.department <=> h.department AND e.team <=> h.team
                    AND e.agent <=> h.agent AND e.model <=> h.model
                    AND e.provider <=> h.provider AND e.status <=> h.status),
       h.priced_requests = (SELECT COUNT(e.cost) FROM usage_events e
                  WHERE e.org_id = h.org_id
                    AND e.occurred_us - MOD(e.occurred_us, 3600000000) = h.hour_us
                    AND e.source = h.source
                    AND e.department <=> h.department AND e.team <=> h.team
                    AND e.agent <=> h.agent AND e.model <=> h.model
                    AND e.provider <=> h.provider AND e.status <=> h.status);
