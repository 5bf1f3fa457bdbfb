#include "token_cache.hpp"

#include <algorithm>
#include <mutex>

namespace mcpauth::oauth::resource::detail {

TokenCache::TokenCache(size_t capacity) {
  // Sharding spreads the exclusive lock of inserts; small caches (tests, tiny deployments) use one
  // shard so that the bound is exact.
  const size_t shards = capacity >= 4096 ? 16 : 1;
  shard_capacity_ = (capacity + shards - 1) / shards;
  shards_.reserve(shards);
  for (size_t i = 0; i < shards; ++i) {
    shards_.push_back(std::make_unique<Shard>());
  }
}

TokenCache::Shard& TokenCache::ShardOf(const core::Sha256Digest& key) const {
  return *shards_[key[31] % shards_.size()];
}

ValidatedToken TokenCache::Find(const core::Sha256Digest& key, Clock::TimePoint now) const {
  Shard& shard = ShardOf(key);
  std::shared_lock lock(shard.mu);
  const auto it = shard.map.find(key);
  if (it == shard.map.end() || now >= it->second.valid_until) {
    return nullptr;
  }
  return it->second.token;
}

void TokenCache::Insert(const core::Sha256Digest& key, ValidatedToken token,
                        Clock::TimePoint valid_until, Clock::TimePoint now) {
  if (shard_capacity_ == 0 || valid_until <= now) {
    return;
  }
  Shard& shard = ShardOf(key);
  std::unique_lock lock(shard.mu);
  const size_t before = shard.map.size();
  if (before >= shard_capacity_ && !shard.map.contains(key)) {
    std::erase_if(shard.map, [&](const auto& e) { return now >= e.second.valid_until; });
    if (shard.map.size() >= shard_capacity_) {
      size_t drop = std::max<size_t>(1, shard_capacity_ / 8);
      for (auto it = shard.map.begin(); it != shard.map.end() && drop > 0; --drop) {
        it = shard.map.erase(it);
      }
    }
  }
  shard.map.insert_or_assign(key, Entry{std::move(token), valid_until});
  const size_t after = shard.map.size();
  if (after >= before) {
    size_.fetch_add(after - before, std::memory_order_relaxed);
  } else {
    size_.fetch_sub(before - after, std::memory_order_relaxed);
  }
}

void TokenCache::Clear() {
  for (auto& shard : shards_) {
    std::unique_lock lock(shard->mu);
    size_.fetch_sub(shard->map.size(), std::memory_order_relaxed);
    shard->map.clear();
  }
}

size_t TokenCache::size() const { return size_.load(std::memory_order_relaxed); }

}  // namespace mcpauth::oauth::resource::detail
