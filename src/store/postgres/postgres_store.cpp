// PostgresStore: the store on PostgreSQL through libpq, for several server nodes sharing one
// database (docs/store.md, "The PostgreSQL backend").
//
// Each call borrows a connection from a small pool and runs prepared statements on it. Single
// use is enforced by the database, not by this process: a code is consumed by one
// `UPDATE … WHERE used_at IS NULL`, and every writer of a grant's refresh tokens first locks the
// grant row (SELECT … FOR NO KEY UPDATE), so that the rule of docs/store.md decides on what every
// node has committed. A lost connection is dropped and the next call connects anew: calls fail
// with kUnavailable while the database is away and work again once it is back.
#include "mcpauth/store/postgres_store.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <utility>

#include "mcpauth/core/log.hpp"
#include "store/common.hpp"
#include "store/postgres/pg.hpp"
#include "store/postgres/schema.hpp"
#include "store/postgres/sql.hpp"
#include "store/rows.hpp"

namespace mcpauth::store {
namespace {

using postgres::Conn;
using postgres::Params;
using postgres::Pool;
using postgres::Row;
using postgres::Transaction;
namespace sql = postgres::sql;

constexpr auto ReadUser = rows::ReadUser<Row>;
constexpr auto ReadClient = rows::ReadClient<Row>;
constexpr auto ReadGrant = rows::ReadGrant<Row>;
constexpr auto ReadRevoked = rows::ReadRevoked<Row>;
constexpr auto ReadCode = rows::ReadCode<Row>;
constexpr auto ReadRefresh = rows::ReadRefresh<Row>;
constexpr auto ReadKey = rows::ReadKey<Row>;
constexpr auto ReadConsent = rows::ReadConsent<Row>;
constexpr auto ReadMcpSession = rows::ReadMcpSession<Row>;
constexpr auto ReadAudit = rows::ReadAudit<Row>;
constexpr auto ReadCodeWithGrant = rows::ReadCodeWithGrant<Row>;
constexpr auto ReadRefreshContext = rows::ReadRefreshContext<Row>;

// ---- statement helpers ----

// The first row, read by `read`; kNotFound if there is none.
template <class Read>
auto SelectOne(Conn& c, const char* statement, const Params& params, Read&& read)
    -> decltype(read(std::declval<const Row&>(), 0)) {
  auto rows = c.Exec(statement, params);
  if (!rows) {
    return {boost::system::in_place_error, rows.error()};
  }
  if (rows->empty()) {
    return {boost::system::in_place_error, make_error_code(Errc::kNotFound)};
  }
  return read((*rows)[0], 0);
}

template <class T>
Result<std::vector<T>> SelectAll(Conn& c, const char* statement, const Params& params,
                                 Result<T> (*read)(const Row&, int)) {
  auto rows = c.Exec(statement, params);
  if (!rows) {
    return rows.error();
  }
  std::vector<T> out;
  out.reserve(static_cast<size_t>(rows->size()));
  for (int i = 0; i < rows->size(); ++i) {
    auto value = read((*rows)[i], 0);
    if (!value) {
      return value.error();
    }
    out.push_back(std::move(*value));
  }
  return out;
}

// Runs a statement without rows; returns the number of rows it changed.
Result<int64_t> Execute(Conn& c, const char* statement, const Params& params) {
  auto rows = c.Exec(statement, params);
  if (!rows) {
    return rows.error();
  }
  return rows->changed();
}

// As Execute, but a statement that changed no row means the row does not exist.
Status ExecuteOne(Conn& c, const char* statement, const Params& params) {
  auto changed = Execute(c, statement, params);
  if (!changed) {
    return changed.error();
  }
  if (*changed == 0) {
    return Errc::kNotFound;
  }
  return {};
}

Result<int64_t> ReadInt(const Row& q, int o) { return q.Int(o); }
Result<bool> ReadBool(const Row& q, int o) { return q.Bool(o); }

Params ClientParams(const Client& c) {
  Params p;
  p.Add(c.client_id)
      .Add(c.secret_hash)
      .Add(c.name)
      .Add(detail::EncodeStringList(c.redirect_uris))
      .Add(detail::EncodeStringList(c.grant_types))
      .Add(c.token_endpoint_auth_method)
      .Add(c.application_type)
      .Add(c.metadata_json)
      .Add(detail::SourceName(c.source))
      .Add(c.created_at)
      .Add(c.expires_at);
  return p;
}

// Checks, inside a transaction, that a grant exists and is not revoked (for new codes/tokens).
Status RequireLiveGrant(Conn& c, const std::string& grant_id) {
  auto grant = SelectOne(c, sql::kSelectGrant, Params().Add(grant_id), ReadGrant);
  if (!grant) {
    return grant.error();
  }
  if (grant->revoked_at) {
    return Errc::kRevoked;
  }
  return {};
}

Result<int64_t> InsertAudit(Conn& c, const AuditEvent& e) {
  return SelectOne(c, sql::kInsertAudit,
                   Params()
                       .Add(e.type)
                       .Add(e.subject)
                       .Add(e.client_id)
                       .Add(e.grant_id)
                       .Add(e.ip)
                       .Add(e.time)
                       .Add(e.detail_json),
                   ReadInt);
}

// ---- change notifications ----

// Parses a payload of the triggers in schema.hpp: "grant <revoked_at µs> <id>", "keys" or
// "session <id_hash>".
std::optional<StoreChange> ParseChange(std::string_view payload) {
  if (payload == "keys") {
    return StoreChange{.kind = StoreChange::Kind::kSigningKeysChanged};
  }
  constexpr std::string_view kSession = "session ";
  if (payload.size() > kSession.size() && payload.substr(0, kSession.size()) == kSession) {
    return StoreChange{.kind = StoreChange::Kind::kMcpSessionEnded,
                       .mcp_session_hash = std::string(payload.substr(kSession.size()))};
  }
  constexpr std::string_view kGrant = "grant ";
  if (payload.substr(0, kGrant.size()) != kGrant) {
    return std::nullopt;
  }
  payload.remove_prefix(kGrant.size());
  const size_t space = payload.find(' ');
  if (space == std::string_view::npos || space == 0 || space + 1 >= payload.size()) {
    return std::nullopt;
  }
  int64_t micros = 0;
  for (char ch : payload.substr(0, space)) {
    if (ch < '0' || ch > '9') {
      return std::nullopt;
    }
    micros = micros * 10 + (ch - '0');
  }
  return StoreChange{.kind = StoreChange::Kind::kGrantRevoked,
                     .grant_id = std::string(payload.substr(space + 1)),
                     .revoked_at = detail::FromMicros(micros)};
}

// A thread with a connection of its own that LISTENs on `mcpauth_changes` and hands each
// notification to the listener. After every (re)connection it first delivers kResync: what
// was notified while it was away is lost, so the listener reloads from the store.
class ChangeFeed {
 public:
  ChangeFeed(postgres::ConnectParams params, ChangeListener listener)
      : params_(std::move(params)),
        listener_(std::move(listener)),
        wake_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
        thread_([this] { Run(); }) {}
  ~ChangeFeed() {
    stop_ = true;
    const uint64_t one = 1;
    (void)!::write(wake_, &one, sizeof one);
    thread_.join();
    ::close(wake_);
  }
  ChangeFeed(const ChangeFeed&) = delete;
  ChangeFeed& operator=(const ChangeFeed&) = delete;

