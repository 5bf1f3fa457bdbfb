#include "mcpauth/http/cookie.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace mcpauth::http {
namespace {

using ::testing::ElementsAre;

// Pairs as (name, value) strings, for readable expectations.
std::vector<std::pair<std::string, std::string>> Pairs(std::string_view header,
                                                       size_t max = kMaxCookies) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& c : ParseCookieHeader(header, max)) {
    out.emplace_back(c.name, c.value);
  }
  return out;
}

using P = std::pair<std::string, std::string>;

CodecErrc FormatError(const SetCookie& cookie) {
  auto formatted = FormatSetCookie(cookie);
  if (formatted.has_value()) {
    return CodecErrc::kOk;
  }
  EXPECT_EQ(&formatted.error().category(), &CodecCategory());
  return static_cast<CodecErrc>(formatted.error().value());
}

SetCookie Cookie(std::string name, std::string value) {
  SetCookie c;
  c.name = std::move(name);
  c.value = std::move(value);
  return c;
}

// ---- ParseCookieHeader ----

TEST(CookieParseTest, ParsesRfc6265Section4_2Example) {
  EXPECT_THAT(Pairs("SID=31d4d96e407aad42; lang=en-US"),
              ElementsAre(P("SID", "31d4d96e407aad42"), P("lang", "en-US")));
}

TEST(CookieParseTest, ToleratesWhitespaceAndEmptySegments) {
  EXPECT_THAT(Pairs("  a = 1 ;b=2;;\t c=3  ;"), ElementsAre(P("a", "1"), P("b", "2"), P("c", "3")));
  EXPECT_TRUE(Pairs("").empty());
  EXPECT_TRUE(Pairs(" ; ;; ").empty());
}

TEST(CookieParseTest, IgnoresSegmentsWithoutNameOrEquals) {
  EXPECT_THAT(Pairs("flag; =x; a=1; =; b"), ElementsAre(P("a", "1")));
}

TEST(CookieParseTest, KeepsEmptyValuesAndEqualsInValues) {
  EXPECT_THAT(Pairs("a=; b=x=y=="), ElementsAre(P("a", ""), P("b", "x=y==")));
}

TEST(CookieParseTest, StripsSurroundingQuotesRfc6265Section4_1_1) {
  EXPECT_THAT(Pairs("a=\"xyz\"; b=\"\"; c=\"; d=\"x"),
              ElementsAre(P("a", "xyz"), P("b", ""), P("c", "\""), P("d", "\"x")));
}

TEST(CookieParseTest, SkipsPairsWithControlCharacters) {
  constexpr char kHeader[] = "a=1\x01; b=2; c\x7F=3; d=4\0; e=5";
  EXPECT_THAT(Pairs(std::string_view(kHeader, sizeof(kHeader) - 1)),
              ElementsAre(P("b", "2"), P("e", "5")));
}

TEST(CookieParseTest, CapsTheNumberOfPairs) {
  std::string header;
  for (int i = 0; i < 1000; ++i) {
    header.append("c").append(std::to_string(i)).append("=v; ");
  }
  EXPECT_EQ(ParseCookieHeader(header).size(), kMaxCookies);
  EXPECT_THAT(Pairs(header, 2), ElementsAre(P("c0", "v"), P("c1", "v")));
  EXPECT_TRUE(Pairs(header, 0).empty());
}

TEST(CookieParseTest, ViewsPointIntoTheHeader) {
  const std::string header = "a=1; bb=22";
  const auto cookies = ParseCookieHeader(header);
  ASSERT_EQ(cookies.size(), 2u);
  EXPECT_EQ(cookies[1].name.data(), header.data() + 5);
  EXPECT_EQ(cookies[1].value.data(), header.data() + 8);
}

TEST(CookieParseTest, FindCookieReturnsFirstCaseSensitiveMatch) {
  const auto cookies = ParseCookieHeader("__Host-sid=one; other=x; __Host-sid=two; SID=up");
  EXPECT_EQ(FindCookie(cookies, "__Host-sid"), "one");
  EXPECT_EQ(FindCookie(cookies, "SID"), "up");
  EXPECT_FALSE(FindCookie(cookies, "sid").has_value());
  EXPECT_FALSE(FindCookie(cookies, "missing").has_value());
}

TEST(CookieParseTest, RandomBytesNeverCrashAndNeverYieldControls) {
  std::mt19937 rng(777);
  for (int i = 0; i < 5000; ++i) {
    std::string header;
    const size_t len = rng() % 64;
    for (size_t k = 0; k < len; ++k) {
      header.push_back(static_cast<char>(rng() % 256));
    }
    for (const auto& c : ParseCookieHeader(header)) {
      EXPECT_FALSE(c.name.empty());
      EXPECT_GE(c.name.data(), header.data());
      EXPECT_LE(c.value.data() + c.value.size(), header.data() + header.size());
      for (char ch : std::string(c.name) + std::string(c.value)) {
        const auto u = static_cast<unsigned char>(ch);
        EXPECT_TRUE(u >= 0x20 && u != 0x7F);
      }
    }
  }
}

// ---- FormatSetCookie ----

TEST(CookieFormatTest, SecureDefaults) {
  EXPECT_EQ(FormatSetCookie(Cookie("sid", "abc")).value(),
            "sid=abc; Path=/; Secure; HttpOnly; SameSite=Lax");
}

TEST(CookieFormatTest, AllAttributes) {
  SetCookie c = Cookie("sid", "abc");
  c.domain = "example.com";
  c.max_age = 3600;
  c.same_site = SameSite::kStrict;
  EXPECT_EQ(FormatSetCookie(c).value(),
            "sid=abc; Path=/; Domain=example.com; Max-Age=3600; Secure; HttpOnly; "
            "SameSite=Strict");
}

