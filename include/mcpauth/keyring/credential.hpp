// What the client keeps between runs, and the key it is found by.
//
// A CredentialKey names one record:
//   - kRegistration {issuer}: the client registration at one authorization server (client_id,
//     client_secret, how it was obtained), reused across logins (no new client per login);
//   - kTokens {issuer, resource, client_id}: the tokens one client holds for one MCP server
//     (resource, RFC 8707 / RFC 9728) from one authorization server, so several servers, tenants
//     and clients never overwrite each other's tokens (PEERS.md pain point 25).
// The strings are compared exactly as given: the caller passes the issuer exactly as the
// authorization server's metadata states it (RFC 8414 §3.3) and the canonical resource URL.
//
// The payload is opaque to this module: oauth/client defines its JSON (access and refresh token,
// absolute expiry, scopes, the registration, the endpoints, ...). It is a Secret from end to end:
// stores keep it only in the Secret Service or encrypted, never in plaintext on disk.
// Thread-safety: plain value types.
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>

#include "mcpauth/core/secret.hpp"
#include "mcpauth/keyring/errc.hpp"

namespace mcpauth::keyring {

enum class CredentialKind {
  kRegistration,  // per authorization-server issuer
  kTokens,        // per (issuer, resource, client_id)
};

// "registration" | "tokens": the stored form (a Secret Service attribute, a field in the file).
std::string_view KindName(CredentialKind kind);
std::optional<CredentialKind> ParseKind(std::string_view name);

// Limits, checked by every store (KeyringResult kInvalidArgument beyond them).
inline constexpr size_t kMaxKeyFieldBytes = 4096;
inline constexpr size_t kMaxPayloadBytes = 256 * 1024;

struct CredentialKey {
  CredentialKind kind = CredentialKind::kTokens;
  std::string issuer;     // required
  std::string resource;   // empty for kRegistration
  std::string client_id;  // empty for kRegistration: "the registration for this issuer"

  static CredentialKey Registration(std::string issuer);
  static CredentialKey Tokens(std::string issuer, std::string resource, std::string client_id);

  // An unambiguous one-line form: the fields joined by NUL (which no field may contain). What
  // lock files are named after (hashed) and what the stores sort by.
  std::string Canonical() const;

  // For humans (labels in the keyring, `mcpauth status`): "tokens for <resource> from <issuer>
  // (client <client_id>)". Not a secret.
  std::string Describe() const;

  friend auto operator<=>(const CredentialKey&, const CredentialKey&) = default;
  friend bool operator==(const CredentialKey&, const CredentialKey&) = default;
};

// The key's contract: issuer non-empty; every field valid UTF-8 without NUL and at most
// kMaxKeyFieldBytes long.
KeyringStatus ValidateKey(const CredentialKey& key);

struct Credential {
  CredentialKey key;
  Secret payload;  // UTF-8 text (the client's JSON), at most kMaxPayloadBytes
};

// Put()'s contract: a valid key and a UTF-8 payload within kMaxPayloadBytes.
KeyringStatus ValidateCredential(const Credential& credential);

// Which records List() returns: every field that is set must match exactly.
struct CredentialFilter {
  std::optional<CredentialKind> kind;
  std::optional<std::string> issuer;
  std::optional<std::string> resource;
  std::optional<std::string> client_id;

  bool Matches(const CredentialKey& key) const;
};

}  // namespace mcpauth::keyring