 private:
  static constexpr int kRetryMs = 250;

  void Run() {
    std::unique_ptr<Conn> conn;
    while (!stop_) {
      if (conn == nullptr || !conn->ok()) {
        conn.reset();
        auto fresh = Conn::Connect(params_);
        if (!fresh || !(*fresh)->Script("LISTEN mcpauth_changes")) {
          Wait(-1, kRetryMs);
          continue;
        }
        conn = std::move(*fresh);
        log::Info("store: listening for changes from other nodes");
        listener_(StoreChange{.kind = StoreChange::Kind::kResync});
      }
      const int fd = PQsocket(conn->handle());
      if (!Wait(fd, -1)) {
        continue;  // woken to stop
      }
      if (PQconsumeInput(conn->handle()) == 0) {
        log::Warn("store: lost the change-notification connection; reconnecting");
        conn.reset();
        continue;
      }
      while (PGnotify* n = PQnotifies(conn->handle())) {
        if (auto change = ParseChange(n->extra)) {
          listener_(*change);
        }
        PQfreemem(n);
      }
    }
  }

  // Waits until `fd` is readable (true) or until woken or `timeout_ms` passes (false).
  bool Wait(int fd, int timeout_ms) {
    pollfd fds[2] = {{.fd = wake_, .events = POLLIN, .revents = 0},
                     {.fd = fd, .events = POLLIN, .revents = 0}};
    const int n = ::poll(fds, fd >= 0 ? 2 : 1, timeout_ms);
    return n > 0 && fd >= 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0 &&
           (fds[0].revents & POLLIN) == 0;
  }

