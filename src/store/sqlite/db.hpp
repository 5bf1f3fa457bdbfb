// A thin RAII layer over one sqlite3 connection: prepared statements cached per connection,
// typed binding and reading, transactions, and SQLite result codes mapped to store::Errc.
//
// Thread-safety: none. A Db and everything borrowed from it belong to one thread at a time;
// SqliteStore serialises access with its mutex.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "mcpauth/core/result.hpp"
#include "mcpauth/store/errc.hpp"
#include "mcpauth/store/types.hpp"

namespace mcpauth::store::sqlite {

// Maps an SQLite (extended) result code to the store's error values.
ErrorCode MapError(int rc);

class Db;

// A cached prepared statement, borrowed for one execution: bound, stepped, then reset and its
// bindings cleared on destruction so that no value (not even a hash) lingers in it.
// Parameters are numbered from 1, as the ?N in the SQL.
class Query {
 public:
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;
  Query(Query&& other) noexcept;
  Query& operator=(Query&&) = delete;
  ~Query();

  Query& Bind(int index, std::string_view text);
  Query& Bind(int index, const char* text) { return Bind(index, std::string_view(text)); }
  Query& Bind(int index, const std::string& text) { return Bind(index, std::string_view(text)); }
  Query& Bind(int index, int64_t value);
  Query& Bind(int index, int value) { return Bind(index, static_cast<int64_t>(value)); }
  Query& Bind(int index, bool value) { return Bind(index, static_cast<int64_t>(value ? 1 : 0)); }
  Query& Bind(int index, TimePoint value);
  Query& BindNull(int index);
  template <class T>
  Query& Bind(int index, const std::optional<T>& value) {
    return value ? Bind(index, *value) : BindNull(index);
  }

  // One step: true with a row to read, false when done.
  Result<bool> Step();
  // Steps to the end, for statements without rows.
  Status Run();
  // Steps once and requires a row: kNotFound if there is none.
  Status StepRow();

  std::string Text(int column) const;
  int64_t Int(int column) const;
  bool Bool(int column) const { return Int(column) != 0; }
  TimePoint Time(int column) const;
  bool IsNull(int column) const;
  std::optional<std::string> OptText(int column) const;
  std::optional<TimePoint> OptTime(int column) const;

 private:
  friend class Db;
  Query(Db* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  void Check(int rc);

  Db* db_;
  sqlite3_stmt* stmt_;
  int bind_error_ = SQLITE_OK;
};

class Db {
 public:
  // Opens an existing file read-write (the caller creates it with the right mode first).
  static Result<std::unique_ptr<Db>> Open(const std::string& path, int busy_timeout_ms);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // `sql` must be a named constant with static storage: it keys the statement cache.
  Result<Query> Prepare(std::string_view sql);
  // Runs a script of statements without parameters (migrations, PRAGMAs).
  Status Exec(const char* sql);
  // Rows changed by the last INSERT/UPDATE/DELETE.
  int64_t Changes() const;
  // Logs (never with bound values: SQLite does not put them in messages) and maps `rc`.
  ErrorCode Fail(int rc, std::string_view what) const;

  sqlite3* handle() const { return db_; }

 private:
  explicit Db(sqlite3* db) : db_(db) {}
  sqlite3* db_;
  std::unordered_map<std::string_view, sqlite3_stmt*> cache_;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back on destruction unless committed. IMMEDIATE takes the
// write lock at once: two processes doing read-then-write cannot both read the old state (in
// WAL mode a deferred transaction would fail with SQLITE_BUSY_SNAPSHOT instead of waiting).
class Transaction {
 public:
  static Result<Transaction> Begin(Db& db);
  Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  Status Commit();

 private:
  explicit Transaction(Db* db) : db_(db) {}
  Db* db_;
};

}  // namespace mcpauth::store::sqlite
