// What only the SQLite backend has: a file (its mode, its journal, its directory), migrations,
// errors of the file system, several connections on one file, and bytes at rest that must not
// contain a token. The behaviour every backend shares is in store_suite_test.cpp.
#include "mcpauth/store/sqlite_store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <fstream>
#include <iterator>
#include <latch>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "fakes/fake_clock.hpp"
#include "mcpauth/core/base64url.hpp"
#include "mcpauth/core/token.hpp"
#include "store/sqlite/schema.hpp"
#include "store_test_support.hpp"

namespace mcpauth::store {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using storetest::S256;
using storetest::TempDir;

// The database opened behind the store's back with the sqlite3 C API, as an operator would.
class RawDb {
 public:
  explicit RawDb(const fs::path& path) {
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  }
  ~RawDb() { sqlite3_close(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  int Exec(const char* sql) { return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr); }

  std::string Text(const char* sql) {
    std::vector<std::vector<std::string>> rows = Rows(sql);
    return rows.empty() || rows[0].empty() ? std::string() : rows[0][0];
  }

  // Every TEXT or BLOB value of every row, as bytes.
  std::vector<std::vector<std::string>> Rows(const std::string& sql) {
    std::vector<std::vector<std::string>> rows;
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
        const int type = sqlite3_column_type(stmt, c);
        if (type == SQLITE_TEXT || type == SQLITE_BLOB) {
          const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt, c));
          row.emplace_back(data, static_cast<size_t>(sqlite3_column_bytes(stmt, c)));
        } else {
          row.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(stmt, c))
                               ? reinterpret_cast<const char*>(sqlite3_column_text(stmt, c))
                               : "");
        }
      }
      rows.push_back(std::move(row));
    }
    sqlite3_finalize(stmt);
    return rows;
  }

 private:
  sqlite3* db_ = nullptr;
};

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

unsigned ModeOf(const fs::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

std::unique_ptr<Store> MustOpen(const fs::path& path) {
  auto store = OpenSqliteStore(path);
  EXPECT_TRUE(store) << store.error().message();
  return store ? std::move(*store) : nullptr;
}

Grant MakeGrant(std::string id, TimePoint now) {
  return Grant{.id = std::move(id),
               .user_id = "u1",
               .client_id = "c1",
               .scopes = {"mcp:tools"},
               .resource = "https://mcp.example.com/mcp",
               .created_at = now};
}

TEST(SqliteStoreTest, CreatesAPrivateWalFileAndItsDirectories) {
  TempDir tmp;
  const fs::path dir = tmp.path() / "var" / "data";
  const fs::path path = dir / "mcpauth.db";
  auto store = MustOpen(path);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->Backend(), "sqlite");
  ASSERT_TRUE(store->CreateGrant(MakeGrant("g1", SystemClock::Instance().Now())));

  EXPECT_EQ(ModeOf(path), 0600u);
  EXPECT_EQ(ModeOf(dir), 0700u);
  EXPECT_EQ(ModeOf(tmp.path() / "var"), 0700u);
  ASSERT_TRUE(fs::exists(fs::path(path.string() + "-wal")));
  EXPECT_EQ(ModeOf(fs::path(path.string() + "-wal")), 0600u);  // SQLite copies the db's mode
  RawDb raw(path);
  EXPECT_EQ(raw.Text("PRAGMA journal_mode"), "wal");
}

TEST(SqliteStoreTest, TightensAnExistingWorldReadableFile) {
  TempDir tmp;
  const fs::path path = tmp.path() / "store.db";
  std::ofstream(path).close();
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                            fs::perms::others_read);
  ASSERT_EQ(ModeOf(path), 0644u);
  ASSERT_NE(MustOpen(path), nullptr);
  EXPECT_EQ(ModeOf(path), 0600u);
}

TEST(SqliteStoreTest, ReopeningIsIdempotentAndKeepsTheData) {
  TempDir tmp;
  const fs::path path = tmp.path() / "store.db";
  const TimePoint now = testing::FakeClock().Now();
  {
    auto store = MustOpen(path);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->CreateGrant(MakeGrant("g1", now)));
  }
  for (int i = 0; i < 2; ++i) {
    auto store = MustOpen(path);
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(*store->GetGrant("g1"), MakeGrant("g1", now));
  }
  RawDb raw(path);
  EXPECT_EQ(raw.Text("SELECT COUNT(*) FROM schema_migrations"),
            std::to_string(SqliteSchemaVersion()));
  EXPECT_EQ(raw.Text("SELECT MAX(version) FROM schema_migrations"),
            std::to_string(SqliteSchemaVersion()));
}

