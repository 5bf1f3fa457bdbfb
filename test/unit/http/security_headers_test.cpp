#include "mcpauth/http/security_headers.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace mcpauth::http {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::string_view kStrictCsp =
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'";

TEST(SecurityHeadersTest, ApiResponsesAreNotCachedRfc6749Section5_1) {
  Response r = Response::Json(200, R"({"access_token":"x"})");
  ApplySecurityHeaders(r, PageKind::kApi);
  EXPECT_EQ(r.headers.Get("Cache-Control"), "no-store");
  EXPECT_EQ(r.headers.Get("Pragma"), "no-cache");
  EXPECT_EQ(r.headers.Get("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(r.headers.Get("Referrer-Policy"), "no-referrer");
  EXPECT_EQ(r.headers.Get("Content-Type"), "application/json");  // untouched
  EXPECT_FALSE(r.headers.Has("Content-Security-Policy"));
  EXPECT_FALSE(r.headers.Has("X-Frame-Options"));
}

TEST(SecurityHeadersTest, ReplacesEarlierValuesInsteadOfDuplicating) {
  Response r;
  r.headers.Add("cache-control", "public, max-age=600");
  r.headers.Add("Cache-Control", "immutable");
  ApplySecurityHeaders(r, PageKind::kApi);
  ApplySecurityHeaders(r, PageKind::kApi);
  EXPECT_EQ(r.headers.Count("Cache-Control"), 1u);
  EXPECT_EQ(r.headers.Get("Cache-Control"), "no-store");
  EXPECT_EQ(r.headers.Count("Referrer-Policy"), 1u);
}

TEST(SecurityHeadersTest, HtmlPagesGetStrictPolicyAndFramingDefenceRfc6749Section10_13) {
  Response r = Response::Html(200, "<form method=post></form>");
  ApplySecurityHeaders(r, PageKind::kHtml);
  EXPECT_EQ(r.headers.Get("Content-Security-Policy"), kStrictCsp);
  EXPECT_EQ(r.headers.Get("X-Frame-Options"), "DENY");
  EXPECT_EQ(r.headers.Get("Cross-Origin-Opener-Policy"), "same-origin");
  EXPECT_EQ(r.headers.Get("Cache-Control"), "no-store");
  EXPECT_EQ(r.headers.Get("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(r.headers.Get("Referrer-Policy"), "no-referrer");
}

TEST(SecurityHeadersTest, PolicyAllowsNoScriptAndNoExternalStyle) {
  const std::string csp = HtmlContentSecurityPolicy();
  EXPECT_THAT(csp, HasSubstr("default-src 'none'"));
  EXPECT_THAT(csp, Not(HasSubstr("script-src")));
  EXPECT_THAT(csp, Not(HasSubstr("'unsafe-eval'")));
  EXPECT_THAT(csp, HasSubstr("style-src 'unsafe-inline';"));
}

TEST(SecurityHeadersTest, ConsentPageAllowsRedirectTargetInFormAction) {
  Response r = Response::Html(200, "");
  ApplySecurityHeaders(r, PageKind::kHtml, "https://client.example.com/cb?x=1#f");
  EXPECT_EQ(r.headers.Get("Content-Security-Policy"),
            std::string(kStrictCsp) + " https://client.example.com");
}

TEST(SecurityHeadersTest, ApiIgnoresRedirectTarget) {
  Response r;
  ApplySecurityHeaders(r, PageKind::kApi, "https://client.example.com/cb");
  EXPECT_FALSE(r.headers.Has("Content-Security-Policy"));
}

TEST(SecurityHeadersTest, FormActionSourceForWebOrigins) {
  EXPECT_EQ(FormActionSource("https://client.example.com/cb"), "https://client.example.com");
  EXPECT_EQ(FormActionSource("HTTPS://Client.Example.COM:8443/cb"),
            "https://client.example.com:8443");
  // RFC 8252 §7.3 loopback redirect with an ephemeral port.
  EXPECT_EQ(FormActionSource("http://127.0.0.1:53682/callback"), "http://127.0.0.1:53682");
  EXPECT_EQ(FormActionSource("http://localhost/cb"), "http://localhost");
  EXPECT_EQ(FormActionSource("http://host:/cb"), "http://host");
  EXPECT_EQ(FormActionSource("https://user:pw@host.example/cb"), "https://host.example");
}

TEST(SecurityHeadersTest, FormActionSourceFallsBackToSchemeWhereHostCannotBeExpressed) {
  EXPECT_EQ(FormActionSource("http://[::1]:8080/cb"), "http:");  // RFC 8252 §7.3 IPv6 loopback
  // RFC 8252 §7.1 private-use URI scheme of a native app.
  EXPECT_EQ(FormActionSource("com.example.app:/oauth2redirect"), "com.example.app:");
  EXPECT_EQ(FormActionSource("https://a;b,c/cb"), "https:");  // sub-delims in reg-name
  EXPECT_EQ(FormActionSource("https://a%2Fb/cb"), "https:");
}

TEST(SecurityHeadersTest, FormActionSourceRefusesUnusableAndDangerousUris) {
  for (std::string_view uri :
       {"", "/relative/cb", "not a uri", "https://evil.example; script-src *",
        "https://x.example/\r\nX-Evil: 1", "javascript:alert(1)", "JavaScript:alert(1)",
        "data:text/html,<form>", "vbscript:x", "blob:https://a/b", "filesystem:https://a/b"}) {
    EXPECT_EQ(FormActionSource(uri), "") << uri;
  }
  Response r;
  ApplySecurityHeaders(r, PageKind::kHtml, "https://evil.example; script-src *");
  EXPECT_EQ(r.headers.Get("Content-Security-Policy"), kStrictCsp);
}

TEST(SecurityHeadersTest, FormActionSourceNeverAltersThePolicy) {
  for (std::string_view uri :
       {"https://a.example/cb", "x-y+z.w:opaque", "http://[v1.x]/", "http://1.2.3.4:99/",
        "https://a'b/", "https://a\"b/", "https://a b/", "https://a,b/", "https://a;b/"}) {
    const std::string source = FormActionSource(uri);
    EXPECT_EQ(source.find_first_of(";,'\" \t\r\n"), std::string::npos) << uri << " -> " << source;
  }
}

}  // namespace
}  // namespace mcpauth::http
