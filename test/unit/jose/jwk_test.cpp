#include "mcpauth/jose/jwk.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "mcpauth/core/base64url.hpp"
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
using jose_test::kRfc7517A2D;

std::string B64(const EcKey::Coordinate& c) { return core::Base64UrlEncode(c); }

TEST(JwkTest, ImportsRfc7517AppendixA1PublicKey) {
  // RFC 7517 A.1: the first key of the example set, with its "use":"enc" and "kid":"1"; ImportJwk
  // takes the key itself (filtering by `use` is the JWKS's business).
  boost::json::object jwk = EcJwk(kRfc7517A1X, kRfc7517A1Y);
  jwk["use"] = "enc";
  jwk["kid"] = "1";
  Result<EcKey> key = ImportJwk(jwk);
  ASSERT_TRUE(key.has_value()) << key.error().message();
  EXPECT_FALSE(key->HasPrivateKey());
  EXPECT_EQ(B64(key->x()), kRfc7517A1X);
  EXPECT_EQ(B64(key->y()), kRfc7517A1Y);
}

TEST(JwkTest, ImportsRfc7517AppendixA2PrivateKeyAndExportsItBack) {
  Result<EcKey> key = ImportJwk(EcJwk(kRfc7517A1X, kRfc7517A1Y, kRfc7517A2D));
  ASSERT_TRUE(key.has_value()) << key.error().message();
  EXPECT_TRUE(key->HasPrivateKey());
  Result<boost::json::object> exported = ExportPrivateJwk(*key, "1");
  ASSERT_TRUE(exported.has_value());
  EXPECT_EQ(exported->at("x").as_string(), kRfc7517A1X);
  EXPECT_EQ(exported->at("y").as_string(), kRfc7517A1Y);
  EXPECT_EQ(exported->at("d").as_string(), kRfc7517A2D);
  EXPECT_EQ(exported->at("kid").as_string(), "1");
}

TEST(JwkTest, ImportsRfc7515AppendixA3Key) {
  Result<EcKey> key = ImportJwk(EcJwk(kRfc7515A3X, kRfc7515A3Y, kRfc7515A3D));
  ASSERT_TRUE(key.has_value()) << key.error().message();
  // RFC 7515 A.3.1 lists the octets of x: 127, 205, 206, 39, ...
  EXPECT_EQ(key->x()[0], 127);
  EXPECT_EQ(key->x()[1], 205);
  EXPECT_EQ(key->x()[31], 69);
}

TEST(JwkTest, ExportPublicJwkHasExactlyThePublicMembers) {
  Result<EcKey> key = ImportJwk(EcJwk(kRfc7517A1X, kRfc7517A1Y, kRfc7517A2D));
  ASSERT_TRUE(key.has_value());
  const boost::json::object jwk = ExportPublicJwk(*key, "k1");
  const boost::json::object expected{{"kty", "EC"},      {"crv", "P-256"}, {"x", kRfc7517A1X},
                                     {"y", kRfc7517A1Y}, {"kid", "k1"},    {"use", "sig"},
                                     {"alg", "ES256"}};
  EXPECT_EQ(jwk, expected);
  EXPECT_FALSE(jwk.contains("d"));
}

TEST(JwkTest, ThumbprintMatchesIndependentRfc7638Computation) {
  // RFC 7638 §3.1's example is an RSA key. For the RFC 7517 A.1 EC key, the RFC 7638 input
  // {"crv":"P-256","kty":"EC","x":"MKBC...","y":"4Etl..."} hashes (SHA-256, computed with
  // Python's hashlib) to this value, which other JOSE libraries also publish for this key.
  Result<EcKey> key = ImportJwk(EcJwk(kRfc7517A1X, kRfc7517A1Y));
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(JwkThumbprint(*key), "cn-I_WNMClehiVp51i_0VpOENW1upEerA8sEam5hn-s");
  Result<EcKey> a3 = ImportJwk(EcJwk(kRfc7515A3X, kRfc7515A3Y));
  ASSERT_TRUE(a3.has_value());
  EXPECT_EQ(JwkThumbprint(*a3), "oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U");
}

