#include "mcpauth/oauth/resource/bearer_validator.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "mcpauth/core/crypto.hpp"
#include "mcpauth/jose/jws.hpp"
#include "unit/oauth_resource/resource_test_util.hpp"

namespace mcpauth::oauth::resource {
namespace {

using namespace std::chrono_literals;
using test::Claims;
using test::kNow;
using test::With;
using test::Without;

class BearerValidatorTest : public ::testing::Test {
 protected:
  BearerValidatorTest()
      : clock_(kNow),
        key_(test::NewKey()),
        keys_(std::make_shared<test::CountingKeySource>("k1", key_.PublicOnly().value())) {}

  static BearerValidatorOptions Options() {
    return {.issuer = std::string(test::kIssuer), .audience = std::string(test::kResource)};
  }
  BearerValidator& Validator(BearerValidatorOptions options = Options()) {
    validator_ = std::make_unique<BearerValidator>(clock_, keys_, std::move(options), &revoked_);
    return *validator_;
  }

  std::string Token(const boost::json::object& claims = Claims()) const {
    return test::Sign(key_, claims);
  }

  // The error of validating `token` with the default validator, or kOk.
  Errc ErrorOf(std::string_view token) {
    if (!validator_) {
      Validator();
    }
    Result<ValidatedToken> r = validator_->Validate(token);
    if (r) {
      return Errc::kOk;
    }
    EXPECT_EQ(&r.error().category(), &ResourceCategory()) << r.error().message();
    return static_cast<Errc>(r.error().value());
  }

