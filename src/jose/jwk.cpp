#include "mcpauth/jose/jwk.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/pem.h>

#include <algorithm>
#include <boost/json/string.hpp>
#include <climits>
#include <optional>
#include <span>
#include <utility>

#include "jose/ec_key_access.hpp"
#include "jose/json_part.hpp"
#include "jose/openssl_ptr.hpp"
#include "mcpauth/core/base64url.hpp"
#include "mcpauth/core/crypto.hpp"
#include "mcpauth/jose/errc.hpp"

namespace mcpauth::jose {
namespace {

using internal::BioPtr;
using internal::BnPtr;
using internal::FindString;
using internal::ParamBldPtr;
using internal::ParamPtr;
using internal::PkeyCtxPtr;
using internal::PkeyPtr;
using internal::SecretBnPtr;

// OpenSSL's name for P-256 (RFC 7518 §6.2.1.1 "P-256" = secp256r1 = prime256v1).
constexpr char kOpenSslGroupName[] = SN_X9_62_prime256v1;

// Wipes a string holding private key bytes before it is freed.
class WipeOnExit {
 public:
  explicit WipeOnExit(std::string& s) : s_(s) {}
  ~WipeOnExit() { OPENSSL_cleanse(s_.data(), s_.size()); }
  WipeOnExit(const WipeOnExit&) = delete;
  WipeOnExit& operator=(const WipeOnExit&) = delete;

 private:
  std::string& s_;
};

// Never prompt on a terminal for the passphrase of an encrypted PEM: refuse it instead.
int NoPassphrase(char*, int, int, void*) { return 0; }

bool GetCoordinate(EVP_PKEY* pkey, const char* name, EcKey::Coordinate& out) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1) {
    return false;
  }
  BnPtr bn(raw);
  return BN_bn2binpad(bn.get(), out.data(), static_cast<int>(out.size())) ==
         static_cast<int>(out.size());
}

bool IsP256(EVP_PKEY* pkey) {
  if (EVP_PKEY_is_a(pkey, "EC") != 1) {
    return false;
  }
  // A key with explicit curve parameters has no group name: refused, whatever curve it claims.
  char group[64];
  size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group),
                                     &len) != 1) {
    return false;
  }
  return OBJ_txt2nid(group) == NID_X9_62_prime256v1;
}

// Builds a key from raw coordinates (and optionally the private scalar) with EVP_PKEY_fromdata;
// EcKeyAccess::Adopt then validates it.
Result<EcKey> FromCoordinates(std::span<const uint8_t> x, std::span<const uint8_t> y,
                              std::optional<std::span<const uint8_t>> d) {
  // SEC 1 §2.3.3 uncompressed point: 0x04 || X || Y.
  std::array<uint8_t, 1 + 2 * kP256FieldBytes> point{};
  point[0] = 0x04;
  std::copy(x.begin(), x.end(), point.begin() + 1);
  std::copy(y.begin(), y.end(), point.begin() + 1 + kP256FieldBytes);

  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, kOpenSslGroupName,
                                      0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return Errc::kCryptoFailure;
  }
  SecretBnPtr priv;
  if (d) {
    // A secure BIGNUM makes OSSL_PARAM_BLD keep its copy in (cleared) secure memory too.
    priv.reset(BN_secure_new());
    if (!priv || BN_bin2bn(d->data(), static_cast<int>(d->size()), priv.get()) == nullptr ||
        OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, priv.get()) != 1) {
      return Errc::kCryptoFailure;
    }
  }
  ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) {
    return Errc::kCryptoFailure;
  }
  EVP_PKEY* raw = nullptr;
  const int selection = d ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY;
  if (EVP_PKEY_fromdata(ctx.get(), &raw, selection, params.get()) != 1) {
    // OpenSSL refuses a point that is not on the curve, or a coordinate >= p, right here.
    ERR_clear_error();
    return Errc::kInvalidKey;
  }
  return internal::EcKeyAccess::Adopt(PkeyPtr(raw));
}

// Decodes a base64url JWK member that must hold exactly kP256FieldBytes bytes.
Result<std::string> DecodeField(const boost::json::object& jwk, std::string_view name) {
  const boost::json::string* text = FindString(jwk, name);
  if (text == nullptr) {
    return Errc::kInvalidKey;
  }
  Result<std::string> bytes = core::Base64UrlDecode(*text);
  if (!bytes) {
    return Errc::kBadBase64;
  }
  // RFC 7518 §6.2.1.2/§6.2.2.1: the full field size, even with leading zero bytes.
  if (bytes->size() != kP256FieldBytes) {
    OPENSSL_cleanse(bytes->data(), bytes->size());
    return Errc::kInvalidKey;
  }
  return bytes;
}

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

Result<std::string> ReadBio(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  if (len <= 0 || data == nullptr) {
    return Errc::kCryptoFailure;
  }
  return std::string(data, static_cast<size_t>(len));
}

