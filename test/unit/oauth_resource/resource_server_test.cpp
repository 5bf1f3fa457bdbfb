#include "mcpauth/oauth/resource/resource_server.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "mcpauth/http/www_authenticate.hpp"
#include "mcpauth/oauth/resource/bearer_validator.hpp"
#include "unit/oauth_resource/resource_test_util.hpp"

namespace mcpauth::oauth::resource {
namespace {

using test::Claims;
using test::kNow;
using test::With;

constexpr std::string_view kPrm = "http://127.0.0.1:8080/.well-known/oauth-protected-resource/mcp";

// A validator with a fixed answer, for outcomes a real token cannot produce on demand.
class FixedValidator final : public TokenValidator {
 public:
  explicit FixedValidator(Result<ValidatedToken> answer) : answer_(std::move(answer)) {}
  Result<ValidatedToken> Validate(std::string_view) override { return answer_; }

 private:
  Result<ValidatedToken> answer_;
};

ResourceServerOptions Options() {
  ResourceServerOptions o;
  o.resource = std::string(test::kResource);
  o.authorization_servers = {std::string(test::kIssuer)};
  o.scopes_supported = {"mcp:read", "mcp:tools", "mcp:admin", "offline_access"};
  o.resource_name = "mcpauth tools";
  o.default_scopes = {"mcp:read"};
  o.tool_scopes = {{"add", {"mcp:tools"}}, {"reset", {"mcp:tools", "mcp:admin"}}};
  o.method_scopes = {{"resources/subscribe", {"mcp:watch"}}};
  return o;
}

class ResourceServerTest : public ::testing::Test {
 protected:
  ResourceServerTest() : clock_(kNow), key_(test::NewKey()) {
    auto keys = std::make_shared<test::CountingKeySource>("k1", key_.PublicOnly().value());
    validator_ = std::make_shared<BearerValidator>(
        clock_, keys,
        BearerValidatorOptions{.issuer = std::string(test::kIssuer),
                               .audience = std::string(test::kResource)},
        &revoked_);
    server_ = std::make_unique<ResourceServer>(Options(), validator_);
  }

  static http::Request Post(std::optional<std::string> authorization, std::string query = "") {
    http::Request r;
    r.method = "POST";
    r.path = "/mcp";
    r.query = std::move(query);
    r.target = r.query.empty() ? r.path : r.path + "?" + r.query;
    if (authorization) {
      r.headers.Add("Authorization", *authorization);
    }
    return r;
  }
  std::string Bearer(const boost::json::object& claims = Claims()) const {
    return "Bearer " + test::Sign(key_, claims);
  }

  mcp::AuthDecision Authorize(const http::Request& r, std::string_view method = "tools/list",
                              std::string_view name = "") const {
    return server_->Authorize(mcp::AuthQuery{r, method, name});
  }
  static std::string Challenge(const mcp::AuthDecision& d) {
    return std::string(d.denial.headers.Get("WWW-Authenticate").value_or("<none>"));
  }
  static boost::json::object Body(const mcp::AuthDecision& d) {
    return boost::json::parse(d.denial.body).as_object();
  }

