// What the store tests share: a temporary directory, the backend factories the typed suite runs
// over, and small builders for rows. A backend joins the suite by adding a factory here and to
// the Backends list in store_suite_test.cpp.
#pragma once

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include "fakes/temp_dir.hpp"

#include <unistd.h>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <ostream>
#include <string>

#include "mcpauth/core/base64url.hpp"
#include "mcpauth/core/crypto.hpp"
#include "mcpauth/store/memory_store.hpp"
#include "mcpauth/store/postgres_store.hpp"
#include "mcpauth/store/sqlite_store.hpp"

namespace mcpauth::store {

// gtest prints an Errc by its message ("already used"), not as "4-byte object".
inline void PrintTo(Errc e, std::ostream* os) { *os << make_error_code(e).message(); }

}  // namespace mcpauth::store

namespace mcpauth::store::storetest {

// A fresh directory, removed at the end of the test.
class TempDir : public mcpauth::testing::TempDir {
 public:
  TempDir() : mcpauth::testing::TempDir("mcpauth-store") {}
};

struct MemoryBackend {
  static constexpr const char* kName = "Memory";
  std::unique_ptr<Store> Open() { return OpenMemoryStore(); }
};

struct SqliteBackend {
  static constexpr const char* kName = "Sqlite";
  TempDir dir;
  std::unique_ptr<Store> Open() {
    auto store = OpenSqliteStore(dir.path() / "store.db");
    EXPECT_TRUE(store.has_value()) << store.error().message();
    return store ? std::move(*store) : nullptr;
  }
};

// The PostgreSQL the tests use: MCPAUTH_TEST_POSTGRES, a libpq URL that ctest sets for the
// tests of the `postgres` fixture (test/postgres/pg_fixture.sh starts a server in a temporary
// folder). Empty when unset.
inline std::string TestPostgres() {
  const char* url = std::getenv("MCPAUTH_TEST_POSTGRES");
  return url != nullptr ? url : "";
}

// Why PostgreSQL tests cannot run here, or "" if they can. Under CI=true they always run (a
// missing server then fails them): a component is installed there, never skipped.
inline std::string PostgresSkipReason() {
  const char* ci = std::getenv("CI");
  if (TestPostgres().empty() && (ci == nullptr || std::string(ci) != "true")) {
    return "MCPAUTH_TEST_POSTGRES is not set (ctest sets it; see test/postgres/pg_fixture.sh)";
  }
  return "";
}

// Runs one SQL command on the test server (schema set-up and tear-down, raw checks); returns
// whether it succeeded.
inline bool PostgresCommand(const std::string& command) {
  PGconn* conn = PQconnectdb(TestPostgres().c_str());
  bool ok = PQstatus(conn) == CONNECTION_OK;
  if (ok) {
    PGresult* res = PQexec(conn, command.c_str());
    ok = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK;
    PQclear(res);
  }
  PQfinish(conn);
  return ok;
}

// A schema of its own per test (and per process: ctest runs tests in parallel), dropped at the
// end, so each test starts from an empty, freshly migrated database.
class TestSchema {
 public:
  TestSchema() {
    static int counter = 0;
    name_ = "t_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
  }
  ~TestSchema() {
    if (!TestPostgres().empty()) {
      (void)PostgresCommand("DROP SCHEMA IF EXISTS " + name_ + " CASCADE");
    }
  }
  TestSchema(const TestSchema&) = delete;
  TestSchema& operator=(const TestSchema&) = delete;
  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

struct PostgresBackend {
  static constexpr const char* kName = "Postgres";
  static std::string SkipReason() { return PostgresSkipReason(); }
  TestSchema schema;
  std::unique_ptr<Store> Open() {
    auto store = OpenPostgresStore(TestPostgres(), {.schema = schema.name()});
    EXPECT_TRUE(store.has_value()) << store.error().message() << " (" << TestPostgres() << ")";
    return store ? std::move(*store) : nullptr;
  }
};

// A valid PKCE S256 challenge (RFC 7636 §4.2) for `verifier`.
inline std::string S256(std::string_view verifier) {
  const auto digest = core::Sha256(verifier);
  return core::Base64UrlEncode(digest);
}

}  // namespace mcpauth::store::storetest
