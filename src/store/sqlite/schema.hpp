// The SQLite schema as versioned migrations. Append a migration to change the schema; never
// edit one that has shipped. Open() applies the ones a file lacks, in one transaction, and
// records each in schema_migrations.
//
// All times are INTEGER microseconds since the Unix epoch (UTC). Tokens, codes and client
// secrets appear only as SHA-256 hex (`*_hash`). Tables are STRICT: a wrongly typed value is an
// error, not a silent conversion.
#pragma once

#include <span>

namespace mcpauth::store::sqlite {

struct Migration {
  int version;
  const char* name;
  const char* sql;
};

inline constexpr char kCreateMigrationsTable[] = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  applied_at INTEGER NOT NULL
) STRICT
)sql";

inline constexpr char kMigration1[] = R"sql(
CREATE TABLE users (
  id                 TEXT PRIMARY KEY,
  username           TEXT NOT NULL COLLATE NOCASE UNIQUE,  -- ASCII case-insensitive
  password_hash      TEXT NOT NULL,                        -- encoded Argon2id
  created_at         INTEGER NOT NULL,
  disabled           INTEGER NOT NULL DEFAULT 0,
  failed_login_count INTEGER NOT NULL DEFAULT 0,
  locked_until       INTEGER
) STRICT;

CREATE TABLE clients (
  client_id                  TEXT PRIMARY KEY,
  secret_hash                TEXT,                 -- SHA-256 hex; NULL for public clients
  name                       TEXT NOT NULL,
  redirect_uris              TEXT NOT NULL,        -- JSON array
  grant_types                TEXT NOT NULL,        -- JSON array
  token_endpoint_auth_method TEXT NOT NULL,
  application_type           TEXT NOT NULL,
  metadata                   TEXT NOT NULL,        -- JSON object
  source                     TEXT NOT NULL CHECK (source IN ('static', 'dcr', 'cimd')),
  created_at                 INTEGER NOT NULL,
  expires_at                 INTEGER
) STRICT;

-- No foreign keys to users or clients: a revoked grant outlives them until purged, so that
-- revocation sync still lists it while access tokens naming it can be valid.
CREATE TABLE grants (
  id         TEXT PRIMARY KEY,
  user_id    TEXT NOT NULL,
  client_id  TEXT NOT NULL,
  scope      TEXT NOT NULL,                        -- space-separated (RFC 6749 §3.3)
  resource   TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
) STRICT;
CREATE INDEX grants_user_client ON grants (user_id, client_id);
CREATE INDEX grants_client ON grants (client_id);
CREATE INDEX grants_revoked_at ON grants (revoked_at) WHERE revoked_at IS NOT NULL;

CREATE TABLE authorization_codes (
  hash           TEXT PRIMARY KEY,                 -- SHA-256 hex of the code
  grant_id       TEXT NOT NULL REFERENCES grants (id) ON DELETE CASCADE,
  redirect_uri   TEXT NOT NULL,
  code_challenge TEXT NOT NULL,                    -- PKCE S256
  scope          TEXT NOT NULL,
  resource       TEXT NOT NULL,
  nonce          TEXT,
  created_at     INTEGER NOT NULL,
  expires_at     INTEGER NOT NULL,
  used_at        INTEGER
) STRICT, WITHOUT ROWID;
CREATE INDEX authorization_codes_grant ON authorization_codes (grant_id);
CREATE INDEX authorization_codes_expires ON authorization_codes (expires_at);

CREATE TABLE refresh_tokens (
  hash          TEXT PRIMARY KEY,                  -- SHA-256 hex of the token
  grant_id      TEXT NOT NULL REFERENCES grants (id) ON DELETE CASCADE,
  parent_hash   TEXT,                              -- no foreign key: parents are purged first
  created_at    INTEGER NOT NULL,
  expires_at    INTEGER NOT NULL,
  used_at       INTEGER,
  superseded_at INTEGER
) STRICT, WITHOUT ROWID;
CREATE INDEX refresh_tokens_grant ON refresh_tokens (grant_id);
CREATE INDEX refresh_tokens_parent ON refresh_tokens (parent_hash) WHERE parent_hash IS NOT NULL;
CREATE INDEX refresh_tokens_expires ON refresh_tokens (expires_at);

