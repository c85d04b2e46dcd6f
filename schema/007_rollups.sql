-- llmops schema 7: rollups that fit the questions the views ask (issue
-- 11). usage_hourly keys every dimension at once, so it has about as many
-- rows as there are events; these tables key one dimension at a time:
--
-- usage_rollup       the sums per organization x grain (hour or day, UTC)
--                    x one dimension (or none: the totals) x its value,
--                    and of the drill-downs: teams, agents and models
--                    within a department, agents within a team (the
--                    parent's value, then the value).
--                    The Overview, the ranked pages, Model Comparison,
--                    Time Series, the usage API and `llmopsctl usage`
--                    read it whenever the filter names at most the
--                    dimension asked about (lib/db_usage.c says which
--                    statement reads which table).
-- usage_rollup_hist  latency and time-to-first-token histograms of fixed
--                    logarithmic bins (lib/hist.h: within 1.97 %) of the
--                    totals and of each model per hour and day, and of
--                    each department and each model within a department
--                    per day: the percentiles of the Overview and of
--                    Model Comparison.
-- usage_errors       failures per hour x error class x code x model x
--                    provider: the Errors view.
--
-- Written in the same transaction as the events they count (lib/store.c),
-- corrected by repricing, recomputed from raw events by `llmopsctl rollups
-- rebuild` (which `llmopsctl migrate` runs after this file). Never pruned:
-- reports over periods whose raw events are gone read them.
--
-- dim: 0 none (the totals), 1 department, 2 team, 3 agent, 4 model,
-- 5 provider (enum dim of lib/db_usage.h), 6 team within a department,
-- 7 agent within a department, 8 agent within a team, 9 model within a
-- department, 10 status (lib/rollup_dim.h); value and parent '' are
-- untagged (labels are never ''; a status unknown), and the value of dim
-- 0; parent is '' but for dims 6 to 9. grain: 0 hour, 1 day.

CREATE TABLE usage_rollup (
  org_id              INT UNSIGNED NOT NULL,
  grain               TINYINT UNSIGNED NOT NULL,
  dim                 TINYINT UNSIGNED NOT NULL,
  bucket_us           BIGINT NOT NULL,
  parent              VARCHAR(255) NOT NULL,
  value               VARCHAR(255) NOT NULL,
  requests            BIGINT UNSIGNED NOT NULL,
  errors              BIGINT UNSIGNED NOT NULL,
  prompt_tokens       BIGINT UNSIGNED NOT NULL,
  completion_tokens   BIGINT UNSIGNED NOT NULL,
  total_tokens        BIGINT UNSIGNED NOT NULL,
  cache_read_tokens   BIGINT UNSIGNED NOT NULL,
  cache_write_tokens  BIGINT UNSIGNED NOT NULL,
  reasoning_tokens    BIGINT UNSIGNED NOT NULL,
  litellm_cost        DECIMAL(26,12) NOT NULL,
  litellm_cost_events BIGINT UNSIGNED NOT NULL,
  cost                DECIMAL(26,12) NOT NULL,
  priced_requests     BIGINT UNSIGNED NOT NULL,
  our_cost            DECIMAL(26,12) NOT NULL,
  our_cost_events     BIGINT UNSIGNED NOT NULL,
  latency_us_sum      BIGINT UNSIGNED NOT NULL,
  latency_count       BIGINT UNSIGNED NOT NULL,
  ttft_us_sum         BIGINT UNSIGNED NOT NULL,
  ttft_count          BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (org_id, grain, dim, bucket_us, parent, value)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- metric: 0 latency, 1 time to first token; bins: the histogram as
-- lib/hist.h stores it (bin, count), n: its total.
CREATE TABLE usage_rollup_hist (
  org_id     INT UNSIGNED NOT NULL,
  grain      TINYINT UNSIGNED NOT NULL,
  dim        TINYINT UNSIGNED NOT NULL,
  bucket_us  BIGINT NOT NULL,
  parent     VARCHAR(255) NOT NULL,
  value      VARCHAR(255) NOT NULL,
  metric     TINYINT UNSIGNED NOT NULL,
  bins       BLOB NOT NULL,
  n          BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (org_id, grain, dim, bucket_us, parent, value, metric)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- '' is none (an absent class, code, model or provider).
CREATE TABLE usage_errors (
  org_id       INT UNSIGNED NOT NULL,
  hour_us      BIGINT NOT NULL,
  error_class  VARCHAR(128) NOT NULL,
  error_code   VARCHAR(32) NOT NULL,
  model        VARCHAR(255) NOT NULL,
  provider     VARCHAR(64) NOT NULL,
  requests     BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (org_id, hour_us, error_class, error_code, model, provider)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
