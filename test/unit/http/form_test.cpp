#include "mcpauth/http/form.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace mcpauth::http {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

Form MustParse(std::string_view body, const FormParseOptions& opts = {}) {
  auto form = ParseForm(body, opts);
  EXPECT_TRUE(form.has_value()) << "body: " << body << " error: " << form.error().message();
  return form.has_value() ? *form : Form();
}

CodecErrc ParseError(std::string_view body, const FormParseOptions& opts = {},
                     FormParseError* details = nullptr) {
  auto form = ParseForm(body, opts, details);
  if (form.has_value()) {
    return CodecErrc::kOk;
  }
  EXPECT_EQ(&form.error().category(), &CodecCategory());
  return static_cast<CodecErrc>(form.error().value());
}

TEST(FormTest, ParsesTokenRequestRfc6749Section4_1_3) {
  const Form form = MustParse(
      "grant_type=authorization_code&code=SplxlOBeZQQYbYS6WxSbIA"
      "&redirect_uri=https%3A%2F%2Fclient%2Eexample%2Ecom%2Fcb&code_verifier=abc-._~");
  EXPECT_EQ(form.size(), 4u);
  EXPECT_EQ(form.Get("grant_type"), "authorization_code");
  EXPECT_EQ(form.Get("code"), "SplxlOBeZQQYbYS6WxSbIA");
  EXPECT_EQ(form.Get("redirect_uri"), "https://client.example.com/cb");
  EXPECT_EQ(form.Get("code_verifier"), "abc-._~");
  EXPECT_FALSE(form.Get("client_id").has_value());
  EXPECT_FALSE(form.Has("client_id"));
}

TEST(FormTest, DecodesRfc6749AppendixBExample) {
  // RFC 6749 Appendix B: " %&+£€" is sent as "+%25%26%2B%C2%A3%E2%82%AC".
  const Form form = MustParse("v=+%25%26%2B%C2%A3%E2%82%AC");
  EXPECT_EQ(form.Get("v"), " %&+\xC2\xA3\xE2\x82\xAC");
}

TEST(FormTest, EncodesRfc6749AppendixBExample) {
  EXPECT_EQ(FormEncode(" %&+\xC2\xA3\xE2\x82\xAC"), "+%25%26%2B%C2%A3%E2%82%AC");
}

TEST(FormTest, PlusIsSpaceAndEscapedPlusIsPlus) {
  const Form form = MustParse("scope=read+write%2Badmin&n+a+me=x");
  EXPECT_EQ(form.Get("scope"), "read write+admin");
  EXPECT_EQ(form.Get("n a me"), "x");
}

TEST(FormTest, RejectsDuplicateParameterRfc6749Section3_1) {
  FormParseError details;
  EXPECT_EQ(ParseError("grant_type=authorization_code&code=a&code=b", {}, &details),
            CodecErrc::kDuplicateParameter);
  EXPECT_EQ(details.code, CodecErrc::kDuplicateParameter);
  EXPECT_EQ(details.parameter, "code");
}

TEST(FormTest, DuplicateDetectedAfterDecodingRfc6749Section3_1) {
  // "c%6Fde" is "code": escaping a name must not smuggle in a second value.
  FormParseError details;
  EXPECT_EQ(ParseError("code=a&c%6Fde=b", {}, &details), CodecErrc::kDuplicateParameter);
  EXPECT_EQ(details.parameter, "code");
}

TEST(FormTest, DuplicateWithEmptyValueIsStillDuplicate) {
  FormParseError details;
  EXPECT_EQ(ParseError("scope=&scope=admin", {}, &details), CodecErrc::kDuplicateParameter);
  EXPECT_EQ(details.parameter, "scope");
}

TEST(FormTest, DuplicateFoundAmongManyParameters) {
  // Above the linear-scan threshold the check switches to a hash set; same answer.
  std::string body;
  for (int i = 0; i < 50; ++i) {
    body.append("p").append(std::to_string(i)).append("=v&");
  }
  body += "p17=again";
  FormParseError details;
  EXPECT_EQ(ParseError(body, {}, &details), CodecErrc::kDuplicateParameter);
  EXPECT_EQ(details.parameter, "p17");
}

