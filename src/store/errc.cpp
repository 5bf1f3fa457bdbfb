#include "mcpauth/store/errc.hpp"

#include <string>

namespace mcpauth::store {
namespace {

class Category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "mcpauth.store"; }
  std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::kOk:
        return "ok";
      case Errc::kNotFound:
        return "not found";
      case Errc::kConflict:
        return "already exists";
      case Errc::kAlreadyUsed:
        return "already used";
      case Errc::kExpired:
        return "expired";
      case Errc::kRevoked:
        return "grant revoked";
      case Errc::kReplayDetected:
        return "refresh token replayed; grant revoked";
      case Errc::kUnavailable:
        return "store unavailable";
      case Errc::kCorrupt:
        return "store file is not a valid database";
      case Errc::kUnsupported:
        return "unsupported store";
      case Errc::kInvalidArgument:
        return "invalid argument";
      case Errc::kFailedPrecondition:
        return "operation not allowed in the current state";
      case Errc::kInternal:
        return "internal store error";
    }
    return "unknown store error";
  }
};

}  // namespace

const boost::system::error_category& StoreCategory() noexcept {
  static const Category category;
  return category;
}

}  // namespace mcpauth::store
