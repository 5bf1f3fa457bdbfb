#include "mcpauth/oauth/resource/resource_server.hpp"

#include <algorithm>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <stdexcept>
#include <utility>

#include "mcpauth/http/www_authenticate.hpp"

namespace mcpauth::oauth::resource {
namespace {

namespace json = boost::json;

void AddUnique(std::vector<std::string>& out, const std::vector<std::string>& more) {
  for (const std::string& s : more) {
    if (std::find(out.begin(), out.end(), s) == out.end()) {
      out.push_back(s);
    }
  }
}

void AddFrom(std::vector<std::string>& out, const ScopeMap& map, std::string_view key) {
  if (const auto it = map.find(key); it != map.end()) {
    AddUnique(out, it->second);
  }
}

std::string Join(const std::vector<std::string>& scopes) {
  std::string out;
  for (const std::string& s : scopes) {
    if (!out.empty()) {
      out += ' ';
    }
    out += s;
  }
  return out;
}

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

// Whether the query string has a parameter named access_token (RFC 6750 §2.3), however its name
// is percent-encoded ("access%5Ftoken" is the same name to a form decoder).
bool QueryHasAccessToken(std::string_view query) {
  constexpr std::string_view kName = "access_token";
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view param = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const std::string_view raw = param.substr(0, param.find('='));
    if (raw.size() < kName.size() || raw.size() > kName.size() * 3) {
      continue;
    }
    std::string name;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '%' && i + 2 < raw.size() && HexValue(raw[i + 1]) >= 0 &&
          HexValue(raw[i + 2]) >= 0) {
        name.push_back(static_cast<char>(HexValue(raw[i + 1]) * 16 + HexValue(raw[i + 2])));
        i += 2;
      } else {
        name.push_back(raw[i] == '+' ? ' ' : raw[i]);
      }
    }
    if (name == kName) {
      return true;
    }
  }
  return false;
}

// The Bearer credential of a request, classified.
struct Credential {
  enum Kind { kNone, kToken, kMalformed, kDuplicate } kind = kNone;
  std::string_view token;
};

Credential ReadCredential(const http::Request& request) {
  const size_t fields = request.headers.Count("Authorization");
  if (fields > 1) {
    return {Credential::kDuplicate, {}};
  }
  if (fields == 0) {
    return {};
  }
  const std::string_view value = TrimOws(*request.headers.Get("Authorization"));
  const std::string_view scheme = value.substr(0, value.find_first_of(" \t"));
  // RFC 6750 §3.1: a request that uses another scheme (or none) lacks authentication
  // information: 401 without an error code. "Bearer" with nothing after it is the same.
  if (!http::EqualsIgnoreCase(scheme, "Bearer") || TrimOws(value.substr(scheme.size())).empty()) {
    return {};
  }
  if (const auto token = http::BearerToken(value)) {
    return {Credential::kToken, *token};
  }
  return {Credential::kMalformed, {}};
}

}  // namespace

ResourceServer::ResourceServer(ResourceServerOptions options,
                               std::shared_ptr<TokenValidator> validator)
    : options_(std::move(options)), validator_(std::move(validator)) {
  if (!validator_) {
    throw std::invalid_argument("ResourceServer needs a token validator");
  }
  auto url = ProtectedResourceMetadataUrl(options_.resource);
  if (!url) {
    throw std::invalid_argument("resource server: invalid canonical URL \"" + options_.resource +
                                "\"");
  }
  metadata_url_ = std::move(*url);
  metadata_ = ProtectedResourceMetadata{.resource = options_.resource,
                                        .authorization_servers = options_.authorization_servers,
                                        .scopes_supported = options_.scopes_supported,
                                        .resource_name = options_.resource_name,
                                        .max_age = options_.metadata_max_age};
  // Close the implications transitively once, so that a check is one lookup per granted scope.
  for (const auto& [scope, direct] : options_.scope_implications) {
    std::vector<std::string> closure;
    std::vector<std::string> pending = direct;
    while (!pending.empty()) {
      std::string s = std::move(pending.back());
      pending.pop_back();
      if (s == scope || std::find(closure.begin(), closure.end(), s) != closure.end()) {
        continue;
      }
      if (const auto it = options_.scope_implications.find(s);
          it != options_.scope_implications.end()) {
        pending.insert(pending.end(), it->second.begin(), it->second.end());
      }
      closure.push_back(std::move(s));
    }
    implied_.emplace(scope, std::move(closure));
  }
}

mcp::Authorizer ResourceServer::MakeAuthorizer() const {
  return [this](const mcp::AuthQuery& query) { return Authorize(query); };
}

void ResourceServer::RegisterMetadata(http::Router& router) const {
  RegisterProtectedResourceMetadata(router, metadata_);
}

std::vector<std::string> ResourceServer::RequiredScopes(std::string_view method,
                                                        std::string_view name) const {
  std::vector<std::string> needed = options_.default_scopes;
  AddFrom(needed, options_.method_scopes, method);
  if (method == "tools/call") {
    AddFrom(needed, options_.tool_scopes, name);
  }
  return needed;
}

