// LoopbackReceiver on a real socket: the redirect URI, the first callback deciding the flow, the
// pages, later requests, the timeout (RFC 8252 §7.3, §8.3).
#include "mcpauth/oauth/client/loopback_receiver.hpp"

#include <gtest/gtest.h>

#include "mcpauth/http/client.hpp"
#include "mcpauth/oauth/client/errc.hpp"

namespace mcpauth::oauth::client {
namespace {

using namespace std::chrono_literals;

class LoopbackReceiverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = LoopbackReceiver::Start(
        {.state = "the-state", .issuer = "https://as.example", .iss_required = true},
        {.app_name = "Test App", .server_label = "tools.example"});
    ASSERT_TRUE(started.has_value());
    receiver_ = std::move(*started);
  }
  http::Response Get(const std::string& path_and_query) {
    auto r = http_.Send(
        {.method = "GET",
         .url = "http://127.0.0.1:" + std::to_string(receiver_->port()) + path_and_query});
    EXPECT_TRUE(r.has_value());
    return r ? *r : http::Response{};
  }

  std::unique_ptr<LoopbackReceiver> receiver_;
  http::Client http_;
};

TEST_F(LoopbackReceiverTest, RedirectUriIsLoopbackIpWithTheEphemeralPort) {
  EXPECT_EQ(receiver_->redirect_uri(),
            "http://127.0.0.1:" + std::to_string(receiver_->port()) + "/callback");
  EXPECT_NE(receiver_->port(), 0);
  EXPECT_EQ(RegisteredRedirectUri(), "http://127.0.0.1/callback");
  // Two flows at once never share a port (PEERS pain point 13).
  auto other = LoopbackReceiver::Start({.state = "x"});
  ASSERT_TRUE(other.has_value());
  EXPECT_NE((*other)->port(), receiver_->port());
}

TEST_F(LoopbackReceiverTest, AFixedPortIsUsedAndRegisteredWhenAskedFor) {
  // For an AS that compares the loopback port (against RFC 8252 §7.3): the port is chosen.
  auto fixed = LoopbackReceiver::Start({.state = "x"}, {.port = receiver_->port()});
  EXPECT_FALSE(fixed.has_value()) << "the port is busy: a clear failure, not another port";
  const uint16_t port = receiver_->port();
  receiver_.reset();  // frees it
  fixed = LoopbackReceiver::Start({.state = "x"}, {.port = port});
  ASSERT_TRUE(fixed.has_value());
  EXPECT_EQ((*fixed)->port(), port);
  EXPECT_EQ((*fixed)->redirect_uri(), "http://127.0.0.1:" + std::to_string(port) + "/callback");
  EXPECT_EQ(RegisteredRedirectUri(kCallbackPath, port), (*fixed)->redirect_uri());
}

TEST_F(LoopbackReceiverTest, FirstGoodCallbackGivesTheCodeAndASuccessPage) {
  auto page = Get("/callback?code=the-code&state=the-state&iss=https%3A%2F%2Fas.example");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("Signed in to tools.example"), std::string::npos);
  EXPECT_NE(page.body.find("You can close this tab and return to Test App."), std::string::npos);
  EXPECT_EQ(page.headers.Get("Cache-Control"), "no-store");
  std::string detail;
  auto code = receiver_->Wait(0ms, detail);
  ASSERT_TRUE(code.has_value()) << detail;
  EXPECT_EQ(code->Reveal(), "the-code");
  // A reload of the tab changes nothing.
  auto again = Get("/callback?code=other&state=the-state&iss=https%3A%2F%2Fas.example");
  EXPECT_NE(again.body.find("already finished"), std::string::npos);
  EXPECT_EQ(receiver_->Wait(0ms, detail)->Reveal(), "the-code");
  EXPECT_EQ(Get("/favicon.ico").status, 404);
}

TEST_F(LoopbackReceiverTest, ABareVisitOrAHeadDoesNotEndTheFlow) {
  EXPECT_EQ(Get("/callback").status, 400);
  auto head = http_.Send(
      {.method = "HEAD",
       .url = receiver_->redirect_uri() + "?code=x&state=the-state&iss=https%3A%2F%2Fas.example"});
  ASSERT_TRUE(head.has_value());
  std::string detail;
  EXPECT_EQ(receiver_->Wait(0ms, detail).error(), Errc::kLoginTimeout);
  Get("/callback?code=real&state=the-state&iss=https%3A%2F%2Fas.example");
  EXPECT_EQ(receiver_->Wait(0ms, detail)->Reveal(), "real");
}

TEST_F(LoopbackReceiverTest, ABadCallbackEndsTheFlowWithAnErrorPage) {
  auto page = Get("/callback?code=x&state=forged&iss=https%3A%2F%2Fas.example");
  EXPECT_EQ(page.status, 400);
  EXPECT_NE(page.body.find("Sign-in failed"), std::string::npos);
  std::string detail;
  auto code = receiver_->Wait(0ms, detail);
  ASSERT_FALSE(code.has_value());
  EXPECT_EQ(code.error(), Errc::kStateMismatch);
}

TEST_F(LoopbackReceiverTest, ServerTextIsEscapedOnThePage) {
  auto page =
      Get("/callback?error=access_denied&error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E"
          "&state=the-state&iss=https%3A%2F%2Fas.example");
  EXPECT_EQ(page.status, 400);
  EXPECT_EQ(page.body.find("<script>"), std::string::npos);
  EXPECT_NE(page.body.find("&lt;script&gt;"), std::string::npos);
}

TEST_F(LoopbackReceiverTest, NoCallbackIsATimeout) {
  std::string detail;
  auto code = receiver_->Wait(0ms, detail);
  ASSERT_FALSE(code.has_value());
  EXPECT_EQ(code.error(), Errc::kLoginTimeout);
}

}  // namespace
}  // namespace mcpauth::oauth::client
