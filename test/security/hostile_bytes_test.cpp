// Hostile bytes at every endpoint (RFC 9700 §4 in general; RFC 9110 §5.5 field values, RFC 9112
// §2.2 message parsing; CWE-93 CRLF injection, CWE-158 NUL): CR, LF and NUL in every parameter of
// every endpoint, in header fields and in the request target; oversized headers and bodies;
// slow-loris (headers or a body dribbled in forever). The answer is always a 4xx — never a 5xx, an
// injected header, a crash — and nothing is issued.
#include <thread>

#include "security/security_harness.hpp"

namespace mcpauth::testing {
namespace {

using namespace std::chrono_literals;
using namespace std::string_literals;
using HostileBytes = AttackTest;

const std::vector<std::string>& Payloads() {
  static const std::vector<std::string> p{
      "x\r\nX-Injected: 1",   "x\nX-Injected: 1",   "x\r",
      std::string("x\0y", 3), std::string("\0", 1), "x\r\n\r\n<script>"};
  return p;
}

// A refusal that injected nothing.
void ExpectCleanRefusal(const http::Response& r, const std::string& what) {
  EXPECT_GE(r.status, 400) << what;
  EXPECT_LT(r.status, 500) << what;
  EXPECT_FALSE(r.headers.Has("X-Injected")) << what;
  for (auto c : r.headers.GetAll("Set-Cookie")) {
    EXPECT_EQ(c.find("X-Injected"), std::string::npos) << what;
  }
}

std::vector<std::pair<std::string, std::string>> Replace(
    std::vector<std::pair<std::string, std::string>> params, const std::string& name,
    const std::string& value) {
  for (auto& [k, v] : params) {
    if (k == name) {
      v = value;
    }
  }
  return params;
}

TEST_F(HostileBytes, CrLfAndNulInEveryAuthorizeParameter) {
  const std::string client_id = as().RegisterPublic();
  const auto params = as().AuthParams(client_id, kLoopback, kVerifier);
  const StoreState before = Now();
  for (const auto& [name, ignored] : params) {
    for (const std::string& bad : Payloads()) {
      const std::string what = "/authorize " + name;
      auto r = AuthorizeOnce(Replace(params, name, std::string(ignored) + bad));
      // A redirect is allowed only to the registered URI, carrying an error, never a code, and
      // with the bytes encoded.
      if (r.status == 303) {
        const std::string location = LocationOf(r);
        EXPECT_EQ(location.rfind(std::string(kLoopback) + "?", 0), 0u) << what;
        EXPECT_EQ(location.find_first_of(std::string("\r\n\0", 3)), std::string::npos) << what;
        EXPECT_FALSE(QueryOf(location)["error"].empty()) << what;
        EXPECT_EQ(QueryOf(location).count("code"), 0u) << what;
        EXPECT_FALSE(r.headers.Has("X-Injected")) << what;
      } else {
        ExpectCleanRefusal(r, what);
      }
    }
  }
  EXPECT_EQ(Now(), before);
}

TEST_F(HostileBytes, CrLfAndNulInEveryTokenParameter) {
  const std::string client_id = as().RegisterPublic();
  auto browser = as().NewBrowser();
  auto authz = as().Authorize(browser, as().AuthParams(client_id, kLoopback, kVerifier));
  const std::vector<std::pair<std::string, std::string>> form{{"grant_type", "authorization_code"},
                                                              {"client_id", client_id},
                                                              {"code", authz.code},
                                                              {"code_verifier", kVerifier},
                                                              {"redirect_uri", kLoopback},
                                                              {"resource", as().resource}};
  for (const auto& [name, value] : form) {
    for (const std::string& bad : Payloads()) {
      auto r = as().PostForm("/token", Replace(form, name, value + bad));
      ExpectCleanRefusal(r, "/token " + name);
      EXPECT_EQ(r.body.find("access_token"), std::string::npos) << name;
    }
  }
  // The code was never accepted with a hostile companion: it still works, once.
  EXPECT_TRUE(as().store().ListAudit({.type = "token.issued"})->empty());
  // Refresh, revoke, introspect.
  for (const std::string& bad : Payloads()) {
    ExpectCleanRefusal(as().RefreshToken(client_id, "tok" + bad), "refresh");
    auto r = as().PostForm("/revoke", {{"client_id", client_id}, {"token", "tok" + bad}});
    EXPECT_LT(r.status, 500);
    EXPECT_FALSE(r.headers.Has("X-Injected"));
    ExpectCleanRefusal(
        as().PostForm("/introspect", {{"client_id", client_id + bad}, {"token", "t"}}),
        "introspect");
  }
}

TEST_F(HostileBytes, CrLfAndNulInEverySignInField) {
  const StoreState before = Now();
  for (const std::string field : {"username", "password", "csrf_token", "return_to"}) {
    for (const std::string& bad : Payloads()) {
      auto browser = as().NewBrowser();
      auto page = browser.Go("GET", as().Url("/login"));
      std::map<std::string, std::string> fields{{"username", AsHarness::kUser},
                                                {"password", AsHarness::kPassword}};
      fields[field] = (field == "username"   ? std::string(AsHarness::kUser)
                       : field == "password" ? std::string(AsHarness::kPassword)
                                             : InputValue(page.body, field)) +
                      bad;
      auto r = browser.Submit(page, "/login", fields);
      if (r.status == 303) {  // return_to falls back to our own page
        EXPECT_EQ(field, "return_to");
        EXPECT_EQ(LocationOf(r), "/apps");
      } else {
        ExpectCleanRefusal(r, "/login " + field);
        EXPECT_FALSE(r.headers.Has("Location")) << field;
      }
    }
  }
  EXPECT_EQ(Now(), before);
}

// Registration: control characters in every string member are refused (they would reach the
// consent page and the logs). A registration limit that lets all 36 attempts through.
TEST(HostileRegistration, CrLfAndNulInEveryRegistrationMember) {
  SecurityStack stack({.limits = [](oauth::AuthorizationServerLimits& l) {
    l.registrations_per_address = {.burst = 1000, .per_second = 1, .max_keys = 100};
  }});
  auto& as = stack.as();
  const StoreState before = Snapshot(as.store());
  for (const std::string member : {"client_name", "redirect_uris", "client_uri", "logo_uri",
                                   "token_endpoint_auth_method", "scope"}) {
    for (const std::string& bad : Payloads()) {
      boost::json::object body{{"client_name", "App"},
                               {"redirect_uris", boost::json::array{"http://127.0.0.1/cb"}},
                               {"token_endpoint_auth_method", "none"}};
      if (member == "redirect_uris") {
        body[member] = boost::json::array{"http://127.0.0.1/cb" + bad};
      } else if (member == "client_uri" || member == "logo_uri") {
        body[member] = "https://app.example.com/" + bad;
      } else {
        body[member] = (member == "token_endpoint_auth_method" ? "none" : "mcp:read") + bad;
        if (member == "client_name") {
          body[member] = "App" + bad;
        }
      }
      auto r = as.PostJson("/register", boost::json::serialize(body));
      EXPECT_EQ(r.status, 400) << member << " " << boost::json::serialize(boost::json::value(bad));
      EXPECT_TRUE(Str(Json(r), "error") == "invalid_client_metadata" ||
                  Str(Json(r), "error") == "invalid_redirect_uri")
          << member << ": " << r.body;
    }
  }
  EXPECT_EQ(Snapshot(as.store()), before);
}

// Bytes no polite client sends: CR, LF and NUL in a header value or the request target, bare LF
// line ends, obsolete line folding. Sent raw; answered 400 (or the request ends) with nothing
// injected; the server keeps serving.
TEST_F(HostileBytes, RawControlBytesInHeadersAndTargetAre400) {
  auto c = stack_.Connect();
  const std::string good = "GET /.well-known/oauth-authorization-server HTTP/1.1\r\nHost: x\r\n";
  for (const std::string& raw : {
           good + "X-A: a\0b\r\n\r\n"s,
           good + "X-A: a\rX-Injected: 1\r\n\r\n",
           "GET /authorize?x=\0 HTTP/1.1\r\nHost: x\r\n\r\n"s,
           "GET /authorize?x=\r\nX-Injected: 1 HTTP/1.1\r\nHost: x\r\n\r\n"s,
           "GET /authorize?x=\nX-Injected: 1 HTTP/1.1\r\nHost: x\r\n\r\n"s,
           "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "s + c.access_token +
               "\0\r\nContent-Length: 0\r\n\r\n"s,
           "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nMcp-Session-Id: a\0b\r\n"
           "Content-Length: 0\r\n\r\n"s,
       }) {
    RawSocket s(stack_.port());
    ASSERT_TRUE(s.Send(raw));
    const std::string answer = s.ReadResponse(10s);
    const std::string sent = boost::json::serialize(boost::json::value(raw.substr(0, 80)));
    if (!answer.empty()) {
      EXPECT_EQ(answer.substr(0, 9), "HTTP/1.1 ") << sent << answer.substr(0, 200);
      EXPECT_EQ(answer[9], '4') << sent << answer.substr(0, 200);
      EXPECT_EQ(answer.find("X-Injected"), std::string::npos);
    }
  }
  // Obsolete line folding: RFC 9112 §5.2 lets a server reject it (400) or replace it with a space;
  // Beast replaces it. Either way it starts no new field and is never a 5xx.
  {
    RawSocket s(stack_.port());
    ASSERT_TRUE(s.Send(good + "X-A: a\r\n folded\r\n\r\n"));
    const std::string answer = s.ReadResponse(10s);
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 200") || answer.starts_with("HTTP/1.1 400"))
        << answer.substr(0, 200);
  }
  EXPECT_EQ(as().Send({.method = "GET", .url = as().Url("/jwks.json")}).status, 200)
      << "still serving";
}

// Oversized input: a header block over 16 KiB is 431; a body over the route's limit is 413 before
// it is read (form endpoints 64 KiB, registration 16 KiB, MCP 4 MiB); an over-long token is
// refused without work.
TEST_F(HostileBytes, OversizedHeadersAndBodiesAreRefused) {
  http::Headers big;
  big.Set("Cookie", "mcpauth_session=" + std::string(20 * 1024, 'a'));
  auto r = as().Send({.method = "GET", .url = as().Url("/login"), .headers = big});
  EXPECT_EQ(r.status, 431);
  auto c = stack_.Connect();
  r = stack_.CallMcp("/mcp", std::string(12 * 1024, 'a'));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(Str(Json(r), "error_description"), "The access token is malformed");
  const StoreState before = Now();
  // A declared length over the route's limit is refused from the header alone (form endpoints
  // 64 KiB, registration 16 KiB, MCP 4 MiB), before a byte of the body is read.
  for (const auto& [path, length] :
       std::vector<std::pair<std::string, size_t>>{{"/token", 200 * 1024},
                                                   {"/login", 200 * 1024},
                                                   {"/register", 17 * 1024},
                                                   {"/mcp", 5 * 1024 * 1024},
                                                   {"/token", 1'000'000'000}}) {
    RawSocket s(stack_.port());
    ASSERT_TRUE(
        s.Send("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " +
               (path == "/register" || path == "/mcp" ? "application/json"
                                                      : "application/x-www-form-urlencoded") +
               "\r\nAuthorization: Bearer " + c.access_token +
               "\r\nContent-Length: " + std::to_string(length) + "\r\n\r\n"));
    EXPECT_EQ(s.ReadResponse().substr(0, 12), "HTTP/1.1 413") << path << " " << length;
  }
  // Chunked, so no length is declared: cut at the limit as it crosses.
  RawSocket chunked(stack_.port());
  ASSERT_TRUE(chunked.Send(
      "POST /token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded"
      "\r\nTransfer-Encoding: chunked\r\n\r\n"));
  std::string answer;
  for (int i = 0; i < 40 && answer.empty(); ++i) {
    if (!chunked.Send("1000\r\n" + std::string(0x1000, 'a') + "\r\n")) {
      break;
    }
    answer = chunked.ReadResponse(50ms);
  }
  if (answer.empty()) {
    answer = chunked.ReadResponse();
  }
  EXPECT_EQ(answer.substr(0, 12), "HTTP/1.1 413");
  EXPECT_EQ(Now(), before);
}

// Slow-loris: a client that keeps a connection by dribbling header lines (or a body) forever is
// closed by the server's header (body) timeout, a deadline for the whole header (body), not a
// per-read timeout. The AS's own routes, on a server with short timeouts; the only time bound is
// a generous one against hanging forever.
TEST_F(HostileBytes, SlowLorisIsClosedByTheServersTimeouts) {
  http::ServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.threads = 1;
  options.header_timeout = 500ms;
  options.body_timeout = 500ms;
  http::Server server(options, as().router);
  ASSERT_TRUE(server.Start().has_value());
  auto dribble = [&](const std::string& start, const std::string& drop) {
    RawSocket s(server.port());
    EXPECT_TRUE(s.Send(start));
    const auto give_up = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < give_up) {
      if (!s.Send(drop) || s.ClosedByPeer(100ms)) {
        return true;
      }
    }
    return false;
  };
  EXPECT_TRUE(dribble("GET /login HTTP/1.1\r\nHost: x\r\n", "X-Slow: a\r\n"))
      << "header dribble never closed";
  EXPECT_TRUE(dribble("GET /login HTTP/1.1\r\nHost: x\r\nX-Slow: ", "a"))
      << "one endless header value never closed";
  EXPECT_TRUE(
      dribble("POST /token HTTP/1.1\r\nHost: x\r\nContent-Type: "
              "application/x-www-form-urlencoded\r\nContent-Length: 60000\r\n\r\n",
              "a"))
      << "body dribble never closed";
  server.Shutdown();
  server.Wait();
}

}  // namespace
}  // namespace mcpauth::testing
