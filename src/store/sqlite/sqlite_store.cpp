// SqliteStore: one SQLite connection behind one mutex.
//
// Why one connection and not a pool: SQLite admits one writer at a time whatever we do, and
// most store calls on the request path write (consume a code, rotate a token, append audit);
// the hot read — is this grant revoked? — is served from the resource server's in-memory set,
// not from here. One connection costs ~20 µs per write transaction (tens of thousands per
// second, far above an authorization server's load), caches its prepared statements without
// synchronisation, and never meets SQLITE_BUSY from itself. Other processes on the same file
// (an admin command next to the server) are handled by busy_timeout and BEGIN IMMEDIATE.
#include "mcpauth/store/sqlite_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <utility>

#include "mcpauth/core/log.hpp"
#include "store/common.hpp"
#include "store/rows.hpp"
#include "store/sqlite/db.hpp"
#include "store/sqlite/schema.hpp"
#include "store/sqlite/sql.hpp"

namespace mcpauth::store {
namespace {

namespace fs = std::filesystem;
using sqlite::Db;
using sqlite::Query;
using sqlite::Transaction;
namespace sql = sqlite::sql;

// Row readers (store/rows.hpp), instantiated for SQLite's Query.
using rows::kCodeColumns;
using rows::kGrantColumns;
using rows::kRefreshColumns;
constexpr auto ReadUser = rows::ReadUser<Query>;
constexpr auto ReadClient = rows::ReadClient<Query>;
constexpr auto ReadGrant = rows::ReadGrant<Query>;
constexpr auto ReadRevoked = rows::ReadRevoked<Query>;
constexpr auto ReadCode = rows::ReadCode<Query>;
constexpr auto ReadRefresh = rows::ReadRefresh<Query>;
constexpr auto ReadKey = rows::ReadKey<Query>;
constexpr auto ReadConsent = rows::ReadConsent<Query>;
constexpr auto ReadMcpSession = rows::ReadMcpSession<Query>;
constexpr auto ReadAudit = rows::ReadAudit<Query>;
constexpr auto ReadCodeWithGrant = rows::ReadCodeWithGrant<Query>;
constexpr auto ReadRefreshContext = rows::ReadRefreshContext<Query>;
using rows::RotationAuditEvent;

// ---- statement helpers ----

// One row (kNotFound if none), read by `read`; the statement is then stepped to its end, so
// that a RETURNING statement outside a transaction commits here and reports a failure too.
template <class Bind, class Read>
auto SelectOne(Db& db, const char* statement, Bind&& bind, Read&& read)
    -> decltype(read(std::declval<const Query&>(), 0)) {
  // in_place_error: a Result<bool> would otherwise take the error_code for a bool.
  auto q = db.Prepare(statement);
  if (!q) {
    return {boost::system::in_place_error, q.error()};
  }
  bind(*q);
  if (auto ok = q->StepRow(); !ok) {
    return {boost::system::in_place_error, ok.error()};
  }
  auto row = read(*q, 0);
  if (auto done = q->Run(); !done) {
    return {boost::system::in_place_error, done.error()};
  }
  return row;
}

template <class T, class Bind>
Result<std::vector<T>> SelectAll(Db& db, const char* statement, Bind&& bind,
                                 Result<T> (*read)(const Query&, int)) {
  auto q = db.Prepare(statement);
  if (!q) {
    return q.error();
  }
  bind(*q);
  std::vector<T> out;
  for (;;) {
    auto row = q->Step();
    if (!row) {
      return row.error();
    }
    if (!*row) {
      return out;
    }
    auto value = read(*q, 0);
    if (!value) {
      return value.error();
    }
    out.push_back(std::move(*value));
  }
}

// Runs a statement without rows; returns the number of rows it changed.
template <class Bind>
Result<int64_t> Execute(Db& db, const char* statement, Bind&& bind) {
  auto q = db.Prepare(statement);
  if (!q) {
    return q.error();
  }
  bind(*q);
  if (auto ok = q->Run(); !ok) {
    return ok.error();
  }
  return db.Changes();
}

// As Execute, but a statement that changed no row means the row does not exist.
template <class Bind>
Status ExecuteOne(Db& db, const char* statement, Bind&& bind) {
  auto changed = Execute(db, statement, std::forward<Bind>(bind));
  if (!changed) {
    return changed.error();
  }
  if (*changed == 0) {
    return Errc::kNotFound;
  }
  return {};
}

constexpr auto kNoBind = [](Query&) {};

void BindClient(Query& q, const Client& c) {
  q.Bind(1, c.client_id)
      .Bind(2, c.secret_hash)
      .Bind(3, c.name)
      .Bind(4, detail::EncodeStringList(c.redirect_uris))
      .Bind(5, detail::EncodeStringList(c.grant_types))
      .Bind(6, c.token_endpoint_auth_method)
      .Bind(7, c.application_type)
      .Bind(8, c.metadata_json)
      .Bind(9, detail::SourceName(c.source))
      .Bind(10, c.created_at)
      .Bind(11, c.expires_at);
}

// What a rotation reads: the token, its grant, and their rowids for the updates that follow.
struct RotationRow {
  RefreshToken token;
  Grant grant;
  int64_t token_rowid = 0;
  int64_t grant_rowid = 0;
};

Result<RotationRow> ReadRotationRow(const Query& q, int o) {
  auto token = ReadRefresh(q, o);
  auto grant = ReadGrant(q, o + kRefreshColumns);
  if (!token || !grant) {
    return Errc::kCorrupt;
  }
  const int rowids = o + kRefreshColumns + kGrantColumns;
  return RotationRow{std::move(*token), std::move(*grant), q.Int(rowids), q.Int(rowids + 1)};
}

// Checks, inside a transaction, that a grant exists and is not revoked (for new codes/tokens).
Status RequireLiveGrant(Db& db, const std::string& grant_id) {
  auto grant = SelectOne(
      db, sql::kSelectGrant, [&](Query& q) { q.Bind(1, grant_id); }, ReadGrant);
  if (!grant) {
    return grant.error();
  }
  if (grant->revoked_at) {
    return Errc::kRevoked;
  }
  return {};
}

// Appends an audit event (validated by the caller) and returns its id.
Result<int64_t> InsertAudit(Db& db, const AuditEvent& e) {
  return SelectOne(
      db, sql::kInsertAudit,
      [&](Query& q) {
        q.Bind(1, e.type)
            .Bind(2, e.subject)
            .Bind(3, e.client_id)
            .Bind(4, e.grant_id)
            .Bind(5, e.ip)
            .Bind(6, e.time)
            .Bind(7, e.detail_json);
      },
      [](const Query& q, int o) -> Result<int64_t> { return q.Int(o); });
}

// Records, inside a code exchange's or a refresh's transaction, that the grant was just used.
Status TouchGrant(Db& db, const std::string& grant_id, TimePoint now) {
  return ExecuteOne(db, sql::kTouchGrant, [&](Query& q) { q.Bind(1, grant_id).Bind(2, now); });
}

// Checkpoints the WAL on a thread of its own, through a connection of its own, so that no
// request waits for it. SQLite's automatic checkpoint runs inside the commit that crosses
// wal_autocheckpoint (1000 frames): that one request copies the WAL into the database file and
// waits for two fdatasyncs. Here the commit only signals (the WAL hook below) and returns.
// A PASSIVE checkpoint takes no lock that a writer or reader waits for; its syncs are the ones
// synchronous = NORMAL prescribes (the WAL before copying, the database after), so durability is
// unchanged. But SQLite starts the WAL file over only when a write begins after a checkpoint
// that copied every frame, and under steady load new frames always arrive while the bulk is
// copied: so a second pass copies those few under the store's mutex, when none can arrive.
class Checkpointer {
 public:
  // Past this many WAL frames a commit asks for a checkpoint: SQLite's own default.
  static constexpr int kFrames = 1000;
  // Past this many (about 80 MiB of WAL), the thread is not keeping up with the writes (a slow
  // disk): the committing request checkpoints as well, as SQLite would, so that the WAL stops
  // growing at the pace of the requests.
  static constexpr int kBackPressureFrames = 20 * kFrames;

