#include "mcpauth/http/www_authenticate.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace mcpauth::http {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

std::vector<Challenge> MustParse(std::string_view value) {
  auto parsed = ParseWwwAuthenticate(value);
  EXPECT_TRUE(parsed.has_value()) << "value: " << value << " error: " << parsed.error().message();
  return parsed.has_value() ? *parsed : std::vector<Challenge>();
}

CodecErrc ParseError(std::string_view value) {
  auto parsed = ParseWwwAuthenticate(value);
  if (parsed.has_value()) {
    return CodecErrc::kOk;
  }
  EXPECT_EQ(&parsed.error().category(), &CodecCategory());
  return static_cast<CodecErrc>(parsed.error().value());
}

// ---- FormatChallenge ----

TEST(WwwAuthFormatTest, FormatsRfc6750Section3Example) {
  const Challenge c{"Bearer",
                    "",
                    {{"realm", "example"},
                     {"error", "invalid_token"},
                     {"error_description", "The access token expired"}}};
  EXPECT_EQ(FormatChallenge(c),
            "Bearer realm=\"example\", error=\"invalid_token\", "
            "error_description=\"The access token expired\"");
}

TEST(WwwAuthFormatTest, FormatsResourceMetadataRfc9728Section5_1) {
  const Challenge c{
      "Bearer",
      "",
      {{"resource_metadata", "https://resource.example.com/.well-known/oauth-protected-resource"},
       {"scope", "mcp:tools files:read"}}};
  EXPECT_EQ(FormatChallenge(c),
            "Bearer resource_metadata=\"https://resource.example.com/.well-known/"
            "oauth-protected-resource\", scope=\"mcp:tools files:read\"");
}

TEST(WwwAuthFormatTest, SchemeAloneAndToken68) {
  EXPECT_EQ(FormatChallenge({"Bearer", "", {}}), "Bearer");
  EXPECT_EQ(FormatChallenge({"Negotiate", "YIIBzg/+~==", {}}), "Negotiate YIIBzg/+~==");
  // A challenge has a token68 or params, never both (RFC 9110 §11.2).
  EXPECT_EQ(FormatChallenge({"Basic", "dXNlcg==", {{"realm", "x"}}}), "Basic dXNlcg==");
}

TEST(WwwAuthFormatTest, EscapesQuoteAndBackslashRfc9110Section5_6_4) {
  EXPECT_EQ(FormatChallenge({"Bearer", "", {{"error_description", R"(say "hi" \o/)"}}}),
            R"(Bearer error_description="say \"hi\" \\o/")");
}

TEST(WwwAuthFormatTest, NeverEmitsHeaderInjection) {
  const Challenge c{"Bearer\r\nX-Evil: 1",
                    "",
                    {{"error_description", "bad\r\nSet-Cookie: sid=1\n\r"},
                     {"realm\r\nX: y", std::string("a\0b\x7F\x01\tc\xC3\xA9", 9)}}};
  const std::string out = FormatChallenge(c);
  EXPECT_EQ(out.find_first_of(std::string_view("\r\n\0\t\x7F", 5)), std::string::npos) << out;
  for (char ch : out) {
    EXPECT_TRUE(ch >= 0x20 && ch <= 0x7E) << static_cast<int>(ch);
  }
  EXPECT_EQ(out, "BearerX-Evil1 error_description=\"badSet-Cookie: sid=1\", realmXy=\"abc\"");
}

TEST(WwwAuthFormatTest, DropsParamsWhoseNameHasNoTokenCharacter) {
  EXPECT_EQ(FormatChallenge({"Bearer", "", {{" ", "x"}, {"", "y"}, {"scope", "s"}}}),
            "Bearer scope=\"s\"");
}

TEST(WwwAuthFormatTest, FormatChallengesJoinsWithComma) {
  const std::vector<Challenge> cs = {{"Bearer", "", {{"realm", "a"}}}, {"Basic", "", {}}};
  EXPECT_EQ(FormatChallenges(cs), "Bearer realm=\"a\", Basic");
}

// ---- ParseWwwAuthenticate ----

TEST(WwwAuthParseTest, ParsesRfc6750Section3Example) {
  const auto cs = MustParse(
      "Bearer realm=\"example\", error=\"invalid_token\", error_description=\"The access token "
      "expired\"");
  ASSERT_EQ(cs.size(), 1u);
  EXPECT_EQ(cs[0].scheme, "Bearer");
  EXPECT_EQ(cs[0].token68, "");
  EXPECT_THAT(cs[0].params, ElementsAre(Pair("realm", "example"), Pair("error", "invalid_token"),
                                        Pair("error_description", "The access token expired")));
}