  const postgres::ConnectParams params_;
  const ChangeListener listener_;
  std::atomic<bool> stop_{false};
  const int wake_;
  std::thread thread_;
};

class PostgresStore final : public Store {
 public:
  PostgresStore(postgres::ConnectParams params, size_t pool_size)
      : pool_(std::move(params), pool_size) {}
  ~PostgresStore() override { (void)SetChangeListener(nullptr); }
  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;

  std::string_view Backend() const override { return "postgres"; }

  bool SetChangeListener(ChangeListener listener) override {
    std::lock_guard lock(feed_mu_);
    feed_.reset();  // joins its thread: the previous listener is not running after this
    if (listener) {
      feed_ = std::make_unique<ChangeFeed>(pool_.params(), std::move(listener));
    }
    return true;
  }

  // ---- users ----

  Status CreateUser(const User& u) override {
    if (auto ok = detail::ValidateUser(u); !ok) {
      return ok;
    }
    return Run([&](Conn& c) -> Status {
      auto changed = Execute(c, sql::kInsertUser,
                             Params()
                                 .Add(u.id)
                                 .Add(u.username)
                                 .Add(u.password_hash)
                                 .Add(u.created_at)
                                 .Add(u.disabled)
                                 .Add(u.failed_login_count)
                                 .Add(u.locked_until)
                                 .Add(detail::AsciiLower(u.username)));
      return changed ? Status() : Status(changed.error());
    });
  }

  Result<User> GetUser(std::string_view id) override {
    return Run([&](Conn& c) { return SelectOne(c, sql::kSelectUser, Params().Add(id), ReadUser); });
  }

  Result<User> FindUserByUsername(std::string_view username) override {
    return Run([&](Conn& c) {
      return SelectOne(c, sql::kSelectUserByName, Params().Add(detail::AsciiLower(username)),
                       ReadUser);
    });
  }

  Result<std::vector<User>> ListUsers() override {
    return Run([&](Conn& c) { return SelectAll(c, sql::kSelectUsers, Params(), ReadUser); });
  }

  Status SetPasswordHash(std::string_view id, std::string_view password_hash) override {
    if (auto ok = detail::ValidatePasswordHash(password_hash); !ok) {
      return ok;
    }
    return Run([&](Conn& c) {
      return ExecuteOne(c, sql::kUpdatePasswordHash, Params().Add(id).Add(password_hash));
    });
  }

  Status SetUserDisabled(std::string_view id, bool disabled) override {
    return Run([&](Conn& c) {
      return ExecuteOne(c, sql::kUpdateDisabled, Params().Add(id).Add(disabled));
    });
  }

  Result<User> RecordLoginFailure(std::string_view id, TimePoint now,
                                  const LockoutPolicy& policy) override {
    if (auto ok = detail::ValidateLockoutPolicy(policy); !ok) {
      return ok.error();
    }
    const int64_t lock_us =
        std::chrono::duration_cast<std::chrono::microseconds>(policy.lock_for).count();
    return Run([&](Conn& c) {
      return SelectOne(c, sql::kRecordLoginFailure,
                       Params().Add(id).Add(now).Add(policy.max_failures).Add(lock_us), ReadUser);
    });
  }

  Status RecordLoginSuccess(std::string_view id) override {
    return Run([&](Conn& c) { return ExecuteOne(c, sql::kRecordLoginSuccess, Params().Add(id)); });
  }

  Status DeleteUser(std::string_view id, TimePoint now) override {
    return DeleteWithGrants(sql::kDeleteUser, id, Params().Add(id).AddNull().Add(now),
                            sql::kDeleteUserConsents);
  }

  // A user or a client removed with what hangs off it, in one transaction: the row (kNotFound if
  // absent), its grants revoked (`revoke` are kRevokeGrants' parameters), its consents deleted.
  Status DeleteWithGrants(const char* delete_row, std::string_view id, const Params& revoke,
                          const char* delete_consents) {
    return InTransaction([&](Conn& c) -> Status {
      if (auto ok = ExecuteOne(c, delete_row, Params().Add(id)); !ok) {
        return ok;
      }
      auto revoked = Execute(c, sql::kRevokeGrants, revoke);
      if (!revoked) {
        return revoked.error();
      }
      auto deleted = Execute(c, delete_consents, Params().Add(id));
      return deleted ? Status() : Status(deleted.error());
    });
  }

