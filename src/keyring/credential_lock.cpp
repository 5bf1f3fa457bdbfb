#include "mcpauth/keyring/credential_lock.hpp"

#include <cstdlib>
#include <span>

#include "fs_util.hpp"
#include "mcpauth/core/crypto.hpp"
#include "mcpauth/core/token.hpp"

namespace mcpauth::keyring {

namespace fs = std::filesystem;

fs::path DefaultLockDirectory() {
  if (const char* run = std::getenv("XDG_RUNTIME_DIR"); run != nullptr && run[0] == '/') {
    return fs::path(run) / "mcpauth" / "locks";
  }
  if (const char* cache = std::getenv("XDG_CACHE_HOME"); cache != nullptr && cache[0] == '/') {
    return fs::path(cache) / "mcpauth" / "locks";
  }
  const fs::path home = detail::HomeDirectory();
  return home.empty() ? fs::path() : home / ".cache" / "mcpauth" / "locks";
}

struct CredentialLock::Impl {
  detail::FileLock lock;
};

KeyringResult<CredentialLock> CredentialLock::Acquire(const CredentialKey& key,
                                                      const CredentialLockOptions& options) {
  if (auto s = ValidateKey(key); !s) {
    return s.error();
  }
  const fs::path dir = options.directory.empty() ? DefaultLockDirectory() : options.directory;
  if (auto s = detail::EnsurePrivateDirectory(dir); !s) {
    return s.error();
  }
  // The name is a hash, so no URL (with its slashes, ports and length) reaches the file system.
  const auto digest = core::Sha256(key.Canonical());
  const fs::path file =
      dir / (core::HexEncode(std::span<const uint8_t>(digest.data(), 16)) + ".lock");
  auto lock = detail::FileLock::Acquire(file, options.timeout);
  if (!lock) {
    auto error = lock.error();
    if (error.code == Errc::kTimeout) {
      error.message = "another mcpauth process or thread is still using the " + key.Describe() +
                      " (" + error.message + ")";
    }
    return error;
  }
  return CredentialLock(std::make_unique<Impl>(Impl{std::move(*lock)}));
}

CredentialLock::CredentialLock(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CredentialLock::CredentialLock(CredentialLock&& other) noexcept = default;
CredentialLock& CredentialLock::operator=(CredentialLock&& other) noexcept = default;
CredentialLock::~CredentialLock() = default;

void CredentialLock::Release() { impl_.reset(); }

const fs::path& CredentialLock::path() const {
  static const fs::path kNone;
  return impl_ ? impl_->lock.path() : kNone;
}

}  // namespace mcpauth::keyring
