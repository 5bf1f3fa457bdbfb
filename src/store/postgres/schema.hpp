// The PostgreSQL schema as versioned migrations. Append a migration to change the schema; never
// edit one that has shipped. Open() applies the missing ones in one transaction under
// pg_advisory_xact_lock, so several nodes starting at once apply each exactly once (the others
// wait for the lock, then find nothing left to do).
//
// Migration 1 is the SQLite schema after its migrations 1–3 (docs/store.md), in PostgreSQL
// types: times BIGINT microseconds since the Unix epoch (UTC), tokens, codes and client secrets
// only as SHA-256 hex (`*_hash`). Differences: the case-insensitive username is a separate
// `username_key` column (ASCII-lowered by the store, as SQLite's NOCASE folds), booleans are
// BOOLEAN, audit ids an identity column, and triggers NOTIFY the other nodes (channel
// `mcpauth_changes`) of a revoked grant or a changed signing key, at commit.
#pragma once

namespace mcpauth::store::postgres {

struct Migration {
  int version;
  const char* name;
  const char* sql;
};

// Taken at the start of the migration transaction: one key per schema.
inline constexpr char kLockMigrations[] =
    "SELECT pg_advisory_xact_lock(hashtext('mcpauth.migrations.' || current_schema()))";

inline constexpr char kCreateMigrationsTable[] = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  applied_at BIGINT NOT NULL
)
)sql";

inline constexpr char kMigration1[] = R"sql(
CREATE TABLE users (
  id                 TEXT PRIMARY KEY,
  username           TEXT NOT NULL,
  username_key       TEXT NOT NULL UNIQUE,          -- ASCII-lowered username
  password_hash      TEXT NOT NULL,                 -- encoded Argon2id
  created_at         BIGINT NOT NULL,
  disabled           BOOLEAN NOT NULL DEFAULT FALSE,
  failed_login_count INTEGER NOT NULL DEFAULT 0,
  locked_until       BIGINT
);

CREATE TABLE clients (
  client_id                  TEXT PRIMARY KEY,
  secret_hash                TEXT,                  -- SHA-256 hex; NULL for public clients
  name                       TEXT NOT NULL,
  redirect_uris              TEXT NOT NULL,         -- JSON array
  grant_types                TEXT NOT NULL,         -- JSON array
  token_endpoint_auth_method TEXT NOT NULL,
  application_type           TEXT NOT NULL,
  metadata                   TEXT NOT NULL,         -- JSON object, kept byte for byte
  source                     TEXT NOT NULL CHECK (source IN ('static', 'dcr', 'cimd')),
  created_at                 BIGINT NOT NULL,
  expires_at                 BIGINT
);

-- No foreign keys to users or clients: a revoked grant outlives them until purged, so that
-- revocation sync still lists it while access tokens naming it can be valid.
CREATE TABLE grants (
  id           TEXT PRIMARY KEY,
  user_id      TEXT NOT NULL,
  client_id    TEXT NOT NULL,
  scope        TEXT NOT NULL,                       -- space-separated (RFC 6749 §3.3)
  resource     TEXT NOT NULL,
  created_at   BIGINT NOT NULL,
  revoked_at   BIGINT,
  last_used_at BIGINT
);
CREATE INDEX grants_user_client ON grants (user_id, client_id);
CREATE INDEX grants_client ON grants (client_id);
CREATE INDEX grants_revoked_at ON grants (revoked_at) WHERE revoked_at IS NOT NULL;

CREATE TABLE authorization_codes (
  hash           TEXT PRIMARY KEY,                  -- SHA-256 hex of the code
  grant_id       TEXT NOT NULL REFERENCES grants (id) ON DELETE CASCADE,
  redirect_uri   TEXT NOT NULL,
  code_challenge TEXT NOT NULL,                     -- PKCE S256
  scope          TEXT NOT NULL,
  resource       TEXT NOT NULL,
  nonce          TEXT,
  created_at     BIGINT NOT NULL,
  expires_at     BIGINT NOT NULL,
  used_at        BIGINT
);
CREATE INDEX authorization_codes_grant ON authorization_codes (grant_id);
CREATE INDEX authorization_codes_expires ON authorization_codes (expires_at);

