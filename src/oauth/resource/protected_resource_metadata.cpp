#include "mcpauth/oauth/resource/protected_resource_metadata.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <memory>
#include <stdexcept>

namespace mcpauth::oauth::resource {
namespace {

namespace json = boost::json;

struct Split {
  std::string origin;  // scheme://authority
  std::string path;    // without the single "/" of an empty path (RFC 9728 §3.1)
  std::string query;   // with its '?', or empty
};

Result<Split> SplitResource(std::string_view resource) {
  auto url = boost::urls::parse_absolute_uri(resource);
  if (!url) {
    return url.error();
  }
  // RFC 9728 §1.2 / RFC 8707 §2: an absolute https (http for loopback development) URI without a
  // fragment; parse_absolute_uri already refuses a fragment.
  if ((url->scheme() != "https" && url->scheme() != "http") || !url->has_authority() ||
      url->encoded_host().empty()) {
    return make_error_code(boost::system::errc::invalid_argument);
  }
  Split s;
  s.origin = std::string(url->scheme()) + "://" + std::string(url->encoded_authority());
  s.path = std::string(url->encoded_path());
  // RFC 9728 §3.1: "any terminating slash following the host component MUST be removed".
  if (s.path == "/") {
    s.path.clear();
  }
  if (url->has_query()) {
    s.query = "?" + std::string(url->encoded_query());
  }
  return s;
}

http::Response Preflight(std::chrono::seconds max_age) {
  http::Response r;
  r.status = 204;
  r.headers.Set("Access-Control-Allow-Origin", "*");
  r.headers.Set("Access-Control-Allow-Methods", "GET, OPTIONS");
  // MCP clients send MCP-Protocol-Version on discovery requests, which makes browsers ask.
  r.headers.Set("Access-Control-Allow-Headers", "*");
  r.headers.Set("Access-Control-Max-Age", std::to_string(max_age.count()));
  return r;
}

}  // namespace

std::string ProtectedResourceMetadataJson(const ProtectedResourceMetadata& metadata) {
  json::object doc;
  doc["resource"] = metadata.resource;
  json::array servers;
  for (const std::string& s : metadata.authorization_servers) {
    servers.emplace_back(s);
  }
  doc["authorization_servers"] = std::move(servers);
  json::array scopes;
  for (const std::string& s : metadata.scopes_supported) {
    // MCP 2026-07-28 (authorization, refresh): resource servers SHOULD NOT list offline_access.
    if (s != "offline_access") {
      scopes.emplace_back(s);
    }
  }
  doc["scopes_supported"] = std::move(scopes);
  // RFC 9728 §2 / RFC 6750 §2.1: the Authorization header only, never a form body or the query.
  doc["bearer_methods_supported"] = json::array{"header"};
  if (!metadata.resource_name.empty()) {
    doc["resource_name"] = metadata.resource_name;
  }
  return json::serialize(doc);
}

Result<std::string> ProtectedResourceMetadataUrl(std::string_view resource) {
  auto s = SplitResource(resource);
  if (!s) {
    return s.error();
  }
  return s->origin + std::string(kProtectedResourceWellKnown) + s->path + s->query;
}

Result<std::string> ProtectedResourceMetadataPath(std::string_view resource) {
  auto s = SplitResource(resource);
  if (!s) {
    return s.error();
  }
  return std::string(kProtectedResourceWellKnown) + s->path;
}

http::Response ProtectedResourceMetadataResponse(const ProtectedResourceMetadata& metadata) {
  http::Response r = http::Response::Json(200, ProtectedResourceMetadataJson(metadata));
  // RFC 9728 §3 is public metadata: any origin may read it (RS2), and caches may keep it.
  r.headers.Set("Access-Control-Allow-Origin", "*");
  r.headers.Set("Cache-Control", "public, max-age=" + std::to_string(metadata.max_age.count()));
  return r;
}

void RegisterProtectedResourceMetadata(http::Router& router,
                                       const ProtectedResourceMetadata& metadata) {
  auto path = ProtectedResourceMetadataPath(metadata.resource);
  if (!path) {
    throw std::invalid_argument("protected resource metadata: invalid resource URL \"" +
                                metadata.resource + "\"");
  }
  auto response =
      std::make_shared<const http::Response>(ProtectedResourceMetadataResponse(metadata));
  auto preflight = std::make_shared<const http::Response>(Preflight(metadata.max_age));
  std::vector<std::string> paths{*path};
  if (*path != kProtectedResourceWellKnown) {
    paths.emplace_back(kProtectedResourceWellKnown);  // the root fallback (RS2)
  }
  for (const std::string& p : paths) {
    router.Add("GET", p, http::SyncHandler([response](const http::Request&) { return *response; }));
    router.Add("OPTIONS", p,
               http::SyncHandler([preflight](const http::Request&) { return *preflight; }));
  }
}

}  // namespace mcpauth::oauth::resource
