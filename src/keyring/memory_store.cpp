#include "mcpauth/keyring/memory_store.hpp"

namespace mcpauth::keyring {

KeyringResult<Credential> MemoryCredentialStore::Get(const CredentialKey& key) {
  if (auto s = ValidateKey(key); !s) {
    return s.error();
  }
  std::lock_guard lock(mu_);
  auto it = records_.find(key);
  if (it == records_.end()) {
    return MakeError(Errc::kNotFound, "no stored " + key.Describe());
  }
  return Credential{it->first, it->second};
}

KeyringStatus MemoryCredentialStore::Put(const Credential& credential) {
  if (auto s = ValidateCredential(credential); !s) {
    return s;
  }
  std::lock_guard lock(mu_);
  records_.insert_or_assign(credential.key, credential.payload);
  return {};
}

KeyringStatus MemoryCredentialStore::Delete(const CredentialKey& key) {
  if (auto s = ValidateKey(key); !s) {
    return s;
  }
  std::lock_guard lock(mu_);
  if (records_.erase(key) == 0) {
    return MakeError(Errc::kNotFound, "no stored " + key.Describe());
  }
  return {};
}

KeyringResult<std::vector<CredentialKey>> MemoryCredentialStore::List(
    const CredentialFilter& filter) {
  std::lock_guard lock(mu_);
  std::vector<CredentialKey> out;
  for (const auto& [key, payload] : records_) {
    if (filter.Matches(key)) {
      out.push_back(key);
    }
  }
  return out;
}

}  // namespace mcpauth::keyring
