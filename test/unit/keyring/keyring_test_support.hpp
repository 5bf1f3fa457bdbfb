// Helpers for the keyring tests: a temporary directory, an environment variable set for one
// scope, and reading a whole file.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>
#include "fakes/temp_dir.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>

namespace mcpauth::keyring::testing {

// A fresh directory, removed at the end of the test.
class TempDir : public mcpauth::testing::TempDir {
 public:
  TempDir() : mcpauth::testing::TempDir("mcpauth-keyring") {}
};

// Sets (or, with nullopt, unsets) an environment variable until the end of the scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) {
      old_ = old;
    }
    Apply(value);
  }
  ~ScopedEnv() { Apply(old_); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  void Apply(const std::optional<std::string>& value) {
    if (value) {
      ::setenv(name_, value->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  const char* name_;
  std::optional<std::string> old_;
};

inline std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline void WriteFile(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

// A fixed 256-bit key in the 64-hex-digit form of MCPAUTH_STORE_KEY.
inline constexpr char kHexKey[] =
    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
inline constexpr char kOtherHexKey[] =
    "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";

}  // namespace mcpauth::keyring::testing