CREATE TABLE signing_keys (
  kid         TEXT PRIMARY KEY,
  algorithm   TEXT NOT NULL,
  private_key TEXT NOT NULL,                       -- private JWK or PEM; the file is mode 0600
  state       TEXT NOT NULL CHECK (state IN ('next', 'active', 'retired')),
  created_at  INTEGER NOT NULL,
  not_before  INTEGER NOT NULL,
  retired_at  INTEGER
) STRICT;
CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys (state) WHERE state = 'active';

CREATE TABLE consents (
  user_id    TEXT NOT NULL,
  client_id  TEXT NOT NULL,
  scope      TEXT NOT NULL,
  granted_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, client_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX consents_client ON consents (client_id);

-- AUTOINCREMENT: an id is never reused, so "after_id" paging never skips or repeats.
CREATE TABLE audit_events (
  id        INTEGER PRIMARY KEY AUTOINCREMENT,
  type      TEXT NOT NULL,
  subject   TEXT NOT NULL,
  client_id TEXT NOT NULL,
  grant_id  TEXT NOT NULL,
  ip        TEXT NOT NULL,
  time      INTEGER NOT NULL,
  detail    TEXT NOT NULL                          -- JSON object; never a secret
) STRICT;
CREATE INDEX audit_events_time ON audit_events (time);
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
)sql";

// Grant::last_used_at (the "last used" column of Connected apps). Existing grants read back
// with it unset until their next code exchange or refresh.
inline constexpr char kMigration2[] = R"sql(
ALTER TABLE grants ADD COLUMN last_used_at INTEGER;
)sql";

// Fewer B-tree pages written per refresh (docs/store.md, "What a refresh writes"):
// - refresh_tokens becomes a rowid table, so its rows sit in insertion order: a rotation's new
//   row goes to the last page, and the presented token (issued by the previous rotation) is
//   usually on that page too. Keyed by the random hash, both were random pages of the file.
//   The hash keeps its UNIQUE index, the one random page left.
// - One index (grant_id, parent_hash) replaces (grant_id) and (parent_hash): the cascade from
//   grants and the purge use its first column; the rule's "children of T" and "siblings of T"
//   lookups name the grant, since a token's children are always of its grant.
// - audit_events_time goes: no query uses it (ListAudit pages by id, and its `since` filter is
//   applied while scanning), yet every audit insert wrote one of its pages.
// The rows are copied in (created_at, hash) order; nothing refers to their rowids.
inline constexpr char kMigration3[] = R"sql(
CREATE TABLE refresh_tokens_v3 (
  hash          TEXT NOT NULL UNIQUE,              -- SHA-256 hex of the token
  grant_id      TEXT NOT NULL REFERENCES grants (id) ON DELETE CASCADE,
  parent_hash   TEXT,                              -- no foreign key: parents are purged first
  created_at    INTEGER NOT NULL,
  expires_at    INTEGER NOT NULL,
  used_at       INTEGER,
  superseded_at INTEGER
) STRICT;
INSERT INTO refresh_tokens_v3 (hash, grant_id, parent_hash, created_at, expires_at, used_at,
                               superseded_at)
SELECT hash, grant_id, parent_hash, created_at, expires_at, used_at, superseded_at
FROM refresh_tokens ORDER BY created_at, hash;
DROP TABLE refresh_tokens;
ALTER TABLE refresh_tokens_v3 RENAME TO refresh_tokens;
CREATE INDEX refresh_tokens_grant_parent ON refresh_tokens (grant_id, parent_hash);
CREATE INDEX refresh_tokens_expires ON refresh_tokens (expires_at);
DROP INDEX audit_events_time;
)sql";

// 2025-era MCP sessions (McpSessionStore): by the SHA-256 of the session id, never the id.
inline constexpr char kMigration4[] = R"sql(
CREATE TABLE mcp_sessions (
  id_hash             TEXT PRIMARY KEY,            -- SHA-256 hex of the Mcp-Session-Id
  principal_key       TEXT NOT NULL,
  protocol_version    TEXT NOT NULL,
  client_capabilities TEXT NOT NULL,               -- JSON object
  client_info         TEXT NOT NULL,               -- JSON object
  created_at          INTEGER NOT NULL,
  expires_at          INTEGER NOT NULL
) STRICT;
CREATE INDEX mcp_sessions_expires ON mcp_sessions (expires_at);
)sql";

inline constexpr Migration kMigrations[] = {
    {1, "initial schema", kMigration1},
    {2, "grants.last_used_at", kMigration2},
    {3, "refresh_tokens in insertion order; unused audit index dropped", kMigration3},
    {4, "mcp_sessions", kMigration4},
};

}  // namespace mcpauth::store::sqlite