TEST(SqliteStoreTest, StampsMigrationsWithTheInjectedClock) {
  TempDir tmp;
  const testing::FakeClock clock(1'234'567'890);
  ASSERT_TRUE(OpenSqliteStore(tmp.path() / "store.db", {.clock = &clock}));
  RawDb raw(tmp.path() / "store.db");
  EXPECT_EQ(raw.Text("SELECT applied_at FROM schema_migrations WHERE version = 1"),
            "1234567890000000");
}

TEST(SqliteStoreTest, ASchemaNewerThanThisBuildIsUnsupported) {
  TempDir tmp;
  const fs::path path = tmp.path() / "store.db";
  ASSERT_NE(MustOpen(path), nullptr);
  {
    RawDb raw(path);
    ASSERT_EQ(raw.Exec("INSERT INTO schema_migrations VALUES (999, 'from the future', 0)"),
              SQLITE_OK);
  }
  auto store = OpenSqliteStore(path);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error(), Errc::kUnsupported);
}

TEST(SqliteStoreTest, UpgradesAVersion1DatabaseAndKeepsItsRows) {
  TempDir tmp;
  const fs::path path = tmp.path() / "store.db";
  const testing::FakeClock clock;
  const TimePoint now = clock.Now();
  const std::string code_hash = core::TokenHash("code");
  {
    // A file as the first release left it: migration 1 only, with a grant and a code in it.
    std::ofstream(path).close();
    RawDb raw(path);
    ASSERT_EQ(raw.Exec(sqlite::kCreateMigrationsTable), SQLITE_OK);
    ASSERT_EQ(raw.Exec(sqlite::kMigrations[0].sql), SQLITE_OK);
    ASSERT_EQ(raw.Exec("INSERT INTO schema_migrations VALUES (1, 'initial schema', 0)"), SQLITE_OK);
    ASSERT_EQ(raw.Exec("INSERT INTO grants (id, user_id, client_id, scope, resource, created_at) "
                       "VALUES ('g1', 'u1', 'c1', 'mcp:tools', 'https://mcp.example.com/mcp', "
                       "1700000000000000)"),
              SQLITE_OK);
    const std::string insert_code =
        "INSERT INTO authorization_codes (hash, grant_id, redirect_uri, code_challenge, scope, "
        "resource, created_at, expires_at) VALUES ('" +
        code_hash + "', 'g1', 'http://127.0.0.1/cb', '" + S256("verifier") +
        "', 'mcp:tools', 'https://mcp.example.com/mcp', 1700000000000000, 1700000600000000)";
    ASSERT_EQ(raw.Exec(insert_code.c_str()), SQLITE_OK);
  }
  ASSERT_EQ(SqliteSchemaVersion(), 4);
  auto store = MustOpen(path);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(*store->GetGrant("g1"), MakeGrant("g1", now));  // last_used_at unset
  auto consumed = store->ConsumeCode(code_hash, now + 1s);
  ASSERT_TRUE(consumed) << consumed.error().message();
  EXPECT_EQ(consumed->grant.last_used_at, now + 1s);
  EXPECT_EQ(store->GetGrant("g1")->last_used_at, now + 1s);
  store.reset();

  RawDb raw(path);
  EXPECT_EQ(raw.Text("SELECT group_concat(version || ':' || name, ',') FROM "
                     "(SELECT version, name FROM schema_migrations ORDER BY version)"),
            "1:initial schema,2:grants.last_used_at,"
            "3:refresh_tokens in insertion order; unused audit index dropped,4:mcp_sessions");
  EXPECT_EQ(raw.Text("SELECT last_used_at FROM grants WHERE id = 'g1'"), "1700000001000000");
}