TEST(FormTest, NamesAreCaseSensitiveSoNotDuplicates) {
  const Form form = MustParse("client_id=a&Client_Id=b");
  EXPECT_EQ(form.Get("client_id"), "a");
  EXPECT_EQ(form.Get("Client_Id"), "b");
}

TEST(FormTest, AllowDuplicatesKeepsEveryValueInOrder) {
  FormParseOptions opts;
  opts.allow_duplicates = true;
  const Form form = MustParse("scope=a&x=1&scope=b", opts);
  EXPECT_THAT(form.GetAll("scope"), ElementsAre("a", "b"));
  EXPECT_EQ(form.Get("scope"), "a");
}

TEST(FormTest, EmptyValueIsPresentButOmittedForOAuthRfc6749Section3_1) {
  const Form form = MustParse("state=&nonce&scope=x");
  EXPECT_TRUE(form.Has("state"));
  EXPECT_EQ(form.Get("state"), "");
  EXPECT_EQ(form.Get("nonce"), "");
  EXPECT_FALSE(form.GetNonEmpty("state").has_value());
  EXPECT_FALSE(form.GetNonEmpty("nonce").has_value());
  EXPECT_FALSE(form.GetNonEmpty("absent").has_value());
  EXPECT_EQ(form.GetNonEmpty("scope"), "x");
}

TEST(FormTest, SkipsEmptySegmentsWhatwgUrlSection5_1) {
  const Form form = MustParse("&a=1&&b=2&");
  EXPECT_THAT(form.params(), ElementsAre(Pair("a", "1"), Pair("b", "2")));
}

TEST(FormTest, EmptyBodyIsEmptyForm) {
  EXPECT_TRUE(MustParse("").empty());
  EXPECT_TRUE(MustParse("&&&").empty());
}

// Found by fuzz/form_fuzz.cpp: Boost.URL 1.81's parse_query() sizes its result with strlen() of
// the view's data, so a view into a longer buffer was parsed past its end (and a view with no NUL
// after it was read out of bounds; a null view crashed).
TEST(FormTest, ParsesOnlyTheViewNotWhatFollowsIt) {
  const std::string buffer = "a=1b&c=2";
  auto form = MustParse(std::string_view(buffer).substr(0, 3));
  EXPECT_THAT(form.params(), ElementsAre(Pair("a", "1")));
  form = MustParse(std::string_view(buffer).substr(0, 5));
  EXPECT_THAT(form.params(), ElementsAre(Pair("a", "1b")));
  EXPECT_TRUE(MustParse(std::string_view(buffer).substr(0, 0)).empty());
  EXPECT_TRUE(MustParse(std::string_view()).empty());
  const char unterminated[] = {'x', '=', 'y'};  // no NUL anywhere
  form = MustParse(std::string_view(unterminated, 3));
  EXPECT_THAT(form.params(), ElementsAre(Pair("x", "y")));
  EXPECT_TRUE(MustParse(std::string_view(unterminated + 3, 0)).empty());
}

TEST(FormTest, ValueKeepsEqualsSignsAfterTheFirst) {
  const Form form = MustParse("a=b=c&=x");
  EXPECT_EQ(form.Get("a"), "b=c");
  EXPECT_EQ(form.Get(""), "x");
}

TEST(FormTest, IterationFollowsBodyOrder) {
  const Form form = MustParse("z=1&a=2&m=3");
  std::vector<std::string> names;
  for (const auto& [name, value] : form) {
    names.push_back(name);
  }
  EXPECT_THAT(names, ElementsAre("z", "a", "m"));
}

TEST(FormTest, RejectsInvalidPercentEscapes) {
  for (std::string_view body :
       {"a=%G1", "a=%4", "a=%", "a%=1", "a=%%41", "a=%4G", "%zz=1", "a=1&b=%"}) {
    FormParseError details;
    EXPECT_EQ(ParseError(body, {}, &details), CodecErrc::kInvalidPercentEncoding) << body;
    EXPECT_EQ(details.code, CodecErrc::kInvalidPercentEncoding);
  }
}

