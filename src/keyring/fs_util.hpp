// File-system helpers of the keyring module (private): home and XDG directories, private
// directories, an exclusive file lock with a timeout, errno → KeyringError.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "mcpauth/keyring/errc.hpp"

namespace mcpauth::keyring::detail {

// $HOME, else the password database's home directory, else "" (then callers fail).
std::filesystem::path HomeDirectory();

// Creates `dir` and any missing parents, each new one with mode 0700 (existing ones are left
// as they are). kDenied / kIoError with the path in the message.
KeyringStatus CreatePrivateDirectories(const std::filesystem::path& dir);

// As CreatePrivateDirectories, then insists that `dir` itself is a directory owned by this user
// that nobody else can write to (a lock directory others can write is a denial of service).
KeyringStatus EnsurePrivateDirectory(const std::filesystem::path& dir);

// kDenied for EACCES/EPERM/EROFS/ELOOP, kIoError otherwise; the message is
// "<what> <path>: <strerror>".
KeyringError ErrnoError(int err, std::string_view what, const std::filesystem::path& path);

// An exclusive lock on one file, excluding other processes (flock on a descriptor opened for
// this acquisition) and other threads of this process (a condition variable per path, so only
// one thread per process polls). Move-only; released by the destructor.
class FileLock {
 public:
  // Creates the file if missing (mode 0600, never following a symlink) and waits at most
  // `timeout` for it. kTimeout when another holder keeps it that long.
  static KeyringResult<FileLock> Acquire(const std::filesystem::path& path,
                                         std::chrono::milliseconds timeout);

  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

  void Release();
  const std::filesystem::path& path() const { return path_; }

  struct Slot;

 private:
  FileLock(std::filesystem::path path, std::string slot_key, std::shared_ptr<Slot> slot, int fd);

  std::filesystem::path path_;
  std::string slot_key_;
  std::shared_ptr<Slot> slot_;
  int fd_ = -1;
};

}  // namespace mcpauth::keyring::detail
