// OAuthSession without a browser or an MCP server: refresh (rotation, single-flight, what is
// kept and what is dropped — CL21, PEERS pain points 1-3, 23), logout (RFC 7009), the header
// hook (CL19), non-interactive use.
#include "mcpauth/oauth/client/session.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "fakes/fake_clock.hpp"
#include "mcpauth/http/form.hpp"
#include "mcpauth/oauth/client/errc.hpp"
#include "unit/oauth_client/fake_http.hpp"

namespace mcpauth::oauth::client {
namespace {

using namespace std::chrono_literals;

constexpr const char* kServer = "https://mcp.example/mcp";
constexpr const char* kToken = "https://as.example/token";
constexpr const char* kRevoke = "https://as.example/revoke";

class SessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ClientRegistration client;
    client.issuer = "https://as.example";
    client.client_id = "dyn-client";
    client.kind = RegistrationKind::kDynamic;
    ASSERT_TRUE(storage_.SaveRegistration(client));
    Credential c;
    c.server_url = kServer;
    c.issuer = client.issuer;
    c.resource = kServer;
    c.token_endpoint = kToken;
    c.revocation_endpoint = kRevoke;
    c.client = client;
    c.access_token = Secret("at-0");
    c.refresh_token = Secret("rt-0");
    c.expires_at = clock_.Now() + 3600s;
    c.scopes = {"mcp:read"};
    c.obtained_at = clock_.Now();
    ASSERT_TRUE(storage_.SaveCredential(c));
  }

  std::unique_ptr<OAuthSession> NewSession(OAuthClientOptions options = {}) {
    options.notify = [](std::string_view) {};
    return std::make_unique<OAuthSession>(
        OAuthSessionDeps{http_.Send(), storage_, clock_, OpenSslRandom::Instance()}, kServer,
        std::move(options));
  }

  // The token endpoint rotates: every refresh gets at-N / rt-N.
  void RotatingTokenEndpoint() {
    http_.On("POST", kToken, [this](const http::ClientRequest& r) {
      const int n = ++issued_;
      last_form_ = http::ParseForm(r.body).value();
      return Result<http::Response>(http::Response::Json(
          200, R"({"access_token":"at-)" + std::to_string(n) +
                   R"(","token_type":"Bearer","expires_in":3600,"refresh_token":"rt-)" +
                   std::to_string(n) + R"("})"));
    });
  }

  Credential Stored() { return storage_.LoadCredential(kServer).value().value(); }
  std::string Header(OAuthSession& session) {
    http::Headers h;
    session.AddAuthorization(h);
    return std::string(h.Get("Authorization").value_or(""));
  }

  testing::FakeHttp http_;
  MemoryTokenStorage storage_;
  mcpauth::testing::FakeClock clock_;
  std::atomic<int> issued_{0};
  http::Form last_form_;
};

TEST_F(SessionTest, HeaderHookSendsTheStoredTokenOnlyToItsServer) {
  auto session = NewSession();
  EXPECT_EQ(Header(*session), "Bearer at-0");
  OAuthSession other({http_.Send(), storage_, clock_, OpenSslRandom::Instance()},
                     "https://other.example/mcp", {});
  EXPECT_EQ(Header(other), "");
}

TEST_F(SessionTest, NoRequestWhileTheTokenIsFresh) {
  RotatingTokenEndpoint();
  auto session = NewSession();
  ASSERT_TRUE(session->Refresh(false));
  EXPECT_TRUE(http_.requests().empty());
  EXPECT_EQ(Header(*session), "Bearer at-0");
}

TEST_F(SessionTest, RefreshBeforeExpiryRotatesAndPersists) {
  RotatingTokenEndpoint();
  auto session = NewSession();
  clock_.Advance(3600s - 59s);  // under the 60 s margin
  ASSERT_TRUE(session->Refresh(false)) << session->last_error();
  EXPECT_EQ(last_form_.Get("grant_type"), "refresh_token");
  EXPECT_EQ(last_form_.Get("refresh_token"), "rt-0");
  EXPECT_EQ(last_form_.Get("resource"), kServer);  // CL13: every token request
  EXPECT_EQ(last_form_.Get("client_id"), "dyn-client");
  const Credential c = Stored();
  EXPECT_EQ(c.access_token.Reveal(), "at-1");
  EXPECT_EQ(c.refresh_token.Reveal(), "rt-1");    // rotation persisted
  EXPECT_EQ(c.expires_at, clock_.Now() + 3600s);  // absolute expiry stored (pain point 2)
  EXPECT_EQ(c.scopes, std::vector<std::string>{"mcp:read"});
  EXPECT_EQ(Header(*session), "Bearer at-1");
}

