// The OAuth client end to end against a real mcpauth authorization server and MCP resource
// server (oauth_client_harness.hpp): a 401, discovery, dynamic registration, the browser login
// through the real sign-in and consent pages, the loopback callback, the code exchange, the MCP
// call; then refresh (proactive, on 401, after a restart, single-flight across threads),
// step-up, logout with revocation, and the refusals (iss, state, denied consent, a 401 right
// after a login).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "integration/oauth_client_harness.hpp"
#include "mcpauth/core/token.hpp"
#include "mcpauth/oauth/client/errc.hpp"
#include "mcpauth/oauth/client/loopback_receiver.hpp"

namespace mcpauth::oauth::client {
namespace {

using namespace std::chrono_literals;
using mcpauth::testing::OAuthRig;
using mcpauth::testing::OAuthRigOptions;
using mcpauth::testing::QueryOf;
using mcpauth::testing::WithParam;

std::vector<std::string> Scopes(const std::string& url) {
  return SplitScopes(QueryOf(url)["scope"]);
}

class OAuthClientFlowTest : public ::testing::Test {
 protected:
  OAuthRig rig_;
};

TEST_F(OAuthClientFlowTest, FirstCallSignsInThroughTheBrowserAndLaterCallsDoNot) {
  auto session = rig_.Session();
  auto text = rig_.Call(*session, "whoami");
  ASSERT_TRUE(text.has_value()) << session->last_error();
  EXPECT_EQ(*text, "u_alice");
  ASSERT_EQ(rig_.browser->urls.size(), 1u);
  EXPECT_EQ(rig_.browser->consents, 1);

  // What the authorization request carried (CL6, CL12-CL15).
  auto q = QueryOf(rig_.browser->urls[0]);
  EXPECT_TRUE(rig_.browser->urls[0].starts_with(rig_.as->issuer + "/authorize?"));
  EXPECT_EQ(q["response_type"], "code");
  EXPECT_EQ(q["code_challenge_method"], "S256");
  EXPECT_EQ(q["code_challenge"].size(), 43u);
  EXPECT_EQ(q["state"].size(), 43u);
  EXPECT_EQ(q["resource"], rig_.as->resource);
  // The challenge's scope, plus offline_access because this AS lists it (2026-07-28).
  EXPECT_EQ(Scopes(rig_.browser->urls[0]),
            (std::vector<std::string>{"mcp:read", "offline_access"}));
  EXPECT_TRUE(q["redirect_uri"].starts_with("http://127.0.0.1:"));
  EXPECT_TRUE(q["redirect_uri"].ends_with("/callback"));
  // The AS answered with iss (RFC 9207), and the page told the person to go back.
  EXPECT_EQ(QueryOf(rig_.browser->callbacks[0])["iss"], rig_.as->issuer);
  EXPECT_EQ(rig_.browser->callback_status, 200);
  EXPECT_NE(rig_.browser->callback_page.find("You can close this tab and return to mcpauth"),
            std::string::npos);

  // What was stored: keyed by the server, with the issuer, the endpoints, the absolute expiry.
  const Credential c = rig_.Stored();
  EXPECT_EQ(c.issuer, rig_.as->issuer);
  EXPECT_EQ(c.resource, rig_.as->resource);
  EXPECT_EQ(c.token_endpoint, rig_.as->issuer + "/token");
  EXPECT_EQ(c.revocation_endpoint, rig_.as->issuer + "/revoke");
  EXPECT_EQ(c.client.kind, RegistrationKind::kDynamic);
  EXPECT_FALSE(c.refresh_token.empty());
  EXPECT_EQ(c.expires_at, rig_.as->clock.Now() + 3600s);
  auto registration = rig_.storage.LoadRegistration(rig_.as->issuer);
  ASSERT_TRUE(registration && *registration);
  EXPECT_EQ((*registration)->client_id, c.client.client_id);

  // Another call, and a "restarted process" (a new session on the same storage): no browser.
  ASSERT_TRUE(rig_.Call(*session, "whoami").has_value());
  auto restarted = rig_.Session();
  ASSERT_TRUE(rig_.Call(*restarted, "whoami").has_value()) << restarted->last_error();
  EXPECT_EQ(rig_.browser->urls.size(), 1u);
  EXPECT_EQ(restarted->refreshes(), 0);
}

TEST_F(OAuthClientFlowTest, RefreshesBeforeExpiryAfterARestartAndPersistsTheRotation) {
  auto first = rig_.Session();
  ASSERT_TRUE(rig_.Call(*first, "whoami").has_value()) << first->last_error();
  const Credential before = rig_.Stored();
  rig_.as->clock.Advance(3600s - 30s);

  auto restarted = rig_.Session();  // nothing in memory: endpoints and expiry from storage
  auto text = rig_.Call(*restarted, "whoami");
  ASSERT_TRUE(text.has_value()) << restarted->last_error();
  EXPECT_EQ(restarted->refreshes(), 1);
  EXPECT_EQ(rig_.browser->urls.size(), 1u);
  const Credential after = rig_.Stored();
  EXPECT_FALSE(after.access_token == before.access_token);
  EXPECT_FALSE(after.refresh_token.empty());
  EXPECT_FALSE(after.refresh_token == before.refresh_token);  // rotated, and the new one kept
  EXPECT_EQ(after.expires_at, rig_.as->clock.Now() + 3600s);
  EXPECT_EQ(rig_.AuditCount("token.refreshed"), 1);

  // The rotated token works for the next refresh; the old one is not used again.
  rig_.as->clock.Advance(3600s);
  ASSERT_TRUE(rig_.Call(*restarted, "whoami").has_value()) << restarted->last_error();
  EXPECT_EQ(rig_.AuditCount("token.refreshed"), 2);
  EXPECT_EQ(rig_.AuditCount("refresh.replay_detected"), 0);
}

TEST_F(OAuthClientFlowTest, RefreshesOnA401) {
  auto session = rig_.Session();
  ASSERT_TRUE(rig_.Call(*session, "whoami").has_value());
  // The server stops accepting the stored token (say its signing key was rotated away).
  Credential c = rig_.Stored();
  c.access_token = Secret("not-a-valid-token");
  ASSERT_TRUE(rig_.storage.SaveCredential(c));
  auto restarted = rig_.Session();
  ASSERT_TRUE(rig_.Call(*restarted, "whoami").has_value()) << restarted->last_error();
  EXPECT_EQ(restarted->refreshes(), 1);
  EXPECT_EQ(rig_.browser->urls.size(), 1u);
}

TEST_F(OAuthClientFlowTest, ParallelCallsRefreshOnceAndTheGrantSurvives) {
  {
    auto session = rig_.Session();
    ASSERT_TRUE(rig_.Call(*session, "whoami").has_value());
  }
  rig_.as->clock.Advance(3600s - 10s);
  constexpr int kThreads = 8;
  std::vector<std::unique_ptr<OAuthSession>> sessions;  // one per "process"
  for (int i = 0; i < kThreads; ++i) {
    sessions.push_back(rig_.Session());
  }
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (auto& s : sessions) {
    threads.emplace_back([&, session = s.get()] { ok += rig_.Call(*session, "whoami") ? 1 : 0; });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(ok.load(), kThreads);
  EXPECT_EQ(rig_.AuditCount("token.refreshed"), 1);
  EXPECT_EQ(rig_.AuditCount("refresh.replay_detected"), 0);
  EXPECT_EQ(rig_.browser->urls.size(), 1u);
  auto later = rig_.Session();
  ASSERT_TRUE(later->Refresh(true)) << later->last_error();  // the grant is alive
}

TEST_F(OAuthClientFlowTest, StepUpReauthorizesWithTheUnionOfScopes) {
  auto session = rig_.Session();
  auto text = rig_.Call(*session, "add");  // needs mcp:tools besides mcp:read
  ASSERT_TRUE(text.has_value()) << session->last_error();
  EXPECT_EQ(*text, "3");
  ASSERT_EQ(rig_.browser->urls.size(), 2u);
  EXPECT_EQ(Scopes(rig_.browser->urls[0]),
            (std::vector<std::string>{"mcp:read", "offline_access"}));
  EXPECT_EQ(Scopes(rig_.browser->urls[1]),
            (std::vector<std::string>{"mcp:read", "mcp:tools", "offline_access"}));
  EXPECT_EQ(session->logins(), 2);
  const Credential c = rig_.Stored();
  EXPECT_TRUE(ContainsAllScopes(c.scopes, {"mcp:read", "mcp:tools"}));
  // The same registration both times.
  EXPECT_EQ(QueryOf(rig_.browser->urls[0])["client_id"],
            QueryOf(rig_.browser->urls[1])["client_id"]);
  EXPECT_EQ(rig_.storage.registration_saves(), 1);
}

TEST_F(OAuthClientFlowTest, LogoutRevokesAtTheAuthorizationServer) {
  auto session = rig_.Session();
  ASSERT_TRUE(rig_.Call(*session, "whoami").has_value());
  const Credential c = rig_.Stored();
  // A resource-server client may introspect any token (docs/oauth-server.md).
  store::Client introspector{.client_id = "rs-introspector",
                             .secret_hash = core::TokenHash("rs-secret"),
                             .name = "introspector",
                             .token_endpoint_auth_method = "client_secret_post",
                             .metadata_json = R"({"mcpauth_resource_server":true})",
                             .created_at = rig_.as->clock.Now()};
  ASSERT_TRUE(rig_.as->store().CreateClient(introspector));
  auto active = [&](const Secret& token) {
    auto r = rig_.as->PostForm("/introspect", {{"client_id", "rs-introspector"},
                                               {"client_secret", "rs-secret"},
                                               {"token", std::string(token.Reveal())}});
    EXPECT_EQ(r.status, 200) << r.body;
    return boost::json::parse(r.body).as_object().at("active").as_bool();
  };
  EXPECT_TRUE(active(c.access_token));
  EXPECT_TRUE(active(c.refresh_token));

  auto report = session->Logout();
  ASSERT_TRUE(report.has_value()) << session->last_error();
  EXPECT_TRUE(report->had_credentials);
  EXPECT_TRUE(report->revocation_supported);
  EXPECT_TRUE(report->revoked) << report->detail;
  EXPECT_FALSE(active(c.access_token));
  EXPECT_FALSE(active(c.refresh_token));
  EXPECT_FALSE(rig_.storage.LoadCredential(rig_.as->resource).value().has_value());

  // The old token is refused by the MCP server at once (revocation reaches it directly).
  mcp::McpClient raw(rig_.http, rig_.as->resource, {.add_headers = [&](http::Headers& h) {
                       h.Set("Authorization", "Bearer " + std::string(c.access_token.Reveal()));
                     }});
  auto connected = raw.Connect();
  ASSERT_FALSE(connected);
  EXPECT_EQ(connected.error(), mcp::ClientErrc::kUnauthorized);
  // The next call signs in again; the registration is reused.
  ASSERT_TRUE(rig_.Call(*session, "whoami").has_value()) << session->last_error();
  EXPECT_EQ(rig_.browser->urls.size(), 2u);
  EXPECT_EQ(rig_.Stored().client.client_id, c.client.client_id);
}

TEST_F(OAuthClientFlowTest, IssMismatchIsRefusedAndTheCodeIsNotRedeemed) {
  rig_.browser->tamper = [](const std::string& url) {
    return WithParam(url, "iss", "http://127.0.0.1:1");
  };
  auto session = rig_.Session();
  auto text = rig_.Call(*session, "whoami");
  ASSERT_FALSE(text.has_value());
  EXPECT_EQ(text.error(), Errc::kIssuerMismatch);
  EXPECT_NE(session->last_error().find("RFC 9207"), std::string::npos) << session->last_error();
  EXPECT_EQ(rig_.browser->urls.size(), 1u);  // the flow ended: no second tab
  EXPECT_EQ(rig_.browser->callback_status, 400);
  EXPECT_FALSE(rig_.storage.LoadCredential(rig_.as->resource).value().has_value());
  EXPECT_EQ(rig_.AuditCount("token.issued"), 0);
}

TEST_F(OAuthClientFlowTest, MissingIssIsRefusedWhenTheServerAdvertisesIt) {
  rig_.browser->tamper = [](const std::string& url) { return WithParam(url, "iss", std::nullopt); };
  auto session = rig_.Session();
  auto text = rig_.Call(*session, "whoami");
  ASSERT_FALSE(text.has_value());
  EXPECT_EQ(text.error(), Errc::kIssuerMismatch);
  EXPECT_EQ(rig_.AuditCount("token.issued"), 0);
}

TEST_F(OAuthClientFlowTest, StateMismatchIsRefused) {
  rig_.browser->tamper = [](const std::string& url) {
    return WithParam(url, "state", "forged-state");
  };
  auto session = rig_.Session();
  auto text = rig_.Call(*session, "whoami");
  ASSERT_FALSE(text.has_value());
  EXPECT_EQ(text.error(), Errc::kStateMismatch);
  EXPECT_EQ(rig_.browser->urls.size(), 1u);
  EXPECT_EQ(rig_.browser->callback_status, 400);
  EXPECT_EQ(rig_.AuditCount("token.issued"), 0);
}

TEST_F(OAuthClientFlowTest, DeniedConsentEndsTheFlowWithAClearMessage) {
  rig_.browser->decision = "deny";
  auto session = rig_.Session();
  auto text = rig_.Call(*session, "whoami");
  ASSERT_FALSE(text.has_value());
  EXPECT_EQ(text.error(), Errc::kAuthorizationDenied);
  EXPECT_NE(session->last_error().find("access_denied"), std::string::npos)
      << session->last_error();
  EXPECT_EQ(rig_.browser->urls.size(), 1u);  // no loop of tabs (PEERS pain point 15)
  EXPECT_EQ(rig_.browser->callback_status, 400);
  EXPECT_NE(rig_.browser->callback_page.find("Sign-in failed"), std::string::npos);
}

TEST_F(OAuthClientFlowTest, PreRegisteredConfidentialClientUsesBasicAndNeverRegisters) {
  auto registered = rig_.as->Register(
      R"({"client_name":"Pre-registered","redirect_uris":["http://127.0.0.1/callback"],)"
      R"("token_endpoint_auth_method":"client_secret_basic","grant_types":["authorization_code","refresh_token"]})");
  const std::string id(registered["client_id"].as_string());
  const std::string secret(registered["client_secret"].as_string());
  auto session = rig_.Session(
      {.pre_registered = PreRegisteredClient{.client_id = id, .client_secret = Secret(secret)}});
  ASSERT_TRUE(rig_.Call(*session, "whoami").has_value()) << session->last_error();
  EXPECT_EQ(QueryOf(rig_.browser->urls[0])["client_id"], id);
  EXPECT_EQ(rig_.storage.registration_saves(), 0);
  const Credential c = rig_.Stored();
  EXPECT_EQ(c.client.kind, RegistrationKind::kPreRegistered);
  EXPECT_EQ(c.client.token_endpoint_auth_method, "client_secret_basic");
  // A restarted process refreshes with the stored client authentication.
  auto restarted = rig_.Session();
  ASSERT_TRUE(restarted->Refresh(true)) << restarted->last_error();
}

TEST_F(OAuthClientFlowTest, ResourceParameterCanBeLeftOut) {
  auto session = rig_.Session({.send_resource = false});
  ASSERT_TRUE(rig_.Call(*session, "whoami").has_value()) << session->last_error();
  EXPECT_EQ(QueryOf(rig_.browser->urls[0]).count("resource"), 0u);
  EXPECT_EQ(rig_.Stored().resource, "");
  auto restarted = rig_.Session({.send_resource = false});
  ASSERT_TRUE(restarted->Refresh(true)) << restarted->last_error();
}

TEST_F(OAuthClientFlowTest, LegacySessionEraWorksToo) {
  auto session = rig_.Session();
  auto text = rig_.Call(*session, "add", {.era = mcp::EraPreference::kLegacy});
  ASSERT_TRUE(text.has_value()) << session->last_error();
  EXPECT_EQ(rig_.browser->urls.size(), 2u);  // sign-in, then step-up
}

TEST_F(OAuthClientFlowTest, NonInteractiveWithoutCredentialsAsksForALogin) {
  auto session = rig_.Session({.interactive = false});
  auto text = rig_.Call(*session, "whoami");
  ASSERT_FALSE(text.has_value());
  EXPECT_EQ(text.error(), Errc::kLoginRequired);
  EXPECT_TRUE(rig_.browser->urls.empty());
}

TEST_F(OAuthClientFlowTest, ExplicitLoginWithoutAChallengeUsesTheMetadataScopes) {
  auto session = rig_.Session();
  ASSERT_TRUE(session->Login()) << session->last_error();
  // No challenge: PRM scopes_supported (CL12 step 2).
  EXPECT_EQ(Scopes(rig_.browser->urls[0]),
            (std::vector<std::string>{"mcp:read", "mcp:tools", "offline_access"}));
  const auto trace = session->discovery_trace();
  ASSERT_FALSE(trace.empty());
  EXPECT_EQ(trace[0],
            "GET " + rig_.as->issuer + "/.well-known/oauth-protected-resource/mcp -> 200");
  ASSERT_TRUE(rig_.Call(*session, "add").has_value());
  EXPECT_EQ(rig_.browser->urls.size(), 1u);
}

TEST_F(OAuthClientFlowTest, LoginTimesOutWhenTheBrowserNeverComesBack) {
  auto session =
      rig_.Session({.browser = [](const std::string&) { return Status(); }, .login_timeout = 0ms});
  auto st = session->Login();
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error(), Errc::kLoginTimeout);
}

TEST_F(OAuthClientFlowTest, NoBrowserModePrintsTheUrlForThePersonToOpen) {
  std::thread person;
  std::string printed;
  auto session = rig_.Session({.open_browser = false,
                               .notify =
                                   [&](std::string_view message) {
                                     printed = std::string(message);
                                     const std::string url = printed.substr(printed.rfind(' ') + 1);
                                     person = std::thread([this, url] { rig_.browser->Open(url); });
                                   }},
                              /*scripted_browser=*/false);
  auto text = rig_.Call(*session, "whoami");
  if (person.joinable()) {
    person.join();
  }
  ASSERT_TRUE(text.has_value()) << session->last_error();
  EXPECT_NE(printed.find("open this URL in a browser:\n  " + rig_.as->issuer + "/authorize?"),
            std::string::npos)
      << printed;
}

TEST_F(OAuthClientFlowTest, AnAuthorizationServerOutageKeepsTheCredentialsAndOpensNoBrowser) {
  auto session = rig_.Session();
  ASSERT_TRUE(rig_.Call(*session, "whoami").has_value());
  Credential c = rig_.Stored();
  c.token_endpoint = "http://127.0.0.1:1/token";  // connection refused
  ASSERT_TRUE(rig_.storage.SaveCredential(c));
  rig_.as->clock.Advance(3700s);  // the access token has expired: a refresh is needed

  auto restarted = rig_.Session();
  auto text = rig_.Call(*restarted, "whoami");
  ASSERT_FALSE(text.has_value());
  EXPECT_EQ(text.error(), Errc::kTemporarilyUnavailable);
  EXPECT_NE(restarted->last_error().find("kept"), std::string::npos) << restarted->last_error();
  EXPECT_EQ(rig_.browser->urls.size(), 1u);  // no interactive re-auth (PEERS pain point 23)
  EXPECT_TRUE(rig_.Stored().refresh_token == c.refresh_token);
}

TEST_F(OAuthClientFlowTest, ForcedRegistrationRegistersAnew) {
  auto first = rig_.Session();
  ASSERT_TRUE(first->Login()) << first->last_error();
  auto again = rig_.Session({.force_registration = true});
  ASSERT_TRUE(again->Login()) << again->last_error();
  EXPECT_EQ(rig_.storage.registration_saves(), 2);
  EXPECT_NE(QueryOf(rig_.browser->urls[0])["client_id"],
            QueryOf(rig_.browser->urls[1])["client_id"]);
}

TEST_F(OAuthClientFlowTest, AFixedCallbackPortIsRegisteredAndAnotherOneRegistersAnew) {
  // --callback-port, for an AS that compares the loopback port (the TypeScript SDK's demo AS).
  uint16_t port = 0;
  {
    auto probe = LoopbackReceiver::Start({.state = "x"});
    ASSERT_TRUE(probe.has_value());
    port = (*probe)->port();
  }
  auto fixed = rig_.Session({.callback_port = port});
  ASSERT_TRUE(fixed->Login()) << fixed->last_error();
  const std::string with_port = "http://127.0.0.1:" + std::to_string(port) + "/callback";
  EXPECT_EQ(QueryOf(rig_.browser->urls[0])["redirect_uri"], with_port);
  EXPECT_EQ(rig_.Stored().client.redirect_uri, with_port);
  // The same port again: the registration is reused.
  auto same = rig_.Session({.callback_port = port});
  ASSERT_TRUE(same->Login()) << same->last_error();
  EXPECT_EQ(rig_.storage.registration_saves(), 1);
  // The default (any port): that registration names another redirect URI, so a new one.
  auto ephemeral = rig_.Session();
  ASSERT_TRUE(ephemeral->Login()) << ephemeral->last_error();
  EXPECT_EQ(rig_.storage.registration_saves(), 2);
  EXPECT_EQ(rig_.Stored().client.redirect_uri, "http://127.0.0.1/callback");
  EXPECT_NE(QueryOf(rig_.browser->urls[0])["client_id"],
            QueryOf(rig_.browser->urls[2])["client_id"]);
}

TEST_F(OAuthClientFlowTest, AnExpiredTokenWithoutARefreshTokenIsNotSentAndAsksForASignIn) {
  auto first = rig_.Session();
  ASSERT_TRUE(first->Login()) << first->last_error();
  Credential c = rig_.Stored();
  c.refresh_token = Secret();  // an AS that issues none (the TypeScript SDK's demo AS)
  ASSERT_TRUE(rig_.storage.SaveCredential(c));
  auto later = rig_.Session({.interactive = false});
  http::Headers headers;
  later->AddAuthorization(headers);
  EXPECT_TRUE(headers.Get("Authorization").has_value()) << "still valid: sent";
  rig_.as->clock.Advance(
      std::chrono::duration_cast<std::chrono::microseconds>(*c.expires_at - rig_.as->clock.Now()) +
      std::chrono::seconds(1));
  auto restarted = rig_.Session({.interactive = false});
  http::Headers after;
  restarted->AddAuthorization(after);
  EXPECT_FALSE(after.Get("Authorization").has_value()) << "expired, nothing to renew it: not sent";
  auto text = rig_.Call(*restarted, "whoami");
  ASSERT_FALSE(text.has_value());
  EXPECT_EQ(text.error(), Errc::kLoginRequired) << restarted->last_error();
  EXPECT_EQ(rig_.browser->urls.size(), 1u);
}

class OAuthClientWrongAudienceTest : public ::testing::Test {
 protected:
  // The MCP server accepts only tokens for another audience: every token we get is refused.
  OAuthRig rig_{OAuthRigOptions{.validator_audience = "https://elsewhere.example/mcp"}};
};

TEST_F(OAuthClientWrongAudienceTest, A401RightAfterALoginStopsInsteadOfLooping) {
  auto session = rig_.Session();
  auto text = rig_.Call(*session, "whoami");
  ASSERT_FALSE(text.has_value());
  EXPECT_EQ(text.error(), Errc::kUnauthorizedAfterLogin);
  EXPECT_EQ(rig_.browser->urls.size(), 1u);
}

}  // namespace
}  // namespace mcpauth::oauth::client
