// KeyringTokenStorage: the OAuth client's TokenStorage (oauth/client/token_storage.hpp) over a
// keyring::CredentialStore — what `mcpauth` keeps between runs (`--store`).
//
// Mapping onto keyring::CredentialKey:
//   - a client registration (keyed by issuer) -> CredentialKey::Registration(issuer);
//   - a credential (keyed by the normalised MCP server URL the user names) ->
//     CredentialKey::Tokens(issuer, server_url, client_id): the `resource` field holds the server
//     URL (the TokenStorage key; the RFC 8707 resource actually sent is inside the payload and may
//     be empty for a 2025-03-26 server). LoadCredential finds it by the filter {tokens,
//     resource = server_url}; SaveCredential puts the new record and then deletes any other record
//     of that server (another issuer or client: a re-login replaces, never accumulates);
//     DeleteCredential deletes every record of that server.
//   - the payload is the library's Serialize*() JSON, a Secret end to end (the stores encrypt it
//     or hand it to the Secret Service).
// LockFor(key) -> keyring::CredentialLock::Acquire on a key derived from `key` (a flock per key:
// exclusive across threads AND processes, so a refresh is single-flight for every `mcpauth`
// process of the user).
// Errors: TokenStorage speaks oauth::client::Errc::kStorageFailed; the keyring's one-line message
// (what failed, what to do; never a secret) is kept in last_error() for the CLI to print, and
// logged at warn level.
//
// Thread-safety: as the CredentialStore (safe from several threads); last_error() under a mutex.
// Ownership: keeps a reference to the store, which must outlive it.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mcpauth/keyring/credential_store.hpp"
#include "mcpauth/oauth/client/token_storage.hpp"

namespace mcpauth::app {

class KeyringTokenStorage final : public oauth::client::TokenStorage {
 public:
  explicit KeyringTokenStorage(keyring::CredentialStore& store);

  Result<std::optional<oauth::client::Credential>> LoadCredential(
      std::string_view server_url) override;
  Status SaveCredential(const oauth::client::Credential& credential) override;
  Status DeleteCredential(std::string_view server_url) override;
  Result<std::optional<oauth::client::ClientRegistration>> LoadRegistration(
      std::string_view issuer) override;
  Status SaveRegistration(const oauth::client::ClientRegistration& registration) override;
  Status DeleteRegistration(std::string_view issuer) override;
  Result<std::unique_ptr<oauth::client::StorageLock>> LockFor(std::string_view key) override;

  // Reads the credential of `server_url` now (failing as LoadCredential would: an unreachable
  // or locked store) and keeps the answer for the next LoadCredential(server_url), so a command
  // that must know up front whether the store is usable pays one keyring round, not two. Any
  // other use of the storage (a lock, a save, a delete) drops the kept answer: a read under the
  // refresh lock always goes to the store.
  Result<std::optional<oauth::client::Credential>> Prefetch(std::string_view server_url);

  // Every stored credential (for `mcpauth status`), sorted by server URL. Records that cannot be
  // read or parsed are skipped (and counted in `unreadable` when given).
  Result<std::vector<oauth::client::Credential>> ListCredentials(int* unreadable = nullptr);

  // The keyring's message for the latest failure ("" if none).
  std::string last_error() const;

 private:
  Status Fail(const keyring::KeyringError& error);
  Result<std::vector<keyring::CredentialKey>> KeysOf(std::string_view server_url);

  void DropPrefetched();

  keyring::CredentialStore& store_;
  mutable std::mutex mu_;
  std::string last_error_;
  // Prefetch()'s answer, for that server URL only, until used or dropped.
  std::optional<std::pair<std::string, std::optional<oauth::client::Credential>>> prefetched_;
};

}  // namespace mcpauth::app
