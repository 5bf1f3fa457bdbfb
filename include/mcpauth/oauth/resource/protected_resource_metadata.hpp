// OAuth 2.0 Protected Resource Metadata (RFC 9728) for the MCP endpoint.
//
// The document a client reads to learn which authorization server protects this MCP server
// (MCP authorization, "Authorization Server Location"; SPEC-CHECKLIST RS1-RS3):
//   {"resource": "<canonical MCP URL, exactly>",
//    "authorization_servers": ["<issuer>", ...],
//    "scopes_supported": [...],            // never offline_access (MCP 2026-07-28)
//    "bearer_methods_supported": ["header"],
//    "resource_name": "..."}               // omitted when empty
// served at the RFC 9728 §3.1 path-inserted URL (https://host/.well-known/oauth-protected-resource
// + the resource's path, e.g. .../oauth-protected-resource/mcp) and, as a fallback for clients
// that only try the root, at https://host/.well-known/oauth-protected-resource. Both answers carry
// `Access-Control-Allow-Origin: *` (browser-based clients, RS2) and a Cache-Control max-age;
// OPTIONS answers a CORS preflight (browsers send one: MCP clients add MCP-Protocol-Version).
//
// Thread-safety: pure functions; the registered handlers share an immutable document and may run
// on any thread. Ownership: the router's handlers own copies of what they serve.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "mcpauth/core/result.hpp"
#include "mcpauth/http/message.hpp"
#include "mcpauth/http/router.hpp"

namespace mcpauth::oauth::resource {

inline constexpr std::string_view kProtectedResourceWellKnown =
    "/.well-known/oauth-protected-resource";

struct ProtectedResourceMetadata {
  std::string resource;  // RFC 9728 §2 REQUIRED; RFC 9728 §3.3: exactly the URL clients use
  std::vector<std::string> authorization_servers;  // issuer identifiers (MCP: at least one)
  std::vector<std::string> scopes_supported;
  std::string resource_name;
  std::chrono::seconds max_age{3600};  // Cache-Control of the answers
};

// The JSON document, members in the order above. `offline_access` is dropped from
// scopes_supported: refresh is the authorization server's business, and MCP 2026-07-28 says
// resource servers SHOULD NOT list it.
std::string ProtectedResourceMetadataJson(const ProtectedResourceMetadata& metadata);

// The RFC 9728 §3.1 metadata URL of `resource`: the well-known segment inserted between the
// authority and the path ("http://127.0.0.1:8080/mcp" ->
// "http://127.0.0.1:8080/.well-known/oauth-protected-resource/mcp"); a query is kept at the end.
// Fails for anything but an absolute http(s) URL without a fragment (RFC 9728 §1.2).
Result<std::string> ProtectedResourceMetadataUrl(std::string_view resource);

// The path part of that URL: where to route it on this server.
Result<std::string> ProtectedResourceMetadataPath(std::string_view resource);

// The 200 answer: JSON, CORS open, cacheable.
http::Response ProtectedResourceMetadataResponse(const ProtectedResourceMetadata& metadata);

// Adds GET (and OPTIONS) routes for the path-inserted metadata path and for the root one.
// Throws std::invalid_argument for a resource that is not a valid URL (a start-up error).
void RegisterProtectedResourceMetadata(http::Router& router,
                                       const ProtectedResourceMetadata& metadata);

}  // namespace mcpauth::oauth::resource