TEST(JwkTest, ThumbprintIsStableAndIgnoresPrivatePartAndExtraMembers) {
  Result<EcKey> priv = ImportJwk(EcJwk(kRfc7517A1X, kRfc7517A1Y, kRfc7517A2D));
  boost::json::object with_extras = EcJwk(kRfc7517A1X, kRfc7517A1Y);
  with_extras["kid"] = "whatever";
  with_extras["use"] = "sig";
  Result<EcKey> pub = ImportJwk(with_extras);
  ASSERT_TRUE(priv.has_value() && pub.has_value());
  const std::string t = JwkThumbprint(*priv);
  EXPECT_EQ(t, JwkThumbprint(*pub));
  EXPECT_EQ(t.size(), 43u);  // base64url of 32 bytes, unpadded
  EXPECT_TRUE(core::Base64UrlDecode(t).has_value());
  const EcKey other = jose_test::NewKey();
  EXPECT_NE(JwkThumbprint(other), t);
}

TEST(JwkTest, EmptyKidDefaultsToThumbprint) {
  const EcKey key = jose_test::NewKey();
  EXPECT_EQ(ExportPublicJwk(key).at("kid").as_string(), JwkThumbprint(key));
}

TEST(JwkTest, GeneratedKeyRoundTripsThroughPrivateAndPublicJwk) {
  const EcKey key = jose_test::NewKey();
  ASSERT_TRUE(key.HasPrivateKey());
  Result<boost::json::object> priv_jwk = ExportPrivateJwk(key, "k");
  ASSERT_TRUE(priv_jwk.has_value());
  Result<EcKey> back = ImportJwk(*priv_jwk);
  ASSERT_TRUE(back.has_value()) << back.error().message();
  EXPECT_TRUE(back->HasPrivateKey());
  EXPECT_TRUE(back->SamePublicKey(key));
  EXPECT_EQ(ExportPrivateJwk(*back, "k").value(), *priv_jwk);

  Result<EcKey> pub = ImportJwk(ExportPublicJwk(key, "k"));
  ASSERT_TRUE(pub.has_value());
  EXPECT_FALSE(pub->HasPrivateKey());
  EXPECT_TRUE(pub->SamePublicKey(key));
}

TEST(JwkTest, PublicOnlyDropsThePrivateKey) {
  const EcKey key = jose_test::NewKey();
  Result<EcKey> pub = key.PublicOnly();
  ASSERT_TRUE(pub.has_value());
  EXPECT_FALSE(pub->HasPrivateKey());
  EXPECT_TRUE(pub->SamePublicKey(key));
  EXPECT_EQ(ExportPrivateJwk(*pub).error(), Errc::kMissingPrivateKey);
}

TEST(JwkTest, CopiesShareTheKeyAndMovesLeaveAnEmptyKey) {
  EcKey key = jose_test::NewKey();
  EcKey copy = key;
  EXPECT_EQ(copy.native_handle(), key.native_handle());
  EcKey moved = std::move(key);
  EXPECT_EQ(moved.native_handle(), copy.native_handle());
  EXPECT_EQ(key.native_handle(), nullptr);  // NOLINT(bugprone-use-after-move): documented state
  EXPECT_EQ(ExportPrivateJwk(key).error(), Errc::kInvalidKey);
  key = copy;
  EXPECT_EQ(key.native_handle(), copy.native_handle());
  EXPECT_TRUE(key.HasPrivateKey());
}

struct BadJwkCase {
  const char* name;
  boost::json::object jwk;
  Errc expected;
};

std::string Replace(std::string_view s, size_t pos, char c) {
  std::string out(s);
  out[pos] = c;
  return out;
}

