// RFC 9700 §4.10 (misuse of stolen access tokens: audience restriction, RFC 8707 resource
// indicators) and the JWT BCP (RFC 8725 §2-§3; RFC 9068 §4 validation), seen at the MCP endpoint
// (the resource server) with tokens minted by the real authorization server; §4.3.2 / RFC 6750
// §2.3 (no token in the URI); and the MCP security best practices on session hijacking (a
// session id is no credential).
#include "mcpauth/core/crypto.hpp"
#include "mcpauth/jose/jwk.hpp"
#include "mcpauth/jose/jwt.hpp"
#include "security/security_harness.hpp"

namespace mcpauth::testing {
namespace {

namespace json = boost::json;
using AccessTokenAttack = AttackTest;

std::string B64(std::string_view s) { return core::Base64UrlEncode(s); }

// The error_description of the resource server's challenge, from its JSON body.
std::string Refusal(const http::Response& r) { return Str(Json(r), "error_description"); }

void ExpectInvalidToken(const http::Response& r, const std::string& what) {
  EXPECT_EQ(r.status, 401) << what << ": " << r.body;
  const std::string challenge(r.headers.Get("WWW-Authenticate").value_or(""));
  EXPECT_NE(challenge.find("Bearer error=\"invalid_token\""), std::string::npos)
      << what << ": " << challenge;
  EXPECT_EQ(r.body.find("result"), std::string::npos) << what;
}

// §4.10.1 / RFC 8707: a token issued for one resource is refused by the other, both ways; and
// the authorization server will not exchange a code or refresh for another audience.
TEST_F(AccessTokenAttack, ATokenForOneResourceIsRefusedByTheOther) {
  auto one = stack_.Connect();
  auto two = stack_.Connect(stack_.other_resource);
  ASSERT_EQ(stack_.CallMcp("/mcp", one.access_token).status, 200);
  ASSERT_EQ(stack_.CallMcp("/other", two.access_token).status, 200);
  auto r = stack_.CallMcp("/other", one.access_token);
  ExpectInvalidToken(r, "resource 1 at resource 2");
  EXPECT_EQ(Refusal(r), "The access token was issued for another resource");
  ExpectInvalidToken(stack_.CallMcp("/mcp", two.access_token), "resource 2 at resource 1");

  // A code obtained for resource 1 cannot be exchanged for resource 2.
  const std::string client_id = as().RegisterPublic();
  auto browser = as().NewBrowser();
  auto authz = as().Authorize(browser, as().AuthParams(client_id, kLoopback, kVerifier));
  const StoreState before = Now();
  r = as().PostForm("/token", {{"grant_type", "authorization_code"},
                               {"client_id", client_id},
                               {"code", authz.code},
                               {"code_verifier", kVerifier},
                               {"redirect_uri", kLoopback},
                               {"resource", stack_.other_resource}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Str(Json(r), "error"), "invalid_target");
  EXPECT_TRUE(as().store().ListAudit({.type = "token.issued", .client_id = client_id})->empty());
  (void)before;
}

class JwtAttack : public AttackTest {
 protected:
  void SetUp() override {
    c_ = stack_.Connect();
    auto decoded = jose::DecodeUnverified(c_.access_token);
    ASSERT_TRUE(decoded.has_value());
    header_ = decoded->header;
    claims_ = decoded->claims;
    auto current = as().keys().Current();
    ASSERT_TRUE(current.has_value());
    kid_ = current->kid;
    key_ = std::make_unique<jose::EcKey>(current->key);
    ASSERT_EQ(stack_.CallMcp("/mcp", Resign(claims_)).status, 200) << "the forgery kit works";
  }

  // Signed with the authorization server's real key: a token the server could have issued.
  std::string Resign(const json::object& claims, std::string_view typ = "at+jwt",
                     std::string_view kid = "") const {
    return jose::EncodeJwt(*key_, kid.empty() ? kid_ : kid, typ, claims).value();
  }
  std::string Unsigned(const json::object& header, const json::object& claims) const {
    return B64(json::serialize(header)) + "." + B64(json::serialize(claims)) + ".";
  }
  template <class T>
  json::object With(std::string_view name, const T& v) const {
    json::object c = claims_;
    c[name] = json::value_from(v);
    return c;
  }
  int64_t Now() const { return as().clock.NowSeconds(); }

  AsHarness& as() const { return const_cast<SecurityStack&>(stack_).as(); }
  SecurityStack::Connected c_;
  json::object header_;
  json::object claims_;
  std::string kid_;
  std::unique_ptr<jose::EcKey> key_;
};

// RFC 8725 §2.1, §3.1: `alg` is ES256 and nothing else — not "none", not HS256 keyed with the
// public key (the classic key-confusion forgery).
TEST_F(JwtAttack, AlgNoneAndHs256WithThePublicKeyAreRefused) {
  for (const char* alg : {"none", "None", "NONE"}) {
    json::object h = header_;
    h["alg"] = alg;
    const std::string unsigned_token = Unsigned(h, claims_);
    auto r = stack_.CallMcp("/mcp", unsigned_token);
    ExpectInvalidToken(r, alg);
    // The same without the trailing dot (two parts), and with the real signature kept.
    ExpectInvalidToken(stack_.CallMcp("/mcp", unsigned_token.substr(0, unsigned_token.size() - 1)),
                       alg);
    const std::string real_sig = c_.access_token.substr(c_.access_token.rfind('.') + 1);
    ExpectInvalidToken(stack_.CallMcp("/mcp", unsigned_token + real_sig), alg);
  }
  // HS256 with the public key as the HMAC secret, in each form a confused verifier might use.
  const std::string pem = jose::ExportPublicKeyPem(*key_).value();
  const std::string jwk = json::serialize(jose::ExportPublicJwk(*key_, kid_));
  for (const std::string& secret : {pem, jwk}) {
    json::object h = header_;
    h["alg"] = "HS256";
    const std::string signing_input = B64(json::serialize(h)) + "." + B64(json::serialize(claims_));
    const auto mac = core::HmacSha256(secret).Mac(signing_input);
    const std::string token = signing_input + "." + core::Base64UrlEncode(mac);
    auto r = stack_.CallMcp("/mcp", token);
    ExpectInvalidToken(r, "HS256");
    EXPECT_EQ(Refusal(r), "The access token uses an algorithm that is not accepted");
  }
}

// RFC 8725 §3.10: the key comes from our own key set by `kid`, never from the token: injected kid
// values and embedded keys (jwk, jku, x5u) are of no use to a forger.
TEST_F(JwtAttack, KidInjectionAndEmbeddedKeysAreRefused) {
  const jose::EcKey attacker = jose::EcKey::Generate().value();
  for (const char* kid : {"../../../../dev/null", "' OR '1'='1", "", "nonexistent", "/etc/passwd",
                          "http://evil.example.com/key"}) {
    auto forged = jose::EncodeJwt(attacker, kid[0] ? kid : "x", "at+jwt", claims_);
    ASSERT_TRUE(forged.has_value());
    ExpectInvalidToken(stack_.CallMcp("/mcp", *forged), kid);
  }
  // The attacker's key under our kid, with the key itself embedded in the header.
  json::object h{{"alg", "ES256"},
                 {"typ", "at+jwt"},
                 {"kid", kid_},
                 {"jwk", jose::ExportPublicJwk(attacker)},
                 {"jku", "https://evil.example.com/jwks.json"},
                 {"x5u", "https://evil.example.com/cert.pem"}};
  auto ours = jose::EncodeJwt(attacker, kid_, "at+jwt", claims_);
  ASSERT_TRUE(ours.has_value());
  auto r = stack_.CallMcp("/mcp", *ours);
  ExpectInvalidToken(r, "attacker key under our kid");
  EXPECT_EQ(Refusal(r), "The access token signature is invalid");
  const std::string payload_and_sig = ours->substr(ours->find('.'));
  ExpectInvalidToken(stack_.CallMcp("/mcp", B64(json::serialize(h)) + payload_and_sig),
                     "embedded jwk/jku/x5u");
  // crit: an extension we do not understand.
  json::object crit = header_;
  crit["crit"] = json::array{"exp"};
  ExpectInvalidToken(stack_.CallMcp("/mcp", Unsigned(crit, claims_)), "crit");
}

// RFC 9068 §4, RFC 7519 §4.1: validly signed by our key, but expired, not yet valid, from
// another issuer, of another type, or without the claims revocation needs.
TEST_F(JwtAttack, ValidSignatureWithBadClaimsIsRefused) {
  struct Case {
    std::string name;
    std::string token;
    std::string description;
  };
  json::object no_grant = claims_;
  no_grant.erase("grant_id");
  const std::vector<Case> cases{
      {"expired", Resign(With("exp", Now() - 31)), "The access token expired"},
      {"future nbf", Resign(With("nbf", Now() + 3600)), "The access token is not valid yet"},
      {"future iat", Resign(With("iat", Now() + 3600)), "The access token is not valid yet"},
      {"wrong iss", Resign(With("iss", "https://evil.example.com")),
       "The access token was issued by another authorization server"},
      {"iss with a trailing slash", Resign(With("iss", as().issuer + "/")),
       "The access token was issued by another authorization server"},
      {"typ JWT", Resign(claims_, "JWT"), "The token is not an access token (typ at+jwt)"},
      {"typ id_token", Resign(claims_, "id_token+jwt"),
       "The token is not an access token (typ at+jwt)"},
      {"no typ", jose::EncodeJwt(*key_, kid_, "", claims_).value(),
       "The token is not an access token (typ at+jwt)"},
      {"aud array of others", Resign(With("aud", json::array{"https://evil.example.com/mcp"})),
       "The access token was issued for another resource"},
      {"no grant_id", Resign(no_grant), "The access token lacks a required claim"},
      {"exp a string", Resign(With("exp", std::to_string(Now() + 60))),
       "The access token lacks a required claim"},
  };
  for (const Case& c : cases) {
    auto r = stack_.CallMcp("/mcp", c.token);
    ExpectInvalidToken(r, c.name);
    EXPECT_EQ(Refusal(r), c.description) << c.name;
  }
}

// §4.3.2, RFC 6750 §2.3, OAuth 2.1 §5.1.1: a token in the URI leaks (logs, Referer, history); it
// is refused outright, even with a valid header token beside it.
TEST_F(AccessTokenAttack, ATokenInTheQueryIsRefused) {
  auto c = stack_.Connect();
  for (const char* name : {"access_token", "Access_Token"}) {
    auto r = stack_.CallMcp("/mcp", "", {}, std::string(name) + "=" + c.access_token);
    if (std::string_view(name) == "access_token") {
      EXPECT_EQ(r.status, 400);
      EXPECT_EQ(Str(Json(r), "error"), "invalid_request");
      EXPECT_EQ(Refusal(r), "Access tokens are accepted in the Authorization header only");
    } else {
      EXPECT_EQ(r.status, 401) << "another parameter is no credential";
    }
  }
  auto r = stack_.CallMcp("/mcp", c.access_token, {}, "access_token=" + c.access_token);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Refusal(r), "More than one credential: a token in the query and a header");
  // And a token in a form body is not read either (RFC 6750 §2.2 is not supported).
  http::Headers h;
  h.Set("Content-Type", "application/x-www-form-urlencoded");
  h.Set("Accept", "application/json, text/event-stream");
  r = as().Send({.method = "POST",
                 .url = as().Url("/mcp"),
                 .headers = h,
                 .body = "access_token=" + c.access_token});
  EXPECT_NE(r.status, 200);
}

// MCP security best practices, "Session Hijacking": a legacy session id is bound to the principal
// (user and client) that created it; replayed with another principal's valid token it is an
// unknown session, and without a token it is nothing.
TEST_F(AccessTokenAttack, ASessionIdReplayedWithAnotherPrincipalsTokenIsRefused) {
  as().AddUser("mallory", "mallory's own password");
  auto alice = stack_.Connect();
  auto init =
      stack_.Legacy(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":)"
                    R"("2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})",
                    alice.access_token);
  ASSERT_EQ(init.status, 200) << init.body;
  const std::string sid(init.headers.Get("Mcp-Session-Id").value_or(""));
  ASSERT_FALSE(sid.empty());
  const std::string call =
      R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"whoami","arguments":{}}})";
  auto own = stack_.Legacy(call, alice.access_token, sid);
  ASSERT_EQ(own.status, 200) << own.body;

  // Mallory signs in herself, through her own client, and replays alice's session id.
  const std::string client_id = as().RegisterPublic();
  auto browser = as().NewBrowser();
  auto page = browser.Go(
      "GET",
      as().Url("/authorize?" + http::EncodeForm(as().AuthParams(client_id, kLoopback, kVerifier))));
  page = browser.Login(page, "mallory", "mallory's own password");
  ASSERT_EQ(page.status, 303) << PageText(page.body);
  page = browser.Go("GET", as().Url(LocationOf(page)));
  page = browser.Submit(page, "/authorize", {{"decision", "approve"}});
  auto t =
      Json(as().ExchangeCode(client_id, QueryOf(LocationOf(page))["code"], kVerifier, kLoopback));
  const std::string mallory = Str(t, "access_token");
  ASSERT_FALSE(mallory.empty());
  auto r = stack_.Legacy(call, mallory, sid);
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(r.body.find("u_alice"), std::string::npos);
  // Alice's own user through another client is another principal too.
  auto other_client = stack_.Connect();
  EXPECT_EQ(stack_.Legacy(call, other_client.access_token, sid).status, 404);
  // The session id alone.
  EXPECT_EQ(stack_.Legacy(call, "", sid).status, 401);
}

}  // namespace
}  // namespace mcpauth::testing