TEST(WwwAuthParseTest, ParsesRfc9110Section11_6_1Example) {
  const auto cs =
      MustParse(R"(Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple")");
  ASSERT_EQ(cs.size(), 2u);
  EXPECT_EQ(cs[0].scheme, "Newauth");
  EXPECT_THAT(cs[0].params, ElementsAre(Pair("realm", "apps"), Pair("type", "1"),
                                        Pair("title", "Login to \"apps\"")));
  EXPECT_EQ(cs[1].scheme, "Basic");
  EXPECT_THAT(cs[1].params, ElementsAre(Pair("realm", "simple")));
}

TEST(WwwAuthParseTest, SplitsChallengesAtTheNextScheme) {
  const auto cs = MustParse(R"(Bearer realm="a", error="x", Basic realm="b")");
  ASSERT_EQ(cs.size(), 2u);
  EXPECT_THAT(cs[0].params, ElementsAre(Pair("realm", "a"), Pair("error", "x")));
  EXPECT_THAT(cs[1].params, ElementsAre(Pair("realm", "b")));
}

TEST(WwwAuthParseTest, TokenValuesAndQuotedValues) {
  const auto cs = MustParse("Bearer error=invalid_token, scope=\"a b\", n=!#$%&'*+-.^_`|~09");
  ASSERT_EQ(cs.size(), 1u);
  EXPECT_EQ(cs[0].Param("error"), "invalid_token");
  EXPECT_EQ(cs[0].Param("scope"), "a b");
  EXPECT_EQ(cs[0].Param("n"), "!#$%&'*+-.^_`|~09");
}

TEST(WwwAuthParseTest, Token68Challenges) {
  const auto cs = MustParse("Negotiate YIIBzgYG/+KwY~._-==, Basic dXNlcjpwYXNz , Bearer x=y");
  ASSERT_EQ(cs.size(), 3u);
  EXPECT_EQ(cs[0].token68, "YIIBzgYG/+KwY~._-==");
  EXPECT_TRUE(cs[0].params.empty());
  EXPECT_EQ(cs[1].token68, "dXNlcjpwYXNz");
  EXPECT_EQ(cs[2].token68, "");
  EXPECT_EQ(cs[2].Param("x"), "y");
}

TEST(WwwAuthParseTest, SchemeWithoutParameters) {
  const auto cs = MustParse("Bearer, Basic realm=\"x\", Negotiate");
  ASSERT_EQ(cs.size(), 3u);
  EXPECT_TRUE(cs[0].params.empty());
  EXPECT_EQ(cs[1].Param("realm"), "x");
  EXPECT_EQ(cs[2].scheme, "Negotiate");
}

TEST(WwwAuthParseTest, NamesAreCaseInsensitiveAndLowerCased) {
  const auto cs = MustParse("bEaReR REALM=\"x\", Resource_Metadata=\"https://r/\"");
  ASSERT_EQ(cs.size(), 1u);
  EXPECT_EQ(cs[0].scheme, "bEaReR");  // kept as sent; compare with FindChallenge
  EXPECT_THAT(cs[0].params,
              ElementsAre(Pair("realm", "x"), Pair("resource_metadata", "https://r/")));
  EXPECT_EQ(cs[0].Param("Realm"), "x");
  const Challenge* bearer = FindChallenge(cs, "Bearer");
  ASSERT_NE(bearer, nullptr);
  EXPECT_EQ(bearer->Param("resource_metadata"), "https://r/");
}

TEST(WwwAuthParseTest, WhitespaceAndEmptyElementsAnywhere) {
  const auto cs = MustParse("  ,, Bearer \t realm \t= \t\"x\"  , ,scope=  a ,,\t, Basic  ,  ");
  ASSERT_EQ(cs.size(), 2u);
  EXPECT_THAT(cs[0].params, ElementsAre(Pair("realm", "x"), Pair("scope", "a")));
  EXPECT_EQ(cs[1].scheme, "Basic");
}

TEST(WwwAuthParseTest, EmptyValueGivesNoChallenges) {
  EXPECT_TRUE(MustParse("").empty());
  EXPECT_TRUE(MustParse(" , ,\t").empty());
}

TEST(WwwAuthParseTest, QuotedStringKeepsCommasEqualsAndEscapes) {
  const auto cs = MustParse(R"(Bearer error_description="a, b=c \"d\" \\e\f", realm="")");
  ASSERT_EQ(cs.size(), 1u);
  EXPECT_EQ(cs[0].Param("error_description"), R"(a, b=c "d" \ef)");
  EXPECT_EQ(cs[0].Param("realm"), "");
}