  testing::FakeClock clock_;
  jose::EcKey key_;
  RevokedGrants revoked_;
  std::shared_ptr<BearerValidator> validator_;
  std::unique_ptr<ResourceServer> server_;
};

TEST_F(ResourceServerTest, AValidTokenIsAllowedAsItsSubjectAndClient) {
  const mcp::AuthDecision d = Authorize(Post(Bearer()), "tools/call", "add");
  ASSERT_TRUE(d.allowed) << d.denial.body;
  EXPECT_EQ(d.principal.subject, "user-1");
  EXPECT_EQ(d.principal.client_id, "client-1");
  EXPECT_EQ(d.principal.scopes, (std::vector<std::string>{"mcp:read", "mcp:tools"}));
  EXPECT_TRUE(d.principal.authenticated());
}

TEST_F(ResourceServerTest, NoTokenIs401WithMetadataAndScopeButNoError) {
  // SPEC-CHECKLIST 2.E / RS4; OAuth 2.1 §5.3.2: no error code without credentials.
  const mcp::AuthDecision d = Authorize(Post(std::nullopt), "initialize");
  ASSERT_FALSE(d.allowed);
  EXPECT_EQ(d.denial.status, 401);
  EXPECT_EQ(Challenge(d),
            "Bearer resource_metadata=\"" + std::string(kPrm) + "\", scope=\"mcp:read\"");
  EXPECT_EQ(d.denial.headers.Get("Cache-Control"), "no-store");
  EXPECT_FALSE(Body(d).contains("error"));
}

TEST_F(ResourceServerTest, NoTokenNamesTheScopesOfTheToolCalled) {
  const mcp::AuthDecision d = Authorize(Post(std::nullopt), "tools/call", "reset");
  EXPECT_EQ(d.denial.status, 401);
  EXPECT_EQ(Challenge(d), "Bearer resource_metadata=\"" + std::string(kPrm) +
                              "\", scope=\"mcp:read mcp:tools mcp:admin\"");
}

TEST_F(ResourceServerTest, NoScopeParameterWhenNothingIsNeeded) {
  ResourceServerOptions o = Options();
  o.default_scopes.clear();
  ResourceServer open(o, validator_);
  const http::Request r = Post(std::nullopt);
  const mcp::AuthDecision d = open.Authorize(mcp::AuthQuery{r, "tools/list", ""});
  EXPECT_EQ(d.denial.status, 401);
  EXPECT_EQ(Challenge(d), "Bearer resource_metadata=\"" + std::string(kPrm) + "\"");
  // But the token is still required.
  EXPECT_FALSE(d.allowed);
}

TEST_F(ResourceServerTest, AnotherSchemeOrAnEmptyBearerCountsAsNoToken) {
  for (const char* h : {"Basic dXNlcjpwYXNz", "Bearer", "Bearer   ", "bearer", "Digest x=1", ""}) {
    const mcp::AuthDecision d = Authorize(Post(std::string(h)));
    EXPECT_EQ(d.denial.status, 401) << h;
    EXPECT_EQ(Challenge(d).find("error="), std::string::npos) << h;
  }
}

TEST_F(ResourceServerTest, GarbageIs401InvalidToken) {
  const mcp::AuthDecision d = Authorize(Post("Bearer garbage"));
  ASSERT_FALSE(d.allowed);
  EXPECT_EQ(d.denial.status, 401);
  EXPECT_EQ(Challenge(d),
            "Bearer error=\"invalid_token\", error_description=\"The access token is malformed\", "
            "resource_metadata=\"" +
                std::string(kPrm) + "\", scope=\"mcp:read\"");
  EXPECT_EQ(Body(d)["error"], "invalid_token");
}

TEST_F(ResourceServerTest, EveryInvalidTokenIs401WithItsReason) {
  const struct {
    boost::json::object claims;
    std::string_view description;
  } cases[] = {
      {With(Claims(), "exp", kNow - 3600), "The access token expired"},
      {With(Claims(), "nbf", kNow + 3600), "The access token is not valid yet"},
      {With(Claims(), "iss", "https://evil.example"),
       "The access token was issued by another authorization server"},
      {With(Claims(), "aud", "http://127.0.0.1:9999/mcp"),
       "The access token was issued for another resource"},
  };
  for (const auto& c : cases) {
    const mcp::AuthDecision d = Authorize(Post(Bearer(c.claims)));
    EXPECT_EQ(d.denial.status, 401) << c.description;
    EXPECT_EQ(Challenge(d), "Bearer error=\"invalid_token\", error_description=\"" +
                                std::string(c.description) + "\", resource_metadata=\"" +
                                std::string(kPrm) + "\", scope=\"mcp:read\"");
  }
  // Wrong typ and unknown kid.
  EXPECT_EQ(Authorize(Post("Bearer " + test::Sign(key_, Claims(), "k1", "JWT"))).denial.status,
            401);
  EXPECT_EQ(Authorize(Post("Bearer " + test::Sign(key_, Claims(), "k9"))).denial.status, 401);
}

TEST_F(ResourceServerTest, InsufficientScopeIs403NamingEveryScopeTheCallNeeds) {
  // The token has mcp:read and mcp:tools; reset needs mcp:read, mcp:tools and mcp:admin. The
  // challenge names all three (RS6), not just the missing one.
  const mcp::AuthDecision d = Authorize(Post(Bearer()), "tools/call", "reset");
  ASSERT_FALSE(d.allowed);
  EXPECT_EQ(d.denial.status, 403);
  EXPECT_EQ(Challenge(d),
            "Bearer error=\"insufficient_scope\", scope=\"mcp:read mcp:tools mcp:admin\", "
            "resource_metadata=\"" +
                std::string(kPrm) +
                "\", error_description=\"The access token lacks a scope this request needs\"");
  EXPECT_EQ(Body(d)["error"], "insufficient_scope");
}

TEST_F(ResourceServerTest, DefaultScopesApplyToEveryRequest) {
  const std::string token = Bearer(With(Claims(), "scope", "mcp:tools"));
  for (std::string_view method : {"initialize", "tools/list", "", "server/discover"}) {
    const mcp::AuthDecision d = Authorize(Post(token), method);
    EXPECT_EQ(d.denial.status, 403) << method;
    EXPECT_NE(Challenge(d).find("scope=\"mcp:read\""), std::string::npos) << method;
  }
}

TEST_F(ResourceServerTest, MethodScopesApply) {
  EXPECT_EQ(Authorize(Post(Bearer()), "resources/subscribe").denial.status, 403);
  EXPECT_TRUE(
      Authorize(Post(Bearer(With(Claims(), "scope", "mcp:read mcp:watch"))), "resources/subscribe")
          .allowed);
}

TEST_F(ResourceServerTest, ToolScopesApplyOnlyToToolsCall) {
  const std::string read_only = Bearer(With(Claims(), "scope", "mcp:read"));
  EXPECT_EQ(Authorize(Post(read_only), "tools/call", "add").denial.status, 403);
  EXPECT_TRUE(Authorize(Post(read_only), "tools/call", "whoami").allowed);
  EXPECT_TRUE(Authorize(Post(read_only), "prompts/get", "add").allowed);
}

TEST_F(ResourceServerTest, ABatchNeedsTheScopesOfEveryCallInIt) {
  http::Request r = Post(Bearer(With(Claims(), "scope", "mcp:read")));
  r.body = R"([{"jsonrpc":"2.0","id":1,"method":"tools/list"},)"
           R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"add"}}])";
  const mcp::AuthDecision d = Authorize(r, "", "");
  EXPECT_EQ(d.denial.status, 403);
  EXPECT_NE(Challenge(d).find("scope=\"mcp:read mcp:tools\""), std::string::npos);
  r.headers.Set("Authorization", Bearer());
  EXPECT_TRUE(Authorize(r, "", "").allowed);
}

