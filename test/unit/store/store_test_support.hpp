// What the store tests share: a temporary directory, the backend factories the typed suite runs
// over, and small builders for rows. A new backend (PostgreSQL) joins the suite by adding a
// factory here and to the Backends list in store_suite_test.cpp.
#pragma once

#include <gtest/gtest.h>
#include "fakes/temp_dir.hpp"

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <ostream>
#include <string>

#include "mcpauth/core/base64url.hpp"
#include "mcpauth/core/crypto.hpp"
#include "mcpauth/store/memory_store.hpp"
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

// A valid PKCE S256 challenge (RFC 7636 §4.2) for `verifier`.
inline std::string S256(std::string_view verifier) {
  const auto digest = core::Sha256(verifier);
  return core::Base64UrlEncode(digest);
}

}  // namespace mcpauth::store::storetest
