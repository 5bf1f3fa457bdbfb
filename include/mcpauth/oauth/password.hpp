// PasswordHasher: Argon2id (RFC 9106) password hashes in the PHC string format, for the login page
// and the `users` subcommands.
//
// Hash() returns "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>", which is what store::User keeps
// in `password_hash`. Verify() recomputes with the parameters written in that string (so old
// hashes keep working after the defaults change) and compares in constant time (libargon2).
// NeedsRehash() says when a stored hash was made with other parameters than the current ones: the
// caller re-hashes the password after a successful login.
//
// Cost: one Hash() or Verify() with the default parameters takes 45-130 ms of CPU and 19 MiB of
// memory. Never call them on a network thread: use HashAsync()/VerifyAsync(), which run on a
// core::WorkerPool.
//
// Account enumeration: a login for an unknown username must cost as much as one for a known
// username with a wrong password. Call VerifyDummy() with the submitted password in that case.
//
// Thread-safety: all methods may be called concurrently, provided the injected SecureRandom is
// thread-safe (OpenSslRandom is). Ownership: the hasher keeps a reference to the SecureRandom,
// which must outlive it; an async call's task keeps a pointer to the hasher, which must outlive
// the task (destroy the WorkerPool first).
#pragma once

#include <atomic>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "mcpauth/core/random.hpp"
#include "mcpauth/core/result.hpp"
#include "mcpauth/core/secret.hpp"
#include "mcpauth/core/worker_pool.hpp"

namespace mcpauth::oauth {

// Longest password accepted, in bytes. Argon2 itself takes long inputs cheaply; the cap bounds
// the request body work and matches what any human types (OWASP ASVS 2.1.2 asks for >= 64).
inline constexpr size_t kMaxPasswordBytes = 1024;

class PasswordHasher {
 public:
  struct Params {
    uint32_t memory_kib = 19 * 1024;  // m: 19 MiB, the OWASP Password Storage Cheat Sheet minimum
    uint32_t iterations = 2;          // t
    uint32_t parallelism = 1;         // p
    uint32_t salt_bytes = 16;         // RFC 9106 §3.1: 128-bit salt
    uint32_t hash_bytes = 32;         // tag length

    // Tiny costs (m = 64 KiB, t = 1) so that unit tests run fast. Never in production.
    static Params ForTests();

    friend bool operator==(const Params&, const Params&) = default;
  };

  // Uses Params{} (the OWASP defaults).
  explicit PasswordHasher(SecureRandom& random);
  PasswordHasher(SecureRandom& random, Params params);
  PasswordHasher(const PasswordHasher&) = delete;
  PasswordHasher& operator=(const PasswordHasher&) = delete;

  const Params& params() const { return params_; }

  // The PHC-encoded Argon2id hash of `password`, with a fresh salt from the SecureRandom.
  // core::Errc::kInvalidArgument for an empty password or one longer than kMaxPasswordBytes;
  // core::Errc::kCryptoFailure if libargon2 fails (out of memory).
  Result<std::string> Hash(const Secret& password);

  // True if `password` matches `encoded`. False for a mismatch, a malformed or non-argon2id
  // encoding, and an empty or too long password. The comparison is constant-time.
  bool Verify(std::string_view encoded, const Secret& password) const;

  // Spends the time of one Verify() against a hash made with params(), then returns: for logins
  // of unknown users, so that timing does not reveal which usernames exist. The first call
  // computes the dummy hash (once, thread-safely).
  void VerifyDummy(const Secret& password) const;

  // How many Argon2id computations Verify() and VerifyDummy() have run: lets a test prove that
  // every sign-in path (unknown, disabled, locked user, wrong password) costs the same work.
  uint64_t verifications() const { return verifications_.load(std::memory_order_relaxed); }

  // True if `encoded` is not an argon2id v=19 hash with exactly params() (m, t, p, salt and hash
  // lengths), including when it is malformed: the caller should store a fresh Hash().
  bool NeedsRehash(std::string_view encoded) const;

  // Hash() / Verify() on a pool thread; `done` is called on that thread. Returns false, and never
  // calls `done`, if the pool refuses the task (queue full or stopping): answer 503.
  [[nodiscard]] bool HashAsync(core::WorkerPool& pool, Secret password,
                               std::function<void(Result<std::string>)> done);
  [[nodiscard]] bool VerifyAsync(core::WorkerPool& pool, std::string encoded, Secret password,
                                 std::function<void(bool)> done) const;
  // VerifyDummy() on a pool thread; `done` is called afterwards on that thread.
  [[nodiscard]] bool VerifyDummyAsync(core::WorkerPool& pool, Secret password,
                                      std::function<void()> done) const;

 private:
  Result<std::string> HashWithSalt(const Secret& password, const uint8_t* salt) const;

  SecureRandom& random_;
  const Params params_;
  mutable std::once_flag dummy_once_;
  mutable std::string dummy_encoded_;
  mutable std::atomic<uint64_t> verifications_{0};
};

}  // namespace mcpauth::oauth
