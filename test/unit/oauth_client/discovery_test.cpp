// Discovery: WWW-Authenticate (CL1), PRM order (CL2), the resource check (CL4), AS metadata
// probe order and issuer / PKCE checks (CL5, CL6), the 2025-03-26 fallbacks (CL3) — the
// conformance suite's metadata scenarios replayed against a scripted HTTP fake.
#include "mcpauth/oauth/client/discovery.hpp"

#include <gtest/gtest.h>

#include "mcpauth/oauth/client/errc.hpp"
#include "unit/oauth_client/fake_http.hpp"

namespace mcpauth::oauth::client {
namespace {

using Strings = std::vector<std::string>;
using testing::FakeHttp;

constexpr const char* kServer = "http://localhost:3000/mcp";

std::string AsMetadata(const std::string& issuer, const std::string& extra = "") {
  return R"({"issuer":")" + issuer + R"(","authorization_endpoint":")" + issuer +
         R"(/authorize","token_endpoint":")" + issuer + R"(/token","registration_endpoint":")" +
         issuer + R"(/register","code_challenge_methods_supported":["S256"])" + extra + "}";
}
std::string Prm(const std::string& resource, const std::string& as, const std::string& extra = "") {
  return R"({"resource":")" + resource + R"(","authorization_servers":[")" + as + R"("])" + extra +
         "}";
}

