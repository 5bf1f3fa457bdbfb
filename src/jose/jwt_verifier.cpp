#include "mcpauth/jose/jwt.hpp"

#include <algorithm>
#include <array>
#include <boost/json/array.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>

#include "jose/header.hpp"
#include "jose/json_part.hpp"
#include "mcpauth/core/base64url.hpp"
#include "mcpauth/jose/errc.hpp"
#include "mcpauth/jose/jws.hpp"

namespace mcpauth::jose {
namespace {

using internal::FindString;

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMicrosPerSecond = 1'000'000;

// Claims that RFC 7519 §4.1 and RFC 9068 §2.2 define as strings; a token carrying another type
// there is malformed, and refusing it lets the accessors of VerifiedJwt assume strings.
constexpr std::array<std::string_view, 5> kStringClaims = {"iss", "sub", "client_id", "jti",
                                                           "scope"};

int64_t SaturatingAdd(int64_t a, int64_t b) {
  int64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) {
    return b > 0 ? kMax : kMin;
  }
  return sum;
}

int64_t SecondsToMicros(int64_t seconds) {
  if (seconds > kMax / kMicrosPerSecond) {
    return kMax;
  }
  if (seconds < kMin / kMicrosPerSecond) {
    return kMin;
  }
  return seconds * kMicrosPerSecond;
}

int64_t ClampToInt64(double value) {
  // 2^63 is exactly representable; every double below it converts without overflow.
  constexpr double kLimit = 9223372036854775808.0;
  if (value >= kLimit) {
    return kMax;
  }
  if (value < -kLimit) {
    return kMin;
  }
  return static_cast<int64_t>(value);
}

struct NumericDate {
  int64_t seconds;  // rounded down
  int64_t micros;   // for comparisons with the clock's microseconds
};

// RFC 7519 §2 NumericDate: a JSON number of seconds since the epoch, possibly non-integer. A
// string, a boolean or null is not a date (kBadClaimType): "1700000000" must not pass for one.
Result<NumericDate> ReadNumericDate(const boost::json::value& value) {
  if (const int64_t* i = value.if_int64()) {
    return NumericDate{*i, SecondsToMicros(*i)};
  }
  if (value.is_uint64()) {
    return NumericDate{kMax, kMax};  // beyond 2^63 seconds: "never" for exp, "future" for nbf
  }
  if (const double* d = value.if_double()) {
    if (!std::isfinite(*d)) {
      return Errc::kBadClaimType;
    }
    return NumericDate{ClampToInt64(std::floor(*d)), ClampToInt64(std::floor(*d * 1e6))};
  }
  return Errc::kBadClaimType;
}

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// RFC 7515 §4.1.9: a `typ` without '/' is read as if "application/" were prepended, and media
// types compare case-insensitively (RFC 2045 §5.1), so "at+jwt", "AT+JWT" and
// "application/at+jwt" are the same type (RFC 9068 §4 names the first and the last).
std::string NormalizeMediaType(std::string_view type) {
  std::string lower(type.size(), '\0');
  std::transform(type.begin(), type.end(), lower.begin(), AsciiLower);
  if (lower.find('/') == std::string::npos) {
    lower.insert(0, "application/");
  }
  return lower;
}

// Whether `aud` is a StringOrURI or an array of them (RFC 7519 §4.1.3).
bool IsAudienceValue(const boost::json::value& aud) {
  if (aud.is_string()) {
    return true;
  }
  const boost::json::array* list = aud.if_array();
  return list != nullptr && std::all_of(list->begin(), list->end(),
                                        [](const boost::json::value& v) { return v.is_string(); });
}

Status CheckAudience(const boost::json::object& claims, const std::optional<std::string>& required,
                     bool any_audience) {
  const boost::json::value* aud = claims.if_contains("aud");
  if (any_audience) {
    // The issuer looking at its own token: it is not the audience, and the caller compares `aud`
    // with what it recorded when it issued the token.
    return aud == nullptr || IsAudienceValue(*aud) ? Status() : Status(Errc::kBadClaimType);
  }
  if (!required) {
    // RFC 7519 §4.1.3: a principal that does not identify itself with a value in `aud` MUST
    // reject the token. A verifier configured without an audience identifies with none.
    return aud == nullptr ? Status() : Status(Errc::kBadAudience);
  }
  if (aud == nullptr) {
    return Errc::kMissingClaim;  // RFC 9068 §2.2: aud is required in access tokens
  }
  // Exact, case-sensitive comparison (RFC 7519 §4.1.3 StringOrURI, RFC 8707 resource).
  if (const boost::json::string* single = aud->if_string()) {
    return *single == *required ? Status() : Status(Errc::kBadAudience);
  }
  const boost::json::array* list = aud->if_array();
  if (list == nullptr) {
    return Errc::kBadClaimType;
  }
  bool found = false;
  for (const boost::json::value& entry : *list) {
    const boost::json::string* s = entry.if_string();
    if (s == nullptr) {
      return Errc::kBadClaimType;
    }
    found = found || *s == *required;
  }
  return found ? Status() : Status(Errc::kBadAudience);
}

}  // namespace

