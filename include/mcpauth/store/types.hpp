// The rows of the store: plain value types shared by every backend.
//
// Conventions (docs/store.md has the full contract):
// - Times are Clock::TimePoint, kept with MICROSECOND precision by every backend (finer parts
//   are truncated on write), so a value read back compares equal to what a FakeClock produced.
// - Tokens, codes and client secrets appear only as `*_hash` fields: core::TokenHash() of the
//   value, 64 lowercase hex digits. The store refuses anything else (kInvalidArgument), so a
//   plaintext token cannot reach the database by mistake.
// - Scopes are lists of RFC 6749 §3.3 scope tokens (non-empty, no space), kept in order.
// - An empty std::string means "absent" only where a field says so.
// Thread-safety: plain value types.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "mcpauth/core/clock.hpp"
#include "mcpauth/core/secret.hpp"

namespace mcpauth::store {

using TimePoint = Clock::TimePoint;

// ---- users -------------------------------------------------------------------------------

struct User {
  std::string id;
  // Unique ASCII-case-insensitively ("Alice" and "alice" collide); other bytes compare exactly:
  // Unicode case mapping / normalisation (PRECIS) is the caller's job before it gets here.
  std::string username;
  // The encoded Argon2id string ("$argon2id$v=19$m=...$salt$hash"). Hashing and verifying are
  // not the store's job; it keeps the string opaque.
  std::string password_hash;
  TimePoint created_at;
  bool disabled = false;
  int failed_login_count = 0;
  std::optional<TimePoint> locked_until;

  friend bool operator==(const User&, const User&) = default;
};

// True while the account is locked out.
inline bool IsLocked(const User& user, TimePoint now) {
  return user.locked_until.has_value() && *user.locked_until > now;
}

// How RecordLoginFailure locks an account: after `max_failures` consecutive failures the account
// is locked for `lock_for`, and the counter starts again from zero.
struct LockoutPolicy {
  int max_failures = 5;
  std::chrono::seconds lock_for{std::chrono::minutes(15)};
};

// ---- clients -----------------------------------------------------------------------------

enum class RegistrationSource {
  kStatic = 0,  // configured by the operator
  kDcr = 1,     // Dynamic Client Registration (RFC 7591)
  kCimd = 2,    // a Client ID Metadata Document, fetched from the client_id URL
};

struct Client {
  std::string client_id;  // opaque for DCR/static; the document URL for CIMD
  // core::TokenHash of the client secret; nullopt for a public client ("none" auth method).
  std::optional<std::string> secret_hash;
  std::string name;
  std::vector<std::string> redirect_uris;  // exact-match list (OAuth 2.1 §4.1.1)
  std::vector<std::string> grant_types;
  std::string token_endpoint_auth_method;  // "none" | "client_secret_basic" | ...
  std::string application_type;            // "native" | "web" (OIDC Registration §2)
  std::string metadata_json = "{}";        // all registration metadata, a JSON object
  RegistrationSource source = RegistrationSource::kStatic;
  TimePoint created_at;
  std::optional<TimePoint> expires_at;  // DCR secret expiry / CIMD cache lifetime

  friend bool operator==(const Client&, const Client&) = default;
};

// ---- grants, codes, refresh tokens -------------------------------------------------------

// One authorization of a client by a user for a resource: what codes, refresh tokens and access
// tokens (claim `grant_id`) hang on. Revocation is by grant.
struct Grant {
  std::string id;
  std::string user_id;
  std::string client_id;
  std::vector<std::string> scopes;
  std::string resource;  // RFC 8707 resource indicator: the audience of its access tokens
  TimePoint created_at;
  std::optional<TimePoint> revoked_at;
  // When a token was last issued from the grant: set to `now` by a successful ConsumeCode (the
  // code exchange) and RotateRefreshToken (a refresh), in the same atomic step. CreateGrant
  // keeps what it is given (normally unset). For the "last used" column of Connected apps.
  std::optional<TimePoint> last_used_at;

  friend bool operator==(const Grant&, const Grant&) = default;
};

// What the resource servers' revoked-grant set is synchronised from.
struct RevokedGrant {
  std::string grant_id;
  TimePoint revoked_at;

  friend bool operator==(const RevokedGrant&, const RevokedGrant&) = default;
};

// Which grants RevokeGrants() revokes: those matching every field that is set (at least one).
struct GrantFilter {
  std::optional<std::string> user_id;
  std::optional<std::string> client_id;
};

// An authorization code at rest. The client and user are those of the grant.
struct AuthorizationCode {
  std::string hash;  // core::TokenHash(code)
  std::string grant_id;
  std::string redirect_uri;    // as sent to /authorize, compared exactly at /token
  std::string code_challenge;  // PKCE, method S256 only (OAuth 2.1 §4.1.1, RFC 7636 §4.2)
  std::vector<std::string> scopes;
  std::string resource;
  std::optional<std::string> nonce;  // OpenID Connect nonce, echoed in an ID token
  TimePoint created_at;
  TimePoint expires_at;
  std::optional<TimePoint> used_at;  // set once, by ConsumeCode

  friend bool operator==(const AuthorizationCode&, const AuthorizationCode&) = default;
};

struct ConsumedCode {
  AuthorizationCode code;  // with used_at set
  Grant grant;
};

// A refresh token at rest. Rotation links each token to the one it replaced (`parent_hash`).
struct RefreshToken {
  std::string hash;  // core::TokenHash(token)
  std::string grant_id;
  std::optional<std::string> parent_hash;  // nullopt for the token issued with the code
  TimePoint created_at;
  TimePoint expires_at;
  std::optional<TimePoint> used_at;        // when it was rotated (presented successfully)
  std::optional<TimePoint> superseded_at;  // when a sibling was rotated (docs/store.md)

