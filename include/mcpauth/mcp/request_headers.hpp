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

namespace mcpauth::mcp {

// A tool's mirrored arguments: the path of property names to the argument, and the header's
// {Name} (Mcp-Param-{Name}).
using HeaderParams = std::vector<std::pair<std::vector<std::string>, std::string>>;

// The x-mcp-header annotations of a Tool object (as tools/list lists it), reachable through
// `properties` keys of its inputSchema only (x-mcp-header rules); empty if none.
HeaderParams ToolHeaderParams(const boost::json::object& tool);

// Sets Mcp-Method, Mcp-Name and (for tools/call, given the tool's `header_params`, may be null)
// Mcp-Param-* on `headers`. Values are encoded with EncodeHeaderValue(); an argument that is
// absent, null, fractional or structured gets no header.
void SetStandardHeaders(http::Headers& headers, std::string_view method,
                        const boost::json::object& params, const HeaderParams* header_params);

}  // namespace mcpauth::mcp
