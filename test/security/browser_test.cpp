// RFC 9700 §4.7 (cross-site request forgery) on every form the browser posts — sign-in, consent,
// sign-out, Disconnect — §4.16 (clickjacking: framing), and DNS rebinding against the MCP
// endpoint (MCP specification, Streamable HTTP "Security Warning": validate Origin; bind to
// loopback). A forged form is answered 403 and nothing is signed in, granted or revoked.
#include "security/security_harness.hpp"

namespace mcpauth::testing {
namespace {

using BrowserAttack = AttackTest;

bool SetsSession(const http::Response& r) {
  for (auto c : r.headers.GetAll("Set-Cookie")) {
    if (c.find("mcpauth_session=") != std::string::npos &&
        c.find("Max-Age=0") == std::string::npos) {
      return true;
    }
  }
  return false;
}

size_t Logins(store::Store& store) { return store.ListAudit({.type = "login.succeeded"})->size(); }

// Login CSRF (§4.7, RFC 6749 §10.12): the form's token must match the browser's own cookie.
// Forged posts — no cookie (a cross-site POST: SameSite=Lax), the attacker's token against the
// victim's cookie, no token — sign nobody in.
TEST_F(BrowserAttack, ForgedSignInIsRefused) {
  auto victim = as().NewBrowser();
  auto victim_page = victim.Go("GET", as().Url("/login"));
  auto attacker = as().NewBrowser();
  auto attacker_page = attacker.Go("GET", as().Url("/login"));
  const std::string attacker_token = InputValue(attacker_page.body, "csrf_token");
  ASSERT_FALSE(attacker_token.empty());

  struct Case {
    std::string name;
    std::map<std::string, std::string> cookies;
    std::string token;
  };
  for (const Case& c : {Case{"no cookie", {}, attacker_token},
                        Case{"attacker's token, victim's cookie", victim.cookies, attacker_token},
                        Case{"no token", victim.cookies, ""}}) {
    auto browser = as().NewBrowser();
    browser.cookies = c.cookies;
    auto r = browser.Submit(victim_page, "/login",
                            {{"username", AsHarness::kUser},
                             {"password", AsHarness::kPassword},
                             {"csrf_token", c.token}});
    EXPECT_EQ(r.status, 403) << c.name;
    EXPECT_FALSE(r.headers.Has("Location")) << c.name;
    EXPECT_FALSE(SetsSession(r)) << c.name;
  }
  EXPECT_EQ(Logins(as().store()), 0u);
}

// Consent CSRF (§4.7): approving needs the session's own token; a forged approval grants nothing.
TEST_F(BrowserAttack, ForgedConsentIsRefusedAndGrantsNothing) {
  const std::string client_id = as().RegisterPublic();
  auto browser = as().NewBrowser();
  auto r = browser.Go(
      "GET",
      as().Url("/authorize?" + http::EncodeForm(as().AuthParams(client_id, kLoopback, kVerifier))));
  r = browser.Login(r, AsHarness::kUser, AsHarness::kPassword);
  ASSERT_EQ(r.status, 303);
  auto consent = browser.Go("GET", as().Url(LocationOf(r)));
  ASSERT_NE(consent.body.find("decision"), std::string::npos);
  // The attacker's own session's token (a valid token, but not the victim's).
  auto attacker = as().NewBrowser();
  auto attacker_consent = attacker.Go(
      "GET",
      as().Url("/authorize?" + http::EncodeForm(as().AuthParams(client_id, kLoopback, kVerifier))));
  attacker_consent = attacker.Login(attacker_consent, AsHarness::kUser, AsHarness::kPassword);
  attacker_consent = attacker.Go("GET", as().Url(LocationOf(attacker_consent)));
  const std::string attacker_token = InputValue(attacker_consent.body, "csrf_token");
  ASSERT_FALSE(attacker_token.empty());
  const StoreState before = Now();
  for (const std::string& token : {std::string("forged"), std::string(), attacker_token}) {
    r = browser.Submit(consent, "/authorize", {{"decision", "approve"}, {"csrf_token", token}});
    EXPECT_EQ(r.status, 403) << token;
    EXPECT_FALSE(r.headers.Has("Location")) << token;
  }
  // Without the session cookie at all (a cross-site POST).
  auto stranger = as().NewBrowser();
  r = stranger.Submit(consent, "/authorize", {{"decision", "approve"}});
  EXPECT_EQ(r.status, 403);
  EXPECT_FALSE(r.headers.Has("Location"));
  EXPECT_EQ(Now(), before);
  EXPECT_TRUE(as().store().ListGrants({.client_id = client_id}, true)->empty());
}

// Disconnect and sign-out CSRF (§4.7): a forged post revokes nothing and signs nobody out.
TEST_F(BrowserAttack, ForgedDisconnectAndSignOutChangeNothing) {
  auto c = stack_.Connect();
  auto apps = c.browser.Go("GET", as().Url("/apps"));
  ASSERT_EQ(apps.status, 200);
  const StoreState before = Now();
  for (const std::string& token : {std::string("x"), std::string()}) {
    auto r = c.browser.Submit(apps, "/apps/disconnect",
                              {{"client_id", c.client_id}, {"csrf_token", token}});
    EXPECT_EQ(r.status, 403) << token;
    EXPECT_NE(r.body.find("Nothing was disconnected."), std::string::npos);
  }
  auto stranger = as().NewBrowser();
  EXPECT_EQ(stranger.Submit(apps, "/apps/disconnect", {{"client_id", c.client_id}}).status, 403);
  auto r = c.browser.Go("POST", as().Url("/logout"), "csrf_token=forged");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Now(), before);
  EXPECT_EQ(stack_.CallMcp("/mcp", c.access_token).status, 200);
  EXPECT_EQ(as().RefreshToken(c.client_id, c.refresh_token).status, 200);
  EXPECT_EQ(c.browser.Go("GET", as().Url("/apps")).status, 200) << "still signed in";
}

// §4.16: no page may be framed (a transparent consent page under a decoy is the classic
// clickjacking); pages are not cached, sniffed or leaked by Referer; cookies are HttpOnly and
// SameSite=Lax.
TEST_F(BrowserAttack, NoPageCanBeFramed) {
  const std::string client_id = as().RegisterPublic();
  auto browser = as().NewBrowser();
  auto check = [](const http::Response& r, const std::string& page) {
    EXPECT_EQ(r.headers.Get("Content-Type").value_or("").rfind("text/html", 0), 0u) << page;
    EXPECT_NE(r.headers.Get("Content-Security-Policy").value_or("").find("frame-ancestors 'none'"),
              std::string::npos)
        << page;
    EXPECT_EQ(r.headers.Get("X-Frame-Options").value_or(""), "DENY") << page;
    EXPECT_EQ(r.headers.Get("X-Content-Type-Options").value_or(""), "nosniff") << page;
    EXPECT_EQ(r.headers.Get("Referrer-Policy").value_or(""), "no-referrer") << page;
    EXPECT_EQ(r.headers.Get("Cache-Control").value_or(""), "no-store") << page;
    for (auto cookie : r.headers.GetAll("Set-Cookie")) {
      EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << page;
      EXPECT_NE(cookie.find("SameSite=Lax"), std::string::npos) << page;
    }
  };
  auto login = browser.Go(
      "GET",
      as().Url("/authorize?" + http::EncodeForm(as().AuthParams(client_id, kLoopback, kVerifier))));
  ASSERT_EQ(login.status, 200);
  check(login, "sign-in");
  auto r = browser.Login(login, AsHarness::kUser, AsHarness::kPassword);
  EXPECT_TRUE(SetsSession(r));
  for (auto cookie : r.headers.GetAll("Set-Cookie")) {
    EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
    EXPECT_NE(cookie.find("SameSite=Lax"), std::string::npos);
  }
  auto consent = browser.Go("GET", as().Url(LocationOf(r)));
  ASSERT_NE(consent.body.find("decision"), std::string::npos);
  check(consent, "consent");
  check(browser.Go("GET", as().Url("/apps")), "connected apps");
  check(browser.Go("GET", as().Url("/authorize?client_id=nope")), "error page");
  check(as().NewBrowser().Go("GET", as().Url("/login")), "plain sign-in");
}

// DNS rebinding: a page of evil.example.com whose name now resolves to 127.0.0.1 talks to the MCP
// endpoint with its own Origin and Host. Refused with 403 even with a valid token (a browser
// would send the victim's cookies, never its bearer token, but the check must not depend on it).
TEST_F(BrowserAttack, DnsRebindingThroughOriginOrHostIsRefused) {
  auto c = stack_.Connect();
  for (const char* origin :
       {"http://evil.example.com", "null", "http://127.0.0.1.evil.example.com",
        "http://127.0.0.1.evil.example.com:8080", "http://localhost/path", "http://[::1].evil",
        "http://localhost.evil.example.com:1234", "https://evil.example.com"}) {
    http::Headers h;
    h.Set("Origin", origin);
    auto r = stack_.CallMcp("/mcp", c.access_token, h);
    EXPECT_EQ(r.status, 403) << origin;
    EXPECT_EQ(r.body.find("u_alice"), std::string::npos) << origin;
  }
  // A loopback origin is the legitimate local case.
  http::Headers local;
  local.Set("Origin", "http://localhost:1234");
  EXPECT_EQ(stack_.CallMcp("/mcp", c.access_token, local).status, 200);

  // The Host header: our client sets it itself, so a raw socket sends the rebinding attempt.
  const std::string body =
      R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"whoami","arguments":{},"_meta":)" +
      std::string(kModernMeta) + "}}";
  for (const char* host : {"evil.example.com", "evil.example.com:80", "127.0.0.1.nip.io"}) {
    RawSocket s(stack_.port());
    ASSERT_TRUE(s.Send(std::string("POST /mcp HTTP/1.1\r\nHost: ") + host +
                       "\r\nContent-Type: application/json\r\n"
                       "Accept: application/json, text/event-stream\r\n"
                       "MCP-Protocol-Version: 2026-07-28\r\nMcp-Method: tools/call\r\n"
                       "Mcp-Name: whoami\r\nAuthorization: Bearer " +
                       c.access_token + "\r\nContent-Length: " + std::to_string(body.size()) +
                       "\r\n\r\n" + body));
    const std::string answer = s.ReadResponse();
    EXPECT_EQ(answer.substr(0, 12), "HTTP/1.1 403") << host << ": " << answer.substr(0, 200);
    EXPECT_EQ(answer.find("u_alice"), std::string::npos) << host;
  }
}

}  // namespace
}  // namespace mcpauth::testing
