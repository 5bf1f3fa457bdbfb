// SigningKeyManager over the memory store with a FakeClock: first start, reuse, rotation with
// overlap, JWKS contents, and a round trip through jose::EncodeJwt / jose::JwtVerifier.
#include "mcpauth/oauth/signing_keys.hpp"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "fakes/fake_clock.hpp"
#include "mcpauth/jose/errc.hpp"
#include "mcpauth/jose/jwt.hpp"
#include "mcpauth/store/errc.hpp"
#include "mcpauth/store/memory_store.hpp"

namespace mcpauth::oauth {
namespace {

using namespace std::chrono_literals;

class SigningKeyManagerTest : public ::testing::Test {
 protected:
  SigningKeyOptions Options() const {
    SigningKeyOptions options;
    options.retired_key_lifetime = 1h;
    return options;
  }

  std::unique_ptr<store::Store> store_ = store::OpenMemoryStore();
  testing::FakeClock clock_;
};

std::vector<std::string> Kids(const jose::Jwks& jwks) {
  std::vector<std::string> kids;
  for (const auto& entry : jwks.entries()) {
    kids.push_back(entry.kid);
  }
  return kids;
}

TEST_F(SigningKeyManagerTest, CurrentFailsBeforeEnsureActiveKey) {
  SigningKeyManager keys(*store_, clock_, Options());
  auto current = keys.Current();
  ASSERT_FALSE(current);
  EXPECT_EQ(current.error(), store::Errc::kNotFound);
  EXPECT_TRUE(keys.PublicJwks()->empty());
}

TEST_F(SigningKeyManagerTest, FirstStartCreatesOneActiveP256Key) {
  SigningKeyManager keys(*store_, clock_, Options());
  ASSERT_TRUE(keys.EnsureActiveKey());

  auto rows = store_->ListSigningKeys();
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1U);
  const store::SigningKey& row = rows->front();
  EXPECT_EQ(row.state, store::KeyState::kActive);
  EXPECT_EQ(row.algorithm, "ES256");
  EXPECT_TRUE(row.private_key.Reveal().starts_with("-----BEGIN PRIVATE KEY-----"));
  EXPECT_EQ(row.created_at, clock_.Now());

  auto current = keys.Current();
  ASSERT_TRUE(current);
  EXPECT_EQ(current->kid, row.kid);
  EXPECT_TRUE(current->key.HasPrivateKey());
  EXPECT_EQ(current->kid, jose::JwkThumbprint(current->key));  // RFC 7638 kid
  EXPECT_EQ(current->kid.size(), 43U);

  // Idempotent: a second call neither creates nor changes anything.
  ASSERT_TRUE(keys.EnsureActiveKey());
  EXPECT_EQ(store_->ListSigningKeys()->size(), 1U);
}

TEST_F(SigningKeyManagerTest, SecondManagerReusesTheStoredKey) {
  SigningKeyManager first(*store_, clock_, Options());
  ASSERT_TRUE(first.EnsureActiveKey());
  SigningKeyManager second(*store_, clock_, Options());
  ASSERT_TRUE(second.EnsureActiveKey());

  EXPECT_EQ(store_->ListSigningKeys()->size(), 1U);
  auto a = first.Current();
  auto b = second.Current();
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->kid, b->kid);
  EXPECT_TRUE(a->key.SamePublicKey(b->key));
}

TEST_F(SigningKeyManagerTest, ConcurrentFirstStartsAgreeOnOneKey) {
  constexpr int kNodes = 4;
  std::vector<std::unique_ptr<SigningKeyManager>> nodes;
  for (int i = 0; i < kNodes; ++i) {
    nodes.push_back(std::make_unique<SigningKeyManager>(*store_, clock_, Options()));
  }
  std::vector<std::thread> threads;
  for (auto& node : nodes) {
    threads.emplace_back([&node] { EXPECT_TRUE(node->EnsureActiveKey()); });
  }
  for (auto& t : threads) {
    t.join();
  }
  auto active = store_->GetActiveSigningKey();
  ASSERT_TRUE(active);
  for (auto& node : nodes) {
    EXPECT_EQ(node->Current()->kid, active->kid);
  }
}