  Status WriteClient(const char* statement, const Client& client) {
    return Run([&](Conn& c) -> Status {
      auto changed = Execute(c, statement, ClientParams(client));
      return changed ? Status() : Status(changed.error());
    });
  }

  // ---- clients ----

  Status CreateClient(const Client& client) override {
    if (auto ok = detail::ValidateClient(client); !ok) {
      return ok;
    }
    return WriteClient(sql::kInsertClient, client);
  }

  Status PutClient(const Client& client) override {
    if (auto ok = detail::ValidateClient(client); !ok) {
      return ok;
    }
    return WriteClient(sql::kUpsertClient, client);
  }

  Result<Client> GetClient(std::string_view client_id) override {
    return Run([&](Conn& c) {
      return SelectOne(c, sql::kSelectClient, Params().Add(client_id), ReadClient);
    });
  }

  Result<std::vector<Client>> ListClients() override {
    return Run([&](Conn& c) { return SelectAll(c, sql::kSelectClients, Params(), ReadClient); });
  }

  Status DeleteClient(std::string_view client_id, TimePoint now) override {
    return DeleteWithGrants(sql::kDeleteClient, client_id,
                            Params().AddNull().Add(client_id).Add(now), sql::kDeleteClientConsents);
  }

  // ---- grants ----

  Status CreateGrant(const Grant& g) override {
    if (auto ok = detail::ValidateGrant(g); !ok) {
      return ok;
    }
    return Run([&](Conn& c) -> Status {
      auto changed = Execute(c, sql::kInsertGrant,
                             Params()
                                 .Add(g.id)
                                 .Add(g.user_id)
                                 .Add(g.client_id)
                                 .Add(detail::JoinScopes(g.scopes))
                                 .Add(g.resource)
                                 .Add(g.created_at)
                                 .Add(g.last_used_at));
      return changed ? Status() : Status(changed.error());
    });
  }

  Result<Grant> GetGrant(std::string_view id) override {
    return Run(
        [&](Conn& c) { return SelectOne(c, sql::kSelectGrant, Params().Add(id), ReadGrant); });
  }

  Result<std::vector<Grant>> ListGrants(const GrantFilter& filter, bool include_revoked) override {
    return Run([&](Conn& c) {
      return SelectAll(c, sql::kSelectGrants,
                       Params().Add(filter.user_id).Add(filter.client_id).Add(include_revoked),
                       ReadGrant);
    });
  }

  Status RevokeGrant(std::string_view id, TimePoint now) override {
    return Run([&](Conn& c) -> Status {
      auto changed = Execute(c, sql::kRevokeGrant, Params().Add(id).Add(now));
      if (!changed) {
        return changed.error();
      }
      if (*changed == 0) {
        // Already revoked (idempotent) or unknown: only the latter is an error.
        auto grant = SelectOne(c, sql::kSelectGrant, Params().Add(id), ReadGrant);
        if (!grant) {
          return grant.error();
        }
      }
      return {};
    });
  }

  Result<int64_t> RevokeGrants(const GrantFilter& filter, TimePoint now) override {
    if (auto ok = detail::ValidateGrantFilterForRevoke(filter); !ok) {
      return ok.error();
    }
    return Run([&](Conn& c) {
      return Execute(c, sql::kRevokeGrants,
                     Params().Add(filter.user_id).Add(filter.client_id).Add(now));
    });
  }

  Result<std::vector<RevokedGrant>> ListRevokedGrantsSince(TimePoint since) override {
    return Run([&](Conn& c) {
      return SelectAll(c, sql::kSelectRevokedSince, Params().Add(since), ReadRevoked);
    });
  }

  // ---- codes ----

  Status CreateCode(const AuthorizationCode& code) override {
    if (auto ok = detail::ValidateCode(code); !ok) {
      return ok;
    }
    return InTransaction([&](Conn& c) -> Status {
      if (auto ok = RequireLiveGrant(c, code.grant_id); !ok) {
        return ok;
      }
      auto changed = Execute(c, sql::kInsertCode,
                             Params()
                                 .Add(code.hash)
                                 .Add(code.grant_id)
                                 .Add(code.redirect_uri)
                                 .Add(code.code_challenge)
                                 .Add(detail::JoinScopes(code.scopes))
                                 .Add(code.resource)
                                 .Add(code.nonce)
                                 .Add(code.created_at)
                                 .Add(code.expires_at));
      return changed ? Status() : Status(changed.error());
    });
  }

