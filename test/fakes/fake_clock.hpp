// FakeClock: a Clock that moves only when the test says so. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>

#include "mcpauth/core/clock.hpp"

namespace mcpauth::testing {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t unix_seconds = 1'700'000'000) { SetSeconds(unix_seconds); }
  TimePoint Now() const override { return TimePoint(std::chrono::microseconds(micros_.load())); }
  void SetSeconds(int64_t unix_seconds) { micros_ = unix_seconds * 1'000'000; }
  void Advance(std::chrono::microseconds d) { micros_ += d.count(); }

 private:
  std::atomic<int64_t> micros_{0};
};

}  // namespace mcpauth::testing
