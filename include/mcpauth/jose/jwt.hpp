// JWT (RFC 7519) signed with ES256: encoding, and a verifier with a fixed order of checks.
//
// Built for RFC 9068 access tokens ("typ":"at+jwt") and following the JWT BCP (RFC 8725): the
// only algorithm is ES256 (there is no API to allow another, and no code path that verifies with
// one), `crit` is refused, the key is chosen by `kid` from keys the caller trusts (never from
// `jwk`/`jku`/`x5u` headers), and time comes from an injected Clock.
//
// JwtVerifier::Verify checks, in this order, and returns the first failure:
//   1. size: at most MaxTokenSize() bytes (default 8 KiB)            -> kTokenTooLarge
//   2. structure: exactly three '.'-separated parts (RFC 7515 §7.1)  -> kMalformedToken
//   3. each part strict unpadded base64url (RFC 7515 §2)             -> kBadBase64
//      header and payload are JSON objects (RFC 7519 §7.2 steps 3-4,
//      9-10); for duplicate member names the last one counts, as
//      RFC 7515 §4 and RFC 7519 §4 permit                            -> kBadJson
//   4. `alg` exactly "ES256" (RFC 7518 §3.4, RFC 8725 §3.1)          -> kAlgNotAllowed
//   5. no `crit` (RFC 7515 §4.1.11: we understand no extension)      -> kCritUnsupported
//   6. `kid` a non-empty string                                      -> kMissingKid
//      the resolver knows it (the caller may refetch the JWKS)       -> kUnknownKid
//   7. signature: 64 raw bytes r||s that verify (RFC 7515 §5.2 step 8) -> kBadSignature
//   8. `typ`, if RequireType() was set: case-insensitive, and the
//      "application/" prefix implied (RFC 7515 §4.1.9, RFC 9068 §4)  -> kBadType
//   9. `iss`, if RequireIssuer() was set: exact match (RFC 9068 §4)  -> kMissingClaim/kBadIssuer
//  10. `aud`: a string or an array of strings containing the required
//      audience (RFC 7519 §4.1.3). Without RequireAudience(), a token
//      that has an `aud` is refused: a verifier that has no identity
//      cannot be its audience. With AcceptAnyAudience(), `aud` may be
//      absent or name anyone, but must still be a string or an array
//      of strings.                                     -> kMissingClaim/kBadAudience/kBadClaimType
//  11. `exp` required, a number; now >= exp + leeway is expired      -> kMissingClaim/kExpired
//  12. `nbf` if present: now + leeway < nbf                          -> kNotYetValid
//  13. `iat` if present: iat > now + leeway (RFC 7519 §4.1.6)        -> kIssuedInFuture
//      (a NumericDate that is not a JSON number, steps 11-13         -> kBadClaimType)
//  14. `iss`, `sub`, `client_id`, `jti`, `scope`, if present, are
//      strings                                                       -> kBadClaimType
//  15. every claim named with RequireClaim() is present              -> kMissingClaim
//
// Thread-safety: configure a JwtVerifier first; Verify() is const and may then be called from any
// number of threads, provided the Clock and the KeyResolver are thread-safe. Ownership: the
// verifier keeps a reference to the Clock, which must outlive it; it owns its resolver.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mcpauth/core/clock.hpp"
#include "mcpauth/core/result.hpp"
#include "mcpauth/jose/jwk.hpp"
#include "mcpauth/jose/jwks.hpp"

