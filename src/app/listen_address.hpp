// Parses a --listen value "HOST:PORT" ("127.0.0.1:8080", "[::1]:0", "localhost:8080").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mcpauth::app {

struct ListenAddress {
  std::string host;  // an IP literal without brackets, or "localhost"
  uint16_t port = 0;
};

std::optional<ListenAddress> ParseListenAddress(std::string_view text);

}  // namespace mcpauth::app
