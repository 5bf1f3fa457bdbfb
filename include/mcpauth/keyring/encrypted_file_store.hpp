// EncryptedFileStore: `--store file`, for machines without a usable Secret Service (headless
// servers, containers, CI). Every record is in ONE file, encrypted as a whole.
//
// Key: the environment variable MCPAUTH_STORE_KEY (read by KeyFromEnvironment()), either
//   - 64 hex digits (a random 256-bit key, e.g. `openssl rand -hex 32`): the file key is
//     HKDF-SHA256(key, salt, "mcpauth credential file v1") (RFC 5869) — fast; or
//   - any other value of at least kMinPassphraseBytes bytes, taken as a passphrase: the file key
//     is scrypt(passphrase, salt, N=2^15, r=8, p=1) (RFC 7914), ~32 MiB and ~0.1 s, once per
//     store object (the derived key is cached in memory).
// The salt is random per file (16 bytes, kept across rewrites); which derivation was used is
// recorded in the header, so a change of the variable's kind is reported as such.
//
// File format (version 1), all integers single bytes:
//   "MCPAUTHC" | version 1 | kdf (1 = HKDF, 2 = scrypt) | salt[16] | nonce[12] | ciphertext |
//   tag[16]
// AES-256-GCM with a fresh random 96-bit nonce per write (NIST SP 800-38D §8.2.2), the whole
// 38-byte header as additional authenticated data: the magic, version, kdf and salt cannot be
// altered without detection. The plaintext is JSON (format, version, credentials[]). Any
// authentication failure is kCorrupt ("wrong MCPAUTH_STORE_KEY, or the file was modified").
//
// Writes are atomic and private: a temporary file in the same directory (mode 0600 from
// creation), fsync, rename over the file, fsync of the directory. The directory is created with
// mode 0700. A write is a read-modify-write under an exclusive lock (flock on "<file>.lock",
// plus an in-process mutex), so concurrent writers — threads or processes — never lose each
// other's records; readers need no lock (rename is atomic). Plaintext buffers are wiped.
//
// Thread-safety: safe from any thread and from several processes on the same file.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "mcpauth/core/random.hpp"
#include "mcpauth/core/secret.hpp"
#include "mcpauth/keyring/credential_store.hpp"

namespace mcpauth::keyring {

inline constexpr const char* kStoreKeyVariable = "MCPAUTH_STORE_KEY";
inline constexpr size_t kMinPassphraseBytes = 12;

// $XDG_DATA_HOME/mcpauth/credentials.enc, else ~/.local/share/mcpauth/credentials.enc (never
// keyed by version: upgrading must not sign anyone out, PEERS.md pain point 14).
std::filesystem::path DefaultCredentialFilePath();

struct EncryptedFileStoreOptions {
  std::filesystem::path path;      // the credential file; its directory is created if missing
  Secret key;                      // the value of MCPAUTH_STORE_KEY (see KeyFromEnvironment)
  SecureRandom* random = nullptr;  // salts and nonces; nullptr = OpenSslRandom
  // How long a writer waits for another writer's lock on the file.
  std::chrono::milliseconds lock_timeout{10'000};
};

class EncryptedFileStore final : public CredentialStore {
 public:
  // Checks the key's form (not yet against the file: the first read does). kUnavailable with a
  // message when the key is empty or too short.
  static KeyringResult<std::unique_ptr<EncryptedFileStore>> Open(EncryptedFileStoreOptions options);

  // MCPAUTH_STORE_KEY's value, or kUnavailable saying how to set it.
  static KeyringResult<Secret> KeyFromEnvironment();

  ~EncryptedFileStore() override;

  KeyringResult<Credential> Get(const CredentialKey& key) override;
  KeyringStatus Put(const Credential& credential) override;
  KeyringStatus Delete(const CredentialKey& key) override;
  KeyringResult<std::vector<CredentialKey>> List(const CredentialFilter& filter = {}) override;
  std::string Describe() const override;

 private:
  struct Impl;
  explicit EncryptedFileStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mcpauth::keyring
