// Every SQL statement of the SQLite backend, as a named constant with ?N parameters: values
// are always bound, never concatenated into SQL text. Column lists are in the order the row
// readers in sqlite_store.cpp expect.
#pragma once

namespace mcpauth::store::sqlite::sql {

// ---- schema bookkeeping ----
inline constexpr char kMaxMigration[] = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
inline constexpr char kInsertMigration[] =
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)";

// ---- users ----
inline constexpr char kInsertUser[] =
    "INSERT INTO users (id, username, password_hash, created_at, disabled, failed_login_count, "
    "locked_until) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
inline constexpr char kSelectUser[] =
    "SELECT id, username, password_hash, created_at, disabled, failed_login_count, locked_until "
    "FROM users WHERE id = ?1";
// `username` has COLLATE NOCASE, so `=` folds ASCII case and uses the unique index.
inline constexpr char kSelectUserByName[] =
    "SELECT id, username, password_hash, created_at, disabled, failed_login_count, locked_until "
    "FROM users WHERE username = ?1";
inline constexpr char kSelectUsers[] =
    "SELECT id, username, password_hash, created_at, disabled, failed_login_count, locked_until "
    "FROM users ORDER BY id";
inline constexpr char kUpdatePasswordHash[] = "UPDATE users SET password_hash = ?2 WHERE id = ?1";
inline constexpr char kUpdateDisabled[] = "UPDATE users SET disabled = ?2 WHERE id = ?1";
// One statement, so the count cannot be lost between two concurrent failures. ?2 = now,
// ?3 = max_failures, ?4 = lock duration; the right-hand sides see the row before the update.
inline constexpr char kRecordLoginFailure[] =
    "UPDATE users SET "
    "failed_login_count = CASE WHEN failed_login_count + 1 >= ?3 THEN 0 "
    "ELSE failed_login_count + 1 END, "
    "locked_until = CASE WHEN failed_login_count + 1 >= ?3 THEN ?2 + ?4 ELSE locked_until END "
    "WHERE id = ?1 "
    "RETURNING id, username, password_hash, created_at, disabled, failed_login_count, "
    "locked_until";
inline constexpr char kRecordLoginSuccess[] =
    "UPDATE users SET failed_login_count = 0, locked_until = NULL WHERE id = ?1";
inline constexpr char kDeleteUser[] = "DELETE FROM users WHERE id = ?1";
inline constexpr char kDeleteUserConsents[] = "DELETE FROM consents WHERE user_id = ?1";

// ---- clients ----
inline constexpr char kInsertClient[] =
    "INSERT INTO clients (client_id, secret_hash, name, redirect_uris, grant_types, "
    "token_endpoint_auth_method, application_type, metadata, source, created_at, expires_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
inline constexpr char kUpsertClient[] =
    "INSERT INTO clients (client_id, secret_hash, name, redirect_uris, grant_types, "
    "token_endpoint_auth_method, application_type, metadata, source, created_at, expires_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
    "ON CONFLICT (client_id) DO UPDATE SET secret_hash = excluded.secret_hash, "
    "name = excluded.name, redirect_uris = excluded.redirect_uris, "
    "grant_types = excluded.grant_types, "
    "token_endpoint_auth_method = excluded.token_endpoint_auth_method, "
    "application_type = excluded.application_type, metadata = excluded.metadata, "
    "source = excluded.source, created_at = excluded.created_at, "
    "expires_at = excluded.expires_at";
inline constexpr char kSelectClient[] =
    "SELECT client_id, secret_hash, name, redirect_uris, grant_types, "
    "token_endpoint_auth_method, application_type, metadata, source, created_at, expires_at "
    "FROM clients WHERE client_id = ?1";
inline constexpr char kSelectClients[] =
    "SELECT client_id, secret_hash, name, redirect_uris, grant_types, "
    "token_endpoint_auth_method, application_type, metadata, source, created_at, expires_at "
    "FROM clients ORDER BY client_id";
inline constexpr char kDeleteClient[] = "DELETE FROM clients WHERE client_id = ?1";
inline constexpr char kDeleteClientConsents[] = "DELETE FROM consents WHERE client_id = ?1";

// ---- grants ----
inline constexpr char kInsertGrant[] =
    "INSERT INTO grants (id, user_id, client_id, scope, resource, created_at, revoked_at, "
    "last_used_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, ?7)";
inline constexpr char kSelectGrant[] =
    "SELECT id, user_id, client_id, scope, resource, created_at, revoked_at, last_used_at "
    "FROM grants WHERE id = ?1";
// ?1 user_id or NULL, ?2 client_id or NULL, ?3 include revoked (0/1).
inline constexpr char kSelectGrants[] =
    "SELECT id, user_id, client_id, scope, resource, created_at, revoked_at, last_used_at "
    "FROM grants WHERE (?1 IS NULL OR user_id = ?1) AND (?2 IS NULL OR client_id = ?2) "
    "AND (?3 OR revoked_at IS NULL) ORDER BY created_at, id";
