// CredentialStore: where the client keeps registrations and tokens between runs.
//
// Backends: SecretServiceStore (the OS keyring through libsecret: the default), and
// EncryptedFileStore (`--store file`: AES-256-GCM under a key from MCPAUTH_STORE_KEY), and
// MemoryCredentialStore (tests, `--store memory`). None ever writes a token in plaintext to disk
// and none falls back to another silently: a store that cannot be used says so, with what to do.
//
// Every operation is a single atomic step on one record. A read-modify-write that must not race
// another thread or process (a refresh with a rotating refresh token) takes a CredentialLock on
// the key first, then re-reads (credential_lock.hpp).
//
// Thread-safety: every implementation may be used from several threads at once, and several
// processes may use the same backing store at once.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mcpauth/keyring/credential.hpp"
#include "mcpauth/keyring/errc.hpp"

namespace mcpauth::keyring {

class CredentialStore {
 public:
  virtual ~CredentialStore() = default;

  // The record under `key`, or kNotFound.
  virtual KeyringResult<Credential> Get(const CredentialKey& key) = 0;
  // Creates or replaces the record under credential.key.
  virtual KeyringStatus Put(const Credential& credential) = 0;
  // Removes the record under `key`; kNotFound if there was none (a caller that only wants it
  // gone may treat that as success).
  virtual KeyringStatus Delete(const CredentialKey& key) = 0;
  // The keys of the records that match `filter`, sorted, without their payloads.
  virtual KeyringResult<std::vector<CredentialKey>> List(const CredentialFilter& filter = {}) = 0;

  // What `mcpauth status` prints: "Secret Service", "file /home/u/.local/share/...", "memory".
  virtual std::string Describe() const = 0;
};

// Opens a store from the command line's `--store` value:
//   "secret-service" (or "")   the OS keyring (SecretServiceStore, default options)
//   "file"                     EncryptedFileStore at DefaultCredentialFilePath(), key from
//                              MCPAUTH_STORE_KEY
//   "file:PATH"                the same at PATH
//   "memory"                   a MemoryCredentialStore (lost at exit)
// Fails with kInvalidArgument for anything else, kUnavailable when MCPAUTH_STORE_KEY is unset
// or unusable. The Secret Service is not contacted here: its first operation says whether it
// is reachable.
KeyringResult<std::unique_ptr<CredentialStore>> OpenCredentialStore(std::string_view spec);

}  // namespace mcpauth::keyring
