// Fuzz target: JWT decoding and verification (src/jose: DecodeUnverified, JwtVerifier, the
// compact JWS split, ES256 signing and verification).
//
// The input's first byte picks a mode:
//   0  the rest is a compact token, verified as is (the committed corpus holds tokens validly
//      signed with the fixed key below, so the claim checks are reached too);
//   1  "<header JSON>\n<payload>": signed with the fixed key by SignCompactEs256, then verified;
//   2  "<claims JSON>": signed by EncodeJwt with a good header, then verified.
// Invariants beyond "no crash":
//   - DecodeUnverified and Verify agree on the structural steps (1-3): same error, or both past;
//   - a token Verify accepts meets every rule, re-checked here by an independent oracle (alg
//     exactly ES256, no crit, the known kid, typ at+jwt, exact iss, aud, exp/nbf/iat against the
//     clock with leeway, string-typed claims, required claims), and its header and claims are
//     those DecodeUnverified reads;
//   - for a token signed here (modes 1 and 2), Verify accepts exactly when the oracle does: the
//     verifier is neither stricter nor laxer than its documented rules;
//   - an accepted token with one signature character changed is refused.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "mcpauth/core/clock.hpp"
#include "mcpauth/jose/errc.hpp"
#include "mcpauth/jose/jwk.hpp"
#include "mcpauth/jose/jws.hpp"
#include "mcpauth/jose/jwt.hpp"

