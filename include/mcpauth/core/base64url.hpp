// base64url without padding (RFC 4648 §5, as used by JOSE: RFC 7515 §2).
//
// Decoding is strict: only the URL-safe alphabet, no padding, no whitespace, and the unused low
// bits of the last character must be zero, so every byte string has exactly one encoding (a
// token cannot be altered into a second accepted form). Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "mcpauth/core/result.hpp"

namespace mcpauth::core {

std::string Base64UrlEncode(std::span<const uint8_t> data);
std::string Base64UrlEncode(std::string_view data);

// Returns the decoded bytes, or Errc::kInvalidBase64.
Result<std::string> Base64UrlDecode(std::string_view text);

}  // namespace mcpauth::core
