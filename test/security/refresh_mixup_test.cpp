// RFC 9700 §4.14 (refresh token protection: rotation, replay detection, binding to the client)
// and §4.4 (mix-up: the `iss` authorization response parameter of RFC 9207).
#include "mcpauth/oauth/client/authorization.hpp"
#include "security/security_harness.hpp"

namespace mcpauth::testing {
namespace {

using namespace std::chrono_literals;
using RefreshAttack = AttackTest;
using MixUpAttack = AttackTest;

// §4.14.2: a rotated refresh token that comes back after the grace window means two parties
// hold the chain: the grant is revoked — the attacker's and the legitimate holder's tokens die,
// at the resource server too.
TEST_F(RefreshAttack, ReplayAfterRotationRevokesTheWholeGrant) {
  auto c = stack_.Connect();
  auto r = as().RefreshToken(c.client_id, c.refresh_token);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto rotated = Json(r);
  const std::string second = Str(rotated, "refresh_token");
  EXPECT_NE(second, c.refresh_token);
  ASSERT_EQ(stack_.CallMcp("/mcp", Str(rotated, "access_token")).status, 200);
  as().clock.Advance(as().config.refresh_grace + 1s);
  const size_t refreshed = as().store().ListAudit({.type = "token.refreshed"})->size();
  r = as().RefreshToken(c.client_id, c.refresh_token);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Str(Json(r), "error"), "invalid_grant");
  EXPECT_EQ(as().store().ListAudit({.type = "refresh.replay_detected"})->size(), 1u);
  r = as().RefreshToken(c.client_id, second);
  EXPECT_EQ(Str(Json(r), "error"), "invalid_grant") << "the whole grant is revoked";
  EXPECT_EQ(as().store().ListAudit({.type = "token.refreshed"})->size(), refreshed);
  EXPECT_EQ(stack_.CallMcp("/mcp", c.access_token).status, 401);
  EXPECT_EQ(stack_.CallMcp("/mcp", Str(rotated, "access_token")).status, 401);
}

// §4.14.2: a refresh token is bound to its client: another client presenting it gets
// invalid_grant, and the legitimate chain is untouched (no revocation an attacker can trigger).
TEST_F(RefreshAttack, AnotherClientsRefreshTokenIsRefusedAndChangesNothing) {
  auto victim = stack_.Connect();
  const std::string attacker = as().RegisterPublic();
  const StoreState before = Now();
  auto r = as().RefreshToken(attacker, victim.refresh_token);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Str(Json(r), "error"), "invalid_grant");
  EXPECT_EQ(Now(), before);
  EXPECT_EQ(as().RefreshToken(victim.client_id, victim.refresh_token).status, 200);
}

// RFC 6749 §6, RFC 8707 §2.2: a refresh cannot widen the scope or move the audience.
TEST_F(RefreshAttack, RefreshCannotWidenScopeOrChangeResource) {
  auto c = stack_.Connect("", "mcp:read");
  const StoreState before = Now();
  auto r = as().PostForm("/token", {{"grant_type", "refresh_token"},
                                    {"client_id", c.client_id},
                                    {"refresh_token", c.refresh_token},
                                    {"scope", "mcp:read mcp:tools"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Str(Json(r), "error"), "invalid_scope");
  r = as().PostForm("/token", {{"grant_type", "refresh_token"},
                               {"client_id", c.client_id},
                               {"refresh_token", c.refresh_token},
                               {"resource", stack_.other_resource}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Str(Json(r), "error"), "invalid_target");
  EXPECT_EQ(Now(), before);
}

// §4.4.2 / RFC 9207: every authorization response — a code, a denial, an error — names the
// issuer exactly as the metadata does, so a client talking to several servers can tell which one
// answered; our client refuses a response naming another issuer.
TEST_F(MixUpAttack, EveryAuthorizationResponseCarriesTheIssuerAndTheClientChecksIt) {
  auto meta = Json(
      as().Send({.method = "GET", .url = as().Url("/.well-known/oauth-authorization-server")}));
  EXPECT_EQ(Str(meta, "issuer"), as().issuer);
  EXPECT_TRUE(meta["authorization_response_iss_parameter_supported"].as_bool());

  const std::string client_id = as().RegisterPublic();
  auto browser = as().NewBrowser();
  auto ok = as().Authorize(browser, as().AuthParams(client_id, kLoopback, kVerifier));
  auto denied =
      as().Authorize(browser, as().AuthParams(client_id, kLoopback, kVerifier, "mcp:read"), "deny");
  auto error = AuthorizeOnce(as().AuthParams(client_id, kLoopback, kVerifier, "nope"));
  for (const std::string& location : {ok.location, denied.location, LocationOf(error)}) {
    EXPECT_EQ(QueryOf(location)["iss"], as().issuer) << location;
  }
  const std::string query = ok.location.substr(ok.location.find('?') + 1);
  const oauth::client::CallbackExpectation expected{
      .state = "xyz-state", .issuer = as().issuer, .iss_required = true};
  std::string detail;
  ASSERT_TRUE(oauth::client::ValidateAuthorizationResponse(query, expected, detail).has_value())
      << detail;
  // The same response as if another authorization server (the attacker's) had sent it.
  auto other = expected;
  other.issuer = "https://honest-as.example.com";
  EXPECT_FALSE(oauth::client::ValidateAuthorizationResponse(query, other, detail).has_value());
  // Without `iss`, from a server that advertised it: refused too.
  std::vector<std::pair<std::string, std::string>> without_iss;
  for (auto& [k, v] : QueryOf(ok.location)) {
    if (k != "iss") {
      without_iss.emplace_back(k, v);
    }
  }
  const std::string stripped = http::EncodeForm(without_iss);
  EXPECT_FALSE(
      oauth::client::ValidateAuthorizationResponse(stripped, expected, detail).has_value());
}

}  // namespace
}  // namespace mcpauth::testing
