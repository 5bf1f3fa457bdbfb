#include "mcpauth/oauth/resource/errc.hpp"

#include <string>

namespace mcpauth::oauth::resource {
namespace {

// The messages are sent to clients as error_description (RFC 6750 §3): printable ASCII, no
// detail about the token beyond the reason.
class Category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "mcpauth.oauth.resource"; }
  std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::kOk:
        return "ok";
      case Errc::kMalformed:
        return "The access token is malformed";
      case Errc::kBadAlgorithm:
        return "The access token uses an algorithm that is not accepted";
      case Errc::kUnknownKey:
        return "The access token is signed with an unknown key";
      case Errc::kBadSignature:
        return "The access token signature is invalid";
      case Errc::kBadType:
        return "The token is not an access token (typ at+jwt)";
      case Errc::kBadIssuer:
        return "The access token was issued by another authorization server";
      case Errc::kBadAudience:
        return "The access token was issued for another resource";
      case Errc::kExpired:
        return "The access token expired";
      case Errc::kNotYetValid:
        return "The access token is not valid yet";
      case Errc::kBadClaims:
        return "The access token lacks a required claim";
      case Errc::kRevoked:
        return "The access token was revoked";
      case Errc::kInactive:
        return "The access token is not active";
      case Errc::kUnavailable:
        return "The access token cannot be checked now";
    }
    return "The access token is invalid";
  }
};

}  // namespace

const boost::system::error_category& ResourceCategory() noexcept {
  static const Category category;
  return category;
}

}  // namespace mcpauth::oauth::resource