TEST(FormTest, RejectsRawCharactersAnEncoderMustEscape) {
  const std::vector<std::string_view> bodies = {
      "a=b c",      "a=\"x\"", "a=b#c",
      "a=\xC3\xA9", "a=<x>",   "a=b\\c",
      "a=[1]",      "a=b\nc",  std::string_view("a=b\0c", 5)};
  for (std::string_view body : bodies) {
    EXPECT_EQ(ParseError(body), CodecErrc::kMalformed) << body;
  }
}

TEST(FormTest, RejectsEncodedControlCharactersNamingTheParameter) {
  for (std::string_view body :
       {"state=%00", "state=a%0D%0ASet-Cookie:%20x=1", "state=%7F", "state=%09", "state=%1B"}) {
    FormParseError details;
    EXPECT_EQ(ParseError(body, {}, &details), CodecErrc::kControlCharacter) << body;
    EXPECT_EQ(details.parameter, "state") << body;
  }
}

TEST(FormTest, ControlCharacterInNameLeavesParameterEmpty) {
  FormParseError details;
  EXPECT_EQ(ParseError("ab%00c=1", {}, &details), CodecErrc::kControlCharacter);
  EXPECT_EQ(details.parameter, "");
}

TEST(FormTest, ControlCharactersAllowedWhenOptedIn) {
  FormParseOptions opts;
  opts.allow_control_characters = true;
  const Form form = MustParse("text=line1%0D%0Aline2%00%09", opts);
  EXPECT_EQ(form.Get("text"), std::string_view("line1\r\nline2\0\t", 14));
}

TEST(FormTest, AcceptsEncodedUnicode) {
  // "é", "€", "😀" (U+1F600), U+FFFF and U+10FFFF: well-formed UTF-8.
  const Form form = MustParse("a=%C3%A9&b=%E2%82%AC&c=%F0%9F%98%80&d=%EF%BF%BF&e=%F4%8F%BF%BF");
  EXPECT_EQ(form.Get("a"), "\xC3\xA9");
  EXPECT_EQ(form.Get("b"), "\xE2\x82\xAC");
  EXPECT_EQ(form.Get("c"), "\xF0\x9F\x98\x80");
  EXPECT_EQ(form.Get("e"), "\xF4\x8F\xBF\xBF");
}

TEST(FormTest, RejectsMalformedUtf8Rfc3629Section4) {
  for (std::string_view body : {
           "a=%FF",           // never valid
           "a=%C0%80",        // overlong NUL
           "a=%E0%80%AF",     // overlong '/'
           "a=%ED%A0%80",     // UTF-16 surrogate
           "a=%F4%90%80%80",  // above U+10FFFF
           "a=%E2%82",        // truncated sequence
           "a=%80",           // lone continuation byte
           "%C3=x",           // truncated, in the name
       }) {
    EXPECT_EQ(ParseError(body), CodecErrc::kInvalidUtf8) << body;
  }
  FormParseOptions opts;
  opts.allow_invalid_utf8 = true;
  EXPECT_EQ(MustParse("a=%FF", opts).Get("a"), "\xFF");
}

TEST(FormTest, EnforcesBodySizeLimit) {
  FormParseOptions opts;
  opts.max_bytes = 16;
  EXPECT_EQ(ParseError("a=0123456789abcd", opts), CodecErrc::kOk);
  EXPECT_EQ(ParseError("a=0123456789abcde", opts), CodecErrc::kTooLarge);
  EXPECT_EQ(ParseError(std::string(kDefaultMaxFormBytes + 1, 'a')), CodecErrc::kTooLarge);
}

TEST(FormTest, EnforcesParameterCountLimit) {
  FormParseOptions opts;
  opts.max_parameters = 3;
  EXPECT_EQ(ParseError("a=1&b=2&c=3", opts), CodecErrc::kOk);
  EXPECT_EQ(ParseError("a=1&b=2&c=3&d=4", opts), CodecErrc::kTooManyParameters);
  // Empty segments do not count.
  EXPECT_EQ(ParseError("a=1&&&&b=2&&&&c=3&&&&", opts), CodecErrc::kOk);
}