  testing::FakeClock clock_;
  jose::EcKey key_;
  std::shared_ptr<test::CountingKeySource> keys_;
  RevokedGrants revoked_;
  std::unique_ptr<BearerValidator> validator_;
};

TEST_F(BearerValidatorTest, AcceptsOurAccessTokenAndExposesItsClaims) {
  Result<ValidatedToken> t = Validator().Validate(Token());
  ASSERT_TRUE(t.has_value()) << t.error().message();
  const AccessToken& a = **t;
  EXPECT_EQ(a.subject, "user-1");
  EXPECT_EQ(a.username, "alice");
  EXPECT_EQ(a.client_id, "client-1");
  EXPECT_EQ(a.scopes, (std::vector<std::string>{"mcp:read", "mcp:tools"}));
  EXPECT_TRUE(a.HasScope("mcp:tools"));
  EXPECT_FALSE(a.HasScope("mcp"));
  EXPECT_EQ(a.grant_id, "grant-1");
  EXPECT_EQ(a.jti, "jti-1");
  EXPECT_EQ(a.expires_at, Clock::TimePoint(std::chrono::seconds(kNow + 3600)));
}

TEST_F(BearerValidatorTest, RefusesGarbage) {
  for (std::string_view garbage :
       {"", "garbage", "a.b.c", "a.b", "....", "eyJhbGciOiJFUzI1NiJ9.e30.AAAA"}) {
    const Errc e = ErrorOf(garbage);
    EXPECT_TRUE(e == Errc::kMalformed || e == Errc::kUnknownKey) << garbage << " " << int(e);
  }
  EXPECT_EQ(ErrorOf("not-a-jwt"), Errc::kMalformed);
  EXPECT_EQ(ErrorOf(std::string(9000, 'a')), Errc::kMalformed);  // over the size cap
}

TEST_F(BearerValidatorTest, RefusesAnExpiredTokenAfterTheLeeway) {
  const std::string token = Token(With(Claims(), "exp", kNow - 31));
  EXPECT_EQ(ErrorOf(token), Errc::kExpired);
  // Within the 30 s leeway (clock skew between the AS and us) it is still accepted.
  EXPECT_EQ(ErrorOf(Token(With(Claims(), "exp", kNow - 29))), Errc::kOk);
}

TEST_F(BearerValidatorTest, RefusesATokenNotYetValid) {
  EXPECT_EQ(ErrorOf(Token(With(Claims(), "nbf", kNow + 60))), Errc::kNotYetValid);
  EXPECT_EQ(ErrorOf(Token(With(Claims(), "iat", kNow + 60))), Errc::kNotYetValid);
  EXPECT_EQ(ErrorOf(Token(With(Claims(), "nbf", kNow + 20))), Errc::kOk);  // leeway
}

TEST_F(BearerValidatorTest, RefusesAnotherIssuer) {
  EXPECT_EQ(ErrorOf(Token(With(Claims(), "iss", "https://evil.example"))), Errc::kBadIssuer);
  EXPECT_EQ(ErrorOf(Token(With(Claims(), "iss", "http://127.0.0.1:8080/"))), Errc::kBadIssuer);
  EXPECT_EQ(ErrorOf(Token(Without(Claims(), "iss"))), Errc::kBadClaims);
}

TEST_F(BearerValidatorTest, RefusesATokenMintedForAnotherResource) {
  // RFC 8707 §2 / MCP "Token Handling": validly signed by our AS, but for another audience.
  EXPECT_EQ(ErrorOf(Token(With(Claims(), "aud", "http://127.0.0.1:9090/mcp"))), Errc::kBadAudience);
  EXPECT_EQ(ErrorOf(Token(With(Claims(), "aud", "http://127.0.0.1:8080/mcp/"))),
            Errc::kBadAudience);
  EXPECT_EQ(ErrorOf(Token(With(Claims(), "aud", boost::json::array{"https://other/mcp"}))),
            Errc::kBadAudience);
  EXPECT_EQ(ErrorOf(Token(Without(Claims(), "aud"))), Errc::kBadClaims);
  // A list that includes us is ours (RFC 7519 §4.1.3).
  EXPECT_EQ(ErrorOf(Token(
                With(Claims(), "aud", boost::json::array{"https://other/mcp", test::kResource}))),
            Errc::kOk);
}

TEST_F(BearerValidatorTest, RefusesAnotherType) {
  // An ID token or any other JWT signed by the same key is not an access token (RFC 9068 §4).
  EXPECT_EQ(ErrorOf(test::Sign(key_, Claims(), "k1", "JWT")), Errc::kBadType);
  EXPECT_EQ(ErrorOf(test::Sign(key_, Claims(), "k1", "")), Errc::kBadType);
  EXPECT_EQ(ErrorOf(test::Sign(key_, Claims(), "k1", "application/at+jwt")), Errc::kOk);
}

TEST_F(BearerValidatorTest, RefusesAnUnknownKid) {
  EXPECT_EQ(ErrorOf(test::Sign(key_, Claims(), "k2")), Errc::kUnknownKey);
  // Another key under our kid: the signature fails.
  EXPECT_EQ(ErrorOf(test::Sign(test::NewKey(), Claims(), "k1")), Errc::kBadSignature);
}

TEST_F(BearerValidatorTest, AnUnknownKidWithoutAnyKeysIsOurOutage) {
  keys_->set_ready(false);
  EXPECT_EQ(ErrorOf(test::Sign(key_, Claims(), "k2")), Errc::kUnavailable);
}

TEST_F(BearerValidatorTest, RefusesAlgNone) {
  const std::string good = Token();
  const jose::CompactParts parts = jose::SplitCompact(good).value();
  for (std::string_view alg : {"none", "None"}) {
    const std::string header = test::B64Json({{"alg", alg}, {"typ", "at+jwt"}, {"kid", "k1"}});
    const std::string forged = header + "." + std::string(parts.payload) + ".";
    EXPECT_EQ(ErrorOf(forged), Errc::kBadAlgorithm) << alg;
    EXPECT_EQ(
        ErrorOf(header + "." + std::string(parts.payload) + "." + std::string(parts.signature)),
        Errc::kBadAlgorithm);
  }
}

TEST_F(BearerValidatorTest, RefusesHs256KeyedWithThePublicKey) {
  // Key confusion: HMAC with the public key (known to everyone) as the secret.
  const std::string header = test::B64Json({{"alg", "HS256"}, {"typ", "at+jwt"}, {"kid", "k1"}});
  const std::string payload = test::B64Json(With(Claims(), "sub", "admin"));
  const std::string input = header + "." + payload;
  const std::string secret =
      boost::json::serialize(jose::ExportPublicJwk(key_.PublicOnly().value(), "k1"));
  const core::Sha256Digest mac = core::HmacSha256(secret).Mac(input);
  EXPECT_EQ(ErrorOf(input + "." + core::Base64UrlEncode(mac)), Errc::kBadAlgorithm);
  // Validly ES256-signed but claiming another alg: refused on the header alone.
  EXPECT_EQ(ErrorOf(test::SignWithHeader(key_, {{"alg", "HS256"}, {"typ", "at+jwt"}, {"kid", "k1"}},
                                         Claims())),
            Errc::kBadAlgorithm);
  EXPECT_EQ(ErrorOf(test::SignWithHeader(key_, {{"alg", "RS256"}, {"typ", "at+jwt"}, {"kid", "k1"}},
                                         Claims())),
            Errc::kBadAlgorithm);
}

TEST_F(BearerValidatorTest, RefusesATamperedPayload) {
  const std::string good = Token();
  const jose::CompactParts parts = jose::SplitCompact(good).value();
  const std::string forged = std::string(parts.header) + "." +
                             test::B64Json(With(Claims(), "scope", "mcp:read mcp:admin")) + "." +
                             std::string(parts.signature);
  EXPECT_EQ(ErrorOf(forged), Errc::kBadSignature);
}

TEST_F(BearerValidatorTest, RequiresSubjectClientAndGrant) {
  EXPECT_EQ(ErrorOf(Token(Without(Claims(), "sub"))), Errc::kBadClaims);
  EXPECT_EQ(ErrorOf(Token(With(Claims(), "sub", ""))), Errc::kBadClaims);
  EXPECT_EQ(ErrorOf(Token(Without(Claims(), "client_id"))), Errc::kBadClaims);
  EXPECT_EQ(ErrorOf(Token(Without(Claims(), "grant_id"))), Errc::kBadClaims);
  EXPECT_EQ(ErrorOf(Token(With(Claims(), "grant_id", 7))), Errc::kBadClaims);
  EXPECT_EQ(ErrorOf(Token(Without(Claims(), "exp"))), Errc::kBadClaims);
  EXPECT_EQ(ErrorOf(Token(With(Claims(), "client_id", 7))), Errc::kBadClaims);
}

TEST_F(BearerValidatorTest, RequiredClaimsAreConfigurable) {
  BearerValidatorOptions o = Options();
  o.required_claims = {"sub"};
  BearerValidator& v = Validator(o);
  Result<ValidatedToken> t = v.Validate(Token(Without(Without(Claims(), "grant_id"), "client_id")));
  ASSERT_TRUE(t.has_value()) << t.error().message();
  EXPECT_EQ((*t)->grant_id, "");
  EXPECT_EQ((*t)->client_id, "");
}

TEST_F(BearerValidatorTest, ARepeatIsACacheHitWithoutAVerification) {
  BearerValidator& v = Validator();
  const std::string token = Token();
  Result<ValidatedToken> first = v.Validate(token);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(keys_->lookups(), 1);
  for (int i = 0; i < 10; ++i) {
    Result<ValidatedToken> again = v.Validate(token);
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->get(), first->get());  // the same shared object: nothing copied
  }
  EXPECT_EQ(keys_->lookups(), 1);
  EXPECT_EQ(v.verifications(), 1u);
  EXPECT_EQ(v.cache_size(), 1u);
  // A different token is verified on its own.
  ASSERT_TRUE(v.Validate(Token(With(Claims(), "jti", "jti-2"))).has_value());
  EXPECT_EQ(keys_->lookups(), 2);
}

TEST_F(BearerValidatorTest, FailuresAreNotCached) {
  BearerValidator& v = Validator();
  const std::string token = Token(With(Claims(), "aud", "https://other/mcp"));
  EXPECT_FALSE(v.Validate(token).has_value());
  EXPECT_FALSE(v.Validate(token).has_value());
  EXPECT_EQ(v.verifications(), 2u);
  EXPECT_EQ(v.cache_size(), 0u);
}

TEST_F(BearerValidatorTest, ARevokedGrantFailsTheNextRequestEvenWithAWarmCache) {
  BearerValidator& v = Validator();
  const std::string token = Token();
  ASSERT_TRUE(v.Validate(token).has_value());
  ASSERT_TRUE(v.Validate(token).has_value());
  ASSERT_EQ(v.verifications(), 1u);  // warm
  revoked_.Add("grant-1", clock_.Now());
  EXPECT_EQ(ErrorOf(token), Errc::kRevoked);
  EXPECT_EQ(v.verifications(), 1u);  // refused from the cache, without a verify
  // Another grant of the same user and client is unaffected.
  EXPECT_EQ(ErrorOf(Token(With(Claims(), "grant_id", "grant-2"))), Errc::kOk);
  // A fresh token naming the revoked grant is refused too.
  EXPECT_EQ(ErrorOf(Token(With(Claims(), "jti", "jti-3"))), Errc::kRevoked);
}

TEST_F(BearerValidatorTest, CacheEntriesEndAtTheTokensExpiry) {
  BearerValidator& v = Validator();
  const std::string token = Token(With(Claims(), "exp", kNow + 100));
  ASSERT_TRUE(v.Validate(token).has_value());
  clock_.Advance(99s);
  ASSERT_TRUE(v.Validate(token).has_value());
  EXPECT_EQ(v.verifications(), 1u);
  // Past exp the cache no longer answers; within the leeway the verifier still accepts.
  clock_.Advance(10s);
  ASSERT_TRUE(v.Validate(token).has_value());
  EXPECT_EQ(v.verifications(), 2u);
  // Past exp + leeway: expired, cache or not.
  clock_.Advance(30s);
  EXPECT_EQ(ErrorOf(token), Errc::kExpired);
}

TEST_F(BearerValidatorTest, TheCacheIsBounded) {
  BearerValidatorOptions o = Options();
  o.cache_capacity = 8;
  BearerValidator& v = Validator(o);
  std::vector<std::string> tokens;
  for (int i = 0; i < 50; ++i) {
    tokens.push_back(Token(With(Claims(), "jti", "jti-" + std::to_string(i))));
    ASSERT_TRUE(v.Validate(tokens.back()).has_value());
    EXPECT_LE(v.cache_size(), 8u);
  }
  EXPECT_GT(v.cache_size(), 0u);
  // Evicted tokens are still valid: they are verified again.
  for (const std::string& t : tokens) {
    EXPECT_TRUE(v.Validate(t).has_value());
  }
  EXPECT_LE(v.cache_size(), 8u);
}

TEST_F(BearerValidatorTest, ExpiredEntriesAreEvictedFirst) {
  BearerValidatorOptions o = Options();
  o.cache_capacity = 4;
  BearerValidator& v = Validator(o);
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(v.Validate(Token(With(With(Claims(), "jti", std::to_string(i)), "exp", kNow + 10)))
                    .has_value());
  }
  const std::string long_lived = Token(With(Claims(), "jti", "long"));
  clock_.Advance(11s);  // the four expire
  ASSERT_TRUE(v.Validate(long_lived).has_value());
  EXPECT_EQ(v.cache_size(), 1u);
  ASSERT_TRUE(v.Validate(long_lived).has_value());
  EXPECT_EQ(v.verifications(), 5u);
}