  // `store_mu` is the store's mutex, held by every use of the store's connection.
  Checkpointer(std::unique_ptr<Db> db, std::mutex& store_mu)
      : db_(std::move(db)), store_mu_(store_mu), thread_([this] { Run(); }) {}
  ~Checkpointer() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // sqlite3_wal_hook callback of the store's connection: called after each commit, under the
  // store's mutex, with the number of frames in the WAL.
  static int OnCommit(void* self, sqlite3* db, const char*, int frames) {
    if (frames >= kBackPressureFrames) {
      // BUSY at once if the thread is checkpointing right now: then it is making progress.
      (void)sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    }
    if (frames >= kFrames) {
      auto* checkpointer = static_cast<Checkpointer*>(self);
      {
        std::lock_guard lock(checkpointer->mu_);
        checkpointer->pending_ = true;
      }
      checkpointer->cv_.notify_one();
    }
    return SQLITE_OK;
  }

 private:
  void Run() {
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [&] { return pending_ || stop_; });
      if (stop_) {
        return;
      }
      pending_ = false;
      lock.unlock();
      if (Checkpoint() > 0) {
        std::lock_guard store_lock(store_mu_);
        (void)Checkpoint();
      }
      lock.lock();
    }
  }

  // One PASSIVE checkpoint; returns how many WAL frames it left uncopied (0 on failure).
  int Checkpoint() {
    int log = 0;
    int copied = 0;
    const int rc =
        sqlite3_wal_checkpoint_v2(db_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
    if (rc != SQLITE_OK) {
      if ((rc & 0xff) != SQLITE_BUSY) {
        (void)db_->Fail(rc, "checkpoint");  // logs; the next commit asks again
      }
      return 0;
    }
    return log - copied;
  }

  std::unique_ptr<Db> db_;  // used by thread_ only
  std::mutex& store_mu_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool pending_ = false;  // guarded by mu_
  bool stop_ = false;     // guarded by mu_
  std::thread thread_;
};

class SqliteStore final : public Store {
 public:
  // `checkpoint_db`: a second connection for background checkpoints, or nullptr.
  SqliteStore(std::unique_ptr<Db> db, std::unique_ptr<Db> checkpoint_db) : db_(std::move(db)) {
    if (checkpoint_db) {
      checkpointer_ = std::make_unique<Checkpointer>(std::move(checkpoint_db), mu_);
      // Replaces SQLite's automatic checkpoint (itself a WAL hook) on this connection.
      sqlite3_wal_hook(db_->handle(), &Checkpointer::OnCommit, checkpointer_.get());
    }
  }
  ~SqliteStore() override {
    if (checkpointer_) {
      sqlite3_wal_hook(db_->handle(), nullptr, nullptr);
      checkpointer_.reset();  // its connection closes first: ours, the last, removes the WAL
    }
  }
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  std::string_view Backend() const override { return "sqlite"; }

