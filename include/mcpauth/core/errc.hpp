// Error codes of the core module, as a boost::system error category.
//
// Every module declares one `enum class Errc` like this one; make_error_code() lets a value be
// returned directly as a Result<T> error. Thread-safety: the category is a stateless singleton.
#pragma once

#include <boost/system/error_code.hpp>

#include "mcpauth/core/result.hpp"

namespace mcpauth::core {

enum class Errc {
  kOk = 0,
  kInvalidBase64 = 1,    // input is not canonical unpadded base64url (RFC 4648 §5)
  kCryptoFailure = 2,    // OpenSSL reported an error the caller cannot fix (out of memory, ...)
  kInvalidArgument = 3,  // a parameter violates the function's documented contract
};

const boost::system::error_category& CoreCategory() noexcept;

inline boost::system::error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), CoreCategory()};
}

}  // namespace mcpauth::core

template <>
struct boost::system::is_error_code_enum<mcpauth::core::Errc> : std::true_type {};
