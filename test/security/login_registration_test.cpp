// Online guessing and account enumeration at sign-in (RFC 9700 §4.15 on the resource owner's
// credentials; NIST SP 800-63B §5.2.2 rate limiting; OWASP ASVS V2.2), and abuse of dynamic
// client registration (RFC 7591 §5: rate limits, bounded metadata).
#include "security/security_harness.hpp"

namespace mcpauth::testing {
namespace {

using namespace std::chrono_literals;
using LoginAttack = AttackTest;
using RegistrationAttack = AttackTest;

// The visible answer to a failed sign-in, without what differs by construction (the echoed
// user name and the fresh CSRF token).
std::string Answer(const http::Response& r, const std::string& username) {
  std::string text = PageText(r.body);
  for (size_t p; !username.empty() && (p = text.find(username)) != std::string::npos;) {
    text.erase(p, username.size());
  }
  return std::to_string(r.status) + " " + text;
}

// Enumeration: an unknown, a disabled and an existing user with a wrong password get the same
// answer, and each costs exactly one Argon2id computation — the same work, so the same time
// (proved by the code path, not by a clock).
TEST_F(LoginAttack, UnknownDisabledAndWrongPasswordGetTheSameAnswerAndTheSameWork) {
  as().AddUser("disabled-dave", "dave's password here");
  ASSERT_TRUE(as().store().SetUserDisabled("u_disabled-dave", true).has_value());
  auto browser = as().NewBrowser();
  std::string reference;
  struct Case {
    std::string user;
    std::string password;
  };
  for (const Case& c :
       {Case{AsHarness::kUser, "wrong password"}, Case{"nobody", "wrong password"},
        Case{"disabled-dave", "dave's password here"}, Case{"", "wrong password"}}) {
    const uint64_t before = as().passwords().verifications();
    auto r = browser.Login(browser.Go("GET", as().Url("/login")), c.user, c.password);
    EXPECT_EQ(as().passwords().verifications(), before + 1) << "user '" << c.user << "'";
    EXPECT_EQ(r.status, 200) << c.user;
    EXPECT_FALSE(r.headers.Has("Location")) << c.user;
    EXPECT_NE(r.body.find("Wrong user name or password."), std::string::npos) << c.user;
    const std::string answer = Answer(r, c.user);
    if (reference.empty()) {
      reference = answer;
    }
    EXPECT_EQ(answer, reference) << "user '" << c.user << "'";
  }
  EXPECT_TRUE(as().store().ListAudit({.type = "login.succeeded"})->empty());
}

// Brute force: five failures lock the account — the right password then fails too, with the same
// message for names that do not exist — until the lock period ends. A locked account still costs
// one Argon2id computation per attempt (no timing oracle for "locked").
TEST_F(LoginAttack, GuessingLocksTheAccountForEveryNameAlike) {
  auto browser = as().NewBrowser();
  for (int i = 0; i < 5; ++i) {
    browser.Login(browser.Go("GET", as().Url("/login")), AsHarness::kUser, "wrong again");
  }
  const uint64_t before = as().passwords().verifications();
  auto locked =
      browser.Login(browser.Go("GET", as().Url("/login")), AsHarness::kUser, AsHarness::kPassword);
  EXPECT_FALSE(locked.headers.Has("Location"));
  EXPECT_NE(locked.body.find("Too many sign-in attempts"), std::string::npos);
  EXPECT_LE(as().passwords().verifications(), before + 1);
  http::Response unknown;
  for (int i = 0; i < 6; ++i) {
    unknown = browser.Login(browser.Go("GET", as().Url("/login")), "nobody", "x");
  }
  EXPECT_NE(unknown.body.find("Too many sign-in attempts"), std::string::npos);
  EXPECT_EQ(Answer(unknown, "nobody"), Answer(locked, AsHarness::kUser));
  EXPECT_TRUE(as().store().ListAudit({.type = "login.succeeded"})->empty());
  EXPECT_FALSE(as().store().ListAudit({.type = "login.locked"})->empty());
  // After the lock period the right password works again.
  as().clock.Advance(16min);
  auto ok =
      browser.Login(browser.Go("GET", as().Url("/login")), AsHarness::kUser, AsHarness::kPassword);
  EXPECT_EQ(ok.status, 303) << PageText(ok.body);
}

// Guessing across many names from one address (password spraying) hits the per-address limit:
// 429 with Retry-After, and no password is even checked.
TEST(LoginSprayAttack, ManyNamesFromOneAddressAreThrottled) {
  SecurityStack stack({.limits = [](oauth::AuthorizationServerLimits& l) {
    l.login_per_address = {.burst = 3, .per_second = 0.0001, .max_keys = 100};
  }});
  auto& as = stack.as();
  auto browser = as.NewBrowser();
  for (int i = 0; i < 3; ++i) {
    auto r = browser.Login(browser.Go("GET", as.Url("/login")), "user" + std::to_string(i), "x");
    EXPECT_EQ(r.status, 200);
  }
  const uint64_t before = as.passwords().verifications();
  auto r =
      browser.Login(browser.Go("GET", as.Url("/login")), AsHarness::kUser, AsHarness::kPassword);
  EXPECT_EQ(r.status, 429);
  EXPECT_TRUE(r.headers.Has("Retry-After"));
  EXPECT_FALSE(r.headers.Has("Location"));
  EXPECT_EQ(as.passwords().verifications(), before);
  EXPECT_FALSE(as.store().ListAudit({.type = "login.throttled"})->empty());
}

// Failed token requests (guessing codes, refresh tokens, client secrets) are limited per address.
TEST(TokenGuessingAttack, FailedTokenRequestsAreRateLimitedPerAddress) {
  SecurityStack stack({.limits = [](oauth::AuthorizationServerLimits& l) {
    l.token_failures_per_address = {.burst = 3, .per_second = 0.001, .max_keys = 100};
  }});
  auto& as = stack.as();
  const std::string client_id = as.RegisterPublic();
  for (int i = 0; i < 3; ++i) {
    auto r = as.RefreshToken(client_id, "guess-" + std::to_string(i));
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(Str(Json(r), "error"), "invalid_grant");
  }
  auto r = as.RefreshToken(client_id, "guess-4");
  EXPECT_EQ(r.status, 429);
  EXPECT_TRUE(r.headers.Has("Retry-After"));
  EXPECT_TRUE(as.store().ListAudit({.type = "token.issued"})->empty());
}

// RFC 7591 §5: registration is open, so it is rate limited per address and answers 429.
TEST(RegistrationFloodAttack, RegistrationIsRateLimitedPerAddress) {
  SecurityStack stack({.limits = [](oauth::AuthorizationServerLimits& l) {
    l.registrations_per_address = {.burst = 2, .per_second = 0.0001, .max_keys = 100};
  }});
  auto& as = stack.as();
  const std::string body =
      R"({"redirect_uris":["http://127.0.0.1/cb"],"token_endpoint_auth_method":"none"})";
  EXPECT_EQ(as.PostJson("/register", body).status, 201);
  EXPECT_EQ(as.PostJson("/register", body).status, 201);
  auto r = as.PostJson("/register", body);
  EXPECT_EQ(r.status, 429);
  EXPECT_TRUE(r.headers.Has("Retry-After"));
  EXPECT_EQ(as.store().ListClients()->size(), 2u);
}

// RFC 7591 §2, §5: metadata is bounded — the body, the number of redirect URIs, each string, the
// nesting — and refused before anything is stored.
TEST_F(RegistrationAttack, HugeMetadataIsRefused) {
  const StoreState before = Now();
  auto post = [&](const std::string& body) { return as().PostJson("/register", body); };
  // A body over the route's 16 KiB: 413 before it is read.
  auto r = post(R"({"client_name":")" + std::string(20000, 'a') +
                R"(","redirect_uris":["http://127.0.0.1/cb"]})");
  EXPECT_EQ(r.status, 413);
  // Within the body limit, but too long a name.
  r = post(R"({"client_name":")" + std::string(5000, 'a') +
           R"(","redirect_uris":["http://127.0.0.1/cb"],"token_endpoint_auth_method":"none"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Str(Json(r), "error"), "invalid_client_metadata");
  // Too many redirect URIs.
  boost::json::array uris;
  for (int i = 0; i < 21; ++i) {
    uris.emplace_back("http://127.0.0.1/cb" + std::to_string(i));
  }
  r = post(boost::json::serialize(
      boost::json::object{{"redirect_uris", uris}, {"token_endpoint_auth_method", "none"}}));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Str(Json(r), "error"), "invalid_redirect_uri");
  // A very long redirect URI, deep nesting, a huge unknown member.
  r = post(R"({"redirect_uris":["http://127.0.0.1/)" + std::string(12000, 'p') +
           R"("],"token_endpoint_auth_method":"none"})");
  EXPECT_EQ(r.status, 400) << r.body.substr(0, 200);
  r = post(R"({"redirect_uris":["http://127.0.0.1/cb"],"x":)" + std::string(3000, '[') +
           std::string(3000, ']') + "}");
  EXPECT_EQ(r.status, 400) << r.body.substr(0, 200);
  EXPECT_EQ(Now(), before);
}

}  // namespace
}  // namespace mcpauth::testing
