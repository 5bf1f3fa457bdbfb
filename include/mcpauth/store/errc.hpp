// Error codes of the store module, as a boost::system error category.
//
// Every store operation returns Result<T>; a failure is one of these values. They are the same
// for every backend (memory, SQLite, PostgreSQL): the shared test suite checks that a given
// misuse yields the same value everywhere. The values are stable; new ones are appended.
// Thread-safety: the category is a stateless singleton.
#pragma once

#include <boost/system/error_code.hpp>

#include "mcpauth/core/result.hpp"

namespace mcpauth::store {

enum class Errc {
  kOk = 0,
  kNotFound = 1,             // no such row (or a refresh token presented by another client)
  kConflict = 2,             // a unique key is taken: id, username, kid, hash, second active key
  kAlreadyUsed = 3,          // an authorization code was consumed before (RFC 6749 §4.1.2:
                             // the caller SHOULD revoke the grant; GetCode() gives its id)
  kExpired = 4,              // the code or refresh token is past its expires_at
  kRevoked = 5,              // the grant behind the code or refresh token is revoked
  kReplayDetected = 6,       // a rotated refresh token was presented outside the grace rule:
                             // the store has ALREADY revoked its grant (docs/store.md)
  kUnavailable = 7,          // the backend cannot be reached or written: I/O error, disk full,
                             // locked beyond busy_timeout, path not writable
  kCorrupt = 8,              // the file is not a database of ours, or is damaged
  kUnsupported = 9,          // a backend this build does not have (an unknown scheme), or a
                             // schema newer than this build
  kInvalidArgument = 10,     // a value violates the documented contract: empty id, a scope with
                             // a space, a hash that is not 64 hex digits, JSON that is no object
  kFailedPrecondition = 11,  // the row is in a state that forbids the change (activating a
                             // retired key, or a key before its not_before)
  kInternal = 12,            // an unexpected backend error: a bug, not an operating condition
};

const boost::system::error_category& StoreCategory() noexcept;

inline boost::system::error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), StoreCategory()};
}

}  // namespace mcpauth::store

template <>
struct boost::system::is_error_code_enum<mcpauth::store::Errc> : std::true_type {};
