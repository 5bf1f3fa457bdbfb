// The store test suite: every backend must pass every test here (STYLE.md: one shared typed
// suite, so backends cannot drift apart). Backend-specific checks (files, migrations, what is
// on disk, connections) live in sqlite_store_test.cpp and postgres_store_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <latch>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "fakes/fake_clock.hpp"
#include "fakes/sequence_random.hpp"
#include "mcpauth/core/token.hpp"
#include "mcpauth/store/store.hpp"
#include "store_test_support.hpp"

namespace mcpauth::store {
namespace {

using namespace std::chrono_literals;
using storetest::MemoryBackend;
using storetest::PostgresBackend;
using storetest::S256;
using storetest::SqliteBackend;

constexpr int kThreads = 8;

template <class Backend>
class StoreSuiteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if constexpr (requires { Backend::SkipReason(); }) {
      if (const std::string why = Backend::SkipReason(); !why.empty()) {
        GTEST_SKIP() << why;
      }
    }
    store_ = backend_.Open();
    ASSERT_NE(store_, nullptr);
  }

  Store& store() { return *store_; }
  TimePoint Now() const { return clock_.Now(); }

  // The at-rest form of a new, unique token.
  std::string NewHash() { return core::TokenHash("token-" + std::to_string(++counter_)); }

  User MakeUser(std::string id, std::string username) {
    return User{.id = std::move(id),
                .username = std::move(username),
                .password_hash = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g",
                .created_at = Now()};
  }

  Client MakeClient(std::string id) {
    return Client{.client_id = std::move(id),
                  .secret_hash = NewHash(),
                  .name = "Example",
                  .redirect_uris = {"http://127.0.0.1/callback"},
                  .grant_types = {"authorization_code", "refresh_token"},
                  .token_endpoint_auth_method = "client_secret_basic",
                  .application_type = "native",
                  .metadata_json = R"({"client_name":"Example"})",
                  .source = RegistrationSource::kDcr,
                  .created_at = Now()};
  }

  Grant MakeGrant(std::string id, std::string user = "u1", std::string client = "c1") {
    return Grant{.id = std::move(id),
                 .user_id = std::move(user),
                 .client_id = std::move(client),
                 .scopes = {"mcp:tools", "mcp:read"},
                 .resource = "https://mcp.example.com/mcp",
                 .created_at = Now()};
  }

  // Creates a grant and returns its id.
  std::string AddGrant(std::string id, std::string user = "u1", std::string client = "c1") {
    EXPECT_TRUE(store().CreateGrant(MakeGrant(id, std::move(user), std::move(client))));
    return id;
  }

  AuthorizationCode MakeCode(std::string hash, std::string grant_id) {
    return AuthorizationCode{.hash = std::move(hash),
                             .grant_id = std::move(grant_id),
                             .redirect_uri = "http://127.0.0.1:5555/callback",
                             .code_challenge = S256("verifier"),
                             .scopes = {"mcp:tools"},
                             .resource = "https://mcp.example.com/mcp",
                             .nonce = "n-0S6_WzA2Mj",
                             .created_at = Now(),
                             .expires_at = Now() + 10min};
  }

  RefreshToken MakeRefresh(std::string hash, std::string grant_id) {
    return RefreshToken{.hash = std::move(hash),
                        .grant_id = std::move(grant_id),
                        .created_at = Now(),
                        .expires_at = Now() + 24h * 30};
  }

  // Creates a root refresh token for the grant and returns its hash.
  std::string AddRefresh(const std::string& grant_id) {
    std::string hash = NewHash();
    EXPECT_TRUE(store().CreateRefreshToken(MakeRefresh(hash, grant_id)));
    return hash;
  }

  RefreshRotation Rotation(std::string old_hash, std::string new_hash,
                           std::chrono::seconds grace = kDefaultRefreshGrace) {
    return RefreshRotation{.old_hash = std::move(old_hash),
                           .new_hash = std::move(new_hash),
                           .client_id = "c1",
                           .new_expires_at = Now() + 24h * 30,
                           .now = Now(),
                           .grace = grace};
  }

  bool IsLive(const std::string& hash) {
    auto token = store().GetRefreshToken(hash);
    return token && !token->used_at && !token->superseded_at;
  }

  bool IsRevoked(const std::string& grant_id) {
    auto grant = store().GetGrant(grant_id);
    return grant && grant->revoked_at.has_value();
  }

  Backend backend_;
  std::unique_ptr<Store> store_;
  mcpauth::testing::FakeClock clock_{1'700'000'000};
  int counter_ = 0;
};

struct BackendNames {
  template <class T>
  static std::string GetName(int) {
    return T::kName;
  }
};

using Backends = ::testing::Types<MemoryBackend, SqliteBackend, PostgresBackend>;
TYPED_TEST_SUITE(StoreSuiteTest, Backends, BackendNames);

// ---- users -------------------------------------------------------------------------------

TYPED_TEST(StoreSuiteTest, UserRoundTrips) {
  User user = this->MakeUser("u1", "Alice");
  user.failed_login_count = 2;
  user.locked_until = this->Now() + 1min;
  ASSERT_TRUE(this->store().CreateUser(user));
  auto got = this->store().GetUser("u1");
  ASSERT_TRUE(got) << got.error().message();
  EXPECT_EQ(*got, user);
  EXPECT_EQ(this->store().GetUser("nobody").error(), Errc::kNotFound);
}

TYPED_TEST(StoreSuiteTest, UsernamesAreUniqueAsciiCaseInsensitively) {
  ASSERT_TRUE(this->store().CreateUser(this->MakeUser("u1", "Alice")));
  EXPECT_EQ(this->store().CreateUser(this->MakeUser("u2", "aLICE")).error(), Errc::kConflict);
  EXPECT_EQ(this->store().CreateUser(this->MakeUser("u1", "bob")).error(), Errc::kConflict);
  auto found = this->store().FindUserByUsername("ALICE");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->id, "u1");
  EXPECT_EQ(found->username, "Alice");  // kept as created
  EXPECT_EQ(this->store().FindUserByUsername("alice ").error(), Errc::kNotFound);
  // Beyond ASCII, bytes compare exactly: case mapping is the caller's (PRECIS) job.
  ASSERT_TRUE(this->store().CreateUser(this->MakeUser("u3", "\xC3\x89mile")));  // Émile
  EXPECT_TRUE(this->store().CreateUser(this->MakeUser("u4", "\xC3\xA9mile")));  // émile
}