  friend bool operator==(const RefreshToken&, const RefreshToken&) = default;
};

struct AuditEvent;

// What the rule of docs/store.md made of a presented refresh token, when it got that far.
enum class RotationOutcome {
  kRotate = 0,  // it was live: retired, its siblings superseded, a child issued
  kGrace = 1,   // it had just been rotated: one more child issued (a sibling)
  kReplay = 2,  // anything else: the grant is revoked (the call fails with kReplayDetected)
};

// The arguments of RotateRefreshToken.
struct RefreshRotation {
  std::string old_hash;   // TokenHash of the presented token
  std::string new_hash;   // TokenHash of the successor the caller generated
  std::string client_id;  // the authenticated client: a token of another client is kNotFound
  TimePoint new_expires_at;
  TimePoint now;
  std::chrono::seconds grace{0};  // the grace window of docs/store.md; 0 disables grace
  // Optional: the audit event of the outcome, appended in the rotation's own transaction, so
  // that a rotation, a grace issue or a replay's revocation is never committed without its
  // record, and costs one commit instead of two. Called at most once, after the rule decided
  // and only for an outcome that is then written (never for kNotFound, kRevoked, kExpired; a
  // kConflict rolls the event back with the rest). It runs under the store's lock: it must not
  // call the store. nullopt appends nothing. An event that breaks the AuditEvent contract fails
  // the call with kInvalidArgument, and then nothing changes, not even a replay's revocation.
  std::function<std::optional<AuditEvent>(RotationOutcome)> audit;
};

// The recommended grace window: long enough for parallel refreshes racing over a slow network,
// short enough that a replay from a stolen copy is still detected (docs/store.md).
inline constexpr std::chrono::seconds kDefaultRefreshGrace{30};

// A refresh token read together with its grant and the grant's user
// (Store::GetRefreshTokenContext).
struct RefreshTokenContext {
  RefreshToken token;
  Grant grant;
  std::optional<User> user;  // nullopt if the grant's user no longer exists
};

struct RotatedRefresh {
  Grant grant;
  RefreshToken token;      // the successor, as stored
  bool via_grace = false;  // true if the presented token had been rotated already
};

// ---- signing keys ------------------------------------------------------------------------

enum class KeyState {
  kNext = 0,     // published in the JWKS, not yet signing (so caches learn it first)
  kActive = 1,   // the one key that signs; at most one at a time
  kRetired = 2,  // no longer signs; published until tokens it signed have expired
};

struct SigningKey {
  std::string kid;
  std::string algorithm = "ES256";
  // The private key as text (a private JWK or PEM). A Secret so that it cannot be logged.
  Secret private_key;
  KeyState state = KeyState::kNext;
  TimePoint created_at;
  TimePoint not_before;  // may not be activated earlier
  std::optional<TimePoint> retired_at;

  friend bool operator==(const SigningKey&, const SigningKey&) = default;
};

// ---- MCP sessions ------------------------------------------------------------------------

// A 2025-era MCP session (`Mcp-Session-Id`, Streamable HTTP of 2025-03-26 to 2025-11-25), kept
// in a shared store so that every node serves the session's POSTs (docs/deploy.md). The id is a
// bearer-ish identifier, so only its SHA-256 (core::TokenHash) is stored, like a token's.
struct McpSession {
  std::string id_hash;                   // SHA-256 hex of the session id
  std::string principal_key;             // token subject "\n" client id; empty when auth is off
  std::string protocol_version;          // negotiated at initialize
  std::string client_capabilities_json;  // JSON object, as the client sent it
  std::string client_info_json;          // JSON object, as the client sent it
  TimePoint created_at;
  TimePoint expires_at;  // the session is unknown from this instant on

  friend bool operator==(const McpSession&, const McpSession&) = default;
};

// ---- consents ----------------------------------------------------------------------------

// What a user has agreed to let a client do: at most one row per (user, client).
struct Consent {
  std::string user_id;
  std::string client_id;
  std::vector<std::string> scopes;
  TimePoint granted_at;

  friend bool operator==(const Consent&, const Consent&) = default;
};

// ---- audit -------------------------------------------------------------------------------

// One append-only audit record. Never put a token, code, secret or password in any field: use
// ids and core::Secret::Fingerprint(). Empty strings mean "not applicable".
struct AuditEvent {
  int64_t id = 0;       // assigned by AppendAudit, increasing
  std::string type;     // e.g. "grant.created", "token.refreshed", "grant.revoked", "login.failed"
  std::string subject;  // user id
  std::string client_id;
  std::string grant_id;
  std::string ip;
  TimePoint time;
  std::string detail_json = "{}";  // a JSON object

  friend bool operator==(const AuditEvent&, const AuditEvent&) = default;
};

// Which events ListAudit returns: those matching every set field, in id order, after `after_id`
// (for paging), at most `limit`.
struct AuditQuery {
  int64_t after_id = 0;
  std::optional<TimePoint> since;  // time >= since
  std::optional<std::string> type;
  std::optional<std::string> subject;
  std::optional<std::string> client_id;
  std::optional<std::string> grant_id;
  int limit = 100;  // 1..10000
};

// ---- housekeeping ------------------------------------------------------------------------

struct PurgeCounts {
  int64_t codes = 0;
  int64_t refresh_tokens = 0;
  int64_t grants = 0;

  friend bool operator==(const PurgeCounts&, const PurgeCounts&) = default;
};

}  // namespace mcpauth::store