  Result<ConsumedCode> ConsumeCode(std::string_view hash, TimePoint now) override {
    now = detail::Truncate(now);  // decide on exactly the value that is stored
    return InTransaction([&](Conn& c) -> Result<ConsumedCode> {
      // Locks the grant (a concurrent revocation waits, or is seen), then reads the code.
      auto row = SelectOne(c, sql::kSelectCodeWithGrant, Params().Add(hash), ReadCodeWithGrant);
      if (!row) {
        return row.error();
      }
      auto& [code, grant] = *row;
      if (auto ok = detail::DecideConsume(code, grant, now); !ok) {
        return ok.error();
      }
      // The single-use gate: one statement, whatever other nodes do at the same moment.
      auto changed = Execute(c, sql::kMarkCodeUsed, Params().Add(hash).Add(now));
      if (!changed) {
        return changed.error();
      }
      if (*changed != 1) {
        return Errc::kAlreadyUsed;
      }
      if (auto ok = ExecuteOne(c, sql::kTouchGrant, Params().Add(grant.id).Add(now)); !ok) {
        return ok.error();
      }
      code.used_at = now;
      grant.last_used_at = now;
      return ConsumedCode{std::move(code), std::move(grant)};
    });
  }

  Result<AuthorizationCode> GetCode(std::string_view hash) override {
    return Run(
        [&](Conn& c) { return SelectOne(c, sql::kSelectCode, Params().Add(hash), ReadCode); });
  }

  // ---- refresh tokens ----

  Status CreateRefreshToken(const RefreshToken& t) override {
    if (auto ok = detail::ValidateRefreshToken(t); !ok) {
      return ok;
    }
    return InTransaction([&](Conn& c) -> Status {
      if (auto ok = RequireLiveGrant(c, t.grant_id); !ok) {
        return ok;
      }
      auto changed = Execute(c, sql::kInsertRefresh,
                             Params()
                                 .Add(t.hash)
                                 .Add(t.grant_id)
                                 .Add(t.parent_hash)
                                 .Add(t.created_at)
                                 .Add(t.expires_at));
      return changed ? Status() : Status(changed.error());
    });
  }

  Result<RefreshToken> GetRefreshToken(std::string_view hash) override {
    return Run([&](Conn& c) {
      return SelectOne(c, sql::kSelectRefresh, Params().Add(hash), ReadRefresh);
    });
  }

  Result<RefreshTokenContext> GetRefreshTokenContext(std::string_view hash) override {
    return Run([&](Conn& c) {
      return SelectOne(c, sql::kSelectRefreshContext, Params().Add(hash), ReadRefreshContext);
    });
  }

  Result<RotatedRefresh> RotateRefreshToken(const RefreshRotation& rotation) override {
    if (auto ok = detail::ValidateRotation(rotation); !ok) {
      return ok.error();
    }
    return InTransaction([&](Conn& c) -> Result<RotatedRefresh> { return Rotate(c, rotation); });
  }

  Result<PurgeCounts> PurgeExpired(TimePoint now, TimePoint revoked_before) override {
    return InTransaction([&](Conn& c) -> Result<PurgeCounts> {
      // Children first, then grants, so that every deleted row is counted (a cascade is not).
      auto codes = Execute(c, sql::kPurgeCodes, Params().Add(now).Add(revoked_before));
      if (!codes) {
        return codes.error();
      }
      auto tokens = Execute(c, sql::kPurgeRefresh, Params().Add(now).Add(revoked_before));
      if (!tokens) {
        return tokens.error();
      }
      auto grants = Execute(c, sql::kPurgeGrants, Params().Add(revoked_before));
      if (!grants) {
        return grants.error();
      }
      return PurgeCounts{.codes = *codes, .refresh_tokens = *tokens, .grants = *grants};
    });
  }

  // ---- signing keys ----

  Status CreateSigningKey(const SigningKey& k) override {
    if (auto ok = detail::ValidateSigningKey(k); !ok) {
      return ok;
    }
    return Run([&](Conn& c) -> Status {
      // A second active key violates the partial unique index signing_keys_one_active.
      auto changed = Execute(c, sql::kInsertKey,
                             Params()
                                 .Add(k.kid)
                                 .Add(k.algorithm)
                                 .Add(k.private_key.Reveal())
                                 .Add(detail::KeyStateName(k.state))
                                 .Add(k.created_at)
                                 .Add(k.not_before)
                                 .Add(k.retired_at));
      return changed ? Status() : Status(changed.error());
    });
  }

