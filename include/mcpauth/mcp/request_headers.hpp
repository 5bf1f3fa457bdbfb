// The 2026-07-28 standard request headers a client derives from a JSON-RPC request (transports,
// streamable HTTP "Request Metadata"): Mcp-Method always; Mcp-Name mirroring params.name
// (tools/call, prompts/get) or params.uri (resources/read); Mcp-Param-{Name} for tool arguments
// annotated `x-mcp-header` in the tool's inputSchema. Shared by McpClient and the stdio bridge.
// I/O-free and pure.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mcpauth/http/message.hpp"
#include "mcpauth/mcp/header_values.hpp"

namespace mcpauth::mcp {

// A tool's mirrored arguments (Mcp-Param-{Name}).
using HeaderParams = std::vector<HeaderParam>;

// The x-mcp-header annotations of a Tool object (as tools/list lists it), checked by
// CollectHeaderParams(); empty if none, or if the tool's annotations are invalid (such a tool gets
// no mirrored headers).
HeaderParams ToolHeaderParams(const boost::json::object& tool);

// Sets Mcp-Method, Mcp-Name and (for tools/call, given the tool's `header_params`, may be null)
// Mcp-Param-* on `headers`. Values are encoded with EncodeHeaderValue(); an argument that is
// absent, null, fractional or structured gets no header.
void SetStandardHeaders(http::Headers& headers, std::string_view method,
                        const boost::json::object& params, const HeaderParams* header_params);

}  // namespace mcpauth::mcp
