// MemoryCredentialStore: a CredentialStore in this process's memory, for tests and
// `--store memory`. Nothing is persisted. Thread-safety: safe from any thread.
#pragma once

#include <map>
#include <mutex>

#include "mcpauth/keyring/credential_store.hpp"

namespace mcpauth::keyring {

class MemoryCredentialStore final : public CredentialStore {
 public:
  KeyringResult<Credential> Get(const CredentialKey& key) override;
  KeyringStatus Put(const Credential& credential) override;
  KeyringStatus Delete(const CredentialKey& key) override;
  KeyringResult<std::vector<CredentialKey>> List(const CredentialFilter& filter = {}) override;
  std::string Describe() const override { return "memory"; }

 private:
  std::mutex mu_;
  std::map<CredentialKey, Secret> records_;
};

}  // namespace mcpauth::keyring