namespace {

namespace json = boost::json;
using mcpauth::fuzz::Lower;
using mcpauth::jose::Errc;

// RFC 7515 Appendix A.3's P-256 key: public test material, so corpus tokens can be made with it.
constexpr std::string_view kX = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
constexpr std::string_view kY = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
constexpr std::string_view kD = "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI";
constexpr std::string_view kKid = "k1";
constexpr std::string_view kIssuer = "https://as.example";
constexpr std::string_view kAudience = "https://mcp.example/mcp";
constexpr int64_t kNowSeconds = 1'700'000'000;  // 2023-11-14T22:13:20Z
constexpr int64_t kLeewaySeconds = 60;

class FixedClock final : public mcpauth::Clock {
 public:
  TimePoint Now() const override { return TimePoint(std::chrono::seconds(kNowSeconds)); }
};

const mcpauth::jose::EcKey& Key() {
  static const mcpauth::jose::EcKey key = [] {
    const json::object jwk{{"kty", "EC"}, {"crv", "P-256"}, {"x", kX}, {"y", kY}, {"d", kD}};
    auto imported = mcpauth::jose::ImportJwk(jwk);
    FUZZ_CHECK(imported);
    return std::move(*imported);
  }();
  return key;
}

const mcpauth::jose::JwtVerifier& Verifier() {
  static const FixedClock clock;
  static const mcpauth::jose::JwtVerifier verifier = [] {
    mcpauth::jose::JwtVerifier v(clock, mcpauth::jose::SingleKeyResolver(std::string(kKid), Key()));
    v.RequireIssuer(std::string(kIssuer))
        .RequireAudience(std::string(kAudience))
        .RequireType("at+jwt")
        .RequireClaim("sub")
        .RequireClaim("client_id")
        .Leeway(std::chrono::seconds(kLeewaySeconds));
    return v;
  }();
  return verifier;
}

// --- The oracle: the rules of jwt.hpp, written out independently of jwt_verifier.cpp. ---

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

// A NumericDate in microseconds, saturated; nullopt if not a JSON number (or not finite).
std::optional<int64_t> Micros(const json::value& v) {
  if (v.is_int64()) {
    const int64_t s = v.get_int64();
    if (s > kMax / 1'000'000) {
      return kMax;
    }
    if (s < kMin / 1'000'000) {
      return kMin;
    }
    return s * 1'000'000;
  }
  if (v.is_uint64()) {
    return kMax;
  }
  if (v.is_double()) {
    const double d = v.get_double();
    if (!std::isfinite(d)) {
      return std::nullopt;
    }
    const double us = std::floor(d * 1e6);
    if (us >= 9223372036854775808.0) {
      return kMax;
    }
    if (us < -9223372036854775808.0) {
      return kMin;
    }
    return static_cast<int64_t>(us);
  }
  return std::nullopt;
}

bool IsString(const json::object& o, std::string_view name, std::string_view want) {
  const json::value* v = o.if_contains(name);
  return v != nullptr && v->is_string() && v->get_string() == want;
}

bool OracleAccepts(const json::object& header, const json::object& claims) {
  if (!IsString(header, "alg", "ES256") || header.contains("crit") ||
      !IsString(header, "kid", kKid)) {
    return false;
  }
  const json::value* typ = header.if_contains("typ");
  if (typ == nullptr || !typ->is_string()) {
    return false;
  }
  const std::string t = Lower(typ->get_string());
  if (t != "at+jwt" && t != "application/at+jwt") {
    return false;
  }
  if (!IsString(claims, "iss", kIssuer)) {
    return false;
  }
  const json::value* aud = claims.if_contains("aud");
  if (aud == nullptr) {
    return false;
  }
  if (aud->is_string()) {
    if (aud->get_string() != kAudience) {
      return false;
    }
  } else if (aud->is_array()) {
    bool found = false;
    for (const json::value& a : aud->get_array()) {
      if (!a.is_string()) {
        return false;
      }
      found = found || a.get_string() == kAudience;
    }
    if (!found) {
      return false;
    }
  } else {
    return false;
  }
  const int64_t now = kNowSeconds * 1'000'000;
  const int64_t leeway = kLeewaySeconds * 1'000'000;
  const json::value* exp = claims.if_contains("exp");
  if (exp == nullptr) {
    return false;
  }
  const auto exp_us = Micros(*exp);
  // now >= exp + leeway is expired; exp + leeway saturates at int64 max.
  if (!exp_us || (*exp_us <= kMax - leeway && now >= *exp_us + leeway)) {
    return false;
  }
  if (const json::value* nbf = claims.if_contains("nbf")) {
    const auto nbf_us = Micros(*nbf);
    if (!nbf_us || now + leeway < *nbf_us) {
      return false;
    }
  }
  if (const json::value* iat = claims.if_contains("iat")) {
    const auto iat_us = Micros(*iat);
    if (!iat_us || *iat_us > now + leeway) {
      return false;
    }
  }
  for (std::string_view name : {"iss", "sub", "client_id", "jti", "scope"}) {
    const json::value* v = claims.if_contains(name);
    if (v != nullptr && !v->is_string()) {
      return false;
    }
  }
  return claims.contains("sub") && claims.contains("client_id");
}

bool IsStructuralError(Errc e) {
  return e == Errc::kTokenTooLarge || e == Errc::kMalformedToken || e == Errc::kBadJson;
}

// Verifies `token`; `signed_here` when this target signed it with the right key, so a refusal
// can only come from the rules.
void CheckToken(std::string_view token, bool signed_here) {
  const auto verified = Verifier().Verify(token);
  const auto unverified = mcpauth::jose::DecodeUnverified(token);
  if (!unverified) {
    FUZZ_CHECK(!verified);
    FUZZ_CHECK(verified.error() == unverified.error());
    return;
  }
  if (!verified) {
    const auto e = static_cast<Errc>(verified.error().value());
    FUZZ_CHECK(!IsStructuralError(e));
  }
  if (verified) {
    FUZZ_CHECK(token.size() <= mcpauth::jose::kDefaultMaxTokenSize);
    FUZZ_CHECK(OracleAccepts(unverified->header, unverified->claims));
    FUZZ_CHECK(verified->header() == unverified->header);
    FUZZ_CHECK(verified->claims() == unverified->claims);
    FUZZ_CHECK(verified->KeyId() == kKid);
    FUZZ_CHECK(verified->Issuer() == kIssuer);
    FUZZ_CHECK(verified->HasScope("") == false);
    for (std::string_view s : verified->Scopes()) {
      FUZZ_CHECK(!s.empty() && s.find(' ') == std::string_view::npos && verified->HasScope(s));
    }
    // One changed character of the signature: refused.
    std::string tampered(token);
    const size_t sig = tampered.rfind('.') + 1;
    FUZZ_CHECK(sig < tampered.size());
    tampered[sig] = tampered[sig] == 'A' ? 'B' : 'A';
    FUZZ_CHECK(!Verifier().Verify(tampered));
  } else if (signed_here && token.size() <= mcpauth::jose::kDefaultMaxTokenSize) {
    const auto e = static_cast<Errc>(verified.error().value());
    // The signature is good by construction: every refusal is a rule the oracle also applies,
    // unless the payload bytes were not a JSON object (kBadJson handled above).
    FUZZ_CHECK(e != Errc::kBadSignature && e != Errc::kBadBase64);
    FUZZ_CHECK(!OracleAccepts(unverified->header, unverified->claims));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mcpauth::fuzz::Input in(data, size);
  switch (in.Byte() % 3) {
    case 0:
      CheckToken(in.rest(), false);
      break;
    case 1: {
      const std::string_view header = in.Until('\n');
      const std::string_view payload = in.rest();
      const auto token = mcpauth::jose::SignCompactEs256(Key(), header, payload);
      if (!token) {
        break;
      }
      // The JWS layer alone: a header that is an object with alg ES256 and no crit verifies,
      // and gives back the payload bytes exactly; anything else is refused.
      boost::system::error_code ec;
      const json::value h = json::parse(header, ec);
      const bool good_header = !ec && h.is_object() && IsString(h.get_object(), "alg", "ES256") &&
                               !h.get_object().contains("crit");
      const auto jws = mcpauth::jose::VerifyCompactEs256(Key(), *token);
      FUZZ_CHECK(jws.has_value() == good_header);
      if (jws) {
        FUZZ_CHECK(jws->payload == payload);
        FUZZ_CHECK(jws->header == h.get_object());
      }
      CheckToken(*token, true);
      break;
    }
    default: {
      boost::system::error_code ec;
      json::value claims = json::parse(in.rest(), ec);
      if (ec || !claims.is_object()) {
        break;
      }
      const auto token = mcpauth::jose::EncodeJwt(Key(), kKid, "at+jwt", claims.get_object());
      FUZZ_CHECK(token);
      CheckToken(*token, true);
      break;
    }
  }
  return 0;
}
