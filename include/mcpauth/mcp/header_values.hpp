// The values of MCP's standard and mirrored request headers (2026-07-28 transports: Mcp-Name,
// Mcp-Param-{Name}): how a value is encoded, decoded and derived from a tool argument. Used by
// the client (to send) and the server transport (to check against the body). I/O-free and pure.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

// One argument a tool mirrors into a header: the chain of `properties` keys leading to it in the
// tool's inputSchema, and the {Name} of Mcp-Param-{Name}.
struct HeaderParam {
  std::vector<std::string> path;
  std::string name;
};

// The x-mcp-header annotations of a tool's inputSchema, checked against the constraints of MCP
// 2026-07-28 (basic/transports/streamable-http "Custom Headers from Tool Parameters", server/tools
// "x-mcp-header"): a non-empty RFC 9110 token (so no spaces, colons, controls or non-ASCII),
// case-insensitively unique, on a property of type string, integer or boolean, reachable from the
// root through `properties` keys only (never under items, oneOf/anyOf/allOf/not, if/then/else,
// $ref...). A violation makes the whole tool definition invalid: the answer is then the reason,
// and a Streamable HTTP client MUST leave the tool out of its tools/list result. Otherwise the
// annotations found (possibly none) are appended to `out` and nullopt is returned.
std::optional<std::string> CollectHeaderParams(const boost::json::object& input_schema,
                                               std::vector<HeaderParam>& out);

}  // namespace mcpauth::mcp
