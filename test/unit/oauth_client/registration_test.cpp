// Registration choice (CL7), the DCR body (CL8, 2026-07-28 application_type) and answer, and the
// token-endpoint authentication of a pre-registered client (CL9, CL11).
#include "mcpauth/oauth/client/registration.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "mcpauth/oauth/client/errc.hpp"
#include "mcpauth/oauth/client/loopback_receiver.hpp"

namespace mcpauth::oauth::client {
namespace {

namespace json = boost::json;
const Clock::TimePoint kNow{std::chrono::seconds(1'700'000'000)};

AuthorizationServerMetadata As(bool registration = true, bool cimd = false) {
  AuthorizationServerMetadata m;
  m.issuer = "https://as.example";
  m.registration_endpoint = registration ? "https://as.example/register" : "";
  m.client_id_metadata_document_supported = cimd;
  return m;
}

ClientRegistration Stored(std::string issuer = "https://as.example") {
  ClientRegistration r;
  r.issuer = std::move(issuer);
  r.client_id = "stored";
  r.kind = RegistrationKind::kDynamic;
  return r;
}

TEST(RegistrationChoiceTest, PreRegisteredThenMetadataDocumentThenStoredThenDynamic) {
  const PreRegisteredClient pre{.client_id = "pre"};
  const std::string cimd = "https://app.example/client.json";
  EXPECT_EQ(ChooseRegistration(pre, cimd, As(true, true), Stored(), kNow),
            RegistrationChoice::kPreRegistered);
  EXPECT_EQ(ChooseRegistration(std::nullopt, cimd, As(true, true), Stored(), kNow),
            RegistrationChoice::kMetadataDocument);
  // CIMD only when the AS says it takes them.
  EXPECT_EQ(ChooseRegistration(std::nullopt, cimd, As(true, false), Stored(), kNow),
            RegistrationChoice::kStored);
  EXPECT_EQ(ChooseRegistration(std::nullopt, "", As(), std::nullopt, kNow),
            RegistrationChoice::kDynamic);
  EXPECT_EQ(ChooseRegistration(std::nullopt, "", As(false), std::nullopt, kNow),
            RegistrationChoice::kNone);
}

TEST(RegistrationChoiceTest, StoredRegistrationOnlyForItsIssuerAndWhileItsSecretLives) {
  // MCP 2026-07-28: credentials keyed by issuer, never reused with another AS.
  EXPECT_EQ(ChooseRegistration(std::nullopt, "", As(), Stored("https://other.example"), kNow),
            RegistrationChoice::kDynamic);
  ClientRegistration expired = Stored();
  expired.secret_expires_at = kNow - std::chrono::seconds(1);
  EXPECT_EQ(ChooseRegistration(std::nullopt, "", As(), expired, kNow),
            RegistrationChoice::kDynamic);
  expired.secret_expires_at = kNow + std::chrono::hours(1);
  EXPECT_EQ(ChooseRegistration(std::nullopt, "", As(), expired, kNow), RegistrationChoice::kStored);
}

TEST(RegistrationRequestTest, NativePublicLoopbackClient) {
  const auto body = json::parse(BuildRegistrationRequest({.client_name = "mcpauth",
                                                          .redirect_uri = RegisteredRedirectUri()}))
                        .as_object();
  EXPECT_EQ(body.at("client_name"), "mcpauth");
  EXPECT_EQ(body.at("redirect_uris"), json::array{"http://127.0.0.1/callback"});
  EXPECT_EQ(body.at("grant_types"), (json::array{"authorization_code", "refresh_token"}));
  EXPECT_EQ(body.at("response_types"), json::array{"code"});
  EXPECT_EQ(body.at("token_endpoint_auth_method"), "none");
  EXPECT_EQ(body.at("application_type"), "native");
  EXPECT_FALSE(body.contains("client_uri"));
}

TEST(RegistrationResponseTest, UsesWhatTheServerRegistered) {
  std::string detail;
  auto r = ParseRegistrationResponse(
      201,
      R"({"client_id":"c1","client_secret":"s1","token_endpoint_auth_method":"client_secret_post","client_secret_expires_at":1700003600})",
      "https://as.example", "http://127.0.0.1/callback", detail);
  ASSERT_TRUE(r.has_value()) << detail;
  EXPECT_EQ(r->client_id, "c1");
  EXPECT_EQ(r->client_secret.Reveal(), "s1");
  EXPECT_EQ(r->token_endpoint_auth_method, "client_secret_post");
  EXPECT_EQ(r->issuer, "https://as.example");
  EXPECT_EQ(r->kind, RegistrationKind::kDynamic);
  EXPECT_EQ(r->secret_expires_at, kNow + std::chrono::hours(1));
  // A secret without a method means client_secret_basic (RFC 7591 §2 default).
  auto basic =
      ParseRegistrationResponse(200, R"({"client_id":"c","client_secret":"s"})", "i", "r", detail);
  EXPECT_EQ(basic->token_endpoint_auth_method, "client_secret_basic");
  auto none = ParseRegistrationResponse(201, R"({"client_id":"c","client_secret_expires_at":0})",
                                        "i", "r", detail);
  EXPECT_EQ(none->token_endpoint_auth_method, "none");
  EXPECT_FALSE(none->secret_expires_at.has_value());
}

TEST(RegistrationResponseTest, ErrorsSayWhy) {
  std::string detail;
  auto r = ParseRegistrationResponse(
      400, R"({"error":"invalid_redirect_uri","error_description":"loopback only"})", "i", "r",
      detail);
  EXPECT_EQ(r.error(), Errc::kRegistrationFailed);
  EXPECT_NE(detail.find("invalid_redirect_uri: loopback only"), std::string::npos);
  EXPECT_EQ(ParseRegistrationResponse(201, R"({"client_secret":"x"})", "i", "r", detail).error(),
            Errc::kRegistrationFailed);
}

TEST(PreRegistrationTest, AuthenticationMethodFromSecretAndMetadata) {
  AuthorizationServerMetadata as = As();
  EXPECT_EQ(PreRegistration({.client_id = "c"}, as).token_endpoint_auth_method, "none");
  EXPECT_EQ(PreRegistration({.client_id = "c", .client_secret = Secret("s")}, as)
                .token_endpoint_auth_method,
            "client_secret_basic");
  as.token_endpoint_auth_methods_present = true;
  as.token_endpoint_auth_methods_supported = {"client_secret_post", "none"};  // the TS SDK's AS
  EXPECT_EQ(PreRegistration({.client_id = "c", .client_secret = Secret("s")}, as)
                .token_endpoint_auth_method,
            "client_secret_post");
  EXPECT_EQ(PreRegistration({.client_id = "c",
                             .client_secret = Secret("s"),
                             .token_endpoint_auth_method = "client_secret_basic"},
                            as)
                .token_endpoint_auth_method,
            "client_secret_basic");
  auto cimd = MetadataDocumentRegistration("https://app.example/c.json", as);
  EXPECT_EQ(cimd.client_id, "https://app.example/c.json");
  EXPECT_EQ(cimd.token_endpoint_auth_method, "none");
  EXPECT_EQ(cimd.kind, RegistrationKind::kMetadataDocument);
}

}  // namespace
}  // namespace mcpauth::oauth::client
