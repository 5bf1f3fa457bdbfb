// SequenceRandom: deterministic "random" bytes for tests: 0, 1, 2, ... (mod 256), continuing
// across calls, from a chosen start. Thread-safe.
#pragma once

#include <mutex>

#include "mcpauth/core/random.hpp"

namespace mcpauth::testing {

class SequenceRandom final : public SecureRandom {
 public:
  explicit SequenceRandom(uint8_t start = 0) : next_(start) {}
  void Fill(std::span<uint8_t> out) override {
    std::lock_guard lock(mu_);
    for (auto& b : out) {
      b = next_++;
    }
  }

 private:
  std::mutex mu_;
  uint8_t next_;
};

}  // namespace mcpauth::testing