std::string_view VerifiedJwt::KeyId() const {
  const boost::json::string* kid = FindString(header_, "kid");
  return kid != nullptr ? std::string_view(*kid) : std::string_view();
}

std::string_view VerifiedJwt::Type() const {
  const boost::json::string* typ = FindString(header_, "typ");
  return typ != nullptr ? std::string_view(*typ) : std::string_view();
}

std::string_view VerifiedJwt::StringOrEmpty(std::string_view name) const {
  return StringClaim(name).value_or(std::string_view());
}

std::optional<std::string_view> VerifiedJwt::StringClaim(std::string_view name) const {
  const boost::json::string* s = FindString(claims_, name);
  return s != nullptr ? std::optional<std::string_view>(*s) : std::nullopt;
}

std::vector<std::string_view> VerifiedJwt::Scopes() const {
  std::vector<std::string_view> scopes;
  std::string_view rest = Scope();
  while (!rest.empty()) {
    const size_t space = rest.find(' ');
    std::string_view scope = rest.substr(0, space);
    if (!scope.empty()) {
      scopes.push_back(scope);
    }
    rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
  }
  return scopes;
}

bool VerifiedJwt::HasScope(std::string_view scope) const {
  const std::vector<std::string_view> scopes = Scopes();
  return !scope.empty() && std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
}

std::vector<std::string_view> VerifiedJwt::Audiences() const {
  std::vector<std::string_view> out;
  const boost::json::value* aud = claims_.if_contains("aud");
  if (aud == nullptr) {
    return out;
  }
  if (const boost::json::string* single = aud->if_string()) {
    out.emplace_back(*single);
  } else if (const boost::json::array* list = aud->if_array()) {
    for (const boost::json::value& entry : *list) {
      if (const boost::json::string* s = entry.if_string()) {
        out.emplace_back(*s);
      }
    }
  }
  return out;
}

JwtVerifier::JwtVerifier(const Clock& clock, KeyResolver resolver)
    : clock_(&clock), resolver_(std::move(resolver)) {}

JwtVerifier& JwtVerifier::RequireIssuer(std::string issuer) {
  issuer_ = std::move(issuer);
  return *this;
}

JwtVerifier& JwtVerifier::RequireAudience(std::string audience) {
  audience_ = std::move(audience);
  any_audience_ = false;
  return *this;
}

JwtVerifier& JwtVerifier::AcceptAnyAudience() {
  audience_.reset();
  any_audience_ = true;
  return *this;
}

JwtVerifier& JwtVerifier::RequireType(std::string type) {
  type_ = NormalizeMediaType(type);
  return *this;
}

JwtVerifier& JwtVerifier::RequireClaim(std::string name) {
  required_claims_.push_back(std::move(name));
  return *this;
}

JwtVerifier& JwtVerifier::Leeway(std::chrono::seconds leeway) {
  leeway_ = std::max(leeway, std::chrono::seconds(0));
  return *this;
}

JwtVerifier& JwtVerifier::MaxTokenSize(size_t bytes) {
  max_token_size_ = bytes;
  return *this;
}

