// Logging over spdlog: human-readable or one JSON object per line.
//
// Secrets cannot be logged: mcpauth::Secret has no formatter (see secret.hpp), so passing one is
// a compile error. Log ids and fingerprints instead. Thread-safety: all functions are safe from
// any thread after Init(); before Init() they log human-readable text to stderr.
#pragma once

#include <spdlog/spdlog.h>

#include <string_view>

namespace mcpauth::log {

enum class Format { kHuman, kJson };

// Configures the process-wide logger: output to stderr, the format and the minimum level
// ("trace", "debug", "info", "warn", "error", "off"). Returns false for an unknown level.
bool Init(Format format, std::string_view level = "info");

// Parses "human" | "json".
bool ParseFormat(std::string_view text, Format& out);

template <class... Args>
void Debug(spdlog::format_string_t<Args...> fmt, Args&&... args) {
  spdlog::debug(fmt, std::forward<Args>(args)...);
}
template <class... Args>
void Info(spdlog::format_string_t<Args...> fmt, Args&&... args) {
  spdlog::info(fmt, std::forward<Args>(args)...);
}
template <class... Args>
void Warn(spdlog::format_string_t<Args...> fmt, Args&&... args) {
  spdlog::warn(fmt, std::forward<Args>(args)...);
}
template <class... Args>
void Error(spdlog::format_string_t<Args...> fmt, Args&&... args) {
  spdlog::error(fmt, std::forward<Args>(args)...);
}

}  // namespace mcpauth::log