TEST(JwkTest, RefusesMalformedAndForeignKeys) {
  // A 32-byte value with one more (or one less) byte: lengths are exact (RFC 7518 §6.2.1.2).
  const std::string x33 = core::Base64UrlEncode(std::string(33, '\x01'));
  const std::string x31 = core::Base64UrlEncode(std::string(31, '\x01'));
  // P-256's field prime p: a coordinate must be < p.
  const std::string p_bytes(
      "\xff\xff\xff\xff\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff"
      "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff",
      32);
  // One character of y changed ('S' -> 'T', still canonical base64url): (x, y') is off the curve.
  const std::string off_curve_y = Replace(kRfc7517A1Y, 5, 'T');
  const std::string zero = core::Base64UrlEncode(std::string(32, '\0'));

  auto with = [](boost::json::object jwk, std::string_view k, const auto& v) {
    jwk[k] = boost::json::value_from(v);
    return jwk;
  };
  auto without = [](boost::json::object jwk, std::string_view k) {
    jwk.erase(k);
    return jwk;
  };
  const boost::json::object good = EcJwk(kRfc7517A1X, kRfc7517A1Y);
  const BadJwkCase cases[] = {
      {"kty RSA", with(good, "kty", "RSA"), Errc::kUnsupportedKey},
      {"kty OKP", with(good, "kty", "OKP"), Errc::kUnsupportedKey},
      {"kty missing", without(good, "kty"), Errc::kInvalidKey},
      {"kty not a string", with(good, "kty", 1), Errc::kInvalidKey},
      {"crv P-384", with(good, "crv", "P-384"), Errc::kUnsupportedKey},
      {"crv lowercase", with(good, "crv", "p-256"), Errc::kUnsupportedKey},
      {"crv missing", without(good, "crv"), Errc::kInvalidKey},
      {"alg RS256", with(good, "alg", "RS256"), Errc::kUnsupportedKey},
      {"alg not a string", with(good, "alg", true), Errc::kUnsupportedKey},
      {"x missing", without(good, "x"), Errc::kInvalidKey},
      {"y missing", without(good, "y"), Errc::kInvalidKey},
      {"x a number", with(good, "x", 5), Errc::kInvalidKey},
      {"x 33 bytes", with(good, "x", x33), Errc::kInvalidKey},
      {"x 31 bytes", with(good, "x", x31), Errc::kInvalidKey},
      {"x padded", with(good, "x", std::string(kRfc7517A1X) + "="), Errc::kBadBase64},
      {"x standard alphabet", with(good, "x", Replace(kRfc7517A1X, 4, '+')), Errc::kBadBase64},
      {"y with '/'", with(good, "y", Replace(kRfc7517A1Y, 0, '/')), Errc::kBadBase64},
      {"y with whitespace", with(good, "y", Replace(kRfc7517A1Y, 10, ' ')), Errc::kBadBase64},
      {"point not on curve", with(good, "y", off_curve_y), Errc::kInvalidKey},
      {"x = p", with(good, "x", core::Base64UrlEncode(p_bytes)), Errc::kInvalidKey},
      {"point (0,0)", with(with(good, "x", zero), "y", zero), Errc::kInvalidKey},
      {"d of another key", with(good, "d", kRfc7515A3D), Errc::kInvalidKey},
      {"d zero", with(good, "d", zero), Errc::kInvalidKey},
      {"d 31 bytes", with(good, "d", x31), Errc::kInvalidKey},
      {"d not a string", with(good, "d", 7), Errc::kInvalidKey},
      {"d bad base64", with(good, "d", Replace(kRfc7517A2D, 3, '+')), Errc::kBadBase64},
  };
  for (const BadJwkCase& c : cases) {
    Result<EcKey> key = ImportJwk(c.jwk);
    ASSERT_FALSE(key.has_value()) << c.name;
    EXPECT_EQ(key.error(), c.expected) << c.name << ": " << key.error().message();
  }
}

// Test keys generated with `openssl genpkey` for these tests only.
constexpr std::string_view kP384Pem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDBqZepHX53C7gzb5rfH\n"
    "P4RopwPddPIQQBKqxsUAERtfsWF8uDXqWfHGYgiAwoIeAKyhZANiAAQ9TDY1rRR7\n"
    "Wl4LT+d0VDifyQrBpMr5iNuPfPEx++30nZvyaWzaR3slAWhthdKn+m1IoE3S0vkP\n"
    "eOXfPiNVYjTsLY0+MzC4yQiXnOTnnKrjabFTlhJEn14fMorQVyl8C3k=\n"
    "-----END PRIVATE KEY-----\n";
constexpr std::string_view kEd25519Pem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEILOkStnpmPASYmx5ToofM3KKn4zNuLLLYZVUdnM9obJh\n"
    "-----END PRIVATE KEY-----\n";
// The RFC 7515 A.3 key as SEC1 "EC PRIVATE KEY" and as passphrase-protected PKCS#8 ("pw").
constexpr std::string_view kRfc7515A3Sec1Pem =
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MHcCAQEEII6bEJ5xkJi/mASH3x9dd+nLKWBuvtImO19XwhPfhPSyoAoGCCqGSM49\n"
    "AwEHoUQDQgAEf83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEXH8UTNG72b\n"
    "focs3+257rn0s2ldbqkLJK2KRiMohYjlrQ==\n"
    "-----END EC PRIVATE KEY-----\n";
