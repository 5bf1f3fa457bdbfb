#include "mcpauth/jose/jwks.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "mcpauth/jose/errc.hpp"
#include "unit/jose/jose_test_util.hpp"

namespace mcpauth::jose {
namespace {

using jose_test::EcJwk;
using jose_test::kRfc7515A3D;
using jose_test::kRfc7515A3X;
using jose_test::kRfc7515A3Y;
using jose_test::kRfc7517A1X;
using jose_test::kRfc7517A1Y;

// RFC 7517 Appendix A.1, verbatim: an EC encryption key and an RSA key.
constexpr std::string_view kRfc7517A1Set = R"({"keys":
       [
         {"kty":"EC",
          "crv":"P-256",
          "x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4",
          "y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM",
          "use":"enc",
          "kid":"1"},

         {"kty":"RSA",
          "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
          "e":"AQAB",
          "alg":"RS256",
          "kid":"2011-04-29"}
       ]
     })";

boost::json::object SigJwk(std::string_view x, std::string_view y, std::string_view kid) {
  boost::json::object jwk = EcJwk(x, y);
  jwk["kid"] = kid;
  jwk["use"] = "sig";
  return jwk;
}

TEST(JwksTest, Rfc7517AppendixA1SetHasNoEs256SigningKey) {
  // The EC key is "use":"enc" and the other is RSA: both skipped, neither fatal.
  Result<Jwks> jwks = Jwks::Parse(kRfc7517A1Set);
  ASSERT_TRUE(jwks.has_value()) << jwks.error().message();
  EXPECT_TRUE(jwks->empty());
  EXPECT_EQ(jwks->skipped(), 2u);
  EXPECT_EQ(jwks->Find("1"), nullptr);
}

TEST(JwksTest, KeepsUsableKeysAndSkipsTheRest) {
  boost::json::object p384 = SigJwk(kRfc7517A1X, kRfc7517A1Y, "p384");
  p384["crv"] = "P-384";
  boost::json::object enc = SigJwk(kRfc7517A1X, kRfc7517A1Y, "enc");
  enc["use"] = "enc";
  boost::json::object rs = SigJwk(kRfc7517A1X, kRfc7517A1Y, "rs");
  rs["alg"] = "RS256";
  boost::json::object wrap_only = SigJwk(kRfc7517A1X, kRfc7517A1Y, "ops");
  wrap_only["key_ops"] = boost::json::array{"wrapKey"};
  boost::json::object verify_ops = SigJwk(kRfc7517A1X, kRfc7517A1Y, "verify-ops");
  verify_ops["key_ops"] = boost::json::array{"verify"};
  boost::json::object no_kid = SigJwk(kRfc7517A1X, kRfc7517A1Y, "");
  no_kid.erase("kid");
  boost::json::object broken = SigJwk(kRfc7517A1X, "AAAA", "broken");
  boost::json::object no_use = EcJwk(kRfc7515A3X, kRfc7515A3Y);
  no_use["kid"] = "a3";
  no_use["alg"] = "ES256";

  const boost::json::value document = {
      {"keys",
       boost::json::array{SigJwk(kRfc7517A1X, kRfc7517A1Y, "good"), p384, enc, rs, wrap_only,
                          verify_ops, no_kid, broken, "not an object", 42, no_use}}};
  Result<Jwks> jwks = Jwks::FromJson(document);
  ASSERT_TRUE(jwks.has_value());
  EXPECT_EQ(jwks->size(), 3u);
  EXPECT_EQ(jwks->skipped(), 8u);
  ASSERT_NE(jwks->Find("good"), nullptr);
  EXPECT_EQ(core::Base64UrlEncode(jwks->Find("good")->x()), kRfc7517A1X);
  EXPECT_NE(jwks->Find("verify-ops"), nullptr);
  EXPECT_NE(jwks->Find("a3"), nullptr);
  for (const char* kid : {"p384", "enc", "rs", "ops", "broken", "", "unknown"}) {
    EXPECT_EQ(jwks->Find(kid), nullptr) << kid;
  }
}

TEST(JwksTest, FirstKeyWinsForARepeatedKid) {
  const boost::json::value document = {
      {"keys", boost::json::array{SigJwk(kRfc7517A1X, kRfc7517A1Y, "k"),
                                  SigJwk(kRfc7515A3X, kRfc7515A3Y, "k")}}};
  Result<Jwks> jwks = Jwks::FromJson(document);
  ASSERT_TRUE(jwks.has_value());
  ASSERT_EQ(jwks->size(), 1u);
  EXPECT_EQ(jwks->skipped(), 1u);
  EXPECT_EQ(core::Base64UrlEncode(jwks->Find("k")->x()), kRfc7517A1X);
}

TEST(JwksTest, ParsedKeysNeverCarryThePrivatePart) {
  boost::json::object with_d = SigJwk(kRfc7515A3X, kRfc7515A3Y, "k");
  with_d["d"] = kRfc7515A3D;
  Result<Jwks> jwks = Jwks::FromJson(boost::json::object{{"keys", boost::json::array{with_d}}});
  ASSERT_TRUE(jwks.has_value());
  ASSERT_NE(jwks->Find("k"), nullptr);
  EXPECT_FALSE(jwks->Find("k")->HasPrivateKey());
}

TEST(JwksTest, RefusesDocumentsWithoutAKeysArray) {
  for (std::string_view text : {"", "[]", "{}", R"({"keys":{}})", R"({"keys":"x"})",
                                R"({"keys":[]} trailing)", R"({"keys":[],})", "null"}) {
    Result<Jwks> jwks = Jwks::Parse(text);
    ASSERT_FALSE(jwks.has_value()) << text;
    EXPECT_EQ(jwks.error(), Errc::kBadJson) << text;
  }
  EXPECT_TRUE(Jwks::Parse(R"({"keys":[]})").has_value());
}

TEST(JwksTest, SerializeRoundTripsAndPublishesOnlyPublicKeys) {
  Jwks jwks;
  const EcKey current = jose_test::NewKey();
  const EcKey previous = jose_test::NewKey();
  ASSERT_TRUE(jwks.Add("current", current));
  ASSERT_TRUE(jwks.Add("previous", previous));
  EXPECT_FALSE(jwks.Add("current", previous));  // taken
  EXPECT_FALSE(jwks.Add("", previous));
  EXPECT_EQ(jwks.size(), 2u);

  const std::string text = jwks.Serialize();
  EXPECT_EQ(text.find("\"d\""), std::string::npos);
  Result<Jwks> back = Jwks::Parse(text);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->size(), 2u);
  EXPECT_EQ(back->skipped(), 0u);
  EXPECT_TRUE(back->Find("current")->SamePublicKey(current));
  EXPECT_TRUE(back->Find("previous")->SamePublicKey(previous));
  EXPECT_EQ(back->ToJson(), jwks.ToJson());
  EXPECT_EQ(back->entries()[0].kid, "current");
}

}  // namespace
}  // namespace mcpauth::jose