TYPED_TEST(StoreSuiteTest, ConcurrentSignupsForOneNameLeaveExactlyOneUser) {
  std::latch start(kThreads);
  std::vector<std::optional<Status>> results(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      User user = this->MakeUser("u" + std::to_string(i), i % 2 == 0 ? "carol" : "CAROL");
      start.arrive_and_wait();
      results[i] = this->store().CreateUser(user);
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  int ok = 0;
  for (const auto& r : results) {
    if (*r) {
      ++ok;
    } else {
      EXPECT_EQ(r->error(), Errc::kConflict);
    }
  }
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(this->store().ListUsers()->size(), 1u);
}

TYPED_TEST(StoreSuiteTest, ListsUsersById) {
  ASSERT_TRUE(this->store().CreateUser(this->MakeUser("u2", "bob")));
  ASSERT_TRUE(this->store().CreateUser(this->MakeUser("u1", "alice")));
  auto users = this->store().ListUsers();
  ASSERT_TRUE(users);
  ASSERT_EQ(users->size(), 2u);
  EXPECT_EQ((*users)[0].id, "u1");
  EXPECT_EQ((*users)[1].id, "u2");
}

TYPED_TEST(StoreSuiteTest, UpdatesPasswordHashAndDisabledFlag) {
  ASSERT_TRUE(this->store().CreateUser(this->MakeUser("u1", "alice")));
  ASSERT_TRUE(this->store().SetPasswordHash("u1", "$argon2id$v=19$new"));
  ASSERT_TRUE(this->store().SetUserDisabled("u1", true));
  auto user = this->store().GetUser("u1");
  ASSERT_TRUE(user);
  EXPECT_EQ(user->password_hash, "$argon2id$v=19$new");
  EXPECT_TRUE(user->disabled);
  EXPECT_EQ(this->store().SetPasswordHash("u1", "").error(), Errc::kInvalidArgument);
  EXPECT_EQ(this->store().SetPasswordHash("nobody", "$x").error(), Errc::kNotFound);
  EXPECT_EQ(this->store().SetUserDisabled("nobody", true).error(), Errc::kNotFound);
}

TYPED_TEST(StoreSuiteTest, LocksOutAfterMaxFailuresAndSuccessResets) {
  ASSERT_TRUE(this->store().CreateUser(this->MakeUser("u1", "alice")));
  const LockoutPolicy policy{.max_failures = 3, .lock_for = 15min};
  auto after1 = this->store().RecordLoginFailure("u1", this->Now(), policy);
  ASSERT_TRUE(after1);
  EXPECT_EQ(after1->failed_login_count, 1);
  EXPECT_FALSE(after1->locked_until);
  ASSERT_TRUE(this->store().RecordLoginFailure("u1", this->Now(), policy));
  auto after3 = this->store().RecordLoginFailure("u1", this->Now(), policy);
  ASSERT_TRUE(after3);
  EXPECT_EQ(after3->failed_login_count, 0);
  ASSERT_TRUE(after3->locked_until);
  EXPECT_EQ(*after3->locked_until, this->Now() + 15min);
  EXPECT_TRUE(IsLocked(*after3, this->Now() + 15min - 1s));
  EXPECT_FALSE(IsLocked(*after3, this->Now() + 15min));
  EXPECT_EQ(*this->store().GetUser("u1"), *after3);

  ASSERT_TRUE(this->store().RecordLoginFailure("u1", this->Now(), policy));
  ASSERT_TRUE(this->store().RecordLoginSuccess("u1"));
  auto reset = this->store().GetUser("u1");
  EXPECT_EQ(reset->failed_login_count, 0);
  EXPECT_FALSE(reset->locked_until);

  EXPECT_EQ(this->store().RecordLoginFailure("nobody", this->Now(), policy).error(),
            Errc::kNotFound);
  EXPECT_EQ(this->store().RecordLoginSuccess("nobody").error(), Errc::kNotFound);
  EXPECT_EQ(this->store().RecordLoginFailure("u1", this->Now(), {.max_failures = 0}).error(),
            Errc::kInvalidArgument);
}

TYPED_TEST(StoreSuiteTest, ConcurrentLoginFailuresAreAllCounted) {
  ASSERT_TRUE(this->store().CreateUser(this->MakeUser("u1", "alice")));
  constexpr int kPerThread = 10;
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      start.arrive_and_wait();
      for (int k = 0; k < kPerThread; ++k) {
        EXPECT_TRUE(this->store().RecordLoginFailure("u1", this->Now(), {.max_failures = 1000}));
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(this->store().GetUser("u1")->failed_login_count, kThreads * kPerThread);
}

TYPED_TEST(StoreSuiteTest, DeletingAUserRevokesItsGrantsAndDropsItsConsents) {
  ASSERT_TRUE(this->store().CreateUser(this->MakeUser("u1", "alice")));
  this->AddGrant("g1", "u1", "c1");
  this->AddGrant("g2", "u2", "c1");
  ASSERT_TRUE(this->store().PutConsent({"u1", "c1", {"mcp:tools"}, this->Now()}));
  ASSERT_TRUE(this->store().PutConsent({"u2", "c1", {"mcp:tools"}, this->Now()}));
  this->clock_.Advance(5s);
  ASSERT_TRUE(this->store().DeleteUser("u1", this->Now()));

  EXPECT_EQ(this->store().GetUser("u1").error(), Errc::kNotFound);
  EXPECT_EQ(this->store().GetGrant("g1")->revoked_at, this->Now());  // kept, revoked
  EXPECT_FALSE(this->store().GetGrant("g2")->revoked_at);
  EXPECT_EQ(this->store().GetConsent("u1", "c1").error(), Errc::kNotFound);
  EXPECT_TRUE(this->store().GetConsent("u2", "c1"));
  EXPECT_TRUE(this->store().CreateUser(this->MakeUser("u9", "ALICE")));  // the name is free
  EXPECT_EQ(this->store().DeleteUser("u1", this->Now()).error(), Errc::kNotFound);
}

// ---- clients -----------------------------------------------------------------------------

TYPED_TEST(StoreSuiteTest, ClientRoundTripsEveryField) {
  Client client = this->MakeClient("https://app.example.com/client.json");
  client.redirect_uris = {"http://127.0.0.1/cb", "https://x.example/a b?\"q\"=\xE2\x9C\x93",
                          "cursor://anysphere.cursor-retrieval/oauth/callback"};
  client.source = RegistrationSource::kCimd;
  client.expires_at = this->Now() + 1h;
  ASSERT_TRUE(this->store().CreateClient(client));
  EXPECT_EQ(*this->store().GetClient(client.client_id), client);

  Client pub = this->MakeClient("public");
  pub.secret_hash.reset();
  pub.token_endpoint_auth_method = "none";
  pub.redirect_uris.clear();
  pub.source = RegistrationSource::kStatic;
  ASSERT_TRUE(this->store().CreateClient(pub));
  EXPECT_EQ(*this->store().GetClient("public"), pub);
  EXPECT_EQ(this->store().GetClient("nope").error(), Errc::kNotFound);
}

TYPED_TEST(StoreSuiteTest, CreateClientConflictsAndPutClientReplaces) {
  Client client = this->MakeClient("c1");
  ASSERT_TRUE(this->store().CreateClient(client));
  EXPECT_EQ(this->store().CreateClient(client).error(), Errc::kConflict);
  client.name = "Renamed";
  client.redirect_uris = {"http://127.0.0.1/other"};
  ASSERT_TRUE(this->store().PutClient(client));
  EXPECT_EQ(*this->store().GetClient("c1"), client);
  ASSERT_TRUE(this->store().PutClient(this->MakeClient("c0")));  // insert as well
  auto all = this->store().ListClients();
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].client_id, "c0");
  EXPECT_EQ((*all)[1].client_id, "c1");
}

TYPED_TEST(StoreSuiteTest, DeletingAClientRevokesItsGrantsAndDropsItsConsents) {
  ASSERT_TRUE(this->store().CreateClient(this->MakeClient("c1")));
  this->AddGrant("g1", "u1", "c1");
  this->AddGrant("g2", "u1", "c2");
  ASSERT_TRUE(this->store().PutConsent({"u1", "c1", {"a"}, this->Now()}));
  ASSERT_TRUE(this->store().DeleteClient("c1", this->Now()));
  EXPECT_EQ(this->store().GetClient("c1").error(), Errc::kNotFound);
  EXPECT_TRUE(this->IsRevoked("g1"));
  EXPECT_FALSE(this->IsRevoked("g2"));
  EXPECT_EQ(this->store().GetConsent("u1", "c1").error(), Errc::kNotFound);
  EXPECT_EQ(this->store().DeleteClient("c1", this->Now()).error(), Errc::kNotFound);
}

TYPED_TEST(StoreSuiteTest, ClientRefusesAPlaintextSecretAndBadMetadata) {
  Client client = this->MakeClient("c1");
  client.secret_hash = "s3cr3t-plaintext-client-secret";
  EXPECT_EQ(this->store().CreateClient(client).error(), Errc::kInvalidArgument);
  client = this->MakeClient("c1");
  client.metadata_json = "[1,2]";
  EXPECT_EQ(this->store().CreateClient(client).error(), Errc::kInvalidArgument);
  client.metadata_json = "{not json";
  EXPECT_EQ(this->store().PutClient(client).error(), Errc::kInvalidArgument);
  client = this->MakeClient("");
  EXPECT_EQ(this->store().CreateClient(client).error(), Errc::kInvalidArgument);
  EXPECT_EQ(this->store().ListClients()->size(), 0u);
}

// ---- grants ------------------------------------------------------------------------------

TYPED_TEST(StoreSuiteTest, GrantRoundTripsAndIdsAreUnique) {
  const Grant grant = this->MakeGrant("g1");
  ASSERT_TRUE(this->store().CreateGrant(grant));
  EXPECT_EQ(*this->store().GetGrant("g1"), grant);
  EXPECT_EQ(this->store().CreateGrant(grant).error(), Errc::kConflict);
  EXPECT_EQ(this->store().GetGrant("g2").error(), Errc::kNotFound);

  Grant bad = this->MakeGrant("g3");
  bad.scopes = {"two words"};
  EXPECT_EQ(this->store().CreateGrant(bad).error(), Errc::kInvalidArgument);
  bad = this->MakeGrant("g3");
  bad.revoked_at = this->Now();
  EXPECT_EQ(this->store().CreateGrant(bad).error(), Errc::kInvalidArgument);
  Grant no_scopes = this->MakeGrant("g4");
  no_scopes.scopes.clear();
  ASSERT_TRUE(this->store().CreateGrant(no_scopes));
  EXPECT_TRUE(this->store().GetGrant("g4")->scopes.empty());
}

