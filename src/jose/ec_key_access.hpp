// The one door through which src/jose builds EcKeys. Private to src/jose.
#pragma once

#include "jose/openssl_ptr.hpp"
#include "mcpauth/core/result.hpp"
#include "mcpauth/jose/jwk.hpp"

namespace mcpauth::jose::internal {

struct EcKeyAccess {
  // Takes ownership of `pkey` and checks it fully: an EC key on P-256 whose public point passes
  // EVP_PKEY_public_check (on the curve, not infinity) and, for a private key, whose `d` passes
  // the private-range and pair-wise checks. kUnsupportedKey for another key type or curve,
  // kInvalidKey for a key that fails a check.
  static Result<EcKey> Adopt(PkeyPtr pkey);
};

}  // namespace mcpauth::jose::internal
