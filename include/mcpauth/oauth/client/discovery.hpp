// Discovery: from an MCP server URL (and the challenge of its 401) to the authorization server's
// endpoints — the I/O-free pieces (URL lists, parsers, checks; fuzzable) and Discover(), which
// runs them over an injected HTTP function.
//
// Discover(), in order (SPEC-CHECKLIST CL1-CL6, MCP 2025-11-25 "Authorization Server Discovery"):
//   1. Protected Resource Metadata (RFC 9728): the challenge's resource_metadata URL if any;
//      then {origin}/.well-known/oauth-protected-resource{path}; then the root
//      {origin}/.well-known/oauth-protected-resource. The first 200 JSON document wins; a 3xx
//      (never followed: http::Client does not), 4xx or unparsable answer moves to the next URL;
//      a network error or a 5xx stops discovery (an outage must not turn into a downgrade to
//      the 2025-03-26 rules). The root is only tried when the earlier URLs did not answer, so a
//      server whose header URL works never sees a root probe (conformance metadata-default).
//   2. The PRM `resource` must be this server (RFC 9728 §3.3, §7.3; checked BEFORE any
//      authorization request): equal after RFC 3986 §6.2.2-6.2.3 normalisation (case of scheme
//      and host, default port, empty path = "/"). ResourceMatch::kSameOriginPrefix also accepts
//      a resource that is a path prefix of the server URL at a segment boundary on the same
//      origin (the TypeScript SDK's checkResourceAllowed): off by default — see below.
//      Its `resource` string is then sent verbatim as the RFC 8707 `resource` (CL13).
//   3. The authorization server: each of PRM authorization_servers in order until one has
//      metadata (the SDKs use only the first; trying the others costs nothing when the first
//      works). Metadata URLs for issuer https://as/t1: /.well-known/oauth-authorization-server/t1,
//      /.well-known/openid-configuration/t1, /t1/.well-known/openid-configuration; for an issuer
//      without path: /.well-known/oauth-authorization-server, /.well-known/openid-configuration
//      (never the root for a path issuer: conformance metadata-var2 trap). 4xx -> next URL;
//      network error / 5xx -> stop.
//   4. The metadata `issuer` must equal the issuer exactly (RFC 8414 §3.3, MCP 2026-07-28: a
//      mismatch is refused, not skipped — it is a mix-up attempt or a broken server);
//      code_challenge_methods_supported must list S256, and must be present at all (MCP
//      2025-11-25: "If code_challenge_methods_supported is absent ... MCP clients MUST refuse to
//      proceed"; DiscoveryPolicy::require_pkce_metadata = false relaxes only the presence, for
//      authorization servers that support PKCE without saying so); every endpoint https or
//      loopback http (MCP "Communication Security"; CL23).
//   5. No PRM anywhere -> the 2025-03-26 rules: the authorization base URL is the MCP server's
//      origin; its RFC 8414 metadata (then the OpenID spelling) is read; an `issuer` on the same
//      origin is accepted (2025-03-26 defines the server by origin, and the conformance 0.1.16
//      mock names ".../oauth"); no metadata at all -> the default endpoints {origin}/authorize,
//      /token, /register, with PKCE S256 all the same. No RFC 8707 `resource` is sent then
//      (2025-03-26 predates it; the TypeScript SDK does the same).
// Why exact is the default in step 2: RFC 9728 §3.3 says "identical"; the prefix rule would let
// https://host/ vouch for https://host/other-app/mcp, and a token minted for the prefix reaches
// every path under it. kSameOriginPrefix exists for servers that publish one resource for
// several endpoints, as a documented opt-in.
//
// Thread-safety: pure functions; Discover() is as thread-safe as the HttpSend it is given.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mcpauth/core/result.hpp"
#include "mcpauth/http/client.hpp"
#include "mcpauth/http/message.hpp"