TEST_F(SessionTest, RefreshWithoutANewRefreshTokenKeepsTheOldOne) {
  http_.Json(kToken, 200, R"({"access_token":"at-9","token_type":"Bearer"})", "POST");
  auto session = NewSession();
  ASSERT_TRUE(session->Refresh(true));
  const Credential c = Stored();
  EXPECT_EQ(c.access_token.Reveal(), "at-9");
  EXPECT_EQ(c.refresh_token.Reveal(), "rt-0");
  EXPECT_FALSE(c.expires_at.has_value());
}

TEST_F(SessionTest, TransientFailuresKeepEverything) {
  auto session = NewSession();
  for (int status : {500, 503, 429}) {
    http_.Json(kToken, status, R"({"error":"temporarily_unavailable"})", "POST");
    auto st = session->Refresh(true);
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error(), Errc::kTemporarilyUnavailable) << status;
    EXPECT_EQ(Stored().refresh_token.Reveal(), "rt-0") << status;
    EXPECT_NE(session->last_error().find("kept"), std::string::npos);
  }
  http_.Json(kToken, 400, R"({"error":"temporarily_unavailable"})", "POST");
  EXPECT_EQ(session->Refresh(true).error(), Errc::kTemporarilyUnavailable);
  http_.Fail(kToken, http::ClientErrc::kConnectFailed, "POST");
  EXPECT_EQ(session->Refresh(true).error(), Errc::kTemporarilyUnavailable);
  EXPECT_EQ(Stored().refresh_token.Reveal(), "rt-0");
  EXPECT_EQ(Header(*session), "Bearer at-0");
  // Other refusals (invalid_scope...) keep them too: nothing proves the grant dead.
  http_.Json(kToken, 400, R"({"error":"invalid_scope"})", "POST");
  EXPECT_EQ(session->Refresh(true).error(), Errc::kTokenEndpointError);
  EXPECT_EQ(Stored().refresh_token.Reveal(), "rt-0");
}

TEST_F(SessionTest, InvalidGrantDropsTheTokensButNotTheRegistration) {
  http_.Json(kToken, 400, R"({"error":"invalid_grant","error_description":"revoked"})", "POST");
  auto session = NewSession();
  EXPECT_EQ(session->Refresh(true).error(), Errc::kInvalidGrant);
  EXPECT_FALSE(storage_.LoadCredential(kServer).value().has_value());
  EXPECT_TRUE(storage_.LoadRegistration("https://as.example").value().has_value());
  EXPECT_EQ(Header(*session), "");
  EXPECT_NE(session->last_error().find("revoked"), std::string::npos);
}

TEST_F(SessionTest, AfterARefusedRefreshTheSignInMessageSaysAccessWasRevoked) {
  http_.Json(kToken, 400, R"({"error":"invalid_grant"})", "POST");
  auto session = NewSession({.interactive = false});
  EXPECT_EQ(session->Refresh(true).error(), Errc::kInvalidGrant);
  auto st = session->Login();
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error(), Errc::kLoginRequired);
  EXPECT_NE(session->last_error().find("was revoked or has expired"), std::string::npos)
      << session->last_error();
  EXPECT_NE(session->last_error().find("mcpauth login"), std::string::npos);
}

TEST_F(SessionTest, InvalidClientDropsTheDynamicRegistrationToo) {
  http_.Json(kToken, 401, R"({"error":"invalid_client"})", "POST");
  auto session = NewSession();
  EXPECT_EQ(session->Refresh(true).error(), Errc::kInvalidClient);
  EXPECT_FALSE(storage_.LoadCredential(kServer).value().has_value());
  EXPECT_FALSE(storage_.LoadRegistration("https://as.example").value().has_value());
}