  Result<SigningKey> GetSigningKey(std::string_view kid) override {
    return Run([&](Conn& c) { return SelectOne(c, sql::kSelectKey, Params().Add(kid), ReadKey); });
  }

  Result<SigningKey> GetActiveSigningKey() override {
    return Run([&](Conn& c) { return SelectOne(c, sql::kSelectActiveKey, Params(), ReadKey); });
  }

  Result<std::vector<SigningKey>> ListSigningKeys() override {
    return Run([&](Conn& c) { return SelectAll(c, sql::kSelectKeys, Params(), ReadKey); });
  }

  Status ActivateSigningKey(std::string_view kid, TimePoint now) override {
    return InTransaction([&](Conn& c) -> Status {
      if (auto locked = c.Exec(sql::kLockKeys); !locked) {
        return locked.error();
      }
      auto key = SelectOne(c, sql::kSelectKey, Params().Add(kid), ReadKey);
      if (!key) {
        return key.error();
      }
      if (key->state == KeyState::kActive) {
        return {};
      }
      if (key->state == KeyState::kRetired || now < key->not_before) {
        return Errc::kFailedPrecondition;
      }
      auto retired = Execute(c, sql::kRetireActiveKey, Params().Add(now));
      if (!retired) {
        return retired.error();
      }
      return ExecuteOne(c, sql::kActivateKey, Params().Add(kid));
    });
  }

  Status DeleteSigningKey(std::string_view kid) override {
    return InTransaction([&](Conn& c) -> Status {
      if (auto locked = c.Exec(sql::kLockKeys); !locked) {
        return locked.error();
      }
      auto key = SelectOne(c, sql::kSelectKey, Params().Add(kid), ReadKey);
      if (!key) {
        return key.error();
      }
      if (key->state != KeyState::kRetired) {
        return Errc::kFailedPrecondition;
      }
      return ExecuteOne(c, sql::kDeleteKey, Params().Add(kid));
    });
  }

  // ---- consents ----

  Status PutConsent(const Consent& consent) override {
    if (auto ok = detail::ValidateConsent(consent); !ok) {
      return ok;
    }
    return Run([&](Conn& c) -> Status {
      auto changed = Execute(c, sql::kUpsertConsent,
                             Params()
                                 .Add(consent.user_id)
                                 .Add(consent.client_id)
                                 .Add(detail::JoinScopes(consent.scopes))
                                 .Add(consent.granted_at));
      return changed ? Status() : Status(changed.error());
    });
  }

  Result<Consent> GetConsent(std::string_view user_id, std::string_view client_id) override {
    return Run([&](Conn& c) {
      return SelectOne(c, sql::kSelectConsent, Params().Add(user_id).Add(client_id), ReadConsent);
    });
  }

  Result<std::vector<Consent>> ListConsents(std::string_view user_id) override {
    return Run([&](Conn& c) {
      return SelectAll(c, sql::kSelectConsents, Params().Add(user_id), ReadConsent);
    });
  }

  Status DeleteConsent(std::string_view user_id, std::string_view client_id) override {
    return Run([&](Conn& c) {
      return ExecuteOne(c, sql::kDeleteConsent, Params().Add(user_id).Add(client_id));
    });
  }

  // ---- MCP sessions ----

  Status CreateMcpSession(const McpSession& m) override {
    if (m.id_hash.empty()) {
      return Errc::kInvalidArgument;
    }
    return Run([&](Conn& c) -> Status {
      auto changed = Execute(c, sql::kInsertMcpSession,
                             Params()
                                 .Add(m.id_hash)
                                 .Add(m.principal_key)
                                 .Add(m.protocol_version)
                                 .Add(m.client_capabilities_json)
                                 .Add(m.client_info_json)
                                 .Add(m.created_at)
                                 .Add(m.expires_at));
      return changed ? Status() : Status(changed.error());
    });
  }

  Result<McpSession> GetMcpSession(std::string_view id_hash, TimePoint now) override {
    return Run([&](Conn& c) {
      return SelectOne(c, sql::kSelectMcpSession, Params().Add(id_hash).Add(now), ReadMcpSession);
    });
  }

  Status TouchMcpSession(std::string_view id_hash, TimePoint expires_at, TimePoint now) override {
    return Run([&](Conn& c) {
      return ExecuteOne(c, sql::kTouchMcpSession, Params().Add(id_hash).Add(expires_at).Add(now));
    });
  }