namespace mcpauth::oauth::client {

// The HTTP round trip discovery, registration and the token endpoint use (http::Client::Send in
// production; a scripted fake in unit tests). Redirects are never followed.
using HttpSend = std::function<Result<http::Response>(const http::ClientRequest&)>;
HttpSend HttpSendOf(http::Client& client);

// What a 401/403 WWW-Authenticate says to the client (CL1): the Bearer challenge's parameters.
struct ResourceChallenge {
  bool bearer = false;              // a Bearer challenge was present
  std::string resource_metadata;    // RFC 9728 §5.1
  std::vector<std::string> scopes;  // RFC 6750 §3 `scope`, split
  std::string error;                // "invalid_token", "insufficient_scope", ...
  std::string error_description;
};
// Parses the header value; an unparsable header or one without a Bearer challenge gives an empty
// challenge (bearer = false), never an error: the client then discovers from well-known URLs.
ResourceChallenge ParseResourceChallenge(std::string_view www_authenticate);

// Step 1's URL list for `server_url` (absolute http(s)); empty if server_url is not one.
std::vector<std::string> ProtectedResourceMetadataUrls(std::string_view server_url,
                                                       std::string_view header_url);
// Step 3's URL list for `issuer`; empty if it is not an absolute http(s) URL.
std::vector<std::string> AuthorizationServerMetadataUrls(std::string_view issuer);

struct ProtectedResourceInfo {
  std::string resource;
  std::vector<std::string> authorization_servers;
  std::vector<std::string> scopes_supported;
  std::string resource_name;
};
// RFC 9728 §2: a JSON object with a string `resource` and (MCP) a non-empty array of strings
// `authorization_servers`; other members are optional and ignored when of the wrong type.
Result<ProtectedResourceInfo> ParseProtectedResourceMetadata(std::string_view json);

enum class ResourceMatch { kExact, kSameOriginPrefix };
bool ResourceMatches(std::string_view prm_resource, std::string_view server_url,
                     ResourceMatch mode);

struct AuthorizationServerMetadata {
  std::string issuer;
  std::string authorization_endpoint;
  std::string token_endpoint;
  std::string registration_endpoint;  // empty: no DCR
  std::string revocation_endpoint;    // empty: no RFC 7009
  std::vector<std::string> scopes_supported;
  std::vector<std::string> code_challenge_methods_supported;
  bool code_challenge_methods_present = false;
  std::vector<std::string> token_endpoint_auth_methods_supported;
  bool token_endpoint_auth_methods_present = false;
  bool iss_parameter_supported = false;  // RFC 9207 §3
  bool client_id_metadata_document_supported = false;
  bool from_defaults = false;  // 2025-03-26 default endpoints: no metadata document existed
};
// RFC 8414 §2: `issuer`, `authorization_endpoint`, `token_endpoint` strings are required; arrays
// and booleans of the wrong type are ignored.
Result<AuthorizationServerMetadata> ParseAuthorizationServerMetadata(std::string_view json);

// The 2025-03-26 default endpoints for an MCP server origin ("https://host[:port]").
AuthorizationServerMetadata DefaultEndpoints(std::string_view origin);

struct DiscoveryPolicy {
  ResourceMatch resource_match = ResourceMatch::kExact;
  bool require_pkce_metadata = true;
  bool allow_insecure_http = false;  // http endpoints on non-loopback hosts (development only)
  std::string protocol_version = "2026-07-28";  // MCP-Protocol-Version on metadata requests
  std::chrono::milliseconds timeout{15'000};
};

// Step 4 for metadata fetched for `expected_issuer` (exact match unless `same_origin_issuer`,
// the 2025-03-26 rule). On failure `detail` says why.
Status CheckAuthorizationServerMetadata(const AuthorizationServerMetadata& metadata,
                                        std::string_view expected_issuer, bool same_origin_issuer,
                                        const DiscoveryPolicy& policy, std::string& detail);

struct Discovery {
  std::string server_url;
  bool legacy = false;             // no PRM: the 2025-03-26 rules applied
  ProtectedResourceInfo prm;       // empty when legacy
  std::string resource;            // the RFC 8707 value to send; empty when legacy
  AuthorizationServerMetadata as;  // validated
  std::vector<std::string> trace;  // "GET <url> -> 404", in order, for --verbose and tests
};

Result<Discovery> Discover(const HttpSend& send, std::string_view server_url,
                           const ResourceChallenge& challenge, const DiscoveryPolicy& policy,
                           std::string& detail);

}  // namespace mcpauth::oauth::client
