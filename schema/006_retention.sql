-- llmops schema 6: the retention of raw events. `llmopsctl prune`
-- (lib/prune.c) deletes the usage_events that occurred before the horizon;
-- the rollups are never pruned, so every report over those days still
-- counts them.
--
-- One row. raw_before_us is the horizon: the raw events that occurred
-- before it have been pruned (0: none ever was). It is always the start
-- of a UTC day, so whole hours of the rollups lie on either side of it;
-- it only moves forward, and is recorded before the deletes begin, so a
-- rollup rebuild (lib/rollup.c) keeps the rollups before it instead of
-- recomputing them from events that are going. raw_days is the retention
-- that set it, for the Events view's notice.

CREATE TABLE retention_state (
  id             TINYINT UNSIGNED NOT NULL,
  raw_before_us  BIGINT NOT NULL,
  raw_days       INT UNSIGNED NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT ck_retention_one_row CHECK (id = 1)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

INSERT INTO retention_state (id, raw_before_us, raw_days) VALUES (1, 0, 0);
