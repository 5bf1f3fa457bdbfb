// The store: where the authorization server keeps users, clients, grants, codes, refresh
// tokens, signing keys, consents and the audit log.
//
// One narrow interface per area, and a `Store` facade that is all of them. A component takes
// the narrowest interface it needs (the login page a UserStore&, the resource server's
// revocation sync a GrantStore&), so its tests can fake just that; a backend implements Store
// once, because some operations cross areas atomically (deleting a user revokes its grants and
// consents; a refresh-token replay revokes the grant).
//
// Contract of every method (docs/store.md has the details and the refresh grace rule):
// - returns Result<T>; failures are store::Errc values, identical for every backend;
// - takes `now` as a parameter where time matters, so backends are pure and testable;
// - is safe to call from any thread, concurrently;
// - single use of codes and refresh tokens is enforced atomically here, never by the caller.
// Ownership: a Store is owned by whoever opened it (a unique_ptr); references to its
// sub-interfaces must not outlive it.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mcpauth/core/result.hpp"
#include "mcpauth/store/errc.hpp"
#include "mcpauth/store/types.hpp"

namespace mcpauth::store {

class UserStore {
 public:
  virtual ~UserStore() = default;
  // kConflict if the id or (case-insensitively) the username exists.
  virtual Status CreateUser(const User& user) = 0;
  virtual Result<User> GetUser(std::string_view id) = 0;
  // ASCII-case-insensitive match (see User::username).
  virtual Result<User> FindUserByUsername(std::string_view username) = 0;
  // All users, ordered by id.
  virtual Result<std::vector<User>> ListUsers() = 0;
  virtual Status SetPasswordHash(std::string_view id, std::string_view password_hash) = 0;
  virtual Status SetUserDisabled(std::string_view id, bool disabled) = 0;
  // Atomically counts a failed login and, at policy.max_failures, locks the account until
  // now + policy.lock_for and resets the count. Returns the updated user.
  virtual Result<User> RecordLoginFailure(std::string_view id, TimePoint now,
                                          const LockoutPolicy& policy) = 0;
  // Resets the failure count and any lock.
  virtual Status RecordLoginSuccess(std::string_view id) = 0;
  // Deletes the user and its consents, and revokes (keeps, for revocation sync) its grants.
  virtual Status DeleteUser(std::string_view id, TimePoint now) = 0;
};

class ClientStore {
 public:
  virtual ~ClientStore() = default;
  // kConflict if the client_id exists.
  virtual Status CreateClient(const Client& client) = 0;
  // Inserts or replaces (a re-fetched metadata document, static configuration at start-up).
  virtual Status PutClient(const Client& client) = 0;
  virtual Result<Client> GetClient(std::string_view client_id) = 0;
  // All clients, ordered by client_id.
  virtual Result<std::vector<Client>> ListClients() = 0;
  // Deletes the client and its consents, and revokes its grants.
  virtual Status DeleteClient(std::string_view client_id, TimePoint now) = 0;
};

// Grants and what hangs on them: authorization codes and refresh tokens. One interface because
// revocation cascades from grants to both, atomically.
class GrantStore {
 public:
  virtual ~GrantStore() = default;

  // ---- grants ----
  // kConflict if the id exists; created_at and last_used_at are kept, revoked_at must be unset.
  virtual Status CreateGrant(const Grant& grant) = 0;
  virtual Result<Grant> GetGrant(std::string_view id) = 0;
  // Grants matching the filter (an empty filter matches all), ordered by (created_at, id).
  virtual Result<std::vector<Grant>> ListGrants(const GrantFilter& filter,
                                                bool include_revoked) = 0;
  // Revokes the grant: its codes and refresh tokens stop working at once. Idempotent (the first
  // revoked_at is kept); kNotFound for an unknown id.
  virtual Status RevokeGrant(std::string_view id, TimePoint now) = 0;
  // Revokes every unrevoked grant matching the filter ("Disconnect" = user + client); returns
  // how many. kInvalidArgument for an empty filter: revoking everything is not a filter.
  virtual Result<int64_t> RevokeGrants(const GrantFilter& filter, TimePoint now) = 0;
  // Grants with revoked_at >= since, ordered by (revoked_at, id): the resource servers'
  // revoked-grant set is loaded with since = now - access-token lifetime, then polled with the
  // last revoked_at seen minus a margin (duplicates are harmless; docs/store.md).
  virtual Result<std::vector<RevokedGrant>> ListRevokedGrantsSince(TimePoint since) = 0;

