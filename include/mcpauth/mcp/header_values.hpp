// The values of MCP's standard and mirrored request headers (2026-07-28 transports: Mcp-Name,
// Mcp-Param-{Name}): how a value is encoded, decoded and derived from a tool argument. Used by
// the client (to send) and the server transport (to check against the body). I/O-free and pure.
#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace mcpauth::mcp {

// As-is when it is visible ASCII (spaces and tabs allowed inside), else — leading or trailing
// whitespace, control characters, non-ASCII, or a value that itself looks like the sentinel —
// "=?base64?{Base64(UTF-8)}?=".
std::string EncodeHeaderValue(std::string_view value);

// The inverse: a value is a sentinel only with both "=?base64?" and "?="; its payload must be
// canonical padded Base64 of valid UTF-8. Returns nullopt for a malformed sentinel.
std::optional<std::string> DecodeHeaderValue(std::string_view value);

// A tool argument as its Mcp-Param-{Name} value: strings as-is, integers (and whole numbers) in
// decimal, booleans as true/false. Null, absent, fractional and structured values: nullopt.
std::optional<std::string> HeaderParamValue(const boost::json::value& v);

}  // namespace mcpauth::mcp
