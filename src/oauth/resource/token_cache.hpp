// TokenCache: validated access tokens by the SHA-256 of the token, until a deadline.
//
// A hit costs one SHA-256 (done by the caller), a shard pick and a lookup under a shared lock: no
// allocation, no string copy (the entry is a shared_ptr). The token itself is never stored, only
// its hash (RFC 9700 / MCP "Token Theft": no cleartext tokens at rest, even in memory caches).
// Bounded: past `capacity` entries, an insert first drops the shard's expired entries, then an
// arbitrary eighth of the shard (the map's iteration order, i.e. by hash: effectively random,
// and O(1) amortised, which an LRU list under an exclusive lock on every hit would not be).
// Thread-safety: all methods may be called concurrently. Private to the module.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstring>
#include <memory>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

#include "mcpauth/core/clock.hpp"
#include "mcpauth/core/crypto.hpp"
#include "mcpauth/oauth/resource/token_validator.hpp"

namespace mcpauth::oauth::resource::detail {

class TokenCache {
 public:
  explicit TokenCache(size_t capacity);

  // The token cached under `key` if now < its deadline, else null.
  ValidatedToken Find(const core::Sha256Digest& key, Clock::TimePoint now) const;
  // Caches `token` until `valid_until` (nothing if that is not after `now`, or capacity is 0).
  void Insert(const core::Sha256Digest& key, ValidatedToken token, Clock::TimePoint valid_until,
              Clock::TimePoint now);
  void Clear();
  size_t size() const;

 private:
  struct DigestHash {
    size_t operator()(const core::Sha256Digest& d) const {
      size_t h;  // a SHA-256 is already uniform: its first bytes are the hash
      std::memcpy(&h, d.data(), sizeof h);
      return h;
    }
  };
  struct Entry {
    ValidatedToken token;
    Clock::TimePoint valid_until;
  };
  struct Shard {
    mutable std::shared_mutex mu;
    std::unordered_map<core::Sha256Digest, Entry, DigestHash> map;
  };
  Shard& ShardOf(const core::Sha256Digest& key) const;

  size_t shard_capacity_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<size_t> size_{0};
};

}  // namespace mcpauth::oauth::resource::detail