// The steps are numbered as in the list in jwt.hpp; keep the two in step.
Result<VerifiedJwt> JwtVerifier::Verify(std::string_view token) const {
  // 1. Bound the work an unauthenticated caller can ask for (kTokenTooLarge), then
  // 2-3. structure and encodings (RFC 7519 §7.2 steps 1-4 and 9-10, RFC 7515 §5.2 steps 1-7).
  Result<internal::DecodedJwt> decoded = internal::DecodeJwt(token, max_token_size_);
  if (!decoded) {
    return decoded.error();
  }
  const CompactParts* parts = &decoded->parts;
  boost::json::object* header = &decoded->header;
  boost::json::object* claims = &decoded->claims;
  Result<std::string> signature = core::Base64UrlDecode(parts->signature);
  if (!signature) {
    return Errc::kBadBase64;
  }
  // 4-5. Only ES256, no extensions.
  if (Status checked = internal::CheckProtectedHeader(*header); !checked) {
    return checked.error();
  }
  // 6. The key comes from the caller's trusted set by `kid`; `jwk`, `jku` and `x5u` headers are
  // never consulted (RFC 8725 §3.10: a token must not choose its own key).
  const boost::json::string* kid = FindString(*header, "kid");
  if (kid == nullptr || kid->empty()) {
    return Errc::kMissingKid;
  }
  std::optional<EcKey> key = resolver_ ? resolver_(*kid) : std::nullopt;
  if (!key) {
    return Errc::kUnknownKid;
  }
  // 7. Signature over ASCII(header '.' payload) (RFC 7515 §5.2 step 8).
  if (!VerifyEs256(*key, parts->signing_input, *signature)) {
    return Errc::kBadSignature;
  }
  // From here on the header and the claims are authentic: what is left is policy.
  // 8. Explicit typing (RFC 8725 §3.11, RFC 9068 §4: "at+jwt"), so that another kind of JWT from
  // the same issuer (an ID token, a client assertion) is not accepted as an access token.
  if (type_) {
    const boost::json::string* typ = FindString(*header, "typ");
    if (typ == nullptr || NormalizeMediaType(*typ) != *type_) {
      return Errc::kBadType;
    }
  }
  // 9. Issuer: exact match (RFC 9068 §4, RFC 8725 §3.8).
  if (issuer_) {
    const boost::json::value* iss = claims->if_contains("iss");
    if (iss == nullptr) {
      return Errc::kMissingClaim;
    }
    if (!iss->is_string()) {
      return Errc::kBadClaimType;
    }
    if (iss->get_string() != *issuer_) {
      return Errc::kBadIssuer;
    }
  }
  // 10. Audience: this resource server must be named in `aud` (RFC 9068 §4, RFC 8725 §3.9), so
  // that a token minted for another resource cannot be replayed here.
  if (Status aud = CheckAudience(*claims, audience_, any_audience_); !aud) {
    return aud.error();
  }
  // 11-13. Time, against the injected clock, with the configured leeway.
  const int64_t now =
      std::chrono::duration_cast<std::chrono::microseconds>(clock_->Now().time_since_epoch())
          .count();
  const int64_t leeway = SecondsToMicros(leeway_.count());
  VerifiedJwt verified;
  // 11. RFC 7519 §4.1.4 / RFC 9068 §2.2: exp is required; valid only while now < exp (+ leeway).
  const boost::json::value* exp_value = claims->if_contains("exp");
  if (exp_value == nullptr) {
    return Errc::kMissingClaim;
  }
  Result<NumericDate> exp = ReadNumericDate(*exp_value);
  if (!exp) {
    return exp.error();
  }
  if (now >= SaturatingAdd(exp->micros, leeway)) {
    return Errc::kExpired;
  }
  verified.exp_ = exp->seconds;
  // 12. RFC 7519 §4.1.5: not before nbf (- leeway).
  if (const boost::json::value* nbf_value = claims->if_contains("nbf")) {
    Result<NumericDate> nbf = ReadNumericDate(*nbf_value);
    if (!nbf) {
      return nbf.error();
    }
    if (SaturatingAdd(now, leeway) < nbf->micros) {
      return Errc::kNotYetValid;
    }
    verified.nbf_ = nbf->seconds;
  }
  // 13. RFC 7519 §4.1.6: iat is when it was issued; one from the future (beyond the skew we
  // tolerate) means a broken or hostile issuer clock, and would extend the token's life.
  if (const boost::json::value* iat_value = claims->if_contains("iat")) {
    Result<NumericDate> iat = ReadNumericDate(*iat_value);
    if (!iat) {
      return iat.error();
    }
    if (iat->micros > SaturatingAdd(now, leeway)) {
      return Errc::kIssuedInFuture;
    }
    verified.iat_ = iat->seconds;
  }
  // 14. String claims have string values.
  for (std::string_view name : kStringClaims) {
    const boost::json::value* v = claims->if_contains(name);
    if (v != nullptr && !v->is_string()) {
      return Errc::kBadClaimType;
    }
  }
  // 15. Claims the caller requires (RFC 9068 §2.2 lists sub, client_id, iat, jti).
  for (const std::string& name : required_claims_) {
    if (!claims->contains(name)) {
      return Errc::kMissingClaim;
    }
  }
  verified.header_ = std::move(*header);
  verified.claims_ = std::move(*claims);
  return verified;
}

}  // namespace mcpauth::jose
