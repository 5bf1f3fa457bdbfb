// BearerValidator: validates our authorization server's access tokens (RFC 9068 JWTs) locally.
//
// Validate(token), in this order:
//   1. cache: the SHA-256 of the token is looked up in the verified-token cache; an entry is used
//      until the token's `exp`. A hit skips step 2 (an ES256 verify costs ~90 µs; the hash and the
//      lookup well under 1 µs).
//   2. jose::JwtVerifier (its fixed order: size, structure, alg ES256 only, kid known to the
//      KeySource, signature, typ "at+jwt", iss, aud = this resource's canonical URL, exp / nbf /
//      iat with leeway, claim types, required claims), then `sub` non-empty and `grant_id` a
//      string. Success is cached; failures are not (a failure is cheap, or it is a forgery).
//   3. revocation: the grant is looked up in RevokedGrants on EVERY call, hit or miss, so a
//      revoked grant fails the very next request (DESIGN "Tokens and secrets").
// Every check is a security decision: issuer and audience bind the token to our authorization
// server and to this resource (RFC 8707 §2, MCP "Token Handling": accept only tokens issued for
// ourselves; a token for another resource is refused even when validly signed).
//
// Thread-safety: Validate() may be called from any number of threads; the Clock, the KeySource
// and the RevokedGrants must be thread-safe (those of this module are). Ownership: keeps
// references to the Clock and the RevokedGrants (which may be null: no revocation check); shares
// the KeySource. All must outlive the validator.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mcpauth/core/clock.hpp"
#include "mcpauth/jose/jwt.hpp"
#include "mcpauth/oauth/resource/key_source.hpp"
#include "mcpauth/oauth/resource/revoked_grants.hpp"
#include "mcpauth/oauth/resource/token_validator.hpp"

namespace mcpauth::oauth::resource {

namespace detail {
class TokenCache;
}

struct BearerValidatorOptions {
  std::string issuer;    // our authorization server's issuer identifier, compared exactly
  std::string audience;  // this resource's canonical URL, e.g. "https://mcp.example.com/mcp"
  std::string type{jose::kAccessTokenType};
  std::chrono::seconds leeway{30};
  // Claims that must be present besides `exp` (always required). Drop "grant_id" only for an
  // authorization server that revokes otherwise: without it a token cannot be revoked here.
  std::vector<std::string> required_claims{"sub", "client_id", "grant_id"};
  size_t cache_capacity = 100'000;  // 0 disables the cache
};

class BearerValidator final : public TokenValidator {
 public:
  BearerValidator(const Clock& clock, std::shared_ptr<KeySource> keys,
                  BearerValidatorOptions options, const RevokedGrants* revoked);
  ~BearerValidator() override;
  BearerValidator(const BearerValidator&) = delete;
  BearerValidator& operator=(const BearerValidator&) = delete;

  Result<ValidatedToken> Validate(std::string_view token) override;

  // Forgets every verified token (after a signing-key compromise, say).
  void ClearCache();
  size_t cache_size() const;
  // Signature verifications performed (cache misses that reached the verifier).
  uint64_t verifications() const { return verifications_.load(std::memory_order_relaxed); }

 private:
  const Clock& clock_;
  std::shared_ptr<KeySource> keys_;
  const RevokedGrants* revoked_;
  jose::JwtVerifier verifier_;
  std::unique_ptr<detail::TokenCache> cache_;
  std::atomic<uint64_t> verifications_{0};
};

}  // namespace mcpauth::oauth::resource
