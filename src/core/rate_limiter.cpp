#include "mcpauth/core/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace mcpauth::core {

RateLimiter::RateLimiter(const Clock& clock, RateLimit limit) : clock_(clock), limit_(limit) {}

double RateLimiter::Level(const Bucket& bucket, Clock::TimePoint now) const {
  const double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
  return std::min(limit_.burst, bucket.tokens + std::max(0.0, elapsed) * limit_.per_second);
}

void RateLimiter::EvictLocked(Clock::TimePoint now) {
  // First drop every bucket that has refilled (it is as good as forgotten).
  std::erase_if(buckets_, [&](const auto& kv) { return Level(kv.second, now) >= limit_.burst; });
  if (buckets_.size() < limit_.max_keys) {
    return;
  }
  // Still full: drop the fullest bucket.
  auto fullest = std::max_element(
      buckets_.begin(), buckets_.end(),
      [&](const auto& a, const auto& b) { return Level(a.second, now) < Level(b.second, now); });
  buckets_.erase(fullest);
}

bool RateLimiter::Take(std::string_view key) {
  if (limit_.burst <= 0) {
    return true;
  }
  const auto now = clock_.Now();
  std::lock_guard lock(mu_);
  auto it = buckets_.find(std::string(key));
  if (it == buckets_.end()) {
    if (buckets_.size() >= limit_.max_keys) {
      EvictLocked(now);
    }
    it = buckets_.emplace(std::string(key), Bucket{limit_.burst, now}).first;
  }
  Bucket& bucket = it->second;
  bucket.tokens = Level(bucket, now);
  bucket.updated = now;
  if (bucket.tokens < 1.0) {
    return false;
  }
  bucket.tokens -= 1.0;
  return true;
}

bool RateLimiter::Allowed(std::string_view key) const {
  if (limit_.burst <= 0) {
    return true;
  }
  std::lock_guard lock(mu_);
  auto it = buckets_.find(std::string(key));
  return it == buckets_.end() || Level(it->second, clock_.Now()) >= 1.0;
}

int64_t RateLimiter::RetryAfterSeconds(std::string_view key) const {
  if (limit_.burst <= 0) {
    return 0;
  }
  std::lock_guard lock(mu_);
  auto it = buckets_.find(std::string(key));
  if (it == buckets_.end()) {
    return 0;
  }
  const double missing = 1.0 - Level(it->second, clock_.Now());
  if (missing <= 0 || limit_.per_second <= 0) {
    return missing <= 0 ? 0 : 3600;
  }
  return static_cast<int64_t>(std::ceil(missing / limit_.per_second));
}

void RateLimiter::Reset(std::string_view key) {
  std::lock_guard lock(mu_);
  buckets_.erase(std::string(key));
}

size_t RateLimiter::tracked_keys() const {
  std::lock_guard lock(mu_);
  return buckets_.size();
}

}  // namespace mcpauth::core
