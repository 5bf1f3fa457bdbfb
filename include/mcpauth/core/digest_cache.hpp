// DigestCache<V>: values by the SHA-256 of a secret (a token), each until its own deadline.
//
// A hit costs one SHA-256 (done by the caller), a shard pick and a lookup under a shared lock: no
// allocation, no string copy (V is meant to be a shared_ptr). The secret itself is never stored,
// only its hash (RFC 9700 / MCP "Token Theft": no cleartext tokens at rest, even in memory caches).
// Bounded: past `capacity` entries, an insert first drops the shard's expired entries, then an
// arbitrary eighth of the shard (the map's iteration order, i.e. by hash: effectively random,
// and O(1) amortised, which an LRU list under an exclusive lock on every hit would not be).
// Capacity 0 caches nothing. Users: the resource server's verified access tokens
// (oauth/resource), the authorization server's own access tokens at /introspect and /revoke.
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstring>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

#include "mcpauth/core/clock.hpp"
#include "mcpauth/core/crypto.hpp"

namespace mcpauth::core {

template <class V>
class DigestCache {
 public:
  explicit DigestCache(size_t capacity) {
    // Sharding spreads the exclusive lock of inserts; small caches (tests, tiny deployments) use
    // one shard so that the bound is exact.
    const size_t shards = capacity >= 4096 ? 16 : 1;
    shard_capacity_ = (capacity + shards - 1) / shards;
    shards_.reserve(shards);
    for (size_t i = 0; i < shards; ++i) {
      shards_.push_back(std::make_unique<Shard>());
    }
  }

  // The value cached under `key` if now < its deadline, else a default V (null).
  V Find(const Sha256Digest& key, Clock::TimePoint now) const {
    Shard& shard = ShardOf(key);
    std::shared_lock lock(shard.mu);
    const auto it = shard.map.find(key);
    if (it == shard.map.end() || now >= it->second.valid_until) {
      return V();
    }
    return it->second.value;
  }

  // Caches `value` until `valid_until` (nothing if that is not after `now`, or capacity is 0).
  void Insert(const Sha256Digest& key, V value, Clock::TimePoint valid_until,
              Clock::TimePoint now) {
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
    shard.map.insert_or_assign(key, Entry{std::move(value), valid_until});
    const size_t after = shard.map.size();
    if (after >= before) {
      size_.fetch_add(after - before, std::memory_order_relaxed);
    } else {
      size_.fetch_sub(before - after, std::memory_order_relaxed);
    }
  }

  void Clear() {
    for (auto& shard : shards_) {
      std::unique_lock lock(shard->mu);
      size_.fetch_sub(shard->map.size(), std::memory_order_relaxed);
      shard->map.clear();
    }
  }

  size_t size() const { return size_.load(std::memory_order_relaxed); }

 private:
  struct DigestHash {
    size_t operator()(const Sha256Digest& d) const {
      size_t h;  // a SHA-256 is already uniform: its first bytes are the hash
      std::memcpy(&h, d.data(), sizeof h);
      return h;
    }
  };
  struct Entry {
    V value;
    Clock::TimePoint valid_until;
  };
  struct Shard {
    mutable std::shared_mutex mu;
    std::unordered_map<Sha256Digest, Entry, DigestHash> map;
  };
  Shard& ShardOf(const Sha256Digest& key) const { return *shards_[key[31] % shards_.size()]; }

  size_t shard_capacity_ = 0;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<size_t> size_{0};
};

}  // namespace mcpauth::core
