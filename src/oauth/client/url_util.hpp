// URL helpers of the OAuth client: origins, loopback hosts, the endpoint policy, RFC 3986 §6
// normalisation for comparisons. Private to src/oauth/client. Pure functions over Boost.URL.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mcpauth::oauth::client::detail {

// The parts of an absolute http(s) URL, scheme and host lower-cased (RFC 3986 §6.2.2.1), the
// port empty when it is the scheme's default (§6.2.3), the path "/" when empty (§6.2.3). Nullopt
// for anything else (another scheme, a relative reference, no host).
struct UrlParts {
  std::string scheme;
  std::string host;  // IPv6 literals keep their brackets
  std::string port;
  std::string path;
  std::optional<std::string> query;
  bool has_fragment = false;
  bool has_userinfo = false;
};
std::optional<UrlParts> ParseHttpUrl(std::string_view url);

// scheme://host[:port] of `parts`, normalised.
std::string OriginOf(const UrlParts& parts);

// The URL normalised as above, without fragment: what two URLs are compared by.
std::optional<std::string> NormalizeUrl(std::string_view url);

// 127.0.0.0/8, ::1 (bracketed or not) and "localhost" (RFC 8252 §8.3; RFC 6761 §6.3).
bool IsLoopbackHost(std::string_view host);

// May an OAuth endpoint live at `url`? https, or http on a loopback host (local development and
// the conformance suite), or any http when `allow_insecure_http`; never with userinfo or a
// fragment (RFC 8414 §2 for the endpoints; MCP "Communication Security": HTTPS only).
bool EndpointAllowed(std::string_view url, bool allow_insecure_http);

// Appends `query` (already encoded, without '?') to `url`, keeping a query the URL has
// (RFC 6749 §3.1: the endpoint URI MAY include a query component, which MUST be retained).
std::string AppendQuery(std::string_view url, std::string_view query);

// Standard base64 with padding (RFC 4648 §4), for HTTP Basic authentication.
std::string Base64Encode(std::string_view data);

}  // namespace mcpauth::oauth::client::detail
