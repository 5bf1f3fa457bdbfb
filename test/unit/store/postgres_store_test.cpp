// What only the PostgreSQL backend has: connections, migrations applied by several nodes at
// once, two stores (two nodes) racing on one database, change notifications, and the
// database's own refusal to change audit events. The behaviour every backend shares is in
// store_suite_test.cpp (PostgresBackend there). Needs MCPAUTH_TEST_POSTGRES (ctest's
// `postgres` fixture); without it these tests skip, except under CI=true, where they fail.
#include "mcpauth/store/postgres_store.hpp"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <condition_variable>
#include <functional>
#include <latch>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "fakes/fake_clock.hpp"
#include "mcpauth/core/token.hpp"
#include "store/common.hpp"
#include "store_test_support.hpp"

namespace mcpauth::store {
namespace {

using namespace std::chrono_literals;
using storetest::S256;
using storetest::TestPostgres;
using storetest::TestSchema;

// The first column of the first row of `query` on the test server, or nullopt.
std::optional<std::string> Scalar(const std::string& query) {
  PGconn* conn = PQconnectdb(TestPostgres().c_str());
  std::optional<std::string> value;
  if (PQstatus(conn) == CONNECTION_OK) {
    PGresult* res = PQexec(conn, query.c_str());
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0) {
      value = PQgetvalue(res, 0, 0);
    }
    PQclear(res);
  }
  PQfinish(conn);
  return value;
}

Grant MakeGrant(std::string id, TimePoint now) {
  return Grant{.id = std::move(id),
               .user_id = "u1",
               .client_id = "c1",
               .scopes = {"mcp:tools"},
               .resource = "https://mcp.example.com/mcp",
               .created_at = now};
}

// Runs fn(i) on n threads released at once.
void Race(int n, const std::function<void(int)>& fn) {
  std::latch start(n);
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      fn(i);
    });
  }
  for (auto& t : threads) {
    t.join();
  }
}

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const std::string why = storetest::PostgresSkipReason(); !why.empty()) {
      GTEST_SKIP() << why;
    }
  }

  std::unique_ptr<Store> MustOpen(const PostgresOptions& extra = {}) {
    PostgresOptions options = extra;
    options.schema = schema_.name();
    auto store = OpenPostgresStore(TestPostgres(), options);
    EXPECT_TRUE(store) << store.error().message();
    return store ? std::move(*store) : nullptr;
  }

  std::string Table(const std::string& table) const { return schema_.name() + "." + table; }

  TestSchema schema_;
  testing::FakeClock clock_;
};

TEST_F(PostgresStoreTest, NodesStartingAtOnceMigrateOnce) {
  constexpr int kNodes = 6;
  std::vector<std::unique_ptr<Store>> stores(kNodes);
  Race(kNodes, [&](int i) { stores[i] = MustOpen({.clock = &clock_}); });
  for (const auto& store : stores) {
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->Backend(), "postgres");
  }
  EXPECT_EQ(Scalar("SELECT count(*) FROM " + Table("schema_migrations")),
            std::to_string(PostgresSchemaVersion()));
  EXPECT_EQ(Scalar("SELECT min(applied_at) FROM " + Table("schema_migrations")),
            std::to_string(detail::ToMicros(clock_.Now())));
  // What one node wrote, another reads; re-opening applies nothing and keeps the data.
  ASSERT_TRUE(stores[0]->CreateGrant(MakeGrant("g1", clock_.Now())));
  stores.clear();
  auto again = MustOpen();
  ASSERT_NE(again, nullptr);
  EXPECT_TRUE(again->GetGrant("g1"));
}

TEST_F(PostgresStoreTest, ASchemaNewerThanThisBuildIsUnsupported) {
  ASSERT_NE(MustOpen(), nullptr);
  ASSERT_TRUE(storetest::PostgresCommand("INSERT INTO " + Table("schema_migrations") +
                                         " VALUES (999, 'future', 0)"));
  auto store = OpenPostgresStore(TestPostgres(), {.schema = schema_.name()});
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error(), Errc::kUnsupported);
}