TEST(WwwAuthParseTest, RejectsMalformedInput) {
  const std::vector<std::string_view> cases = {
      "realm=\"x\"",                     // a parameter before any scheme
      "Bearer realm=\"x",                // unterminated quoted-string
      "Bearer realm=\"x\\",              // escape at the end
      "Bearer a=b, realm=",              // no value
      "Bearer a=b, realm= , c=d",        // no value
      "Bearer realm=\"x\" scope=\"y\"",  // missing comma
      "Bearer realm=x y",                // two words in a value
      "Bearer =x",                       // no name
      "Bearer realm==\"x\"",             // '=' as a value
      "\"Bearer\"",                      // scheme is not a token
      "Bearer realm=\"a\x01\"",          // control character in quoted-string
      "Bearer realm=\"a\r\nb\"",         // CR LF in quoted-string
      "Bearer realm=a\r\n",              // CR LF after a value
      "Negotiate abc==, realm=\"x\"",    // auth-param after a token68 challenge
      "Negotiate abc== def",             // junk after a token68
      "Bearer realm=\"x\"\"",            // stray quote
      "Bearer realm=\"x\";",             // stray separator
      "Bearer@ realm=\"x\"",             // '@' is not a tchar
      "Bearer realm=\"x\", ;",           // stray element
      std::string_view("Bearer\0realm=x", 14),
  };
  for (std::string_view value : cases) {
    EXPECT_EQ(ParseError(value), CodecErrc::kMalformed) << value;
  }
}

TEST(WwwAuthParseTest, NameWithTrailingEqualsAloneIsToken68) {
  // `realm=` right after the scheme matches token68 (RFC 9110 §11.2), not an empty auth-param.
  const auto cs = MustParse("Bearer realm=, Basic realm= ");
  ASSERT_EQ(cs.size(), 2u);
  EXPECT_EQ(cs[0].token68, "realm=");
  EXPECT_TRUE(cs[0].params.empty());
  EXPECT_EQ(cs[1].token68, "realm=");
}

TEST(WwwAuthParseTest, RejectsRepeatedParameterRfc9110Section11_2) {
  EXPECT_EQ(ParseError("Bearer realm=\"a\", Realm=\"b\""), CodecErrc::kDuplicateParameter);
  // The same name in two challenges is fine.
  EXPECT_EQ(MustParse("Bearer realm=\"a\", Basic realm=\"b\"").size(), 2u);
}

TEST(WwwAuthParseTest, EnforcesLimits) {
  std::string many_challenges;
  for (size_t i = 0; i <= kMaxChallenges; ++i) {
    many_challenges.append("S").append(std::to_string(i)).append(", ");
  }
  EXPECT_EQ(ParseError(many_challenges), CodecErrc::kTooManyParameters);

  std::string many_params = "Bearer ";
  for (size_t i = 0; i <= kMaxChallengeParams; ++i) {
    many_params.append("p").append(std::to_string(i)).append("=v, ");
  }
  EXPECT_EQ(ParseError(many_params), CodecErrc::kTooManyParameters);

  std::string huge = "Bearer realm=\"";
  huge.append(kMaxWwwAuthenticateBytes, 'a').append("\"");
  EXPECT_EQ(ParseError(huge), CodecErrc::kTooLarge);
  EXPECT_EQ(ParseError(std::string(kMaxWwwAuthenticateBytes, ',')), CodecErrc::kOk);
}

TEST(WwwAuthParseTest, SeveralFieldLinesAreOneListRfc9110Section5_3) {
  const std::vector<std::string_view> fields = {"Bearer realm=\"a\"", "error=\"x\", Basic",
                                                "DPoP algs=\"ES256\""};
  auto parsed = ParseWwwAuthenticate(std::span<const std::string_view>(fields));
  ASSERT_TRUE(parsed.has_value());
  ASSERT_EQ(parsed->size(), 3u);
  EXPECT_THAT((*parsed)[0].params, ElementsAre(Pair("realm", "a"), Pair("error", "x")));
  EXPECT_EQ((*parsed)[1].scheme, "Basic");
  EXPECT_EQ((*parsed)[2].Param("algs"), "ES256");
}

TEST(WwwAuthParseTest, FindChallengeAndParam) {
  const auto cs = MustParse(
      "Basic realm=\"x\", Bearer error=\"insufficient_scope\", scope=\"files:write\", "
      "resource_metadata=\"https://mcp.example.com/.well-known/oauth-protected-resource\"");
  const Challenge* bearer = FindChallenge(cs, "bearer");
  ASSERT_NE(bearer, nullptr);
  EXPECT_EQ(bearer->Param("error"), "insufficient_scope");
  EXPECT_EQ(bearer->Param("scope"), "files:write");
  EXPECT_EQ(bearer->Param("resource_metadata"),
            "https://mcp.example.com/.well-known/oauth-protected-resource");
  EXPECT_FALSE(bearer->Param("realm").has_value());
  EXPECT_EQ(FindChallenge(cs, "DPoP"), nullptr);
}

