-- llmops schema 5: failures by error class and code in the hourly rollups
-- (so the Errors view reads rollups, not raw events), and the values each
-- organization has seen per dimension (filters and drill-downs look them
-- up instead of scanning rollups).
--
-- The rollup key now includes the error class and code: `llmopsctl
-- migrate` rebuilds every rollup row from the raw events after this file
-- (lib/rollup.c), exactly, as sums of the stored event values.

ALTER TABLE usage_hourly
  ADD COLUMN error_class VARCHAR(128) NULL AFTER status,
  ADD COLUMN error_code  VARCHAR(32) NULL AFTER error_class;

CREATE TABLE dimension_values (
  org_id      INT UNSIGNED NOT NULL,
  dim         ENUM('department', 'team', 'agent', 'model', 'provider')
              NOT NULL,
  value       VARCHAR(255) NOT NULL,
  first_us    BIGINT NOT NULL,
  PRIMARY KEY (org_id, dim, value)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

INSERT IGNORE INTO dimension_values (org_id, dim, value, first_us)
  SELECT org_id, 'department', department, MIN(occurred_us) FROM usage_events
   WHERE department IS NOT NULL GROUP BY org_id, department;
INSERT IGNORE INTO dimension_values (org_id, dim, value, first_us)
  SELECT org_id, 'team', team, MIN(occurred_us) FROM usage_events
   WHERE team IS NOT NULL GROUP BY org_id, team;
INSERT IGNORE INTO dimension_values (org_id, dim, value, first_us)
  SELECT org_id, 'agent', agent, MIN(occurred_us) FROM usage_events
   WHERE agent IS NOT NULL GROUP BY org_id, agent;
INSERT IGNORE INTO dimension_values (org_id, dim, value, first_us)
  SELECT org_id, 'model', model, MIN(occurred_us) FROM usage_events
   WHERE model IS NOT NULL GROUP BY org_id, model;
INSERT IGNORE INTO dimension_values (org_id, dim, value, first_us)
  SELECT org_id, 'provider', provider, MIN(occurred_us) FROM usage_events
   WHERE provider IS NOT NULL GROUP BY org_id, provider;