Result<BioPtr> ReadOnlyBio(std::string_view text) {
  if (text.size() > static_cast<size_t>(INT_MAX)) {
    return Errc::kInvalidKey;
  }
  BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (!bio) {
    return Errc::kCryptoFailure;
  }
  return bio;
}

}  // namespace

namespace internal {

Result<EcKey> EcKeyAccess::Adopt(PkeyPtr pkey) {
  if (!pkey || !IsP256(pkey.get())) {
    ERR_clear_error();
    return Errc::kUnsupportedKey;
  }
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
  if (!ctx) {
    return Errc::kCryptoFailure;
  }
  // The public point must be on the curve and not the point at infinity (invalid-curve attacks).
  if (EVP_PKEY_public_check(ctx.get()) != 1) {
    ERR_clear_error();
    return Errc::kInvalidKey;
  }
  BIGNUM* raw_priv = nullptr;
  const bool has_private =
      EVP_PKEY_get_bn_param(pkey.get(), OSSL_PKEY_PARAM_PRIV_KEY, &raw_priv) == 1;
  BN_clear_free(raw_priv);
  ERR_clear_error();  // a public-only key leaves "no private key" on the error queue
  if (has_private) {
    // 0 < d < n, and d·G == (x, y): a JWK whose `d` belongs to another key is refused.
    if (EVP_PKEY_private_check(ctx.get()) != 1 || EVP_PKEY_pairwise_check(ctx.get()) != 1) {
      ERR_clear_error();
      return Errc::kInvalidKey;
    }
  }
  EcKey::Coordinate x{};
  EcKey::Coordinate y{};
  if (!GetCoordinate(pkey.get(), OSSL_PKEY_PARAM_EC_PUB_X, x) ||
      !GetCoordinate(pkey.get(), OSSL_PKEY_PARAM_EC_PUB_Y, y)) {
    ERR_clear_error();
    return Errc::kCryptoFailure;
  }
  return EcKey(pkey.release(), x, y, has_private);
}

}  // namespace internal

EcKey::EcKey(evp_pkey_st* owned, const Coordinate& x, const Coordinate& y,
             bool has_private) noexcept
    : pkey_(owned), x_(x), y_(y), has_private_(has_private) {}

EcKey::EcKey(const EcKey& other) noexcept
    : pkey_(other.pkey_), x_(other.x_), y_(other.y_), has_private_(other.has_private_) {
  if (pkey_ != nullptr) {
    EVP_PKEY_up_ref(pkey_);
  }
}

EcKey& EcKey::operator=(const EcKey& other) noexcept {
  if (this != &other) {
    EcKey copy(other);
    *this = std::move(copy);
  }
  return *this;
}

EcKey::EcKey(EcKey&& other) noexcept
    : pkey_(std::exchange(other.pkey_, nullptr)),
      x_(other.x_),
      y_(other.y_),
      has_private_(std::exchange(other.has_private_, false)) {}

EcKey& EcKey::operator=(EcKey&& other) noexcept {
  if (this != &other) {
    EVP_PKEY_free(pkey_);
    pkey_ = std::exchange(other.pkey_, nullptr);
    x_ = other.x_;
    y_ = other.y_;
    has_private_ = std::exchange(other.has_private_, false);
  }
  return *this;
}

EcKey::~EcKey() { EVP_PKEY_free(pkey_); }

Result<EcKey> EcKey::Generate() {
  PkeyPtr pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!pkey) {
    ERR_clear_error();
    return Errc::kCryptoFailure;
  }
  return internal::EcKeyAccess::Adopt(std::move(pkey));
}

Result<EcKey> EcKey::PublicOnly() const {
  if (pkey_ == nullptr) {
    return Errc::kInvalidKey;
  }
  if (!has_private_) {
    return *this;
  }
  return FromCoordinates(x_, y_, std::nullopt);
}

Result<EcKey> ImportJwk(const boost::json::object& jwk) {
  // RFC 7517 §4.1 / RFC 7518 §6.1: kty is required and selects the key type.
  const boost::json::string* kty = FindString(jwk, "kty");
  const boost::json::string* crv = FindString(jwk, "crv");
  if (kty == nullptr) {
    return Errc::kInvalidKey;
  }
  if (*kty != "EC") {
    return Errc::kUnsupportedKey;
  }
  if (crv == nullptr) {
    return Errc::kInvalidKey;
  }
  if (*crv != "P-256") {
    return Errc::kUnsupportedKey;
  }
  // RFC 8725 §3.1: a key is used with one algorithm; a key declared for another is not ours.
  if (const boost::json::value* alg = jwk.if_contains("alg")) {
    if (!alg->is_string() || alg->get_string() != "ES256") {
      return Errc::kUnsupportedKey;
    }
  }
  Result<std::string> x = DecodeField(jwk, "x");
  if (!x) {
    return x.error();
  }
  Result<std::string> y = DecodeField(jwk, "y");
  if (!y) {
    return y.error();
  }
  if (!jwk.contains("d")) {
    return FromCoordinates(Bytes(*x), Bytes(*y), std::nullopt);
  }
  Result<std::string> d = DecodeField(jwk, "d");
  if (!d) {
    return d.error();
  }
  WipeOnExit wipe(*d);
  return FromCoordinates(Bytes(*x), Bytes(*y), Bytes(*d));
}