TYPED_TEST(StoreSuiteTest, CreateGrantKeepsLastUsedAtAsGiven) {
  const Grant fresh = this->MakeGrant("g1");
  ASSERT_TRUE(this->store().CreateGrant(fresh));
  EXPECT_EQ(this->store().GetGrant("g1")->last_used_at, std::nullopt);
  Grant imported = this->MakeGrant("g2");
  imported.last_used_at = TimePoint(std::chrono::nanoseconds(1'700'000'000'123'456'789));
  ASSERT_TRUE(this->store().CreateGrant(imported));
  EXPECT_EQ(this->store().GetGrant("g2")->last_used_at,
            TimePoint(std::chrono::microseconds(1'700'000'000'123'456)));
  ASSERT_EQ(this->store().ListGrants({}, false)->size(), 2u);
  EXPECT_EQ(this->store().ListGrants({}, false)->back().last_used_at,
            this->store().GetGrant("g2")->last_used_at);
}

TYPED_TEST(StoreSuiteTest, ListsGrantsByFilterInCreationOrder) {
  this->AddGrant("g2", "u1", "c1");
  this->clock_.Advance(1s);
  this->AddGrant("g1", "u1", "c2");
  this->AddGrant("g3", "u2", "c1");
  ASSERT_TRUE(this->store().RevokeGrant("g3", this->Now()));
  auto ids = [&](const GrantFilter& f, bool revoked) {
    std::vector<std::string> out;
    for (const auto& g : *this->store().ListGrants(f, revoked)) {
      out.push_back(g.id);
    }
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(ids({}, true), (V{"g2", "g1", "g3"}));
  EXPECT_EQ(ids({}, false), (V{"g2", "g1"}));
  EXPECT_EQ(ids({.user_id = "u1"}, false), (V{"g2", "g1"}));
  EXPECT_EQ(ids({.client_id = "c1"}, true), (V{"g2", "g3"}));
  EXPECT_EQ(ids({.user_id = "u1", .client_id = "c2"}, false), (V{"g1"}));
  EXPECT_EQ(ids({.user_id = "nobody"}, true), V{});
}

TYPED_TEST(StoreSuiteTest, RevokeGrantIsIdempotentAndKeepsTheFirstTime) {
  this->AddGrant("g1");
  const TimePoint first = this->Now();
  ASSERT_TRUE(this->store().RevokeGrant("g1", first));
  this->clock_.Advance(1h);
  ASSERT_TRUE(this->store().RevokeGrant("g1", this->Now()));
  EXPECT_EQ(this->store().GetGrant("g1")->revoked_at, first);
  EXPECT_EQ(this->store().RevokeGrant("nope", this->Now()).error(), Errc::kNotFound);
}

TYPED_TEST(StoreSuiteTest, RevokesGrantsByUserAndClient) {
  this->AddGrant("g1", "u1", "c1");
  this->AddGrant("g2", "u1", "c1");
  this->AddGrant("g3", "u1", "c2");
  this->AddGrant("g4", "u2", "c1");
  EXPECT_EQ(*this->store().RevokeGrants({.user_id = "u1", .client_id = "c1"}, this->Now()), 2);
  EXPECT_TRUE(this->IsRevoked("g1"));
  EXPECT_TRUE(this->IsRevoked("g2"));
  EXPECT_FALSE(this->IsRevoked("g3"));
  EXPECT_FALSE(this->IsRevoked("g4"));
  EXPECT_EQ(*this->store().RevokeGrants({.user_id = "u1", .client_id = "c1"}, this->Now()), 0);
  EXPECT_EQ(*this->store().RevokeGrants({.client_id = "c1"}, this->Now()), 1);
  EXPECT_EQ(this->store().RevokeGrants({}, this->Now()).error(), Errc::kInvalidArgument);
  EXPECT_FALSE(this->IsRevoked("g3"));
}

TYPED_TEST(StoreSuiteTest, ListsRevokedGrantsSinceATimeInclusively) {
  for (const char* id : {"g1", "g2", "g3", "g4"}) {
    this->AddGrant(id);
  }
  const TimePoint t0 = this->Now();
  ASSERT_TRUE(this->store().RevokeGrant("g1", t0));
  ASSERT_TRUE(this->store().RevokeGrant("g3", t0 + 1s));
  ASSERT_TRUE(this->store().RevokeGrant("g2", t0 + 1s));
  auto since1 = this->store().ListRevokedGrantsSince(t0 + 1s);
  ASSERT_TRUE(since1);
  EXPECT_EQ(*since1, (std::vector<RevokedGrant>{{"g2", t0 + 1s}, {"g3", t0 + 1s}}));
  EXPECT_EQ(this->store().ListRevokedGrantsSince(t0)->size(), 3u);
  EXPECT_TRUE(this->store().ListRevokedGrantsSince(t0 + 1s + 1us)->empty());
}

// ---- authorization codes -----------------------------------------------------------------

TYPED_TEST(StoreSuiteTest, ACodeIsConsumedOnceAndAReplayIsReportedAsSuch) {
  const std::string grant = this->AddGrant("g1");
  const AuthorizationCode code = this->MakeCode(this->NewHash(), grant);
  ASSERT_TRUE(this->store().CreateCode(code));
  EXPECT_EQ(*this->store().GetCode(code.hash), code);

  this->clock_.Advance(2s);
  auto consumed = this->store().ConsumeCode(code.hash, this->Now());
  ASSERT_TRUE(consumed) << consumed.error().message();
  AuthorizationCode expected = code;
  expected.used_at = this->Now();
  EXPECT_EQ(consumed->code, expected);
  EXPECT_EQ(consumed->grant, *this->store().GetGrant(grant));

  EXPECT_EQ(this->store().ConsumeCode(code.hash, this->Now()).error(), Errc::kAlreadyUsed);
  // A replay stays a replay after expiry; the caller finds the grant to revoke (RFC 6749 §4.1.2).
  this->clock_.Advance(1h);
  EXPECT_EQ(this->store().ConsumeCode(code.hash, this->Now()).error(), Errc::kAlreadyUsed);
  auto replayed = this->store().GetCode(code.hash);
  ASSERT_TRUE(replayed);
  EXPECT_EQ(replayed->grant_id, grant);
  ASSERT_TRUE(this->store().RevokeGrant(replayed->grant_id, this->Now()));
  EXPECT_EQ(this->store().ConsumeCode(code.hash, this->Now()).error(), Errc::kAlreadyUsed);
}

TYPED_TEST(StoreSuiteTest, ConsumingACodeMarksTheGrantUsedAndAFailedConsumeDoesNot) {
  const std::string grant = this->AddGrant("g1");
  const AuthorizationCode code = this->MakeCode(this->NewHash(), grant);
  ASSERT_TRUE(this->store().CreateCode(code));
  this->clock_.Advance(3s);
  auto consumed = this->store().ConsumeCode(code.hash, this->Now());
  ASSERT_TRUE(consumed) << consumed.error().message();
  const TimePoint used = this->Now();
  EXPECT_EQ(consumed->grant.last_used_at, used);
  EXPECT_EQ(this->store().GetGrant(grant)->last_used_at, used);

  // A replay, an unknown code, an expired code: nothing is recorded as a use.
  this->clock_.Advance(1s);
  EXPECT_EQ(this->store().ConsumeCode(code.hash, this->Now()).error(), Errc::kAlreadyUsed);
  EXPECT_EQ(this->store().ConsumeCode(this->NewHash(), this->Now()).error(), Errc::kNotFound);
  AuthorizationCode late = this->MakeCode(this->NewHash(), grant);
  late.expires_at = this->Now();
  ASSERT_TRUE(this->store().CreateCode(late));
  EXPECT_EQ(this->store().ConsumeCode(late.hash, this->Now()).error(), Errc::kExpired);
  EXPECT_EQ(this->store().GetGrant(grant)->last_used_at, used);
}

TYPED_TEST(StoreSuiteTest, ACodeExpiresAtItsExpiryTime) {
  const std::string grant = this->AddGrant("g1");
  const AuthorizationCode code = this->MakeCode(this->NewHash(), grant);
  ASSERT_TRUE(this->store().CreateCode(code));
  EXPECT_EQ(this->store().ConsumeCode(code.hash, code.expires_at).error(), Errc::kExpired);
  EXPECT_FALSE(this->store().GetCode(code.hash)->used_at);  // a failed consume changes nothing
  EXPECT_TRUE(this->store().ConsumeCode(code.hash, code.expires_at - 1us));
}

TYPED_TEST(StoreSuiteTest, UnknownCodesAndCodesOfUnknownOrRevokedGrants) {
  EXPECT_EQ(this->store().ConsumeCode(this->NewHash(), this->Now()).error(), Errc::kNotFound);
  EXPECT_EQ(this->store().GetCode(this->NewHash()).error(), Errc::kNotFound);
  EXPECT_EQ(this->store().CreateCode(this->MakeCode(this->NewHash(), "nope")).error(),
            Errc::kNotFound);

  const std::string grant = this->AddGrant("g1");
  const AuthorizationCode code = this->MakeCode(this->NewHash(), grant);
  ASSERT_TRUE(this->store().CreateCode(code));
  EXPECT_EQ(this->store().CreateCode(code).error(), Errc::kConflict);
  ASSERT_TRUE(this->store().RevokeGrant(grant, this->Now()));
  EXPECT_EQ(this->store().ConsumeCode(code.hash, this->Now()).error(), Errc::kRevoked);
  EXPECT_EQ(this->store().CreateCode(this->MakeCode(this->NewHash(), grant)).error(),
            Errc::kRevoked);
}

TYPED_TEST(StoreSuiteTest, CodesRefusePlaintextAndNonS256Challenges) {
  const std::string grant = this->AddGrant("g1");
  mcpauth::testing::SequenceRandom random;
  const Secret plaintext = core::GenerateToken(random);
  AuthorizationCode code = this->MakeCode(std::string(plaintext.Reveal()), grant);
  EXPECT_EQ(this->store().CreateCode(code).error(), Errc::kInvalidArgument);
  code = this->MakeCode(this->NewHash(), grant);
  code.code_challenge = "plain-verifier-used-as-challenge";
  EXPECT_EQ(this->store().CreateCode(code).error(), Errc::kInvalidArgument);
  code = this->MakeCode(this->NewHash(), grant);
  code.used_at = this->Now();
  EXPECT_EQ(this->store().CreateCode(code).error(), Errc::kInvalidArgument);
  code = this->MakeCode(this->NewHash(), grant);
  code.redirect_uri.clear();
  EXPECT_EQ(this->store().CreateCode(code).error(), Errc::kInvalidArgument);
  code = this->MakeCode(this->NewHash(), grant);
  code.nonce.reset();
  code.scopes.clear();
  ASSERT_TRUE(this->store().CreateCode(code));
  EXPECT_EQ(*this->store().GetCode(code.hash), code);
}

TYPED_TEST(StoreSuiteTest, EightThreadsRacingForOneCodeHaveExactlyOneWinner) {
  const std::string grant = this->AddGrant("g1");
  for (int round = 0; round < 10; ++round) {
    const std::string hash = this->NewHash();
    ASSERT_TRUE(this->store().CreateCode(this->MakeCode(hash, grant)));
    std::latch start(kThreads);
    std::vector<std::optional<Result<ConsumedCode>>> results(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        start.arrive_and_wait();
        results[i] = this->store().ConsumeCode(hash, this->Now());
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
    EXPECT_EQ(winners, 1) << "round " << round;
  }
}

// ---- refresh tokens ----------------------------------------------------------------------

TYPED_TEST(StoreSuiteTest, RefreshTokensNeedALiveGrantAndAFreshHash) {
  const RefreshToken token = this->MakeRefresh(this->NewHash(), "nope");
  EXPECT_EQ(this->store().CreateRefreshToken(token).error(), Errc::kNotFound);
  const std::string grant = this->AddGrant("g1");
  RefreshToken root = this->MakeRefresh(this->NewHash(), grant);
  ASSERT_TRUE(this->store().CreateRefreshToken(root));
  EXPECT_EQ(*this->store().GetRefreshToken(root.hash), root);
  EXPECT_EQ(this->store().CreateRefreshToken(root).error(), Errc::kConflict);
  EXPECT_EQ(this->store().GetRefreshToken(this->NewHash()).error(), Errc::kNotFound);

  RefreshToken used = this->MakeRefresh(this->NewHash(), grant);
  used.used_at = this->Now();
  EXPECT_EQ(this->store().CreateRefreshToken(used).error(), Errc::kInvalidArgument);
  RefreshToken plain = this->MakeRefresh("not-a-hash", grant);
  EXPECT_EQ(this->store().CreateRefreshToken(plain).error(), Errc::kInvalidArgument);

  ASSERT_TRUE(this->store().RevokeGrant(grant, this->Now()));
  EXPECT_EQ(this->store().CreateRefreshToken(this->MakeRefresh(this->NewHash(), grant)).error(),
            Errc::kRevoked);
}

TYPED_TEST(StoreSuiteTest, RotationRetiresTheTokenAndLinksItsSuccessor) {
  const std::string grant = this->AddGrant("g1");
  const std::string r0 = this->AddRefresh(grant);
  const std::string r1 = this->NewHash();
  this->clock_.Advance(1h);
  auto rotated = this->store().RotateRefreshToken(this->Rotation(r0, r1));
  ASSERT_TRUE(rotated) << rotated.error().message();
  EXPECT_FALSE(rotated->via_grace);
  EXPECT_EQ(rotated->grant, *this->store().GetGrant(grant));
  const RefreshToken expected{.hash = r1,
                              .grant_id = grant,
                              .parent_hash = r0,
                              .created_at = this->Now(),
                              .expires_at = this->Now() + 24h * 30};
  EXPECT_EQ(rotated->token, expected);
  EXPECT_EQ(*this->store().GetRefreshToken(r1), expected);
  EXPECT_EQ(this->store().GetRefreshToken(r0)->used_at, this->Now());

  const std::string r2 = this->NewHash();
  this->clock_.Advance(1h);
  ASSERT_TRUE(this->store().RotateRefreshToken(this->Rotation(r1, r2)));
  EXPECT_EQ(this->store().GetRefreshToken(r2)->parent_hash, r1);
  EXPECT_TRUE(this->IsLive(r2));
  EXPECT_FALSE(this->IsRevoked(grant));
}

TYPED_TEST(StoreSuiteTest, RotationAndGraceMarkTheGrantUsedAndFailuresDoNot) {
  const std::string grant = this->AddGrant("g1");
  const std::string r0 = this->AddRefresh(grant);
  EXPECT_EQ(this->store().GetGrant(grant)->last_used_at, std::nullopt);

  this->clock_.Advance(1h);
  const std::string r1 = this->NewHash();
  auto rotated = this->store().RotateRefreshToken(this->Rotation(r0, r1));
  ASSERT_TRUE(rotated) << rotated.error().message();
  EXPECT_EQ(rotated->grant.last_used_at, this->Now());
  EXPECT_EQ(this->store().GetGrant(grant)->last_used_at, this->Now());

  this->clock_.Advance(1s);  // within the grace: a sibling, and a use
  auto again = this->store().RotateRefreshToken(this->Rotation(r0, this->NewHash()));
  ASSERT_TRUE(again) << again.error().message();
  ASSERT_TRUE(again->via_grace);
  EXPECT_EQ(again->grant.last_used_at, this->Now());
  const TimePoint last = this->Now();
  EXPECT_EQ(this->store().GetGrant(grant)->last_used_at, last);

  // Another client, an unknown token, a taken successor hash: no use.
  this->clock_.Advance(1s);
  RefreshRotation foreign = this->Rotation(r1, this->NewHash());
  foreign.client_id = "c2";
  EXPECT_EQ(this->store().RotateRefreshToken(foreign).error(), Errc::kNotFound);
  EXPECT_EQ(this->store().RotateRefreshToken(this->Rotation(r1, r0)).error(), Errc::kConflict);
  EXPECT_EQ(this->store().GetGrant(grant)->last_used_at, last);

  // A replay revokes the grant but is not a use.
  this->clock_.Advance(kDefaultRefreshGrace);
  EXPECT_EQ(this->store().RotateRefreshToken(this->Rotation(r0, this->NewHash())).error(),
            Errc::kReplayDetected);
  const Grant after = *this->store().GetGrant(grant);
  EXPECT_EQ(after.revoked_at, this->Now());
  EXPECT_EQ(after.last_used_at, last);
}

TYPED_TEST(StoreSuiteTest, AnExpiredRefreshTokenDoesNotMarkTheGrantUsed) {
  const std::string grant = this->AddGrant("g1");
  RefreshToken token = this->MakeRefresh(this->NewHash(), grant);
  token.expires_at = this->Now() + 1s;
  ASSERT_TRUE(this->store().CreateRefreshToken(token));
  this->clock_.Advance(1s);
  EXPECT_EQ(this->store().RotateRefreshToken(this->Rotation(token.hash, this->NewHash())).error(),
            Errc::kExpired);
  EXPECT_EQ(this->store().GetGrant(grant)->last_used_at, std::nullopt);
}

TYPED_TEST(StoreSuiteTest, AnotherClientsRotationIsNotFoundAndChangesNothing) {
  const std::string grant = this->AddGrant("g1", "u1", "c1");
  const std::string r0 = this->AddRefresh(grant);
  RefreshRotation rotation = this->Rotation(r0, this->NewHash());
  rotation.client_id = "c2";
  EXPECT_EQ(this->store().RotateRefreshToken(rotation).error(), Errc::kNotFound);
  EXPECT_TRUE(this->IsLive(r0));
  EXPECT_FALSE(this->IsRevoked(grant));
  EXPECT_EQ(this->store().GetRefreshToken(rotation.new_hash).error(), Errc::kNotFound);
  EXPECT_EQ(
      this->store().RotateRefreshToken(this->Rotation(this->NewHash(), this->NewHash())).error(),
      Errc::kNotFound);
}

TYPED_TEST(StoreSuiteTest, AnExpiredRefreshTokenIsRefusedWithoutRevokingAnything) {
  const std::string grant = this->AddGrant("g1");
  RefreshToken token = this->MakeRefresh(this->NewHash(), grant);
  token.expires_at = this->Now() + 1s;
  ASSERT_TRUE(this->store().CreateRefreshToken(token));
  this->clock_.Advance(1s);
  EXPECT_EQ(this->store().RotateRefreshToken(this->Rotation(token.hash, this->NewHash())).error(),
            Errc::kExpired);
  EXPECT_TRUE(this->IsLive(token.hash));
  EXPECT_FALSE(this->IsRevoked(grant));
}

TYPED_TEST(StoreSuiteTest, AReplayAfterTheGraceWindowRevokesTheGrant) {
  const std::string grant = this->AddGrant("g1");
  ASSERT_TRUE(this->store().CreateCode(this->MakeCode(this->NewHash(), grant)));
  const std::string r0 = this->AddRefresh(grant);
  const std::string r1 = this->NewHash();
  ASSERT_TRUE(this->store().RotateRefreshToken(this->Rotation(r0, r1)));
  this->clock_.Advance(kDefaultRefreshGrace);  // the window is [used_at, used_at + grace)
  EXPECT_EQ(this->store().RotateRefreshToken(this->Rotation(r0, this->NewHash())).error(),
            Errc::kReplayDetected);
  EXPECT_EQ(this->store().GetGrant(grant)->revoked_at, this->Now());
  // The whole lineage is dead: the honest client's current token too.
  EXPECT_EQ(this->store().RotateRefreshToken(this->Rotation(r1, this->NewHash())).error(),
            Errc::kRevoked);
  EXPECT_EQ(this->store().ListRevokedGrantsSince(this->Now())->size(), 1u);
}

TYPED_TEST(StoreSuiteTest, TheImmediatePredecessorMayBePresentedAgainWithinTheGrace) {
  const std::string grant = this->AddGrant("g1");
  const std::string r0 = this->AddRefresh(grant);
  const std::string r1 = this->NewHash();
  ASSERT_TRUE(this->store().RotateRefreshToken(this->Rotation(r0, r1)));
  this->clock_.Advance(kDefaultRefreshGrace - 1us);
  const std::string r1b = this->NewHash();
  auto again = this->store().RotateRefreshToken(this->Rotation(r0, r1b));
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_TRUE(again->via_grace);
  EXPECT_EQ(again->token.parent_hash, r0);
  EXPECT_TRUE(this->IsLive(r1));  // both successors work: the client keeps whichever it saved
  EXPECT_TRUE(this->IsLive(r1b));
  EXPECT_FALSE(this->IsRevoked(grant));
  // The grace does not move the window: r0's rotation time is unchanged.
  this->clock_.Advance(1us);
  EXPECT_EQ(this->store().RotateRefreshToken(this->Rotation(r0, this->NewHash())).error(),
            Errc::kReplayDetected);
}

TYPED_TEST(StoreSuiteTest, GraceEndsOnceASuccessorHasBeenRotated) {
  const std::string grant = this->AddGrant("g1");
  const std::string r0 = this->AddRefresh(grant);
  const std::string r1 = this->NewHash();
  ASSERT_TRUE(this->store().RotateRefreshToken(this->Rotation(r0, r1)));
  ASSERT_TRUE(this->store().RotateRefreshToken(this->Rotation(r1, this->NewHash())));
  // Still within r0's window, but r0 is now two generations old: only a copy can present it.
  EXPECT_EQ(this->store().RotateRefreshToken(this->Rotation(r0, this->NewHash())).error(),
            Errc::kReplayDetected);
  EXPECT_TRUE(this->IsRevoked(grant));
}

TYPED_TEST(StoreSuiteTest, RotatingOneSiblingSupersedesTheOthers) {
  const std::string grant = this->AddGrant("g1");
  const std::string r0 = this->AddRefresh(grant);
  const std::string a = this->NewHash();
  const std::string b = this->NewHash();
  ASSERT_TRUE(this->store().RotateRefreshToken(this->Rotation(r0, a)));
  ASSERT_TRUE(this->store().RotateRefreshToken(this->Rotation(r0, b)));  // grace
  this->clock_.Advance(1h);
  ASSERT_TRUE(this->store().RotateRefreshToken(this->Rotation(b, this->NewHash())));
  EXPECT_EQ(this->store().GetRefreshToken(a)->superseded_at, this->Now());
  EXPECT_FALSE(this->store().GetRefreshToken(a)->used_at);
  // Presenting the losing sibling after the lineage moved on is a replay, grace or not.
  EXPECT_EQ(this->store().RotateRefreshToken(this->Rotation(a, this->NewHash())).error(),
            Errc::kReplayDetected);
  EXPECT_TRUE(this->IsRevoked(grant));
}

TYPED_TEST(StoreSuiteTest, WithoutGraceAnyReuseIsAReplay) {
  const std::string grant = this->AddGrant("g1");
  const std::string r0 = this->AddRefresh(grant);
  ASSERT_TRUE(this->store().RotateRefreshToken(this->Rotation(r0, this->NewHash(), 0s)));
  EXPECT_EQ(this->store().RotateRefreshToken(this->Rotation(r0, this->NewHash(), 0s)).error(),
            Errc::kReplayDetected);
  EXPECT_TRUE(this->IsRevoked(grant));
}

TYPED_TEST(StoreSuiteTest, ATakenSuccessorHashFailsTheRotationAndLeavesTheTokenLive) {
  const std::string grant = this->AddGrant("g1");
  const std::string r0 = this->AddRefresh(grant);
  const std::string other = this->AddRefresh(grant);
  EXPECT_EQ(this->store().RotateRefreshToken(this->Rotation(r0, other)).error(), Errc::kConflict);
  EXPECT_TRUE(this->IsLive(r0));
  EXPECT_EQ(this->store().RotateRefreshToken(this->Rotation(r0, r0)).error(),
            Errc::kInvalidArgument);
  EXPECT_TRUE(this->store().RotateRefreshToken(this->Rotation(r0, this->NewHash())));
}

// RefreshRotation::audit: the event of the outcome is written in the rotation's transaction.
TYPED_TEST(StoreSuiteTest, ARotationWritesTheAuditEventOfItsOutcomeWithIt) {
  const std::string grant = this->AddGrant("g1");
  const std::string r0 = this->AddRefresh(grant);
  std::vector<RotationOutcome> asked;
  auto audited = [&](RefreshRotation rotation) {
    rotation.audit = [&](RotationOutcome outcome) -> std::optional<AuditEvent> {
      asked.push_back(outcome);
      return AuditEvent{.type = outcome == RotationOutcome::kReplay ? "refresh.replay_detected"
                                                                    : "token.refreshed",
                        .subject = "u1",
                        .client_id = "c1",
                        .grant_id = "g1",
                        .ip = "192.0.2.1",
                        .time = this->Now(),
                        .detail_json = outcome == RotationOutcome::kGrace
                                           ? R"({"via_grace":true})"
                                           : R"({"via_grace":false})"};
    };
    return rotation;
  };
  auto types = [&] {
    std::vector<std::string> out;
    for (const AuditEvent& e : *this->store().ListAudit({})) {
      out.push_back(e.type + " " + e.detail_json);
    }
    return out;
  };

  const std::string r1 = this->NewHash();
  ASSERT_TRUE(this->store().RotateRefreshToken(audited(this->Rotation(r0, r1))));
  this->clock_.Advance(1s);
  auto grace = this->store().RotateRefreshToken(audited(this->Rotation(r0, this->NewHash())));
  ASSERT_TRUE(grace);
  EXPECT_TRUE(grace->via_grace);
  EXPECT_EQ(asked, (std::vector{RotationOutcome::kRotate, RotationOutcome::kGrace}));
  const auto events = *this->store().ListAudit({});
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].time, this->Now());
  EXPECT_EQ(events[1].ip, "192.0.2.1");

  // Refused before the rule decides: not asked, nothing written.
  RefreshRotation foreign = audited(this->Rotation(r1, this->NewHash()));
  foreign.client_id = "c2";
  EXPECT_EQ(this->store().RotateRefreshToken(foreign).error(), Errc::kNotFound);
  EXPECT_EQ(asked.size(), 2u);
  // A taken successor hash: asked, then rolled back with the rest.
  EXPECT_EQ(this->store().RotateRefreshToken(audited(this->Rotation(r1, r0))).error(),
            Errc::kConflict);
  EXPECT_TRUE(this->IsLive(r1));
  EXPECT_EQ(types(), (std::vector<std::string>{R"(token.refreshed {"via_grace":false})",
                                               R"(token.refreshed {"via_grace":true})"}));

  // A replay: the revocation and its event commit together, although the call fails.
  this->clock_.Advance(kDefaultRefreshGrace);
  EXPECT_EQ(this->store().RotateRefreshToken(audited(this->Rotation(r0, this->NewHash()))).error(),
            Errc::kReplayDetected);
  EXPECT_TRUE(this->IsRevoked(grant));
  EXPECT_EQ(types().back(), R"(refresh.replay_detected {"via_grace":false})");
  // Revoked: refused before the rule decides.
  const size_t before = asked.size();
  EXPECT_EQ(this->store().RotateRefreshToken(audited(this->Rotation(r1, this->NewHash()))).error(),
            Errc::kRevoked);
  EXPECT_EQ(asked.size(), before);
  EXPECT_EQ(types().size(), 3u);
}

TYPED_TEST(StoreSuiteTest, ARotationWithAMalformedAuditEventChangesNothing) {
  const std::string grant = this->AddGrant("g1");
  const std::string r0 = this->AddRefresh(grant);
  auto malformed = [&](RefreshRotation rotation) {
    rotation.audit = [&](RotationOutcome) -> std::optional<AuditEvent> {
      return AuditEvent{.type = "token.refreshed", .time = this->Now(), .detail_json = "[]"};
    };
    return rotation;
  };
  const std::string r1 = this->NewHash();
  EXPECT_EQ(this->store().RotateRefreshToken(malformed(this->Rotation(r0, r1))).error(),
            Errc::kInvalidArgument);
  EXPECT_TRUE(this->IsLive(r0));
  EXPECT_EQ(this->store().GetRefreshToken(r1).error(), Errc::kNotFound);
  EXPECT_EQ(this->store().GetGrant(grant)->last_used_at, std::nullopt);

  // No event (nullopt) is allowed and writes none.
  RefreshRotation silent = this->Rotation(r0, r1);
  silent.audit = [](RotationOutcome) { return std::optional<AuditEvent>(); };
  ASSERT_TRUE(this->store().RotateRefreshToken(silent));
  EXPECT_TRUE(this->store().ListAudit({})->empty());

  // Not even a replay's revocation happens with a malformed event.
  this->clock_.Advance(kDefaultRefreshGrace);
  EXPECT_EQ(
      this->store().RotateRefreshToken(malformed(this->Rotation(r0, this->NewHash()))).error(),
      Errc::kInvalidArgument);
  EXPECT_FALSE(this->IsRevoked(grant));
  EXPECT_TRUE(this->store().ListAudit({})->empty());
}

// The children and siblings of a token are those of its grant: a token of another grant that
// names the same parent is neither superseded with them nor ends their parent's grace.
TYPED_TEST(StoreSuiteTest, TheRuleLooksAtTheTokensOfTheSameGrantOnly) {
  const std::string g1 = this->AddGrant("g1");
  const std::string g2 = this->AddGrant("g2");
  const std::string r0 = this->AddRefresh(g1);
  const std::string a = this->NewHash();
  const std::string b = this->NewHash();
  ASSERT_TRUE(this->store().RotateRefreshToken(this->Rotation(r0, a)));
  ASSERT_TRUE(this->store().RotateRefreshToken(this->Rotation(r0, b)));  // grace: a sibling
  RefreshToken stranger = this->MakeRefresh(this->NewHash(), g2);
  stranger.parent_hash = r0;
  ASSERT_TRUE(this->store().CreateRefreshToken(stranger));
  ASSERT_TRUE(this->store().RotateRefreshToken(this->Rotation(a, this->NewHash())));
  EXPECT_TRUE(this->store().GetRefreshToken(b)->superseded_at);
  EXPECT_TRUE(this->IsLive(stranger.hash));
  EXPECT_FALSE(this->IsRevoked(g2));
}

TYPED_TEST(StoreSuiteTest, ARefreshTokenIsReadWithItsGrantAndUser) {
  ASSERT_TRUE(this->store().CreateUser(this->MakeUser("u1", "alice")));
  const std::string grant = this->AddGrant("g1", "u1");
  const std::string r0 = this->AddRefresh(grant);
  auto context = this->store().GetRefreshTokenContext(r0);
  ASSERT_TRUE(context) << context.error().message();
  EXPECT_EQ(context->token, *this->store().GetRefreshToken(r0));
  EXPECT_EQ(context->grant, *this->store().GetGrant(grant));
  EXPECT_EQ(context->user, *this->store().GetUser("u1"));
  EXPECT_EQ(this->store().GetRefreshTokenContext(this->NewHash()).error(), Errc::kNotFound);

  // A rotated token reads back rotated; a deleted user reads back as none.
  ASSERT_TRUE(this->store().RotateRefreshToken(this->Rotation(r0, this->NewHash())));
  EXPECT_EQ(this->store().GetRefreshTokenContext(r0)->token.used_at, this->Now());
  ASSERT_TRUE(this->store().DeleteUser("u1", this->Now()));
  context = this->store().GetRefreshTokenContext(r0);
  ASSERT_TRUE(context);
  EXPECT_EQ(context->user, std::nullopt);
  EXPECT_TRUE(context->grant.revoked_at);
}

TYPED_TEST(StoreSuiteTest, EightThreadsRefreshingAtOnceKeepTheGrant) {
  for (int round = 0; round < 5; ++round) {
    const std::string grant = this->AddGrant("g" + std::to_string(round));
    std::string current = this->AddRefresh(grant);
    // Two waves: all eight threads present the same token, then the token one of them saved.
    for (int wave = 0; wave < 2; ++wave) {
      std::vector<std::string> successors;
      for (int i = 0; i < kThreads; ++i) {
        successors.push_back(this->NewHash());
      }
      std::latch start(kThreads);
      std::vector<std::optional<Result<RotatedRefresh>>> results(kThreads);
      std::vector<std::thread> threads;
      for (int i = 0; i < kThreads; ++i) {
        threads.emplace_back([&, i] {
          const RefreshRotation rotation = this->Rotation(current, successors[i]);
          start.arrive_and_wait();
          results[i] = this->store().RotateRefreshToken(rotation);
        });
      }
      for (auto& t : threads) {
        t.join();
      }
      int normal = 0;
      for (int i = 0; i < kThreads; ++i) {
        ASSERT_TRUE(*results[i]) << "round " << round << " wave " << wave << ": "
                                 << results[i]->error().message();
        normal += (*results[i])->via_grace ? 0 : 1;
        EXPECT_EQ((*results[i])->token.parent_hash, current);
        EXPECT_TRUE(this->IsLive(successors[i]));
      }
      EXPECT_EQ(normal, 1) << "exactly one rotation, the rest within grace";
      EXPECT_FALSE(this->IsRevoked(grant));
      const std::string presented = current;
      current = successors[static_cast<size_t>(round + wave) % kThreads];
      if (wave == 1) {
        // After the grace window the first generation's token is a replay: the rule still bites.
        this->clock_.Advance(kDefaultRefreshGrace);
        EXPECT_EQ(
            this->store().RotateRefreshToken(this->Rotation(presented, this->NewHash())).error(),
            Errc::kReplayDetected);
        EXPECT_TRUE(this->IsRevoked(grant));
      }
    }
  }
}

TYPED_TEST(StoreSuiteTest, WithoutGraceParallelRefreshesCostTheGrant) {
  // Why the grace rule exists: with grace 0, honest parallel refreshes look like a replay.
  const std::string grant = this->AddGrant("g1");
  const std::string r0 = this->AddRefresh(grant);
  std::vector<std::string> successors;
  for (int i = 0; i < kThreads; ++i) {
    successors.push_back(this->NewHash());
  }
  std::latch start(kThreads);
  std::vector<std::optional<Result<RotatedRefresh>>> results(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      const RefreshRotation rotation = this->Rotation(r0, successors[i], 0s);
      start.arrive_and_wait();
      results[i] = this->store().RotateRefreshToken(rotation);
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  int ok = 0;
  int replays = 0;
  for (const auto& r : results) {
    if (*r) {
      ++ok;
    } else if (r->error() == Errc::kReplayDetected) {
      ++replays;
    } else {
      EXPECT_EQ(r->error(), Errc::kRevoked);  // after the first replay revoked the grant
    }
  }
  EXPECT_EQ(ok, 1);
  EXPECT_GE(replays, 1);
  EXPECT_TRUE(this->IsRevoked(grant));
}

TYPED_TEST(StoreSuiteTest, RevokingAGrantKillsItsCodesAndRefreshTokens) {
  const std::string grant = this->AddGrant("g1");
  const std::string other = this->AddGrant("g2");
  const AuthorizationCode code = this->MakeCode(this->NewHash(), grant);
  ASSERT_TRUE(this->store().CreateCode(code));
  const std::string refresh = this->AddRefresh(grant);
  const std::string other_refresh = this->AddRefresh(other);
  ASSERT_TRUE(this->store().RevokeGrant(grant, this->Now()));
  EXPECT_EQ(this->store().ConsumeCode(code.hash, this->Now()).error(), Errc::kRevoked);
  EXPECT_EQ(this->store().RotateRefreshToken(this->Rotation(refresh, this->NewHash())).error(),
            Errc::kRevoked);
  EXPECT_TRUE(this->store().RotateRefreshToken(this->Rotation(other_refresh, this->NewHash())));
}

TYPED_TEST(StoreSuiteTest, PurgeDeletesExpiredRowsAndLongRevokedGrants) {
  const TimePoint t0 = this->Now();
  const std::string live = this->AddGrant("live");
  AuthorizationCode expired_code = this->MakeCode(this->NewHash(), live);
  expired_code.expires_at = t0 + 1s;
  ASSERT_TRUE(this->store().CreateCode(expired_code));
  AuthorizationCode fresh_code = this->MakeCode(this->NewHash(), live);
  fresh_code.expires_at = t0 + 24h;
  ASSERT_TRUE(this->store().CreateCode(fresh_code));
  RefreshToken expired_refresh = this->MakeRefresh(this->NewHash(), live);
  expired_refresh.expires_at = t0 + 1s;
  ASSERT_TRUE(this->store().CreateRefreshToken(expired_refresh));
  const std::string fresh_refresh = this->AddRefresh(live);

  const std::string old = this->AddGrant("old");
  AuthorizationCode old_code = this->MakeCode(this->NewHash(), old);
  old_code.expires_at = t0 + 24h;  // purged with its grant, not for its age
  ASSERT_TRUE(this->store().CreateCode(old_code));
  const std::string old_refresh = this->AddRefresh(old);
  ASSERT_TRUE(this->store().RevokeGrant(old, t0));
  const std::string recent = this->AddGrant("recent");
  ASSERT_TRUE(this->store().RevokeGrant(recent, t0 + 2h));

  this->clock_.Advance(3h);
  auto counts = this->store().PurgeExpired(this->Now(), this->Now() - 1h);
  ASSERT_TRUE(counts);
  EXPECT_EQ(*counts, (PurgeCounts{.codes = 2, .refresh_tokens = 2, .grants = 1}));
  EXPECT_EQ(this->store().GetGrant(old).error(), Errc::kNotFound);
  EXPECT_EQ(this->store().GetRefreshToken(old_refresh).error(), Errc::kNotFound);
  EXPECT_EQ(this->store().GetCode(expired_code.hash).error(), Errc::kNotFound);
  EXPECT_TRUE(this->IsRevoked(recent));
  EXPECT_TRUE(this->IsLive(fresh_refresh));
  EXPECT_TRUE(this->store().ConsumeCode(fresh_code.hash, this->Now()));
  EXPECT_EQ(*this->store().PurgeExpired(this->Now(), this->Now() - 1h), PurgeCounts{});
}

// ---- signing keys ------------------------------------------------------------------------

TYPED_TEST(StoreSuiteTest, SigningKeysRotateThroughNextActiveRetired) {
  auto make = [&](std::string kid, KeyState state, TimePoint not_before) {
    Secret pem("-----BEGIN PRIVATE KEY-----\n" + kid + "\n-----END PRIVATE KEY-----\n");
    return SigningKey{.kid = std::move(kid),
                      .private_key = std::move(pem),
                      .state = state,
                      .created_at = this->Now(),
                      .not_before = not_before};
  };
  const SigningKey k1 = make("k1", KeyState::kActive, this->Now());
  ASSERT_TRUE(this->store().CreateSigningKey(k1));
  EXPECT_EQ(*this->store().GetActiveSigningKey(), k1);
  EXPECT_EQ(this->store().CreateSigningKey(k1).error(), Errc::kConflict);
  EXPECT_EQ(this->store().CreateSigningKey(make("k9", KeyState::kActive, this->Now())).error(),
            Errc::kConflict);  // one active key at a time
  this->clock_.Advance(1s);
  const SigningKey k2 = make("k2", KeyState::kNext, this->Now() + 1h);
  ASSERT_TRUE(this->store().CreateSigningKey(k2));
  EXPECT_EQ(*this->store().GetSigningKey("k2"), k2);

  EXPECT_EQ(this->store().ActivateSigningKey("k2", this->Now()).error(),
            Errc::kFailedPrecondition);  // before not_before
  this->clock_.Advance(1h);
  ASSERT_TRUE(this->store().ActivateSigningKey("k2", this->Now()));
  EXPECT_EQ(this->store().GetActiveSigningKey()->kid, "k2");
  auto retired = this->store().GetSigningKey("k1");
  EXPECT_EQ(retired->state, KeyState::kRetired);
  EXPECT_EQ(retired->retired_at, this->Now());
  EXPECT_EQ(retired->private_key, k1.private_key);
  ASSERT_TRUE(this->store().ActivateSigningKey("k2", this->Now()));  // no-op
  EXPECT_EQ(this->store().ActivateSigningKey("k1", this->Now()).error(), Errc::kFailedPrecondition);
  EXPECT_EQ(this->store().ActivateSigningKey("k0", this->Now()).error(), Errc::kNotFound);

  auto keys = this->store().ListSigningKeys();
  ASSERT_TRUE(keys);
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].kid, "k1");
  EXPECT_EQ((*keys)[1].kid, "k2");

  EXPECT_EQ(this->store().DeleteSigningKey("k2").error(), Errc::kFailedPrecondition);
  ASSERT_TRUE(this->store().DeleteSigningKey("k1"));
  EXPECT_EQ(this->store().GetSigningKey("k1").error(), Errc::kNotFound);
  EXPECT_EQ(this->store().DeleteSigningKey("k1").error(), Errc::kNotFound);

  SigningKey inconsistent = make("k3", KeyState::kRetired, this->Now());
  EXPECT_EQ(this->store().CreateSigningKey(inconsistent).error(), Errc::kInvalidArgument);
  inconsistent.retired_at = this->Now();
  EXPECT_TRUE(this->store().CreateSigningKey(inconsistent));
}

TYPED_TEST(StoreSuiteTest, NoActiveKeyIsNotFound) {
  EXPECT_EQ(this->store().GetActiveSigningKey().error(), Errc::kNotFound);
  EXPECT_TRUE(this->store().ListSigningKeys()->empty());
}

// ---- consents ----------------------------------------------------------------------------

TYPED_TEST(StoreSuiteTest, ConsentsArePerUserAndClientAndReplaced) {
  const Consent first{"u1", "c1", {"mcp:tools", "mcp:read"}, this->Now()};
  ASSERT_TRUE(this->store().PutConsent(first));
  EXPECT_EQ(*this->store().GetConsent("u1", "c1"), first);
  this->clock_.Advance(1min);
  const Consent narrower{"u1", "c1", {"mcp:read"}, this->Now()};
  ASSERT_TRUE(this->store().PutConsent(narrower));
  EXPECT_EQ(*this->store().GetConsent("u1", "c1"), narrower);
  ASSERT_TRUE(this->store().PutConsent({"u1", "c0", {}, this->Now()}));
  ASSERT_TRUE(this->store().PutConsent({"u2", "c1", {"x"}, this->Now()}));

  auto mine = this->store().ListConsents("u1");
  ASSERT_TRUE(mine);
  ASSERT_EQ(mine->size(), 2u);
  EXPECT_EQ((*mine)[0].client_id, "c0");
  EXPECT_TRUE((*mine)[0].scopes.empty());
  EXPECT_EQ((*mine)[1], narrower);

  ASSERT_TRUE(this->store().DeleteConsent("u1", "c1"));
  EXPECT_EQ(this->store().GetConsent("u1", "c1").error(), Errc::kNotFound);
  EXPECT_EQ(this->store().DeleteConsent("u1", "c1").error(), Errc::kNotFound);
  EXPECT_TRUE(this->store().GetConsent("u2", "c1"));
  EXPECT_EQ(this->store().PutConsent({"u1", "c1", {"bad scope"}, this->Now()}).error(),
            Errc::kInvalidArgument);
}

// ---- MCP sessions --------------------------------------------------------------------------

TYPED_TEST(StoreSuiteTest, McpSessionsAreFoundByHashUntilTheyExpire) {
  const McpSession session{.id_hash = core::TokenHash("session-1"),
                           .principal_key = "u1\nc1",
                           .protocol_version = "2025-06-18",
                           .client_capabilities_json = R"({"roots":{}})",
                           .client_info_json = R"({"name":"x","version":"1"})",
                           .created_at = this->Now(),
                           .expires_at = this->Now() + 30min};
  ASSERT_TRUE(this->store().CreateMcpSession(session));
  EXPECT_EQ(this->store().CreateMcpSession(session).error(), Errc::kConflict);
  EXPECT_EQ(this->store().CreateMcpSession(McpSession{}).error(), Errc::kInvalidArgument);
  EXPECT_EQ(*this->store().GetMcpSession(session.id_hash, this->Now()), session);
  EXPECT_EQ(this->store().GetMcpSession(core::TokenHash("other"), this->Now()).error(),
            Errc::kNotFound);

  // Touching moves the expiry forward, never back.
  ASSERT_TRUE(this->store().TouchMcpSession(session.id_hash, this->Now() + 40min, this->Now()));
  ASSERT_TRUE(this->store().TouchMcpSession(session.id_hash, this->Now() + 10min, this->Now()));
  EXPECT_EQ(this->store().GetMcpSession(session.id_hash, this->Now())->expires_at,
            this->Now() + 40min);
  EXPECT_EQ(
      this->store().TouchMcpSession(core::TokenHash("other"), this->Now(), this->Now()).error(),
      Errc::kNotFound);

  // Expired: unknown to Get and Touch, and purged.
  EXPECT_TRUE(this->store().GetMcpSession(session.id_hash, this->Now() + 40min - 1us));
  EXPECT_EQ(this->store().GetMcpSession(session.id_hash, this->Now() + 40min).error(),
            Errc::kNotFound);
  EXPECT_EQ(
      this->store().TouchMcpSession(session.id_hash, this->Now() + 2h, this->Now() + 1h).error(),
      Errc::kNotFound);
  EXPECT_EQ(*this->store().PurgeExpiredMcpSessions(this->Now() + 40min - 1us), 0);
  EXPECT_EQ(*this->store().PurgeExpiredMcpSessions(this->Now() + 40min), 1);
  EXPECT_EQ(this->store().DeleteMcpSession(session.id_hash).error(), Errc::kNotFound);
}

TYPED_TEST(StoreSuiteTest, DeletedMcpSessionsAreGone) {
  McpSession session{.id_hash = core::TokenHash("session-2"),
                     .principal_key = "u1\nc1",
                     .protocol_version = "2025-03-26",
                     .client_capabilities_json = "{}",
                     .client_info_json = "{}",
                     .created_at = this->Now(),
                     .expires_at = this->Now() + 1min};
  ASSERT_TRUE(this->store().CreateMcpSession(session));
  session.id_hash = core::TokenHash("session-3");
  ASSERT_TRUE(this->store().CreateMcpSession(session));
  ASSERT_TRUE(this->store().DeleteMcpSession(core::TokenHash("session-2")));
  EXPECT_EQ(this->store().DeleteMcpSession(core::TokenHash("session-2")).error(), Errc::kNotFound);
  EXPECT_EQ(this->store().GetMcpSession(core::TokenHash("session-2"), this->Now()).error(),
            Errc::kNotFound);
  EXPECT_TRUE(this->store().GetMcpSession(session.id_hash, this->Now()));
}

// ---- audit -------------------------------------------------------------------------------

TYPED_TEST(StoreSuiteTest, AuditEventsAreAppendedInOrderAndFiltered) {
  auto event = [&](std::string type, std::string subject, std::string grant) {
    return AuditEvent{.type = std::move(type),
                      .subject = std::move(subject),
                      .client_id = "c1",
                      .grant_id = std::move(grant),
                      .ip = "127.0.0.1",
                      .time = this->Now(),
                      .detail_json = R"({"fingerprint":"0011223344556677"})"};
  };
  const std::vector<std::array<std::string, 3>> specs{{"grant.created", "u1", "g1"},
                                                      {"token.refreshed", "u1", "g1"},
                                                      {"login.failed", "u2", ""},
                                                      {"grant.revoked", "u1", "g1"}};
  std::vector<AuditEvent> appended;
  for (const auto& [type, subject, grant] : specs) {
    AuditEvent row = event(type, subject, grant);  // one second apart
    row.id = 12345;                                // ignored
    auto id = this->store().AppendAudit(row);
    ASSERT_TRUE(id);
    row.id = *id;
    if (!appended.empty()) {
      EXPECT_GT(row.id, appended.back().id);
    }
    appended.push_back(row);
    this->clock_.Advance(1s);
  }
  EXPECT_EQ(*this->store().ListAudit({}), appended);
  EXPECT_EQ(*this->store().ListAudit({.subject = "u2"}), (std::vector<AuditEvent>{appended[2]}));
  EXPECT_EQ(this->store().ListAudit({.grant_id = "g1"})->size(), 3u);
  EXPECT_EQ(*this->store().ListAudit({.type = "grant.revoked"}),
            (std::vector<AuditEvent>{appended[3]}));
  EXPECT_EQ(*this->store().ListAudit({.since = appended[2].time}),
            (std::vector<AuditEvent>{appended[2], appended[3]}));
  // Paging: after_id and limit.
  auto page1 = this->store().ListAudit({.limit = 2});
  ASSERT_EQ(page1->size(), 2u);
  auto page2 = this->store().ListAudit({.after_id = page1->back().id, .limit = 2});
  EXPECT_EQ(*page2, (std::vector<AuditEvent>{appended[2], appended[3]}));
  EXPECT_TRUE(this->store().ListAudit({.after_id = appended.back().id})->empty());
}

TYPED_TEST(StoreSuiteTest, AuditRefusesMalformedEventsAndQueries) {
  AuditEvent e{.type = "x", .time = this->Now(), .detail_json = "not json"};
  EXPECT_EQ(this->store().AppendAudit(e).error(), Errc::kInvalidArgument);
  e.detail_json = "[]";
  EXPECT_EQ(this->store().AppendAudit(e).error(), Errc::kInvalidArgument);
  e.detail_json = "{}";
  e.type.clear();
  EXPECT_EQ(this->store().AppendAudit(e).error(), Errc::kInvalidArgument);
  EXPECT_EQ(this->store().ListAudit({.limit = 0}).error(), Errc::kInvalidArgument);
  EXPECT_EQ(this->store().ListAudit({.after_id = -1}).error(), Errc::kInvalidArgument);
  EXPECT_TRUE(this->store().ListAudit({})->empty());
}

// ---- time --------------------------------------------------------------------------------

TYPED_TEST(StoreSuiteTest, TimesAreKeptToTheMicrosecond) {
  const TimePoint precise(std::chrono::nanoseconds(1'700'000'000'123'456'789));
  Grant grant = this->MakeGrant("g1");
  grant.created_at = precise;
  ASSERT_TRUE(this->store().CreateGrant(grant));
  EXPECT_EQ(this->store().GetGrant("g1")->created_at,
            TimePoint(std::chrono::microseconds(1'700'000'000'123'456)));
  ASSERT_TRUE(this->store().RevokeGrant("g1", precise));
  // Time parameters are truncated the same way, so a value compares equal to itself.
  EXPECT_EQ(this->store().ListRevokedGrantsSince(precise)->size(), 1u);
  EXPECT_TRUE(this->store().ListRevokedGrantsSince(precise + 1us)->empty());
}

}  // namespace
}  // namespace mcpauth::store