TEST(ChallengeTest, ParsesBothParameterOrdersAndTokenValues) {
  auto a = ParseResourceChallenge(
      R"(Bearer scope="mcp:basic", resource_metadata="http://x/.well-known/oauth-protected-resource/mcp")");
  EXPECT_TRUE(a.bearer);
  EXPECT_EQ(a.scopes, Strings{"mcp:basic"});
  EXPECT_EQ(a.resource_metadata, "http://x/.well-known/oauth-protected-resource/mcp");
  auto b = ParseResourceChallenge(
      R"(Bearer error="insufficient_scope", scope="mcp:basic mcp:write", resource_metadata="http://x/prm", error_description="needs write")");
  EXPECT_EQ(b.error, "insufficient_scope");
  EXPECT_EQ(b.scopes, (Strings{"mcp:basic", "mcp:write"}));
  EXPECT_EQ(b.error_description, "needs write");
  auto c = ParseResourceChallenge("Basic realm=\"x\", Bearer error=invalid_token");
  EXPECT_TRUE(c.bearer);
  EXPECT_EQ(c.error, "invalid_token");
}

TEST(ChallengeTest, GarbageOrOtherSchemesGiveAnEmptyChallenge) {
  for (const char* header : {"", "Basic realm=\"x\"", "Bearer \"unterminated", "=,=,="}) {
    auto c = ParseResourceChallenge(header);
    EXPECT_FALSE(c.bearer) << header;
    EXPECT_TRUE(c.resource_metadata.empty()) << header;
  }
}

TEST(DiscoveryUrlsTest, ProtectedResourceMetadataOrder) {
  EXPECT_EQ(ProtectedResourceMetadataUrls("https://h/mcp", "https://h/custom.json"),
            (Strings{"https://h/custom.json", "https://h/.well-known/oauth-protected-resource/mcp",
                     "https://h/.well-known/oauth-protected-resource"}));
  EXPECT_EQ(ProtectedResourceMetadataUrls("https://H:443/", ""),
            Strings{"https://h/.well-known/oauth-protected-resource"});
  EXPECT_EQ(ProtectedResourceMetadataUrls("https://h/a/mcp/?t=1", ""),
            (Strings{"https://h/.well-known/oauth-protected-resource/a/mcp?t=1",
                     "https://h/.well-known/oauth-protected-resource"}));
  // The header URL is not probed twice.
  EXPECT_EQ(ProtectedResourceMetadataUrls("https://h/mcp",
                                          "https://h/.well-known/oauth-protected-resource"),
            (Strings{"https://h/.well-known/oauth-protected-resource",
                     "https://h/.well-known/oauth-protected-resource/mcp"}));
  EXPECT_TRUE(ProtectedResourceMetadataUrls("ftp://h/mcp", "").empty());
}

TEST(DiscoveryUrlsTest, AuthorizationServerMetadataOrder) {
  EXPECT_EQ(AuthorizationServerMetadataUrls("https://as.example/t1"),
            (Strings{"https://as.example/.well-known/oauth-authorization-server/t1",
                     "https://as.example/.well-known/openid-configuration/t1",
                     "https://as.example/t1/.well-known/openid-configuration"}));
  // The TypeScript SDK's demo AS has issuer "http://localhost:3001/".
  EXPECT_EQ(AuthorizationServerMetadataUrls("http://localhost:3001/"),
            (Strings{"http://localhost:3001/.well-known/oauth-authorization-server",
                     "http://localhost:3001/.well-known/openid-configuration"}));
}

TEST(ResourceMatchTest, ExactAfterNormalisationOnly) {
  struct Case {
    const char* resource;
    const char* server;
    bool exact;
    bool prefix;
  };
  const Case cases[] = {
      {"https://mcp.example/mcp", "https://mcp.example/mcp", true, true},
      {"HTTPS://MCP.example:443/mcp", "https://mcp.example/mcp", true, true},
      {"https://mcp.example", "https://mcp.example/", true, true},
      {"https://mcp.example/", "https://mcp.example/mcp", false, true},
      {"https://mcp.example/m", "https://mcp.example/mcp", false, false},  // not at a '/'
      {"https://mcp.example/mcp", "https://mcp.example/mcp/sub", false, true},
      {"https://evil.example.com/mcp", "https://mcp.example/mcp", false, false},
      {"http://mcp.example/mcp", "https://mcp.example/mcp", false, false},
      {"https://mcp.example:8443/mcp", "https://mcp.example/mcp", false, false},
      {"https://mcp.example/mcp#x", "https://mcp.example/mcp", false, false},
      {"https://mcp.example/mcp/", "https://mcp.example/mcp", false, false},
      {"not a url", "https://mcp.example/mcp", false, false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(ResourceMatches(c.resource, c.server, ResourceMatch::kExact), c.exact)
        << c.resource << " vs " << c.server;
    EXPECT_EQ(ResourceMatches(c.resource, c.server, ResourceMatch::kSameOriginPrefix), c.prefix)
        << c.resource << " vs " << c.server;
  }
}

TEST(MetadataTest, ParsesRequiredMembersAndIgnoresWrongTypes) {
  auto m = ParseAuthorizationServerMetadata(AsMetadata(
      "https://as",
      R"(,"scopes_supported":"oops","authorization_response_iss_parameter_supported":true,"client_id_metadata_document_supported":true,"revocation_endpoint":"https://as/revoke")"));
  ASSERT_TRUE(m.has_value());
  EXPECT_TRUE(m->scopes_supported.empty());
  EXPECT_TRUE(m->iss_parameter_supported);
  EXPECT_TRUE(m->client_id_metadata_document_supported);
  EXPECT_EQ(m->revocation_endpoint, "https://as/revoke");
  EXPECT_TRUE(m->code_challenge_methods_present);
  for (const char* bad :
       {"[]", "{}", R"({"issuer":"x","authorization_endpoint":"y"})",
        R"({"issuer":1,"authorization_endpoint":"y","token_endpoint":"z"})", "not json"}) {
    EXPECT_FALSE(ParseAuthorizationServerMetadata(bad).has_value()) << bad;
  }
  EXPECT_FALSE(
      ParseProtectedResourceMetadata(R"({"resource":"x","authorization_servers":[]})").has_value());
  EXPECT_FALSE(ParseProtectedResourceMetadata(R"({"authorization_servers":["x"]})").has_value());
}

TEST(MetadataTest, IssuerMustMatchExactly) {
  DiscoveryPolicy policy;
  std::string detail;
  auto m = *ParseAuthorizationServerMetadata(AsMetadata("https://as.example"));
  EXPECT_TRUE(CheckAuthorizationServerMetadata(m, "https://as.example", false, policy, detail));
  // RFC 8414 §3.3: a trailing slash is another issuer.
  auto st = CheckAuthorizationServerMetadata(m, "https://as.example/", false, policy, detail);
  EXPECT_EQ(st.error(), Errc::kIssuerMismatch);
  EXPECT_NE(detail.find("RFC 8414"), std::string::npos);
  // 2025-03-26 fallback: the same origin is enough.
  auto legacy = *ParseAuthorizationServerMetadata(AsMetadata("https://as.example/oauth"));
  EXPECT_TRUE(CheckAuthorizationServerMetadata(legacy, "https://as.example", true, policy, detail));
  EXPECT_FALSE(
      CheckAuthorizationServerMetadata(legacy, "https://other.example", true, policy, detail));
}

TEST(MetadataTest, PkceS256IsRequired) {
  DiscoveryPolicy policy;
  std::string detail;
  auto without = *ParseAuthorizationServerMetadata(
      R"({"issuer":"https://as","authorization_endpoint":"https://as/a","token_endpoint":"https://as/t"})");
  EXPECT_EQ(CheckAuthorizationServerMetadata(without, "https://as", false, policy, detail).error(),
            Errc::kPkceNotSupported);
  policy.require_pkce_metadata = false;
  EXPECT_TRUE(CheckAuthorizationServerMetadata(without, "https://as", false, policy, detail));
  auto plain = *ParseAuthorizationServerMetadata(
      R"({"issuer":"https://as","authorization_endpoint":"https://as/a","token_endpoint":"https://as/t","code_challenge_methods_supported":["plain"]})");
  EXPECT_EQ(CheckAuthorizationServerMetadata(plain, "https://as", false, policy, detail).error(),
            Errc::kPkceNotSupported);
  // The 2025-03-26 defaults have no metadata to say anything: S256 is used all the same.
  EXPECT_TRUE(CheckAuthorizationServerMetadata(DefaultEndpoints("https://as"), "https://as", true,
                                               DiscoveryPolicy{}, detail));
}

TEST(MetadataTest, EndpointsMustBeHttpsOrLoopback) {
  DiscoveryPolicy policy;
  std::string detail;
  auto m = *ParseAuthorizationServerMetadata(
      R"({"issuer":"https://as","authorization_endpoint":"http://as/authorize","token_endpoint":"https://as/t","code_challenge_methods_supported":["S256"]})");
  EXPECT_EQ(CheckAuthorizationServerMetadata(m, "https://as", false, policy, detail).error(),
            Errc::kInsecureEndpoint);
  auto js = *ParseAuthorizationServerMetadata(
      R"j({"issuer":"https://as","authorization_endpoint":"javascript:alert(1)","token_endpoint":"https://as/t","code_challenge_methods_supported":["S256"]})j");
  EXPECT_EQ(CheckAuthorizationServerMetadata(js, "https://as", false, policy, detail).error(),
            Errc::kInsecureEndpoint);
  auto local = *ParseAuthorizationServerMetadata(AsMetadata("http://127.0.0.1:9"));
  EXPECT_TRUE(CheckAuthorizationServerMetadata(local, "http://127.0.0.1:9", false, policy, detail));
  policy.allow_insecure_http = true;
  EXPECT_TRUE(CheckAuthorizationServerMetadata(m, "https://as", false, policy, detail));
}

// ---- Discover() against the conformance suite's scenarios --------------------------------

class DiscoverTest : public ::testing::Test {
 protected:
  Result<Discovery> Run(const std::string& www_authenticate, DiscoveryPolicy policy = {}) {
    return Discover(http_.Send(), kServer, ParseResourceChallenge(www_authenticate), policy,
                    detail_);
  }
  FakeHttp http_;
  std::string detail_;
};

TEST_F(DiscoverTest, MetadataDefaultUsesTheHeaderUrlAndNeverTheRootTrap) {
  const std::string prm = "http://localhost:3000/.well-known/oauth-protected-resource/mcp";
  http_.Json(prm, 200, Prm(kServer, "http://localhost:3001"));
  http_.Json("http://localhost:3000/.well-known/oauth-protected-resource", 200,
             Prm("http://trap", "http://trap"));
  http_.Json("http://localhost:3001/.well-known/oauth-authorization-server", 200,
             AsMetadata("http://localhost:3001"));
  auto d = Run("Bearer resource_metadata=\"" + prm + "\"");
  ASSERT_TRUE(d.has_value()) << detail_;
  EXPECT_EQ(http_.urls(),
            (Strings{prm, "http://localhost:3001/.well-known/oauth-authorization-server"}));
  EXPECT_EQ(d->resource, kServer);
  EXPECT_EQ(d->as.issuer, "http://localhost:3001");
  EXPECT_FALSE(d->legacy);
  // Discovery requests carry MCP-Protocol-Version and ask for JSON.
  EXPECT_TRUE(http_.requests()[0].headers.Has("MCP-Protocol-Version"));
}

TEST_F(DiscoverTest, MetadataVar1PathPrmThenOpenIdConfiguration) {
  http_.Json("http://localhost:3000/.well-known/oauth-protected-resource/mcp", 200,
             Prm(kServer, "http://localhost:3001"));
  http_.Json("http://localhost:3001/.well-known/openid-configuration", 200,
             AsMetadata("http://localhost:3001"));
  auto d = Run("Bearer error=\"invalid_token\"");
  ASSERT_TRUE(d.has_value()) << detail_;
  EXPECT_EQ(http_.urls(), (Strings{"http://localhost:3000/.well-known/oauth-protected-resource/mcp",
                                   "http://localhost:3001/.well-known/oauth-authorization-server",
                                   "http://localhost:3001/.well-known/openid-configuration"}));
}

TEST_F(DiscoverTest, MetadataVar2RootPrmAndPathInsertedIssuerNeverTheRootAs) {
  http_.Json("http://localhost:3000/.well-known/oauth-protected-resource", 200,
             Prm(kServer, "http://localhost:3001/tenant1"));
  http_.Json("http://localhost:3001/.well-known/oauth-authorization-server", 200,
             AsMetadata("http://trap"));
  http_.Json("http://localhost:3001/.well-known/oauth-authorization-server/tenant1", 200,
             AsMetadata("http://localhost:3001/tenant1"));
  auto d = Run("");
  ASSERT_TRUE(d.has_value()) << detail_;
  EXPECT_EQ(http_.Count("http://localhost:3001/.well-known/oauth-authorization-server"), 0);
  EXPECT_EQ(d->as.issuer, "http://localhost:3001/tenant1");
}

TEST_F(DiscoverTest, RootPrmMayNameTheOriginItWasBuiltFrom) {
  // RFC 9728 §3.3: the root document's resource is the identifier its URL was built from, the
  // origin (what conformance metadata-var2 serves); it is then sent as the RFC 8707 resource.
  http_.Json("http://localhost:3000/.well-known/oauth-protected-resource", 200,
             Prm("http://localhost:3000", "http://localhost:3001"));
  http_.Json("http://localhost:3001/.well-known/oauth-authorization-server", 200,
             AsMetadata("http://localhost:3001"));
  auto d = Run("");
  ASSERT_TRUE(d.has_value()) << detail_;
  EXPECT_EQ(d->resource, "http://localhost:3000");
  // Not when the same document came from the header URL, nor from the path-inserted URL.
  http_.Json("http://localhost:3000/.well-known/oauth-protected-resource/mcp", 200,
             Prm("http://localhost:3000", "http://localhost:3001"));
  EXPECT_EQ(Run("").error(), Errc::kResourceMismatch);
  EXPECT_EQ(
      Run("Bearer resource_metadata=\"http://localhost:3000/.well-known/oauth-protected-resource\"")
          .error(),
      Errc::kResourceMismatch);
}

TEST_F(DiscoverTest, MetadataVar3CustomPrmAndThirdProbe) {
  http_.Json("http://localhost:3000/custom/metadata/location.json", 200,
             Prm(kServer, "http://localhost:3001/tenant1"));
  http_.Json("http://localhost:3001/tenant1/.well-known/openid-configuration", 200,
             AsMetadata("http://localhost:3001/tenant1"));
  auto d = Run("Bearer resource_metadata=\"http://localhost:3000/custom/metadata/location.json\"");
  ASSERT_TRUE(d.has_value()) << detail_;
  EXPECT_EQ(http_.urls().size(), 4u);
  EXPECT_EQ(http_.urls().back(), "http://localhost:3001/tenant1/.well-known/openid-configuration");
}

TEST_F(DiscoverTest, ResourceMismatchStopsBeforeTheAuthorizationServer) {
  // conformance auth/resource-mismatch (draft): no authorization request may follow.
  http_.Json("http://localhost:3000/.well-known/oauth-protected-resource/mcp", 200,
             Prm("https://evil.example.com/mcp", "http://localhost:3001"));
  auto d = Run("");
  ASSERT_FALSE(d.has_value());
  EXPECT_EQ(d.error(), Errc::kResourceMismatch);
  EXPECT_EQ(http_.urls().size(), 1u);
  EXPECT_NE(detail_.find("evil.example.com"), std::string::npos);
}

TEST_F(DiscoverTest, SameOriginPrefixIsAnOptIn) {
  http_.Json("http://localhost:3000/.well-known/oauth-protected-resource/mcp", 200,
             Prm("http://localhost:3000/", "http://localhost:3001"));
  http_.Json("http://localhost:3001/.well-known/oauth-authorization-server", 200,
             AsMetadata("http://localhost:3001"));
  EXPECT_EQ(Run("").error(), Errc::kResourceMismatch);
  auto d = Run("", DiscoveryPolicy{.resource_match = ResourceMatch::kSameOriginPrefix});
  ASSERT_TRUE(d.has_value()) << detail_;
  EXPECT_EQ(d->resource, "http://localhost:3000/");  // sent verbatim (CL13)
}

TEST_F(DiscoverTest, IssuerMismatchIsRefusedNotSkipped) {
  http_.Json("http://localhost:3000/.well-known/oauth-protected-resource/mcp", 200,
             Prm(kServer, "http://localhost:3001"));
  http_.Json("http://localhost:3001/.well-known/oauth-authorization-server", 200,
             AsMetadata("http://localhost:3002"));
  http_.Json("http://localhost:3001/.well-known/openid-configuration", 200,
             AsMetadata("http://localhost:3001"));
  EXPECT_EQ(Run("").error(), Errc::kIssuerMismatch);
  EXPECT_EQ(http_.Count("http://localhost:3001/.well-known/openid-configuration"), 0);
}

TEST_F(DiscoverTest, ServerErrorsAndNetworkFailuresStopInsteadOfDowngrading) {
  http_.Json("http://localhost:3000/.well-known/oauth-protected-resource/mcp", 503, "{}");
  EXPECT_EQ(Run("").error(), Errc::kDiscoveryFailed);
  EXPECT_EQ(http_.urls().size(), 1u);  // never on to the legacy rules

  FakeHttp down;
  down.Fail("http://localhost:3000/.well-known/oauth-protected-resource/mcp",
            http::ClientErrc::kConnectFailed);
  auto d = Discover(down.Send(), kServer, {}, {}, detail_);
  EXPECT_EQ(d.error(), Errc::kDiscoveryFailed);
  EXPECT_TRUE(IsTransient(d.error()));
}

TEST_F(DiscoverTest, RedirectsAreNotFollowed) {
  http_.On("GET", "http://localhost:3000/.well-known/oauth-protected-resource/mcp",
           [](const http::ClientRequest&) {
             http::Response r{.status = 302};
             r.headers.Set("Location", "http://evil/prm");
             return Result<http::Response>(r);
           });
  auto d = Run("");
  ASSERT_TRUE(d.has_value());  // on to the root, then the 2025-03-26 rules
  EXPECT_EQ(http_.Count("http://evil/prm"), 0);
  EXPECT_TRUE(d->legacy);
}

TEST_F(DiscoverTest, Backcompat20250326MetadataAtTheOrigin) {
  // conformance 2025-03-26-oauth-metadata-backcompat (0.1.16 mock: issuer .../oauth).
  http_.Json("http://localhost:3000/.well-known/oauth-authorization-server", 200,
             AsMetadata("http://localhost:3000/oauth"));
  auto d = Run("Bearer");
  ASSERT_TRUE(d.has_value()) << detail_;
  EXPECT_TRUE(d->legacy);
  EXPECT_TRUE(d->resource.empty());  // no RFC 8707 with the 2025-03-26 rules
  EXPECT_EQ(d->as.token_endpoint, "http://localhost:3000/oauth/token");
}

TEST_F(DiscoverTest, Backcompat20250326DefaultEndpoints) {
  auto d = Run("");
  ASSERT_TRUE(d.has_value()) << detail_;
  EXPECT_TRUE(d->as.from_defaults);
  EXPECT_EQ(d->as.authorization_endpoint, "http://localhost:3000/authorize");
  EXPECT_EQ(d->as.token_endpoint, "http://localhost:3000/token");
  EXPECT_EQ(d->as.registration_endpoint, "http://localhost:3000/register");
  EXPECT_EQ(http_.urls(), (Strings{"http://localhost:3000/.well-known/oauth-protected-resource/mcp",
                                   "http://localhost:3000/.well-known/oauth-protected-resource",
                                   "http://localhost:3000/.well-known/oauth-authorization-server",
                                   "http://localhost:3000/.well-known/openid-configuration"}));
}

TEST_F(DiscoverTest, TriesTheNextAuthorizationServerWhenOneHasNoMetadata) {
  http_.Json(
      "http://localhost:3000/.well-known/oauth-protected-resource/mcp", 200,
      R"({"resource":"http://localhost:3000/mcp","authorization_servers":["http://localhost:3001","http://localhost:3002"]})");
  http_.Json("http://localhost:3002/.well-known/oauth-authorization-server", 200,
             AsMetadata("http://localhost:3002"));
  auto d = Run("");
  ASSERT_TRUE(d.has_value()) << detail_;
  EXPECT_EQ(d->as.issuer, "http://localhost:3002");
}

TEST_F(DiscoverTest, PrmWithoutAnyAuthorizationServerMetadataFails) {
  http_.Json("http://localhost:3000/.well-known/oauth-protected-resource/mcp", 200,
             Prm(kServer, "http://localhost:3001"));
  EXPECT_EQ(Run("").error(), Errc::kNoAuthorizationServer);
}

}  // namespace
}  // namespace mcpauth::oauth::client
