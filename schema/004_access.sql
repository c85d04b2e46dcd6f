-- llmops schema 4: who may read the data, and what administrators did.

-- A rotated token points at its successor; it stays valid until its
-- expires_us (the grace period), then is refused.
ALTER TABLE tracking_tokens
  ADD COLUMN rotated_to INT UNSIGNED NULL AFTER last_used_us;

-- Every administrative action, never a secret: who (the CLI's system user,
-- or a dashboard user), when, on which organization, what changed.
CREATE TABLE audit_log (
  id        BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  at_us     BIGINT NOT NULL,
  actor     VARCHAR(255) NOT NULL,
  org_id    INT UNSIGNED NULL,
  action    VARCHAR(64) NOT NULL,
  target    VARCHAR(255) NULL,
  details   VARCHAR(2048) NULL,
  PRIMARY KEY (id),
  KEY ix_audit_org (org_id, at_us),
  KEY ix_audit_time (at_us)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Dashboard users. org_id NULL only for superadmins (every organization).
-- password_hash is yescrypt (libcrypt); must_change_password is set for
-- one-time passwords printed by `llmopsctl user add/passwd`.
CREATE TABLE users (
  id                    INT UNSIGNED NOT NULL AUTO_INCREMENT,
  org_id                INT UNSIGNED NULL,
  email                 VARCHAR(255) NOT NULL COLLATE utf8mb4_general_ci,
  role                  ENUM('viewer', 'admin', 'superadmin') NOT NULL,
  password_hash         VARCHAR(255) NOT NULL,
  must_change_password  TINYINT(1) NOT NULL DEFAULT 1,
  status                ENUM('active', 'disabled') NOT NULL DEFAULT 'active',
  created_us            BIGINT NOT NULL,
  password_changed_us   BIGINT NOT NULL,
  last_login_us         BIGINT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_user_email (email),
  KEY ix_user_org (org_id),
  CONSTRAINT fk_user_org FOREIGN KEY (org_id) REFERENCES organizations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Browser sessions: the cookie carries a random id (signed); only its
-- SHA-256 is stored. csrf is the session's anti-CSRF token.
CREATE TABLE sessions (
  id_hash       BINARY(32) NOT NULL,
  user_id       INT UNSIGNED NOT NULL,
  csrf          BINARY(32) NOT NULL,
  created_us    BIGINT NOT NULL,
  expires_us    BIGINT NOT NULL,
  last_seen_us  BIGINT NOT NULL,
  PRIMARY KEY (id_hash),
  KEY ix_session_user (user_id),
  KEY ix_session_expiry (expires_us),
  CONSTRAINT fk_session_user FOREIGN KEY (user_id) REFERENCES users (id)
    ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Failed logins per account and per client address (SHA-256 of the key),
-- for the throttle.
CREATE TABLE login_failures (
  key_hash  BINARY(32) NOT NULL,
  failures  INT UNSIGNED NOT NULL,
  first_us  BIGINT NOT NULL,
  last_us   BIGINT NOT NULL,
  PRIMARY KEY (key_hash)
) ENGINE=InnoDB;

-- Read-only keys for the JSON API (Authorization: Bearer llk_...), stored
-- as SHA-256 like tracking tokens.
CREATE TABLE api_keys (
  id            INT UNSIGNED NOT NULL AUTO_INCREMENT,
  org_id        INT UNSIGNED NOT NULL,
  key_hash      BINARY(32) NOT NULL,
  prefix        VARCHAR(16) NOT NULL,
  label         VARCHAR(128) NULL,
  status        ENUM('active', 'revoked') NOT NULL DEFAULT 'active',
  created_us    BIGINT NOT NULL,
  revoked_us    BIGINT NULL,
  last_used_us  BIGINT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_api_key_hash (key_hash),
  KEY ix_api_key_org (org_id),
  CONSTRAINT fk_api_key_org FOREIGN KEY (org_id) REFERENCES organizations (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