  // ---- users ----

  Status CreateUser(const User& u) override {
    if (auto ok = detail::ValidateUser(u); !ok) {
      return ok;
    }
    std::lock_guard lock(mu_);
    auto changed = Execute(*db_, sql::kInsertUser, [&](Query& q) {
      q.Bind(1, u.id)
          .Bind(2, u.username)
          .Bind(3, u.password_hash)
          .Bind(4, u.created_at)
          .Bind(5, u.disabled)
          .Bind(6, u.failed_login_count)
          .Bind(7, u.locked_until);
    });
    return changed ? Status() : Status(changed.error());
  }

  Result<User> GetUser(std::string_view id) override {
    std::lock_guard lock(mu_);
    return SelectOne(
        *db_, sql::kSelectUser, [&](Query& q) { q.Bind(1, id); }, ReadUser);
  }

  Result<User> FindUserByUsername(std::string_view username) override {
    std::lock_guard lock(mu_);
    return SelectOne(
        *db_, sql::kSelectUserByName, [&](Query& q) { q.Bind(1, username); }, ReadUser);
  }

  Result<std::vector<User>> ListUsers() override {
    std::lock_guard lock(mu_);
    return SelectAll(*db_, sql::kSelectUsers, kNoBind, ReadUser);
  }

  Status SetPasswordHash(std::string_view id, std::string_view password_hash) override {
    if (auto ok = detail::ValidatePasswordHash(password_hash); !ok) {
      return ok;
    }
    std::lock_guard lock(mu_);
    return ExecuteOne(*db_, sql::kUpdatePasswordHash,
                      [&](Query& q) { q.Bind(1, id).Bind(2, password_hash); });
  }

  Status SetUserDisabled(std::string_view id, bool disabled) override {
    std::lock_guard lock(mu_);
    return ExecuteOne(*db_, sql::kUpdateDisabled,
                      [&](Query& q) { q.Bind(1, id).Bind(2, disabled); });
  }

  Result<User> RecordLoginFailure(std::string_view id, TimePoint now,
                                  const LockoutPolicy& policy) override {
    if (auto ok = detail::ValidateLockoutPolicy(policy); !ok) {
      return ok.error();
    }
    std::lock_guard lock(mu_);
    const int64_t lock_us =
        std::chrono::duration_cast<std::chrono::microseconds>(policy.lock_for).count();
    return SelectOne(
        *db_, sql::kRecordLoginFailure,
        [&](Query& q) { q.Bind(1, id).Bind(2, now).Bind(3, policy.max_failures).Bind(4, lock_us); },
        ReadUser);
  }

  Status RecordLoginSuccess(std::string_view id) override {
    std::lock_guard lock(mu_);
    return ExecuteOne(*db_, sql::kRecordLoginSuccess, [&](Query& q) { q.Bind(1, id); });
  }

  Status DeleteUser(std::string_view id, TimePoint now) override {
    std::lock_guard lock(mu_);
    auto txn = Transaction::Begin(*db_);
    if (!txn) {
      return txn.error();
    }
    if (auto ok = ExecuteOne(*db_, sql::kDeleteUser, [&](Query& q) { q.Bind(1, id); }); !ok) {
      return ok;
    }
    auto revoked = Execute(*db_, sql::kRevokeGrants,
                           [&](Query& q) { q.Bind(1, id).BindNull(2).Bind(3, now); });
    if (!revoked) {
      return revoked.error();
    }
    auto deleted = Execute(*db_, sql::kDeleteUserConsents, [&](Query& q) { q.Bind(1, id); });
    if (!deleted) {
      return deleted.error();
    }
    return txn->Commit();
  }

  // ---- clients ----

  Status CreateClient(const Client& client) override {
    if (auto ok = detail::ValidateClient(client); !ok) {
      return ok;
    }
    std::lock_guard lock(mu_);
    auto changed = Execute(*db_, sql::kInsertClient, [&](Query& q) { BindClient(q, client); });
    return changed ? Status() : Status(changed.error());
  }

  Status PutClient(const Client& client) override {
    if (auto ok = detail::ValidateClient(client); !ok) {
      return ok;
    }
    std::lock_guard lock(mu_);
    auto changed = Execute(*db_, sql::kUpsertClient, [&](Query& q) { BindClient(q, client); });
    return changed ? Status() : Status(changed.error());
  }