constexpr std::string_view kRfc7515A3EncryptedPem =
    "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
    "MIH0MF8GCSqGSIb3DQEFDTBSMDEGCSqGSIb3DQEFDDAkBBDCu9PoBU4cfEbazAnA\n"
    "a0U1AgIIADAMBggqhkiG9w0CCQUAMB0GCWCGSAFlAwQBKgQQejZzCf/6pFZOm4Ir\n"
    "27CHRgSBkDn4bSpqpFRigIdoopW/lXU9OWSgy96sYEuorHIih0C8cX14K6S4gBL1\n"
    "4kTL6Xov8h2y5EyCgQ+iyciJG3gsROEhe4nTzGYtdwjd3f7v+loRVLYT+k23oAtP\n"
    "TzREvz5WME7NGxSwkhijz4gAsyKtT0/0nkIV/+xCmEykM81sn26U43z8jAR6wuD7\n"
    "TKx+K8xFVA==\n"
    "-----END ENCRYPTED PRIVATE KEY-----\n";
constexpr std::string_view kRfc7515A3PublicPem =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEf83OJ3D2xF1Bg8vub9tLe1gHMzV7\n"
    "6e8Tus9uPHvRVEXH8UTNG72bfocs3+257rn0s2ldbqkLJK2KRiMohYjlrQ==\n"
    "-----END PUBLIC KEY-----\n";

TEST(JwkPemTest, PrivateKeyRoundTripsThroughPkcs8) {
  const EcKey key = jose_test::NewKey();
  Result<Secret> pem = ExportPrivateKeyPem(key);
  ASSERT_TRUE(pem.has_value());
  EXPECT_TRUE(pem->Reveal().starts_with("-----BEGIN PRIVATE KEY-----\n"));
  Result<EcKey> back = ImportPrivateKeyPem(pem->Reveal());
  ASSERT_TRUE(back.has_value()) << back.error().message();
  EXPECT_TRUE(back->HasPrivateKey());
  EXPECT_TRUE(back->SamePublicKey(key));
  EXPECT_EQ(ExportPrivateJwk(*back).value(), ExportPrivateJwk(key).value());
}

TEST(JwkPemTest, ImportsSec1PemOfRfc7515A3Key) {
  Result<EcKey> key = ImportPrivateKeyPem(kRfc7515A3Sec1Pem);
  ASSERT_TRUE(key.has_value()) << key.error().message();
  EXPECT_EQ(B64(key->x()), kRfc7515A3X);
  EXPECT_EQ(B64(key->y()), kRfc7515A3Y);
  EXPECT_EQ(ExportPrivateJwk(*key)->at("d").as_string(), kRfc7515A3D);
}

TEST(JwkPemTest, PublicKeyPemRoundTrips) {
  Result<EcKey> key = ImportPublicKeyPem(kRfc7515A3PublicPem);
  ASSERT_TRUE(key.has_value()) << key.error().message();
  EXPECT_FALSE(key->HasPrivateKey());
  EXPECT_EQ(B64(key->x()), kRfc7515A3X);
  EXPECT_EQ(B64(key->y()), kRfc7515A3Y);
  EXPECT_EQ(ExportPublicKeyPem(*key).value(), kRfc7515A3PublicPem);
  EXPECT_EQ(ExportPublicKeyPem(jose_test::Rfc7515A3Key()).value(), kRfc7515A3PublicPem);
}

TEST(JwkPemTest, RefusesOtherCurvesAlgorithmsAndGarbage) {
  EXPECT_EQ(ImportPrivateKeyPem(kP384Pem).error(), Errc::kUnsupportedKey);
  EXPECT_EQ(ImportPrivateKeyPem(kEd25519Pem).error(), Errc::kUnsupportedKey);
  EXPECT_EQ(ImportPrivateKeyPem("not a pem").error(), Errc::kInvalidKey);
  EXPECT_EQ(ImportPrivateKeyPem("").error(), Errc::kInvalidKey);
  EXPECT_EQ(ImportPrivateKeyPem(kRfc7515A3PublicPem).error(), Errc::kInvalidKey);
  EXPECT_EQ(
      ImportPublicKeyPem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n").error(),
      Errc::kInvalidKey);
  EXPECT_EQ(ExportPrivateKeyPem(jose_test::Rfc7515A3Key().PublicOnly().value()).error(),
            Errc::kMissingPrivateKey);
}

TEST(JwkPemTest, RefusesEncryptedPemWithoutPrompting) {
  // No passphrase callback may read the terminal: an encrypted key file is refused outright.
  EXPECT_EQ(ImportPrivateKeyPem(kRfc7515A3EncryptedPem).error(), Errc::kInvalidKey);
}

}  // namespace
}  // namespace mcpauth::jose
