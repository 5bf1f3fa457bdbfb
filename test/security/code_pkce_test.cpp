// RFC 9700 §4.8 (PKCE downgrade), §4.5 (authorization code injection) and §2.1.1 / RFC 6749
// §4.1.2 (a code is used once: a replay revokes what it issued). Each refusal is the exact OAuth
// error, and no token is issued.
#include "security/security_harness.hpp"

namespace mcpauth::testing {
namespace {

using CodeAttack = AttackTest;

size_t Issued(store::Store& store) {
  return store.ListAudit({.type = "token.issued", .limit = 10000})->size();
}

// §4.8.2: an attacker who strips the challenge from the authorization request gets no code: PKCE
// with S256 is required of every client, so "no PKCE" and "plain" are refused up front.
TEST_F(CodeAttack, PkceDowngradeAtTheAuthorizationEndpointIsRefused) {
  const std::string client_id = as().RegisterPublic();
  auto params = as().AuthParams(client_id, kLoopback, kVerifier);
  auto without = [&](std::string_view name) {
    auto p = params;
    std::erase_if(p, [&](auto& kv) { return kv.first == name; });
    return p;
  };
  auto plain = without("code_challenge_method");
  plain.emplace_back("code_challenge_method", "plain");
  auto short_challenge = without("code_challenge");
  short_challenge.emplace_back("code_challenge", "abc");
  const StoreState before = Now();
  for (const auto& p :
       {without("code_challenge"), without("code_challenge_method"), plain, short_challenge}) {
    auto r = AuthorizeOnce(p);
    // The client and redirect URI are fine, so the client is told (RFC 6749 §4.1.2.1).
    ASSERT_EQ(r.status, 303) << r.body;
    auto q = QueryOf(LocationOf(r));
    EXPECT_EQ(LocationOf(r).rfind(std::string(kLoopback) + "?", 0), 0u);
    EXPECT_EQ(q["error"], "invalid_request");
    EXPECT_EQ(q["state"], "xyz-state");
    EXPECT_EQ(q["iss"], as().issuer);
    EXPECT_EQ(q.count("code"), 0u);
  }
  EXPECT_EQ(Now(), before);
}

// §4.8.2: a code issued with a challenge is worthless without its verifier.
TEST_F(CodeAttack, PkceDowngradeAtTheTokenEndpointIsRefused) {
  const std::string client_id = as().RegisterPublic();
  auto browser = as().NewBrowser();
  const auto params = as().AuthParams(client_id, kLoopback, kVerifier);
  struct Case {
    std::string name;
    std::optional<std::string> verifier;
    std::string error;
  };
  for (const Case& c : {Case{"no verifier", std::nullopt, "invalid_request"},
                        Case{"wrong verifier", std::string(kVerifier) + "x", "invalid_grant"},
                        Case{"the challenge itself", S256(kVerifier), "invalid_grant"},
                        Case{"too short", "short", "invalid_grant"}}) {
    auto authz = as().Authorize(browser, params);
    ASSERT_FALSE(authz.code.empty());
    std::vector<std::pair<std::string, std::string>> form{{"grant_type", "authorization_code"},
                                                          {"client_id", client_id},
                                                          {"code", authz.code},
                                                          {"redirect_uri", kLoopback}};
    if (c.verifier) {
      form.emplace_back("code_verifier", *c.verifier);
    }
    auto r = as().PostForm("/token", form);
    EXPECT_EQ(r.status, 400) << c.name;
    EXPECT_EQ(Str(Json(r), "error"), c.error) << c.name;
    EXPECT_EQ(r.body.find("access_token"), std::string::npos) << c.name;
  }
  EXPECT_EQ(Issued(as().store()), 0u);
}

// §4.5: a code injected into another client's exchange (a stolen code, or the attacker's own
// code pushed into the victim's client) fails: it is bound to its client, its redirect URI and
// its challenge.
TEST_F(CodeAttack, InjectedCodeIsRefused) {
  const std::string victim = as().RegisterPublic();
  const std::string attacker = as().RegisterPublic();
  auto browser = as().NewBrowser();
  // The code was issued to the victim client; the attacker's client presents it.
  auto authz = as().Authorize(browser, as().AuthParams(victim, kLoopback, kVerifier));
  auto r = as().ExchangeCode(attacker, authz.code, kVerifier, kLoopback);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Str(Json(r), "error"), "invalid_grant");
  // The attacker's code (with the attacker's verifier) injected into the victim's session: the
  // victim's client sends its own verifier.
  const std::string attacker_verifier = "attacker-verifier-attacker-verifier-attacker-01";
  auto mine = as().Authorize(browser, as().AuthParams(victim, kLoopback, attacker_verifier));
  r = as().ExchangeCode(victim, mine.code, kVerifier, kLoopback);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Str(Json(r), "error"), "invalid_grant");
  // A code that was never issued.
  r = as().ExchangeCode(victim, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", kVerifier,
                        kLoopback);
  EXPECT_EQ(Str(Json(r), "error"), "invalid_grant");
  EXPECT_EQ(Issued(as().store()), 0u);
}

// RFC 6749 §4.1.2, OAuth 2.1 §4.1.3: a code works once; its replay fails and revokes the tokens
// the first exchange issued, at the authorization server and at the resource server at once.
TEST_F(CodeAttack, ReplayedCodeIsRefusedAndRevokesWhatItIssued) {
  const std::string client_id = as().RegisterPublic();
  auto browser = as().NewBrowser();
  auto authz = as().Authorize(browser, as().AuthParams(client_id, kLoopback, kVerifier));
  auto r = as().ExchangeCode(client_id, authz.code, kVerifier, kLoopback);
  ASSERT_EQ(r.status, 200);
  auto t = Json(r);
  ASSERT_EQ(stack_.CallMcp("/mcp", Str(t, "access_token")).status, 200);
  r = as().ExchangeCode(client_id, authz.code, kVerifier, kLoopback);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Str(Json(r), "error"), "invalid_grant");
  EXPECT_EQ(Issued(as().store()), 1u);
  EXPECT_EQ(as().store().ListAudit({.type = "code.replayed"})->size(), 1u);
  r = as().RefreshToken(client_id, Str(t, "refresh_token"));
  EXPECT_EQ(Str(Json(r), "error"), "invalid_grant");
  EXPECT_EQ(stack_.CallMcp("/mcp", Str(t, "access_token")).status, 401);
  auto grants = as().store().ListGrants({.client_id = client_id}, true);
  ASSERT_EQ(grants->size(), 1u);
  EXPECT_TRUE((*grants)[0].revoked_at.has_value());
}

}  // namespace
}  // namespace mcpauth::testing
