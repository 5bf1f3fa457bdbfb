// The authorization server over real HTTP: metadata, the authorization flow through the real
// login and consent forms, the token endpoint, registration, revocation, introspection, the
// Connected apps page. SQLite store, FakeClock. The attacks on them (redirect URI tricks, PKCE
// downgrade, code and refresh replay, CSRF, framing, guessing, rate limits) are in
// test/security/.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "integration/as_harness.hpp"
#include "mcpauth/jose/jwt.hpp"

namespace mcpauth::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-long-enough";
constexpr const char* kLoopback = "http://127.0.0.1:9/callback";

boost::json::object Json(const http::Response& r) {
  boost::system::error_code ec;
  auto v = boost::json::parse(r.body, ec);
  if (ec || !v.is_object()) {
    ADD_FAILURE() << "not a JSON object: " << r.body;
    return {};
  }
  return v.as_object();
}

std::string Str(const boost::json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_string() ? std::string(it->value().as_string()) : "";
}

class AuthorizationServerTest : public ::testing::Test {
 protected:
  void SetUp() override { as_.Start(); }

  // Registers, authorizes and exchanges: returns the token response.
  boost::json::object Connect(std::string* client_id_out = nullptr,
                              const std::string& scope = "mcp:tools") {
    const std::string client_id = as_.RegisterPublic();
    auto browser = as_.NewBrowser();
    auto authz = as_.Authorize(browser, as_.AuthParams(client_id, kLoopback, kVerifier, scope));
    EXPECT_FALSE(authz.code.empty()) << authz.location;
    auto r = as_.ExchangeCode(client_id, authz.code, kVerifier, kLoopback);
    EXPECT_EQ(r.status, 200) << r.body;
    if (client_id_out != nullptr) {
      *client_id_out = client_id;
    }
    return Json(r);
  }

  boost::json::object Introspect(const std::string& token) {
    // A resource server's credentials.
    if (rs_id_.empty()) {
      auto reg = as_.Register(
          R"({"client_name":"rs","redirect_uris":["https://rs.example.com/cb"],"token_endpoint_auth_method":"client_secret_basic"})");
      rs_id_ = Str(reg, "client_id");
      rs_secret_ = Str(reg, "client_secret");
      auto client = as_.store().GetClient(rs_id_);
      client->metadata_json = R"({"mcpauth_resource_server":true})";
      EXPECT_TRUE(as_.store().PutClient(*client).has_value());
    }
    auto r = as_.PostForm("/introspect",
                          {{"client_id", rs_id_}, {"client_secret", rs_secret_}, {"token", token}});
    EXPECT_EQ(r.status, 200) << r.body;
    return Json(r);
  }

  AsHarness as_;
  std::string rs_id_;
  std::string rs_secret_;
};

// ---- metadata ------------------------------------------------------------------------------

TEST_F(AuthorizationServerTest, MetadataIsRfc8414WithTheMcpMembers) {
  for (const char* path :
       {"/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"}) {
    auto r = as_.Send({.url = as_.Url(path)});
    ASSERT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.headers.Get("Content-Type").value_or(""), "application/json");
    auto m = Json(r);
    EXPECT_EQ(Str(m, "issuer"), as_.issuer);
    EXPECT_EQ(Str(m, "authorization_endpoint"), as_.Url("/authorize"));
    EXPECT_EQ(Str(m, "token_endpoint"), as_.Url("/token"));
    EXPECT_EQ(Str(m, "registration_endpoint"), as_.Url("/register"));
    EXPECT_EQ(Str(m, "revocation_endpoint"), as_.Url("/revoke"));
    EXPECT_EQ(Str(m, "introspection_endpoint"), as_.Url("/introspect"));
    EXPECT_EQ(Str(m, "jwks_uri"), as_.Url("/jwks.json"));
    EXPECT_EQ(boost::json::serialize(m["code_challenge_methods_supported"]), R"(["S256"])");
    EXPECT_EQ(boost::json::serialize(m["response_types_supported"]), R"(["code"])");
    EXPECT_TRUE(m["authorization_response_iss_parameter_supported"].as_bool());
    EXPECT_TRUE(m.contains("client_id_metadata_document_supported"));
  }
}

TEST_F(AuthorizationServerTest, JwksPublishesTheActiveKeyWithoutPrivateParts) {
  auto r = as_.Send({.url = as_.Url("/jwks.json")});
  ASSERT_EQ(r.status, 200);
  auto jwks = jose::Jwks::Parse(r.body);
  ASSERT_TRUE(jwks.has_value());
  ASSERT_EQ(jwks->size(), 1u);
  EXPECT_EQ(r.body.find("\"d\""), std::string::npos);
  EXPECT_EQ(jwks->entries()[0].kid, as_.keys().Current()->kid);
}

