#include "mcpauth/oauth/client/discovery.hpp"

#include <algorithm>

#include "mcpauth/http/www_authenticate.hpp"
#include "mcpauth/oauth/client/errc.hpp"
#include "mcpauth/oauth/client/policy.hpp"
#include "oauth/client/json_util.hpp"
#include "oauth/client/url_util.hpp"

namespace mcpauth::oauth::client {

namespace {

using detail::ParseHttpUrl;

constexpr std::string_view kPrmWellKnown = "/.well-known/oauth-protected-resource";
constexpr std::string_view kAsWellKnown = "/.well-known/oauth-authorization-server";
constexpr std::string_view kOidcWellKnown = "/.well-known/openid-configuration";

// The path of `parts` without its trailing slash ("/" and "" become "").
std::string PathSuffix(const detail::UrlParts& parts) {
  std::string path = parts.path;
  while (!path.empty() && path.back() == '/') {
    path.pop_back();
  }
  return path;
}

enum class Fetched { kOk, kSkip, kStop };

struct Fetcher {
  const HttpSend& send;
  const DiscoveryPolicy& policy;
  Discovery& discovery;
  std::string& detail;

  Fetched Get(const std::string& url, std::string& body) {
    http::ClientRequest request{.method = "GET", .url = url};
    request.headers.Set("Accept", "application/json");
    // MCP 2025-03-26 "Server Metadata Discovery": SHOULD send MCP-Protocol-Version.
    request.headers.Set("MCP-Protocol-Version", policy.protocol_version);
    request.timeout = policy.timeout;
    auto response = send(request);
    if (!response) {
      discovery.trace.push_back("GET " + url + " -> " + response.error().message());
      detail = "cannot read " + url + ": " + response.error().message();
      return Fetched::kStop;
    }
    discovery.trace.push_back("GET " + url + " -> " + std::to_string(response->status));
    if (response->status >= 500) {
      detail = url + " answered HTTP " + std::to_string(response->status);
      return Fetched::kStop;
    }
    if (response->status != 200) {
      return Fetched::kSkip;  // 404 and friends; a 3xx is not followed (never silently)
    }
    body = std::move(response->body);
    return Fetched::kOk;
  }
};

}  // namespace

HttpSend HttpSendOf(http::Client& client) {
  return [&client](const http::ClientRequest& request) { return client.Send(request); };
}

ResourceChallenge ParseResourceChallenge(std::string_view www_authenticate) {
  ResourceChallenge out;
  auto challenges = http::ParseWwwAuthenticate(www_authenticate);
  if (!challenges) {
    return out;
  }
  const http::Challenge* bearer = http::FindChallenge(*challenges, "Bearer");
  if (bearer == nullptr) {
    return out;
  }
  out.bearer = true;
  auto get = [&](std::string_view name) { return std::string(bearer->Param(name).value_or("")); };
  out.resource_metadata = get("resource_metadata");
  out.scopes = SplitScopes(get("scope"));
  out.error = get("error");
  out.error_description = get("error_description");
  return out;
}

std::vector<std::string> ProtectedResourceMetadataUrls(std::string_view server_url,
                                                       std::string_view header_url) {
  std::vector<std::string> urls;
  auto server = ParseHttpUrl(server_url);
  if (!server) {
    return urls;
  }
  if (!header_url.empty() && ParseHttpUrl(header_url)) {
    urls.emplace_back(header_url);
  }
  // RFC 9728 §3.1: the well-known segment goes between the host and the path; a query stays.
  const std::string origin = detail::OriginOf(*server);
  const std::string path = PathSuffix(*server);
  if (!path.empty()) {
    urls.push_back(origin + std::string(kPrmWellKnown) + path +
                   (server->query ? "?" + *server->query : ""));
  }
  urls.push_back(origin + std::string(kPrmWellKnown));
  std::vector<std::string> unique;
  for (auto& url : urls) {
    if (std::find(unique.begin(), unique.end(), url) == unique.end()) {
      unique.push_back(std::move(url));
    }
  }
  return unique;
}

std::vector<std::string> AuthorizationServerMetadataUrls(std::string_view issuer) {
  std::vector<std::string> urls;
  auto parts = ParseHttpUrl(issuer);
  if (!parts) {
    return urls;
  }
  const std::string origin = detail::OriginOf(*parts);
  const std::string path = PathSuffix(*parts);
  // RFC 8414 §3.1 path insertion, then OpenID Connect Discovery 1.0 §4 in both spellings
  // (MCP 2025-11-25 "Authorization Server Metadata Discovery"). A path issuer never probes the
  // root documents: they describe another issuer.
  urls.push_back(origin + std::string(kAsWellKnown) + path);
  urls.push_back(origin + std::string(kOidcWellKnown) + path);
  if (!path.empty()) {
    urls.push_back(origin + path + std::string(kOidcWellKnown));
  }
  return urls;
}

Result<ProtectedResourceInfo> ParseProtectedResourceMetadata(std::string_view json) {
  auto doc = detail::ParseObject(json);
  if (!doc) {
    return Errc::kDiscoveryFailed;
  }
  ProtectedResourceInfo info;
  auto resource = detail::StringMember(*doc, "resource");
  if (!resource || resource->empty()) {
    return Errc::kDiscoveryFailed;
  }
  info.resource = std::move(*resource);
  info.authorization_servers = detail::StringArrayMember(*doc, "authorization_servers");
  if (info.authorization_servers.empty()) {
    return Errc::kDiscoveryFailed;  // MCP: the PRM MUST list at least one
  }
  info.scopes_supported = detail::StringArrayMember(*doc, "scopes_supported");
  info.resource_name = detail::StringMember(*doc, "resource_name").value_or("");
  return info;
}

bool ResourceMatches(std::string_view prm_resource, std::string_view server_url,
                     ResourceMatch mode) {
  auto resource = ParseHttpUrl(prm_resource);
  auto server = ParseHttpUrl(server_url);
  // RFC 8707 §2 / RFC 9728 §1.2: a resource identifier has no fragment.
  if (!resource || !server || resource->has_fragment) {
    return false;
  }
  if (detail::OriginOf(*resource) != detail::OriginOf(*server)) {
    return false;
  }
  if (resource->path == server->path && resource->query == server->query) {
    return true;
  }
  if (mode != ResourceMatch::kSameOriginPrefix || resource->query) {
    return false;
  }
  // The TypeScript SDK's rule: the resource's path is a prefix of the server's, at a '/'.
  const std::string& p = resource->path;
  const std::string& s = server->path;
  return s.starts_with(p) && (p.back() == '/' || s.size() == p.size() || s[p.size()] == '/');
}

Result<AuthorizationServerMetadata> ParseAuthorizationServerMetadata(std::string_view json) {
  auto doc = detail::ParseObject(json);
  if (!doc) {
    return Errc::kDiscoveryFailed;
  }
  AuthorizationServerMetadata m;
  auto issuer = detail::StringMember(*doc, "issuer");
  auto authorization = detail::StringMember(*doc, "authorization_endpoint");
  auto token = detail::StringMember(*doc, "token_endpoint");
  if (!issuer || issuer->empty() || !authorization || authorization->empty() || !token ||
      token->empty()) {
    return Errc::kDiscoveryFailed;
  }
  m.issuer = std::move(*issuer);
  m.authorization_endpoint = std::move(*authorization);
  m.token_endpoint = std::move(*token);
  m.registration_endpoint = detail::StringMember(*doc, "registration_endpoint").value_or("");
  m.revocation_endpoint = detail::StringMember(*doc, "revocation_endpoint").value_or("");
  m.scopes_supported = detail::StringArrayMember(*doc, "scopes_supported");
  m.code_challenge_methods_supported = detail::StringArrayMember(
      *doc, "code_challenge_methods_supported", &m.code_challenge_methods_present);
  m.token_endpoint_auth_methods_supported = detail::StringArrayMember(
      *doc, "token_endpoint_auth_methods_supported", &m.token_endpoint_auth_methods_present);
  m.iss_parameter_supported =
      detail::BoolMember(*doc, "authorization_response_iss_parameter_supported");
  m.client_id_metadata_document_supported =
      detail::BoolMember(*doc, "client_id_metadata_document_supported");
  return m;
}

AuthorizationServerMetadata DefaultEndpoints(std::string_view origin) {
  std::string base(origin);
  while (!base.empty() && base.back() == '/') {
    base.pop_back();
  }
  AuthorizationServerMetadata m;
  m.issuer = base;
  m.authorization_endpoint = base + "/authorize";
  m.token_endpoint = base + "/token";
  m.registration_endpoint = base + "/register";
  m.code_challenge_methods_supported = {"S256"};  // we use S256 whatever happens
  m.from_defaults = true;
  return m;
}

Status CheckAuthorizationServerMetadata(const AuthorizationServerMetadata& m,
                                        std::string_view expected_issuer, bool same_origin_issuer,
                                        const DiscoveryPolicy& policy, std::string& detail) {
  if (same_origin_issuer) {
    auto got = ParseHttpUrl(m.issuer);
    auto want = ParseHttpUrl(expected_issuer);
    if (!got || !want || detail::OriginOf(*got) != detail::OriginOf(*want)) {
      detail = "the authorization server metadata names issuer '" + detail::Printable(m.issuer) +
               "', not on " + std::string(expected_issuer);
      return Errc::kIssuerMismatch;
    }
  } else if (m.issuer != expected_issuer) {
    // RFC 8414 §3.3: "If these values are not identical, the data contained in the response
    // MUST NOT be used." (MCP 2026-07-28: clients MUST validate it.)
    detail = "the authorization server metadata names issuer '" + detail::Printable(m.issuer) +
             "', not '" + std::string(expected_issuer) + "' (RFC 8414 §3.3)";
    return Errc::kIssuerMismatch;
  }
  if (!m.from_defaults) {
    const auto& methods = m.code_challenge_methods_supported;
    const bool s256 = std::find(methods.begin(), methods.end(), "S256") != methods.end();
    // MCP 2025-11-25 "Authorization Code Protection": refuse an AS that does not advertise S256.
    if ((m.code_challenge_methods_present && !s256) ||
        (!m.code_challenge_methods_present && policy.require_pkce_metadata)) {
      detail = m.issuer + " does not advertise PKCE S256 (code_challenge_methods_supported)";
      return Errc::kPkceNotSupported;
    }
  }
  for (const std::string* endpoint : {&m.authorization_endpoint, &m.token_endpoint,
                                      &m.registration_endpoint, &m.revocation_endpoint}) {
    if (!endpoint->empty() && !detail::EndpointAllowed(*endpoint, policy.allow_insecure_http)) {
      detail = "refusing the endpoint " + detail::Printable(*endpoint) +
               ": OAuth endpoints must be https (http only on loopback)";
      return Errc::kInsecureEndpoint;
    }
  }
  return {};
}

namespace {

// Steps 3-4 for one issuer: its metadata URLs in order, the first 200 that parses, checked. An
// empty optional when no URL had metadata; an error when discovery must stop (network error,
// 5xx, a document that fails the checks).
Result<std::optional<AuthorizationServerMetadata>> FetchMetadata(Fetcher& fetcher,
                                                                 const std::string& issuer,
                                                                 bool same_origin_issuer) {
  std::string body;
  for (const auto& url : AuthorizationServerMetadataUrls(issuer)) {
    const Fetched f = fetcher.Get(url, body);
    if (f == Fetched::kStop) {
      return Errc::kDiscoveryFailed;
    }
    if (f == Fetched::kSkip) {
      continue;
    }
    auto metadata = ParseAuthorizationServerMetadata(body);
    if (!metadata) {
      fetcher.discovery.trace.push_back("  not authorization server metadata");
      continue;
    }
    if (auto ok = CheckAuthorizationServerMetadata(*metadata, issuer, same_origin_issuer,
                                                   fetcher.policy, fetcher.detail);
        !ok) {
      return ok.error();
    }
    return std::optional<AuthorizationServerMetadata>(std::move(*metadata));
  }
  return std::optional<AuthorizationServerMetadata>();
}

}  // namespace

Result<Discovery> Discover(const HttpSend& send, std::string_view server_url,
                           const ResourceChallenge& challenge, const DiscoveryPolicy& policy,
                           std::string& detail) {
  auto server = ParseHttpUrl(server_url);
  if (!server || server->has_fragment) {
    detail = "not an absolute http(s) URL: " + detail::Printable(server_url);
    return Errc::kInvalidServerUrl;
  }
  Discovery d;
  d.server_url = std::string(server_url);
  Fetcher fetcher{send, policy, d, detail};
  const std::string origin = detail::OriginOf(*server);

  // 1. Protected Resource Metadata.
  std::optional<ProtectedResourceInfo> prm;
  std::string prm_url;
  for (const auto& url : ProtectedResourceMetadataUrls(server_url, challenge.resource_metadata)) {
    std::string body;
    const Fetched f = fetcher.Get(url, body);
    if (f == Fetched::kStop) {
      return Errc::kDiscoveryFailed;
    }
    if (f == Fetched::kOk) {
      auto parsed = ParseProtectedResourceMetadata(body);
      if (parsed) {
        prm = std::move(*parsed);
        prm_url = url;
        break;
      }
      d.trace.push_back("  not protected resource metadata");
    }
  }

  if (prm) {
    // 2. The resource check, before anything is sent to an authorization server. RFC 9728
    // §3.3: the `resource` must be identical to the resource identifier the well-known URL was
    // built from (or, from a WWW-Authenticate URL, to the URL requested): the server URL for the
    // header and path-inserted URLs, the bare origin for the root document (e.g. conformance
    // metadata-var2, whose root document names http://host:port).
    const bool from_root =
        prm_url != challenge.resource_metadata && prm_url == origin + std::string(kPrmWellKnown);
    if (!ResourceMatches(prm->resource, server_url, policy.resource_match) &&
        !(from_root && ResourceMatches(prm->resource, origin, ResourceMatch::kExact))) {
      detail = "the server's metadata names the resource '" + detail::Printable(prm->resource) +
               "', not " + std::string(server_url) + " (RFC 9728 §3.3); refusing to authorize";
      return Errc::kResourceMismatch;
    }
    d.prm = *prm;
    d.resource = prm->resource;
    // 3-4. The first authorization server whose metadata is found and valid.
    for (const auto& issuer : prm->authorization_servers) {
      auto metadata = FetchMetadata(fetcher, issuer, /*same_origin_issuer=*/false);
      if (!metadata) {
        return metadata.error();
      }
      if (*metadata) {
        d.as = std::move(**metadata);
        return d;
      }
    }
    detail = "no authorization server metadata for " +
             detail::Printable(JoinScopes(prm->authorization_servers));
    return Errc::kNoAuthorizationServer;
  }

  // 5. 2025-03-26: the MCP server's origin is the authorization server.
  d.legacy = true;
  auto metadata = FetchMetadata(fetcher, origin, /*same_origin_issuer=*/true);
  if (!metadata) {
    return metadata.error();
  }
  if (*metadata) {
    d.as = std::move(**metadata);
    return d;
  }
  d.as = DefaultEndpoints(origin);
  d.trace.push_back("  no metadata: the 2025-03-26 default endpoints");
  if (auto ok = CheckAuthorizationServerMetadata(d.as, origin, true, policy, detail); !ok) {
    return ok.error();
  }
  return d;
}

}  // namespace mcpauth::oauth::client
