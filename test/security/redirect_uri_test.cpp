// RFC 9700 §4.1 (insufficient redirect URI validation), §4.11 (open redirection) and §2.1
// (exact redirect URI matching): every trick gets the error page — never a redirect — before
// any sign-in, and nothing is issued or registered. The matching rules themselves are unit-tested
// in test/unit/oauth/redirect_uri_test.cpp; this is the attack seen over HTTP.
#include "security/security_harness.hpp"

namespace mcpauth::testing {
namespace {

using RedirectUriAttack = AttackTest;

// The refusal of a redirect URI: 400, an HTML error page, no Location, no sign-in form.
void ExpectErrorPage(const http::Response& r, const std::string& what) {
  EXPECT_EQ(r.status, 400) << what;
  EXPECT_FALSE(r.headers.Has("Location")) << what;
  EXPECT_NE(r.body.find("<html"), std::string::npos) << what;
  EXPECT_EQ(r.body.find("name=\"password\""), std::string::npos) << what;
}

// §4.1.1, §4.1.3: a registered https URI matches byte for byte; each variation an attacker could
// point at a host or path it controls is refused.
TEST_F(RedirectUriAttack, EveryVariationOfARegisteredWebUriIsAnErrorPage) {
  auto reg = as().Register(
      R"({"client_name":"Web","redirect_uris":["https://app.example.com/cb"],"token_endpoint_auth_method":"none"})");
  const std::string client_id = Str(reg, "client_id");
  const StoreState before = Now();
  for (const char* bad : {"https://app.example.com:8443/cb",      // non-loopback port change
                          "https://app.example.com:443/cb",       // the default port spelled out
                          "https://app.example.com/cb/more",      // added path
                          "https://app.example.com/cb/",          // trailing slash
                          "https://app.example.com/cb/../evil",   // dot segments
                          "https://APP.example.com/cb",           // case of the host
                          "https://app.example.com/CB",           // case of the path
                          "HTTPS://app.example.com/cb",           // case of the scheme
                          "https://evil@app.example.com/cb",      // userinfo
                          "https://app.example.com@evil.com/cb",  // userinfo hiding another host
                          "https://app.example.com/cb#frag",      // fragment
                          "https://app.example.com/cb?x=1",       // added query
                          "https://app%2Eexample.com/cb",         // encoded dot in the host
                          "https://app.example.com/%63b",         // encoded path character
                          "https://app.example.com/cb%2F..%2Fevil",
                          "https://app.example.com/cb%00",        // encoded NUL
                          "https://\xD0\xB0pp.example.com/cb",    // IDN look-alike (Cyrillic a)
                          "https://xn--pp-8cd.example.com/cb",    // its punycode
                          "https://app.example.com.evil.com/cb",  // suffix domain
                          "http://app.example.com/cb",            // scheme downgrade
                          "javascript:alert(1)",
                          "data:text/html,<script>alert(1)</script>",
                          "//evil.com/cb"}) {
    ExpectErrorPage(AuthorizeOnce(as().AuthParams(client_id, bad, kVerifier)), bad);
  }
  EXPECT_EQ(Now(), before);
}

// §2.1 / RFC 8252 §7.3: for a loopback redirect only the port may vary; nothing else.
TEST_F(RedirectUriAttack, LoopbackRedirectMatchesOnAnyPortButNothingElse) {
  const std::string client_id = as().RegisterPublic("http://127.0.0.1/callback");
  auto browser = as().NewBrowser();
  auto authz = as().Authorize(
      browser, as().AuthParams(client_id, "http://127.0.0.1:54321/callback", kVerifier));
  EXPECT_EQ(authz.location.rfind("http://127.0.0.1:54321/callback?", 0), 0u) << authz.location;
  const StoreState before = Now();
  for (const char* bad :
       {"http://127.0.0.1:54321/callback/", "http://127.0.0.1:54321/other",
        "http://localhost:54321/callback", "http://127.0.0.1:54321/callback?a=b",
        "http://127.0.0.1:54321/Callback", "http://user@127.0.0.1:54321/callback",
        "http://127.0.0.1:54321/callback#x", "http://127.0.0.2:54321/callback",
        "http://[::1]:54321/callback", "https://127.0.0.1:54321/callback",
        "http://127.0.0.1:54321/%63allback", "http://127.0.0.1.evil.com:54321/callback"}) {
    ExpectErrorPage(browser.Go("GET", as().Url("/authorize?" + http::EncodeForm(as().AuthParams(
                                                                   client_id, bad, kVerifier)))),
                    bad);
  }
  EXPECT_EQ(Now(), before);
  // §4.5.3 / RFC 6749 §4.1.3: the code is bound to the redirect URI sent: another one at the
  // token endpoint fails, and issues nothing.
  auto r = as().ExchangeCode(client_id, authz.code, kVerifier, "http://127.0.0.1:1234/callback");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Str(Json(r), "error"), "invalid_grant");
  EXPECT_TRUE(as().store().ListAudit({.type = "token.issued"})->empty());
}

// §2.1, §4.1: dangerous schemes and ambiguous URIs cannot even be registered.
TEST_F(RedirectUriAttack, DangerousRedirectUrisCannotBeRegistered) {
  const StoreState before = Now();
  for (const char* bad :
       {"javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)", "file:///etc/passwd", "http://app.example.com/cb",
        "https://app.example.com/cb#frag", "https://*.example.com/cb", "https://user@app.com/cb",
        "/relative/cb", "https://app.example.com/c b", "about:blank",
        "http://127.0.0.1.evil.example.com/cb",  // a loopback look-alike (a real DNS name)
        "https://app.example.com:443evil/cb", "https://a,b.example.com/cb"}) {
    auto r = as().PostJson("/register", boost::json::serialize(boost::json::object{
                                            {"client_name", "Evil"},
                                            {"redirect_uris", boost::json::array{bad}},
                                            {"token_endpoint_auth_method", "none"}}));
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(Str(Json(r), "error"), "invalid_redirect_uri") << bad;
  }
  EXPECT_EQ(Now(), before);
}

// §4.11.1: the authorization server is no open redirector. Without a client and redirect URI it
// has verified, every error is a page, not a redirect.
TEST_F(RedirectUriAttack, ErrorsNeverRedirectToAnUnverifiedUri) {
  const std::string client_id = as().RegisterPublic();
  const StoreState before = Now();
  // Unknown client: the page, even with an otherwise perfect request.
  ExpectErrorPage(AuthorizeOnce(as().AuthParams("nope", "https://evil.example.com/", kVerifier)),
                  "unknown client");
  // Missing client, missing redirect URI.
  ExpectErrorPage(
      AuthorizeOnce({{"response_type", "code"}, {"redirect_uri", "https://evil.example.com/"}}),
      "no client");
  // A known client, an evil redirect URI and another error the client would be told of: the
  // redirect URI is checked first.
  auto params = as().AuthParams(client_id, "https://evil.example.com/", kVerifier, "bogus:scope");
  params.emplace_back("prompt", "none");
  ExpectErrorPage(AuthorizeOnce(params), "bad redirect and scope");
  // A duplicated redirect_uri (one registered, one evil) cannot be trusted to redirect.
  params = as().AuthParams(client_id, kLoopback, kVerifier);
  params.emplace_back("redirect_uri", "https://evil.example.com/");
  ExpectErrorPage(AuthorizeOnce(params), "duplicated redirect_uri");
  // A duplicated scope with a good redirect: still a page (RFC 6749 §3.1).
  params = as().AuthParams(client_id, kLoopback, kVerifier);
  params.emplace_back("scope", "again");
  ExpectErrorPage(AuthorizeOnce(params), "duplicated scope");
  EXPECT_EQ(Now(), before);
}

// §4.11.1: the sign-in page's return_to never leaves our origin.
TEST_F(RedirectUriAttack, SignInReturnsOnlyToOurOwnPages) {
  for (const char* evil :
       {"https://evil.example.com/", "//evil.example.com/", "/\\evil.example.com/",
        "/authorize/../../evil", "javascript:alert(1)", "/apps@evil.example.com"}) {
    auto browser = as().NewBrowser();
    auto page = browser.Go("GET", as().Url("/login"));
    auto r = browser.Submit(
        page, "/login",
        {{"username", AsHarness::kUser}, {"password", AsHarness::kPassword}, {"return_to", evil}});
    ASSERT_EQ(r.status, 303) << evil << ": " << PageText(r.body);
    EXPECT_EQ(LocationOf(r), "/apps") << evil;
  }
}

}  // namespace
}  // namespace mcpauth::testing
