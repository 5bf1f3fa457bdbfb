// PKCE (RFC 7636), state, the authorization URL, and the checks on the callback (state, RFC 9207
// iss, error, code) — CL6, CL13-CL15, CL25.
#include "mcpauth/oauth/client/authorization.hpp"

#include <gtest/gtest.h>

#include "fakes/sequence_random.hpp"
#include "mcpauth/http/form.hpp"
#include "mcpauth/oauth/client/errc.hpp"

namespace mcpauth::oauth::client {
namespace {

TEST(PkceTest, S256MatchesRfc7636AppendixB) {
  EXPECT_EQ(S256Challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST(PkceTest, VerifierIs43UnreservedCharactersAndFreshEachTime) {
  OpenSslRandom& random = OpenSslRandom::Instance();
  const Pkce a = GeneratePkce(random);
  const Pkce b = GeneratePkce(random);
  EXPECT_EQ(a.verifier.Reveal().size(), 43u);
  EXPECT_EQ(a.verifier.Reveal().find_first_not_of(
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"),
            std::string::npos);
  EXPECT_EQ(a.challenge, S256Challenge(a.verifier.Reveal()));
  EXPECT_FALSE(a.verifier == b.verifier);
  EXPECT_EQ(GenerateState(random).Reveal().size(), 43u);
}

TEST(AuthorizationUrlTest, CarriesEveryParameterAndKeepsTheEndpointQuery) {
  const std::string url =
      BuildAuthorizationUrl({.authorization_endpoint = "https://as.example/authorize?tenant=a b",
                             .client_id = "client 1",
                             .redirect_uri = "http://127.0.0.1:5555/callback",
                             .code_challenge = "ch",
                             .state = "st",
                             .scopes = {"mcp:read", "offline_access"},
                             .resource = "https://mcp.example/mcp"});
  ASSERT_TRUE(url.starts_with("https://as.example/authorize?tenant=a b&"));
  auto form = http::ParseForm(url.substr(url.find('&') + 1));
  ASSERT_TRUE(form.has_value());
  EXPECT_EQ(form->Get("response_type"), "code");
  EXPECT_EQ(form->Get("client_id"), "client 1");
  EXPECT_EQ(form->Get("redirect_uri"), "http://127.0.0.1:5555/callback");
  EXPECT_EQ(form->Get("code_challenge"), "ch");
  EXPECT_EQ(form->Get("code_challenge_method"), "S256");
  EXPECT_EQ(form->Get("state"), "st");
  EXPECT_EQ(form->Get("scope"), "mcp:read offline_access");
  EXPECT_EQ(form->Get("resource"), "https://mcp.example/mcp");
}

TEST(AuthorizationUrlTest, OmitsScopeAndResourceWhenThereAreNone) {
  // conformance scope-omitted-when-undefined; the 2025-03-26 fallback sends no resource.
  const std::string url = BuildAuthorizationUrl({.authorization_endpoint = "https://as/authorize",
                                                 .client_id = "c",
                                                 .redirect_uri = "http://127.0.0.1:1/callback",
                                                 .code_challenge = "x",
                                                 .state = "s"});
  auto form = http::ParseForm(url.substr(url.find('?') + 1));
  ASSERT_TRUE(form.has_value());
  EXPECT_FALSE(form->Has("scope"));
  EXPECT_FALSE(form->Has("resource"));
  EXPECT_TRUE(form->Has("redirect_uri"));  // always sent (CL15)
}

struct CallbackCase {
  const char* name;
  const char* query;
  bool iss_required;
  Errc expected;  // kOk: a code
};

TEST(CallbackTest, ValidatesStateIssErrorAndCodeInThatOrder) {
  const CallbackCase cases[] = {
      {"ok with iss", "code=abc&state=S&iss=https%3A%2F%2Fas.example", true, Errc::kOk},
      {"ok without iss, not advertised", "code=abc&state=S", false, Errc::kOk},
      {"no state", "code=abc", false, Errc::kStateMismatch},
      {"other state", "code=abc&state=T", false, Errc::kStateMismatch},
      {"state prefix", "code=abc&state=SS", false, Errc::kStateMismatch},
      {"two states", "code=abc&state=S&state=S", false, Errc::kInvalidCallback},
      {"two codes", "code=a&code=b&state=S", false, Errc::kInvalidCallback},
      {"iss mismatch", "code=abc&state=S&iss=https%3A%2F%2Fevil.example", false,
       Errc::kIssuerMismatch},
      {"iss trailing slash", "code=abc&state=S&iss=https%3A%2F%2Fas.example%2F", false,
       Errc::kIssuerMismatch},
      {"iss missing but advertised", "code=abc&state=S", true, Errc::kIssuerMismatch},
      {"error", "error=access_denied&error_description=no&state=S", false,
       Errc::kAuthorizationDenied},
      // A forged error with the wrong state is a state failure, not the AS's answer.
      {"error with other state", "error=access_denied&state=X", false, Errc::kStateMismatch},
      {"error from another issuer", "error=access_denied&state=S&iss=https%3A%2F%2Fevil", false,
       Errc::kIssuerMismatch},
      {"empty code", "code=&state=S", false, Errc::kInvalidCallback},
      {"no code", "state=S", false, Errc::kInvalidCallback},
      {"bad encoding", "code=%zz&state=S", false, Errc::kInvalidCallback},
  };
  for (const auto& c : cases) {
    std::string detail;
    auto code = ValidateAuthorizationResponse(
        c.query, {.state = "S", .issuer = "https://as.example", .iss_required = c.iss_required},
        detail);
    if (c.expected == Errc::kOk) {
      ASSERT_TRUE(code.has_value()) << c.name << ": " << detail;
      EXPECT_EQ(code->Reveal(), "abc") << c.name;
    } else {
      ASSERT_FALSE(code.has_value()) << c.name;
      EXPECT_EQ(code.error(), c.expected) << c.name << ": " << detail;
      EXPECT_FALSE(detail.empty()) << c.name;
    }
  }
}

TEST(CallbackTest, ErrorDetailIsPrintableAndNamesTheError) {
  std::string detail;
  auto code = ValidateAuthorizationResponse(
      "error=access_denied&error_description=The%20user%0D%0Adenied%1B%5B31m&state=S",
      {.state = "S", .issuer = "i"}, detail);
  ASSERT_FALSE(code.has_value());
  // ParseForm refuses control characters outright: the error is still reported, not looped on.
  EXPECT_TRUE(code.error() == Errc::kInvalidCallback || code.error() == Errc::kAuthorizationDenied);
  for (char c : detail) {
    EXPECT_GE(static_cast<unsigned char>(c), 0x20);
  }
  auto denied = ValidateAuthorizationResponse(
      "error=access_denied&error_description=The+user+said+no&state=S",
      {.state = "S", .issuer = "i"}, detail);
  EXPECT_EQ(denied.error(), Errc::kAuthorizationDenied);
  EXPECT_NE(detail.find("access_denied: The user said no"), std::string::npos);
}

}  // namespace
}  // namespace mcpauth::oauth::client
