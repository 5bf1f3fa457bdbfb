#include "mcpauth/core/crypto.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cstdio>
#include <cstdlib>

namespace mcpauth::core {
namespace {

[[noreturn]] void Fatal(const char* what) {
  // An OpenSSL failure here means out of memory or a broken installation, not bad input.
  std::fprintf(stderr, "mcpauth: OpenSSL failure in %s; aborting\n", what);
  std::abort();
}

std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// The HMAC algorithm object is fetched once per process (EVP_MAC_fetch is costly).
EVP_MAC* HmacAlgorithm() {
  static EVP_MAC* mac = [] {
    EVP_MAC* m = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (m == nullptr) {
      Fatal("EVP_MAC_fetch");
    }
    return m;
  }();
  return mac;
}

// Fetched once: EVP_sha256() alone makes OpenSSL 3 look the implementation up on every call,
// which doubles the cost of hashing a token.
const EVP_MD* Sha256Algorithm() {
  static EVP_MD* md = [] {
    EVP_MD* m = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (m == nullptr) {
      Fatal("EVP_MD_fetch");
    }
    return m;
  }();
  return md;
}

}  // namespace

Sha256Digest Sha256(std::span<const uint8_t> data) {
  Sha256Digest out;
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &len, Sha256Algorithm(), nullptr) != 1) {
    Fatal("EVP_Digest");
  }
  return out;
}

Sha256Digest Sha256(std::string_view data) { return Sha256(Bytes(data)); }

bool ConstantTimeEquals(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  if (a.size() != b.size()) {
    return false;
  }
  if (a.empty()) {
    return true;
  }
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  return ConstantTimeEquals(Bytes(a), Bytes(b));
}

struct HmacSha256::Impl {
  EVP_MAC_CTX* ctx = nullptr;
  ~Impl() { EVP_MAC_CTX_free(ctx); }
};

HmacSha256::HmacSha256(std::span<const uint8_t> key) : impl_(std::make_unique<Impl>()) {
  impl_->ctx = EVP_MAC_CTX_new(HmacAlgorithm());
  if (impl_->ctx == nullptr) {
    Fatal("EVP_MAC_CTX_new");
  }
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end(),
  };
  // An empty key is legal HMAC; OpenSSL wants a non-null pointer for it.
  static const uint8_t kEmpty = 0;
  if (EVP_MAC_init(impl_->ctx, key.empty() ? &kEmpty : key.data(), key.size(), params) != 1) {
    Fatal("EVP_MAC_init");
  }
}

HmacSha256::HmacSha256(std::string_view key) : HmacSha256(Bytes(key)) {}

HmacSha256::~HmacSha256() = default;
HmacSha256::HmacSha256(HmacSha256&&) noexcept = default;
HmacSha256& HmacSha256::operator=(HmacSha256&&) noexcept = default;

HmacSha256::HmacSha256(const HmacSha256& other) : impl_(std::make_unique<Impl>()) {
  impl_->ctx = EVP_MAC_CTX_dup(other.impl_->ctx);
  if (impl_->ctx == nullptr) {
    Fatal("EVP_MAC_CTX_dup");
  }
}

HmacSha256& HmacSha256::operator=(const HmacSha256& other) {
  if (this != &other) {
    HmacSha256 copy(other);
    *this = std::move(copy);
  }
  return *this;
}

Sha256Digest HmacSha256::Mac(std::span<const uint8_t> data) const {
  // Duplicating the keyed context skips re-deriving the padded key blocks on every call.
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_dup(impl_->ctx);
  if (ctx == nullptr) {
    Fatal("EVP_MAC_CTX_dup");
  }
  Sha256Digest out;
  size_t len = 0;
  if (EVP_MAC_update(ctx, data.data(), data.size()) != 1 ||
      EVP_MAC_final(ctx, out.data(), &len, out.size()) != 1 || len != out.size()) {
    EVP_MAC_CTX_free(ctx);
    Fatal("EVP_MAC_final");
  }
  EVP_MAC_CTX_free(ctx);
  return out;
}

Sha256Digest HmacSha256::Mac(std::string_view data) const { return Mac(Bytes(data)); }

}  // namespace mcpauth::core
