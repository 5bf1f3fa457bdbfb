// Result<T>: a value or an error_code, the return type of every fallible operation in mcpauth.
//
// boost::system::result is what Boost.JSON and Boost.URL already return, and it works as a
// coroutine result on Boost 1.81. Expected failures (a bad token, a malformed form) are values of
// this type, never exceptions. Thread-safety: a plain value type.
#pragma once

#include <boost/system/result.hpp>
#include <system_error>

namespace mcpauth {

template <class T>
using Result = boost::system::result<T>;

using Status = boost::system::result<void>;

using ErrorCode = boost::system::error_code;

}  // namespace mcpauth