  Result<Client> GetClient(std::string_view client_id) override {
    std::lock_guard lock(mu_);
    return SelectOne(
        *db_, sql::kSelectClient, [&](Query& q) { q.Bind(1, client_id); }, ReadClient);
  }

  Result<std::vector<Client>> ListClients() override {
    std::lock_guard lock(mu_);
    return SelectAll(*db_, sql::kSelectClients, kNoBind, ReadClient);
  }

  Status DeleteClient(std::string_view client_id, TimePoint now) override {
    std::lock_guard lock(mu_);
    auto txn = Transaction::Begin(*db_);
    if (!txn) {
      return txn.error();
    }
    if (auto ok = ExecuteOne(*db_, sql::kDeleteClient, [&](Query& q) { q.Bind(1, client_id); });
        !ok) {
      return ok;
    }
    auto revoked = Execute(*db_, sql::kRevokeGrants,
                           [&](Query& q) { q.BindNull(1).Bind(2, client_id).Bind(3, now); });
    if (!revoked) {
      return revoked.error();
    }
    auto deleted =
        Execute(*db_, sql::kDeleteClientConsents, [&](Query& q) { q.Bind(1, client_id); });
    if (!deleted) {
      return deleted.error();
    }
    return txn->Commit();
  }

  // ---- grants ----

  Status CreateGrant(const Grant& g) override {
    if (auto ok = detail::ValidateGrant(g); !ok) {
      return ok;
    }
    std::lock_guard lock(mu_);
    auto changed = Execute(*db_, sql::kInsertGrant, [&](Query& q) {
      q.Bind(1, g.id)
          .Bind(2, g.user_id)
          .Bind(3, g.client_id)
          .Bind(4, detail::JoinScopes(g.scopes))
          .Bind(5, g.resource)
          .Bind(6, g.created_at)
          .Bind(7, g.last_used_at);
    });
    return changed ? Status() : Status(changed.error());
  }

  Result<Grant> GetGrant(std::string_view id) override {
    std::lock_guard lock(mu_);
    return SelectOne(
        *db_, sql::kSelectGrant, [&](Query& q) { q.Bind(1, id); }, ReadGrant);
  }

  Result<std::vector<Grant>> ListGrants(const GrantFilter& filter, bool include_revoked) override {
    std::lock_guard lock(mu_);
    return SelectAll(
        *db_, sql::kSelectGrants,
        [&](Query& q) {
          q.Bind(1, filter.user_id).Bind(2, filter.client_id).Bind(3, include_revoked);
        },
        ReadGrant);
  }

  Status RevokeGrant(std::string_view id, TimePoint now) override {
    std::lock_guard lock(mu_);
    auto changed = Execute(*db_, sql::kRevokeGrant, [&](Query& q) { q.Bind(1, id).Bind(2, now); });
    if (!changed) {
      return changed.error();
    }
    if (*changed == 0) {
      // Already revoked (idempotent) or unknown: only the latter is an error.
      auto grant = SelectOne(
          *db_, sql::kSelectGrant, [&](Query& q) { q.Bind(1, id); }, ReadGrant);
      if (!grant) {
        return grant.error();
      }
    }
    return {};
  }

  Result<int64_t> RevokeGrants(const GrantFilter& filter, TimePoint now) override {
    if (auto ok = detail::ValidateGrantFilterForRevoke(filter); !ok) {
      return ok.error();
    }
    std::lock_guard lock(mu_);
    return Execute(*db_, sql::kRevokeGrants, [&](Query& q) {
      q.Bind(1, filter.user_id).Bind(2, filter.client_id).Bind(3, now);
    });
  }

  Result<std::vector<RevokedGrant>> ListRevokedGrantsSince(TimePoint since) override {
    std::lock_guard lock(mu_);
    return SelectAll(
        *db_, sql::kSelectRevokedSince, [&](Query& q) { q.Bind(1, since); }, ReadRevoked);
  }

  // ---- codes ----

  Status CreateCode(const AuthorizationCode& c) override {
    if (auto ok = detail::ValidateCode(c); !ok) {
      return ok;
    }
    std::lock_guard lock(mu_);
    auto txn = Transaction::Begin(*db_);
    if (!txn) {
      return txn.error();
    }
    if (auto ok = RequireLiveGrant(*db_, c.grant_id); !ok) {
      return ok;
    }
    auto changed = Execute(*db_, sql::kInsertCode, [&](Query& q) {
      q.Bind(1, c.hash)
          .Bind(2, c.grant_id)
          .Bind(3, c.redirect_uri)
          .Bind(4, c.code_challenge)
          .Bind(5, detail::JoinScopes(c.scopes))
          .Bind(6, c.resource)
          .Bind(7, c.nonce)
          .Bind(8, c.created_at)
          .Bind(9, c.expires_at);
    });
    if (!changed) {
      return changed.error();
    }
    return txn->Commit();
  }

