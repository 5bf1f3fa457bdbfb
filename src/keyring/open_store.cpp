#include "mcpauth/keyring/credential_store.hpp"
#include "mcpauth/keyring/encrypted_file_store.hpp"
#include "mcpauth/keyring/memory_store.hpp"
#include "mcpauth/keyring/secret_service_store.hpp"

namespace mcpauth::keyring {

KeyringResult<std::unique_ptr<CredentialStore>> OpenCredentialStore(std::string_view spec) {
  if (spec.empty() || spec == "secret-service") {
    return std::unique_ptr<CredentialStore>(std::make_unique<SecretServiceStore>());
  }
  if (spec == "memory") {
    return std::unique_ptr<CredentialStore>(std::make_unique<MemoryCredentialStore>());
  }
  if (spec == "file" || spec.starts_with("file:")) {
    EncryptedFileStoreOptions options;
    if (spec.starts_with("file:")) {
      options.path = std::string(spec.substr(5));
      if (options.path.empty()) {
        return MakeError(Errc::kInvalidArgument, "--store file: needs a path after the colon");
      }
    }
    auto key = EncryptedFileStore::KeyFromEnvironment();
    if (!key) {
      return key.error();
    }
    options.key = std::move(*key);
    auto store = EncryptedFileStore::Open(std::move(options));
    if (!store) {
      return store.error();
    }
    return std::unique_ptr<CredentialStore>(std::move(*store));
  }
  return MakeError(Errc::kInvalidArgument,
                   "unknown credential store '" + std::string(spec) +
                       "': use secret-service (the default), file, file:PATH or memory");
}

}  // namespace mcpauth::keyring
