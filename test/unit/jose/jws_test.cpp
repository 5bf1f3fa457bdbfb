#include "mcpauth/jose/jws.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>

#include "mcpauth/core/base64url.hpp"
#include "mcpauth/jose/errc.hpp"
#include "unit/jose/jose_test_util.hpp"

namespace mcpauth::jose {
namespace {

using jose_test::B64;
using jose_test::kRfc7515A3Jws;
using jose_test::kRfc7515A3Payload;
using jose_test::kRfc7515A3X;
using jose_test::kRfc7515A3Y;
using jose_test::Rfc7515A3Key;

EcKey Rfc7515A3PublicKey() {
  Result<EcKey> key = ImportJwk(jose_test::EcJwk(kRfc7515A3X, kRfc7515A3Y));
  EXPECT_TRUE(key.has_value());
  return std::move(key).value();
}

std::string Decode(std::string_view b64) { return core::Base64UrlDecode(b64).value(); }

TEST(JwsTest, VerifiesRfc7515AppendixA3) {
  const EcKey key = Rfc7515A3PublicKey();
  Result<CompactParts> parts = SplitCompact(kRfc7515A3Jws);
  ASSERT_TRUE(parts.has_value());
  EXPECT_EQ(Decode(parts->header), R"({"alg":"ES256"})");
  EXPECT_EQ(Decode(parts->payload), kRfc7515A3Payload);
  const std::string signature = Decode(parts->signature);
  // RFC 7515 A.3.1: R and S, 32 octets each.
  constexpr std::array<uint8_t, 64> kRS = {
      14,  209, 33,  83,  121, 99,  108, 72,  60,  47,  127, 21,  88,  7,   212, 2,
      163, 178, 40,  3,   58,  249, 124, 126, 23,  129, 154, 195, 22,  158, 166, 101,
      197, 10,  7,   211, 140, 60,  112, 229, 216, 241, 45,  175, 8,   74,  84,  128,
      166, 101, 144, 197, 242, 147, 80,  154, 143, 63,  127, 138, 131, 163, 84,  213};
  ASSERT_EQ(signature.size(), kRS.size());
  EXPECT_TRUE(std::equal(kRS.begin(), kRS.end(), signature.begin(),
                         [](uint8_t a, char b) { return a == static_cast<uint8_t>(b); }));
  EXPECT_TRUE(VerifyEs256(key, parts->signing_input, signature));

  Result<VerifiedJws> jws = VerifyCompactEs256(key, kRfc7515A3Jws);
  ASSERT_TRUE(jws.has_value()) << jws.error().message();
  EXPECT_EQ(jws->header, (boost::json::object{{"alg", "ES256"}}));
  EXPECT_EQ(jws->payload, kRfc7515A3Payload);
}

TEST(JwsTest, Rfc7515AppendixA3FailsWithAnotherKeyOrInput) {
  const EcKey other = jose_test::NewKey();
  EXPECT_EQ(VerifyCompactEs256(other, kRfc7515A3Jws).error(), Errc::kBadSignature);
  Result<CompactParts> parts = SplitCompact(kRfc7515A3Jws);
  ASSERT_TRUE(parts.has_value());
  const std::string signature = Decode(parts->signature);
  std::string input(parts->signing_input);
  input.back() ^= 1;
  EXPECT_FALSE(VerifyEs256(Rfc7515A3PublicKey(), input, signature));
}

TEST(JwsTest, SignThenVerifyRoundTrips) {
  const EcKey key = Rfc7515A3Key();
  Result<std::string> sig = SignEs256(key, "hello");
  ASSERT_TRUE(sig.has_value());
  EXPECT_EQ(sig->size(), kEs256SignatureBytes);
  EXPECT_TRUE(VerifyEs256(key, "hello", *sig));
  EXPECT_TRUE(VerifyEs256(Rfc7515A3PublicKey(), "hello", *sig));
  EXPECT_FALSE(VerifyEs256(key, "hellO", *sig));
  // ECDSA is randomized: a second signature differs and verifies too.
  Result<std::string> sig2 = SignEs256(key, "hello");
  ASSERT_TRUE(sig2.has_value());
  EXPECT_NE(*sig, *sig2);
  EXPECT_TRUE(VerifyEs256(key, "hello", *sig2));
}

TEST(JwsTest, SignedSignaturesAreAlwaysFixedWidth) {
  // r or s below 2^248 happen once in 128 signatures; the raw form must stay 64 bytes, which
  // the BN_bn2binpad padding guarantees (RFC 7518 §3.4).
  const EcKey key = jose_test::NewKey();
  for (int i = 0; i < 300; ++i) {
    const std::string input = "message " + std::to_string(i);
    Result<std::string> sig = SignEs256(key, input);
    ASSERT_TRUE(sig.has_value());
    ASSERT_EQ(sig->size(), kEs256SignatureBytes);
    ASSERT_TRUE(VerifyEs256(key, input, *sig)) << i;
  }
}

TEST(JwsTest, SigningNeedsAPrivateKey) {
  EXPECT_EQ(SignEs256(Rfc7515A3PublicKey(), "x").error(), Errc::kMissingPrivateKey);
  EXPECT_EQ(SignCompactEs256(Rfc7515A3PublicKey(), R"({"alg":"ES256"})", "x").error(),
            Errc::kMissingPrivateKey);
}

TEST(JwsTest, RefusesSignaturesOfTheWrongShape) {
  const EcKey key = Rfc7515A3Key();
  const std::string sig = SignEs256(key, "data").value();
  EXPECT_FALSE(VerifyEs256(key, "data", ""));
  EXPECT_FALSE(VerifyEs256(key, "data", sig.substr(0, 63)));
  EXPECT_FALSE(VerifyEs256(key, "data", sig + '\0'));
  EXPECT_FALSE(VerifyEs256(key, "data", '\0' + sig));
  // The same r and s in DER, as OpenSSL produces them: not a JWS signature.
  EXPECT_FALSE(VerifyEs256(key, "data", jose_test::RawToDer(sig)));
  // r = 0 or s = 0.
  EXPECT_FALSE(VerifyEs256(key, "data", std::string(32, '\0') + sig.substr(32)));
  EXPECT_FALSE(VerifyEs256(key, "data", sig.substr(0, 32) + std::string(32, '\0')));
  EXPECT_FALSE(VerifyEs256(key, "data", std::string(64, '\0')));
  EXPECT_FALSE(VerifyEs256(key, "data", std::string(64, '\xff')));
  // The swapped halves.
  EXPECT_FALSE(VerifyEs256(key, "data", sig.substr(32) + sig.substr(0, 32)));
  EXPECT_TRUE(VerifyEs256(key, "data", sig));
}

TEST(JwsTest, RawToDerHelperProducesWhatOpenSslAccepts) {
  // Keeps the DER test above honest: RFC 7515 A.3's signature in DER is 71 bytes.
  const std::string raw = Decode(SplitCompact(kRfc7515A3Jws)->signature);
  const std::string der = jose_test::RawToDer(raw);
  EXPECT_EQ(der.size(), 71u);
  EXPECT_EQ(static_cast<uint8_t>(der[0]), 0x30);
}

TEST(JwsTest, SplitCompactNeedsExactlyThreeParts) {
  struct Case {
    std::string_view text;
    bool ok;
  };
  const Case cases[] = {
      {"a.b.c", true},      {"a..c", true},  {"a.b.", true}, {"a..", true},
      {"", false},          {"abc", false},  {"a.b", false}, {"a.b.c.d", false},
      {"a.b.c.d.e", false}, {".b.c", false}, {"..", false},  {"a.b.c.", false},
  };
  for (const Case& c : cases) {
    Result<CompactParts> parts = SplitCompact(c.text);
    EXPECT_EQ(parts.has_value(), c.ok) << c.text;
    if (!c.ok) {
      EXPECT_EQ(parts.error(), Errc::kMalformedToken) << c.text;
    }
  }
  Result<CompactParts> parts = SplitCompact("hh.pp.ss");
  ASSERT_TRUE(parts.has_value());
  EXPECT_EQ(parts->header, "hh");
  EXPECT_EQ(parts->payload, "pp");
  EXPECT_EQ(parts->signature, "ss");
  EXPECT_EQ(parts->signing_input, "hh.pp");
}

TEST(JwsTest, CompactRoundTripsAndRefusesOtherAlgorithms) {
  const EcKey key = jose_test::NewKey();
  Result<std::string> jws = SignCompactEs256(key, R"({"alg":"ES256"})", "payload bytes");
  ASSERT_TRUE(jws.has_value());
  Result<VerifiedJws> verified = VerifyCompactEs256(key, *jws);
  ASSERT_TRUE(verified.has_value());
  EXPECT_EQ(verified->payload, "payload bytes");

  for (std::string_view header : {R"({"alg":"none"})", R"({"alg":"HS256"})", R"({"alg":"es256"})",
                                  R"({"alg":"ES384"})", R"({"alg":["ES256"]})", R"({})"}) {
    // Validly signed with the right key, but the header names another algorithm.
    Result<std::string> other = SignCompactEs256(key, header, "p");
    ASSERT_TRUE(other.has_value());
    EXPECT_EQ(VerifyCompactEs256(key, *other).error(), Errc::kAlgNotAllowed) << header;
  }
  Result<std::string> crit = SignCompactEs256(key, R"({"alg":"ES256","crit":["exp"]})", "p");
  EXPECT_EQ(VerifyCompactEs256(key, *crit).error(), Errc::kCritUnsupported);
  Result<std::string> not_object = SignCompactEs256(key, R"(["ES256"])", "p");
  EXPECT_EQ(VerifyCompactEs256(key, *not_object).error(), Errc::kBadJson);
  // Two base64url characters fewer: a 63-byte signature.
  EXPECT_EQ(VerifyCompactEs256(key, jws->substr(0, jws->size() - 2)).error(), Errc::kBadSignature);
  EXPECT_EQ(VerifyCompactEs256(key, *jws + "=").error(), Errc::kBadBase64);
}

}  // namespace
}  // namespace mcpauth::jose
