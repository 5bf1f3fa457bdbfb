// Opaque random tokens: refresh tokens, authorization codes, client secrets, CSRF tokens, ids.
//
// 256 bits from SecureRandom, base64url without padding (43 characters). Stored only as
// TokenHash (SHA-256): a database leak does not leak a usable token. Thread-safety: as the
// SecureRandom passed in.
#pragma once

#include <string>
#include <string_view>

#include "mcpauth/core/crypto.hpp"
#include "mcpauth/core/random.hpp"
#include "mcpauth/core/secret.hpp"

namespace mcpauth::core {

inline constexpr size_t kTokenBytes = 32;

// A new 256-bit token, base64url-encoded.
Secret GenerateToken(SecureRandom& random);

// An identifier with `bytes` random bytes (not a secret by itself: grant ids, jti, key ids).
std::string GenerateId(SecureRandom& random, size_t bytes = 16);

// The at-rest form of a token: SHA-256, hex-encoded (64 characters).
std::string TokenHash(std::string_view token);

std::string HexEncode(std::span<const uint8_t> data);

}  // namespace mcpauth::core
