// URL helpers: RFC 3986 §6 normalisation for comparisons, loopback hosts (RFC 8252 §8.3), the
// endpoint policy (https, or http on loopback), Basic's base64.
#include "oauth/client/url_util.hpp"

#include <gtest/gtest.h>

namespace mcpauth::oauth::client::detail {
namespace {

TEST(UrlUtilTest, NormalisesCaseDefaultPortAndEmptyPath) {
  EXPECT_EQ(NormalizeUrl("HTTPS://Mcp.Example.COM:443"), "https://mcp.example.com/");
  EXPECT_EQ(NormalizeUrl("http://h:80/a/B?x=Y"), "http://h/a/B?x=Y");
  EXPECT_EQ(NormalizeUrl("http://h:8080/mcp#frag"), "http://h:8080/mcp");
  EXPECT_EQ(NormalizeUrl("http://[::1]:3000/mcp"), "http://[::1]:3000/mcp");
  EXPECT_FALSE(NormalizeUrl("mailto:a@b").has_value());
  EXPECT_FALSE(NormalizeUrl("/relative").has_value());
  EXPECT_FALSE(NormalizeUrl("https:///nohost").has_value());
}

TEST(UrlUtilTest, LoopbackHosts) {
  for (const char* host : {"localhost", "LOCALHOST", "127.0.0.1", "127.1.2.3", "[::1]", "::1"}) {
    EXPECT_TRUE(IsLoopbackHost(host)) << host;
  }
  for (const char* host : {"127.0.0.1.evil.com", "128.0.0.1", "127.0.0", "127.0.0.1000",
                           "localhost.evil.com", "0.0.0.0", "[::2]", ""}) {
    EXPECT_FALSE(IsLoopbackHost(host)) << host;
  }
}

TEST(UrlUtilTest, EndpointPolicy) {
  EXPECT_TRUE(EndpointAllowed("https://as.example/token", false));
  EXPECT_TRUE(EndpointAllowed("http://127.0.0.1:9/token", false));
  EXPECT_TRUE(EndpointAllowed("http://localhost:9/token", false));
  EXPECT_FALSE(EndpointAllowed("http://as.example/token", false));
  EXPECT_TRUE(EndpointAllowed("http://as.example/token", true));
  EXPECT_FALSE(EndpointAllowed("https://user@as.example/token", true));
  EXPECT_FALSE(EndpointAllowed("https://as.example/token#x", true));
  EXPECT_FALSE(EndpointAllowed("javascript:alert(1)", true));
}

TEST(UrlUtilTest, AppendQueryKeepsAnExistingQuery) {
  EXPECT_EQ(AppendQuery("https://as/a", "x=1"), "https://as/a?x=1");
  EXPECT_EQ(AppendQuery("https://as/a?t=2", "x=1"), "https://as/a?t=2&x=1");
  EXPECT_EQ(AppendQuery("https://as/a?", "x=1"), "https://as/a?x=1");
}

TEST(UrlUtilTest, Base64WithPaddingRfc4648Vectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
}

}  // namespace
}  // namespace mcpauth::oauth::client::detail