  Result<ConsumedCode> ConsumeCode(std::string_view hash, TimePoint now) override {
    now = detail::Truncate(now);  // decide on exactly the value that is stored
    std::lock_guard lock(mu_);
    // BEGIN IMMEDIATE holds the write lock from the read to the update: of two processes
    // consuming the same code, the second reads the first one's used_at.
    auto txn = Transaction::Begin(*db_);
    if (!txn) {
      return txn.error();
    }
    auto row = SelectOne(
        *db_, sql::kSelectCodeWithGrant, [&](Query& q) { q.Bind(1, hash); }, ReadCodeWithGrant);
    if (!row) {
      return row.error();
    }
    auto& [code, grant] = *row;
    if (auto ok = detail::DecideConsume(code, grant, now); !ok) {
      return ok.error();
    }
    auto changed =
        Execute(*db_, sql::kMarkCodeUsed, [&](Query& q) { q.Bind(1, hash).Bind(2, now); });
    if (!changed) {
      return changed.error();
    }
    if (*changed != 1) {
      return Errc::kAlreadyUsed;
    }
    if (auto ok = TouchGrant(*db_, grant.id, now); !ok) {
      return ok.error();
    }
    if (auto ok = txn->Commit(); !ok) {
      return ok.error();
    }
    code.used_at = now;
    grant.last_used_at = now;
    return ConsumedCode{std::move(code), std::move(grant)};
  }

  Result<AuthorizationCode> GetCode(std::string_view hash) override {
    std::lock_guard lock(mu_);
    return SelectOne(
        *db_, sql::kSelectCode, [&](Query& q) { q.Bind(1, hash); }, ReadCode);
  }

  // ---- refresh tokens ----

  Status CreateRefreshToken(const RefreshToken& t) override {
    if (auto ok = detail::ValidateRefreshToken(t); !ok) {
      return ok;
    }
    std::lock_guard lock(mu_);
    auto txn = Transaction::Begin(*db_);
    if (!txn) {
      return txn.error();
    }
    if (auto ok = RequireLiveGrant(*db_, t.grant_id); !ok) {
      return ok;
    }
    auto changed = Execute(*db_, sql::kInsertRefresh, [&](Query& q) {
      q.Bind(1, t.hash)
          .Bind(2, t.grant_id)
          .Bind(3, t.parent_hash)
          .Bind(4, t.created_at)
          .Bind(5, t.expires_at);
    });
    if (!changed) {
      return changed.error();
    }
    return txn->Commit();
  }

  Result<RefreshToken> GetRefreshToken(std::string_view hash) override {
    std::lock_guard lock(mu_);
    return SelectOne(
        *db_, sql::kSelectRefresh, [&](Query& q) { q.Bind(1, hash); }, ReadRefresh);
  }

  Result<RefreshTokenContext> GetRefreshTokenContext(std::string_view hash) override {
    std::lock_guard lock(mu_);
    return SelectOne(
        *db_, sql::kSelectRefreshContext, [&](Query& q) { q.Bind(1, hash); }, ReadRefreshContext);
  }

