#include "mcpauth/oauth/redirect_uri.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace mcpauth::oauth {
namespace {

// ---- registration ------------------------------------------------------------------------

TEST(RedirectUriTest, AcceptsHttpsLoopbackAndReverseDomainSchemes) {
  for (std::string_view uri : {
           "https://app.example.com/callback",
           "https://app.example.com",
           "https://app.example.com:8443/cb?tenant=a&x=1",
           "https://192.0.2.10/cb",
           "https://[2001:db8::1]/cb",
           "HTTPS://App.Example.com/cb",   // RFC 3986 §3.1: the scheme is case-insensitive
           "https://xn--pple-43d.com/cb",  // punycode is ASCII: registrable, compared exactly
           "http://127.0.0.1/callback",
           "http://127.0.0.1:33418/callback",
           "http://127.10.20.30:1/cb",  // all of 127.0.0.0/8
           "http://[::1]/callback",
           "http://[::1]:8080/callback",
           "http://localhost:3000/callback",
           "http://LOCALHOST/cb",
           "http://localhost:/cb",  // empty port = default port (RFC 3986 §3.2.3)
           "com.example.app:/oauth2redirect/example-provider",  // RFC 8252 §7.1
           "com.example.app:/cb",
           "com.example.app://callback",
           "io.github.some-user.tool:/cb",
           "cursor://anysphere.cursor-mcp/oauth/callback",  // Cursor's MCP redirect
           "myapp:/cb",
       }) {
    EXPECT_EQ(RedirectUriProblem(uri), "") << uri;
  }
}

TEST(RedirectUriTest, RefusesDangerousAndUnknownSchemes) {
  for (std::string_view uri : {
           "javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<script>alert(1)</script>",
           "vbscript:msgbox(1)", "file:///etc/passwd", "blob:https://app.example.com/uuid",
           "about:blank", "ftp://files.example.com/cb", "ws://127.0.0.1/cb", "wss://x.example/cb",
           "mailto:a@example.com", "intent://x",
           "1app:/cb",    // RFC 3986 §3.1: a scheme starts with a letter
           "my_app:/cb",  // '_' is no scheme character
           ":/cb",        // no scheme
       }) {
    EXPECT_NE(RedirectUriProblem(uri), "") << uri;
  }
}

TEST(RedirectUriTest, RefusesHttpOnNonLoopbackHosts) {
  for (std::string_view uri : {
           "http://app.example.com/cb",
           "http://192.168.1.10/cb",
           "http://10.0.0.1/cb",
           "http://128.0.0.1/cb",
           "http://[::2]/cb",
           "http://localhost.example.com/cb",
           "http://localhost./cb",  // not the name "localhost"
           "http://127.1/cb",       // not a dotted quad: a reg-name, not loopback
           "http://0x7f.0.0.1/cb",
           "http://2130706433/cb",
       }) {
    EXPECT_NE(RedirectUriProblem(uri), "") << uri;
  }
}

TEST(RedirectUriTest, RefusesMalformedOrAmbiguousUris) {
  for (std::string_view uri : {
           "",
           "/relative/callback",
           "callback",
           "//app.example.com/cb",  // network-path reference, no scheme
           "https://app.example.com/cb#",
           "https://app.example.com/cb#frag",
           "http://evil@127.0.0.1/cb",  // userinfo
           "https://user:pass@app.example.com/cb",
           "https://@app.example.com/cb",  // empty userinfo is still userinfo
           "com.example.app://evil@callback/cb",
           "https:///cb",  // empty host
           "https:/cb",    // no authority
           "http:/cb",
           "https://ex%61mple.com/cb",  // percent-encoded host
           "http://127.0.0.%31/cb",
           "https://app.example.com:0/cb",
           "https://app.example.com:65536/cb",
           "https://app.example.com:99999999999999999999/cb",
           "https://[v7.future]/cb",
           "https://app.example.com/c b",
           " https://app.example.com/cb",
           "https://app.example.com/cb\n",
           "https://app.example.com/cb\r\nSet-Cookie: x=1",
           "https://app.example.com/\x7f",
           "https://\xd0\xb0pple.com/cb",  // a Cyrillic look-alike: raw UTF-8 is no URI
           "https://app.example.com/\xc3\xa9",
           "https://[::1/cb",
           "https://app.example.com:12ab/cb",
           // Boost.URL 1.81 reads these as port "443" and a path without its leading '/'
           // (boostorg/url#680); RFC 3986 §3.3 forbids that shape.
           "https://app.example.com:443evil.com/cb",
           "http://127.0.0.1:80x/cb",
           "https://app.example.com:a",
       }) {
    EXPECT_NE(RedirectUriProblem(uri), "") << testing::PrintToString(std::string(uri));
  }
}

TEST(RedirectUriTest, PortRangeEdges) {
  EXPECT_EQ(RedirectUriProblem("https://app.example.com:1/cb"), "");
  EXPECT_EQ(RedirectUriProblem("https://app.example.com:65535/cb"), "");
  EXPECT_NE(RedirectUriProblem("https://app.example.com:65536/cb"), "");
  EXPECT_NE(RedirectUriProblem("https://app.example.com:00000/cb"), "");
}

TEST(RedirectUriTest, ProblemNeverQuotesTheUri) {
  const std::string marker = "zzqmarker";
  for (const std::string& uri : {
           "http://" + marker + ".example.com/cb",
           "https://" + marker + "@app.example.com/cb",
           "javascript:" + marker,
           "ws://" + marker + ".example/cb",
           "https://app.example.com/cb#" + marker,
       }) {
    const std::string problem = RedirectUriProblem(uri);
    EXPECT_NE(problem, "") << uri;
    EXPECT_EQ(problem.find(marker), std::string::npos) << problem;
  }
}

TEST(RedirectUriTest, ProblemsSayWhatIsWrong) {
  EXPECT_NE(RedirectUriProblem("https://a.example/cb#x").find("fragment"), std::string::npos);
  EXPECT_NE(RedirectUriProblem("http://u@127.0.0.1/cb").find("user"), std::string::npos);
  EXPECT_NE(RedirectUriProblem("http://app.example.com/cb").find("loopback"), std::string::npos);
  EXPECT_NE(RedirectUriProblem("https://ex%61mple.com/cb").find("percent"), std::string::npos);
}

// ---- matching ------------------------------------------------------------------------------

struct MatchCase {
  std::string_view registered;
  std::string_view requested;
  bool matches;
};

TEST(RedirectUriTest, MatchesExactlyOutsideLoopback) {
  const MatchCase cases[] = {
      {"https://app.example.com/cb", "https://app.example.com/cb", true},
      {"https://app.example.com/cb?a=1", "https://app.example.com/cb?a=1", true},
      {"com.example.app:/cb", "com.example.app:/cb", true},
      // Another port on a non-loopback host is another endpoint.
      {"https://app.example.com/cb", "https://app.example.com:8443/cb", false},
      {"https://app.example.com:8443/cb", "https://app.example.com:9443/cb", false},
      {"https://app.example.com:8443/cb", "https://app.example.com/cb", false},
      // No normalisation at all (RFC 3986 §6.2.1 simple string comparison).
      {"https://app.example.com/cb", "https://app.example.com:443/cb", false},
      {"https://app.example.com/cb", "https://app.example.com/cb/", false},
      {"https://app.example.com/cb/", "https://app.example.com/cb", false},
      {"https://app.example.com", "https://app.example.com/", false},
      {"https://app.example.com/cb", "https://APP.example.com/cb", false},
      {"https://app.example.com/cb", "HTTPS://app.example.com/cb", false},
      {"https://app.example.com/cb", "https://app.example.com/CB", false},
      {"https://app.example.com/cb", "https://app.example.com/cb/evil", false},
      {"https://app.example.com/cb", "https://app.example.com/cb/../cb", false},
      {"https://app.example.com/cb", "https://app.example.com/%63b", false},
      {"https://app.example.com/cb", "https://app.example.com/cb?x=1", false},
      {"https://app.example.com/cb", "https://app.example.com/cb?", false},
      {"https://app.example.com/cb?a=1", "https://app.example.com/cb?a=1&a=2", false},
      {"https://app.example.com/cb?a=1&b=2", "https://app.example.com/cb?b=2&a=1", false},
      {"https://app.example.com/cb", "https://app.example.com/cb#", false},
      {"https://app.example.com/cb", "https://app.example.com/cb#x", false},
      {"https://app.example.com/cb", "https://app.example.com.evil.com/cb", false},
      {"https://app.example.com/cb", "https://app.example.com@evil.com/cb", false},
      {"https://apple.com/cb", "https://xn--pple-43d.com/cb", false},  // IDN look-alike
      {"https://xn--pple-43d.com/cb", "https://apple.com/cb", false},
      {"https://apple.com/cb", "https://\xd0\xb0pple.com/cb", false},
      {"com.example.app:/cb", "com.example.app:/cb/x", false},
      {"com.example.app:/cb", "COM.example.app:/cb", false},
      {"com.example.app:/cb", "com.example.app:/CB", false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(RedirectUriMatches(c.registered, c.requested), c.matches)
        << c.registered << " vs " << c.requested;
  }
}

TEST(RedirectUriTest, LoopbackIgnoresOnlyThePort) {
  const MatchCase cases[] = {
      // OAuth 2.1 §8.4.2 / RFC 8252 §7.3: any port at request time.
      {"http://127.0.0.1/callback", "http://127.0.0.1:51234/callback", true},
      {"http://127.0.0.1:8080/callback", "http://127.0.0.1:51234/callback", true},
      {"http://127.0.0.1:8080/callback", "http://127.0.0.1/callback", true},
      {"http://127.0.0.1:8080/callback", "http://127.0.0.1:/callback", true},
      {"http://[::1]/callback", "http://[::1]:40000/callback", true},
      {"http://[::1]:1/cb?x=1", "http://[::1]:2/cb?x=1", true},
      {"http://localhost/callback", "http://localhost:6274/callback", true},
      {"http://localhost:3000/oauth/callback", "http://localhost:6274/oauth/callback", true},
      {"http://127.0.0.2:1/cb", "http://127.0.0.2:2/cb", true},
      // ...but everything else must still match exactly.
      {"http://127.0.0.1/callback", "http://127.0.0.1:5000/callback/", false},
      {"http://127.0.0.1/callback/", "http://127.0.0.1:5000/callback", false},
      {"http://127.0.0.1/callback", "http://127.0.0.1:5000/Callback", false},
      {"http://127.0.0.1/callback", "http://127.0.0.1:5000/callback/x", false},
      {"http://127.0.0.1/callback", "http://127.0.0.1:5000/callback?x=1", false},
      {"http://127.0.0.1/callback", "http://127.0.0.1:5000/callback?", false},
      {"http://127.0.0.1/callback?a=1", "http://127.0.0.1:5000/callback?a=2", false},
      {"http://127.0.0.1/callback", "http://127.0.0.1:5000/callback#x", false},
      {"http://127.0.0.1/callback", "http://evil@127.0.0.1:5000/callback", false},
      {"http://127.0.0.1/callback", "http://evil@127.0.0.1/callback", false},
      {"http://localhost/callback", "http://LOCALHOST:5000/callback", false},
      {"http://LOCALHOST/callback", "http://localhost:5000/callback", false},
      {"http://localhost/callback", "HTTP://localhost:5000/callback", false},
      {"http://127.0.0.1/callback", "http://localhost:5000/callback", false},
      {"http://localhost/callback", "http://127.0.0.1:5000/callback", false},
      {"http://127.0.0.1/callback", "http://[::1]:5000/callback", false},
      {"http://127.0.0.1/callback", "http://127.0.0.2:5000/callback", false},
      {"http://127.0.0.1/callback", "http://127.0.0.%31:5000/callback", false},
      {"http://127.0.0.1/callback", "http://127.1:5000/callback", false},
      {"http://[::1]/callback", "http://[0:0:0:0:0:0:0:1]:5000/callback", false},
      // The port rule is for http loopback only: https on loopback matches exactly.
      {"https://127.0.0.1/callback", "https://127.0.0.1:5000/callback", false},
      {"https://localhost:1/callback", "https://localhost:2/callback", false},
      // A registered URI that could not be registered today does not get the port rule.
      {"http://u@127.0.0.1/callback", "http://127.0.0.1:5000/callback", false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(RedirectUriMatches(c.registered, c.requested), c.matches)
        << c.registered << " vs " << c.requested;
  }
}

TEST(RedirectUriTest, RequestedUriThatCannotBeRegisteredNeverMatches) {
  // Even when equal to what is stored (e.g. a static client configured before a rule change).
  for (std::string_view uri :
       {"http://app.example.com/cb", "javascript:alert(1)", "ftp://x.example/cb",
        "https://app.example.com/cb#", "http://evil@127.0.0.1/cb", ""}) {
    EXPECT_FALSE(RedirectUriMatches(uri, uri)) << uri;
  }
}

TEST(RedirectUriTest, IsLoopbackRedirectUri) {
  EXPECT_TRUE(IsLoopbackRedirectUri("http://127.0.0.1/cb"));
  EXPECT_TRUE(IsLoopbackRedirectUri("http://127.255.255.254:9/cb"));
  EXPECT_TRUE(IsLoopbackRedirectUri("http://[::1]:1234/cb"));
  EXPECT_TRUE(IsLoopbackRedirectUri("http://localhost:1234/cb"));
  EXPECT_TRUE(IsLoopbackRedirectUri("HTTP://LocalHost/cb"));
  EXPECT_FALSE(IsLoopbackRedirectUri("https://127.0.0.1/cb"));
  EXPECT_FALSE(IsLoopbackRedirectUri("https://localhost/cb"));
  EXPECT_FALSE(IsLoopbackRedirectUri("http://128.0.0.1/cb"));
  EXPECT_FALSE(IsLoopbackRedirectUri("http://app.example.com/cb"));
  EXPECT_FALSE(IsLoopbackRedirectUri("com.example.app:/cb"));
  EXPECT_FALSE(IsLoopbackRedirectUri("http://evil@127.0.0.1/cb"));
  EXPECT_FALSE(IsLoopbackRedirectUri("not a uri"));
  EXPECT_FALSE(IsLoopbackRedirectUri(""));
}

TEST(RedirectUriTest, DisplayHost) {
  EXPECT_EQ(RedirectUriDisplayHost("https://app.example.com/cb"), "app.example.com");
  EXPECT_EQ(RedirectUriDisplayHost("https://App.EXAMPLE.com:8443/cb?x"), "app.example.com");
  EXPECT_EQ(RedirectUriDisplayHost("http://127.0.0.1:5000/cb"), "127.0.0.1");
  EXPECT_EQ(RedirectUriDisplayHost("http://[::1]:5000/cb"), "[::1]");
  EXPECT_EQ(RedirectUriDisplayHost("http://localhost/cb"), "localhost");
  EXPECT_EQ(RedirectUriDisplayHost("com.example.app:/cb"), "com.example.app");
  EXPECT_EQ(RedirectUriDisplayHost("Com.Example.App://host/cb"), "com.example.app");
  EXPECT_EQ(RedirectUriDisplayHost("https://xn--pple-43d.com/"), "xn--pple-43d.com");
  EXPECT_EQ(RedirectUriDisplayHost("https://ex%61mple.com/"), "ex%61mple.com");  // not decoded
  EXPECT_EQ(RedirectUriDisplayHost("not a uri"), "");
  EXPECT_EQ(RedirectUriDisplayHost(""), "");
  EXPECT_EQ(RedirectUriDisplayHost("/relative"), "");
}

// The functions are fuzzed; this is a smoke version that runs in every build. Whatever the bytes,
// a URI matches itself exactly when it may be registered, and a loopback URI is registrable.
TEST(RedirectUriTest, ArbitraryInputKeepsTheRulesConsistent) {
  static constexpr char kAlphabet[] = "h:/@[]%#?.1:a\x00\xff\x7f \r";
  const std::string alphabet(kAlphabet, sizeof(kAlphabet) - 1);
  uint32_t state = 12345;
  int accepted = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string s = (i % 2 == 0) ? "http://127.0.0.1" : "https://a.example";
    state = state * 1103515245u + 12345u;
    const size_t n = (state >> 16) % 12;
    for (size_t k = 0; k < n; ++k) {
      state = state * 1103515245u + 12345u;
      s += alphabet[(state >> 16) % alphabet.size()];
    }
    const bool registrable = RedirectUriProblem(s).empty();
    accepted += registrable ? 1 : 0;
    EXPECT_EQ(RedirectUriMatches(s, s), registrable) << testing::PrintToString(s);
    if (IsLoopbackRedirectUri(s)) {
      EXPECT_TRUE(registrable) << testing::PrintToString(s);
      EXPECT_TRUE(s.starts_with("http://127.0.0.1")) << testing::PrintToString(s);
    }
    (void)RedirectUriDisplayHost(s);
  }
  // The generator reaches both sides of the rule.
  EXPECT_GT(accepted, 0);
  EXPECT_LT(accepted, 3000);
}

}  // namespace
}  // namespace mcpauth::oauth