TEST_F(SessionTest, RefreshIsSingleFlightAcrossSessionsSharingTheStorage) {
  RotatingTokenEndpoint();
  constexpr int kSessions = 8;
  std::vector<std::unique_ptr<OAuthSession>> sessions;
  for (int i = 0; i < kSessions; ++i) {
    sessions.push_back(NewSession());
    EXPECT_EQ(Header(*sessions.back()), "Bearer at-0");  // each has loaded the old token
  }
  clock_.Advance(3590s);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (auto& s : sessions) {
    threads.emplace_back([&, session = s.get()] { ok += session->Refresh(false) ? 1 : 0; });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(ok.load(), kSessions);
  EXPECT_EQ(issued_.load(), 1);  // one refresh for everybody: the rotating token never raced
  for (auto& s : sessions) {
    EXPECT_EQ(Header(*s), "Bearer at-1");
  }
}

TEST_F(SessionTest, AnotherSessionsNewTokenIsTakenFromStorageWithoutARequest) {
  RotatingTokenEndpoint();
  auto a = NewSession();
  auto b = NewSession();
  EXPECT_EQ(Header(*b), "Bearer at-0");
  ASSERT_TRUE(a->Refresh(true));  // at-1 stored
  EXPECT_EQ(issued_.load(), 1);
  // b still holds at-0; its next refresh re-reads the storage under the lock and takes a's
  // token instead of spending the (rotated, now superseded) refresh token it had.
  ASSERT_TRUE(b->Refresh(false));
  EXPECT_EQ(Header(*b), "Bearer at-1");
  EXPECT_EQ(issued_.load(), 1);
}

TEST_F(SessionTest, NonInteractiveSessionNeverStartsALogin) {
  auto session = NewSession({.interactive = false});
  auto st = session->Login();
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error(), Errc::kLoginRequired);
  EXPECT_NE(session->last_error().find("mcpauth login"), std::string::npos);
  EXPECT_TRUE(http_.requests().empty());
}

TEST_F(SessionTest, LogoutRevokesRefreshThenAccessTokenAndDeletes) {
  http_.Json(kRevoke, 200, "", "POST");
  auto session = NewSession();
  auto report = session->Logout();
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->had_credentials);
  EXPECT_TRUE(report->revocation_supported);
  EXPECT_TRUE(report->revoked);
  auto requests = http_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(http::ParseForm(requests[0].body)->Get("token"), "rt-0");
  EXPECT_EQ(http::ParseForm(requests[0].body)->Get("token_type_hint"), "refresh_token");
  EXPECT_EQ(http::ParseForm(requests[1].body)->Get("token"), "at-0");
  EXPECT_FALSE(storage_.LoadCredential(kServer).value().has_value());
  EXPECT_EQ(Header(*session), "");
  // Nothing left: a second logout is a no-op.
  EXPECT_FALSE(session->Logout()->had_credentials);
}

TEST_F(SessionTest, LogoutDeletesLocallyEvenWhenTheAuthorizationServerIsDown) {
  http_.Fail(kRevoke, http::ClientErrc::kConnectFailed, "POST");
  auto session = NewSession();
  auto report = session->Logout();
  ASSERT_TRUE(report.has_value());
  EXPECT_FALSE(report->revoked);
  EXPECT_FALSE(report->detail.empty());
  EXPECT_FALSE(storage_.LoadCredential(kServer).value().has_value());
}

TEST_F(SessionTest, SummaryShowsAFingerprintNotTheToken) {
  auto session = NewSession();
  auto summary = session->Summary();
  ASSERT_TRUE(summary.has_value());
  EXPECT_EQ(summary->issuer, "https://as.example");
  EXPECT_EQ(summary->client_id, "dyn-client");
  EXPECT_TRUE(summary->has_refresh_token);
  EXPECT_EQ(summary->access_token_fingerprint, Secret("at-0").Fingerprint());
}

TEST_F(SessionTest, StorageFailureIsReported) {
  auto session = NewSession();
  storage_.SetFailing(true);
  EXPECT_EQ(session->Refresh(true).error(), Errc::kStorageFailed);
}

}  // namespace
}  // namespace mcpauth::oauth::client
