// Shared vectors and helpers for the jose unit tests: the RFC example keys and tokens, and small
// builders for tokens with arbitrary (also hostile) headers.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

#include "mcpauth/core/base64url.hpp"
#include "mcpauth/jose/errc.hpp"
#include "mcpauth/jose/jwk.hpp"
#include "mcpauth/jose/jws.hpp"

namespace mcpauth::jose {

// Lets GoogleTest print an Errc by its message instead of its bytes.
inline void PrintTo(Errc e, std::ostream* os) { *os << make_error_code(e).message(); }

}  // namespace mcpauth::jose

namespace mcpauth::jose::jose_test {

// RFC 7515 Appendix A.3: the ES256 example key (A.3.1) and the JWS it produced.
inline constexpr std::string_view kRfc7515A3X = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
inline constexpr std::string_view kRfc7515A3Y = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
inline constexpr std::string_view kRfc7515A3D = "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI";
inline constexpr std::string_view kRfc7515A3Jws =
    "eyJhbGciOiJFUzI1NiJ9"
    "."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFt"
    "cGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    "."
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSA"
    "pmWQxfKTUJqPP3-Kg6NU1Q";
// RFC 7515 A.3.1: the JWS Payload octets (the same as in A.1), with its CRLFs and spaces.
inline constexpr std::string_view kRfc7515A3Payload =
    "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}";

// RFC 7517 Appendix A.1 (the EC public key of the example set) and A.2 (its private `d`).
inline constexpr std::string_view kRfc7517A1X = "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4";
inline constexpr std::string_view kRfc7517A1Y = "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM";
inline constexpr std::string_view kRfc7517A2D = "870MB6gfuTJ4HtUnUvYMyJpr5eUZNP4Bk43bVdj3eAE";

inline boost::json::object EcJwk(std::string_view x, std::string_view y, std::string_view d = {}) {
  boost::json::object jwk{{"kty", "EC"}, {"crv", "P-256"}, {"x", x}, {"y", y}};
  if (!d.empty()) {
    jwk["d"] = d;
  }
  return jwk;
}

inline EcKey Rfc7515A3Key() {
  Result<EcKey> key = ImportJwk(EcJwk(kRfc7515A3X, kRfc7515A3Y, kRfc7515A3D));
  EXPECT_TRUE(key.has_value());
  return std::move(key).value();
}

inline EcKey NewKey() {
  Result<EcKey> key = EcKey::Generate();
  EXPECT_TRUE(key.has_value());
  return std::move(key).value();
}

inline std::string B64(std::string_view bytes) { return core::Base64UrlEncode(bytes); }

inline std::string B64Json(const boost::json::object& object) {
  return B64(boost::json::serialize(object));
}

// A compact JWS with any header and payload, validly ES256-signed by `key`: lets a test show
// that a check refuses a token even when its signature is good.
inline std::string SignedToken(const EcKey& key, const boost::json::object& header,
                               const boost::json::object& claims) {
  Result<std::string> token =
      SignCompactEs256(key, boost::json::serialize(header), boost::json::serialize(claims));
  EXPECT_TRUE(token.has_value());
  return token.has_value() ? *token : std::string();
}

// DER (SEQUENCE of two INTEGERs) of a raw r||s signature: what OpenSSL would produce, and what a
// careless implementation might put in a JWS.
inline std::string RawToDer(std::string_view raw) {
  auto integer = [](std::string_view bytes) {
    size_t i = 0;
    while (i + 1 < bytes.size() && bytes[i] == '\0') {
      ++i;
    }
    std::string v(bytes.substr(i));
    if (static_cast<uint8_t>(v[0]) & 0x80) {
      v.insert(v.begin(), '\0');
    }
    return std::string{'\x02', static_cast<char>(v.size())} + v;
  };
  const std::string body = integer(raw.substr(0, 32)) + integer(raw.substr(32));
  return std::string{'\x30', static_cast<char>(body.size())} + body;
}

}  // namespace mcpauth::jose::jose_test