TEST_F(ResourceServerTest, ScopeImplicationsAreHonouredTransitively) {
  ResourceServerOptions o = Options();
  o.scope_implications = {{"mcp:admin", {"mcp:tools"}}, {"mcp:tools", {"mcp:read"}}};
  ResourceServer server(o, validator_);
  const http::Request r = Post(Bearer(With(Claims(), "scope", "mcp:admin")));
  const mcp::AuthDecision d = server.Authorize(mcp::AuthQuery{r, "tools/call", "reset"});
  EXPECT_TRUE(d.allowed) << d.denial.body;
  // Not the other way round.
  const http::Request lesser = Post(Bearer(With(Claims(), "scope", "mcp:tools")));
  EXPECT_EQ(server.Authorize(mcp::AuthQuery{lesser, "tools/call", "reset"}).denial.status, 403);
}

TEST_F(ResourceServerTest, ATokenInTheQueryIs400) {
  const std::string token = test::Sign(key_, Claims());
  const std::string queries[] = {"access_token=" + token, "a=1&access_token=" + token,
                                 "access%5Ftoken=x", "access_token"};
  for (const std::string& query : queries) {
    const mcp::AuthDecision d = Authorize(Post(std::nullopt, query));
    ASSERT_FALSE(d.allowed) << query;
    EXPECT_EQ(d.denial.status, 400) << query;
    EXPECT_EQ(Challenge(d),
              "Bearer error=\"invalid_request\", error_description=\"Access tokens are accepted "
              "in the Authorization header only\", resource_metadata=\"" +
                  std::string(kPrm) + "\"");
    EXPECT_EQ(Body(d)["error"], "invalid_request");
  }
  // Other parameters are none of our business.
  EXPECT_TRUE(Authorize(Post(Bearer(), "token=1&x_access_token=2")).allowed);
}

TEST_F(ResourceServerTest, TwoCredentialsAre400) {
  const mcp::AuthDecision both = Authorize(Post(Bearer(), "access_token=abc"));
  EXPECT_EQ(both.denial.status, 400);
  EXPECT_NE(Challenge(both).find("More than one credential"), std::string::npos);

  http::Request two = Post(Bearer());
  two.headers.Add("Authorization", Bearer());
  const mcp::AuthDecision d = Authorize(two);
  EXPECT_EQ(d.denial.status, 400);
  EXPECT_EQ(Challenge(d),
            "Bearer error=\"invalid_request\", error_description=\"More than one Authorization "
            "header\", resource_metadata=\"" +
                std::string(kPrm) + "\"");
}

