#include "mcpauth/core/token.hpp"

#include <openssl/crypto.h>

#include <array>
#include <vector>

#include "mcpauth/core/base64url.hpp"

namespace mcpauth {

Secret::Secret(Secret&& other) noexcept : value_(std::move(other.value_)) { other.Wipe(); }

Secret& Secret::operator=(Secret&& other) noexcept {
  if (this != &other) {
    Wipe();
    value_ = std::move(other.value_);
    other.Wipe();
  }
  return *this;
}

Secret::~Secret() { Wipe(); }

void Secret::Wipe() {
  // OPENSSL_cleanse cannot be optimised away, unlike a memset before free.
  if (!value_.empty()) {
    OPENSSL_cleanse(value_.data(), value_.size());
  }
  value_.clear();
}

std::string Secret::Fingerprint() const {
  const auto digest = core::Sha256(value_);
  return core::HexEncode(std::span<const uint8_t>(digest.data(), 8));
}

bool operator==(const Secret& a, const Secret& b) {
  return core::ConstantTimeEquals(a.value_, b.value_);
}

namespace core {

std::string HexEncode(std::span<const uint8_t> data) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(data.size() * 2, '\0');
  char* o = out.data();
  for (const uint8_t b : data) {
    *o++ = kHex[b >> 4];
    *o++ = kHex[b & 15];
  }
  return out;
}

Secret GenerateToken(SecureRandom& random) {
  std::array<uint8_t, kTokenBytes> bytes;
  random.Fill(bytes);
  Secret token(Base64UrlEncode(bytes));
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return token;
}

std::string GenerateId(SecureRandom& random, size_t bytes) {
  std::vector<uint8_t> buf(bytes);
  random.Fill(buf);
  return Base64UrlEncode(buf);
}

std::string TokenHash(std::string_view token) {
  // Tokens are stored only as SHA-256: 256-bit random values need no salt or slow hash, and a
  // leaked database then holds nothing that can be presented to us.
  const auto digest = Sha256(token);
  return HexEncode(digest);
}

}  // namespace core
}  // namespace mcpauth