TEST_F(BearerValidatorTest, ACapacityOfZeroDisablesTheCache) {
  BearerValidatorOptions o = Options();
  o.cache_capacity = 0;
  BearerValidator& v = Validator(o);
  const std::string token = Token();
  ASSERT_TRUE(v.Validate(token).has_value());
  ASSERT_TRUE(v.Validate(token).has_value());
  EXPECT_EQ(v.verifications(), 2u);
  EXPECT_EQ(v.cache_size(), 0u);
}

TEST_F(BearerValidatorTest, ClearCacheForgetsVerifiedTokens) {
  BearerValidator& v = Validator();
  const std::string token = Token();
  ASSERT_TRUE(v.Validate(token).has_value());
  v.ClearCache();
  EXPECT_EQ(v.cache_size(), 0u);
  ASSERT_TRUE(v.Validate(token).has_value());
  EXPECT_EQ(v.verifications(), 2u);
}

TEST_F(BearerValidatorTest, ConcurrentValidationsShareOneCache) {
  BearerValidator& v = Validator();
  std::vector<std::string> tokens;
  for (int i = 0; i < 4; ++i) {
    tokens.push_back(Token(With(Claims(), "jti", "t" + std::to_string(i))));
  }
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        if (!v.Validate(tokens[i % tokens.size()]).has_value()) {
          ++failures;
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(v.cache_size(), 4u);
  EXPECT_LE(v.verifications(), 16u);  // at most one miss per token per thread
}

TEST_F(BearerValidatorTest, ACoHostedResolverIsAKeySource) {
  auto jwks = std::make_shared<jose::Jwks>();
  ASSERT_TRUE(jwks->Add("k1", key_.PublicOnly().value()));
  BearerValidator v(clock_, std::make_shared<ResolverKeySource>(jose::JwksResolver(jwks)),
                    Options(), nullptr);
  EXPECT_TRUE(v.Validate(Token()).has_value());
}

}  // namespace
}  // namespace mcpauth::oauth::resource