  Result<RotatedRefresh> RotateRefreshToken(const RefreshRotation& rotation) override {
    if (auto ok = detail::ValidateRotation(rotation); !ok) {
      return ok.error();
    }
    const RefreshRotation& r = rotation;
    const TimePoint now = detail::Truncate(r.now);  // decide on exactly the value that is stored
    std::lock_guard lock(mu_);
    auto txn = Transaction::Begin(*db_);
    if (!txn) {
      return txn.error();
    }
    auto row = SelectOne(
        *db_, sql::kSelectRefreshWithGrant, [&](Query& q) { q.Bind(1, r.old_hash); },
        ReadRotationRow);
    if (!row) {
      return row.error();
    }
    RefreshToken& old = row->token;
    Grant& grant = row->grant;
    bool child_used = false;
    if (old.used_at) {
      auto used = SelectOne(
          *db_, sql::kAnyChildUsed, [&](Query& q) { q.Bind(1, old.grant_id).Bind(2, old.hash); },
          [](const Query& q, int o) -> Result<bool> { return q.Bool(o); });
      if (!used) {
        return used.error();
      }
      child_used = *used;
    }
    auto outcome = detail::DecideRotation(old, grant, r, child_used);
    if (!outcome) {
      return outcome.error();
    }
    auto event = RotationAuditEvent(r, *outcome);
    if (!event) {
      return event.error();
    }
    if (*outcome == detail::RotationOutcome::kReplay) {
      // Security: a rotated token came back outside the grace rule — it was copied. Revoke the
      // grant (committed even though the call fails), ending the thief's and the client's
      // tokens alike.
      auto revoked =
          Execute(*db_, sql::kRevokeGrant, [&](Query& q) { q.Bind(1, grant.id).Bind(2, now); });
      if (!revoked) {
        return revoked.error();
      }
      if (*event) {
        if (auto id = InsertAudit(*db_, **event); !id) {
          return id.error();
        }
      }
      if (auto ok = txn->Commit(); !ok) {
        return ok.error();
      }
      return Errc::kReplayDetected;
    }
    if (*outcome == detail::RotationOutcome::kRotate) {
      auto marked = Execute(*db_, sql::kMarkRefreshUsed,
                            [&](Query& q) { q.Bind(1, row->token_rowid).Bind(2, now); });
      if (!marked) {
        return marked.error();
      }
      if (*marked != 1) {
        return Errc::kInternal;  // impossible under the write lock: the row was just read live
      }
      if (old.parent_hash) {
        auto superseded = Execute(*db_, sql::kSupersedeSiblings, [&](Query& q) {
          q.Bind(1, old.grant_id).Bind(2, *old.parent_hash).Bind(3, old.hash).Bind(4, now);
        });
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
    // A taken successor hash fails here on the UNIQUE index (kConflict), and the transaction,
    // not yet committed, takes back everything above.
    auto inserted = Execute(*db_, sql::kInsertRefresh, [&](Query& q) {
      q.Bind(1, successor.hash)
          .Bind(2, successor.grant_id)
          .Bind(3, successor.parent_hash)
          .Bind(4, successor.created_at)
          .Bind(5, successor.expires_at);
    });
    if (!inserted) {
      return inserted.error();
    }
    if (auto ok = ExecuteOne(*db_, sql::kTouchGrantRow,
                             [&](Query& q) { q.Bind(1, row->grant_rowid).Bind(2, now); });
        !ok) {
      return ok.error();
    }
    if (*event) {
      if (auto id = InsertAudit(*db_, **event); !id) {
        return id.error();
      }
    }
    if (auto ok = txn->Commit(); !ok) {
      return ok.error();
    }
    grant.last_used_at = now;
    return RotatedRefresh{std::move(grant), successor, *outcome == detail::RotationOutcome::kGrace};
  }

  Result<PurgeCounts> PurgeExpired(TimePoint now, TimePoint revoked_before) override {
    std::lock_guard lock(mu_);
    auto txn = Transaction::Begin(*db_);
    if (!txn) {
      return txn.error();
    }
    // Children first, then grants, so that every deleted row is counted (a cascade is not).
    auto codes =
        Execute(*db_, sql::kPurgeCodes, [&](Query& q) { q.Bind(1, now).Bind(2, revoked_before); });
    if (!codes) {
      return codes.error();
    }
    auto tokens = Execute(*db_, sql::kPurgeRefresh,
                          [&](Query& q) { q.Bind(1, now).Bind(2, revoked_before); });
    if (!tokens) {
      return tokens.error();
    }
    auto grants = Execute(*db_, sql::kPurgeGrants, [&](Query& q) { q.Bind(1, revoked_before); });
    if (!grants) {
      return grants.error();
    }
    if (auto ok = txn->Commit(); !ok) {
      return ok.error();
    }
    return PurgeCounts{.codes = *codes, .refresh_tokens = *tokens, .grants = *grants};
  }

  // ---- signing keys ----

  Status CreateSigningKey(const SigningKey& k) override {
    if (auto ok = detail::ValidateSigningKey(k); !ok) {
      return ok;
    }
    std::lock_guard lock(mu_);
    // A second active key violates the partial unique index signing_keys_one_active: kConflict.
    auto changed = Execute(*db_, sql::kInsertKey, [&](Query& q) {
      q.Bind(1, k.kid)
          .Bind(2, k.algorithm)
          .Bind(3, k.private_key.Reveal())
          .Bind(4, detail::KeyStateName(k.state))
          .Bind(5, k.created_at)
          .Bind(6, k.not_before)
          .Bind(7, k.retired_at);
    });
    return changed ? Status() : Status(changed.error());
  }

  Result<SigningKey> GetSigningKey(std::string_view kid) override {
    std::lock_guard lock(mu_);
    return SelectOne(
        *db_, sql::kSelectKey, [&](Query& q) { q.Bind(1, kid); }, ReadKey);
  }

  Result<SigningKey> GetActiveSigningKey() override {
    std::lock_guard lock(mu_);
    return SelectOne(*db_, sql::kSelectActiveKey, kNoBind, ReadKey);
  }

  Result<std::vector<SigningKey>> ListSigningKeys() override {
    std::lock_guard lock(mu_);
    return SelectAll(*db_, sql::kSelectKeys, kNoBind, ReadKey);
  }

  Status ActivateSigningKey(std::string_view kid, TimePoint now) override {
    std::lock_guard lock(mu_);
    auto txn = Transaction::Begin(*db_);
    if (!txn) {
      return txn.error();
    }
    auto key = SelectOne(
        *db_, sql::kSelectKey, [&](Query& q) { q.Bind(1, kid); }, ReadKey);
    if (!key) {
      return key.error();
    }
    if (key->state == KeyState::kActive) {
      return {};
    }
    if (key->state == KeyState::kRetired || now < key->not_before) {
      return Errc::kFailedPrecondition;
    }
    auto retired = Execute(*db_, sql::kRetireActiveKey, [&](Query& q) { q.Bind(1, now); });
    if (!retired) {
      return retired.error();
    }
    if (auto ok = ExecuteOne(*db_, sql::kActivateKey, [&](Query& q) { q.Bind(1, kid); }); !ok) {
      return ok;
    }
    return txn->Commit();
  }

  Status DeleteSigningKey(std::string_view kid) override {
    std::lock_guard lock(mu_);
    auto txn = Transaction::Begin(*db_);
    if (!txn) {
      return txn.error();
    }
    auto key = SelectOne(
        *db_, sql::kSelectKey, [&](Query& q) { q.Bind(1, kid); }, ReadKey);
    if (!key) {
      return key.error();
    }
    if (key->state != KeyState::kRetired) {
      return Errc::kFailedPrecondition;
    }
    if (auto ok = ExecuteOne(*db_, sql::kDeleteKey, [&](Query& q) { q.Bind(1, kid); }); !ok) {
      return ok;
    }
    return txn->Commit();
  }

  // ---- consents ----

  Status PutConsent(const Consent& c) override {
    if (auto ok = detail::ValidateConsent(c); !ok) {
      return ok;
    }
    std::lock_guard lock(mu_);
    auto changed = Execute(*db_, sql::kUpsertConsent, [&](Query& q) {
      q.Bind(1, c.user_id)
          .Bind(2, c.client_id)
          .Bind(3, detail::JoinScopes(c.scopes))
          .Bind(4, c.granted_at);
    });
    return changed ? Status() : Status(changed.error());
  }

  Result<Consent> GetConsent(std::string_view user_id, std::string_view client_id) override {
    std::lock_guard lock(mu_);
    return SelectOne(
        *db_, sql::kSelectConsent, [&](Query& q) { q.Bind(1, user_id).Bind(2, client_id); },
        ReadConsent);
  }

  Result<std::vector<Consent>> ListConsents(std::string_view user_id) override {
    std::lock_guard lock(mu_);
    return SelectAll(
        *db_, sql::kSelectConsents, [&](Query& q) { q.Bind(1, user_id); }, ReadConsent);
  }

  Status DeleteConsent(std::string_view user_id, std::string_view client_id) override {
    std::lock_guard lock(mu_);
    return ExecuteOne(*db_, sql::kDeleteConsent,
                      [&](Query& q) { q.Bind(1, user_id).Bind(2, client_id); });
  }

  // ---- MCP sessions ----

  Status CreateMcpSession(const McpSession& m) override {
    if (m.id_hash.empty()) {
      return Errc::kInvalidArgument;
    }
    std::lock_guard lock(mu_);
    auto changed = Execute(*db_, sql::kInsertMcpSession, [&](Query& q) {
      q.Bind(1, m.id_hash)
          .Bind(2, m.principal_key)
          .Bind(3, m.protocol_version)
          .Bind(4, m.client_capabilities_json)
          .Bind(5, m.client_info_json)
          .Bind(6, m.created_at)
          .Bind(7, m.expires_at);
    });
    return changed ? Status() : Status(changed.error());
  }

  Result<McpSession> GetMcpSession(std::string_view id_hash, TimePoint now) override {
    std::lock_guard lock(mu_);
    return SelectOne(
        *db_, sql::kSelectMcpSession, [&](Query& q) { q.Bind(1, id_hash).Bind(2, now); },
        ReadMcpSession);
  }

  Status TouchMcpSession(std::string_view id_hash, TimePoint expires_at, TimePoint now) override {
    std::lock_guard lock(mu_);
    return ExecuteOne(*db_, sql::kTouchMcpSession,
                      [&](Query& q) { q.Bind(1, id_hash).Bind(2, expires_at).Bind(3, now); });
  }

  Status DeleteMcpSession(std::string_view id_hash) override {
    std::lock_guard lock(mu_);
    return ExecuteOne(*db_, sql::kDeleteMcpSession, [&](Query& q) { q.Bind(1, id_hash); });
  }

  Result<int64_t> PurgeExpiredMcpSessions(TimePoint now) override {
    std::lock_guard lock(mu_);
    return Execute(*db_, sql::kPurgeMcpSessions, [&](Query& q) { q.Bind(1, now); });
  }

  // ---- audit ----

  Result<int64_t> AppendAudit(const AuditEvent& e) override {
    if (auto ok = detail::ValidateAuditEvent(e); !ok) {
      return ok.error();
    }
    std::lock_guard lock(mu_);
    return InsertAudit(*db_, e);
  }

  Result<std::vector<AuditEvent>> ListAudit(const AuditQuery& query) override {
    if (auto ok = detail::ValidateAuditQuery(query); !ok) {
      return ok.error();
    }
    std::lock_guard lock(mu_);
    return SelectAll(
        *db_, sql::kSelectAudit,
        [&](Query& q) {
          q.Bind(1, query.after_id)
              .Bind(2, query.since)
              .Bind(3, query.type)
              .Bind(4, query.subject)
              .Bind(5, query.client_id)
              .Bind(6, query.grant_id)
              .Bind(7, query.limit);
        },
        ReadAudit);
  }

 private:
  std::mutex mu_;
  std::unique_ptr<Db> db_;                      // guarded by mu_
  std::unique_ptr<Checkpointer> checkpointer_;  // nullptr: SQLite checkpoints in the commit
};

// ---- opening ----

// Creates the missing directories of `dir`, mode 0700 (they will hold the database).
Status EnsureDirectory(const fs::path& dir) {
  std::error_code ec;
  if (dir.empty() || fs::is_directory(dir, ec)) {
    return {};
  }
  if (dir.has_parent_path() && dir.parent_path() != dir) {
    if (auto ok = EnsureDirectory(dir.parent_path()); !ok) {
      return ok;
    }
  }
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    log::Warn("store: cannot create directory {}: {}", dir.string(), std::strerror(errno));
    return Errc::kUnavailable;
  }
  if (!fs::is_directory(dir, ec)) {
    log::Warn("store: {} is not a directory", dir.string());
    return Errc::kUnavailable;
  }
  return {};
}

// Creates the database file with mode 0600 before SQLite opens it (SQLite would use 0644, and
// gives its -wal and -shm files the database file's mode).
Status CreatePrivateFile(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    log::Warn("store: cannot open {}: {}", path.string(), std::strerror(errno));
    return Errc::kUnavailable;
  }
  // Security: the file holds private signing keys and password hashes. An existing file that
  // others can read is tightened rather than trusted.
  struct stat st {};
  Status result;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    result = Errc::kUnavailable;
  } else if ((st.st_mode & 077) != 0 && ::fchmod(fd, 0600) != 0) {
    log::Warn("store: cannot restrict {} to mode 0600: {}", path.string(), std::strerror(errno));
  }
  ::close(fd);
  return result;
}

