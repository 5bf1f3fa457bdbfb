// Error codes of the jose module (JWK, JWS, JWT), as a boost::system error category.
//
// Every way a key or a token can be refused has its own value, so that a caller can react to the
// few that matter (kUnknownKid: refetch the JWKS once; kExpired: refresh) and log the rest. The
// values are stable; new ones are appended. Thread-safety: the category is a stateless singleton.
#pragma once

#include <boost/system/error_code.hpp>

#include "mcpauth/core/result.hpp"

namespace mcpauth::jose {

enum class Errc {
  kOk = 0,
  kTokenTooLarge = 1,       // longer than the size cap; refused before any decoding
  kMalformedToken = 2,      // not exactly three '.'-separated parts (RFC 7515 §7.1), empty header
  kBadBase64 = 3,           // a part or key field is not strict unpadded base64url (RFC 7515 §2)
  kBadJson = 4,             // header, payload, JWK or JWKS is not (valid JSON of) an object
  kAlgNotAllowed = 5,       // `alg` is not exactly "ES256": none, HS*, RS*, PS*... (RFC 8725 §3.1)
  kCritUnsupported = 6,     // `crit` header present: we implement no extensions (RFC 7515 §4.1.11)
  kMissingKid = 7,          // no `kid` header (or not a non-empty string): cannot pick a key
  kUnknownKid = 8,          // the key resolver knows no such `kid`: refetch the JWKS, retry once
  kBadSignature = 9,        // signature is not 64 bytes r||s, or does not verify (RFC 7518 §3.4)
  kBadType = 10,            // `typ` is not the required one, e.g. "at+jwt" (RFC 9068 §4)
  kBadIssuer = 11,          // `iss` differs from the required issuer (RFC 7519 §4.1.1)
  kBadAudience = 12,        // `aud` does not contain the required audience (RFC 7519 §4.1.3)
  kExpired = 13,            // now >= exp + leeway (RFC 7519 §4.1.4)
  kNotYetValid = 14,        // now + leeway < nbf (RFC 7519 §4.1.5)
  kIssuedInFuture = 15,     // iat > now + leeway (RFC 7519 §4.1.6): a broken issuer clock
  kMissingClaim = 16,       // a required claim is absent (exp, or one the verifier requires)
  kBadClaimType = 17,       // a claim has the wrong JSON type (a string `exp`, a numeric `iss`)
  kInvalidKey = 18,         // malformed key: wrong lengths, not on the curve, `d` not matching
  kUnsupportedKey = 19,     // a well-formed key of another kty/crv/alg than EC P-256 / ES256
  kMissingPrivateKey = 20,  // signing or exporting `d` with a public-only key
  kCryptoFailure = 21,      // OpenSSL failed for a reason the caller cannot fix (out of memory)
};

const boost::system::error_category& JoseCategory() noexcept;

inline boost::system::error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), JoseCategory()};
}

}  // namespace mcpauth::jose

template <>
struct boost::system::is_error_code_enum<mcpauth::jose::Errc> : std::true_type {};