inline constexpr char kRevokeGrant[] =
    "UPDATE grants SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL";
inline constexpr char kRevokeGrants[] =
    "UPDATE grants SET revoked_at = ?3 "
    "WHERE (?1 IS NULL OR user_id = ?1) AND (?2 IS NULL OR client_id = ?2) "
    "AND revoked_at IS NULL";
// Inside the transaction of a code exchange or a refresh (Grant::last_used_at).
inline constexpr char kTouchGrant[] = "UPDATE grants SET last_used_at = ?2 WHERE id = ?1";
// The same, for a grant whose rowid the transaction has just read (one B-tree search fewer).
inline constexpr char kTouchGrantRow[] = "UPDATE grants SET last_used_at = ?2 WHERE rowid = ?1";
inline constexpr char kSelectRevokedSince[] =
    "SELECT id, revoked_at FROM grants WHERE revoked_at >= ?1 ORDER BY revoked_at, id";

// ---- authorization codes ----
inline constexpr char kInsertCode[] =
    "INSERT INTO authorization_codes (hash, grant_id, redirect_uri, code_challenge, scope, "
    "resource, nonce, created_at, expires_at, used_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, NULL)";
inline constexpr char kSelectCode[] =
    "SELECT hash, grant_id, redirect_uri, code_challenge, scope, resource, nonce, created_at, "
    "expires_at, used_at FROM authorization_codes WHERE hash = ?1";
inline constexpr char kSelectCodeWithGrant[] =
    "SELECT c.hash, c.grant_id, c.redirect_uri, c.code_challenge, c.scope, c.resource, "
    "c.nonce, c.created_at, c.expires_at, c.used_at, "
    "g.id, g.user_id, g.client_id, g.scope, g.resource, g.created_at, g.revoked_at, "
    "g.last_used_at "
    "FROM authorization_codes c JOIN grants g ON g.id = c.grant_id WHERE c.hash = ?1";
// The single-use gate: only an unused code is marked. Inside BEGIN IMMEDIATE this is already
// exclusive; the `used_at IS NULL` condition keeps it correct on its own as well.
inline constexpr char kMarkCodeUsed[] =
    "UPDATE authorization_codes SET used_at = ?2 WHERE hash = ?1 AND used_at IS NULL";

// ---- refresh tokens ----
// refresh_tokens is a rowid table (migration 3): rows in insertion order, `hash` UNIQUE.
inline constexpr char kInsertRefresh[] =
    "INSERT INTO refresh_tokens (hash, grant_id, parent_hash, created_at, expires_at, used_at, "
    "superseded_at) VALUES (?1, ?2, ?3, ?4, ?5, NULL, NULL)";
inline constexpr char kSelectRefresh[] =
    "SELECT hash, grant_id, parent_hash, created_at, expires_at, used_at, superseded_at "
    "FROM refresh_tokens WHERE hash = ?1";
// The rotation's read: the token, its grant, then both rowids for the updates that follow.
inline constexpr char kSelectRefreshWithGrant[] =
    "SELECT r.hash, r.grant_id, r.parent_hash, r.created_at, r.expires_at, r.used_at, "
    "r.superseded_at, "
    "g.id, g.user_id, g.client_id, g.scope, g.resource, g.created_at, g.revoked_at, "
    "g.last_used_at, r.rowid, g.rowid "
    "FROM refresh_tokens r JOIN grants g ON g.id = r.grant_id WHERE r.hash = ?1";
// The token, its grant and the grant's user (NULLs if the user is gone), in one read.
inline constexpr char kSelectRefreshContext[] =
    "SELECT r.hash, r.grant_id, r.parent_hash, r.created_at, r.expires_at, r.used_at, "
    "r.superseded_at, "
    "g.id, g.user_id, g.client_id, g.scope, g.resource, g.created_at, g.revoked_at, "
    "g.last_used_at, "
    "u.id, u.username, u.password_hash, u.created_at, u.disabled, u.failed_login_count, "
    "u.locked_until "
    "FROM refresh_tokens r JOIN grants g ON g.id = r.grant_id LEFT JOIN users u ON u.id = "
    "g.user_id "
    "WHERE r.hash = ?1";
// Children and siblings are looked up within the grant, through refresh_tokens_grant_parent.
// ?1 grant, ?2 the presented token's hash.
inline constexpr char kAnyChildUsed[] =
    "SELECT EXISTS (SELECT 1 FROM refresh_tokens WHERE grant_id = ?1 AND parent_hash = ?2 "
    "AND used_at IS NOT NULL)";
