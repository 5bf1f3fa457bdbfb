// Invariant checks for the fuzz targets: FUZZ_CHECK(cond) prints the failed condition and aborts,
// which libFuzzer reports as a crash (and saves the input) and the corpus replayer as a failed
// test. Unlike assert() it is never compiled out.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace mcpauth::fuzz {

[[noreturn]] inline void CheckFailed(const char* cond, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: invariant violated: %s\n", file, line, cond);
  std::abort();
}

// True if `s` holds a C0 control character or DEL.
inline bool HasControl(std::string_view s) {
  for (char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b == 0x7F) {
      return true;
    }
  }
  return false;
}

// `s` with ASCII letters lower-cased.
inline std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

// A byte reader over the fuzzer's input, for targets that need several values from one input.
class Input {
 public:
  Input(const uint8_t* data, size_t size) : s_(reinterpret_cast<const char*>(data), size) {}

  bool empty() const { return s_.empty(); }
  std::string_view rest() const { return s_; }

  // One byte (0 once the input is used up).
  uint8_t Byte() {
    if (s_.empty()) {
      return 0;
    }
    const auto b = static_cast<uint8_t>(s_.front());
    s_.remove_prefix(1);
    return b;
  }

  // The bytes up to the next `separator` (which is consumed), or everything left.
  std::string_view Until(char separator) {
    const size_t at = s_.find(separator);
    const std::string_view out = s_.substr(0, at);
    s_ = at == std::string_view::npos ? std::string_view() : s_.substr(at + 1);
    return out;
  }

 private:
  std::string_view s_;
};

}  // namespace mcpauth::fuzz

#define FUZZ_CHECK(cond)                                       \
  do {                                                         \
    if (!(cond)) {                                             \
      ::mcpauth::fuzz::CheckFailed(#cond, __FILE__, __LINE__); \
    }                                                          \
  } while (false)