TEST(SqliteStoreTest, UpgradesAVersion2DatabaseAndItsRefreshTokensKeepTheirRule) {
  TempDir tmp;
  const fs::path path = tmp.path() / "store.db";
  const testing::FakeClock clock;
  const TimePoint now = clock.Now();
  const int64_t t = 1'700'000'000'000'000;  // now, in stored microseconds
  auto hash = [](const char* name) { return core::TokenHash(name); };
  {
    // A file as release 2 left it: r0 rotated into r1 and, by grace, r1b; o1 and o2 are siblings
    // whose parent was purged; x is another grant's token that came back as a replay.
    std::ofstream(path).close();
    RawDb raw(path);
    ASSERT_EQ(raw.Exec(sqlite::kCreateMigrationsTable), SQLITE_OK);
    ASSERT_EQ(raw.Exec(sqlite::kMigrations[0].sql), SQLITE_OK);
    ASSERT_EQ(raw.Exec(sqlite::kMigrations[1].sql), SQLITE_OK);
    ASSERT_EQ(raw.Exec("INSERT INTO schema_migrations VALUES (1, 'initial schema', 0), "
                       "(2, 'grants.last_used_at', 0)"),
              SQLITE_OK);
    for (const char* grant : {"g1", "g2"}) {
      const std::string insert =
          std::string("INSERT INTO grants (id, user_id, client_id, scope, ") +
          "resource, created_at) VALUES ('" + grant +
          "', 'u1', 'c1', 'mcp:tools', 'https://mcp.example.com/mcp', " + std::to_string(t) + ")";
      ASSERT_EQ(raw.Exec(insert.c_str()), SQLITE_OK);
    }
    auto insert = [&](const char* name, const char* grant, const char* parent, int64_t used_at) {
      const std::string sql =
          "INSERT INTO refresh_tokens (hash, grant_id, parent_hash, created_at, expires_at, "
          "used_at) VALUES ('" +
          hash(name) + "', '" + grant + "', " +
          (parent != nullptr ? "'" + hash(parent) + "'" : std::string("NULL")) + ", " +
          std::to_string(t) + ", " + std::to_string(t + 3'600'000'000) + ", " +
          (used_at != 0 ? std::to_string(used_at) : std::string("NULL")) + ")";
      return raw.Exec(sql.c_str());
    };
    ASSERT_EQ(insert("r0", "g1", nullptr, t), SQLITE_OK);
    ASSERT_EQ(insert("r1", "g1", "r0", 0), SQLITE_OK);
    ASSERT_EQ(insert("r1b", "g1", "r0", 0), SQLITE_OK);
    ASSERT_EQ(insert("o1", "g1", "purged", 0), SQLITE_OK);
    ASSERT_EQ(insert("o2", "g1", "purged", 0), SQLITE_OK);
    ASSERT_EQ(insert("x", "g2", nullptr, t - 3'600'000'000), SQLITE_OK);
  }
  auto store = MustOpen(path);
  ASSERT_NE(store, nullptr);
  const RefreshToken r0 = *store->GetRefreshToken(hash("r0"));
  EXPECT_EQ(r0, (RefreshToken{.hash = hash("r0"),
                              .grant_id = "g1",
                              .created_at = now,
                              .expires_at = now + 1h,
                              .used_at = now}));
  EXPECT_EQ(store->GetRefreshToken(hash("r1b"))->parent_hash, hash("r0"));

  auto rotation = [&](const char* presented, const std::string& successor) {
    return RefreshRotation{.old_hash = hash(presented),
                           .new_hash = successor,
                           .client_id = "c1",
                           .new_expires_at = now + 1h,
                           .now = now + 1s,
                           .grace = kDefaultRefreshGrace};
  };
  // r0 is in its grace: one more sibling; rotating r1 then supersedes r1b and ends the grace.
  ASSERT_TRUE(store->RotateRefreshToken(rotation("r0", hash("r1c"))));
  ASSERT_TRUE(store->RotateRefreshToken(rotation("r1", hash("r2"))));
  EXPECT_TRUE(store->GetRefreshToken(hash("r1b"))->superseded_at);
  EXPECT_TRUE(store->GetRefreshToken(hash("r1c"))->superseded_at);
  // The orphaned siblings are still siblings.
  ASSERT_TRUE(store->RotateRefreshToken(rotation("o1", hash("o3"))));
  EXPECT_TRUE(store->GetRefreshToken(hash("o2"))->superseded_at);
  EXPECT_FALSE(store->GetGrant("g1")->revoked_at);
  // A replay still revokes.
  EXPECT_EQ(store->RotateRefreshToken(rotation("x", hash("x2"))).error(), Errc::kReplayDetected);
  EXPECT_TRUE(store->GetGrant("g2")->revoked_at);
  store.reset();

  RawDb raw(path);
  EXPECT_EQ(raw.Text("SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_schema WHERE "
                     "type = 'index' AND tbl_name IN ('refresh_tokens', 'audit_events') AND sql "
                     "IS NOT NULL ORDER BY name)"),
            "refresh_tokens_expires,refresh_tokens_grant_parent");
  EXPECT_EQ(raw.Text("SELECT COUNT(*) FROM refresh_tokens"), "9");
  EXPECT_EQ(raw.Text("PRAGMA integrity_check"), "ok");
  EXPECT_EQ(raw.Text("PRAGMA foreign_key_check"), "");
}

// Thousands of rotations, enough for the background checkpoint to run many times while the
// store writes (and, without it, for SQLite to checkpoint in the commit): nothing is lost.
TEST(SqliteStoreTest, CheckpointsInTheBackgroundOrInTheCommitLoseNothing) {
  for (const bool background : {true, false}) {
    TempDir tmp;
    const fs::path path = tmp.path() / "store.db";
    const testing::FakeClock clock;
    std::string current = core::TokenHash("t-0");
    {
      auto opened = OpenSqliteStore(path, {.background_checkpoint = background});
      ASSERT_TRUE(opened);
      Store& store = **opened;
      ASSERT_TRUE(store.CreateGrant(MakeGrant("g1", clock.Now())));
      ASSERT_TRUE(store.CreateRefreshToken({.hash = current,
                                            .grant_id = "g1",
                                            .created_at = clock.Now(),
                                            .expires_at = clock.Now() + 24h}));
      for (int i = 1; i <= 3000; ++i) {
        const std::string next = core::TokenHash("t-" + std::to_string(i));
        auto rotated = store.RotateRefreshToken({.old_hash = current,
                                                 .new_hash = next,
                                                 .client_id = "c1",
                                                 .new_expires_at = clock.Now() + 24h,
                                                 .now = clock.Now(),
                                                 .grace = kDefaultRefreshGrace});
        ASSERT_TRUE(rotated) << i << ": " << rotated.error().message();
        current = next;
      }
    }
    auto store = MustOpen(path);
    ASSERT_NE(store, nullptr);
    auto last = store->GetRefreshToken(current);
    ASSERT_TRUE(last);
    EXPECT_FALSE(last->used_at);
    RawDb raw(path);
    EXPECT_EQ(raw.Text("SELECT COUNT(*) FROM refresh_tokens WHERE used_at IS NULL"), "1");
    EXPECT_EQ(raw.Text("SELECT COUNT(*) FROM refresh_tokens"), "3001");
    EXPECT_EQ(raw.Text("PRAGMA integrity_check"), "ok");
  }
}

TEST(SqliteStoreTest, AFileThatIsNoDatabaseIsCorrupt) {
  TempDir tmp;
  const fs::path path = tmp.path() / "store.db";
  {
    std::ofstream out(path, std::ios::binary);
    for (int i = 0; i < 512; ++i) {
      out << "this is not an SQLite database ";
    }
  }
  auto store = OpenSqliteStore(path);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error(), Errc::kCorrupt);
}

TEST(SqliteStoreTest, AnUnwritablePathIsUnavailable) {
  TempDir tmp;
  const fs::path file = tmp.path() / "regular-file";
  std::ofstream(file) << "x";
  // Runs as root too: no permission bit stops root, but a file is not a directory.
  auto under_file = OpenSqliteStore(file / "store.db");
  ASSERT_FALSE(under_file);
  EXPECT_EQ(under_file.error(), Errc::kUnavailable);
  auto deeper = OpenSqliteStore(file / "a" / "b" / "store.db");
  ASSERT_FALSE(deeper);
  EXPECT_EQ(deeper.error(), Errc::kUnavailable);
  auto a_directory = OpenSqliteStore(tmp.path());
  ASSERT_FALSE(a_directory);
  EXPECT_EQ(a_directory.error(), Errc::kUnavailable);
  EXPECT_EQ(OpenSqliteStore("").error(), Errc::kInvalidArgument);
}

TEST(SqliteStoreTest, AuditEventsCannotBeChangedEvenInSql) {
  TempDir tmp;
  const fs::path path = tmp.path() / "store.db";
  auto store = MustOpen(path);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->AppendAudit({.type = "login.failed", .time = testing::FakeClock().Now()}));
  RawDb raw(path);
  EXPECT_NE(raw.Exec("UPDATE audit_events SET type = 'login.ok'"), SQLITE_OK);
  EXPECT_NE(raw.Exec("DELETE FROM audit_events"), SQLITE_OK);
  EXPECT_EQ(store->ListAudit({})->at(0).type, "login.failed");
}

// The plaintext of every token, code and secret, and the fingerprints that may appear instead.
struct Plaintexts {
  std::vector<Secret> secrets;
  const Secret& Add(Secret s) { return secrets.emplace_back(std::move(s)); }
};

TEST(SqliteStoreTest, NoTokenCodeOrSecretIsStoredInPlaintext) {
  TempDir tmp;
  const fs::path path = tmp.path() / "store.db";
  testing::FakeClock clock;
  Plaintexts plain;
  auto token = [&] { return plain.Add(core::GenerateToken(OpenSslRandom::Instance())); };
  std::vector<std::string> hashes;
  {
    auto store = MustOpen(path);
    ASSERT_NE(store, nullptr);
    const Secret& client_secret = token();
    ASSERT_TRUE(store->CreateClient({.client_id = "c1",
                                     .secret_hash = core::TokenHash(client_secret.Reveal()),
                                     .name = "App",
                                     .token_endpoint_auth_method = "client_secret_basic",
                                     .application_type = "web",
                                     .created_at = clock.Now()}));
    ASSERT_TRUE(store->CreateGrant(MakeGrant("g1", clock.Now())));
    const Secret& code = token();
    hashes.push_back(core::TokenHash(code.Reveal()));
    ASSERT_TRUE(store->CreateCode({.hash = hashes.back(),
                                   .grant_id = "g1",
                                   .redirect_uri = "http://127.0.0.1/cb",
                                   .code_challenge = S256("verifier"),
                                   .created_at = clock.Now(),
                                   .expires_at = clock.Now() + 10min}));
    ASSERT_TRUE(store->ConsumeCode(core::TokenHash(code.Reveal()), clock.Now()));
    std::string current = core::TokenHash(token().Reveal());
    ASSERT_TRUE(store->CreateRefreshToken({.hash = current,
                                           .grant_id = "g1",
                                           .created_at = clock.Now(),
                                           .expires_at = clock.Now() + 24h}));
    for (int i = 0; i < 3; ++i) {
      const std::string next = core::TokenHash(token().Reveal());
      ASSERT_TRUE(store->RotateRefreshToken({.old_hash = current,
                                             .new_hash = next,
                                             .client_id = "c1",
                                             .new_expires_at = clock.Now() + 24h,
                                             .now = clock.Now(),
                                             .grace = kDefaultRefreshGrace}));
      current = next;
    }
    ASSERT_TRUE(store->AppendAudit(
        {.type = "token.refreshed",
         .grant_id = "g1",
         .time = clock.Now(),
         .detail_json = R"({"fingerprint":")" + plain.secrets.back().Fingerprint() + "\"}"}));
    // While the store is open the newest pages are in the WAL: check it too.
    const std::string wal = ReadFile(fs::path(path.string() + "-wal"));
    ASSERT_FALSE(wal.empty());
    for (const Secret& s : plain.secrets) {
      EXPECT_EQ(wal.find(s.Reveal()), std::string::npos) << "plaintext in the WAL";
    }
  }
  // Every text and blob value of every table, read through SQLite.
  RawDb raw(path);
  int values = 0;
  bool saw_hash = false;
  for (const auto& table : raw.Rows("SELECT name FROM sqlite_schema WHERE type = 'table'")) {
    // Identifiers cannot be bound as parameters; this is test code reading our own schema.
    for (const auto& row : raw.Rows("SELECT * FROM \"" + table[0] + "\"")) {
      for (const std::string& value : row) {
        ++values;
        saw_hash = saw_hash || value == hashes[0];
        for (const Secret& s : plain.secrets) {
          EXPECT_EQ(value.find(s.Reveal()), std::string::npos) << "plaintext in " << table[0];
          auto bytes = core::Base64UrlDecode(s.Reveal());
          ASSERT_TRUE(bytes);
          EXPECT_EQ(value.find(*bytes), std::string::npos) << "raw token bytes in " << table[0];
        }
      }
    }
  }
  EXPECT_GT(values, 20);
  EXPECT_TRUE(saw_hash) << "the scan must see the stored hashes, or it proves nothing";
  // And the bytes of the file itself (free pages included).
  const std::string file = ReadFile(path);
  for (const Secret& s : plain.secrets) {
    EXPECT_EQ(file.find(s.Reveal()), std::string::npos);
  }
  EXPECT_NE(file.find(hashes[0]), std::string::npos);
}