  Status DeleteMcpSession(std::string_view id_hash) override {
    return Run(
        [&](Conn& c) { return ExecuteOne(c, sql::kDeleteMcpSession, Params().Add(id_hash)); });
  }

  Result<int64_t> PurgeExpiredMcpSessions(TimePoint now) override {
    return Run([&](Conn& c) { return Execute(c, sql::kPurgeMcpSessions, Params().Add(now)); });
  }

  // ---- audit ----

  Result<int64_t> AppendAudit(const AuditEvent& e) override {
    if (auto ok = detail::ValidateAuditEvent(e); !ok) {
      return ok.error();
    }
    return Run([&](Conn& c) { return InsertAudit(c, e); });
  }

  Result<std::vector<AuditEvent>> ListAudit(const AuditQuery& query) override {
    if (auto ok = detail::ValidateAuditQuery(query); !ok) {
      return ok.error();
    }
    return Run([&](Conn& c) {
      return SelectAll(c, sql::kSelectAudit,
                       Params()
                           .Add(query.after_id)
                           .Add(query.since)
                           .Add(query.type)
                           .Add(query.subject)
                           .Add(query.client_id)
                           .Add(query.grant_id)
                           .Add(query.limit),
                       ReadAudit);
    });
  }

 private:
  // Runs `f` with a connection of the pool (kUnavailable if none can be opened).
  template <class F>
  auto Run(F&& f) -> decltype(f(std::declval<Conn&>())) {
    auto lease = pool_.Acquire();
    if (!lease) {
      return {boost::system::in_place_error, lease.error()};
    }
    return f(**lease);
  }

  // Runs `f` inside BEGIN … COMMIT; a failure of `f` rolls back. A failure that the rule
  // commits on purpose (a replay's revocation) commits itself: see Rotate.
  template <class F>
  auto InTransaction(F&& f) -> decltype(f(std::declval<Conn&>())) {
    return Run([&](Conn& c) -> decltype(f(c)) {
      auto txn = Transaction::Begin(c);
      if (!txn) {
        return {boost::system::in_place_error, txn.error()};
      }
      auto result = f(c);
      if (!result) {
        return result;
      }
      if (auto ok = txn->Commit(); !ok) {
        return {boost::system::in_place_error, ok.error()};
      }
      return result;
    });
  }

  // The rotation of docs/store.md inside the caller's transaction.
  static Result<RotatedRefresh> Rotate(Conn& c, const RefreshRotation& r) {
    const TimePoint now = detail::Truncate(r.now);  // decide on exactly the value that is stored
    // Every rotation of this grant, on any node, waits here for the one before it.
    auto locked = c.Exec(sql::kLockGrantOfRefresh, Params().Add(r.old_hash));
    if (!locked) {
      return locked.error();
    }
    if (locked->empty()) {
      return Errc::kNotFound;
    }
    auto row = SelectOne(c, sql::kSelectRefreshWithGrant, Params().Add(r.old_hash),
                         rows::ReadRefreshWithGrant<Row>);
    if (!row) {
      return row.error();
    }
    auto& [old, grant] = *row;
    bool child_used = false;
    if (old.used_at) {
      auto used =
          SelectOne(c, sql::kAnyChildUsed, Params().Add(old.grant_id).Add(old.hash), ReadBool);
      if (!used) {
        return used.error();
      }
      child_used = *used;
    }
    auto outcome = detail::DecideRotation(old, grant, r, child_used);
    if (!outcome) {
      return outcome.error();
    }
    auto event = rows::RotationAuditEvent(r, *outcome);
    if (!event) {
      return event.error();
    }
    if (*outcome == detail::RotationOutcome::kReplay) {
      // Security: a rotated token came back outside the grace rule — it was copied. Revoke the
      // grant (committed even though the call fails), ending the thief's and the client's
      // tokens alike; the trigger tells every node.
      if (auto revoked = Execute(c, sql::kRevokeGrant, Params().Add(grant.id).Add(now)); !revoked) {
        return revoked.error();
      }
      if (*event) {
        if (auto id = InsertAudit(c, **event); !id) {
          return id.error();
        }
      }
      if (auto ok = c.Script("COMMIT"); !ok) {
        return ok.error();
      }
      return Errc::kReplayDetected;
    }
    if (*outcome == detail::RotationOutcome::kRotate) {
      auto marked = Execute(c, sql::kMarkRefreshUsed, Params().Add(old.hash).Add(now));
      if (!marked) {
        return marked.error();
      }
      if (*marked != 1) {
        return Errc::kInternal;  // impossible under the grant's lock: the row was just read live
      }
      if (old.parent_hash) {
        auto superseded =
            Execute(c, sql::kSupersedeSiblings,
                    Params().Add(old.grant_id).Add(*old.parent_hash).Add(old.hash).Add(now));
        if (!superseded) {
          return superseded.error();
        }
      }
    }
    const RefreshToken successor{.hash = r.new_hash,
                                 .grant_id = old.grant_id,
                                 .parent_hash = old.hash,
                                 .created_at = now,
                                 .expires_at = detail::Truncate(r.new_expires_at)};
    // A taken successor hash fails here (kConflict), and the transaction takes back the rest.
    auto inserted = Execute(c, sql::kInsertRefresh,
                            Params()
                                .Add(successor.hash)
                                .Add(successor.grant_id)
                                .Add(successor.parent_hash)
                                .Add(successor.created_at)
                                .Add(successor.expires_at));
    if (!inserted) {
      return inserted.error();
    }
    if (auto ok = ExecuteOne(c, sql::kTouchGrant, Params().Add(grant.id).Add(now)); !ok) {
      return ok.error();
    }
    if (*event) {
      if (auto id = InsertAudit(c, **event); !id) {
        return id.error();
      }
    }
    grant.last_used_at = now;
    return RotatedRefresh{std::move(grant), successor, *outcome == detail::RotationOutcome::kGrace};
  }

