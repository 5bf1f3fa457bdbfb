#include "store/postgres/pg.hpp"

#include <poll.h>

#include <charconv>
#include <cstring>

#include "mcpauth/core/log.hpp"
#include "store/common.hpp"

namespace mcpauth::store::postgres {
namespace {

// SQLSTATE classes and codes (https://www.postgresql.org/docs/15/errcodes-appendix.html).
ErrorCode MapSqlState(std::string_view state) {
  if (state == "23505") {  // unique_violation
    return Errc::kConflict;
  }
  if (state == "23503") {  // foreign_key_violation: the row referred to does not exist
    return Errc::kNotFound;
  }
  const std::string_view cls = state.substr(0, 2);
  // 08 connection exception, 57 operator intervention (shutdown, cancel), 53 insufficient
  // resources, 40 transaction rollback (serialization failure, deadlock), 25006 read-only
  // transaction (a standby), 58 system error.
  if (cls == "08" || cls == "57" || cls == "53" || cls == "40" || cls == "58" || state == "25006") {
    return Errc::kUnavailable;
  }
  if (cls == "22") {  // data exception: an invalid UTF-8 byte sequence, a number out of range
    return Errc::kInvalidArgument;
  }
  return Errc::kInternal;
}

int64_t ParseInt(const char* text) {
  int64_t value = 0;
  std::from_chars(text, text + std::strlen(text), value);
  return value;
}

}  // namespace

// ---- Params ----

Params& Params::Add(std::string_view text) {
  has_nul_ = has_nul_ || text.find('\0') != std::string_view::npos;
  values_.emplace_back(std::string(text));
  return *this;
}

Params& Params::Add(int64_t value) {
  values_.emplace_back(std::to_string(value));
  return *this;
}

Params& Params::Add(bool value) {
  values_.emplace_back(value ? "true" : "false");
  return *this;
}

Params& Params::Add(TimePoint value) { return Add(detail::ToMicros(value)); }

Params& Params::AddNull() {
  values_.emplace_back(std::nullopt);
  return *this;
}

// ---- Row / Rows ----

std::string Row::Text(int column) const {
  return std::string(PQgetvalue(res_, row_, column),
                     static_cast<size_t>(PQgetlength(res_, row_, column)));
}

int64_t Row::Int(int column) const { return ParseInt(PQgetvalue(res_, row_, column)); }

bool Row::Bool(int column) const {
  const char* v = PQgetvalue(res_, row_, column);
  return v[0] == 't' || (v[0] >= '1' && v[0] <= '9');
}

TimePoint Row::Time(int column) const { return detail::FromMicros(Int(column)); }

bool Row::IsNull(int column) const { return PQgetisnull(res_, row_, column) != 0; }

std::optional<std::string> Row::OptText(int column) const {
  return IsNull(column) ? std::nullopt : std::optional<std::string>(Text(column));
}

std::optional<TimePoint> Row::OptTime(int column) const {
  return IsNull(column) ? std::nullopt : std::optional<TimePoint>(Time(column));
}

int64_t Rows::changed() const {
  const char* n = PQcmdTuples(res_.get());
  return n[0] == '\0' ? 0 : ParseInt(n);
}

// ---- Conn ----

Result<std::unique_ptr<Conn>> Conn::Connect(const ConnectParams& params) {
  const std::string timeout = std::to_string(params.connect_timeout.count());
  const std::string options = params.schema.empty() ? "" : "-c search_path=" + params.schema;
  // Later entries override earlier ones; `dbname` expands the connection string or URL, so its
  // own connect_timeout wins over ours, while the schema always comes from the options.
  const char* keywords[] = {"connect_timeout", "application_name", "dbname", "options", nullptr};
  const char* values[] = {timeout.c_str(), "mcpauth", params.conninfo.c_str(),
                          options.empty() ? nullptr : options.c_str(), nullptr};
  if (options.empty()) {
    keywords[3] = nullptr;
  }
  PGconn* conn = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (conn == nullptr) {
    return Errc::kUnavailable;
  }
  if (PQstatus(conn) != CONNECTION_OK) {
    // libpq's message names the host and the reason; the password is never in it.
    std::string message = PQerrorMessage(conn);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
      message.pop_back();
    }
    log::Warn("store: cannot connect to PostgreSQL: {}", message);
    PQfinish(conn);
    return Errc::kUnavailable;
  }
  // Notices (a server shutting down, a warning) go to our log, not to stderr.
  PQsetNoticeProcessor(
      conn,
      [](void*, const char* message) {
        std::string_view text(message);
        while (!text.empty() && text.back() == '\n') {
          text.remove_suffix(1);
        }
        log::Info("store: PostgreSQL says: {}", text);
      },
      nullptr);
  return std::unique_ptr<Conn>(new Conn(conn));
}

Conn::~Conn() { PQfinish(conn_); }