  // ---- authorization codes ----
  // kNotFound if the grant does not exist, kRevoked if it is revoked, kConflict for a known hash.
  virtual Status CreateCode(const AuthorizationCode& code) = 0;
  // Single use, atomically: marks the code used and returns it with its grant only if it is
  // unused, unexpired (now < expires_at) and its grant unrevoked; the grant's last_used_at
  // becomes `now` in the same step (the returned grant has it). Otherwise, in this order:
  // kNotFound (unknown), kAlreadyUsed (a replay: RFC 6749 §4.1.2 says revoke the grant — get
  // its id with GetCode), kRevoked, kExpired. Of N concurrent calls at most one succeeds.
  virtual Result<ConsumedCode> ConsumeCode(std::string_view hash, TimePoint now) = 0;
  // The code in any state (used, expired), for classifying a failed ConsumeCode.
  virtual Result<AuthorizationCode> GetCode(std::string_view hash) = 0;

  // ---- refresh tokens ----
  // Stores a new, live token (used_at and superseded_at unset): kNotFound if the grant does not
  // exist, kRevoked if it is revoked, kConflict for a known hash.
  virtual Status CreateRefreshToken(const RefreshToken& token) = 0;
  virtual Result<RefreshToken> GetRefreshToken(std::string_view hash) = 0;
  // Atomically retires the presented token and stores its successor, under the grace rule of
  // docs/store.md, and sets the grant's last_used_at to rotation.now (on a rotation and on a
  // grace issue alike; the returned grant has it). Failures, in this order: kNotFound (unknown
  // hash, or the grant belongs to another client: nothing changes), kRevoked, kExpired,
  // kReplayDetected (the presented token was used outside the grace rule: the grant is now
  // revoked, last_used_at unchanged), kConflict (new_hash is taken). rotation.audit, if set,
  // supplies the outcome's audit event, appended in the same transaction (types.hpp).
  virtual Result<RotatedRefresh> RotateRefreshToken(const RefreshRotation& rotation) = 0;

