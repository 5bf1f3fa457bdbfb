// Clock: the only way mcpauth code reads the time.
//
// Injected into every constructor that needs time so that tests control it (test/fakes has a
// FakeClock). Pure checks take `now` as a parameter instead. Thread-safety: implementations must
// be safe to call from any thread.
#pragma once

#include <chrono>
#include <cstdint>

namespace mcpauth {

class Clock {
 public:
  using TimePoint = std::chrono::system_clock::time_point;
  virtual ~Clock() = default;
  // Wall-clock time (used for token `iat`/`exp`, so it is system_clock, not steady_clock).
  virtual TimePoint Now() const = 0;
  // Seconds since the Unix epoch, the unit of JWT NumericDate (RFC 7519 §2).
  int64_t NowSeconds() const {
    return std::chrono::duration_cast<std::chrono::seconds>(Now().time_since_epoch()).count();
  }
};

// The real clock.
class SystemClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::system_clock::now(); }
  // A process-wide instance, for wiring in main().
  static const SystemClock& Instance();
};

}  // namespace mcpauth