TEST(WwwAuthParseTest, FormatThenParseRoundTrips) {
  const std::vector<Challenge> cs = {
      {"Bearer",
       "",
       {{"realm", "a \"quoted\" \\ realm, with=commas"},
        {"error", "invalid_token"},
        {"scope", ""}}},
      {"Negotiate", "abc/+==", {}},
      {"Basic", "", {}},
  };
  const auto parsed = MustParse(FormatChallenges(cs));
  ASSERT_EQ(parsed.size(), cs.size());
  for (size_t i = 0; i < cs.size(); ++i) {
    EXPECT_EQ(parsed[i].scheme, cs[i].scheme);
    EXPECT_EQ(parsed[i].token68, cs[i].token68);
    EXPECT_EQ(parsed[i].params, cs[i].params);
  }
}

TEST(WwwAuthParseTest, RandomInputNeverCrashesAndReformatsStably) {
  // Deterministic pseudo-random strings over the characters that matter to the grammar.
  const std::string alphabet = "Bb ea r=\",\\\t/+~.-_!a1\r\n\x01\x7F\xC3";
  std::mt19937 rng(12345);
  int parsed_count = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string s;
    const size_t len = rng() % 40;
    for (size_t k = 0; k < len; ++k) {
      s.push_back(alphabet[rng() % alphabet.size()]);
    }
    auto first = ParseWwwAuthenticate(s);
    if (!first) {
      continue;
    }
    ++parsed_count;
    // What we format from a parse must parse again to the same thing, except for bytes
    // FormatChallenge drops (controls and non-ASCII inside quoted-strings).
    bool printable = true;
    for (const auto& c : *first) {
      for (const auto& [n, v] : c.params) {
        for (char ch : v) {
          printable = printable && ch >= 0x20 && ch <= 0x7E;
        }
      }
    }
    if (!printable) {
      continue;
    }
    auto second = ParseWwwAuthenticate(FormatChallenges(*first));
    ASSERT_TRUE(second.has_value()) << s;
    ASSERT_EQ(second->size(), first->size()) << s;
    for (size_t k = 0; k < first->size(); ++k) {
      EXPECT_EQ((*second)[k].scheme, (*first)[k].scheme) << s;
      EXPECT_EQ((*second)[k].token68, (*first)[k].token68) << s;
      EXPECT_EQ((*second)[k].params, (*first)[k].params) << s;
    }
  }
  EXPECT_GT(parsed_count, 100);  // the generator does reach valid inputs
}

// ---- BearerToken ----

TEST(WwwAuthBearerTokenTest, ExtractsTokenRfc6750Section2_1) {
  EXPECT_EQ(BearerToken("Bearer mF_9.B5f-4.1JqM"), "mF_9.B5f-4.1JqM");
  EXPECT_EQ(BearerToken("Bearer a/b+c~d=="), "a/b+c~d==");
}

TEST(WwwAuthBearerTokenTest, SchemeIsCaseInsensitiveRfc9110Section11_1) {
  EXPECT_EQ(BearerToken("bearer abc"), "abc");
  EXPECT_EQ(BearerToken("BEARER abc"), "abc");
}

TEST(WwwAuthBearerTokenTest, AcceptsSeveralSpacesAndSurroundingWhitespace) {
  EXPECT_EQ(BearerToken("Bearer   abc"), "abc");  // 1*SP
  EXPECT_EQ(BearerToken(" \tBearer abc \t"), "abc");
}

TEST(WwwAuthBearerTokenTest, ViewPointsIntoTheArgument) {
  const std::string header = "Bearer tok";
  const auto token = BearerToken(header);
  ASSERT_TRUE(token.has_value());
  EXPECT_EQ(token->data(), header.data() + 7);
}

TEST(WwwAuthBearerTokenTest, RejectsAnythingElse) {
  const std::vector<std::string_view> cases = {
      "",
      "Bearer",
      "Bearer ",
      "Bearer\tabc",  // RFC 6750 §2.1: 1*SP, not HTAB
      "Bearerabc",
      "Basic abc",
      "Token abc",
      "Bearer abc def",
      "Bearer abc,def",
      "Bearer \"abc\"",
      "Bearer a=b",
      "Bearer =abc",
      "Bearer abc==x",
      "Bearer abc\r\n",
      "Bearer ab\r\nX: y",
      std::string_view("Bearer ab\0c", 11),
      "Bearer \xC3\xA9",
      "Bearer abc;",
      "Bearer a%20b",
      "Bearer realm=\"x\"",
  };
  for (std::string_view value : cases) {
    EXPECT_FALSE(BearerToken(value).has_value()) << value;
  }
}

}  // namespace
}  // namespace mcpauth::http