std::vector<std::string> ResourceServer::NeededFor(const mcp::AuthQuery& query) const {
  std::vector<std::string> needed = RequiredScopes(query.mcp_method, query.name);
  // A 2025-03-26 batch reaches the hook without a method: every call in it counts, or a batch
  // would be a way around a tool's scopes.
  const std::string_view body = query.request.body;
  const size_t first = body.find_first_not_of(" \t\r\n");
  if (!query.mcp_method.empty() || query.request.method != "POST" || first == body.npos ||
      body[first] != '[') {
    return needed;
  }
  boost::system::error_code ec;
  const json::value batch = json::parse(body, ec);
  if (ec || !batch.is_array()) {
    return needed;  // the transport has refused it already
  }
  for (const json::value& item : batch.get_array()) {
    const json::object* m = item.if_object();
    const json::value* method = m ? m->if_contains("method") : nullptr;
    if (method == nullptr || !method->is_string()) {
      continue;
    }
    std::string_view name;
    if (const json::value* params = m->if_contains("params"); params && params->is_object()) {
      if (const json::value* n = params->get_object().if_contains("name"); n && n->is_string()) {
        name = n->get_string();
      }
    }
    AddUnique(needed, RequiredScopes(method->get_string(), name));
  }
  return needed;
}

bool ResourceServer::Grants(const std::vector<std::string>& granted, std::string_view scope) const {
  for (const std::string& g : granted) {
    if (g == scope) {
      return true;
    }
    if (const auto it = implied_.find(g);
        it != implied_.end() &&
        std::find(it->second.begin(), it->second.end(), scope) != it->second.end()) {
      return true;
    }
  }
  return false;
}

mcp::AuthDecision ResourceServer::Authorize(const mcp::AuthQuery& query) const {
  const http::Request& request = query.request;
  // OAuth 2.1 §5.1.1 / RFC 6750 §2.3: a token in the URI leaks into logs and Referer headers;
  // refuse it rather than ignore it, so the client learns (RS7).
  if (QueryHasAccessToken(request.query)) {
    return Deny(Denial::kInvalidRequest,
                request.headers.Has("Authorization")
                    ? "More than one credential: a token in the query and a header"
                    : "Access tokens are accepted in the Authorization header only",
                {});
  }
  const Credential credential = ReadCredential(request);
  switch (credential.kind) {
    case Credential::kDuplicate:
      // RFC 6750 §3.1 invalid_request: "uses more than one method for including an access token".
      return Deny(Denial::kInvalidRequest, "More than one Authorization header", {});
    case Credential::kMalformed:
      return Deny(Denial::kInvalidRequest, "Malformed Bearer credentials", {});
    case Credential::kNone:
      return Deny(Denial::kNoToken, "An access token is required", NeededFor(query));
    case Credential::kToken:
      break;
  }
  Result<ValidatedToken> token = validator_->Validate(credential.token);
  if (!token) {
    const bool unavailable = token.error() == make_error_code(Errc::kUnavailable);
    return Deny(unavailable ? Denial::kUnavailable : Denial::kInvalidToken, token.error().message(),
                NeededFor(query));
  }
  const AccessToken& t = **token;
  const std::vector<std::string> needed = NeededFor(query);
  for (const std::string& scope : needed) {
    if (!Grants(t.scopes, scope)) {
      // RFC 6750 §3.1 / MCP "Scope Challenge Handling": name every scope the operation needs.
      return Deny(Denial::kInsufficientScope, "The access token lacks a scope this request needs",
                  needed);
    }
  }
  mcp::AuthDecision decision;
  decision.allowed = true;
  decision.principal.subject = t.subject;
  decision.principal.username = t.username;
  decision.principal.client_id = t.client_id;
  decision.principal.scopes = t.scopes;
  return decision;
}

mcp::AuthDecision ResourceServer::Deny(Denial kind, std::string_view description,
                                       const std::vector<std::string>& needed) const {
  http::Challenge challenge{.scheme = "Bearer"};
  auto param = [&](std::string name, std::string value) {
    challenge.params.emplace_back(std::move(name), std::move(value));
  };
  int status = 401;
  std::string error;
  switch (kind) {
    case Denial::kInvalidRequest:
      status = 400;
      error = "invalid_request";
      param("error", error);
      param("error_description", std::string(description));
      param("resource_metadata", metadata_url_);
      break;
    case Denial::kNoToken:
      // OAuth 2.1 §5.3.2: no error code when the request carried no credentials.
      param("resource_metadata", metadata_url_);
      break;
    case Denial::kInvalidToken:
      error = "invalid_token";
      param("error", error);
      param("error_description", std::string(description));
      param("resource_metadata", metadata_url_);
      break;
    case Denial::kInsufficientScope:
      status = 403;
      error = "insufficient_scope";
      param("error", error);
      param("scope", Join(needed));
      param("resource_metadata", metadata_url_);
      param("error_description", std::string(description));
      break;
    case Denial::kUnavailable:
      status = 503;
      error = "temporarily_unavailable";
      break;
  }
  // RFC 6750 §3: scope= tells the client what to ask for (MCP 2025-11-25 "Scope Selection").
  if ((kind == Denial::kNoToken || kind == Denial::kInvalidToken) && !needed.empty()) {
    param("scope", Join(needed));
  }
  json::object body;
  if (!error.empty()) {
    body["error"] = error;
  }
  body["error_description"] = description;
  mcp::AuthDecision decision;
  decision.allowed = false;
  decision.denial = http::Response::Json(status, json::serialize(body));
  decision.denial.headers.Set("Cache-Control", "no-store");
  if (kind == Denial::kUnavailable) {
    decision.denial.headers.Set("Retry-After", "5");
  } else {
    decision.denial.headers.Set("WWW-Authenticate", http::FormatChallenge(challenge));
  }
  return decision;
}

}  // namespace mcpauth::oauth::resource