TEST_F(PostgresStoreTest, AnUnreachableServerIsUnavailableAndBadOptionsInvalid) {
  EXPECT_EQ(OpenPostgresStore("postgresql://127.0.0.1:1/mcpauth").error(), Errc::kUnavailable);
  EXPECT_EQ(OpenPostgresStore("").error(), Errc::kInvalidArgument);
  EXPECT_EQ(OpenPostgresStore(TestPostgres(), {.schema = "x; DROP TABLE users"}).error(),
            Errc::kInvalidArgument);
  EXPECT_EQ(OpenPostgresStore(TestPostgres(), {.pool_size = 0}).error(), Errc::kInvalidArgument);
  // OpenStore takes the URL as it is.
  auto via_url = OpenStore(TestPostgres());
  ASSERT_TRUE(via_url) << via_url.error().message();
  EXPECT_EQ((*via_url)->Backend(), "postgres");
}

TEST_F(PostgresStoreTest, AValueWithANulByteIsRefusedNotCut) {
  auto store = MustOpen();
  ASSERT_NE(store, nullptr);
  Grant grant = MakeGrant(std::string("g\0x", 3), clock_.Now());
  EXPECT_EQ(store->CreateGrant(grant).error(), Errc::kInvalidArgument);
  EXPECT_EQ(store->GetGrant("g").error(), Errc::kNotFound);
}

// Two stores are two nodes: each has its own pool, and only the database orders them.
TEST_F(PostgresStoreTest, TwoNodesRacingForCodesAndRefreshTokensFollowTheRules) {
  auto a = MustOpen();
  auto b = MustOpen();
  ASSERT_TRUE(a && b);
  const TimePoint now = clock_.Now();
  ASSERT_TRUE(a->CreateGrant(MakeGrant("g1", now)));
  constexpr int kThreads = 8;
  for (int round = 0; round < 3; ++round) {
    const std::string code = core::TokenHash("code-" + std::to_string(round));
    ASSERT_TRUE(a->CreateCode({.hash = code,
                               .grant_id = "g1",
                               .redirect_uri = "http://127.0.0.1/cb",
                               .code_challenge = S256("v"),
                               .created_at = now,
                               .expires_at = now + 10min}));
    std::vector<std::optional<Result<ConsumedCode>>> consumed(kThreads);
    Race(kThreads, [&](int i) { consumed[i] = (i % 2 == 0 ? *a : *b).ConsumeCode(code, now); });
    int winners = 0;
    for (const auto& r : consumed) {
      winners += *r ? 1 : 0;
      if (!*r) {
        EXPECT_EQ(r->error(), Errc::kAlreadyUsed);
      }
    }
    EXPECT_EQ(winners, 1) << "round " << round;
  }
  // The grace rule across nodes: all succeed, one rotation, the rest by grace, grant alive.
  const std::string root = core::TokenHash("root");
  ASSERT_TRUE(a->CreateRefreshToken(
      {.hash = root, .grant_id = "g1", .created_at = now, .expires_at = now + 24h}));
  std::vector<std::optional<Result<RotatedRefresh>>> rotated(kThreads);
  Race(kThreads, [&](int i) {
    rotated[i] = (i % 2 == 0 ? *a : *b)
                     .RotateRefreshToken({.old_hash = root,
                                          .new_hash = core::TokenHash("next-" + std::to_string(i)),
                                          .client_id = "c1",
                                          .new_expires_at = now + 24h,
                                          .now = now,
                                          .grace = kDefaultRefreshGrace});
  });
  int normal = 0;
  for (const auto& r : rotated) {
    ASSERT_TRUE(*r) << r->error().message();
    normal += (*r)->via_grace ? 0 : 1;
  }
  EXPECT_EQ(normal, 1);
  EXPECT_FALSE(b->GetGrant("g1")->revoked_at);
}

