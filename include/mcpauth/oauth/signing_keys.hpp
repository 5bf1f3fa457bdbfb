// SigningKeyManager: the authorization server's ES256 signing keys, kept in the store, cached in
// memory, rotated with overlap.
//
// Life of a key (store::KeyState): Rotate() creates a key and makes it the active one in one store
// operation, which retires the previous active key (retired_at = now). A retired key no longer
// signs but stays in the JWKS for `retired_key_lifetime` so that access tokens it signed still
// verify; after that it leaves the JWKS and Find(), and PurgeRetired() deletes it from the store.
// Set the lifetime to at least the longest access-token lifetime plus the resource servers' JWKS
// cache time and clock leeway.
//
// Keys at rest: the private key is stored as PKCS#8 PEM in SigningKey::private_key (a Secret, so
// it cannot be logged); rows holding a private JWK instead are read too. The kid is the key's
// RFC 7638 JWK thumbprint.
//
// Several nodes over one database: EnsureActiveKey() on a fresh database is race-free (the store
// refuses a second active key; the loser adopts the winner's key). Another node's rotation is seen
// after Reload(), which the caller triggers (a timer, or PostgreSQL LISTEN/NOTIFY).
//
// Thread-safety: every method may be called concurrently; readers (Current, PublicJwks, Find) take
// a mutex briefly and never touch the store. Ownership: the manager keeps references to the store
// and the clock, which must outlive it. Resolver() shares the manager by pointer: the manager must
// outlive every verifier that uses it.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mcpauth/core/clock.hpp"
#include "mcpauth/core/result.hpp"
#include "mcpauth/jose/jwk.hpp"
#include "mcpauth/jose/jwks.hpp"
#include "mcpauth/jose/jwt.hpp"
#include "mcpauth/store/store.hpp"

namespace mcpauth::oauth {

struct SigningKeyOptions {
  // How long a retired key stays published after the rotation that retired it.
  std::chrono::seconds retired_key_lifetime = std::chrono::hours(24);
};

// The key that signs now: pass to jose::EncodeJwt(current.key, current.kid, ...).
struct CurrentSigningKey {
  std::string kid;
  jose::EcKey key;  // has the private part
};

class SigningKeyManager {
 public:
  SigningKeyManager(store::SigningKeyStore& store, const Clock& clock,
                    SigningKeyOptions options = {});
  SigningKeyManager(const SigningKeyManager&) = delete;
  SigningKeyManager& operator=(const SigningKeyManager&) = delete;

  // Call once at start-up: loads the keys, and if no key is active generates a P-256 key and
  // stores it as the active one. Store errors are returned; so is an active key whose stored
  // private key cannot be read (jose::Errc::kInvalidKey and the like): signing with another key
  // silently would hide a damaged database.
  Status EnsureActiveKey();

  // Generates a key, makes it active (the previous active key is retired now and stays published
  // for options.retired_key_lifetime), purges keys retired longer ago than that, reloads, and
  // returns the new kid.
  Result<std::string> Rotate();

  // Re-reads every key from the store (after another node rotated).
  Status Reload();

  // Deletes the retired keys whose publication period is over; returns how many.
  Result<size_t> PurgeRetired();

  // The active key, or store::Errc::kNotFound before EnsureActiveKey() succeeded.
  Result<CurrentSigningKey> Current() const;

  // The public keys of the active, next and still-published retired keys: what `jwks_uri` serves.
  // Never contains private members. Never null.
  std::shared_ptr<const jose::Jwks> PublicJwks() const;

  // A published key (public part only) by kid, for verifying our own tokens; nullopt otherwise.
  std::optional<jose::EcKey> Find(std::string_view kid) const;

  // A jose::KeyResolver over Find(), for a jose::JwtVerifier.
  jose::KeyResolver Resolver() const;

 private:
  struct LoadedKey {
    std::string kid;
    store::KeyState state;
    std::optional<Clock::TimePoint> retired_at;
    jose::EcKey key;  // private
  };

  Result<store::SigningKey> NewKeyRow(store::KeyState state) const;
  bool Published(const LoadedKey& key, Clock::TimePoint now) const;
  // Rebuilds jwks_ if the clock passed the end of a retired key's publication. Needs mu_.
  void RefreshJwksLocked() const;

  store::SigningKeyStore& store_;
  const Clock& clock_;
  const SigningKeyOptions options_;

  mutable std::mutex mu_;
  std::vector<LoadedKey> keys_;
  std::optional<size_t> active_;  // index into keys_
  mutable std::shared_ptr<const jose::Jwks> jwks_;
  mutable std::optional<Clock::TimePoint> jwks_valid_until_;  // nullopt: valid until a reload
};

}  // namespace mcpauth::oauth
