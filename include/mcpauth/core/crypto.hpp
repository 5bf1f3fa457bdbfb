// Hashing and MACs over OpenSSL 3: SHA-256, HMAC-SHA256, constant-time comparison.
//
// No cryptography is implemented here; these are thin, allocation-free wrappers. Thread-safety:
// free functions are thread-safe; an HmacSha256 object may be used from one thread at a time
// (copy it per thread — a copy duplicates the keyed context cheaply).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

namespace mcpauth::core {

using Sha256Digest = std::array<uint8_t, 32>;

Sha256Digest Sha256(std::span<const uint8_t> data);
Sha256Digest Sha256(std::string_view data);

// Compares two byte strings in time independent of where they differ (CRYPTO_memcmp). Lengths
// are not secret: unequal lengths return false at once. Use for every comparison of a secret
// or a value derived from one (token hashes, PKCE challenges, CSRF tokens).
bool ConstantTimeEquals(std::span<const uint8_t> a, std::span<const uint8_t> b);
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// HMAC-SHA256 with a key set once: the keyed context is prepared in the constructor, and each
// Mac() duplicates it, which is several times cheaper than keying anew (~0.3 µs vs ~1.3 µs).
class HmacSha256 {
 public:
  explicit HmacSha256(std::span<const uint8_t> key);
  explicit HmacSha256(std::string_view key);
  ~HmacSha256();
  HmacSha256(const HmacSha256& other);
  HmacSha256& operator=(const HmacSha256& other);
  HmacSha256(HmacSha256&&) noexcept;
  HmacSha256& operator=(HmacSha256&&) noexcept;

  Sha256Digest Mac(std::span<const uint8_t> data) const;
  Sha256Digest Mac(std::string_view data) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mcpauth::core