// ---- the whole flow --------------------------------------------------------------------------

TEST_F(AuthorizationServerTest, CodeFlowThroughTheRealFormsGivesAVerifiableRfc9068Token) {
  const std::string client_id = as_.RegisterPublic();
  auto browser = as_.NewBrowser();
  auto authz = as_.Authorize(browser, as_.AuthParams(client_id, kLoopback, kVerifier));
  EXPECT_TRUE(authz.saw_login);
  EXPECT_TRUE(authz.saw_consent);
  ASSERT_FALSE(authz.code.empty()) << authz.location;
  auto q = QueryOf(authz.location);
  EXPECT_EQ(q["state"], "xyz-state");
  EXPECT_EQ(q["iss"], as_.issuer);  // RFC 9207
  EXPECT_EQ(authz.location.rfind(kLoopback, 0), 0u);
  EXPECT_EQ(authz.code.size(), 43u);  // 256 bits, base64url

  auto r = as_.ExchangeCode(client_id, authz.code, kVerifier, kLoopback);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers.Get("Cache-Control").value_or(""), "no-store");
  auto t = Json(r);
  EXPECT_EQ(Str(t, "token_type"), "Bearer");
  EXPECT_EQ(t["expires_in"].to_number<int64_t>(), 3600);
  EXPECT_EQ(Str(t, "scope"), "mcp:tools");
  EXPECT_FALSE(Str(t, "refresh_token").empty());

  jose::JwtVerifier verifier(as_.clock, as_.keys().Resolver());
  verifier.RequireIssuer(as_.issuer).RequireAudience(as_.resource).RequireType("at+jwt");
  auto jwt = verifier.Verify(Str(t, "access_token"));
  ASSERT_TRUE(jwt.has_value()) << jwt.error().message();
  EXPECT_EQ(jwt->Subject(), "u_alice");
  EXPECT_EQ(jwt->ClientId(), client_id);
  EXPECT_EQ(jwt->Scope(), "mcp:tools");
  EXPECT_EQ(jwt->ExpiresAt() - *jwt->IssuedAt(), 3600);
  EXPECT_TRUE(jwt->StringClaim("grant_id").has_value());
  EXPECT_FALSE(jwt->JwtId().empty());
}

