// The authorization server's configuration: who it is, what it protects, how long things live.
//
// One value shared (const) by the endpoint handlers, the token service and the pages. Built by
// `app` from flags / the config file; tests build it directly. Thread-safety: a plain value type,
// read-only once the server starts.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "mcpauth/store/types.hpp"

namespace mcpauth::oauth {

// A protected resource (an MCP server) this authorization server issues tokens for. Its `uri` is
// the RFC 8707 resource indicator and the `aud` of the access tokens (the canonical MCP URL, e.g.
// "https://mcp.example.com/mcp": no fragment, no trailing slash).
struct ProtectedResource {
  std::string uri;
  std::string name;                 // shown on the consent page ("mcpauth tools")
  std::vector<std::string> scopes;  // scopes a token for this resource may carry
};

struct AuthorizationServerConfig {
  // RFC 8414 §2: https (http only for loopback development), no query, no fragment. Compared
  // exactly; the metadata's `issuer` is this string, byte for byte.
  std::string issuer;
  // What tokens may be issued for. A request without `resource` gets the first one (older
  // clients and SDKs that skip Protected Resource Metadata). Must not be empty.
  std::vector<ProtectedResource> resources;
  // Shown in page titles and headings.
  std::string server_name = "mcpauth";

  std::chrono::seconds access_token_lifetime{3600};
  std::chrono::seconds refresh_token_lifetime{std::chrono::hours(24 * 30)};
  std::chrono::seconds code_lifetime{60};
  // docs/store.md: how long the predecessor of the live refresh token stays usable.
  std::chrono::seconds refresh_grace = store::kDefaultRefreshGrace;
  // Confidential DCR clients: secret lifetime (0 = never expires: client_secret_expires_at 0).
  std::chrono::seconds client_secret_lifetime{0};
  // DCR/CIMD clients that never obtained a grant are deleted after this long.
  std::chrono::seconds unused_client_lifetime{std::chrono::hours(24)};
  // Browser login sessions (the cookie of the login, consent and Connected apps pages).
  std::chrono::seconds login_session_lifetime{std::chrono::hours(12)};

  store::LockoutPolicy lockout;

  // Client ID Metadata Documents.
  bool cimd_enabled = true;
  // Development only: allow metadata documents on loopback/private addresses (SSRF guard off).
  bool cimd_allow_private_addresses = false;
};

// Every scope that any resource supports, in first-seen order, plus "offline_access".
std::vector<std::string> AllScopes(const AuthorizationServerConfig& config);

}  // namespace mcpauth::oauth

namespace mcpauth::oauth {

// The configured resource that an RFC 8707 `resource` value names, or nullptr. Exact match first;
// then, per the MCP canonical-URI note, a case-insensitive scheme and host, an explicit default
// port and a trailing slash are tolerated ("HTTPS://Mcp.Example.com:443/mcp/" names
// "https://mcp.example.com/mcp"). A value with a fragment, or that is not an absolute http(s)
// URI, names nothing.
const ProtectedResource* FindResource(const AuthorizationServerConfig& config,
                                      std::string_view resource);

}  // namespace mcpauth::oauth
