// Error codes of the I/O-free HTTP codecs (form, WWW-Authenticate, cookies, SSE), as a
// boost::system error category.
//
// These are kept apart from the http module's transport errors (http/errc.hpp) because the codecs
// are pure functions that are fuzzed on their own. make_error_code() lets a value be returned
// directly as a Result<T> error. Thread-safety: the category is a stateless singleton.
#pragma once

#include <boost/system/error_code.hpp>

#include "mcpauth/core/result.hpp"

namespace mcpauth::http {

enum class CodecErrc {
  kOk = 0,
  kMalformed = 1,               // the input does not match the grammar it claims to follow
  kInvalidPercentEncoding = 2,  // '%' not followed by two hex digits (RFC 3986 §2.1)
  kControlCharacter = 3,        // a decoded name or value holds NUL or another control character
  kInvalidUtf8 = 4,             // decoded bytes are not well-formed UTF-8 (RFC 3629 §4)
  kDuplicateParameter = 5,      // a parameter occurs twice (RFC 6749 §3.1, RFC 9110 §11.2)
  kTooManyParameters = 6,       // more parameters than the configured limit
  kTooLarge = 7,                // input or buffered data larger than the configured limit
  kForbiddenCharacter = 8,      // a value to format holds a character its syntax cannot carry
  kCookiePrefixViolation = 9,   // "__Host-"/"__Secure-" requirements not met (RFC 6265bis §4.1.3)
  kInsecureCookieAttributes = 10,  // SameSite=None without Secure (RFC 6265bis §4.1.2.7)
};

const boost::system::error_category& CodecCategory() noexcept;

inline boost::system::error_code make_error_code(CodecErrc e) noexcept {
  return {static_cast<int>(e), CodecCategory()};
}

}  // namespace mcpauth::http

template <>
struct boost::system::is_error_code_enum<mcpauth::http::CodecErrc> : std::true_type {};
