// TokenValidator: turns the access token of a request into what the resource server may rely on.
//
// Two implementations share this interface: BearerValidator (our own RFC 9068 JWTs, verified
// locally with a cache of verified tokens) and IntrospectionValidator (any authorization server,
// RFC 7662). ResourceServer only sees this interface.
//
// Thread-safety: Validate() is called concurrently from the HTTP server's threads; every
// implementation is safe for that. Ownership: a validated AccessToken is shared and immutable;
// holding it costs a reference count, so a cache hit copies no strings.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mcpauth/core/clock.hpp"
#include "mcpauth/core/result.hpp"
#include "mcpauth/oauth/resource/errc.hpp"

namespace mcpauth::oauth::resource {

// What a validated access token says (RFC 9068 §2.2, RFC 7662 §2.2).
struct AccessToken {
  std::string subject;              // `sub`: the user id
  std::string username;             // `preferred_username` / introspection `username`; may be empty
  std::string client_id;            // `client_id`: the client the token was issued to
  std::vector<std::string> scopes;  // `scope`, split on spaces
  std::string grant_id;             // `grant_id` (ours); empty if the authorization server has none
  Clock::TimePoint expires_at;      // `exp`
  std::string jti;                  // `jti`; may be empty (introspection)

  bool HasScope(std::string_view scope) const;
};

// A JWT NumericDate (RFC 7519 §2) as a TimePoint, clamped to what the clock type can hold.
Clock::TimePoint FromNumericDate(int64_t seconds);

using ValidatedToken = std::shared_ptr<const AccessToken>;

class TokenValidator {
 public:
  virtual ~TokenValidator() = default;
  // The token's content if it is valid for this resource right now, else the reason (Errc). An
  // implementation checks revocation on every call, whether or not it has the token cached.
  virtual Result<ValidatedToken> Validate(std::string_view token) = 0;
};

}  // namespace mcpauth::oauth::resource
