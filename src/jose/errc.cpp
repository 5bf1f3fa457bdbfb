#include "mcpauth/jose/errc.hpp"

#include <string>

namespace mcpauth::jose {
namespace {

class Category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "mcpauth.jose"; }
  std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::kOk:
        return "ok";
      case Errc::kTokenTooLarge:
        return "token too large";
      case Errc::kMalformedToken:
        return "malformed token: not a compact JWS";
      case Errc::kBadBase64:
        return "invalid base64url";
      case Errc::kBadJson:
        return "invalid JSON object";
      case Errc::kAlgNotAllowed:
        return "algorithm not allowed (only ES256)";
      case Errc::kCritUnsupported:
        return "unsupported critical header";
      case Errc::kMissingKid:
        return "missing key id";
      case Errc::kUnknownKid:
        return "unknown key id";
      case Errc::kBadSignature:
        return "invalid signature";
      case Errc::kBadType:
        return "wrong token type";
      case Errc::kBadIssuer:
        return "wrong issuer";
      case Errc::kBadAudience:
        return "wrong audience";
      case Errc::kExpired:
        return "token expired";
      case Errc::kNotYetValid:
        return "token not yet valid";
      case Errc::kIssuedInFuture:
        return "token issued in the future";
      case Errc::kMissingClaim:
        return "missing required claim";
      case Errc::kBadClaimType:
        return "claim has the wrong type";
      case Errc::kInvalidKey:
        return "invalid key";
      case Errc::kUnsupportedKey:
        return "unsupported key type (only EC P-256 for ES256)";
      case Errc::kMissingPrivateKey:
        return "private key required";
      case Errc::kCryptoFailure:
        return "cryptographic library failure";
    }
    return "unknown jose error";
  }
};

}  // namespace

const boost::system::error_category& JoseCategory() noexcept {
  static const Category category;
  return category;
}

}  // namespace mcpauth::jose