  // Housekeeping: deletes codes and refresh tokens with expires_at <= now, and grants revoked
  // before `revoked_before` (choose it at least one access-token lifetime in the past, so the
  // revocation is still listed while tokens naming the grant can be valid).
  virtual Result<PurgeCounts> PurgeExpired(TimePoint now, TimePoint revoked_before) = 0;
};

class SigningKeyStore {
 public:
  virtual ~SigningKeyStore() = default;
  // kConflict if the kid exists, or if state is kActive and another key is active.
  virtual Status CreateSigningKey(const SigningKey& key) = 0;
  virtual Result<SigningKey> GetSigningKey(std::string_view kid) = 0;
  // kNotFound if no key is active.
  virtual Result<SigningKey> GetActiveSigningKey() = 0;
  // All keys, ordered by (created_at, kid).
  virtual Result<std::vector<SigningKey>> ListSigningKeys() = 0;
  // Atomically makes `kid` the active key and retires the previous active key (retired_at =
  // now). kFailedPrecondition if `kid` is retired or now < not_before. Activating the active
  // key is a no-op.
  virtual Status ActivateSigningKey(std::string_view kid, TimePoint now) = 0;
  // Deletes a retired key (kFailedPrecondition for a next or active key).
  virtual Status DeleteSigningKey(std::string_view kid) = 0;
};

class ConsentStore {
 public:
  virtual ~ConsentStore() = default;
  // Inserts or replaces the consent of (user_id, client_id).
  virtual Status PutConsent(const Consent& consent) = 0;
  virtual Result<Consent> GetConsent(std::string_view user_id, std::string_view client_id) = 0;
  // A user's consents, ordered by client_id.
  virtual Result<std::vector<Consent>> ListConsents(std::string_view user_id) = 0;
  virtual Status DeleteConsent(std::string_view user_id, std::string_view client_id) = 0;
};

// Append-only: there is no way to change or delete an event through the store (SQLite also
// refuses UPDATE and DELETE on the table with triggers).
class AuditStore {
 public:
  virtual ~AuditStore() = default;
  // Appends the event (its `id` is ignored) and returns the id it got.
  virtual Result<int64_t> AppendAudit(const AuditEvent& event) = 0;
  virtual Result<std::vector<AuditEvent>> ListAudit(const AuditQuery& query) = 0;
};

// 2025-era MCP sessions shared by several nodes (types.hpp, McpSession). Only the hash of a
// session id reaches the store. A node caches the sessions it serves and comes here on a cache
// miss, on create, on delete and, lazily, to push the expiry forward; a deletion is notified to
// every node (StoreChange::kMcpSessionEnded) where the backend has change notifications.
class McpSessionStore {
 public:
  virtual ~McpSessionStore() = default;
  // kConflict for a known id_hash; kInvalidArgument for an empty id_hash.
  virtual Status CreateMcpSession(const McpSession& session) = 0;
  // The session if now < expires_at; kNotFound if it is unknown or expired.
  virtual Result<McpSession> GetMcpSession(std::string_view id_hash, TimePoint now) = 0;
  // Moves a live session's expiry to expires_at (never earlier than it is); kNotFound if the
  // session is unknown or expired at `now`.
  virtual Status TouchMcpSession(std::string_view id_hash, TimePoint expires_at, TimePoint now) = 0;
  // Ends the session (expired or not); kNotFound if unknown.
  virtual Status DeleteMcpSession(std::string_view id_hash) = 0;
  // Housekeeping: deletes the sessions with expires_at <= now; returns how many.
  virtual Result<int64_t> PurgeExpiredMcpSessions(TimePoint now) = 0;
};

// A change made through the store by any process that shares it (another node, an admin
// command), as a backend with change notifications reports it (PostgreSQL: LISTEN/NOTIFY).
struct StoreChange {
  enum class Kind {
    kGrantRevoked,        // grant_id was revoked at revoked_at
    kSigningKeysChanged,  // a signing key was created, activated, retired or deleted
    kMcpSessionEnded,     // the MCP session whose id hashes to mcp_session_hash was deleted
    kResync,              // (re)connected: changes may have been missed, reload what you cache
  };
  Kind kind = Kind::kResync;
  std::string grant_id;
  std::string mcp_session_hash;
  TimePoint revoked_at{};
};
// Called on the store's own thread, one change at a time; it must not block for long.
using ChangeListener = std::function<void(const StoreChange&)>;

class Store : public UserStore,
              public ClientStore,
              public GrantStore,
              public SigningKeyStore,
              public ConsentStore,
              public AuditStore,
              public McpSessionStore {
 public:
  ~Store() override = default;
  // "memory", "sqlite", ...
  virtual std::string_view Backend() const = 0;

  // The refresh token with its grant and the grant's user, in one read where GetRefreshToken,
  // GetGrant and GetUser would take three: what the token endpoint checks before a rotation,
  // and what revocation and introspection look at. kNotFound for an unknown hash. Here rather
  // than in GrantStore because it crosses into the users.
  virtual Result<RefreshTokenContext> GetRefreshTokenContext(std::string_view hash) = 0;

  // Delivers the changes every process makes through this backend to `listener` as they
  // commit (docs/store.md, "Change notifications"), replacing any previous listener; an empty
  // listener stops delivery. When it returns, the previous listener is no longer running.
  // Returns false if the backend has no notifications (memory, SQLite): poll the store instead.
  virtual bool SetChangeListener(ChangeListener listener) {
    (void)listener;
    return false;
  }
};

// Opens a store from a URL or a path:
//   "memory:"                  a new, empty in-memory store (tests, demos);
//   "sqlite:PATH" or a path    SQLite at PATH (created with its directory on first start);
//   "postgres://…", "postgresql://…"
//                              PostgreSQL (a libpq URL; postgres_store.hpp), default options;
//   any other "scheme:"        kUnsupported.
Result<std::unique_ptr<Store>> OpenStore(std::string_view url_or_path);

}  // namespace mcpauth::store