ErrorCode Conn::Fail(const PGresult* res, std::string_view what) const {
  if (!ok()) {
    log::Warn("store: PostgreSQL connection lost ({})", what);
    return Errc::kUnavailable;
  }
  const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  const ErrorCode mapped = state != nullptr ? MapSqlState(state) : ErrorCode(Errc::kUnavailable);
  if (mapped != Errc::kConflict && mapped != Errc::kNotFound) {
    // The primary message only: DETAIL may quote key values.
    const char* primary = res != nullptr ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : "";
    log::Warn("store: PostgreSQL error {} in {}: {}", state != nullptr ? state : "?", what,
              primary != nullptr ? primary : "");
  }
  return mapped;
}

Result<Rows> Conn::Exec(const char* sql, const Params& params) {
  if (params.has_nul()) {
    return Errc::kInvalidArgument;
  }
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    std::string name = "s" + std::to_string(prepared_.size());
    Rows prepared(PQprepare(conn_, name.c_str(), sql, 0, nullptr));
    if (PQresultStatus(prepared.get()) != PGRES_COMMAND_OK) {
      return Fail(prepared.get(), "prepare");
    }
    it = prepared_.emplace(sql, std::move(name)).first;
  }
  std::vector<const char*> values;
  values.reserve(params.values().size());
  for (const auto& v : params.values()) {
    values.push_back(v ? v->c_str() : nullptr);
  }
  Rows rows(
      PQexecPrepared(conn_, it->second.c_str(), params.size(), values.data(), nullptr, nullptr, 0));
  const auto status = PQresultStatus(rows.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return Fail(rows.get(), "statement");
  }
  return rows;
}

Status Conn::Script(const char* sql) {
  Rows rows(PQexec(conn_, sql));
  const auto status = PQresultStatus(rows.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return Fail(rows.get(), "script");
  }
  return {};
}

// ---- Transaction ----

Result<Transaction> Transaction::Begin(Conn& conn) {
  if (auto ok = conn.Script("BEGIN"); !ok) {
    return ok.error();
  }
  return Transaction(&conn);
}

Transaction::~Transaction() {
  // Not when the caller already ended the transaction (a replay's revocation commits itself).
  if (conn_ != nullptr && conn_->ok() && PQtransactionStatus(conn_->handle()) != PQTRANS_IDLE) {
    (void)conn_->Script("ROLLBACK");
  }
}

Status Transaction::Commit() {
  Conn* conn = conn_;
  conn_ = nullptr;
  return conn->Script("COMMIT");
}

// ---- Pool ----

namespace {

// An idle pool connection has nothing to read: no query is running and it LISTENs to nothing.
// Anything readable (a FATAL "terminating connection" from a server shutting down, or the end
// of the stream) means the server is gone. One poll, no read.
bool IsIdleAndAlive(const Conn& conn) {
  if (!conn.ok()) {
    return false;
  }
  pollfd fd{.fd = PQsocket(conn.handle()), .events = POLLIN | POLLRDHUP, .revents = 0};
  return fd.fd >= 0 && ::poll(&fd, 1, 0) == 0;
}

}  // namespace

Pool::Lease::~Lease() {
  if (pool_ != nullptr) {
    pool_->Release(std::move(conn_));
  }
}

Result<Pool::Lease> Pool::Acquire() {
  {
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [&] { return !idle_.empty() || open_ < size_; });
      if (idle_.empty()) {
        break;
      }
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      if (IsIdleAndAlive(*conn)) {
        return Lease(this, std::move(conn));
      }
      // The server went away (a restart): its other idle connections are as dead as this one.
      open_ -= 1 + idle_.size();
      idle_.clear();
    }
    ++open_;  // a slot for the connection we open below, outside the lock
  }
  auto conn = Conn::Connect(params_);
  if (!conn) {
    std::lock_guard lock(mu_);
    --open_;
    cv_.notify_one();
    return conn.error();
  }
  return Lease(this, std::move(*conn));
}

void Pool::Release(std::unique_ptr<Conn> conn) {
  std::lock_guard lock(mu_);
  if (conn != nullptr && conn->ok() && PQtransactionStatus(conn->handle()) == PQTRANS_IDLE) {
    idle_.push_back(std::move(conn));
  } else {
    // Lost, or left inside a transaction: closed, and the slot is free again. A lost connection
    // means the server went away, so the idle ones are dropped too.
    if (conn == nullptr || !conn->ok()) {
      open_ -= idle_.size();
      idle_.clear();
    }
    --open_;
  }
  cv_.notify_all();
}

bool IsValidSchemaName(std::string_view name) {
  if (name.empty() || name.size() > 63) {
    return false;
  }
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = (c >= 'a' && c <= 'z') || c == '_' || (i > 0 && c >= '0' && c <= '9');
    if (!ok) {
      return false;
    }
  }
  return true;
}

}  // namespace mcpauth::store::postgres
