// TokenStorage: where the OAuth client keeps what it must not lose — its client registrations
// (per authorization server) and its credentials (per MCP server) — and the lock that makes a
// refresh single-flight.
//
// Records (what a restarted process needs to refresh without rediscovery, PEERS pain point 2):
//   - ClientRegistration, keyed by the authorization server's `issuer` (MCP 2026-07-28: client
//     credentials MUST be keyed by issuer, never reused with another AS). Dynamic registrations
//     are stored and reused, so a login does not register a new client (pain point 18).
//   - Credential, keyed by the MCP server URL the user names (normalised): the issuer and the
//     endpoints it came from, the client used, the tokens, the ABSOLUTE expiry, the granted
//     scopes and the RFC 8707 resource sent.
// LockFor(key) returns an exclusive lock held until the returned object is destroyed. The
// OAuth client takes it around every refresh and re-reads the credential under it, so parallel
// refreshes of one rotating refresh token never race (pain point 3): a real implementation (the
// keyring adapter) must make it exclusive across PROCESSES, not only threads.
//
// Tokens and secrets are core::Secret: they cannot be logged. Serialize*/Parse* turn a record into
// a JSON text (itself a Secret) for implementations that store one blob per entry.
//
// Thread-safety: implementations must be safe to call from several threads. MemoryTokenStorage
// is (one mutex; per-key lock table). Ownership: records are values.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "mcpauth/core/clock.hpp"
#include "mcpauth/core/result.hpp"
#include "mcpauth/core/secret.hpp"

namespace mcpauth::oauth::client {

// How the client got its client_id (SPEC-CHECKLIST CL7 order).
enum class RegistrationKind {
  kPreRegistered,     // --client-id (and --client-secret): configured, never stored on its own
  kMetadataDocument,  // a Client ID Metadata Document URL is the client_id
  kDynamic,           // RFC 7591 Dynamic Client Registration: stored per issuer and reused
};
std::string_view RegistrationKindName(RegistrationKind kind);

struct ClientRegistration {
  std::string issuer;  // the authorization server it belongs to
  std::string client_id;
  Secret client_secret;                             // empty for a public client
  std::string token_endpoint_auth_method = "none";  // none | client_secret_basic | _post
  RegistrationKind kind = RegistrationKind::kDynamic;
  std::optional<Clock::TimePoint> secret_expires_at;  // RFC 7591 client_secret_expires_at
  std::string redirect_uri;                           // as registered (loopback, no port)
};

struct Credential {
  std::string server_url;  // the key: the MCP server URL, normalised
  std::string issuer;
  std::string resource;  // the RFC 8707 `resource` sent with it ("" when none was sent)
  std::string token_endpoint;
  std::string revocation_endpoint;  // "" when the AS has none
  ClientRegistration client;
  Secret access_token;
  Secret refresh_token;                        // empty when none was issued
  std::optional<Clock::TimePoint> expires_at;  // absolute; nullopt when the AS gave no expires_in
  std::vector<std::string> scopes;             // granted
  Clock::TimePoint obtained_at;
};

// Held while alive; released by its destructor.
class StorageLock {
 public:
  virtual ~StorageLock() = default;
};

class TokenStorage {
 public:
  virtual ~TokenStorage() = default;

  virtual Result<std::optional<Credential>> LoadCredential(std::string_view server_url) = 0;
  virtual Status SaveCredential(const Credential& credential) = 0;   // replaces
  virtual Status DeleteCredential(std::string_view server_url) = 0;  // absent is fine

  virtual Result<std::optional<ClientRegistration>> LoadRegistration(std::string_view issuer) = 0;
  virtual Status SaveRegistration(const ClientRegistration& registration) = 0;
  virtual Status DeleteRegistration(std::string_view issuer) = 0;

  // Blocks until the lock named `key` is free (or fails, e.g. a timeout of a cross-process
  // lock), then holds it until the returned object is destroyed. Not re-entrant.
  virtual Result<std::unique_ptr<StorageLock>> LockFor(std::string_view key) = 0;
};

// JSON forms of the records (schema "mcpauth.oauth.client/1"), for blob-based storages. Times
// are Unix seconds. Parse* refuses a text of another schema or with missing required members.
Secret SerializeCredential(const Credential& credential);
Result<Credential> ParseCredential(std::string_view json);
Secret SerializeRegistration(const ClientRegistration& registration);
Result<ClientRegistration> ParseRegistration(std::string_view json);

// In memory, for tests and for callers that do not persist. Records go through the JSON forms,
// so what a test stores is what a blob storage would. Counters let tests see the traffic.
class MemoryTokenStorage final : public TokenStorage {
 public:
  Result<std::optional<Credential>> LoadCredential(std::string_view server_url) override;
  Status SaveCredential(const Credential& credential) override;
  Status DeleteCredential(std::string_view server_url) override;
  Result<std::optional<ClientRegistration>> LoadRegistration(std::string_view issuer) override;
  Status SaveRegistration(const ClientRegistration& registration) override;
  Status DeleteRegistration(std::string_view issuer) override;
  Result<std::unique_ptr<StorageLock>> LockFor(std::string_view key) override;

  int credential_saves() const;
  int registration_saves() const;
  // Makes every call fail with Errc::kStorageFailed while set (a locked keyring).
  void SetFailing(bool failing);

 private:
  class Lock;
  void Release(const std::string& key);

  mutable std::mutex mu_;
  std::condition_variable released_;
  std::map<std::string, Secret, std::less<>> credentials_;
  std::map<std::string, Secret, std::less<>> registrations_;
  std::set<std::string, std::less<>> held_;
  int credential_saves_ = 0;
  int registration_saves_ = 0;
  bool failing_ = false;
};

}  // namespace mcpauth::oauth::client
