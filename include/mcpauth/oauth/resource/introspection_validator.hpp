// IntrospectionValidator: validates access tokens by asking their authorization server (RFC 7662).
//
// The mode for an authorization server that is not ours (its tokens may be opaque, or JWTs we have
// no business parsing). Validate(token):
//   1. cache: by the SHA-256 of the token, for `cache_ttl` but never past the token's `exp`;
//   2. otherwise POST token=…&token_type_hint=access_token to the introspection endpoint,
//      authenticated as this resource server's client (client_secret_basic, RFC 6749 §2.3.1, or
//      client_secret_post), and require (RFC 7662 §2.2, §4):
//        "active": true                                           else kInactive
//        token_type absent, "Bearer" or "access_token"
//          (a refresh token is not a bearer credential here)      else kBadType
//        exp, if present: now < exp                               else kExpired
//        nbf, if present: now >= nbf                              else kNotYetValid
//        iss equal to `issuer`, if both are set                   else kBadIssuer
//        aud containing `audience` (a missing aud is refused
//          unless allow_missing_audience: RFC 8707 binding)      else kBadAudience
//        sub (or, failing it, username) a non-empty string        else kBadClaims
//      An endpoint that cannot be reached, answers other than 200, or sends no JSON object gives
//      kUnavailable (answered 503: the client's token may be fine);
//   3. revocation: a `grant_id` in the response is checked against RevokedGrants, if given, on
//      every call. Otherwise a revocation at the authorization server is seen once the cache
//      entry ends, which is why `cache_ttl` is short.
// Inactive answers are not cached. The introspection call blocks the calling thread for up to
// `timeout` (the Authorizer hook is synchronous).
//
// Thread-safety: Validate() may be called from any number of threads. Ownership: keeps references
// to the http::Client, the Clock and the RevokedGrants (may be null), which must outlive it.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "mcpauth/core/clock.hpp"
#include "mcpauth/core/secret.hpp"
#include "mcpauth/http/client.hpp"
#include "mcpauth/oauth/resource/revoked_grants.hpp"
#include "mcpauth/oauth/resource/token_validator.hpp"

namespace mcpauth::oauth::resource {

namespace detail {
class TokenCache;
}

enum class ClientAuthMethod { kClientSecretBasic, kClientSecretPost };

struct IntrospectionOptions {
  std::string endpoint;  // the authorization server's introspection_endpoint (RFC 8414 §2)
  std::string client_id;
  Secret client_secret;
  ClientAuthMethod auth_method = ClientAuthMethod::kClientSecretBasic;
  std::string audience;  // this resource's canonical URL
  std::string issuer;    // checked against `iss` when both are non-empty
  bool allow_missing_audience = false;
  std::chrono::seconds cache_ttl{30};
  size_t cache_capacity = 10'000;
  std::chrono::milliseconds timeout{5000};
  size_t max_token_size = 8 * 1024;  // longer tokens are refused without a call
};

class IntrospectionValidator final : public TokenValidator {
 public:
  IntrospectionValidator(http::Client& client, const Clock& clock, IntrospectionOptions options,
                         const RevokedGrants* revoked = nullptr);
  ~IntrospectionValidator() override;
  IntrospectionValidator(const IntrospectionValidator&) = delete;
  IntrospectionValidator& operator=(const IntrospectionValidator&) = delete;

  Result<ValidatedToken> Validate(std::string_view token) override;

  size_t cache_size() const;

 private:
  Result<ValidatedToken> Introspect(std::string_view token, Clock::TimePoint now);

  http::Client& client_;
  const Clock& clock_;
  const IntrospectionOptions options_;
  const RevokedGrants* revoked_;
  std::unique_ptr<detail::TokenCache> cache_;
};

}  // namespace mcpauth::oauth::resource
