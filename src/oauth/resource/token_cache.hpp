// TokenCache: validated access tokens by the SHA-256 of the token, until a deadline (at most the
// token's exp). See core::DigestCache for the bounds and the locking. Private to the module.
#pragma once

#include "mcpauth/core/digest_cache.hpp"
#include "mcpauth/oauth/resource/token_validator.hpp"

namespace mcpauth::oauth::resource::detail {

// A class, not an alias, so that the public headers can declare it without this one.
class TokenCache : public core::DigestCache<ValidatedToken> {
 public:
  using DigestCache::DigestCache;
};

}  // namespace mcpauth::oauth::resource::detail
