// Token requests, client authentication (CL9), token responses (CL18) and the classification of
// failures into "drop" and "keep" (CL21, PEERS pain point 23).
#include "mcpauth/oauth/client/token_endpoint.hpp"

#include <gtest/gtest.h>

#include "mcpauth/http/form.hpp"
#include "mcpauth/oauth/client/errc.hpp"
#include "unit/oauth_client/fake_http.hpp"

namespace mcpauth::oauth::client {
namespace {

ClientRegistration Client(std::string method, std::string id = "client-1",
                          std::string secret = "") {
  ClientRegistration c;
  c.client_id = std::move(id);
  c.client_secret = Secret(std::move(secret));
  c.token_endpoint_auth_method = std::move(method);
  return c;
}

http::Form Body(const http::ClientRequest& r) { return http::ParseForm(r.body).value(); }

TEST(TokenRequestTest, CodeExchangeCarriesVerifierRedirectUriAndResource) {
  auto r =
      BuildClientRequest("https://as/token", Client("none"),
                         CodeExchangeParams(Secret("the-code"), "http://127.0.0.1:4000/callback",
                                            Secret("verifier"), "https://mcp.example/mcp"));
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.headers.Get("Content-Type"), "application/x-www-form-urlencoded");
  auto f = Body(r);
  EXPECT_EQ(f.Get("grant_type"), "authorization_code");
  EXPECT_EQ(f.Get("code"), "the-code");
  EXPECT_EQ(f.Get("redirect_uri"), "http://127.0.0.1:4000/callback");
  EXPECT_EQ(f.Get("code_verifier"), "verifier");
  EXPECT_EQ(f.Get("resource"), "https://mcp.example/mcp");
  EXPECT_EQ(f.Get("client_id"), "client-1");
  EXPECT_FALSE(r.headers.Has("Authorization"));
}

TEST(TokenRequestTest, RefreshWithoutResourceWhenNoneWasSent) {
  auto f =
      Body(BuildClientRequest("https://as/token", Client("none"), RefreshParams(Secret("rt"), "")));
  EXPECT_EQ(f.Get("grant_type"), "refresh_token");
  EXPECT_EQ(f.Get("refresh_token"), "rt");
  EXPECT_FALSE(f.Has("resource"));
}

TEST(TokenRequestTest, ClientSecretPostPutsBothInTheBody) {
  auto r = BuildClientRequest("https://as/token", Client("client_secret_post", "id", "s3cret"),
                              RefreshParams(Secret("rt"), ""));
  auto f = Body(r);
  EXPECT_EQ(f.Get("client_id"), "id");
  EXPECT_EQ(f.Get("client_secret"), "s3cret");
  EXPECT_FALSE(r.headers.Has("Authorization"));
}

TEST(TokenRequestTest, ClientSecretBasicFormEncodesBeforeBase64) {
  // RFC 6749 §2.3.1; the vector of test/integration/resource_introspection_test.cpp:
  // base64("rs-client:s3cr%3At%2B+%25x").
  auto r = BuildClientRequest("https://as/token",
                              Client("client_secret_basic", "rs-client", "s3cr:t+ %x"),
                              RefreshParams(Secret("rt"), ""));
  EXPECT_EQ(r.headers.Get("Authorization"), "Basic cnMtY2xpZW50OnMzY3IlM0F0JTJCKyUyNXg=");
  auto f = Body(r);
  EXPECT_FALSE(f.Has("client_id"));
  EXPECT_FALSE(f.Has("client_secret"));
}

TEST(TokenResponseTest, AcceptsBearerInAnyCaseAndReadsTheOptionalMembers) {
  std::string detail;
  auto t = ParseTokenResponse(
      200,
      R"({"access_token":"at","token_type":"bearer","expires_in":3600,"refresh_token":"rt","scope":"a b","extra":{}})",
      detail);
  ASSERT_TRUE(t.has_value()) << detail;
  EXPECT_EQ(t->access_token.Reveal(), "at");
  EXPECT_EQ(t->expires_in, 3600);
  EXPECT_EQ(t->refresh_token.Reveal(), "rt");
  EXPECT_EQ(t->scopes, (std::vector<std::string>{"a", "b"}));
  auto minimal = ParseTokenResponse(200, R"({"access_token":"at","token_type":"Bearer"})", detail);
  ASSERT_TRUE(minimal.has_value());
  EXPECT_FALSE(minimal->scopes.has_value());
  EXPECT_FALSE(minimal->expires_in.has_value());
  EXPECT_TRUE(minimal->refresh_token.empty());
}

TEST(TokenResponseTest, RefusesWhatCannotBeUsed) {
  std::string detail;
  for (const char* body :
       {R"({"token_type":"Bearer"})", R"({"access_token":"","token_type":"Bearer"})",
        R"({"access_token":"at","token_type":"DPoP"})", R"({"access_token":"at"})", "[]",
        "<html>"}) {
    auto t = ParseTokenResponse(200, body, detail);
    ASSERT_FALSE(t.has_value()) << body;
    EXPECT_EQ(t.error(), Errc::kBadTokenResponse) << body;
  }
}

TEST(TokenErrorTest, OnlyInvalidGrantAndInvalidClientAreFatal) {
  struct Case {
    int status;
    const char* body;
    Errc expected;
  };
  const Case cases[] = {
      {400, R"({"error":"invalid_grant"})", Errc::kInvalidGrant},
      {401, R"({"error":"invalid_client"})", Errc::kInvalidClient},
      {400, R"({"error":"unauthorized_client"})", Errc::kInvalidClient},
      {401, "", Errc::kInvalidClient},
      {400, R"({"error":"temporarily_unavailable"})", Errc::kTemporarilyUnavailable},
      {500, R"({"error":"server_error"})", Errc::kTemporarilyUnavailable},
      {503, R"({"error":"invalid_grant"})", Errc::kTemporarilyUnavailable},
      {429, "", Errc::kTemporarilyUnavailable},
      {502, "<html>Bad gateway</html>", Errc::kTemporarilyUnavailable},
      {400, "<html>proxy</html>", Errc::kTemporarilyUnavailable},
      {400, R"({"error":"invalid_scope"})", Errc::kTokenEndpointError},
      {400, R"({"error":"invalid_target"})", Errc::kTokenEndpointError},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(ClassifyTokenError(c.status, c.body), c.expected) << c.status << " " << c.body;
  }
}

TEST(TokenErrorTest, NetworkFailuresAreTransientAndDetailHasNoSecrets) {
  testing::FakeHttp http;
  http.Fail("https://as/token", http::ClientErrc::kTimeout, "POST");
  std::string detail;
  auto t = RequestToken(http.Send(),
                        BuildClientRequest("https://as/token", Client("none"),
                                           RefreshParams(Secret("very-secret-rt"), "")),
                        detail);
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(t.error(), Errc::kTemporarilyUnavailable);
  EXPECT_TRUE(IsTransient(t.error()));
  EXPECT_EQ(detail.find("very-secret-rt"), std::string::npos);
}

TEST(RevocationTest, SendsTokenHintAndClientAuthentication) {
  testing::FakeHttp http;
  http.Json("https://as/revoke", 200, "", "POST");
  std::string detail;
  ASSERT_TRUE(RevokeToken(http.Send(), "https://as/revoke",
                          Client("client_secret_basic", "id", "sec"), Secret("rt"), "refresh_token",
                          std::chrono::seconds(5), detail));
  auto r = http.requests().at(0);
  auto f = Body(r);
  EXPECT_EQ(f.Get("token"), "rt");
  EXPECT_EQ(f.Get("token_type_hint"), "refresh_token");
  EXPECT_TRUE(r.headers.Get("Authorization").value_or("").starts_with("Basic "));
  http.Json("https://as/revoke2", 503, "", "POST");
  EXPECT_EQ(RevokeToken(http.Send(), "https://as/revoke2", Client("none"), Secret("rt"),
                        "refresh_token", std::chrono::seconds(5), detail)
                .error(),
            Errc::kTemporarilyUnavailable);
  http.Json("https://as/revoke3", 400, R"({"error":"unsupported_token_type"})", "POST");
  EXPECT_EQ(RevokeToken(http.Send(), "https://as/revoke3", Client("none"), Secret("rt"),
                        "refresh_token", std::chrono::seconds(5), detail)
                .error(),
            Errc::kRevocationFailed);
}

}  // namespace
}  // namespace mcpauth::oauth::client
