#include "mcpauth/jose/jwt.hpp"

#include <gtest/gtest.h>

#include <string>

#include "mcpauth/core/base64url.hpp"
#include "mcpauth/jose/errc.hpp"
#include "mcpauth/jose/jws.hpp"
#include "unit/jose/jose_test_util.hpp"

namespace mcpauth::jose {
namespace {

TEST(JwtTest, EncodeWritesHeaderInOrderAndSignsWithEs256) {
  const EcKey key = jose_test::NewKey();
  const boost::json::object claims{{"iss", "https://as"}, {"sub", "alice"}, {"exp", 1700000600}};
  Result<std::string> token = EncodeJwt(key, "key-1", "at+jwt", claims);
  ASSERT_TRUE(token.has_value()) << token.error().message();
  Result<CompactParts> parts = SplitCompact(*token);
  ASSERT_TRUE(parts.has_value());
  EXPECT_EQ(core::Base64UrlDecode(parts->header).value(),
            R"({"alg":"ES256","typ":"at+jwt","kid":"key-1"})");
  EXPECT_EQ(core::Base64UrlDecode(parts->payload).value(),
            R"({"iss":"https://as","sub":"alice","exp":1700000600})");
  Result<VerifiedJws> jws = VerifyCompactEs256(key, *token);
  ASSERT_TRUE(jws.has_value());
}

TEST(JwtTest, EncodeOmitsAnEmptyTypAndNeedsKidAndPrivateKey) {
  const EcKey key = jose_test::NewKey();
  Result<std::string> token = EncodeJwt(key, "k", "", {{"exp", 1}});
  ASSERT_TRUE(token.has_value());
  EXPECT_EQ(DecodeUnverified(*token)->header,
            (boost::json::object{{"alg", "ES256"}, {"kid", "k"}}));
  EXPECT_EQ(EncodeJwt(key, "", "at+jwt", {}).error(), Errc::kMissingKid);
  EXPECT_EQ(EncodeJwt(key.PublicOnly().value(), "k", "at+jwt", {}).error(),
            Errc::kMissingPrivateKey);
}

TEST(JwtTest, DecodeUnverifiedReturnsHeaderAndClaims) {
  const EcKey key = jose_test::NewKey();
  const boost::json::object claims{{"sub", "bob"}, {"scope", "a b"}};
  Result<UnverifiedJwt> decoded = DecodeUnverified(EncodeJwt(key, "k", "at+jwt", claims).value());
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->claims, claims);
  EXPECT_EQ(decoded->header.at("kid").as_string(), "k");
}

TEST(JwtTest, DecodeUnverifiedChecksStructureOnly) {
  const std::string header = jose_test::B64(R"({"alg":"none"})");
  const std::string payload = jose_test::B64(R"({"sub":"x"})");
  // alg none and no signature: decodable (it is for diagnostics), never verifiable.
  EXPECT_TRUE(DecodeUnverified(header + "." + payload + ".").has_value());
  EXPECT_EQ(DecodeUnverified(header + "." + payload).error(), Errc::kMalformedToken);
  EXPECT_EQ(DecodeUnverified(header + "." + payload + "=.").error(), Errc::kBadBase64);
  EXPECT_EQ(DecodeUnverified(header + "." + jose_test::B64("[1]") + ".").error(), Errc::kBadJson);
  EXPECT_EQ(DecodeUnverified(header + "." + jose_test::B64("{") + ".").error(), Errc::kBadJson);
  EXPECT_EQ(DecodeUnverified(std::string(kDefaultMaxTokenSize + 1, 'a')).error(),
            Errc::kTokenTooLarge);
}

}  // namespace
}  // namespace mcpauth::jose
