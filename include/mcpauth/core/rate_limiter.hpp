// RateLimiter: token buckets keyed by a string (an IP address, a user name, a client id).
//
// Each key has a bucket of `burst` tokens that refills at `per_second` tokens per second. Take()
// spends one token if there is one. Idle keys are forgotten once their bucket would be full again,
// and at most `max_keys` keys are tracked: when the table is full, the key closest to full is
// evicted first (an attacker spraying keys can only make the limiter forget well-behaved keys,
// never grant more than `burst` at once to one key). Time comes from an injected Clock.
//
// Thread-safety: every method may be called concurrently (one mutex). Ownership: keeps a reference
// to the clock, which must outlive it.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "mcpauth/core/clock.hpp"

namespace mcpauth::core {

struct RateLimit {
  double burst = 10;        // bucket size; 0 disables the limit (Take() always succeeds)
  double per_second = 1.0;  // refill rate
  size_t max_keys = 100'000;
};

class RateLimiter {
 public:
  RateLimiter(const Clock& clock, RateLimit limit);

  // Spends one token of `key`'s bucket; false if it is empty (the caller answers 429).
  bool Take(std::string_view key);
  // True if `key` has at least one token, without spending it.
  bool Allowed(std::string_view key) const;
  // Seconds until `key` has a token again (0 if it has one now): for Retry-After.
  int64_t RetryAfterSeconds(std::string_view key) const;
  // Forgets `key` (e.g. after a successful login).
  void Reset(std::string_view key);
  size_t tracked_keys() const;

 private:
  struct Bucket {
    double tokens = 0;
    Clock::TimePoint updated;
  };
  double Level(const Bucket& bucket, Clock::TimePoint now) const;
  void EvictLocked(Clock::TimePoint now);

  const Clock& clock_;
  const RateLimit limit_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace mcpauth::core
