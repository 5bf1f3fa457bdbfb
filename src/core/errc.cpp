#include "mcpauth/core/errc.hpp"

#include <string>

namespace mcpauth::core {
namespace {

class Category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "mcpauth.core"; }
  std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::kOk:
        return "ok";
      case Errc::kInvalidBase64:
        return "invalid base64url";
      case Errc::kCryptoFailure:
        return "cryptographic library failure";
      case Errc::kInvalidArgument:
        return "invalid argument";
    }
    return "unknown core error";
  }
};

}  // namespace

const boost::system::error_category& CoreCategory() noexcept {
  static const Category category;
  return category;
}

}  // namespace mcpauth::core
