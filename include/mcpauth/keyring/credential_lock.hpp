// CredentialLock: mutual exclusion per credential key, across threads AND processes.
//
// What makes a refresh single-flight (PEERS.md pain point 3): parallel tool calls, or several
// `mcpauth proxy` processes, share one rotating refresh token; the loser of a race would present
// a rotated token and, at a strict authorization server, revoke the whole grant. So:
//
//   auto lock = CredentialLock::Acquire(key, {});   // waits for any other refresher
//   if (!lock) { ... }                              // kTimeout / kDenied / kIoError
//   auto current = store.Get(key);                  // re-read: another one may have refreshed
//   if (still expired) { refresh; store.Put(...); }
//   // the lock is released when `lock` goes out of scope
//
// Mechanism: flock(LOCK_EX) on an empty file "<directory>/<hash>.lock" (hash = the first 128
// bits of SHA-256 of key.Canonical(), hex; so no URL reaches the file system), opened anew per
// acquisition with O_CLOEXEC | O_NOFOLLOW. flock locks belong to the open file description, so
// two acquisitions in one process exclude each other too; threads of one process also queue on
// an in-process condition variable, so only one of them polls the file lock. The wait polls
// flock(LOCK_NB) with a short back-off until the timeout (flock itself has no timeout). The lock
// dies with its holder: a crashed process never leaves a stale lock. Lock files are never
// deleted (deleting one while another process waits on it would let two processes "hold" it).
//
// Caveat: a child created by fork() without exec shares the holder's open file description, and
// so its lock, until it closes the descriptor.
//
// Thread-safety: Acquire is safe from any thread; a CredentialLock object is owned by one thread
// at a time (it may be moved to another).
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>

#include "mcpauth/keyring/credential.hpp"
#include "mcpauth/keyring/errc.hpp"

namespace mcpauth::keyring {

// $XDG_RUNTIME_DIR/mcpauth/locks if XDG_RUNTIME_DIR is set, else
// $XDG_CACHE_HOME/mcpauth/locks, else ~/.cache/mcpauth/locks.
std::filesystem::path DefaultLockDirectory();

struct CredentialLockOptions {
  std::filesystem::path directory;  // empty = DefaultLockDirectory(); created with mode 0700
  // How long Acquire waits. A refresh is one HTTP round trip; 30 s outlasts a slow one. Zero
  // means one attempt.
  std::chrono::milliseconds timeout{30'000};
};

class CredentialLock {
 public:
  // Blocks until the lock is held, or fails: kTimeout (someone else holds it), kDenied (the
  // directory or file is not ours or not writable), kIoError, kInvalidArgument (a bad key).
  static KeyringResult<CredentialLock> Acquire(const CredentialKey& key,
                                               const CredentialLockOptions& options = {});

  CredentialLock(CredentialLock&& other) noexcept;
  CredentialLock& operator=(CredentialLock&& other) noexcept;
  CredentialLock(const CredentialLock&) = delete;
  CredentialLock& operator=(const CredentialLock&) = delete;
  ~CredentialLock();

  bool held() const { return impl_ != nullptr; }
  // Releases early (idempotent); the destructor does the same.
  void Release();
  // The lock file (for diagnostics).
  const std::filesystem::path& path() const;

  struct Impl;

 private:
  explicit CredentialLock(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mcpauth::keyring
