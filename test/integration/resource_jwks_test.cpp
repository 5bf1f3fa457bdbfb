// RemoteJwks against a real HTTP server on 127.0.0.1:0 playing the authorization server's
// jwks_uri: caching by max-age, refetch on an unknown kid, and its rate limit. Time is a
// FakeClock, so the schedule is driven by the test, never by sleeping.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "fakes/fake_clock.hpp"
#include "mcpauth/http/client.hpp"
#include "mcpauth/http/router.hpp"
#include "mcpauth/http/server.hpp"
#include "mcpauth/jose/jwks.hpp"
#include "mcpauth/jose/jwt.hpp"
#include "mcpauth/oauth/resource/bearer_validator.hpp"
#include "mcpauth/oauth/resource/key_source.hpp"

namespace mcpauth::oauth::resource {
namespace {

using namespace std::chrono_literals;

jose::EcKey NewKey() { return jose::EcKey::Generate().value(); }

// The authorization server's jwks_uri: serves whatever key set the test puts in it.
class JwksEndpoint {
 public:
  JwksEndpoint() {
    auto router = std::make_shared<http::Router>();
    router->Add("GET", "/jwks", http::SyncHandler([this](const http::Request&) {
                  ++requests_;
                  std::lock_guard lock(mu_);
                  http::Response r = http::Response::Json(status_, body_);
                  if (!cache_control_.empty()) {
                    r.headers.Set("Cache-Control", cache_control_);
                  }
                  return r;
                }));
    server_ = std::make_unique<http::Server>(http::ServerOptions{.threads = 1}, router);
    EXPECT_TRUE(server_->Start().has_value());
  }

  void Serve(const jose::Jwks& keys, std::string cache_control = "") {
    std::lock_guard lock(mu_);
    status_ = 200;
    body_ = keys.Serialize();
    cache_control_ = std::move(cache_control);
  }
  void Fail(int status) {
    std::lock_guard lock(mu_);
    status_ = status;
    body_ = "{}";
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + "/jwks";
  }
  int requests() const { return requests_.load(); }