TEST_F(ResourceServerTest, MalformedBearerCredentialsAre400) {
  for (const char* h : {"Bearer a b", "Bearer a,b", "Bearer \"x\"", "Bearer a=b"}) {
    const mcp::AuthDecision d = Authorize(Post(std::string(h)));
    EXPECT_EQ(d.denial.status, 400) << h;
    EXPECT_NE(Challenge(d).find("error=\"invalid_request\""), std::string::npos) << h;
  }
}

TEST_F(ResourceServerTest, ARevokedGrantIs401AtOnceWithAWarmCache) {
  const std::string token = Bearer();
  ASSERT_TRUE(Authorize(Post(token)).allowed);
  ASSERT_TRUE(Authorize(Post(token)).allowed);
  revoked_.Add("grant-1", clock_.Now());
  const mcp::AuthDecision d = Authorize(Post(token));
  EXPECT_EQ(d.denial.status, 401);
  EXPECT_NE(Challenge(d).find("error_description=\"The access token was revoked\""),
            std::string::npos);
  EXPECT_EQ(validator_->verifications(), 1u);
}

TEST_F(ResourceServerTest, AnUncheckableTokenIs503WithoutAChallenge) {
  ResourceServer server(Options(), std::make_shared<FixedValidator>(Result<ValidatedToken>(
                                       make_error_code(Errc::kUnavailable))));
  const http::Request r = Post("Bearer abc");
  const mcp::AuthDecision d = server.Authorize(mcp::AuthQuery{r, "tools/list", ""});
  EXPECT_EQ(d.denial.status, 503);
  EXPECT_FALSE(d.denial.headers.Has("WWW-Authenticate"));
  EXPECT_TRUE(d.denial.headers.Has("Retry-After"));
}

TEST_F(ResourceServerTest, EveryChallengeParsesBack) {
  http::Request two = Post(Bearer());
  two.headers.Add("Authorization", "Bearer x");
  const mcp::AuthDecision decisions[] = {Authorize(Post(std::nullopt)), Authorize(Post("Bearer x")),
                                         Authorize(Post(Bearer()), "tools/call", "reset"),
                                         Authorize(two)};
  for (const auto& d : decisions) {
    auto parsed = http::ParseWwwAuthenticate(Challenge(d));
    ASSERT_TRUE(parsed.has_value()) << Challenge(d);
    ASSERT_EQ(parsed->size(), 1u);
    EXPECT_EQ((*parsed)[0].scheme, "Bearer");
    EXPECT_EQ((*parsed)[0].Param("resource_metadata"), kPrm);
  }
}

TEST_F(ResourceServerTest, RequiredScopesAreDeduplicatedInOrder) {
  EXPECT_EQ(server_->RequiredScopes("tools/call", "reset"),
            (std::vector<std::string>{"mcp:read", "mcp:tools", "mcp:admin"}));
  EXPECT_EQ(server_->RequiredScopes("tools/list", "reset"), (std::vector<std::string>{"mcp:read"}));
}

TEST_F(ResourceServerTest, MakeAuthorizerCallsAuthorize) {
  const mcp::Authorizer authorizer = server_->MakeAuthorizer();
  const http::Request r = Post(Bearer());
  EXPECT_TRUE(authorizer(mcp::AuthQuery{r, "tools/list", ""}).allowed);
  const http::Request none = Post(std::nullopt);
  EXPECT_EQ(authorizer(mcp::AuthQuery{none, "tools/list", ""}).denial.status, 401);
}

TEST_F(ResourceServerTest, RefusesABadCanonicalUrlAtStartUp) {
  for (const char* bad : {"", "/mcp", "ftp://host/mcp", "http://host/mcp#frag", "mcp"}) {
    ResourceServerOptions o = Options();
    o.resource = bad;
    EXPECT_THROW(ResourceServer(o, validator_), std::invalid_argument) << bad;
  }
  EXPECT_THROW(ResourceServer(Options(), nullptr), std::invalid_argument);
}

TEST_F(ResourceServerTest, ExposesItsMetadata) {
  EXPECT_EQ(server_->metadata_url(), kPrm);
  EXPECT_EQ(server_->metadata().resource, test::kResource);
  EXPECT_EQ(server_->metadata().resource_name, "mcpauth tools");
}

}  // namespace
}  // namespace mcpauth::oauth::resource
