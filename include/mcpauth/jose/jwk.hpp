// EC P-256 keys for ES256, and their JSON Web Key form (RFC 7517, RFC 7518 §6.2).
//
// EcKey is the only key type of mcpauth: it holds an OpenSSL EVP_PKEY on the P-256 curve, public
// or private, always validated (the point is on the curve; `d` matches it). Keys from outside
// enter through ImportJwk or ImportPrivateKeyPem / ImportPublicKeyPem, which refuse anything
// else; there is no way to build an unvalidated EcKey.
//
// Ownership: an EcKey owns one reference to its EVP_PKEY. Copying takes another reference
// (EVP_PKEY_up_ref: cheap, no key material is duplicated); moving steals it. A moved-from EcKey
// may only be assigned to or destroyed. Thread-safety: a const EcKey may be used for signing and
// verifying from any number of threads at once (OpenSSL 3 treats the key as read-only there).
//
// Private key material: ExportPrivateJwk and ExportPrivateKeyPem exist to store a signing key at
// rest (file mode 0600 or the database). Never log their output; the PEM comes back as a Secret
// so that it cannot be.
#pragma once

#include <array>
#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "mcpauth/core/result.hpp"
#include "mcpauth/core/secret.hpp"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY, kept out of our public headers.

namespace mcpauth::jose {

namespace internal {
struct EcKeyAccess;  // src/jose: builds EcKeys from validated EVP_PKEYs.
}  // namespace internal

// Length of a P-256 coordinate and of the private scalar `d`, in bytes (RFC 7518 §6.2.1.2).
inline constexpr size_t kP256FieldBytes = 32;

class EcKey {
 public:
  using Coordinate = std::array<uint8_t, kP256FieldBytes>;

  // A fresh P-256 key pair from OpenSSL's CSPRNG. (OpenSSL draws its own randomness here and for
  // every ECDSA nonce; SecureRandom cannot be threaded into EVP key generation.)
  static Result<EcKey> Generate();

  EcKey(const EcKey& other) noexcept;
  EcKey& operator=(const EcKey& other) noexcept;
  EcKey(EcKey&& other) noexcept;
  EcKey& operator=(EcKey&& other) noexcept;
  ~EcKey();

  bool HasPrivateKey() const { return has_private_; }

  // The same public key without the private part: what a JWKS publishes.
  Result<EcKey> PublicOnly() const;

  // Affine coordinates, big-endian, left-padded to 32 bytes (the JWK `x` and `y`).
  const Coordinate& x() const { return x_; }
  const Coordinate& y() const { return y_; }

  // True if both keys have the same public point (private parts are not compared).
  bool SamePublicKey(const EcKey& other) const { return x_ == other.x_ && y_ == other.y_; }

  // The OpenSSL key, for code inside mcpauth::jose. Never null for a live (not moved-from) key.
  evp_pkey_st* native_handle() const { return pkey_; }

 private:
  friend struct internal::EcKeyAccess;
  EcKey(evp_pkey_st* owned, const Coordinate& x, const Coordinate& y, bool has_private) noexcept;

  evp_pkey_st* pkey_ = nullptr;
  Coordinate x_{};
  Coordinate y_{};
  bool has_private_ = false;
};

// Imports an EC JWK (RFC 7517 §4, RFC 7518 §6.2). Requires "kty":"EC", "crv":"P-256", `x` and `y`
// of exactly 32 bytes each in strict base64url; `d` (32 bytes) is optional and makes a private
// key. Refuses points not on the curve or at infinity, coordinates >= p, and a `d` that does not
// belong to (x, y): kInvalidKey. Another kty/crv, or an `alg` member other than "ES256":
// kUnsupportedKey. Other members (`use`, `kid`, `key_ops`) are ignored here; Jwks filters on them.
Result<EcKey> ImportJwk(const boost::json::object& jwk);

// {"kty":"EC","crv":"P-256","x":..,"y":..,"kid":kid,"use":"sig","alg":"ES256"}. Never contains
// `d`. An empty kid is replaced by the key's RFC 7638 thumbprint.
boost::json::object ExportPublicJwk(const EcKey& key, std::string_view kid = {});

// The public JWK plus `d`: for storing a signing key at rest, never for publishing. Fails with
// kMissingPrivateKey for a public-only key.
Result<boost::json::object> ExportPrivateJwk(const EcKey& key, std::string_view kid = {});

// RFC 7638 JWK thumbprint: base64url(SHA-256('{"crv":"P-256","kty":"EC","x":"..","y":".."}')),
// 43 characters. Stable for a given public key: the default `kid`.
std::string JwkThumbprint(const EcKey& key);

// PKCS#8 "-----BEGIN PRIVATE KEY-----" PEM (unencrypted: protect the file, mode 0600).
Result<Secret> ExportPrivateKeyPem(const EcKey& key);
// Accepts PKCS#8 or SEC1 "EC PRIVATE KEY" PEM; anything but a P-256 key is refused.
Result<EcKey> ImportPrivateKeyPem(std::string_view pem);

// SubjectPublicKeyInfo "-----BEGIN PUBLIC KEY-----" PEM.
Result<std::string> ExportPublicKeyPem(const EcKey& key);
Result<EcKey> ImportPublicKeyPem(std::string_view pem);

}  // namespace mcpauth::jose