 private:
  std::mutex mu_;
  int status_ = 200;
  std::string body_ = R"({"keys":[]})";
  std::string cache_control_;
  std::atomic<int> requests_{0};
  std::unique_ptr<http::Server> server_;
};

class RemoteJwksTest : public ::testing::Test {
 protected:
  RemoteJwksTest() : clock_(1'700'000'000), k1_(NewKey()), k2_(NewKey()) {}

  jose::Jwks Set(std::initializer_list<std::pair<const char*, const jose::EcKey*>> keys) {
    jose::Jwks set;
    for (const auto& [kid, key] : keys) {
      EXPECT_TRUE(set.Add(kid, key->PublicOnly().value()));
    }
    return set;
  }
  std::unique_ptr<RemoteJwks> Jwks(RemoteJwksOptions options = {}) {
    options.url = endpoint_.url();
    return std::make_unique<RemoteJwks>(client_, clock_, options);
  }

  testing::FakeClock clock_;
  jose::EcKey k1_;
  jose::EcKey k2_;
  JwksEndpoint endpoint_;
  http::Client client_;
};

TEST_F(RemoteJwksTest, FetchesOnFirstUseThenServesFromTheCache) {
  endpoint_.Serve(Set({{"k1", &k1_}}));
  auto jwks = Jwks();
  EXPECT_FALSE(jwks->Ready());
  auto key = jwks->Find("k1");
  ASSERT_TRUE(key.has_value());
  EXPECT_TRUE(key->SamePublicKey(k1_));
  EXPECT_TRUE(jwks->Ready());
  for (int i = 0; i < 20; ++i) {
    EXPECT_TRUE(jwks->Find("k1").has_value());
  }
  EXPECT_EQ(endpoint_.requests(), 1);
  EXPECT_EQ(jwks->fetches(), 1u);
}

TEST_F(RemoteJwksTest, RefusesAnUnknownKidAfterOneRefetch) {
  endpoint_.Serve(Set({{"k1", &k1_}}));
  auto jwks = Jwks();
  ASSERT_TRUE(jwks->Refresh().has_value());
  EXPECT_FALSE(jwks->Find("nope").has_value());
  EXPECT_EQ(endpoint_.requests(), 2);  // the refresh, then one refetch for the unknown kid
}

TEST_F(RemoteJwksTest, ARotatedKeyIsFoundByRefetchingAtOnce) {
  endpoint_.Serve(Set({{"k1", &k1_}}));
  auto jwks = Jwks();
  ASSERT_TRUE(jwks->Find("k1").has_value());
  // The authorization server rotates: k2 signs from now on, k1 stays published.
  endpoint_.Serve(Set({{"k2", &k2_}, {"k1", &k1_}}));
  auto key = jwks->Find("k2");
  ASSERT_TRUE(key.has_value());
  EXPECT_TRUE(key->SamePublicKey(k2_));
  EXPECT_EQ(endpoint_.requests(), 2);
  EXPECT_TRUE(jwks->Find("k1").has_value());
  EXPECT_EQ(endpoint_.requests(), 2);
}

TEST_F(RemoteJwksTest, UnknownKidRefetchesAreRateLimited) {
  endpoint_.Serve(Set({{"k1", &k1_}}));
  auto jwks = Jwks(RemoteJwksOptions{.unknown_kid_refetch_interval = 10s});
  ASSERT_TRUE(jwks->Find("k1").has_value());
  ASSERT_EQ(endpoint_.requests(), 1);
  EXPECT_FALSE(jwks->Find("random-0").has_value());
  EXPECT_EQ(endpoint_.requests(), 2);
  // A flood of random kids within the interval costs nothing more.
  for (int i = 1; i <= 100; ++i) {
    EXPECT_FALSE(jwks->Find("random-" + std::to_string(i)).has_value());
  }
  EXPECT_EQ(endpoint_.requests(), 2);
  clock_.Advance(9s);
  EXPECT_FALSE(jwks->Find("random-x").has_value());
  EXPECT_EQ(endpoint_.requests(), 2);
  // After the interval, one more.
  clock_.Advance(1s);
  endpoint_.Serve(Set({{"k1", &k1_}, {"k2", &k2_}}));
  EXPECT_TRUE(jwks->Find("k2").has_value());
  EXPECT_EQ(endpoint_.requests(), 3);
  // Known kids are unaffected by the limit.
  EXPECT_TRUE(jwks->Find("k1").has_value());
}

TEST_F(RemoteJwksTest, ConcurrentUnknownKidsShareOneRefetch) {
  endpoint_.Serve(Set({{"k1", &k1_}}));
  auto jwks = Jwks();
  ASSERT_TRUE(jwks->Find("k1").has_value());
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        (void)jwks->Find("t" + std::to_string(t) + "-" + std::to_string(i));
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(endpoint_.requests(), 2);
}

TEST_F(RemoteJwksTest, HonoursMaxAge) {
  endpoint_.Serve(Set({{"k1", &k1_}}), "public, max-age=120");
  auto jwks = Jwks();
  ASSERT_TRUE(jwks->Find("k1").has_value());
  clock_.Advance(119s);
  ASSERT_TRUE(jwks->Find("k1").has_value());
  EXPECT_EQ(endpoint_.requests(), 1);
  clock_.Advance(1s);
  ASSERT_TRUE(jwks->Find("k1").has_value());
  EXPECT_EQ(endpoint_.requests(), 2);
}

TEST_F(RemoteJwksTest, DefaultsToFiveMinutesWithoutCacheControl) {
  endpoint_.Serve(Set({{"k1", &k1_}}));
  auto jwks = Jwks();
  ASSERT_TRUE(jwks->Find("k1").has_value());
  clock_.Advance(299s);
  ASSERT_TRUE(jwks->Find("k1").has_value());
  EXPECT_EQ(endpoint_.requests(), 1);
  clock_.Advance(1s);
  ASSERT_TRUE(jwks->Find("k1").has_value());
  EXPECT_EQ(endpoint_.requests(), 2);
}

TEST_F(RemoteJwksTest, ClampsMaxAge) {
  RemoteJwksOptions o{.min_max_age = 30s, .max_max_age = 3600s};
  // Too short (and no-store) is raised to the minimum...
  for (const char* cc : {"max-age=0", "no-store", "no-cache, max-age=5"}) {
    endpoint_.Serve(Set({{"k1", &k1_}}), cc);
    auto jwks = Jwks(o);
    const int before = endpoint_.requests();
    ASSERT_TRUE(jwks->Find("k1").has_value());
    clock_.Advance(29s);
    ASSERT_TRUE(jwks->Find("k1").has_value());
    EXPECT_EQ(endpoint_.requests(), before + 1) << cc;
    clock_.Advance(1s);
    ASSERT_TRUE(jwks->Find("k1").has_value());
    EXPECT_EQ(endpoint_.requests(), before + 2) << cc;
  }
  // ...and too long lowered to the maximum.
  endpoint_.Serve(Set({{"k1", &k1_}}), "max-age=99999999999999999999");
  auto jwks = Jwks(o);
  const int before = endpoint_.requests();
  ASSERT_TRUE(jwks->Find("k1").has_value());
  clock_.Advance(3600s);
  ASSERT_TRUE(jwks->Find("k1").has_value());
  EXPECT_EQ(endpoint_.requests(), before + 2);
}

TEST_F(RemoteJwksTest, AFailedRefreshKeepsTheKeysItHad) {
  endpoint_.Serve(Set({{"k1", &k1_}}), "max-age=60");
  auto jwks = Jwks(RemoteJwksOptions{.unknown_kid_refetch_interval = 10s});
  ASSERT_TRUE(jwks->Find("k1").has_value());
  endpoint_.Fail(500);
  clock_.Advance(61s);
  EXPECT_TRUE(jwks->Find("k1").has_value());  // stale but usable
  EXPECT_EQ(endpoint_.requests(), 2);
  // Retried after the interval, not on every request.
  clock_.Advance(5s);
  EXPECT_TRUE(jwks->Find("k1").has_value());
  EXPECT_EQ(endpoint_.requests(), 2);
  clock_.Advance(5s);
  endpoint_.Serve(Set({{"k1", &k1_}}));
  EXPECT_TRUE(jwks->Find("k1").has_value());
  EXPECT_EQ(endpoint_.requests(), 3);
}

TEST_F(RemoteJwksTest, AnUnreachableJwksIsNotReadyAndIsNotHammered) {
  endpoint_.Fail(503);
  auto jwks = Jwks(RemoteJwksOptions{.unknown_kid_refetch_interval = 10s});
  EXPECT_FALSE(jwks->Find("k1").has_value());
  EXPECT_FALSE(jwks->Ready());
  EXPECT_FALSE(jwks->Refresh().has_value());
  const int after = endpoint_.requests();
  for (int i = 0; i < 20; ++i) {
    EXPECT_FALSE(jwks->Find("k1").has_value());
  }
  EXPECT_LE(endpoint_.requests(), after + 1);
}

TEST_F(RemoteJwksTest, BearerValidatorVerifiesWithRemoteKeys) {
  endpoint_.Serve(Set({{"k1", &k1_}}));
  auto jwks = std::shared_ptr<RemoteJwks>(Jwks());
  BearerValidator validator(
      clock_, jwks,
      BearerValidatorOptions{.issuer = "https://as.example", .audience = "https://rs.example/mcp"},
      nullptr);
  const boost::json::object claims{{"iss", "https://as.example"},      {"sub", "u"},
                                   {"aud", "https://rs.example/mcp"},  {"client_id", "c"},
                                   {"exp", clock_.NowSeconds() + 600}, {"grant_id", "g"}};
  EXPECT_TRUE(validator.Validate(jose::EncodeJwt(k1_, "k1", "at+jwt", claims).value()).has_value());
  // After a rotation the new key is fetched on demand.
  endpoint_.Serve(Set({{"k2", &k2_}}));
  EXPECT_TRUE(validator.Validate(jose::EncodeJwt(k2_, "k2", "at+jwt", claims).value()).has_value());
  // Unknown for good: invalid, not unavailable (we do have keys).
  auto r = validator.Validate(jose::EncodeJwt(k2_, "k3", "at+jwt", claims).value());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), make_error_code(Errc::kUnknownKey));
}

TEST_F(RemoteJwksTest, BearerValidatorReportsAnUnreachableJwksAsUnavailable) {
  endpoint_.Fail(503);
  BearerValidator validator(
      clock_, std::shared_ptr<RemoteJwks>(Jwks()),
      BearerValidatorOptions{.issuer = "https://as.example", .audience = "https://rs.example/mcp"},
      nullptr);
  const boost::json::object claims{{"iss", "https://as.example"},
                                   {"exp", clock_.NowSeconds() + 60}};
  auto r = validator.Validate(jose::EncodeJwt(k1_, "k1", "at+jwt", claims).value());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), make_error_code(Errc::kUnavailable));
}

}  // namespace
}  // namespace mcpauth::oauth::resource
