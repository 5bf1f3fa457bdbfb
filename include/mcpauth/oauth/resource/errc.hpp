// Error codes of the resource-server module: why an access token was refused.
//
// One value per reason the resource server tells apart. Every value but kUnavailable is answered
// 401 with `error="invalid_token"` (RFC 6750 §3.1) and the value's message as error_description,
// so the messages are short, say nothing about the token's content, and are safe to send.
// kUnavailable (keys or the introspection endpoint cannot be reached) is the server's problem,
// not the client's: it is answered 503, so that a client does not start a new authorization.
// The values are stable; new ones are appended. Thread-safety: the category is a stateless
// singleton.
#pragma once

#include <boost/system/error_code.hpp>

#include "mcpauth/core/result.hpp"

namespace mcpauth::oauth::resource {

enum class Errc {
  kOk = 0,
  kMalformed = 1,     // not a JWT we can read: size, structure, base64url, JSON (RFC 7515 §7.1)
  kBadAlgorithm = 2,  // `alg` other than ES256, or a `crit` header (RFC 8725 §3.1)
  kUnknownKey = 3,    // no `kid`, or a `kid` the keys do not know, even after a refetch
  kBadSignature = 4,  // the signature does not verify (RFC 7515 §5.2)
  kBadType = 5,       // `typ` is not "at+jwt" (RFC 9068 §4)
  kBadIssuer = 6,     // `iss` is not our authorization server (RFC 9068 §4)
  kBadAudience = 7,   // `aud` does not name this resource (RFC 8707 §2, RFC 9068 §4)
  kExpired = 8,       // past `exp` (+ leeway) (RFC 7519 §4.1.4)
  kNotYetValid = 9,   // before `nbf`, or `iat` in the future (RFC 7519 §4.1.5-6)
  kBadClaims = 10,    // a required claim (sub, client_id, grant_id...) is absent or mistyped
  kRevoked = 11,      // the token's grant was revoked (RFC 7009, Disconnect)
  kInactive = 12,     // introspection answered "active": false (RFC 7662 §2.2)
  kUnavailable = 13,  // keys or the introspection endpoint could not be reached: answer 503
};

const boost::system::error_category& ResourceCategory() noexcept;

inline boost::system::error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), ResourceCategory()};
}

}  // namespace mcpauth::oauth::resource

template <>
struct boost::system::is_error_code_enum<mcpauth::oauth::resource::Errc> : std::true_type {};