// Two connections on one file (as two processes would have): single use must hold in SQL, not
// only under the in-process mutex.
TEST(SqliteStoreTest, TwoConnectionsRacingForOneCodeHaveExactlyOneWinner) {
  TempDir tmp;
  const fs::path path = tmp.path() / "store.db";
  auto a = MustOpen(path);
  auto b = MustOpen(path);
  ASSERT_TRUE(a && b);
  const TimePoint now = testing::FakeClock().Now();
  ASSERT_TRUE(a->CreateGrant(MakeGrant("g1", now)));
  for (int round = 0; round < 5; ++round) {
    const std::string hash = core::TokenHash("code-" + std::to_string(round));
    ASSERT_TRUE(a->CreateCode({.hash = hash,
                               .grant_id = "g1",
                               .redirect_uri = "http://127.0.0.1/cb",
                               .code_challenge = S256("v"),
                               .created_at = now,
                               .expires_at = now + 10min}));
    constexpr int kThreads = 8;
    std::latch start(kThreads);
    std::vector<std::optional<Result<ConsumedCode>>> results(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        Store& store = i % 2 == 0 ? *a : *b;
        start.arrive_and_wait();
        results[i] = store.ConsumeCode(hash, now);
      });
    }
    for (auto& t : threads) {
      t.join();
    }
    int winners = 0;
    for (const auto& r : results) {
      if (*r) {
        ++winners;
      } else {
        EXPECT_EQ(r->error(), Errc::kAlreadyUsed);
      }
    }
    EXPECT_EQ(winners, 1);
  }
}

