// Discovery of an external authorization server for `mcpauth-server --authorization-server URL`
// (the MCP server as a resource server for someone else's OAuth server).
//
// RFC 8414 §3: GET {origin}/.well-known/oauth-authorization-server{path}, then the OpenID
// Connect Discovery spellings ({origin}/.well-known/openid-configuration{path} and
// {issuer}/.well-known/openid-configuration); the first 200 JSON object whose `issuer` is exactly
// the given URL (§3.3: anything else is refused) wins.
#pragma once

#include <string>

#include "mcpauth/core/result.hpp"
#include "mcpauth/http/client.hpp"

namespace mcpauth::app {

struct ExternalAuthorizationServer {
  std::string issuer;
  std::string jwks_uri;                // empty if not published
  std::string introspection_endpoint;  // empty if not published
};

// On failure, `error` says what went wrong in a sentence for the log.
Result<ExternalAuthorizationServer> DiscoverAuthorizationServer(http::Client& client,
                                                                const std::string& issuer,
                                                                std::string& error);

}  // namespace mcpauth::app