TEST(CookieFormatTest, ZeroOrNegativeMaxAgeDeletesRfc6265Section5_2_2) {
  SetCookie c = Cookie("sid", "");
  c.max_age = 0;
  EXPECT_EQ(FormatSetCookie(c).value(), "sid=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Lax");
  c.max_age = -5;
  EXPECT_EQ(FormatSetCookie(c).value(), "sid=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Lax");
}

TEST(CookieFormatTest, FlagsCanBeTurnedOff) {
  SetCookie c = Cookie("pref", "dark");
  c.http_only = false;
  c.secure = false;
  c.path = "";
  EXPECT_EQ(FormatSetCookie(c).value(), "pref=dark; SameSite=Lax");
  c.path = "/app";
  EXPECT_EQ(FormatSetCookie(c).value(), "pref=dark; Path=/app; SameSite=Lax");
}

TEST(CookieFormatTest, RejectsNamesThatAreNotTokensRfc6265Section4_1_1) {
  for (std::string name : {"", "a b", "a;b", "a=b", "a\r\nb", "a,b", "a\"b", "\xC3\xA9", "a\tb",
                           "a(b)", "a/b", "a:b"}) {
    EXPECT_EQ(FormatError(Cookie(name, "v")), CodecErrc::kForbiddenCharacter) << name;
  }
  EXPECT_EQ(FormatError(Cookie(std::string("a\0b", 3), "v")), CodecErrc::kForbiddenCharacter);
}

TEST(CookieFormatTest, RejectsValuesOutsideCookieOctetRfc6265Section4_1_1) {
  for (std::string value : {"a b", "a;b", "a,b", "a\"b", "a\\b", "x\r\nSet-Cookie: y=z", "\xC3\xA9",
                            "a\tb", "\x7F", "\"quoted\""}) {
    EXPECT_EQ(FormatError(Cookie("n", value)), CodecErrc::kForbiddenCharacter) << value;
  }
  EXPECT_EQ(FormatError(Cookie("n", std::string("a\0", 2))), CodecErrc::kForbiddenCharacter);
}

TEST(CookieFormatTest, AcceptsEveryCookieOctetAndRoundTripsThroughCookieHeader) {
  std::string value;
  for (int c = 0x21; c <= 0x7E; ++c) {
    if (c != '"' && c != ',' && c != ';' && c != '\\') {
      value.push_back(static_cast<char>(c));
    }
  }
  const auto formatted = FormatSetCookie(Cookie("n", value));
  ASSERT_TRUE(formatted.has_value());
  // What a browser sends back is the name=value part before the first "; ".
  const std::string pair = formatted->substr(0, formatted->find("; "));
  const auto cookies = ParseCookieHeader(pair);
  EXPECT_EQ(FindCookie(cookies, "n"), value);
}

TEST(CookieFormatTest, RejectsBadPathAndDomain) {
  for (std::string path : {"/a;b", "/a\r\nX: y", "relative", "/\xC3\xA9", "/a\x01"}) {
    SetCookie c = Cookie("n", "v");
    c.path = path;
    EXPECT_EQ(FormatError(c), CodecErrc::kForbiddenCharacter) << path;
  }
  for (std::string domain : {"ex ample.com", "a;b", "a\r\nb", "a,b", "[::1]", "a_b.com"}) {
    SetCookie c = Cookie("n", "v");
    c.domain = domain;
    EXPECT_EQ(FormatError(c), CodecErrc::kForbiddenCharacter) << domain;
  }
}

TEST(CookieFormatTest, HostPrefixRulesRfc6265bisSection4_1_3_2) {
  EXPECT_EQ(FormatSetCookie(Cookie("__Host-sid", "v")).value(),
            "__Host-sid=v; Path=/; Secure; HttpOnly; SameSite=Lax");

  SetCookie insecure = Cookie("__Host-sid", "v");
  insecure.secure = false;
  EXPECT_EQ(FormatError(insecure), CodecErrc::kCookiePrefixViolation);

  SetCookie sub_path = Cookie("__Host-sid", "v");
  sub_path.path = "/app";
  EXPECT_EQ(FormatError(sub_path), CodecErrc::kCookiePrefixViolation);

  SetCookie no_path = Cookie("__Host-sid", "v");
  no_path.path = "";
  EXPECT_EQ(FormatError(no_path), CodecErrc::kCookiePrefixViolation);

  SetCookie domain = Cookie("__Host-sid", "v");
  domain.domain = "example.com";
  EXPECT_EQ(FormatError(domain), CodecErrc::kCookiePrefixViolation);

  // Prefixes match ignoring case, so a different spelling cannot dodge the rules.
  SetCookie upper = Cookie("__HOST-sid", "v");
  upper.secure = false;
  EXPECT_EQ(FormatError(upper), CodecErrc::kCookiePrefixViolation);
}

TEST(CookieFormatTest, SecurePrefixRequiresSecureRfc6265bisSection4_1_3_1) {
  SetCookie c = Cookie("__Secure-csrf", "v");
  c.path = "/consent";
  c.domain = "example.com";
  EXPECT_EQ(FormatError(c), CodecErrc::kOk);
  c.secure = false;
  EXPECT_EQ(FormatError(c), CodecErrc::kCookiePrefixViolation);
}

TEST(CookieFormatTest, SameSiteNoneRequiresSecure) {
  SetCookie c = Cookie("n", "v");
  c.same_site = SameSite::kNone;
  EXPECT_EQ(FormatSetCookie(c).value(), "n=v; Path=/; Secure; HttpOnly; SameSite=None");
  c.secure = false;
  EXPECT_EQ(FormatError(c), CodecErrc::kInsecureCookieAttributes);
}

}  // namespace
}  // namespace mcpauth::http
