#include "mcpauth/oauth/server_config.hpp"

#include <algorithm>
#include <optional>

#include "mcpauth/oauth/scopes.hpp"
#include "oauth/server/uri_parse.hpp"

namespace mcpauth::oauth {
namespace {

using detail::ToLowerAscii;
using detail::View;

// The form two resource indicators are compared in after the exact comparison failed: the
// variations the MCP authorization spec's canonical-URI note tolerates are removed — scheme and
// host case (RFC 3986 §3.1, §3.2.2), an explicit default port (§3.2.3, §6.2.3) and one trailing
// slash. Path and query stay byte for byte (no percent-decoding, no dot-segment removal).
// nullopt if `uri` is not an absolute http(s) URI with a host and without userinfo or fragment
// (RFC 8707 §2: "MUST NOT include a fragment component").
std::optional<std::string> Canonical(std::string_view uri) {
  // RFC 3986 §4.3 absolute-URI has no fragment: Boost.URL refuses one here.
  const auto parsed = detail::ParseAbsoluteUri(uri);
  if (!parsed) {
    return std::nullopt;
  }
  const std::string scheme = ToLowerAscii(View(parsed->scheme()));
  if (scheme != "https" && scheme != "http") {
    return std::nullopt;
  }
  if (!parsed->has_authority() || parsed->encoded_host().empty() || parsed->has_userinfo()) {
    return std::nullopt;
  }
  std::string out = scheme + "://" + ToLowerAscii(View(parsed->encoded_host()));
  const std::string_view port = View(parsed->port());
  const std::string_view default_port = scheme == "https" ? "443" : "80";
  if (!port.empty() && port != default_port) {
    out += ':';
    out += port;
  }
  std::string_view path = View(parsed->encoded_path());
  if (path.ends_with('/')) {
    path.remove_suffix(1);
  }
  out += path;
  if (parsed->has_query()) {
    out += '?';
    out += View(parsed->encoded_query());
  }
  return out;
}

}  // namespace

std::vector<std::string> AllScopes(const AuthorizationServerConfig& config) {
  std::vector<std::string> out;
  auto add = [&out](std::string_view scope) {
    if (std::find(out.begin(), out.end(), scope) == out.end()) {
      out.emplace_back(scope);
    }
  };
  for (const auto& resource : config.resources) {
    for (const auto& scope : resource.scopes) {
      add(scope);
    }
  }
  // Refresh tokens are offered to every client that asks (OpenID Connect Core §11), so the
  // metadata's scopes_supported lists offline_access (MCP 2026-07-28 asks for it only then).
  add(kOfflineAccess);
  return out;
}

const ProtectedResource* FindResource(const AuthorizationServerConfig& config,
                                      std::string_view resource) {
  // RFC 8707 §2: an absolute URI without a fragment; anything else names nothing, even if a
  // resource were (mis)configured with that very string.
  const auto wanted = Canonical(resource);
  if (!wanted) {
    return nullptr;
  }
  for (const auto& r : config.resources) {
    if (r.uri == resource) {
      return &r;
    }
  }
  for (const auto& r : config.resources) {
    if (Canonical(r.uri) == wanted) {
      return &r;
    }
  }
  return nullptr;
}

}  // namespace mcpauth::oauth