// Collects the changes a store's listener receives.
class Changes {
 public:
  ChangeListener Listener() {
    return [this](const StoreChange& change) {
      std::lock_guard lock(mu_);
      seen_.push_back(change);
      cv_.notify_all();
    };
  }
  // Waits (at most 30 s: a bound for a hung test, not a timing assertion) for a change.
  std::optional<StoreChange> WaitFor(const std::function<bool(const StoreChange&)>& match) {
    std::unique_lock lock(mu_);
    std::optional<StoreChange> found;
    cv_.wait_for(lock, 30s, [&] {
      for (const auto& c : seen_) {
        if (match(c)) {
          found = c;
          return true;
        }
      }
      return false;
    });
    return found;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<StoreChange> seen_;
};

TEST_F(PostgresStoreTest, RevocationsAndKeyChangesOfOneNodeReachAnother) {
  auto a = MustOpen();
  auto b = MustOpen();
  ASSERT_TRUE(a && b);
  Changes changes;
  ASSERT_TRUE(b->SetChangeListener(changes.Listener()));
  // First a resync: whatever happened before the listener connected must be reloaded.
  ASSERT_TRUE(
      changes.WaitFor([](const StoreChange& c) { return c.kind == StoreChange::Kind::kResync; }));
  const TimePoint now = clock_.Now();
  ASSERT_TRUE(a->CreateGrant(MakeGrant("g1", now)));
  ASSERT_TRUE(a->RevokeGrant("g1", now + 1s));
  auto revoked = changes.WaitFor([](const StoreChange& c) {
    return c.kind == StoreChange::Kind::kGrantRevoked && c.grant_id == "g1";
  });
  ASSERT_TRUE(revoked);
  EXPECT_EQ(revoked->revoked_at, detail::Truncate(now + 1s));
  ASSERT_TRUE(a->CreateSigningKey({.kid = "k1",
                                   .algorithm = "ES256",
                                   .private_key = Secret("{}"),
                                   .state = KeyState::kNext,
                                   .created_at = now,
                                   .not_before = now}));
  EXPECT_TRUE(changes.WaitFor(
      [](const StoreChange& c) { return c.kind == StoreChange::Kind::kSigningKeysChanged; }));
  // An ended MCP session: notified by its hash, never its id.
  const std::string hash = core::TokenHash("session-id");
  ASSERT_TRUE(a->CreateMcpSession({.id_hash = hash,
                                   .principal_key = "u1\nc1",
                                   .protocol_version = "2025-06-18",
                                   .client_capabilities_json = "{}",
                                   .client_info_json = "{}",
                                   .created_at = now,
                                   .expires_at = now + 1h}));
  ASSERT_TRUE(a->DeleteMcpSession(hash));
  EXPECT_TRUE(changes.WaitFor([&](const StoreChange& c) {
    return c.kind == StoreChange::Kind::kMcpSessionEnded && c.mcp_session_hash == hash;
  }));
  // Memory and SQLite have no notifications: they say so.
  EXPECT_FALSE(OpenMemoryStore()->SetChangeListener(changes.Listener()));
  EXPECT_TRUE(b->SetChangeListener(nullptr));
}

TEST_F(PostgresStoreTest, AuditEventsCannotBeChangedEvenInSql) {
  auto store = MustOpen();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->AppendAudit(
      {.type = "login.succeeded", .subject = "u1", .time = clock_.Now(), .detail_json = "{}"}));
  EXPECT_FALSE(storetest::PostgresCommand("UPDATE " + Table("audit_events") + " SET type = 'x'"));
  EXPECT_FALSE(storetest::PostgresCommand("DELETE FROM " + Table("audit_events")));
  EXPECT_FALSE(storetest::PostgresCommand("TRUNCATE " + Table("audit_events")));
  EXPECT_EQ(Scalar("SELECT count(*) FROM " + Table("audit_events")), "1");
}

}  // namespace
}  // namespace mcpauth::store
