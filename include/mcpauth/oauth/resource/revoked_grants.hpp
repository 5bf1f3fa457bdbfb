// RevokedGrants: the resource server's in-memory set of revoked grant ids.
//
// Revocation is by grant (DESIGN "Tokens and secrets"): an access token names its grant in the
// `grant_id` claim, and a token whose grant is in this set is refused on its very next use, cached
// or not. The set is fed two ways:
//   - Add(): called directly by the authorization server of the same process when it revokes a
//     grant (RFC 7009 revocation, Disconnect, refresh-token replay), so the next request fails;
//   - Sync(): revocations made by other processes or nodes, read from the store with
//     GrantStore::ListRevokedGrantsSince, as docs/store.md prescribes (first the last
//     access-token lifetime, then from the newest revoked_at seen minus a margin for clock skew
//     between nodes). The caller runs it from a timer, e.g. every second.
// An entry is dropped once it is older than `retention` (the longest access-token lifetime plus
// leeway): every token naming that grant has expired by then, so the set stays small.
//
// Thread-safety: every method may be called concurrently. Contains() is on every request's path:
// it takes a shared lock only when the set is not empty, and never touches the store.
// Ownership: owns its entries; Sync() uses the store only for the duration of the call.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "mcpauth/core/clock.hpp"
#include "mcpauth/core/result.hpp"
#include "mcpauth/store/store.hpp"

namespace mcpauth::oauth::resource {

struct RevokedGrantsOptions {
  // How long a revocation is kept: at least the longest access-token lifetime plus the
  // validators' clock leeway.
  std::chrono::seconds retention{3600 + 60};
  // Sync() re-reads revocations from this long before the newest revoked_at it has seen: the
  // store's revoked_at comes from the revoking node's clock (docs/store.md).
  std::chrono::seconds sync_margin{5};
};

class RevokedGrants {
 public:
  explicit RevokedGrants(RevokedGrantsOptions options = {});
  RevokedGrants(const RevokedGrants&) = delete;
  RevokedGrants& operator=(const RevokedGrants&) = delete;

  // Records a revocation (idempotent; the earliest revoked_at is kept). An empty id is ignored.
  void Add(std::string_view grant_id, Clock::TimePoint revoked_at);

  // True if the grant is revoked. An empty id is never revoked.
  bool Contains(std::string_view grant_id) const;

  // Loads the revocations made since the last sync (the first call: since now - retention), then
  // drops entries older than the retention. On a store error nothing changes and the next call
  // retries the same window.
  Status Sync(store::GrantStore& store, Clock::TimePoint now);

  // Drops entries with revoked_at < now - retention.
  void Purge(Clock::TimePoint now);

  size_t size() const;

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  const RevokedGrantsOptions options_;
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, Clock::TimePoint, Hash, std::equal_to<>> revoked_;
  std::atomic<size_t> size_{0};  // lets Contains() skip the lock while nothing is revoked
  std::optional<Clock::TimePoint> newest_seen_;  // newest revoked_at read by Sync(); under mu_
};

}  // namespace mcpauth::oauth::resource
