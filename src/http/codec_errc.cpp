#include "mcpauth/http/codec_errc.hpp"

#include <string>

namespace mcpauth::http {
namespace {

class Category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "mcpauth.http.codec"; }
  std::string message(int ev) const override {
    switch (static_cast<CodecErrc>(ev)) {
      case CodecErrc::kOk:
        return "ok";
      case CodecErrc::kMalformed:
        return "malformed input";
      case CodecErrc::kInvalidPercentEncoding:
        return "invalid percent-encoding";
      case CodecErrc::kControlCharacter:
        return "control character in name or value";
      case CodecErrc::kInvalidUtf8:
        return "invalid UTF-8";
      case CodecErrc::kDuplicateParameter:
        return "parameter included more than once";
      case CodecErrc::kTooManyParameters:
        return "too many parameters";
      case CodecErrc::kTooLarge:
        return "input too large";
      case CodecErrc::kForbiddenCharacter:
        return "value contains a forbidden character";
      case CodecErrc::kCookiePrefixViolation:
        return "cookie name prefix requirements not met";
      case CodecErrc::kInsecureCookieAttributes:
        return "SameSite=None requires Secure";
    }
    return "unknown codec error";
  }
};

}  // namespace

const boost::system::error_category& CodecCategory() noexcept {
  static const Category category;
  return category;
}

}  // namespace mcpauth::http
