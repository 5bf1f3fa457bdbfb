#include "mcpauth/core/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <string>

#include "fakes/fake_clock.hpp"

namespace mcpauth::core {
namespace {

using testing::FakeClock;

TEST(RateLimiterTest, BurstThenRefill) {
  FakeClock clock;
  RateLimiter limiter(clock, {.burst = 3, .per_second = 0.5, .max_keys = 10});
  EXPECT_TRUE(limiter.Take("a"));
  EXPECT_TRUE(limiter.Take("a"));
  EXPECT_TRUE(limiter.Take("a"));
  EXPECT_FALSE(limiter.Take("a"));
  EXPECT_FALSE(limiter.Allowed("a"));
  EXPECT_EQ(limiter.RetryAfterSeconds("a"), 2);
  // Other keys are independent.
  EXPECT_TRUE(limiter.Take("b"));
  clock.Advance(std::chrono::seconds(2));
  EXPECT_TRUE(limiter.Allowed("a"));
  EXPECT_EQ(limiter.RetryAfterSeconds("a"), 0);
  EXPECT_TRUE(limiter.Take("a"));
  EXPECT_FALSE(limiter.Take("a"));
}

TEST(RateLimiterTest, RefillNeverExceedsBurst) {
  FakeClock clock;
  RateLimiter limiter(clock, {.burst = 2, .per_second = 100, .max_keys = 10});
  clock.Advance(std::chrono::hours(1));
  EXPECT_TRUE(limiter.Take("a"));
  EXPECT_TRUE(limiter.Take("a"));
  EXPECT_FALSE(limiter.Take("a"));
}

TEST(RateLimiterTest, ResetForgetsAKey) {
  FakeClock clock;
  RateLimiter limiter(clock, {.burst = 1, .per_second = 0.001, .max_keys = 10});
  EXPECT_TRUE(limiter.Take("a"));
  EXPECT_FALSE(limiter.Take("a"));
  limiter.Reset("a");
  EXPECT_TRUE(limiter.Take("a"));
}

TEST(RateLimiterTest, ZeroBurstDisablesTheLimit) {
  FakeClock clock;
  RateLimiter limiter(clock, {.burst = 0, .per_second = 0, .max_keys = 1});
  for (int i = 0; i < 100; ++i) {
    EXPECT_TRUE(limiter.Take("a"));
  }
  EXPECT_EQ(limiter.tracked_keys(), 0u);
}

TEST(RateLimiterTest, KeySprayCannotUnlockAnExhaustedKeyButTableStaysBounded) {
  FakeClock clock;
  RateLimiter limiter(clock, {.burst = 1, .per_second = 0.0001, .max_keys = 4});
  EXPECT_TRUE(limiter.Take("victim-of-limit"));
  EXPECT_FALSE(limiter.Take("victim-of-limit"));
  for (int i = 0; i < 100; ++i) {
    limiter.Take("spray-" + std::to_string(i));
    EXPECT_LE(limiter.tracked_keys(), 4u);
  }
  // The sprayed keys are all as empty as the exhausted one; whichever is evicted, the table is
  // bounded. An exhausted key that was evicted starts again with one token only, never more.
  int granted = 0;
  for (int i = 0; i < 5; ++i) {
    granted += limiter.Take("victim-of-limit") ? 1 : 0;
  }
  EXPECT_LE(granted, 1);
}

}  // namespace
}  // namespace mcpauth::core