CREATE TABLE refresh_tokens (
  hash          TEXT PRIMARY KEY,                   -- SHA-256 hex of the token
  grant_id      TEXT NOT NULL REFERENCES grants (id) ON DELETE CASCADE,
  parent_hash   TEXT,                               -- no foreign key: parents are purged first
  created_at    BIGINT NOT NULL,
  expires_at    BIGINT NOT NULL,
  used_at       BIGINT,
  superseded_at BIGINT
);
CREATE INDEX refresh_tokens_grant_parent ON refresh_tokens (grant_id, parent_hash);
CREATE INDEX refresh_tokens_expires ON refresh_tokens (expires_at);

CREATE TABLE signing_keys (
  kid         TEXT PRIMARY KEY,
  algorithm   TEXT NOT NULL,
  private_key TEXT NOT NULL,                        -- private JWK or PEM (see docs/deploy.md)
  state       TEXT NOT NULL CHECK (state IN ('next', 'active', 'retired')),
  created_at  BIGINT NOT NULL,
  not_before  BIGINT NOT NULL,
  retired_at  BIGINT
);
CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys (state) WHERE state = 'active';

CREATE TABLE consents (
  user_id    TEXT NOT NULL,
  client_id  TEXT NOT NULL,
  scope      TEXT NOT NULL,
  granted_at BIGINT NOT NULL,
  PRIMARY KEY (user_id, client_id)
);
CREATE INDEX consents_client ON consents (client_id);

-- An identity is never reused, so "after_id" paging never skips or repeats.
CREATE TABLE audit_events (
  id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  type      TEXT NOT NULL,
  subject   TEXT NOT NULL,
  client_id TEXT NOT NULL,
  grant_id  TEXT NOT NULL,
  ip        TEXT NOT NULL,
  time      BIGINT NOT NULL,
  detail    TEXT NOT NULL                           -- JSON object; never a secret
);
CREATE FUNCTION mcpauth_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only';
END $$;
CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION mcpauth_audit_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION mcpauth_audit_append_only();

-- Fan-out (docs/store.md, "Change notifications"): delivered to every listening node when the
-- transaction commits, never for one that rolls back.
CREATE FUNCTION mcpauth_notify_grant_revoked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('mcpauth_changes', 'grant ' || NEW.revoked_at || ' ' || NEW.id);
  RETURN NULL;
END $$;
CREATE TRIGGER grants_notify_revoked AFTER UPDATE OF revoked_at ON grants
  FOR EACH ROW WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL)
  EXECUTE FUNCTION mcpauth_notify_grant_revoked();
CREATE FUNCTION mcpauth_notify_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('mcpauth_changes', 'keys');
  RETURN NULL;
END $$;
CREATE TRIGGER signing_keys_notify AFTER INSERT OR UPDATE OR DELETE ON signing_keys
  FOR EACH STATEMENT EXECUTE FUNCTION mcpauth_notify_keys();
)sql";

// 2025-era MCP sessions (McpSessionStore), by the SHA-256 of the session id, never the id. A
// deleted session (DELETE, housekeeping of expired ones) is notified to every node as
// "session <id_hash>", so that none of them keeps serving it from its cache.
inline constexpr char kMigration2[] = R"sql(
CREATE TABLE mcp_sessions (
  id_hash             TEXT PRIMARY KEY,             -- SHA-256 hex of the Mcp-Session-Id
  principal_key       TEXT NOT NULL,
  protocol_version    TEXT NOT NULL,
  client_capabilities TEXT NOT NULL,                -- JSON object
  client_info         TEXT NOT NULL,                -- JSON object
  created_at          BIGINT NOT NULL,
  expires_at          BIGINT NOT NULL
);
CREATE INDEX mcp_sessions_expires ON mcp_sessions (expires_at);
CREATE FUNCTION mcpauth_notify_mcp_session_ended() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('mcpauth_changes', 'session ' || OLD.id_hash);
  RETURN NULL;
END $$;
CREATE TRIGGER mcp_sessions_notify_ended AFTER DELETE ON mcp_sessions
  FOR EACH ROW EXECUTE FUNCTION mcpauth_notify_mcp_session_ended();
)sql";

inline constexpr Migration kMigrations[] = {
    {1, "initial schema (SQLite migrations 1-3) with change notifications", kMigration1},
    {2, "mcp_sessions with end-of-session notifications", kMigration2},
};

}  // namespace mcpauth::store::postgres