TEST(SqliteStoreTest, TwoConnectionsRefreshingAtOnceFollowTheGraceRule) {
  TempDir tmp;
  const fs::path path = tmp.path() / "store.db";
  auto a = MustOpen(path);
  auto b = MustOpen(path);
  ASSERT_TRUE(a && b);
  const TimePoint now = testing::FakeClock().Now();
  ASSERT_TRUE(a->CreateGrant(MakeGrant("g1", now)));
  const std::string root = core::TokenHash("root");
  ASSERT_TRUE(a->CreateRefreshToken(
      {.hash = root, .grant_id = "g1", .created_at = now, .expires_at = now + 24h}));
  constexpr int kThreads = 8;
  std::latch start(kThreads);
  std::vector<std::optional<Result<RotatedRefresh>>> results(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      const RefreshRotation rotation{.old_hash = root,
                                     .new_hash = core::TokenHash("next-" + std::to_string(i)),
                                     .client_id = "c1",
                                     .new_expires_at = now + 24h,
                                     .now = now,
                                     .grace = kDefaultRefreshGrace};
      Store& store = i % 2 == 0 ? *a : *b;
      start.arrive_and_wait();
      results[i] = store.RotateRefreshToken(rotation);
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  int normal = 0;
  for (const auto& r : results) {
    ASSERT_TRUE(*r) << r->error().message();
    normal += (*r)->via_grace ? 0 : 1;
  }
  EXPECT_EQ(normal, 1);
  EXPECT_FALSE(b->GetGrant("g1")->revoked_at);
}

}  // namespace
}  // namespace mcpauth::store
