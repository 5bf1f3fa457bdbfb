#include "mcpauth/jose/jws.hpp"

#include <openssl/err.h>

#include <array>
#include <climits>

#include "jose/header.hpp"
#include "jose/json_part.hpp"
#include "jose/openssl_ptr.hpp"
#include "mcpauth/core/base64url.hpp"
#include "mcpauth/jose/errc.hpp"

namespace mcpauth::jose {
namespace {

using internal::BnPtr;
using internal::EcdsaSigPtr;

// An ECDSA P-256 signature in DER is at most 72 bytes (two 33-byte INTEGERs plus headers).
constexpr size_t kMaxDerSignature = 80;
constexpr int kHalf = static_cast<int>(kEs256SignatureBytes / 2);

// SHA-256, fetched once: an explicit fetch saves the provider lookup on every signature.
const EVP_MD* Sha256() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

const unsigned char* Uchars(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// A signing or verifying context initialised for one key, kept per thread. EVP_DigestSignInit
// and EVP_DigestVerifyInit build a new EVP_PKEY_CTX and look the algorithm up in the provider on
// every call: about a sixth of a signature's own cost on the token path, and 3% of a
// verification's instructions (callgrind: 882k -> 854k per verify; the rest is OpenSSL's P-256
// arithmetic, bench/README.md). A context signs or verifies any number of digests once
// initialised; it holds a reference to its key, so the key cannot be freed (and its address
// reused by another key) while it is cached. A thread keeps one of each kind, for the last key
// it used.
enum class Op { kSign, kVerify };

template <Op op>
EVP_PKEY_CTX* ContextFor(EVP_PKEY* key) {
  struct Cached {
    EVP_PKEY* key = nullptr;
    internal::PkeyCtxPtr ctx;
  };
  thread_local Cached cached;
  if (cached.key == key && cached.ctx) {
    return cached.ctx.get();
  }
  internal::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  if (!ctx ||
      (op == Op::kSign ? EVP_PKEY_sign_init(ctx.get()) : EVP_PKEY_verify_init(ctx.get())) != 1) {
    return nullptr;
  }
  cached.ctx = std::move(ctx);
  cached.key = key;
  return cached.ctx.get();
}

}  // namespace

namespace internal {

Status CheckProtectedHeader(const boost::json::object& header) {
  // RFC 8725 §3.1 and RFC 7518 §3.4: the algorithm is fixed, not taken from the token. A token
  // that says anything else ("none", "HS256", "es256", ["ES256"]) is refused before any key is
  // touched, which closes alg=none and the HS256-keyed-with-the-public-key confusion.
  const boost::json::string* alg = FindString(header, "alg");
  if (alg == nullptr || *alg != "ES256") {
    return Errc::kAlgNotAllowed;
  }
  // RFC 7515 §4.1.11: a recipient MUST reject a JWS whose `crit` lists an extension it does not
  // understand; we understand none, so any `crit` (even an empty or malformed one) is refused.
  if (header.contains("crit")) {
    return Errc::kCritUnsupported;
  }
  return {};
}

}  // namespace internal

Result<std::string> SignEs256(const EcKey& key, std::string_view signing_input) {
  if (key.native_handle() == nullptr) {
    return Errc::kInvalidKey;
  }
  if (!key.HasPrivateKey()) {
    return Errc::kMissingPrivateKey;
  }
  // ES256: ECDSA over the SHA-256 digest of the signing input (RFC 7518 §3.4).
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int digest_len = 0;
  std::array<unsigned char, kMaxDerSignature> der{};
  size_t der_len = der.size();
  EVP_PKEY_CTX* ctx = ContextFor<Op::kSign>(key.native_handle());
  if (ctx == nullptr || Sha256() == nullptr ||
      EVP_Digest(signing_input.data(), signing_input.size(), digest.data(), &digest_len, Sha256(),
                 nullptr) != 1 ||
      EVP_PKEY_sign(ctx, der.data(), &der_len, digest.data(), digest_len) != 1) {
    ERR_clear_error();
    return Errc::kCryptoFailure;
  }
  // OpenSSL signs in DER (SEQUENCE { INTEGER r, INTEGER s }); JWS wants fixed-width r||s.
  const unsigned char* p = der.data();
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len)));
  if (!sig) {
    ERR_clear_error();
    return Errc::kCryptoFailure;
  }
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  std::string raw(kEs256SignatureBytes, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  // RFC 7518 §3.4: each integer as a 32-octet big-endian sequence, left-padded with zeros.
  if (BN_bn2binpad(r, out, kHalf) != kHalf || BN_bn2binpad(s, out + kHalf, kHalf) != kHalf) {
    return Errc::kCryptoFailure;
  }
  return raw;
}