namespace mcpauth::jose {

// Tokens longer than this are refused before any decoding. An RFC 9068 access token of mcpauth is
// about 600 bytes; 8 KiB leaves room for long scope lists and still bounds the work per request.
inline constexpr size_t kDefaultMaxTokenSize = 8 * 1024;

// RFC 9068 §2.1: the `typ` of a JWT access token.
inline constexpr std::string_view kAccessTokenType = "at+jwt";

// Signs `claims` as a compact JWT with header {"alg":"ES256","typ":typ,"kid":kid} (in that order;
// `typ` is omitted when empty). The claims are serialized as given: set iat/exp/... yourself.
// kMissingKid for an empty kid, kMissingPrivateKey for a public-only key.
Result<std::string> EncodeJwt(const EcKey& key, std::string_view kid, std::string_view typ,
                              const boost::json::object& claims);

// A JWT's header and claims, decoded WITHOUT verifying anything: for logs and diagnostics only.
// Never base an authorization decision on it. Checks steps 1-3 of the list above.
struct UnverifiedJwt {
  boost::json::object header;
  boost::json::object claims;
};
Result<UnverifiedJwt> DecodeUnverified(std::string_view token);

// Finds the verification key for a `kid`, or nullopt. It returns the key by value (a reference
// count increment), so a resolver may serve keys from a set that another thread replaces. Called
// once per Verify() with a non-empty kid.
using KeyResolver = std::function<std::optional<EcKey>(std::string_view kid)>;

// A resolver over a fixed key set (it shares ownership of the set).
KeyResolver JwksResolver(std::shared_ptr<const Jwks> jwks);
// A resolver that knows exactly one key.
KeyResolver SingleKeyResolver(std::string kid, EcKey key);

// A JWT that passed every check of a JwtVerifier. Accessors return views into claims(): valid while
// this object lives. Claims that step 14 checked are strings when present; absent ones read "".
class VerifiedJwt {
 public:
  const boost::json::object& header() const { return header_; }
  const boost::json::object& claims() const { return claims_; }

  std::string_view KeyId() const;  // header `kid`
  std::string_view Type() const;   // header `typ`, as sent ("" if absent)

  std::string_view Issuer() const { return StringOrEmpty("iss"); }
  std::string_view Subject() const { return StringOrEmpty("sub"); }
  std::string_view ClientId() const { return StringOrEmpty("client_id"); }  // RFC 9068 §2.2
  std::string_view JwtId() const { return StringOrEmpty("jti"); }
  std::string_view Scope() const { return StringOrEmpty("scope"); }  // space-delimited

  // `scope` split on spaces (RFC 9068 §2.2.3, RFC 6749 §3.3); empty tokens dropped.
  std::vector<std::string_view> Scopes() const;
  bool HasScope(std::string_view scope) const;
  // `aud` as a list (a single string gives one element).
  std::vector<std::string_view> Audiences() const;

  // NumericDates in whole seconds since the epoch (a fractional value is rounded down).
  int64_t ExpiresAt() const { return exp_; }
  std::optional<int64_t> IssuedAt() const { return iat_; }
  std::optional<int64_t> NotBefore() const { return nbf_; }

  // Any claim that is a string; nullopt if absent or of another type.
  std::optional<std::string_view> StringClaim(std::string_view name) const;

 private:
  friend class JwtVerifier;
  VerifiedJwt() = default;  // only a JwtVerifier makes one
  std::string_view StringOrEmpty(std::string_view name) const;

  boost::json::object header_;
  boost::json::object claims_;
  int64_t exp_ = 0;
  std::optional<int64_t> iat_;
  std::optional<int64_t> nbf_;
};

class JwtVerifier {
 public:
  JwtVerifier(const Clock& clock, KeyResolver resolver);

  // Each setter replaces a previous value and returns *this for chaining.
  JwtVerifier& RequireIssuer(std::string issuer);
  JwtVerifier& RequireAudience(std::string audience);
  // For the ISSUER verifying its own tokens (revocation, introspection), which is nobody's
  // audience: step 10 then checks only the type of `aud`, and the caller must check the audience
  // against its own records. Never for a resource server. Replaces RequireAudience() and is
  // replaced by it.
  JwtVerifier& AcceptAnyAudience();
  JwtVerifier& RequireType(std::string type);
  // Adds a claim that must be present (any type), e.g. "sub", "client_id", "jti".
  JwtVerifier& RequireClaim(std::string name);
  // Clock skew tolerated for exp, nbf and iat (RFC 7519 §4.1.4: "a few minutes" at most). A
  // negative value counts as zero. Default: zero.
  JwtVerifier& Leeway(std::chrono::seconds leeway);
  JwtVerifier& MaxTokenSize(size_t bytes);

  Result<VerifiedJwt> Verify(std::string_view token) const;

 private:
  const Clock* clock_;
  KeyResolver resolver_;
  std::optional<std::string> issuer_;
  std::optional<std::string> audience_;
  bool any_audience_ = false;
  std::optional<std::string> type_;
  std::vector<std::string> required_claims_;
  std::chrono::seconds leeway_{0};
  size_t max_token_size_ = kDefaultMaxTokenSize;
};

}  // namespace mcpauth::jose
