#include "mcpauth/core/base64url.hpp"

#include <gtest/gtest.h>

#include "mcpauth/core/errc.hpp"

namespace mcpauth::core {
namespace {

struct Vector {
  const char* plain;
  const char* encoded;
};

// RFC 4648 §10 test vectors, without padding.
constexpr Vector kRfc4648[] = {
    {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},          {"foo", "Zm9v"},
    {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"},
};

TEST(Base64UrlTest, EncodesRfc4648Section10Vectors) {
  for (const auto& v : kRfc4648) {
    EXPECT_EQ(Base64UrlEncode(std::string_view(v.plain)), v.encoded) << v.plain;
  }
}

TEST(Base64UrlTest, DecodesRfc4648Section10Vectors) {
  for (const auto& v : kRfc4648) {
    auto r = Base64UrlDecode(v.encoded);
    ASSERT_TRUE(r.has_value()) << v.encoded;
    EXPECT_EQ(*r, v.plain);
  }
}

TEST(Base64UrlTest, UsesUrlSafeAlphabet) {
  const std::string bytes = "\xfb\xff\xbf";
  EXPECT_EQ(Base64UrlEncode(bytes), "-_-_");
  EXPECT_EQ(*Base64UrlDecode("-_-_"), bytes);
}

TEST(Base64UrlTest, RoundTripsEveryByteValueAndLength) {
  std::string data;
  for (int i = 0; i < 300; ++i) {
    data.push_back(static_cast<char>(i * 7));
    auto decoded = Base64UrlDecode(Base64UrlEncode(data));
    ASSERT_TRUE(decoded.has_value());
    ASSERT_EQ(*decoded, data);
  }
}

TEST(Base64UrlTest, RejectsPaddingStandardAlphabetAndWhitespace) {
  for (const char* bad : {"Zg==", "Zm8=", "+/+/", "Zm9v\n", " Zm9v", "Zm 9v", "Zm9v.", "Z\0g"}) {
    auto r = Base64UrlDecode(bad);
    EXPECT_FALSE(r.has_value()) << bad;
    if (!r) {
      EXPECT_EQ(r.error(), Errc::kInvalidBase64);
    }
  }
}

TEST(Base64UrlTest, RejectsImpossibleLength) {
  EXPECT_FALSE(Base64UrlDecode("Z").has_value());
  EXPECT_FALSE(Base64UrlDecode("Zm9vY").has_value());
}

TEST(Base64UrlTest, RejectsNonZeroPadBitsSoEncodingIsUnique) {
  // "Zg" is "f"; "Zh" decodes to the same byte with non-zero trailing bits in a lax decoder.
  EXPECT_TRUE(Base64UrlDecode("Zg").has_value());
  EXPECT_FALSE(Base64UrlDecode("Zh").has_value());
  EXPECT_TRUE(Base64UrlDecode("Zm8").has_value());
  EXPECT_FALSE(Base64UrlDecode("Zm9").has_value());
}

}  // namespace
}  // namespace mcpauth::core
