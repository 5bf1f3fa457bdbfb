#include "mcpauth/oauth/server_config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace mcpauth::oauth {
namespace {

using ::testing::ElementsAre;

AuthorizationServerConfig TwoResources() {
  AuthorizationServerConfig config;
  config.issuer = "https://auth.example.com";
  config.resources = {
      {.uri = "https://mcp.example.com/mcp", .name = "tools", .scopes = {"mcp:tools", "mcp:read"}},
      {.uri = "https://other.example.com:8443/api/mcp",
       .name = "other",
       .scopes = {"mcp:read", "billing"}},
  };
  return config;
}

TEST(ServerConfigTest, AllScopesInFirstSeenOrderPlusOfflineAccess) {
  EXPECT_THAT(AllScopes(TwoResources()),
              ElementsAre("mcp:tools", "mcp:read", "billing", "offline_access"));
}

TEST(ServerConfigTest, AllScopesDoesNotRepeatOfflineAccess) {
  AuthorizationServerConfig config = TwoResources();
  config.resources[0].scopes = {"offline_access", "mcp:tools"};
  EXPECT_THAT(AllScopes(config), ElementsAre("offline_access", "mcp:tools", "mcp:read", "billing"));
}

TEST(ServerConfigTest, AllScopesWithoutResourceScopes) {
  AuthorizationServerConfig config;
  config.resources = {{.uri = "https://mcp.example.com/mcp", .name = "x", .scopes = {}}};
  EXPECT_THAT(AllScopes(config), ElementsAre("offline_access"));
}

TEST(ServerConfigTest, FindResourceExact) {
  const auto config = TwoResources();
  EXPECT_EQ(FindResource(config, "https://mcp.example.com/mcp"), &config.resources[0]);
  EXPECT_EQ(FindResource(config, "https://other.example.com:8443/api/mcp"), &config.resources[1]);
}

TEST(ServerConfigTest, FindResourceToleratesCanonicalUriVariants) {
  const auto config = TwoResources();
  const ProtectedResource* mcp = &config.resources[0];
  for (std::string_view variant : {
           "HTTPS://mcp.example.com/mcp", "https://MCP.Example.COM/mcp",
           "https://mcp.example.com:443/mcp", "https://mcp.example.com/mcp/",
           "HTTPS://Mcp.Example.com:443/mcp/",  // the header's example
           "https://mcp.example.com:/mcp",      // empty port = default port
       }) {
    EXPECT_EQ(FindResource(config, variant), mcp) << variant;
  }
  EXPECT_EQ(FindResource(config, "https://OTHER.example.com:8443/api/mcp/"), &config.resources[1]);
}

TEST(ServerConfigTest, FindResourceRefusesOtherResources) {
  const auto config = TwoResources();
  for (std::string_view other : {
           "",
           "https://mcp.example.com/mcp#frag",
           "https://mcp.example.com/mcp#",
           "https://mcp.example.com/mcp/#",
           "https://mcp.example.com/MCP",  // the path is case-sensitive
           "https://mcp.example.com/mcp//",
           "https://mcp.example.com/mcp/x",
           "https://mcp.example.com/",
           "https://mcp.example.com",
           "https://mcp.example.com/mcp?x=1",
           "https://mcp.example.com/%6Dcp",  // no percent-decoding
           "https://mcp.example.com/x/../mcp",
           "https://mcp.example.com:8443/mcp",
           "http://mcp.example.com/mcp",  // another scheme is another resource
           "http://mcp.example.com:443/mcp",
           "https://mcp.example.com:80/mcp",
           "https://user@mcp.example.com/mcp",
           "https://mcp.example.com.evil.com/mcp",
           "https://other.example.com/api/mcp",  // non-default port must be given
           "mcp.example.com/mcp",
           "/mcp",
           "urn:example:mcp",
           "ftp://mcp.example.com/mcp",
           "https:///mcp",
           "https://mcp.example.com/mcp\n",
           "https://mcp.example.com/mcp ",
           "https://mcp.example.com:443mcp",  // not port 443 + path "mcp" (boostorg/url#680)
           "https://mcp.example.com:443/mcp?",
       }) {
    EXPECT_EQ(FindResource(config, other), nullptr) << testing::PrintToString(std::string(other));
  }
}

TEST(ServerConfigTest, FindResourceWithTrailingSlashConfigured) {
  AuthorizationServerConfig config;
  config.resources = {{.uri = "https://mcp.example.com/", .name = "root", .scopes = {}}};
  EXPECT_EQ(FindResource(config, "https://mcp.example.com/"), &config.resources[0]);
  EXPECT_EQ(FindResource(config, "https://mcp.example.com"), &config.resources[0]);
  EXPECT_EQ(FindResource(config, "HTTPS://MCP.EXAMPLE.COM:443"), &config.resources[0]);
  EXPECT_EQ(FindResource(config, "https://mcp.example.com/x"), nullptr);
}

TEST(ServerConfigTest, FindResourceHttpDefaultPortAndLoopback) {
  AuthorizationServerConfig config;
  config.resources = {{.uri = "http://127.0.0.1:3000/mcp", .name = "dev", .scopes = {}},
                      {.uri = "http://localhost/mcp", .name = "dev80", .scopes = {}}};
  EXPECT_EQ(FindResource(config, "http://127.0.0.1:3000/mcp"), &config.resources[0]);
  EXPECT_EQ(FindResource(config, "http://127.0.0.1:3001/mcp"), nullptr);
  EXPECT_EQ(FindResource(config, "http://127.0.0.1/mcp"), nullptr);
  EXPECT_EQ(FindResource(config, "http://LocalHost:80/mcp/"), &config.resources[1]);
  EXPECT_EQ(FindResource(config, "https://localhost/mcp"), nullptr);
}

TEST(ServerConfigTest, FindResourceExactMatchWinsOverVariant) {
  AuthorizationServerConfig config;
  config.resources = {{.uri = "https://mcp.example.com/mcp/", .name = "slash", .scopes = {}},
                      {.uri = "https://mcp.example.com/mcp", .name = "plain", .scopes = {}}};
  EXPECT_EQ(FindResource(config, "https://mcp.example.com/mcp"), &config.resources[1]);
  EXPECT_EQ(FindResource(config, "https://mcp.example.com/mcp/"), &config.resources[0]);
}

TEST(ServerConfigTest, DefaultsAreSane) {
  const AuthorizationServerConfig config;
  EXPECT_TRUE(config.resources.empty());
  EXPECT_EQ(config.server_name, "mcpauth");
  EXPECT_GT(config.access_token_lifetime.count(), 0);
  EXPECT_GT(config.refresh_token_lifetime, config.access_token_lifetime);
  EXPECT_TRUE(config.cimd_enabled);
  EXPECT_FALSE(config.cimd_allow_private_addresses);
  EXPECT_EQ(FindResource(config, "https://mcp.example.com/mcp"), nullptr);
}

}  // namespace
}  // namespace mcpauth::oauth