// ?1 the presented token's rowid.
inline constexpr char kMarkRefreshUsed[] =
    "UPDATE refresh_tokens SET used_at = ?2 "
    "WHERE rowid = ?1 AND used_at IS NULL AND superseded_at IS NULL";
// ?1 grant, ?2 the presented token's parent_hash, ?3 its hash.
inline constexpr char kSupersedeSiblings[] =
    "UPDATE refresh_tokens SET superseded_at = ?4 "
    "WHERE grant_id = ?1 AND parent_hash = ?2 AND hash <> ?3 AND used_at IS NULL "
    "AND superseded_at IS NULL";

// ---- housekeeping ----
inline constexpr char kPurgeCodes[] =
    "DELETE FROM authorization_codes WHERE expires_at <= ?1 "
    "OR grant_id IN (SELECT id FROM grants WHERE revoked_at < ?2)";
inline constexpr char kPurgeRefresh[] =
    "DELETE FROM refresh_tokens WHERE expires_at <= ?1 "
    "OR grant_id IN (SELECT id FROM grants WHERE revoked_at < ?2)";
inline constexpr char kPurgeGrants[] = "DELETE FROM grants WHERE revoked_at < ?1";

// ---- signing keys ----
inline constexpr char kInsertKey[] =
    "INSERT INTO signing_keys (kid, algorithm, private_key, state, created_at, not_before, "
    "retired_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
inline constexpr char kSelectKey[] =
    "SELECT kid, algorithm, private_key, state, created_at, not_before, retired_at "
    "FROM signing_keys WHERE kid = ?1";
inline constexpr char kSelectActiveKey[] =
    "SELECT kid, algorithm, private_key, state, created_at, not_before, retired_at "
    "FROM signing_keys WHERE state = 'active'";
inline constexpr char kSelectKeys[] =
    "SELECT kid, algorithm, private_key, state, created_at, not_before, retired_at "
    "FROM signing_keys ORDER BY created_at, kid";
inline constexpr char kRetireActiveKey[] =
    "UPDATE signing_keys SET state = 'retired', retired_at = ?1 WHERE state = 'active'";
inline constexpr char kActivateKey[] = "UPDATE signing_keys SET state = 'active' WHERE kid = ?1";
inline constexpr char kDeleteKey[] = "DELETE FROM signing_keys WHERE kid = ?1";

// ---- consents ----
inline constexpr char kUpsertConsent[] =
    "INSERT INTO consents (user_id, client_id, scope, granted_at) VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (user_id, client_id) DO UPDATE SET scope = excluded.scope, "
    "granted_at = excluded.granted_at";
inline constexpr char kSelectConsent[] =
    "SELECT user_id, client_id, scope, granted_at FROM consents "
    "WHERE user_id = ?1 AND client_id = ?2";
inline constexpr char kSelectConsents[] =
    "SELECT user_id, client_id, scope, granted_at FROM consents WHERE user_id = ?1 "
    "ORDER BY client_id";
inline constexpr char kDeleteConsent[] =
    "DELETE FROM consents WHERE user_id = ?1 AND client_id = ?2";

// ---- MCP sessions ----
inline constexpr char kInsertMcpSession[] =
    "INSERT INTO mcp_sessions (id_hash, principal_key, protocol_version, client_capabilities, "
    "client_info, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
inline constexpr char kSelectMcpSession[] =
    "SELECT id_hash, principal_key, protocol_version, client_capabilities, client_info, "
    "created_at, expires_at FROM mcp_sessions WHERE id_hash = ?1 AND expires_at > ?2";
inline constexpr char kTouchMcpSession[] =
    "UPDATE mcp_sessions SET expires_at = MAX(expires_at, ?2) "
    "WHERE id_hash = ?1 AND expires_at > ?3";
inline constexpr char kDeleteMcpSession[] = "DELETE FROM mcp_sessions WHERE id_hash = ?1";
inline constexpr char kPurgeMcpSessions[] = "DELETE FROM mcp_sessions WHERE expires_at <= ?1";

// ---- audit ----
inline constexpr char kInsertAudit[] =
    "INSERT INTO audit_events (type, subject, client_id, grant_id, ip, time, detail) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id";
// ?1 after_id, ?2 since or NULL, ?3..?6 filters or NULL, ?7 limit.
inline constexpr char kSelectAudit[] =
    "SELECT id, type, subject, client_id, grant_id, ip, time, detail FROM audit_events "
    "WHERE id > ?1 AND (?2 IS NULL OR time >= ?2) AND (?3 IS NULL OR type = ?3) "
    "AND (?4 IS NULL OR subject = ?4) AND (?5 IS NULL OR client_id = ?5) "
    "AND (?6 IS NULL OR grant_id = ?6) ORDER BY id LIMIT ?7";

}  // namespace mcpauth::store::sqlite::sql