TEST_F(SigningKeyManagerTest, RotationPublishesBothThenDropsTheOldAfterTheOverlap) {
  SigningKeyManager keys(*store_, clock_, Options());
  ASSERT_TRUE(keys.EnsureActiveKey());
  const std::string old_kid = keys.Current()->kid;

  clock_.Advance(10min);
  auto new_kid = keys.Rotate();
  ASSERT_TRUE(new_kid) << new_kid.error().message();
  EXPECT_NE(*new_kid, old_kid);
  EXPECT_EQ(keys.Current()->kid, *new_kid);

  auto old_row = store_->GetSigningKey(old_kid);
  ASSERT_TRUE(old_row);
  EXPECT_EQ(old_row->state, store::KeyState::kRetired);
  EXPECT_EQ(old_row->retired_at, clock_.Now());

  // During the overlap both keys verify.
  EXPECT_EQ(Kids(*keys.PublicJwks()), (std::vector<std::string>{old_kid, *new_kid}));
  EXPECT_TRUE(keys.Find(old_kid));
  clock_.Advance(59min);
  EXPECT_EQ(keys.PublicJwks()->size(), 2U);

  // After it, the old key leaves the JWKS (without a reload) ...
  clock_.Advance(1min);
  EXPECT_EQ(Kids(*keys.PublicJwks()), (std::vector<std::string>{*new_kid}));
  EXPECT_FALSE(keys.Find(old_kid));
  EXPECT_TRUE(keys.Find(*new_kid));

  // ... and PurgeRetired() deletes it from the store.
  auto purged = keys.PurgeRetired();
  ASSERT_TRUE(purged);
  EXPECT_EQ(*purged, 1U);
  EXPECT_EQ(store_->GetSigningKey(old_kid).error(), store::Errc::kNotFound);
  EXPECT_EQ(store_->ListSigningKeys()->size(), 1U);
}

TEST_F(SigningKeyManagerTest, RotateAlsoPurgesKeysWhoseOverlapEnded) {
  SigningKeyManager keys(*store_, clock_, Options());
  ASSERT_TRUE(keys.EnsureActiveKey());
  const std::string first = keys.Current()->kid;
  ASSERT_TRUE(keys.Rotate());
  clock_.Advance(2h);
  auto third = keys.Rotate();
  ASSERT_TRUE(third);
  EXPECT_EQ(store_->GetSigningKey(first).error(), store::Errc::kNotFound);
  EXPECT_EQ(store_->ListSigningKeys()->size(), 2U);  // the second (retired now) and the third
  EXPECT_EQ(keys.PublicJwks()->size(), 2U);
}

TEST_F(SigningKeyManagerTest, OtherNodeSeesRotationAfterReload) {
  SigningKeyManager a(*store_, clock_, Options());
  SigningKeyManager b(*store_, clock_, Options());
  ASSERT_TRUE(a.EnsureActiveKey());
  ASSERT_TRUE(b.EnsureActiveKey());
  auto rotated = a.Rotate();
  ASSERT_TRUE(rotated);
  EXPECT_NE(b.Current()->kid, *rotated);  // cached
  EXPECT_FALSE(b.Find(*rotated));
  ASSERT_TRUE(b.Reload());
  EXPECT_EQ(b.Current()->kid, *rotated);
  EXPECT_TRUE(b.Find(*rotated));
}

TEST_F(SigningKeyManagerTest, JwksHasNoPrivateParts) {
  SigningKeyManager keys(*store_, clock_, Options());
  ASSERT_TRUE(keys.EnsureActiveKey());
  ASSERT_TRUE(keys.Rotate());
  auto jwks = keys.PublicJwks();
  ASSERT_EQ(jwks->size(), 2U);
  for (const auto& entry : jwks->entries()) {
    EXPECT_FALSE(entry.key.HasPrivateKey());
  }
  const std::string text = jwks->Serialize();
  EXPECT_EQ(text.find("\"d\""), std::string::npos) << text;
  const auto json = jwks->ToJson();
  for (const auto& jwk : json.at("keys").as_array()) {
    EXPECT_FALSE(jwk.as_object().contains("d"));
    EXPECT_EQ(jwk.as_object().at("alg"), "ES256");
    EXPECT_EQ(jwk.as_object().at("use"), "sig");
  }
  auto found = keys.Find(keys.Current()->kid);
  ASSERT_TRUE(found);
  EXPECT_FALSE(found->HasPrivateKey());
  // The served document parses back into the same key set.
  auto reparsed = jose::Jwks::Parse(text);
  ASSERT_TRUE(reparsed);
  EXPECT_EQ(reparsed->size(), 2U);
  EXPECT_EQ(reparsed->skipped(), 0U);
}