constexpr char kJournalModeWal[] = "PRAGMA journal_mode = WAL";
// NORMAL in WAL mode: a commit is durable once the WAL is synced at checkpoint; a power cut may
// lose the last transactions but never corrupts the file
// (https://sqlite.org/pragma.html#pragma_synchronous).
// journal_size_limit: after a burst has grown the WAL (the checkpoint thread lagging behind),
// the file is cut back to 64 MiB when it next starts over, instead of keeping its peak size.
constexpr char kConnectionPragmas[] =
    "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA trusted_schema = OFF; "
    "PRAGMA journal_size_limit = 67108864;";

// The checkpoint connection syncs as the store's does (a new connection would use FULL).
constexpr char kCheckpointerPragmas[] = "PRAGMA synchronous = NORMAL; PRAGMA trusted_schema = OFF;";

Status Configure(Db& db) {
  auto mode = SelectOne(db, kJournalModeWal, kNoBind,
                        [](const Query& q, int o) -> Result<std::string> { return q.Text(o); });
  if (!mode) {
    return mode.error();
  }
  if (*mode != "wal") {
    log::Warn("store: SQLite refused WAL mode (journal_mode={})", *mode);
    return Errc::kUnavailable;
  }
  return db.Exec(kConnectionPragmas);
}

Status Migrate(Db& db, TimePoint now) {
  auto txn = Transaction::Begin(db);
  if (!txn) {
    return txn.error();
  }
  if (auto ok = db.Exec(sqlite::kCreateMigrationsTable); !ok) {
    return ok;
  }
  auto current = SelectOne(db, sql::kMaxMigration, kNoBind,
                           [](const Query& q, int o) -> Result<int64_t> { return q.Int(o); });
  if (!current) {
    return current.error();
  }
  if (*current > SqliteSchemaVersion()) {
    log::Warn("store: database schema version {} is newer than this build's {}", *current,
              SqliteSchemaVersion());
    return Errc::kUnsupported;
  }
  for (const auto& m : sqlite::kMigrations) {
    if (m.version <= *current) {
      continue;
    }
    if (auto ok = db.Exec(m.sql); !ok) {
      return ok;
    }
    auto recorded = Execute(db, sql::kInsertMigration,
                            [&](Query& q) { q.Bind(1, m.version).Bind(2, m.name).Bind(3, now); });
    if (!recorded) {
      return recorded.error();
    }
    log::Info("store: applied schema migration {} ({})", m.version, m.name);
  }
  return txn->Commit();
}

}  // namespace

