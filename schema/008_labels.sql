-- llmops schema 8: narrow event rows (issue 11). Every text an event
-- shares with others (department, team, agent, model, provider, model
-- group, call type, error class and code, and what LiteLLM reports of the
-- deployment, the host of api_base, the key, team and organization
-- aliases and its price entry) is stored once, in `labels`, and an event
-- row holds its 4-byte id. The rows are in usage_event_rows; usage_events
-- is now a view with the texts joined back, the same columns as before,
-- for reports, exports and anyone reading the database with SQL.
--
-- Labels are shared by every organization: a label row says nothing about
-- who uses it (every read of events is by organization). They are never
-- deleted or changed: an id always means the same text. kind: 1
-- department, 2 team, 3 agent, 4 model, 5 provider, 6 model group, 7 call
-- type, 8 error class, 9 error code, 10 deployment (LiteLLM's model_id),
-- 11 api host, 12 key alias, 13 team alias, 14 organization alias, 15
-- price entry (model_map_key); lib/db_label.h.

CREATE TABLE labels (
  id     INT UNSIGNED NOT NULL AUTO_INCREMENT,
  kind   TINYINT UNSIGNED NOT NULL,
  value  VARCHAR(255) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_label (kind, value)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

INSERT INTO labels (kind, value)
  SELECT DISTINCT 1, department FROM usage_events WHERE department IS NOT NULL;
INSERT INTO labels (kind, value)
  SELECT DISTINCT 2, team FROM usage_events WHERE team IS NOT NULL;
INSERT INTO labels (kind, value)
  SELECT DISTINCT 3, agent FROM usage_events WHERE agent IS NOT NULL;
INSERT INTO labels (kind, value)
  SELECT DISTINCT 4, model FROM usage_events WHERE model IS NOT NULL;
INSERT INTO labels (kind, value)
  SELECT DISTINCT 5, provider FROM usage_events WHERE provider IS NOT NULL;
INSERT INTO labels (kind, value)
  SELECT DISTINCT 6, model_group FROM usage_events
   WHERE model_group IS NOT NULL;
INSERT INTO labels (kind, value)
  SELECT DISTINCT 7, call_type FROM usage_events WHERE call_type IS NOT NULL;
INSERT INTO labels (kind, value)
  SELECT DISTINCT 8, error_class FROM usage_events
   WHERE error_class IS NOT NULL;
INSERT INTO labels (kind, value)
  SELECT DISTINCT 9, error_code FROM usage_events WHERE error_code IS NOT NULL;

-- The costs are DECIMAL(20,12) USD like before; the new ones are what
-- LiteLLM reports: the money a cache hit saved (saved_cache_cost) and its
-- cost_breakdown. cache_hit: NULL unknown (a normal call), 0 or 1.
CREATE TABLE usage_event_rows (
  id                    BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  org_id                INT UNSIGNED NOT NULL,
  token_id              INT UNSIGNED NOT NULL,
  dedupe_key            BINARY(16) NOT NULL,
  occurred_us           BIGINT NOT NULL,
  received_us           BIGINT NOT NULL,
  litellm_id            VARCHAR(255) NULL,
  trace_id              VARCHAR(255) NULL,
  status                ENUM('success', 'failure') NULL,
  cost_source           ENUM('price_table', 'override', 'litellm',
                             'unpriced') NOT NULL DEFAULT 'unpriced',
  stream                TINYINT(1) NOT NULL DEFAULT 0,
  cache_hit             TINYINT(1) NULL,
  department_id         INT UNSIGNED NULL,
  team_id               INT UNSIGNED NULL,
  agent_id              INT UNSIGNED NULL,
  model_id              INT UNSIGNED NULL,
  provider_id           INT UNSIGNED NULL,
  model_group_id        INT UNSIGNED NULL,
  call_type_id          INT UNSIGNED NULL,
  error_class_id        INT UNSIGNED NULL,
  error_code_id         INT UNSIGNED NULL,
  deployment_id         INT UNSIGNED NULL,
  api_host_id           INT UNSIGNED NULL,
  key_alias_id          INT UNSIGNED NULL,
  team_alias_id         INT UNSIGNED NULL,
  org_alias_id          INT UNSIGNED NULL,
  price_key_id          INT UNSIGNED NULL,
  prompt_tokens         INT UNSIGNED NULL,
  completion_tokens     INT UNSIGNED NULL,
  total_tokens          INT UNSIGNED NULL,
  cache_read_tokens     INT UNSIGNED NULL,
  cache_write_tokens    INT UNSIGNED NULL,
  reasoning_tokens      INT UNSIGNED NULL,
  cache_write_1h_tokens INT UNSIGNED NULL,
  litellm_cost          DECIMAL(20,12) NULL,
  our_cost              DECIMAL(20,12) NULL,
  cost                  DECIMAL(20,12) NULL,
  price_id              INT UNSIGNED NULL,
  discount_id           INT UNSIGNED NULL,
  saved_cache_cost      DECIMAL(20,12) NULL,
  cb_input_cost         DECIMAL(20,12) NULL,
  cb_output_cost        DECIMAL(20,12) NULL,
  cb_cache_read_cost    DECIMAL(20,12) NULL,
  cb_cache_write_cost   DECIMAL(20,12) NULL,
  cb_reasoning_cost     DECIMAL(20,12) NULL,
  cb_tool_cost          DECIMAL(20,12) NULL,
  start_us              BIGINT NULL,
  end_us                BIGINT NULL,
  latency_us            BIGINT NULL,
  ttft_us               BIGINT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_event_dedupe (org_id, dedupe_key),
  KEY ix_event_org_time (org_id, occurred_us)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

INSERT INTO usage_event_rows (id, org_id, token_id, dedupe_key, occurred_us,
    received_us, litellm_id, trace_id, status, cost_source, stream,
    department_id, team_id, agent_id, model_id, provider_id, model_group_id,
    call_type_id, error_class_id, error_code_id, prompt_tokens,
    completion_tokens, total_tokens, cache_read_tokens, cache_write_tokens,
    reasoning_tokens, cache_write_1h_tokens, litellm_cost, our_cost, cost,
    price_id, discount_id, start_us, end_us, latency_us, ttft_us)
  SELECT e.id, e.org_id, e.token_id, e.dedupe_key, e.occurred_us,
         e.received_us, e.litellm_id, e.trace_id, e.status, e.cost_source,
         e.stream, l1.id, l2.id, l3.id, l4.id, l5.id, l6.id, l7.id, l8.id,
         l9.id, e.prompt_tokens, e.completion_tokens, e.total_tokens,
         e.cache_read_tokens, e.cache_write_tokens, e.reasoning_tokens,
         e.cache_write_1h_tokens, e.litellm_cost, e.our_cost, e.cost,
         e.price_id, e.discount_id, e.start_us, e.end_us, e.latency_us,
         e.ttft_us
    FROM usage_events e
    LEFT JOIN labels l1 ON l1.kind = 1 AND l1.value = e.department
    LEFT JOIN labels l2 ON l2.kind = 2 AND l2.value = e.team
    LEFT JOIN labels l3 ON l3.kind = 3 AND l3.value = e.agent
    LEFT JOIN labels l4 ON l4.kind = 4 AND l4.value = e.model
    LEFT JOIN labels l5 ON l5.kind = 5 AND l5.value = e.provider
    LEFT JOIN labels l6 ON l6.kind = 6 AND l6.value = e.model_group
    LEFT JOIN labels l7 ON l7.kind = 7 AND l7.value = e.call_type
    LEFT JOIN labels l8 ON l8.kind = 8 AND l8.value = e.error_class
    LEFT JOIN labels l9 ON l9.kind = 9 AND l9.value = e.error_code
   ORDER BY e.id;

DROP TABLE usage_events;

-- The rows with their texts. MariaDB leaves out the joins of the labels a
-- query does not use (table elimination: each is on a unique key).
CREATE SQL SECURITY INVOKER VIEW usage_events AS
  SELECT e.id, e.org_id, e.token_id, e.dedupe_key,
         CAST('litellm' AS CHAR(7)) AS source, e.litellm_id, e.trace_id,
         l7.value AS call_type, e.status, l4.value AS model,
         l6.value AS model_group, l5.value AS provider,
         l1.value AS department, l2.value AS team, l3.value AS agent,
         e.prompt_tokens, e.completion_tokens, e.total_tokens,
         e.cache_read_tokens, e.cache_write_tokens, e.reasoning_tokens,
         e.cache_write_1h_tokens, e.litellm_cost, e.our_cost, e.cost,
         e.cost_source, e.price_id, e.discount_id, e.start_us, e.end_us,
         e.latency_us, e.ttft_us, e.stream, l9.value AS error_code,
         l8.value AS error_class, e.received_us, e.occurred_us,
         e.cache_hit, e.saved_cache_cost, l10.value AS deployment,
         l11.value AS api_host, l12.value AS key_alias,
         l13.value AS team_alias, l14.value AS org_alias,
         l15.value AS price_key, e.cb_input_cost, e.cb_output_cost,
         e.cb_cache_read_cost, e.cb_cache_write_cost, e.cb_reasoning_cost,
         e.cb_tool_cost
    FROM usage_event_rows e
    LEFT JOIN labels l1 ON l1.id = e.department_id
    LEFT JOIN labels l2 ON l2.id = e.team_id
    LEFT JOIN labels l3 ON l3.id = e.agent_id
    LEFT JOIN labels l4 ON l4.id = e.model_id
    LEFT JOIN labels l5 ON l5.id = e.provider_id
    LEFT JOIN labels l6 ON l6.id = e.model_group_id
    LEFT JOIN labels l7 ON l7.id = e.call_type_id
    LEFT JOIN labels l8 ON l8.id = e.error_class_id
    LEFT JOIN labels l9 ON l9.id = e.error_code_id
    LEFT JOIN labels l10 ON l10.id = e.deployment_id
    LEFT JOIN labels l11 ON l11.id = e.api_host_id
    LEFT JOIN labels l12 ON l12.id = e.key_alias_id
    LEFT JOIN labels l13 ON l13.id = e.team_alias_id
    LEFT JOIN labels l14 ON l14.id = e.org_alias_id
    LEFT JOIN labels l15 ON l15.id = e.price_key_id;

-- The rollups count LiteLLM's cache hits and sum the money they saved
-- (saved_cache_cost): the Overview's cache savings. Events stored before
-- had neither: 0 is their exact sum. usage_rollup has two more dims, what
-- served each model (parent: the model): 11 its deployments (LiteLLM's
-- model_id), 12 the hosts of their api_base, counting only the events
-- that name one (lib/rollup_dim.h): Model Comparison's deployments.
ALTER TABLE usage_hourly
  ADD COLUMN cache_hits        BIGINT UNSIGNED NOT NULL DEFAULT 0,
  ADD COLUMN saved_cache_cost  DECIMAL(26,12) NOT NULL DEFAULT 0;
ALTER TABLE usage_rollup
  ADD COLUMN cache_hits        BIGINT UNSIGNED NOT NULL DEFAULT 0,
  ADD COLUMN saved_cache_cost  DECIMAL(26,12) NOT NULL DEFAULT 0;
