#include "mcpauth/keyring/errc.hpp"

#include <boost/system/system_error.hpp>
#include <boost/throw_exception.hpp>
#include <string>

namespace mcpauth::keyring {
namespace {

class Category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "mcpauth.keyring"; }
  std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::kOk:
        return "ok";
      case Errc::kNotFound:
        return "no such credential";
      case Errc::kUnavailable:
        return "credential store unavailable";
      case Errc::kCorrupt:
        return "credential store data cannot be trusted";
      case Errc::kDenied:
        return "access to the credential store denied";
      case Errc::kInvalidArgument:
        return "invalid credential key or payload";
      case Errc::kTimeout:
        return "timed out waiting for a credential lock";
      case Errc::kIoError:
        return "credential store I/O error";
    }
    return "unknown keyring error";
  }
};

}  // namespace

const boost::system::error_category& KeyringCategory() noexcept {
  static const Category category;
  return category;
}

KeyringError MakeError(Errc code, std::string message) {
  KeyringError e{make_error_code(code), std::move(message)};
  if (e.message.empty()) {
    e.message = e.code.message();
  }
  return e;
}

void throw_exception_from_error(const KeyringError& e, const boost::source_location& loc) {
  boost::throw_exception(boost::system::system_error(e.code, e.message), loc);
}

}  // namespace mcpauth::keyring
