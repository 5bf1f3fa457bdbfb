// Errors of the keyring module: an Errc for the program, and a message for the person.
//
// A credential store fails for reasons a user can fix (no Secret Service on the session bus, a
// locked keyring, MCPAUTH_STORE_KEY unset or wrong), so every failure carries, beside its code,
// one line saying what happened and what to do. KeyringResult<T> is boost::system::result with
// that KeyringError as its error type: branch on `error().code`, print `error().message`.
// Messages never contain a secret (no payload, no key material); they may name the issuer and
// resource of a key and the path of a file. Thread-safety: plain value types; the category is a
// stateless singleton.
#pragma once

#include <boost/assert/source_location.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <string>

#include "mcpauth/core/result.hpp"

namespace mcpauth::keyring {

enum class Errc {
  kOk = 0,
  kNotFound = 1,         // no credential under that key
  kUnavailable = 2,      // the backend cannot be used now: no Secret Service on the session bus,
                         // the keyring is locked (we never prompt), the service did not answer in
                         // time, or MCPAUTH_STORE_KEY is unset or unusable
  kCorrupt = 3,          // the stored data cannot be trusted: the file fails authentication
                         // (modified, or MCPAUTH_STORE_KEY is not the key it was written with),
                         // is not a credential file, or holds malformed contents
  kDenied = 4,           // the OS or the Secret Service refused access (file permissions, an
                         // access-control decision of the service)
  kInvalidArgument = 5,  // a key or payload violates the contract (empty issuer, NUL, bad UTF-8,
                         // over the size limits)
  kTimeout = 6,          // a CredentialLock was not acquired before its timeout
  kIoError = 7,          // reading or writing a file failed (disk full, I/O error)
};

const boost::system::error_category& KeyringCategory() noexcept;

inline boost::system::error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), KeyringCategory()};
}

// The error of every keyring operation.
struct KeyringError {
  ErrorCode code;       // a keyring::Errc value
  std::string message;  // one line for a human: what failed and what to do (no secrets)

  friend bool operator==(const KeyringError& e, Errc c) { return e.code == make_error_code(c); }
};

// Makes a KeyringError; `message` empty means the code's generic text.
KeyringError MakeError(Errc code, std::string message = {});

// Called by KeyringResult<T>::value() on an error (found by argument-dependent lookup): throws
// boost::system::system_error carrying both the code and the message.
[[noreturn]] void throw_exception_from_error(const KeyringError& e,
                                             const boost::source_location& loc);

template <class T>
using KeyringResult = boost::system::result<T, KeyringError>;
using KeyringStatus = boost::system::result<void, KeyringError>;

}  // namespace mcpauth::keyring

template <>
struct boost::system::is_error_code_enum<mcpauth::keyring::Errc> : std::true_type {};
