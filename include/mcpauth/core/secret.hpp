// Secret: a string that must never be printed (a token, code, client secret, password).
//
// It has no operator<< and no fmt::formatter, so `log::Info("{}", secret)` does not compile:
// logging a secret is a build error, not a code-review catch. To log something about a secret,
// log its Fingerprint() (a truncated SHA-256, safe to correlate, useless to an attacker).
// The bytes are wiped on destruction. Thread-safety: a plain value type.
#pragma once

#include <string>
#include <string_view>

namespace mcpauth {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}
  Secret(const Secret&) = default;
  Secret& operator=(const Secret&) = default;
  Secret(Secret&& other) noexcept;
  Secret& operator=(Secret&& other) noexcept;
  ~Secret();

  // The raw value, for the few places that must use it (hashing, the wire). Named so that every
  // use stands out in review.
  std::string_view Reveal() const { return value_; }
  bool empty() const { return value_.empty(); }

  // First 8 bytes of SHA-256 as 16 hex digits: what logs carry instead of the secret.
  std::string Fingerprint() const;

  // Constant-time.
  friend bool operator==(const Secret& a, const Secret& b);

 private:
  void Wipe();
  std::string value_;
};

}  // namespace mcpauth
