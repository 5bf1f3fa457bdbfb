// SecretServiceStore: credentials in the OS keyring through the freedesktop Secret Service API
// (libsecret; gnome-keyring, KeePassXC, KWallet >= 5.97 provide it).
//
// Each record is one item of the default collection with the schema "io.mcpauth.Credential":
// attributes kind, issuer, resource, client_id (searchable, not secret — they are URLs and a
// client id) and the payload as the item's secret (text/plain), labelled for the keyring's UI
// ("mcpauth: tokens for <resource> from <issuer> ...").
//
// It never prompts and never hangs (PEERS.md pain point 6):
//   - the service proxy is of a SecretService subtype whose prompt methods refuse, so an
//     operation that would need an unlock or a confirmation dialog fails instead of showing one;
//   - a locked default collection is detected first and reported as kUnavailable (we never
//     unlock; the user unlocks their keyring, e.g. by logging in to the desktop);
//   - each operation runs on its own thread with a GCancellable, and the caller waits at most
//     `timeout` (2 s): a missing bus, a missing service or one that does not answer gives
//     kUnavailable within that time, with a message that says what to do (start a keyring, set
//     DBUS_SESSION_BUS_ADDRESS, or use `--store file` with MCPAUTH_STORE_KEY). An abandoned
//     operation is cancelled and finishes on its own thread.
// It also turns off GDBus's exit-on-close on the session-bus connection: a keyring daemon or bus
// that goes away must not terminate the client.
//
// Each operation opens its own service proxy and transfer session and closes the session when
// done (a few D-Bus round trips, about a millisecond; a new bus connection too unless the
// application keeps GDBus's shared one alive), so no state can go stale between operations.
// We use the item-level API on the default collection rather than secret_password_*(): those
// unlock locked items, i.e. prompt.
//
// Thread-safety: safe from any thread.
#pragma once

#include <chrono>

#include "mcpauth/keyring/credential_store.hpp"

namespace mcpauth::keyring {

struct SecretServiceStoreOptions {
  // The longest a caller waits for one operation (the requirement: two seconds).
  std::chrono::milliseconds timeout{2000};
};

class SecretServiceStore final : public CredentialStore {
 public:
  explicit SecretServiceStore(SecretServiceStoreOptions options = {});

  KeyringResult<Credential> Get(const CredentialKey& key) override;
  KeyringStatus Put(const Credential& credential) override;
  KeyringStatus Delete(const CredentialKey& key) override;
  KeyringResult<std::vector<CredentialKey>> List(const CredentialFilter& filter = {}) override;
  std::string Describe() const override { return "Secret Service (default collection)"; }

  // Checks that a Secret Service answers and its default collection exists and is unlocked,
  // without reading or writing anything: what `mcpauth status` and `login` ask first.
  KeyringStatus Probe();

  // The schema name of our items (secret-tool search xdg:schema io.mcpauth.Credential).
  static constexpr const char* kSchemaName = "io.mcpauth.Credential";

 private:
  SecretServiceStoreOptions options_;
};

}  // namespace mcpauth::keyring
