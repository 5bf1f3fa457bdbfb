#include "store/sqlite/db.hpp"

#include <cstdlib>

#include "mcpauth/core/log.hpp"
#include "store/common.hpp"

namespace mcpauth::store::sqlite {

ErrorCode MapError(int rc) {
  switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
      return Errc::kConflict;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
      return Errc::kNotFound;
    default:
      break;
  }
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_NOLFS:
    case SQLITE_AUTH:
    case SQLITE_PROTOCOL:
      return Errc::kUnavailable;
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
    case SQLITE_FORMAT:
      return Errc::kCorrupt;
    default:
      return Errc::kInternal;
  }
}

// ---- Query ----

Query::Query(Query&& other) noexcept
    : db_(other.db_), stmt_(other.stmt_), bind_error_(other.bind_error_) {
  other.stmt_ = nullptr;
}

Query::~Query() {
  if (stmt_ != nullptr) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

void Query::Check(int rc) {
  if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) {
    bind_error_ = rc;
  }
}

Query& Query::Bind(int index, std::string_view text) {
  // SQLITE_TRANSIENT: SQLite copies the bytes, so the caller's buffer may go away.
  Check(sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
  return *this;
}

Query& Query::Bind(int index, int64_t value) {
  Check(sqlite3_bind_int64(stmt_, index, value));
  return *this;
}

Query& Query::Bind(int index, TimePoint value) { return Bind(index, detail::ToMicros(value)); }

Query& Query::BindNull(int index) {
  Check(sqlite3_bind_null(stmt_, index));
  return *this;
}

Result<bool> Query::Step() {
  if (bind_error_ != SQLITE_OK) {
    return {boost::system::in_place_error, db_->Fail(bind_error_, "bind")};
  }
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) {
    return true;
  }
  if (rc == SQLITE_DONE) {
    return false;
  }
  return {boost::system::in_place_error,
          db_->Fail(sqlite3_extended_errcode(db_->handle()), "step")};
}

Status Query::Run() {
  for (;;) {
    auto row = Step();
    if (!row) {
      return row.error();
    }
    if (!*row) {
      return {};
    }
  }
}

Status Query::StepRow() {
  auto row = Step();
  if (!row) {
    return row.error();
  }
  if (!*row) {
    return Errc::kNotFound;
  }
  return {};
}

std::string Query::Text(int column) const {
  const auto* data = sqlite3_column_text(stmt_, column);
  const int size = sqlite3_column_bytes(stmt_, column);
  if (data == nullptr) {
    return {};
  }
  return std::string(reinterpret_cast<const char*>(data), static_cast<size_t>(size));
}

int64_t Query::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

TimePoint Query::Time(int column) const { return detail::FromMicros(Int(column)); }

bool Query::IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

std::optional<std::string> Query::OptText(int column) const {
  if (IsNull(column)) {
    return std::nullopt;
  }
  return Text(column);
}

std::optional<TimePoint> Query::OptTime(int column) const {
  if (IsNull(column)) {
    return std::nullopt;
  }
  return Time(column);
}

// ---- Db ----

Result<std::unique_ptr<Db>> Db::Open(const std::string& path, int busy_timeout_ms) {
  sqlite3* handle = nullptr;
  // NOMUTEX: SqliteStore's own mutex serialises the connection; SQLite's would be a second lock.
  const int rc =
      sqlite3_open_v2(path.c_str(), &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    const int ext = handle != nullptr ? sqlite3_extended_errcode(handle) : rc;
    log::Warn("store: cannot open SQLite database {}: {}", path,
              handle != nullptr ? sqlite3_errmsg(handle) : sqlite3_errstr(rc));
    sqlite3_close(handle);
    return MapError(ext);
  }
  sqlite3_extended_result_codes(handle, 1);
  sqlite3_busy_timeout(handle, busy_timeout_ms);
  return std::unique_ptr<Db>(new Db(handle));
}

Db::~Db() {
  for (auto& [sql, stmt] : cache_) {
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db_);
}

Result<Query> Db::Prepare(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) {
      return Fail(sqlite3_extended_errcode(db_), "prepare");
    }
    it = cache_.emplace(sql, stmt).first;
  }
  return Query(this, it->second);
}

Status Db::Exec(const char* sql) {
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) {
    return Fail(sqlite3_extended_errcode(db_), "exec");
  }
  return {};
}

int64_t Db::Changes() const { return sqlite3_changes64(db_); }

ErrorCode Db::Fail(int rc, std::string_view what) const {
  const ErrorCode ec = MapError(rc);
  // Expected outcomes (a taken id, a missing parent row) are results, not incidents.
  if (ec != Errc::kConflict && ec != Errc::kNotFound) {
    log::Warn("store: SQLite {} failed: {} ({})", what, sqlite3_errmsg(db_), rc);
  }
  return ec;
}

// ---- Transaction ----

namespace {
constexpr char kBegin[] = "BEGIN IMMEDIATE";
constexpr char kCommit[] = "COMMIT";
constexpr char kRollback[] = "ROLLBACK";
}  // namespace

Result<Transaction> Transaction::Begin(Db& db) {
  auto q = db.Prepare(kBegin);
  if (!q) {
    return q.error();
  }
  if (auto ok = q->Run(); !ok) {
    return ok.error();
  }
  return Transaction(&db);
}

Transaction::~Transaction() {
  if (db_ != nullptr) {
    if (auto q = db_->Prepare(kRollback)) {
      (void)q->Run();
    }
  }
}

Status Transaction::Commit() {
  auto q = db_->Prepare(kCommit);
  if (!q) {
    return q.error();
  }
  auto ok = q->Run();
  if (ok) {
    db_ = nullptr;
  }
  return ok;
}

}  // namespace mcpauth::store::sqlite
