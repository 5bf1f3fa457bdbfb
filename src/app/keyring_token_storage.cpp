#include "app/keyring_token_storage.hpp"

#include <algorithm>
#include <utility>

#include "mcpauth/core/log.hpp"
#include "mcpauth/keyring/credential_lock.hpp"
#include "mcpauth/oauth/client/errc.hpp"

namespace mcpauth::app {

namespace oc = oauth::client;

namespace {

// Lock names are not credentials: a separate issuer-like namespace keeps them apart from any
// real record's key (only the hash of Canonical() reaches the file system).
constexpr std::string_view kLockNamespace = "mcpauth-lock";

class KeyringLock final : public oc::StorageLock {
 public:
  explicit KeyringLock(keyring::CredentialLock lock) : lock_(std::move(lock)) {}

 private:
  keyring::CredentialLock lock_;
};

}  // namespace

KeyringTokenStorage::KeyringTokenStorage(keyring::CredentialStore& store) : store_(store) {}

Status KeyringTokenStorage::Fail(const keyring::KeyringError& error) {
  log::Debug("credential store: {}", error.message);
  std::lock_guard lock(mu_);
  last_error_ = error.message;
  return oc::Errc::kStorageFailed;
}

std::string KeyringTokenStorage::last_error() const {
  std::lock_guard lock(mu_);
  return last_error_;
}

Result<std::vector<keyring::CredentialKey>> KeyringTokenStorage::KeysOf(
    std::string_view server_url) {
  keyring::CredentialFilter filter;
  filter.kind = keyring::CredentialKind::kTokens;
  filter.resource = std::string(server_url);
  auto keys = store_.List(filter);
  if (!keys) {
    return Fail(keys.error()).error();
  }
  return std::move(*keys);
}

Result<std::optional<oc::Credential>> KeyringTokenStorage::Prefetch(std::string_view server_url) {
  DropPrefetched();
  auto loaded = LoadCredential(server_url);
  if (loaded) {
    std::lock_guard lock(mu_);
    prefetched_.emplace(std::string(server_url), *loaded);
  }
  return loaded;
}

void KeyringTokenStorage::DropPrefetched() {
  std::lock_guard lock(mu_);
  prefetched_.reset();
}

Result<std::optional<oc::Credential>> KeyringTokenStorage::LoadCredential(
    std::string_view server_url) {
  {
    std::lock_guard lock(mu_);
    if (prefetched_ && prefetched_->first == server_url) {
      auto kept = std::move(prefetched_->second);
      prefetched_.reset();
      return kept;
    }
  }
  auto keys = KeysOf(server_url);
  if (!keys) {
    return keys.error();
  }
  // Normally one record; after an interrupted replacement, the newest one wins.
  std::optional<oc::Credential> best;
  for (const auto& key : *keys) {
    auto record = store_.Get(key);
    if (!record) {
      if (record.error() == keyring::Errc::kNotFound) {
        continue;  // deleted meanwhile
      }
      return Fail(record.error()).error();
    }
    auto parsed = oc::ParseCredential(record->payload.Reveal());
    if (!parsed) {
      log::Warn("credential store: an unreadable credential record for {} is ignored", server_url);
      continue;
    }
    if (!best || parsed->obtained_at > best->obtained_at) {
      best = std::move(*parsed);
    }
  }
  return best;
}

Status KeyringTokenStorage::SaveCredential(const oc::Credential& credential) {
  DropPrefetched();
  const auto key = keyring::CredentialKey::Tokens(credential.issuer, credential.server_url,
                                                  credential.client.client_id);
  auto previous = KeysOf(credential.server_url);
  if (auto put = store_.Put({key, oc::SerializeCredential(credential)}); !put) {
    return Fail(put.error());
  }
  if (previous) {
    for (const auto& other : *previous) {
      if (other != key) {
        (void)store_.Delete(other);
      }
    }
  }
  return {};
}

Status KeyringTokenStorage::DeleteCredential(std::string_view server_url) {
  DropPrefetched();
  auto keys = KeysOf(server_url);
  if (!keys) {
    return keys.error();
  }
  for (const auto& key : *keys) {
    if (auto deleted = store_.Delete(key);
        !deleted && deleted.error() != keyring::Errc::kNotFound) {
      return Fail(deleted.error());
    }
  }
  return {};
}

Result<std::optional<oc::ClientRegistration>> KeyringTokenStorage::LoadRegistration(
    std::string_view issuer) {
  auto record = store_.Get(keyring::CredentialKey::Registration(std::string(issuer)));
  if (!record) {
    if (record.error() == keyring::Errc::kNotFound) {
      return std::optional<oc::ClientRegistration>();
    }
    return Fail(record.error()).error();
  }
  auto parsed = oc::ParseRegistration(record->payload.Reveal());
  if (!parsed) {
    log::Warn("credential store: the unreadable registration for {} is ignored", issuer);
    return std::optional<oc::ClientRegistration>();
  }
  return std::optional<oc::ClientRegistration>(std::move(*parsed));
}

Status KeyringTokenStorage::SaveRegistration(const oc::ClientRegistration& registration) {
  DropPrefetched();
  if (auto put = store_.Put({keyring::CredentialKey::Registration(registration.issuer),
                             oc::SerializeRegistration(registration)});
      !put) {
    return Fail(put.error());
  }
  return {};
}

Status KeyringTokenStorage::DeleteRegistration(std::string_view issuer) {
  DropPrefetched();
  auto deleted = store_.Delete(keyring::CredentialKey::Registration(std::string(issuer)));
  if (!deleted && deleted.error() != keyring::Errc::kNotFound) {
    return Fail(deleted.error());
  }
  return {};
}

Result<std::unique_ptr<oc::StorageLock>> KeyringTokenStorage::LockFor(std::string_view key) {
  DropPrefetched();
  auto lock = keyring::CredentialLock::Acquire(
      keyring::CredentialKey::Tokens(std::string(kLockNamespace), std::string(key), ""));
  if (!lock) {
    return Fail(lock.error()).error();
  }
  return std::unique_ptr<oc::StorageLock>(std::make_unique<KeyringLock>(std::move(*lock)));
}

Result<std::vector<oc::Credential>> KeyringTokenStorage::ListCredentials(int* unreadable) {
  keyring::CredentialFilter filter;
  filter.kind = keyring::CredentialKind::kTokens;
  auto keys = store_.List(filter);
  if (!keys) {
    return Fail(keys.error()).error();
  }
  std::vector<oc::Credential> out;
  for (const auto& key : *keys) {
    auto record = store_.Get(key);
    auto parsed = record ? oc::ParseCredential(record->payload.Reveal())
                         : Result<oc::Credential>(oc::Errc::kStorageFailed);
    if (!parsed) {
      if (unreadable != nullptr &&
          !(record.has_error() && record.error() == keyring::Errc::kNotFound)) {
        ++*unreadable;
      }
      continue;
    }
    out.push_back(std::move(*parsed));
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.server_url < b.server_url; });
  return out;
}

}  // namespace mcpauth::app
