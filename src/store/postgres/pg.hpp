// A thin layer over libpq for the PostgreSQL store: connections with their prepared statements,
// text-format parameters ($1, $2, … in order), result rows, transactions, a small pool, and
// SQLSTATEs mapped to store::Errc. Private to the store module: libpq never reaches a public
// header.
//
// Thread-safety: a Conn (and its Rows) belongs to one thread at a time; the Pool hands each
// connection to one borrower. The Pool itself is safe to use from any thread.
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "mcpauth/core/result.hpp"
#include "mcpauth/store/errc.hpp"
#include "mcpauth/store/types.hpp"

namespace mcpauth::store::postgres {

// Where and how to connect: a libpq connection string or URL, and the schema to work in.
struct ConnectParams {
  std::string conninfo;
  std::string schema;  // "" = the server's default search_path
  std::chrono::seconds connect_timeout{5};
};

// The values of one statement's parameters, in order: the first Add() is $1. Sent in text
// format (times as microseconds since the epoch, booleans as true/false); nullopt is NULL.
class Params {
 public:
  Params& Add(std::string_view text);
  Params& Add(const char* text) { return Add(std::string_view(text)); }
  Params& Add(const std::string& text) { return Add(std::string_view(text)); }
  Params& Add(int64_t value);
  Params& Add(int value) { return Add(static_cast<int64_t>(value)); }
  Params& Add(bool value);
  Params& Add(TimePoint value);
  Params& AddNull();
  template <class T>
  Params& Add(const std::optional<T>& value) {
    return value ? Add(*value) : AddNull();
  }
  // Text parameters are C strings in libpq: a NUL byte would cut a value short, so a value with
  // one makes the statement fail with kInvalidArgument instead.
  bool has_nul() const { return has_nul_; }
  int size() const { return static_cast<int>(values_.size()); }
  const std::vector<std::optional<std::string>>& values() const { return values_; }

 private:
  std::vector<std::optional<std::string>> values_;
  bool has_nul_ = false;
};

// One row of a result; columns are numbered from 0, as in the SELECT.
class Row {
 public:
  Row(const PGresult* res, int row) : res_(res), row_(row) {}
  std::string Text(int column) const;
  int64_t Int(int column) const;
  bool Bool(int column) const;
  TimePoint Time(int column) const;
  bool IsNull(int column) const;
  std::optional<std::string> OptText(int column) const;
  std::optional<TimePoint> OptTime(int column) const;

 private:
  const PGresult* res_;
  int row_;
};

// A statement's result: its rows and how many rows it changed.
class Rows {
 public:
  explicit Rows(PGresult* res) : res_(res, &PQclear) {}
  int size() const { return PQntuples(res_.get()); }
  bool empty() const { return size() == 0; }
  Row operator[](int row) const { return Row(res_.get(), row); }
  // Rows an INSERT/UPDATE/DELETE changed (0 for other statements).
  int64_t changed() const;
  const PGresult* get() const { return res_.get(); }

 private:
  std::unique_ptr<PGresult, void (*)(PGresult*)> res_;
};

class Conn {
 public:
  // kUnavailable if the server cannot be reached or refuses us.
  static Result<std::unique_ptr<Conn>> Connect(const ConnectParams& params);
  ~Conn();
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  // Runs `sql` (a named constant with static storage: it keys this connection's prepared
  // statements) with `params`. Prepared on first use on this connection.
  Result<Rows> Exec(const char* sql, const Params& params);
  Result<Rows> Exec(const char* sql) { return Exec(sql, Params()); }
  // Runs a script of statements without parameters (migrations, BEGIN, LISTEN).
  Status Script(const char* sql);
  // False once the connection is lost: it is then dropped rather than reused.
  bool ok() const { return PQstatus(conn_) == CONNECTION_OK; }
  PGconn* handle() const { return conn_; }

 private:
  explicit Conn(PGconn* conn) : conn_(conn) {}
  // Maps a failed result to an Errc, logging what is unexpected (never a value: only the
  // primary message and the SQLSTATE).
  ErrorCode Fail(const PGresult* res, std::string_view what) const;

  PGconn* conn_;
  std::unordered_map<const char*, std::string> prepared_;  // SQL text → statement name
};

// BEGIN … COMMIT on one connection, rolled back on destruction unless committed.
class Transaction {
 public:
  static Result<Transaction> Begin(Conn& conn);
  Transaction(Transaction&& other) noexcept : conn_(other.conn_) { other.conn_ = nullptr; }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  Status Commit();

 private:
  explicit Transaction(Conn* conn) : conn_(conn) {}
  Conn* conn_;
};

// Up to `size` connections, opened on demand. A borrower that finds none free waits; a lost
// connection is dropped when returned, so the next borrower connects anew (this is how service
// resumes by itself after the database comes back).
class Pool {
 public:
  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<Conn> conn) : pool_(pool), conn_(std::move(conn)) {}
    Lease(Lease&& other) noexcept : pool_(other.pool_), conn_(std::move(other.conn_)) {
      other.pool_ = nullptr;
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Lease& operator=(Lease&&) = delete;
    // Returns the connection to the pool (or closes it if it was lost).
    ~Lease();
    Conn& operator*() const { return *conn_; }
    Conn* operator->() const { return conn_.get(); }

   private:
    Pool* pool_;
    std::unique_ptr<Conn> conn_;
  };

  Pool(ConnectParams params, size_t size) : params_(std::move(params)), size_(size) {}
  // kUnavailable if no connection could be opened.
  Result<Lease> Acquire();
  const ConnectParams& params() const { return params_; }

 private:
  void Release(std::unique_ptr<Conn> conn);

  const ConnectParams params_;
  const size_t size_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Conn>> idle_;  // guarded by mu_
  size_t open_ = 0;                          // idle + leased + connecting; guarded by mu_
};

// A schema name we accept: [a-z_][a-z0-9_]{0,62} (it is put into SQL as an identifier).
bool IsValidSchemaName(std::string_view name);

}  // namespace mcpauth::store::postgres
