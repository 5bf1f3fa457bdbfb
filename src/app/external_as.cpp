#include "app/external_as.hpp"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <vector>

#include "mcpauth/core/errc.hpp"

namespace mcpauth::app {

Result<ExternalAuthorizationServer> DiscoverAuthorizationServer(http::Client& client,
                                                                const std::string& issuer,
                                                                std::string& error) {
  auto url = boost::urls::parse_absolute_uri(issuer);
  if (!url || (url->scheme() != "https" && url->scheme() != "http") || url->has_query() ||
      url->has_fragment()) {
    error = "--authorization-server must be an absolute http(s) URL without query or fragment";
    return core::Errc::kInvalidArgument;
  }
  const std::string origin =
      std::string(url->scheme()) + "://" + std::string(url->encoded_authority());
  std::string path(url->encoded_path());
  if (path == "/") {
    path.clear();
  }
  std::string base = issuer;
  while (!base.empty() && base.back() == '/') {
    base.pop_back();
  }
  const std::vector<std::string> candidates = {
      origin + "/.well-known/oauth-authorization-server" + path,
      origin + "/.well-known/openid-configuration" + path,
      base + "/.well-known/openid-configuration"};
  error = "no authorization server metadata at " + candidates.front();
  for (const auto& candidate : candidates) {
    http::ClientRequest request{.url = candidate};
    request.headers.Set("Accept", "application/json");
    auto response = client.Send(request);
    if (!response || response->status != 200) {
      continue;
    }
    boost::system::error_code ec;
    auto doc = boost::json::parse(response->body, ec);
    if (ec || !doc.is_object()) {
      error = candidate + " is not a JSON object";
      continue;
    }
    const auto& m = doc.as_object();
    auto str = [&](std::string_view key) -> std::string {
      auto it = m.find(key);
      return it != m.end() && it->value().is_string() ? std::string(it->value().as_string()) : "";
    };
    if (str("issuer") != issuer) {
      // RFC 8414 §3.3: the metadata must name exactly the issuer it was fetched for.
      error = candidate + " names issuer '" + str("issuer") + "', not '" + issuer + "'";
      return core::Errc::kInvalidArgument;
    }
    return ExternalAuthorizationServer{issuer, str("jwks_uri"), str("introspection_endpoint")};
  }
  return core::Errc::kInvalidArgument;
}

}  // namespace mcpauth::app
