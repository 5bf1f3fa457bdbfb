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

namespace mcpauth::app {

// For `--listen HOST:0` when the URLs the server publishes (issuer, resource) must name the port
// before the server starts: asks the OS for a free port on `host` and releases it. Another process
// could take it in between; the server's bind then fails loudly. 0 on failure.
uint16_t PickFreePort(const std::string& host);

}  // namespace mcpauth::app
