// TokenStorage records (JSON forms) and MemoryTokenStorage (locks, failure injection).
#include "mcpauth/oauth/client/token_storage.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "mcpauth/oauth/client/errc.hpp"

namespace mcpauth::oauth::client {
namespace {

Credential Sample() {
  Credential c;
  c.server_url = "https://mcp.example/mcp";
  c.issuer = "https://as.example";
  c.resource = "https://mcp.example/mcp";
  c.token_endpoint = "https://as.example/token";
  c.revocation_endpoint = "https://as.example/revoke";
  c.client.issuer = c.issuer;
  c.client.client_id = "client-1";
  c.client.client_secret = Secret("s");
  c.client.token_endpoint_auth_method = "client_secret_post";
  c.client.kind = RegistrationKind::kPreRegistered;
  c.access_token = Secret("at");
  c.refresh_token = Secret("rt");
  c.expires_at = Clock::TimePoint(std::chrono::seconds(1'700'003'600));
  c.scopes = {"mcp:read", "offline_access"};
  c.obtained_at = Clock::TimePoint(std::chrono::seconds(1'700'000'000));
  return c;
}

TEST(TokenStorageTest, CredentialRoundTripsThroughJson) {
  const Credential c = Sample();
  auto back = ParseCredential(SerializeCredential(c).Reveal());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->server_url, c.server_url);
  EXPECT_EQ(back->issuer, c.issuer);
  EXPECT_EQ(back->resource, c.resource);
  EXPECT_EQ(back->token_endpoint, c.token_endpoint);
  EXPECT_EQ(back->revocation_endpoint, c.revocation_endpoint);
  EXPECT_EQ(back->client.client_id, "client-1");
  EXPECT_EQ(back->client.client_secret.Reveal(), "s");
  EXPECT_EQ(back->client.kind, RegistrationKind::kPreRegistered);
  EXPECT_EQ(back->access_token.Reveal(), "at");
  EXPECT_EQ(back->refresh_token.Reveal(), "rt");
  EXPECT_EQ(back->expires_at, c.expires_at);
  EXPECT_EQ(back->scopes, c.scopes);
  EXPECT_EQ(back->obtained_at, c.obtained_at);
}

TEST(TokenStorageTest, RefusesOtherSchemasAndIncompleteRecords) {
  EXPECT_FALSE(ParseCredential(R"({"server_url":"x"})").has_value());
  EXPECT_FALSE(ParseCredential("not json").has_value());
  std::string text(SerializeCredential(Sample()).Reveal());
  text.replace(text.find("mcpauth.oauth.client/1"), 22, "mcpauth.oauth.client/9");
  EXPECT_FALSE(ParseCredential(text).has_value());
  ClientRegistration r;
  r.issuer = "i";
  r.client_id = "c";
  auto back = ParseRegistration(SerializeRegistration(r).Reveal());
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->kind, RegistrationKind::kDynamic);
  EXPECT_FALSE(back->secret_expires_at.has_value());
}

TEST(MemoryTokenStorageTest, StoresPerServerAndPerIssuer) {
  MemoryTokenStorage storage;
  EXPECT_FALSE(storage.LoadCredential("https://mcp.example/mcp").value().has_value());
  ASSERT_TRUE(storage.SaveCredential(Sample()));
  EXPECT_TRUE(storage.LoadCredential("https://mcp.example/mcp").value().has_value());
  EXPECT_FALSE(storage.LoadCredential("https://other.example/mcp").value().has_value());
  ASSERT_TRUE(storage.DeleteCredential("https://mcp.example/mcp"));
  EXPECT_FALSE(storage.LoadCredential("https://mcp.example/mcp").value().has_value());
  ClientRegistration r;
  r.issuer = "https://as.example";
  r.client_id = "c";
  ASSERT_TRUE(storage.SaveRegistration(r));
  EXPECT_EQ(storage.LoadRegistration("https://as.example").value()->client_id, "c");
  EXPECT_FALSE(storage.LoadRegistration("https://as2.example").value().has_value());
  EXPECT_EQ(storage.registration_saves(), 1);
  EXPECT_EQ(storage.credential_saves(), 1);
}

TEST(MemoryTokenStorageTest, FailingStorageReportsStorageFailed) {
  MemoryTokenStorage storage;
  storage.SetFailing(true);
  EXPECT_EQ(storage.LoadCredential("x").error(), Errc::kStorageFailed);
  EXPECT_EQ(storage.SaveCredential(Sample()).error(), Errc::kStorageFailed);
  EXPECT_EQ(storage.LockFor("x").error(), Errc::kStorageFailed);
}

TEST(MemoryTokenStorageTest, LockIsExclusivePerKey) {
  MemoryTokenStorage storage;
  int counter = 0;  // deliberately unsynchronised but for the storage lock
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        auto lock = storage.LockFor("k");
        ASSERT_TRUE(lock.has_value());
        const int seen = counter;
        std::this_thread::yield();
        counter = seen + 1;
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(counter, 8 * 500);
  // Another key is independent: taking it while "k" is held does not block.
  auto k = storage.LockFor("k");
  auto other = storage.LockFor("other");
  EXPECT_TRUE(k.has_value());
  EXPECT_TRUE(other.has_value());
}

}  // namespace
}  // namespace mcpauth::oauth::client
