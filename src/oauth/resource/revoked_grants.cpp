#include "mcpauth/oauth/resource/revoked_grants.hpp"

#include <mutex>
#include <vector>

#include "mcpauth/core/log.hpp"

namespace mcpauth::oauth::resource {

RevokedGrants::RevokedGrants(RevokedGrantsOptions options) : options_(options) {}

void RevokedGrants::Add(std::string_view grant_id, Clock::TimePoint revoked_at) {
  if (grant_id.empty()) {
    return;
  }
  std::unique_lock lock(mu_);
  auto it = revoked_.find(grant_id);
  if (it == revoked_.end()) {
    revoked_.emplace(std::string(grant_id), revoked_at);
    size_.store(revoked_.size(), std::memory_order_release);
  } else if (revoked_at < it->second) {
    it->second = revoked_at;
  }
}

bool RevokedGrants::Contains(std::string_view grant_id) const {
  // The common case, nothing revoked recently, costs one atomic load. A revocation is published
  // under the lock before size_ is raised, so a reader that sees size_ > 0 then finds it.
  if (grant_id.empty() || size_.load(std::memory_order_acquire) == 0) {
    return false;
  }
  std::shared_lock lock(mu_);
  return revoked_.find(grant_id) != revoked_.end();
}

Status RevokedGrants::Sync(store::GrantStore& store, Clock::TimePoint now) {
  Clock::TimePoint since;
  {
    std::shared_lock lock(mu_);
    // docs/store.md "Grants and revocation": first everything that can still matter, then from
    // the newest revoked_at seen minus a margin (the bound is inclusive; re-reading is harmless).
    since = newest_seen_ ? *newest_seen_ - options_.sync_margin : now - options_.retention;
  }
  auto rows = store.ListRevokedGrantsSince(since);
  if (!rows) {
    log::Warn("revoked-grant sync failed: {}", rows.error().message());
    return rows.error();
  }
  for (const store::RevokedGrant& row : *rows) {
    Add(row.grant_id, row.revoked_at);
  }
  {
    std::unique_lock lock(mu_);
    for (const store::RevokedGrant& row : *rows) {
      if (!newest_seen_ || row.revoked_at > *newest_seen_) {
        newest_seen_ = row.revoked_at;
      }
    }
  }
  Purge(now);
  return {};
}

void RevokedGrants::Purge(Clock::TimePoint now) {
  const Clock::TimePoint cutoff = now - options_.retention;
  std::unique_lock lock(mu_);
  std::erase_if(revoked_, [&](const auto& entry) { return entry.second < cutoff; });
  size_.store(revoked_.size(), std::memory_order_release);
}

size_t RevokedGrants::size() const { return size_.load(std::memory_order_acquire); }

}  // namespace mcpauth::oauth::resource
