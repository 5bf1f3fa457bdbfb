// ResourceServer: the MCP endpoint as an OAuth 2.1 resource server. It is the mcp::Authorizer
// that StreamableHttpTransport calls for every POST, GET and DELETE (after the transport's own
// validation, before dispatch), and it serves the Protected Resource Metadata.
//
// Decision order for one request (the first that applies answers; SPEC-CHECKLIST 2.B, 2.E):
//   1. an `access_token` parameter in the query string -> 400 invalid_request (OAuth 2.1
//      §5.1.1: never in the URI; with a header too it is two credentials, RFC 6750 §2);
//   2. more than one Authorization field, or a malformed Bearer credential
//      (`Bearer a b`, characters outside b64token)                 -> 400 invalid_request (RS7);
//   3. no Bearer credential (no header, "Bearer" with nothing after it, another scheme)
//        -> 401, WWW-Authenticate: Bearer resource_metadata="<PRM URL>", scope="<needed>"
//           with no `error` (OAuth 2.1 §5.3.2, last paragraph; RS4);
//   4. TokenValidator::Validate fails
//        -> 401, Bearer error="invalid_token", error_description="<reason>",
//           resource_metadata="…", scope="<needed>"             (RS4, RS5)
//        or 503 when the token cannot be checked now (keys / introspection unreachable);
//   5. the token lacks a scope the operation needs
//        -> 403, Bearer error="insufficient_scope", scope="<ALL scopes the operation needs>",
//           resource_metadata="…", error_description="…"        (RS6; per-operation scopes,
//           RFC 6750 §3.1: the client accumulates, the server does not echo past grants);
//   6. allowed, with Principal{sub, client_id, scopes}. The transport binds legacy sessions to
//      (subject, client_id) and refuses a session id presented with another principal's token
//      (SPEC T7); a session id is never a credential, the token is checked on every request.
// "Needed" scopes: default_scopes for every request, plus method_scopes[method], plus, for
// tools/call, tool_scopes[tool]. A legacy (2025-03-26) batch is looked into, so that a tools/call
// inside a batch needs its tool's scopes too. A granted scope also grants the scopes that
// scope_implications lists for it, transitively (MCP 2026-07-28: honour scope hierarchies).
//
// Thread-safety: Authorize() may be called from any number of threads (the validator is
// thread-safe; the configuration is immutable). Ownership: shares the validator. The Authorizer
// from MakeAuthorizer() refers to this object, which must outlive the transport using it.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mcpauth/http/message.hpp"
#include "mcpauth/http/router.hpp"
#include "mcpauth/mcp/http_transport.hpp"
#include "mcpauth/oauth/resource/protected_resource_metadata.hpp"
#include "mcpauth/oauth/resource/token_validator.hpp"

namespace mcpauth::oauth::resource {

using ScopeMap = std::map<std::string, std::vector<std::string>, std::less<>>;

struct ResourceServerOptions {
  // The canonical MCP URL, exactly as clients use it ("https://mcp.example.com/mcp"): the PRM's
  // `resource`, and the audience the validator requires.
  std::string resource;
  std::vector<std::string> authorization_servers;  // issuers, for the PRM
  std::vector<std::string> scopes_supported;       // for the PRM (offline_access is dropped)
  std::string resource_name;
  std::chrono::seconds metadata_max_age{3600};

  std::vector<std::string> default_scopes;  // needed by every request
  ScopeMap method_scopes;                   // e.g. {"resources/read", {"mcp:read"}}
  ScopeMap tool_scopes;                     // e.g. {"add", {"mcp:tools"}} for tools/call
  ScopeMap scope_implications;              // e.g. {"mcp:admin", {"mcp:tools", "mcp:read"}}
};

class ResourceServer {
 public:
  // Throws std::invalid_argument for a resource that is not an absolute http(s) URL without a
  // fragment, or a null validator (start-up errors).
  ResourceServer(ResourceServerOptions options, std::shared_ptr<TokenValidator> validator);
  ResourceServer(const ResourceServer&) = delete;
  ResourceServer& operator=(const ResourceServer&) = delete;

  mcp::AuthDecision Authorize(const mcp::AuthQuery& query) const;
  // An Authorizer that calls Authorize() on this object.
  mcp::Authorizer MakeAuthorizer() const;

  // The scopes `method` (and, for tools/call, tool `name`) needs, deduplicated, in the order
  // default, method, tool.
  std::vector<std::string> RequiredScopes(std::string_view method, std::string_view name) const;

  // The Protected Resource Metadata: document, URL (for resource_metadata=), routes.
  const ProtectedResourceMetadata& metadata() const { return metadata_; }
  const std::string& metadata_url() const { return metadata_url_; }
  void RegisterMetadata(http::Router& router) const;

 private:
  enum class Denial { kInvalidRequest, kNoToken, kInvalidToken, kUnavailable, kInsufficientScope };
  mcp::AuthDecision Deny(Denial kind, std::string_view description,
                         const std::vector<std::string>& needed) const;
  bool Grants(const std::vector<std::string>& granted, std::string_view scope) const;
  std::vector<std::string> NeededFor(const mcp::AuthQuery& query) const;

  ResourceServerOptions options_;
  std::shared_ptr<TokenValidator> validator_;
  ProtectedResourceMetadata metadata_;
  std::string metadata_url_;
  ScopeMap implied_;  // scope_implications, closed transitively
};

}  // namespace mcpauth::oauth::resource