bool VerifyEs256(const EcKey& key, std::string_view signing_input, std::string_view raw_signature) {
  // RFC 7518 §3.4: "the JWS Signature value MUST be a 64-octet sequence": a DER signature (70-72
  // bytes), a truncated or an over-long one is refused before any arithmetic.
  if (key.native_handle() == nullptr || raw_signature.size() != kEs256SignatureBytes) {
    return false;
  }
  BnPtr r(BN_bin2bn(Uchars(raw_signature), kHalf, nullptr));
  BnPtr s(BN_bin2bn(Uchars(raw_signature) + kHalf, kHalf, nullptr));
  EcdsaSigPtr sig(ECDSA_SIG_new());
  if (!r || !s || !sig || ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) {
    ERR_clear_error();
    return false;
  }
  r.release();  // now owned by sig
  s.release();
  std::array<unsigned char, kMaxDerSignature> der{};
  if (i2d_ECDSA_SIG(sig.get(), nullptr) > static_cast<int>(der.size())) {
    return false;
  }
  unsigned char* p = der.data();
  const int der_len = i2d_ECDSA_SIG(sig.get(), &p);
  // ES256: ECDSA over the SHA-256 digest of the signing input (RFC 7518 §3.4). OpenSSL rejects
  // r or s equal to zero or >= the group order in the verify itself.
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int digest_len = 0;
  EVP_PKEY_CTX* ctx = ContextFor<Op::kVerify>(key.native_handle());
  const bool ok = der_len > 0 && ctx != nullptr && Sha256() != nullptr &&
                  EVP_Digest(signing_input.data(), signing_input.size(), digest.data(), &digest_len,
                             Sha256(), nullptr) == 1 &&
                  EVP_PKEY_verify(ctx, der.data(), static_cast<size_t>(der_len), digest.data(),
                                  digest_len) == 1;
  if (!ok) {
    ERR_clear_error();
  }
  return ok;
}

Result<CompactParts> SplitCompact(std::string_view compact) {
  const size_t first = compact.find('.');
  if (first == std::string_view::npos || first == 0) {
    return Errc::kMalformedToken;
  }
  const size_t second = compact.find('.', first + 1);
  if (second == std::string_view::npos || compact.find('.', second + 1) != std::string_view::npos) {
    return Errc::kMalformedToken;  // RFC 7515 §7.1: exactly three parts (five would be a JWE)
  }
  CompactParts parts;
  parts.header = compact.substr(0, first);
  parts.payload = compact.substr(first + 1, second - first - 1);
  parts.signature = compact.substr(second + 1);
  parts.signing_input = compact.substr(0, second);
  return parts;
}

Result<std::string> SignCompactEs256(const EcKey& key, std::string_view header_json,
                                     std::string_view payload) {
  std::string out = core::Base64UrlEncode(header_json);
  out += '.';
  out += core::Base64UrlEncode(payload);
  Result<std::string> signature = SignEs256(key, out);
  if (!signature) {
    return signature.error();
  }
  out += '.';
  out += core::Base64UrlEncode(*signature);
  return out;
}

Result<VerifiedJws> VerifyCompactEs256(const EcKey& key, std::string_view compact) {
  Result<CompactParts> parts = SplitCompact(compact);
  if (!parts) {
    return parts.error();
  }
  Result<boost::json::object> header = internal::DecodeJsonObjectPart(parts->header);
  if (!header) {
    return header.error();
  }
  Result<std::string> payload = core::Base64UrlDecode(parts->payload);
  Result<std::string> signature = core::Base64UrlDecode(parts->signature);
  if (!payload || !signature) {
    return Errc::kBadBase64;
  }
  if (Status checked = internal::CheckProtectedHeader(*header); !checked) {
    return checked.error();
  }
  if (!VerifyEs256(key, parts->signing_input, *signature)) {
    return Errc::kBadSignature;
  }
  return VerifiedJws{std::move(*header), std::move(*payload)};
}

}  // namespace mcpauth::jose