int SqliteSchemaVersion() { return std::end(sqlite::kMigrations)[-1].version; }

Result<std::unique_ptr<Store>> OpenSqliteStore(const fs::path& path, const SqliteOptions& options) {
  if (path.empty() || !path.has_filename()) {
    return Errc::kInvalidArgument;
  }
  if (auto ok = EnsureDirectory(path.parent_path()); !ok) {
    return ok.error();
  }
  if (auto ok = CreatePrivateFile(path); !ok) {
    return ok.error();
  }
  auto db = Db::Open(path.string(), static_cast<int>(options.busy_timeout.count()));
  if (!db) {
    return db.error();
  }
  if (auto ok = Configure(**db); !ok) {
    return ok.error();
  }
  const Clock& clock = options.clock != nullptr ? *options.clock : SystemClock::Instance();
  if (auto ok = Migrate(**db, clock.Now()); !ok) {
    return ok.error();
  }
  std::unique_ptr<Db> checkpoint_db;
  if (options.background_checkpoint) {
    // Without its own connection the store still works: SQLite then checkpoints in the commit.
    auto own = Db::Open(path.string(), static_cast<int>(options.busy_timeout.count()));
    if (own && (*own)->Exec(kCheckpointerPragmas)) {
      checkpoint_db = std::move(*own);
    } else {
      log::Warn("store: no checkpoint connection; checkpoints run in the commit");
    }
  }
  return std::unique_ptr<Store>(
      std::make_unique<SqliteStore>(std::move(*db), std::move(checkpoint_db)));
}

}  // namespace mcpauth::store