TEST(FormTest, HugeParameterCountIsRejectedNotQuadratic) {
  std::string body;
  for (int i = 0; body.size() < kDefaultMaxFormBytes - 16; ++i) {
    body.append("k").append(std::to_string(i)).append("&");
  }
  EXPECT_EQ(ParseError(body), CodecErrc::kTooManyParameters);
  FormParseOptions opts;
  opts.max_parameters = 100000;
  EXPECT_GT(MustParse(body, opts).size(), 5000u);  // all distinct: the hash-set path
}

TEST(FormTest, FormEncodeKeepsUnreservedAndEscapesTheRest) {
  EXPECT_EQ(FormEncode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(FormEncode("a b"), "a+b");
  EXPECT_EQ(FormEncode("a+b"), "a%2Bb");
  EXPECT_EQ(FormEncode("&=%*/:?#"), "%26%3D%25%2A%2F%3A%3F%23");
  EXPECT_EQ(FormEncode(std::string_view("\0\r\n", 3)), "%00%0D%0A");
  EXPECT_EQ(FormEncode(""), "");
}

TEST(FormTest, EncodeFormJoinsPairsInOrder) {
  EXPECT_EQ(EncodeForm({{"grant_type", "client_credentials"}, {"scope", "mcp:tools read"}}),
            "grant_type=client_credentials&scope=mcp%3Atools+read");
  EXPECT_EQ(EncodeForm({}), "");
  EXPECT_EQ(EncodeForm({{"", ""}}), "=");
}

TEST(FormTest, EncodeThenParseRoundTrips) {
  const std::vector<std::pair<std::string, std::string>> params = {
      {"redirect_uri", "http://127.0.0.1:53682/callback?x=1&y=2#frag"},
      {"scope", "openid profile mcp:tools"},
      {"state", "a+b%20c=d&e"},
      {"unicode", "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"},
      {"empty", ""},
      {"spaces  and  +plus+", "  "},
      {"printable", " !\"#$%&'()*+,-./0123456789:;<=>?@[\\]^_`{|}~"},
  };
  const Form form = MustParse(EncodeForm(params));
  EXPECT_EQ(form.params(), params);
}

TEST(FormTest, EveryByteRoundTrips) {
  FormParseOptions opts;
  opts.allow_control_characters = true;
  opts.allow_invalid_utf8 = true;
  for (int b = 0; b < 256; ++b) {
    const std::string value(1, static_cast<char>(b));
    const Form form = MustParse("v=" + FormEncode(value), opts);
    EXPECT_EQ(form.Get("v"), value) << "byte " << b;
  }
}

TEST(FormTest, RandomInputNeverCrashesAndReencodesStably) {
  const std::string alphabet = "ab=&+%%0F9gG \x01\xC3\xA9";
  std::mt19937 rng(2024);
  int parsed_count = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string body;
    const size_t len = rng() % 24;
    for (size_t k = 0; k < len; ++k) {
      body.push_back(alphabet[rng() % alphabet.size()]);
    }
    FormParseOptions opts;
    opts.allow_duplicates = true;
    auto first = ParseForm(body, opts);
    if (!first) {
      continue;
    }
    ++parsed_count;
    auto second = ParseForm(EncodeForm(first->params()), opts);
    ASSERT_TRUE(second.has_value()) << body;
    EXPECT_EQ(second->params(), first->params()) << body;
  }
  EXPECT_GT(parsed_count, 100);
}

TEST(FormTest, ReusedErrorIsResetOnSuccess) {
  FormParseError details;
  EXPECT_FALSE(ParseForm("a=1&a=2", {}, &details).has_value());
  EXPECT_TRUE(ParseForm("a=1", {}, &details).has_value());
  EXPECT_EQ(details.code, CodecErrc::kOk);
  EXPECT_EQ(details.parameter, "");
}

TEST(FormTest, NullErrorPointerIsFine) {
  EXPECT_FALSE(ParseForm("a=1&a=2", {}, nullptr).has_value());
}

TEST(FormTest, ErrorCodesHaveMessages) {
  EXPECT_EQ(make_error_code(CodecErrc::kDuplicateParameter).message(),
            "parameter included more than once");
  EXPECT_STREQ(CodecCategory().name(), "mcpauth.http.codec");
}

}  // namespace
}  // namespace mcpauth::http