TEST_F(SigningKeyManagerTest, TokenSignedWithCurrentVerifiesWithThePublishedJwks) {
  SigningKeyManager keys(*store_, clock_, Options());
  ASSERT_TRUE(keys.EnsureActiveKey());
  auto current = keys.Current();
  ASSERT_TRUE(current);

  boost::json::object claims;
  claims["iss"] = "https://as.example";
  claims["sub"] = "user-1";
  claims["aud"] = "https://mcp.example/mcp";
  claims["iat"] = clock_.NowSeconds();
  claims["exp"] = clock_.NowSeconds() + 300;
  auto token = jose::EncodeJwt(current->key, current->kid, jose::kAccessTokenType, claims);
  ASSERT_TRUE(token);

  // A resource server that fetched the JWKS document.
  auto fetched = jose::Jwks::Parse(keys.PublicJwks()->Serialize());
  ASSERT_TRUE(fetched);
  jose::JwtVerifier rs(clock_,
                       jose::JwksResolver(std::make_shared<const jose::Jwks>(std::move(*fetched))));
  rs.RequireIssuer("https://as.example")
      .RequireAudience("https://mcp.example/mcp")
      .RequireType(std::string(jose::kAccessTokenType));
  auto verified = rs.Verify(*token);
  ASSERT_TRUE(verified) << verified.error().message();
  EXPECT_EQ(verified->Subject(), "user-1");

  // The manager's own resolver verifies it too, also after a rotation during the overlap ...
  jose::JwtVerifier own(clock_, keys.Resolver());
  own.RequireAudience("https://mcp.example/mcp");
  EXPECT_TRUE(own.Verify(*token));
  ASSERT_TRUE(keys.Rotate());
  EXPECT_TRUE(own.Verify(*token));

  // ... but not once the old key's publication has ended.
  clock_.Advance(1h);
  auto late = own.Verify(*token);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error(), jose::Errc::kUnknownKid);
}

TEST_F(SigningKeyManagerTest, ReadsKeysStoredAsPrivateJwk) {
  auto key = jose::EcKey::Generate();
  ASSERT_TRUE(key);
  auto jwk = jose::ExportPrivateJwk(*key);
  ASSERT_TRUE(jwk);
  store::SigningKey row;
  row.kid = jose::JwkThumbprint(*key);
  row.private_key = Secret(boost::json::serialize(*jwk));
  row.state = store::KeyState::kActive;
  row.created_at = clock_.Now();
  row.not_before = clock_.Now();
  ASSERT_TRUE(store_->CreateSigningKey(row));

  SigningKeyManager keys(*store_, clock_, Options());
  ASSERT_TRUE(keys.EnsureActiveKey());
  EXPECT_EQ(keys.Current()->kid, row.kid);
  EXPECT_TRUE(keys.Current()->key.SamePublicKey(*key));
  EXPECT_EQ(store_->ListSigningKeys()->size(), 1U);
}

TEST_F(SigningKeyManagerTest, DamagedActiveKeyStopsStartUp) {
  store::SigningKey row;
  row.kid = "broken";
  row.private_key = Secret("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n");
  row.state = store::KeyState::kActive;
  row.created_at = clock_.Now();
  row.not_before = clock_.Now();
  ASSERT_TRUE(store_->CreateSigningKey(row));

  SigningKeyManager keys(*store_, clock_, Options());
  EXPECT_FALSE(keys.EnsureActiveKey());
  EXPECT_FALSE(keys.Current());
}

}  // namespace
}  // namespace mcpauth::oauth