  Pool pool_;
  std::mutex feed_mu_;
  std::unique_ptr<ChangeFeed> feed_;  // guarded by feed_mu_; null until a listener is set
};

// ---- opening ----

Status Migrate(Conn& c, const std::string& schema, TimePoint now) {
  auto txn = Transaction::Begin(c);
  if (!txn) {
    return txn.error();
  }
  // Several nodes may start at once: the first takes the lock and migrates; the others wait,
  // then find every migration recorded.
  if (!schema.empty()) {
    // The name is checked (IsValidSchemaName): an identifier cannot be a bound parameter.
    const std::string create = std::string(sql::kCreateSchema) + schema;
    auto global = c.Script("SELECT pg_advisory_xact_lock(hashtext('mcpauth.schemas'))");
    if (!global) {
      return global;
    }
    if (auto ok = c.Script(create.c_str()); !ok) {
      return ok;
    }
  }
  if (auto locked = c.Exec(postgres::kLockMigrations); !locked) {
    return locked.error();
  }
  if (auto ok = c.Script(postgres::kCreateMigrationsTable); !ok) {
    return ok;
  }
  auto current = SelectOne(c, sql::kMaxMigration, Params(), ReadInt);
  if (!current) {
    return current.error();
  }
  if (*current > PostgresSchemaVersion()) {
    log::Warn("store: database schema version {} is newer than this build's {}", *current,
              PostgresSchemaVersion());
    return Errc::kUnsupported;
  }
  for (const auto& m : postgres::kMigrations) {
    if (m.version <= *current) {
      continue;
    }
    if (auto ok = c.Script(m.sql); !ok) {
      return ok;
    }
    auto recorded = Execute(c, sql::kInsertMigration, Params().Add(m.version).Add(m.name).Add(now));
    if (!recorded) {
      return recorded.error();
    }
    log::Info("store: applied PostgreSQL schema migration {} ({})", m.version, m.name);
  }
  return txn->Commit();
}

}  // namespace

int PostgresSchemaVersion() { return std::end(postgres::kMigrations)[-1].version; }

Result<std::unique_ptr<Store>> OpenPostgresStore(std::string_view conninfo,
                                                 const PostgresOptions& options) {
  if (conninfo.empty() || options.pool_size == 0 ||
      (!options.schema.empty() && !postgres::IsValidSchemaName(options.schema))) {
    return Errc::kInvalidArgument;
  }
  postgres::ConnectParams params{.conninfo = std::string(conninfo),
                                 .schema = options.schema,
                                 .connect_timeout = options.connect_timeout};
  auto conn = Conn::Connect(params);
  if (!conn) {
    return conn.error();
  }
  const Clock& clock = options.clock != nullptr ? *options.clock : SystemClock::Instance();
  if (auto ok = Migrate(**conn, options.schema, clock.Now()); !ok) {
    return ok.error();
  }
  return std::unique_ptr<Store>(
      std::make_unique<PostgresStore>(std::move(params), options.pool_size));
}

}  // namespace mcpauth::store