boost::json::object ExportPublicJwk(const EcKey& key, std::string_view kid) {
  boost::json::object jwk;
  jwk["kty"] = "EC";
  jwk["crv"] = "P-256";
  jwk["x"] = core::Base64UrlEncode(key.x());
  jwk["y"] = core::Base64UrlEncode(key.y());
  jwk["kid"] = kid.empty() ? JwkThumbprint(key) : std::string(kid);
  jwk["use"] = "sig";
  jwk["alg"] = "ES256";
  return jwk;
}

Result<boost::json::object> ExportPrivateJwk(const EcKey& key, std::string_view kid) {
  if (key.native_handle() == nullptr) {
    return Errc::kInvalidKey;
  }
  if (!key.HasPrivateKey()) {
    return Errc::kMissingPrivateKey;
  }
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key.native_handle(), OSSL_PKEY_PARAM_PRIV_KEY, &raw) != 1) {
    ERR_clear_error();
    return Errc::kCryptoFailure;
  }
  SecretBnPtr d(raw);
  std::array<uint8_t, kP256FieldBytes> d_bytes{};
  if (BN_bn2binpad(d.get(), d_bytes.data(), static_cast<int>(d_bytes.size())) !=
      static_cast<int>(d_bytes.size())) {
    return Errc::kCryptoFailure;
  }
  boost::json::object jwk = ExportPublicJwk(key, kid);
  jwk["d"] = core::Base64UrlEncode(d_bytes);
  OPENSSL_cleanse(d_bytes.data(), d_bytes.size());
  return jwk;
}

std::string JwkThumbprint(const EcKey& key) {
  // RFC 7638 §3.2: only the required members (for EC: crv, kty, x, y), in lexicographic order,
  // no whitespace. base64url values need no JSON escaping.
  std::string canonical;
  canonical.reserve(128);
  canonical += R"({"crv":"P-256","kty":"EC","x":")";
  canonical += core::Base64UrlEncode(key.x());
  canonical += R"(","y":")";
  canonical += core::Base64UrlEncode(key.y());
  canonical += R"("})";
  return core::Base64UrlEncode(core::Sha256(canonical));
}

Result<Secret> ExportPrivateKeyPem(const EcKey& key) {
  if (key.native_handle() == nullptr) {
    return Errc::kInvalidKey;
  }
  if (!key.HasPrivateKey()) {
    return Errc::kMissingPrivateKey;
  }
  // BIO_s_secmem: the buffer is cleared when freed.
  BioPtr bio(BIO_new(BIO_s_secmem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key.native_handle(), nullptr, nullptr, 0, nullptr,
                                       nullptr) != 1) {
    ERR_clear_error();
    return Errc::kCryptoFailure;
  }
  Result<std::string> pem = ReadBio(bio.get());
  if (!pem) {
    return pem.error();
  }
  return Secret(std::move(*pem));
}

Result<EcKey> ImportPrivateKeyPem(std::string_view pem) {
  Result<BioPtr> bio = ReadOnlyBio(pem);
  if (!bio) {
    return bio.error();
  }
  PkeyPtr pkey(
      PEM_read_bio_PrivateKey_ex(bio->get(), nullptr, NoPassphrase, nullptr, nullptr, nullptr));
  if (!pkey) {
    ERR_clear_error();
    return Errc::kInvalidKey;
  }
  return internal::EcKeyAccess::Adopt(std::move(pkey));
}

Result<std::string> ExportPublicKeyPem(const EcKey& key) {
  if (key.native_handle() == nullptr) {
    return Errc::kInvalidKey;
  }
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key.native_handle()) != 1) {
    ERR_clear_error();
    return Errc::kCryptoFailure;
  }
  return ReadBio(bio.get());
}

Result<EcKey> ImportPublicKeyPem(std::string_view pem) {
  Result<BioPtr> bio = ReadOnlyBio(pem);
  if (!bio) {
    return bio.error();
  }
  PkeyPtr pkey(
      PEM_read_bio_PUBKEY_ex(bio->get(), nullptr, NoPassphrase, nullptr, nullptr, nullptr));
  if (!pkey) {
    ERR_clear_error();
    return Errc::kInvalidKey;
  }
  return internal::EcKeyAccess::Adopt(std::move(pkey));
}

}  // namespace mcpauth::jose