TEST_F(AuthorizationServerTest, FiftyConcurrentRefreshesOfOneTokenKeepTheGrant) {
  std::string client_id;
  auto t = Connect(&client_id);
  const std::string token = Str(t, "refresh_token");
  std::atomic<int> ok{0};
  std::atomic<int> bad{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 50; ++i) {
    threads.emplace_back([&] {
      http::Client client;
      http::Headers headers;
      headers.Set("Content-Type", "application/x-www-form-urlencoded");
      auto r = client.Send({.method = "POST",
                            .url = as_.Url("/token"),
                            .headers = headers,
                            .body = http::EncodeForm({{"grant_type", "refresh_token"},
                                                      {"client_id", client_id},
                                                      {"refresh_token", token}})});
      (r && r->status == 200 ? ok : bad)++;
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  // docs/store.md's grace rule: every presentation of the same token within the grace window,
  // before any successor moved on, succeeds — no grant is destroyed by a client's own parallelism.
  EXPECT_EQ(ok.load(), 50);
  EXPECT_EQ(bad.load(), 0);
  EXPECT_TRUE(Introspect(Str(t, "access_token"))["active"].as_bool());
}

TEST_F(AuthorizationServerTest, CodeExpiresAfterSixtySeconds) {
  const std::string client_id = as_.RegisterPublic();
  auto browser = as_.NewBrowser();
  auto authz = as_.Authorize(browser, as_.AuthParams(client_id, kLoopback, kVerifier));
  as_.clock.Advance(61s);
  auto r = as_.ExchangeCode(client_id, authz.code, kVerifier, kLoopback);
  EXPECT_EQ(Str(Json(r), "error"), "invalid_grant");
}

// ---- resource and scope -----------------------------------------------------------------------

TEST_F(AuthorizationServerTest, UnknownResourceAndScopeAreRedirectedErrors) {
  const std::string client_id = as_.RegisterPublic();
  auto browser = as_.NewBrowser();
  auto params = as_.AuthParams(client_id, kLoopback, kVerifier);
  for (auto& [k, v] : params) {
    if (k == "resource") {
      v = "https://other.example.com/mcp";
    }
  }
  auto r = browser.Go("GET", as_.Url("/authorize?" + http::EncodeForm(params)));
  ASSERT_EQ(r.status, 303);
  EXPECT_EQ(QueryOf(std::string(*r.headers.Get("Location")))["error"], "invalid_target");
  params = as_.AuthParams(client_id, kLoopback, kVerifier, "mcp:tools admin:everything");
  r = browser.Go("GET", as_.Url("/authorize?" + http::EncodeForm(params)));
  EXPECT_EQ(QueryOf(std::string(*r.headers.Get("Location")))["error"], "invalid_scope");
}

// ---- consent -------------------------------------------------------------------------------

TEST_F(AuthorizationServerTest, DenyRedirectsAccessDeniedWithStateAndIss) {
  const std::string client_id = as_.RegisterPublic();
  auto browser = as_.NewBrowser();
  auto authz = as_.Authorize(browser, as_.AuthParams(client_id, kLoopback, kVerifier), "deny");
  auto q = QueryOf(authz.location);
  EXPECT_EQ(q["error"], "access_denied");
  EXPECT_EQ(q["state"], "xyz-state");
  EXPECT_EQ(q["iss"], as_.issuer);
  EXPECT_TRUE(authz.code.empty());
}

TEST_F(AuthorizationServerTest, RememberedConsentSkipsThePageUntilAWiderScope) {
  const std::string client_id = as_.RegisterPublic();
  auto browser = as_.NewBrowser();
  auto first = as_.Authorize(browser, as_.AuthParams(client_id, kLoopback, kVerifier, "mcp:tools"));
  EXPECT_TRUE(first.saw_consent);
  auto second =
      as_.Authorize(browser, as_.AuthParams(client_id, kLoopback, kVerifier, "mcp:tools"));
  EXPECT_FALSE(second.saw_login);
  EXPECT_FALSE(second.saw_consent);
  EXPECT_FALSE(second.code.empty());
  auto wider =
      as_.Authorize(browser, as_.AuthParams(client_id, kLoopback, kVerifier, "mcp:tools mcp:read"));
  EXPECT_TRUE(wider.saw_consent);
  EXPECT_FALSE(wider.code.empty());
}

// ---- client authentication ----------------------------------------------------------------

TEST_F(AuthorizationServerTest, ConfidentialClientBasicAuthAndItsFailures) {
  auto reg = as_.Register(
      R"({"client_name":"Conf","redirect_uris":["http://127.0.0.1:9/callback"],"grant_types":["authorization_code","refresh_token"]})");
  EXPECT_EQ(Str(reg, "token_endpoint_auth_method"), "client_secret_basic");
  const std::string id = Str(reg, "client_id");
  const std::string secret = Str(reg, "client_secret");
  ASSERT_FALSE(secret.empty());
  EXPECT_TRUE(reg.contains("client_secret_expires_at"));
  auto browser = as_.NewBrowser();
  auto authz = as_.Authorize(browser, as_.AuthParams(id, kLoopback, kVerifier));
  http::Headers basic;
  basic.Set(
      "Authorization", "Basic " + [&] {
        std::string raw = id + ":wrong";
        std::string b64 = core::Base64UrlEncode(raw);
        for (char& c : b64) {
          c = c == '-' ? '+' : c == '_' ? '/' : c;
        }
        while (b64.size() % 4 != 0) {
          b64 += '=';
        }
        return b64;
      }());
  auto r = as_.PostForm(
      "/token",
      {{"grant_type", "authorization_code"}, {"code", authz.code}, {"code_verifier", kVerifier}},
      basic);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Str(Json(r), "error"), "invalid_client");
  EXPECT_NE(r.headers.Get("WWW-Authenticate").value_or("").find("Basic"), std::string::npos);
  // client_secret_post with the right secret works.
  r = as_.PostForm("/token", {{"grant_type", "authorization_code"},
                              {"client_id", id},
                              {"client_secret", secret},
                              {"code", authz.code},
                              {"code_verifier", kVerifier}});
  EXPECT_EQ(r.status, 200) << r.body;
  // No secret at all: refused.
  r = as_.RefreshToken(id, Str(Json(r), "refresh_token"));
  EXPECT_EQ(r.status, 401);
}

TEST(AuthorizationServerSecretTest, ExpiredClientSecretIsInvalidClient) {
  AsHarness as({.configure = [](oauth::AuthorizationServerConfig& c) {
    c.client_secret_lifetime = std::chrono::hours(24);
  }});
  as.Start();
  auto reg =
      as.Register(R"({"client_name":"Conf","redirect_uris":["http://127.0.0.1:9/callback"]})");
  EXPECT_GT(reg["client_secret_expires_at"].to_number<int64_t>(), 0);
  as.clock.Advance(std::chrono::hours(25));
  auto r = as.PostForm("/token", {{"grant_type", "refresh_token"},
                                  {"client_id", Str(reg, "client_id")},
                                  {"client_secret", Str(reg, "client_secret")},
                                  {"refresh_token", "x"}});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Str(Json(r), "error"), "invalid_client");
}

TEST_F(AuthorizationServerTest, TokenEndpointRefusesMalformedRequests) {
  auto r = as_.PostForm("/token", {{"grant_type", "password"}, {"client_id", "x"}});
  EXPECT_EQ(r.status, 401) << "the client is authenticated first";
  const std::string client_id = as_.RegisterPublic();
  r = as_.PostForm("/token", {{"grant_type", "password"}, {"client_id", client_id}});
  EXPECT_EQ(Str(Json(r), "error"), "unsupported_grant_type");
  http::Headers h;
  h.Set("Content-Type", "application/x-www-form-urlencoded");
  r = as_.Send(
      {.method = "POST",
       .url = as_.Url("/token"),
       .headers = h,
       .body = "grant_type=refresh_token&grant_type=refresh_token&client_id=" + client_id});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Str(Json(r), "error"), "invalid_request");
  r = as_.Send({.method = "POST", .url = as_.Url("/token"), .headers = h, .body = "%zz"});
  EXPECT_EQ(Str(Json(r), "error"), "invalid_request");
  h.Set("Content-Type", "application/json");
  r = as_.Send({.method = "POST", .url = as_.Url("/token"), .headers = h, .body = "{}"});
  EXPECT_EQ(Str(Json(r), "error"), "invalid_request");
  EXPECT_EQ(r.headers.Get("Cache-Control").value_or(""), "no-store");
}

// ---- registration ---------------------------------------------------------------------------

TEST_F(AuthorizationServerTest, RegistrationValidatesAndAnswers201) {
  auto r = as_.PostJson("/register",
                        R"({"client_name":"A","redirect_uris":["http://evil.example.com/cb"]})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Str(Json(r), "error"), "invalid_redirect_uri");
  r = as_.PostJson(
      "/register",
      R"({"redirect_uris":["https://a.example.com/cb"],"token_endpoint_auth_method":"private_key_jwt"})");
  EXPECT_EQ(Str(Json(r), "error"), "invalid_client_metadata");
  r = as_.PostJson("/register", "not json");
  EXPECT_EQ(r.status, 400);
  r = as_.PostJson(
      "/register",
      R"({"client_name":"Public","redirect_uris":["http://127.0.0.1/cb"],"token_endpoint_auth_method":"none","application_type":"native"})");
  ASSERT_EQ(r.status, 201) << r.body;
  auto body = Json(r);
  EXPECT_FALSE(body.contains("client_secret"));
  EXPECT_EQ(Str(body, "client_id").rfind("https://", 0), std::string::npos);
  EXPECT_EQ(Str(body, "application_type"), "native");
  EXPECT_EQ(r.headers.Get("Cache-Control").value_or(""), "no-store");
  // Stored with the secret hashed only.
  auto reg = as_.Register(R"({"client_name":"C","redirect_uris":["https://c.example.com/cb"]})");
  auto stored = as_.store().GetClient(Str(reg, "client_id"));
  ASSERT_TRUE(stored.has_value());
  EXPECT_NE(stored->secret_hash.value_or(""), Str(reg, "client_secret"));
}

// ---- revocation, introspection, Connected apps ---------------------------------------------

TEST_F(AuthorizationServerTest, RevocationIs200ForUnknownTokensAndRevokesTheGrant) {
  std::string client_id;
  auto t = Connect(&client_id);
  auto r = as_.PostForm("/revoke", {{"client_id", client_id}, {"token", "unknown-token"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(Introspect(Str(t, "access_token"))["active"].as_bool());
  r = as_.PostForm("/revoke", {{"client_id", client_id},
                               {"token", Str(t, "refresh_token")},
                               {"token_type_hint", "refresh_token"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(Introspect(Str(t, "access_token"))["active"].as_bool());
  EXPECT_EQ(Str(Json(as_.RefreshToken(client_id, Str(t, "refresh_token"))), "error"),
            "invalid_grant");
}

TEST_F(AuthorizationServerTest, IntrospectionNeedsConfidentialCredentials) {
  std::string client_id;
  auto t = Connect(&client_id);
  auto r =
      as_.PostForm("/introspect", {{"client_id", client_id}, {"token", Str(t, "access_token")}});
  EXPECT_EQ(r.status, 401);
  auto info = Introspect(Str(t, "access_token"));
  EXPECT_TRUE(info["active"].as_bool());
  EXPECT_EQ(Str(info, "client_id"), client_id);
  EXPECT_EQ(Str(info, "scope"), "mcp:tools");
  EXPECT_EQ(Str(info, "sub"), "u_alice");
  EXPECT_FALSE(Introspect("garbage")["active"].as_bool());
  as_.clock.Advance(3601s);
  EXPECT_FALSE(Introspect(Str(t, "access_token"))["active"].as_bool());
}

TEST_F(AuthorizationServerTest, ConnectedAppsListsTheClientAndDisconnectRevokesAtOnce) {
  std::string client_id;
  const std::string client = as_.RegisterPublic();
  auto browser = as_.NewBrowser();
  auto authz = as_.Authorize(browser, as_.AuthParams(client, kLoopback, kVerifier));
  auto t = Json(as_.ExchangeCode(client, authz.code, kVerifier, kLoopback));
  auto apps = browser.Go("GET", as_.Url("/apps"));
  ASSERT_EQ(apps.status, 200);
  EXPECT_NE(apps.body.find("Test App"), std::string::npos);
  EXPECT_NE(apps.body.find(client), std::string::npos);
  auto r = browser.Submit(apps, "/apps/disconnect", {{"client_id", client}});
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("Disconnected"), std::string::npos);
  EXPECT_FALSE(Introspect(Str(t, "access_token"))["active"].as_bool());
  EXPECT_EQ(Str(Json(as_.RefreshToken(client, Str(t, "refresh_token"))), "error"), "invalid_grant");
  // The consent is forgotten: the next authorization asks again.
  auto again = as_.Authorize(browser, as_.AuthParams(client, kLoopback, kVerifier));
  EXPECT_TRUE(again.saw_consent);
  // Without a session the page sends the browser to sign in.
  auto stranger = as_.NewBrowser();
  r = stranger.Go("GET", as_.Url("/apps"));
  EXPECT_EQ(r.status, 303);
}

TEST_F(AuthorizationServerTest, AuditLogRecordsTheGrantsLifecycle) {
  std::string client_id;
  auto t = Connect(&client_id);
  as_.RefreshToken(client_id, Str(t, "refresh_token"));
  as_.PostForm("/revoke", {{"client_id", client_id}, {"token", Str(t, "access_token")}});
  auto events = as_.store().ListAudit({.client_id = client_id, .limit = 100});
  ASSERT_TRUE(events.has_value());
  std::vector<std::string> types;
  for (auto& e : *events) {
    types.push_back(e.type);
    EXPECT_EQ(e.detail_json.find(Str(t, "refresh_token")), std::string::npos);
  }
  for (const char* expected :
       {"grant.created", "token.issued", "token.refreshed", "grant.revoked"}) {
    EXPECT_NE(std::find(types.begin(), types.end(), expected), types.end()) << expected;
  }
}

}  // namespace
}  // namespace mcpauth::testing

namespace mcpauth::testing {
namespace {

// RFC 8414 §3.1: for an issuer with a path, the well-known segment goes between host and path;
// OpenID Connect Discovery appends it. Every endpoint lives under the issuer's path.
TEST(AuthorizationServerPathTest, IssuerWithAPathServesMetadataAtEverySpelling) {
  std::string issuer;
  AsHarness as({.configure = [&issuer](oauth::AuthorizationServerConfig& c) {
    c.issuer += "/tenant";
    issuer = c.issuer;
  }});
  as.Start();
  const std::string origin = issuer.substr(0, issuer.size() - std::string("/tenant").size());
  for (const std::string path :
       {"/.well-known/oauth-authorization-server/tenant",
        "/.well-known/openid-configuration/tenant", "/tenant/.well-known/openid-configuration"}) {
    auto r = as.Send({.url = origin + path});
    ASSERT_EQ(r.status, 200) << path;
    auto m = boost::json::parse(r.body).as_object();
    EXPECT_EQ(m["issuer"].as_string(), issuer) << path;
    EXPECT_EQ(m["token_endpoint"].as_string(), issuer + "/token");
  }
  EXPECT_EQ(as.Send({.url = origin + "/.well-known/oauth-authorization-server"}).status, 404);
  auto r = as.Send({.url = issuer + "/jwks.json"});
  EXPECT_EQ(r.status, 200);
}

}  // namespace
}  // namespace mcpauth::testing
