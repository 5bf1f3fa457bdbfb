#include "mcpauth/oauth/signing_keys.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <utility>

#include "mcpauth/jose/errc.hpp"
#include "mcpauth/store/errc.hpp"

namespace mcpauth::oauth {
namespace {

constexpr std::string_view kAlgorithm = "ES256";

// A stored private key: PKCS#8/SEC1 PEM (what we write) or a private JWK (also accepted).
Result<jose::EcKey> ParsePrivateKey(std::string_view text) {
  Result<jose::EcKey> key = jose::Errc::kInvalidKey;
  if (text.starts_with("{")) {
    boost::system::error_code ec;
    const boost::json::value value = boost::json::parse(text, ec);
    if (ec || !value.is_object()) {
      return jose::Errc::kBadJson;
    }
    key = jose::ImportJwk(value.as_object());
  } else {
    key = jose::ImportPrivateKeyPem(text);
  }
  if (key && !key->HasPrivateKey()) {
    return jose::Errc::kMissingPrivateKey;
  }
  return key;
}

}  // namespace

SigningKeyManager::SigningKeyManager(store::SigningKeyStore& store, const Clock& clock,
                                     SigningKeyOptions options)
    : store_(store), clock_(clock), options_(options) {}

Status SigningKeyManager::EnsureActiveKey() {
  if (auto loaded = Reload(); !loaded) {
    return loaded;
  }
  {
    std::lock_guard lock(mu_);
    if (active_) {
      return {};
    }
  }
  auto row = NewKeyRow(store::KeyState::kActive);
  if (!row) {
    return row.error();
  }
  // Created directly as active: if another node won the race, the store answers kConflict and
  // we adopt its key below instead of replacing it.
  if (auto created = store_.CreateSigningKey(*row);
      !created && created.error() != store::Errc::kConflict) {
    return created;
  }
  if (auto loaded = Reload(); !loaded) {
    return loaded;
  }
  std::lock_guard lock(mu_);
  if (!active_) {
    return store::Errc::kNotFound;
  }
  return {};
}

Result<std::string> SigningKeyManager::Rotate() {
  auto row = NewKeyRow(store::KeyState::kNext);
  if (!row) {
    return row.error();
  }
  if (auto created = store_.CreateSigningKey(*row); !created) {
    return created.error();
  }
  // One store operation activates the new key and retires the old one (retired_at = now), so
  // there is never a moment with zero or two active keys.
  if (auto activated = store_.ActivateSigningKey(row->kid, clock_.Now()); !activated) {
    return activated.error();
  }
  if (auto purged = PurgeRetired(); !purged) {
    return purged.error();
  }
  // PurgeRetired() reloaded.
  return row->kid;
}

Result<size_t> SigningKeyManager::PurgeRetired() {
  auto rows = store_.ListSigningKeys();
  if (!rows) {
    return rows.error();
  }
  const Clock::TimePoint now = clock_.Now();
  size_t deleted = 0;
  for (const store::SigningKey& row : *rows) {
    if (row.state == store::KeyState::kRetired && row.retired_at &&
        now >= *row.retired_at + options_.retired_key_lifetime) {
      auto gone = store_.DeleteSigningKey(row.kid);
      // Another node may have deleted it first.
      if (!gone && gone.error() != store::Errc::kNotFound) {
        return gone.error();
      }
      ++deleted;
    }
  }
  if (auto loaded = Reload(); !loaded) {
    return loaded.error();
  }
  return deleted;
}

Status SigningKeyManager::Reload() {
  auto rows = store_.ListSigningKeys();
  if (!rows) {
    return rows.error();
  }
  std::vector<LoadedKey> keys;
  std::optional<size_t> active;
  for (const store::SigningKey& row : *rows) {
    const bool is_active = row.state == store::KeyState::kActive;
    if (row.algorithm != kAlgorithm) {
      if (is_active) {
        return jose::Errc::kUnsupportedKey;
      }
      continue;  // a key type a later version may add; not ours to publish
    }
    auto key = ParsePrivateKey(row.private_key.Reveal());
    if (!key) {
      // A damaged active key must stop start-up; a damaged old key only leaves the JWKS.
      if (is_active) {
        return key.error();
      }
      continue;
    }
    if (is_active) {
      active = keys.size();
    }
    keys.push_back(LoadedKey{row.kid, row.state, row.retired_at, std::move(*key)});
  }
  std::lock_guard lock(mu_);
  keys_ = std::move(keys);
  active_ = active;
  jwks_.reset();
  RefreshJwksLocked();
  return {};
}

Result<CurrentSigningKey> SigningKeyManager::Current() const {
  std::lock_guard lock(mu_);
  if (!active_) {
    return store::Errc::kNotFound;
  }
  const LoadedKey& key = keys_[*active_];
  return CurrentSigningKey{key.kid, key.key};
}

std::shared_ptr<const jose::Jwks> SigningKeyManager::PublicJwks() const {
  std::lock_guard lock(mu_);
  RefreshJwksLocked();
  return jwks_;
}

std::optional<jose::EcKey> SigningKeyManager::Find(std::string_view kid) const {
  std::lock_guard lock(mu_);
  RefreshJwksLocked();
  const jose::EcKey* key = jwks_->Find(kid);
  if (key == nullptr) {
    return std::nullopt;
  }
  return *key;
}

jose::KeyResolver SigningKeyManager::Resolver() const {
  return [this](std::string_view kid) { return Find(kid); };
}

Result<store::SigningKey> SigningKeyManager::NewKeyRow(store::KeyState state) const {
  auto key = jose::EcKey::Generate();
  if (!key) {
    return key.error();
  }
  auto pem = jose::ExportPrivateKeyPem(*key);
  if (!pem) {
    return pem.error();
  }
  const Clock::TimePoint now = clock_.Now();
  store::SigningKey row;
  row.kid = jose::JwkThumbprint(*key);  // RFC 7638
  row.algorithm = std::string(kAlgorithm);
  row.private_key = std::move(*pem);
  row.state = state;
  row.created_at = now;
  row.not_before = now;
  return row;
}

bool SigningKeyManager::Published(const LoadedKey& key, Clock::TimePoint now) const {
  if (key.state != store::KeyState::kRetired) {
    return true;
  }
  return key.retired_at && now < *key.retired_at + options_.retired_key_lifetime;
}

void SigningKeyManager::RefreshJwksLocked() const {
  const Clock::TimePoint now = clock_.Now();
  if (jwks_ && (!jwks_valid_until_ || now < *jwks_valid_until_)) {
    return;
  }
  auto jwks = std::make_shared<jose::Jwks>();
  std::optional<Clock::TimePoint> valid_until;
  for (const LoadedKey& key : keys_) {
    if (!Published(key, now)) {
      continue;
    }
    auto public_key = key.key.PublicOnly();  // the JWKS never holds `d`
    if (!public_key || !jwks->Add(key.kid, std::move(*public_key))) {
      continue;
    }
    if (key.state == store::KeyState::kRetired) {
      const Clock::TimePoint end = *key.retired_at + options_.retired_key_lifetime;
      if (!valid_until || end < *valid_until) {
        valid_until = end;
      }
    }
  }
  jwks_ = std::move(jwks);
  jwks_valid_until_ = valid_until;
}

}  // namespace mcpauth::oauth
