#include "mcpauth/http/router.hpp"

#include <gtest/gtest.h>

namespace mcpauth::http {
namespace {

Response Ok(const Request&) { return Response::Text(200, "ok"); }

TEST(RouterTest, ExactPathAndMethod) {
  Router r;
  r.Add("GET", "/a", Ok);
  auto m = r.Find("GET", "/a");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.status, 200);
  EXPECT_EQ(r.Find("GET", "/a/").status, 404);
  EXPECT_EQ(r.Find("GET", "/A").status, 404);
  EXPECT_EQ(r.Find("GET", "/").status, 404);
}

TEST(RouterTest, WrongMethodIs405ListingAllowedMethods) {
  Router r;
  r.Add("POST", "/token", Ok);
  r.Add("GET", "/token", Ok);
  auto m = r.Find("DELETE", "/token");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.status, 405);
  EXPECT_EQ(m.allow, "GET, HEAD, POST");
}

TEST(RouterTest, HeadFallsBackToGet) {
  Router r;
  r.Add("GET", "/x", Ok);
  EXPECT_EQ(r.Find("HEAD", "/x").status, 200);
}

TEST(RouterTest, MethodIsCaseSensitive) {
  Router r;
  r.Add("GET", "/x", Ok);
  EXPECT_EQ(r.Find("get", "/x").status, 405);  // RFC 9110 §9.1
}

TEST(RouterTest, LongestPrefixWinsAndExactBeatsPrefix) {
  Router r;
  int hit = 0;
  r.AddPrefix("GET", "/.well-known/", [&](const Request&) {
    hit = 1;
    return Response{};
  });
  r.AddPrefix("GET", "/.well-known/oauth-protected-resource/", [&](const Request&) {
    hit = 2;
    return Response{};
  });
  r.Add("GET", "/.well-known/oauth-protected-resource/exact", [&](const Request&) {
    hit = 3;
    return Response{};
  });
  auto call = [&](std::string_view path) {
    auto m = r.Find("GET", path);
    EXPECT_NE(m.route, nullptr) << path;
    if (m.route) {
      struct Ex : Exchange {
        Request req;
        const Request& request() const override { return req; }
        void Respond(Response) override {}
        std::shared_ptr<EventStream> StartStream(Response) override { return nullptr; }
        void OnDisconnect(std::function<void()>) override {}
        bool disconnected() const override { return false; }
      };
      m.route->handler(std::make_shared<Ex>());
    }
    return hit;
  };
  EXPECT_EQ(call("/.well-known/other"), 1);
  EXPECT_EQ(call("/.well-known/oauth-protected-resource/mcp"), 2);
  EXPECT_EQ(call("/.well-known/oauth-protected-resource/exact"), 3);
}

TEST(RouterTest, TracksLargestBodyLimit) {
  Router r;
  r.Add("POST", "/small", Ok, RouteOptions{.body_limit = 10});
  r.Add("POST", "/big", Ok, RouteOptions{.body_limit = 5000});
  EXPECT_EQ(r.max_body_limit(), 5000u);
  EXPECT_EQ(r.Find("POST", "/small").route->options.body_limit, 10u);
}

TEST(HeadersTest, CaseInsensitiveLookupKeepsOrderAndRepeats) {
  Headers h;
  h.Add("Set-Cookie", "a=1");
  h.Add("set-cookie", "b=2");
  h.Add("Content-Type", "text/plain");
  EXPECT_EQ(h.Get("SET-COOKIE").value(), "a=1");
  EXPECT_EQ(h.GetAll("Set-Cookie").size(), 2u);
  EXPECT_EQ(h.Count("content-type"), 1u);
  h.Set("SET-COOKIE", "c=3");
  EXPECT_EQ(h.GetAll("set-cookie").size(), 1u);
  EXPECT_EQ(h.Get("set-cookie").value(), "c=3");
  h.Remove("content-TYPE");
  EXPECT_FALSE(h.Has("Content-Type"));
  EXPECT_FALSE(h.Get("missing").has_value());
}

TEST(ReasonPhraseTest, KnowsTheStatusesWeSend) {
  EXPECT_EQ(ReasonPhrase(431), "Request Header Fields Too Large");
  EXPECT_EQ(ReasonPhrase(413), "Content Too Large");
  EXPECT_EQ(ReasonPhrase(599), "");
}

}  // namespace
}  // namespace mcpauth::http

namespace mcpauth::http {
namespace {

TEST(TokenTest, Rfc9110Section5_6_2Tokens) {
  EXPECT_TRUE(IsToken("GET"));
  EXPECT_TRUE(IsToken("x-custom_Header.1"));
  EXPECT_TRUE(IsToken("!#$%&'*+-.^_`|~"));
  EXPECT_FALSE(IsToken(""));
  EXPECT_FALSE(IsToken("a b"));
  EXPECT_FALSE(IsToken("a:b"));
  EXPECT_FALSE(IsToken("a\"b"));
  EXPECT_FALSE(IsToken(std::string_view("a\0b", 3)));
  EXPECT_FALSE(IsToken("caf\xc3\xa9"));
}

}  // namespace
}  // namespace mcpauth::http
