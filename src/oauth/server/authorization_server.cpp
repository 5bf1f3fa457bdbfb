// AuthorizationServer: construction, routes, metadata (RFC 8414), JWKS, housekeeping, and the
// response helpers the handlers share.
#include "mcpauth/oauth/authorization_server.hpp"

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include "mcpauth/core/log.hpp"
#include "mcpauth/http/cookie.hpp"
#include "mcpauth/http/security_headers.hpp"
#include "oauth/server/as_impl.hpp"

namespace mcpauth::oauth {
namespace {

std::string MediaType(const http::Request& request) {
  std::string_view type = request.headers.Get("Content-Type").value_or("");
  type = type.substr(0, type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) {
    type.remove_suffix(1);
  }
  std::string lower(type);
  for (char& c : lower) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return lower;
}

boost::json::array Strings(std::initializer_list<std::string_view> values) {
  boost::json::array out;
  for (auto v : values) {
    out.emplace_back(v);
  }
  return out;
}

}  // namespace

bool IsFormContentType(const http::Request& request) {
  return MediaType(request) == "application/x-www-form-urlencoded";
}

bool IsJsonContentType(const http::Request& request) {
  return MediaType(request) == "application/json";
}

AuthorizationServer::Impl::Impl(AuthorizationServerDeps d)
    : deps(d),
      config(d.config),
      tokens(d.config, d.store, d.keys, d.clock, d.random),
      sessions(d.clock, d.random, d.config.login_session_lifetime),
      login_by_address(d.clock, d.limits.login_per_address),
      login_by_username(d.clock, d.limits.login_per_username),
      token_failures(d.clock, d.limits.token_failures_per_address),
      registrations(d.clock, d.limits.registrations_per_address) {
  issuer_base = config.issuer;
  while (!issuer_base.empty() && issuer_base.back() == '/') {
    issuer_base.pop_back();
  }
  auto url = boost::urls::parse_absolute_uri(issuer_base);
  if (!url || (url->scheme() != "https" && url->scheme() != "http") || url->has_query() ||
      !url->has_authority()) {
    throw std::invalid_argument("the issuer must be an absolute http(s) URL without a query");
  }
  if (config.resources.empty()) {
    throw std::invalid_argument("the authorization server needs at least one resource");
  }
  path_prefix = std::string(url->encoded_path());
  // Cookies: __Host- names and Secure when the issuer is https (also behind a TLS-terminating
  // proxy, where the request itself arrives over plain HTTP). RFC 6265bis §4.1.3.2.
  secure_cookies = url->scheme() == "https";
  session_cookie = secure_cookies ? "__Host-mcpauth_session" : "mcpauth_session";
  login_csrf_cookie = secure_cookies ? "__Host-mcpauth_login" : "mcpauth_login";

  // RFC 8414 §2 (and SPEC-CHECKLIST AS1-AS3, 2026-07-28 RFC 9207 / CIMD members).
  boost::json::object m;
  m["issuer"] = config.issuer;
  m["authorization_endpoint"] = Url("/authorize");
  m["token_endpoint"] = Url("/token");
  m["registration_endpoint"] = Url("/register");
  m["revocation_endpoint"] = Url("/revoke");
  m["introspection_endpoint"] = Url("/introspect");
  m["jwks_uri"] = Url("/jwks.json");
  boost::json::array scopes;
  for (const auto& s : AllScopes(config)) {
    scopes.emplace_back(s);
  }
  m["scopes_supported"] = std::move(scopes);
  m["response_types_supported"] = Strings({"code"});
  m["response_modes_supported"] = Strings({"query"});
  m["grant_types_supported"] = Strings({"authorization_code", "refresh_token"});
  m["code_challenge_methods_supported"] = Strings({"S256"});
  m["token_endpoint_auth_methods_supported"] =
      Strings({"none", "client_secret_basic", "client_secret_post"});
  m["revocation_endpoint_auth_methods_supported"] =
      Strings({"none", "client_secret_basic", "client_secret_post"});
  m["introspection_endpoint_auth_methods_supported"] =
      Strings({"client_secret_basic", "client_secret_post"});
  m["authorization_response_iss_parameter_supported"] = true;
  m["client_id_metadata_document_supported"] =
      config.cimd_enabled && deps.metadata_fetcher != nullptr;
  m["ui_locales_supported"] = Strings({"en"});
  metadata_json = boost::json::serialize(m);
}

http::Response AuthorizationServer::Impl::JsonError(int status, std::string_view error,
                                                    std::string_view description) const {
  boost::json::object body;
  body["error"] = error;
  if (!description.empty()) {
    body["error_description"] = description;
  }
  auto response = http::Response::Json(status, boost::json::serialize(body));
  http::ApplySecurityHeaders(response, http::PageKind::kApi);
  if (status == 401) {
    // RFC 6749 §5.2: a 401 names the authentication scheme the client should use.
    response.headers.Set("WWW-Authenticate", "Basic realm=\"" + config.server_name + "\"");
  }
  return response;
}

http::Response AuthorizationServer::Impl::OAuthErrorResponse(const OAuthError& error) const {
  auto response = JsonError(error.status, error.error, error.description);
  if (error.status == 503) {
    response.headers.Set("Retry-After", "5");
  }
  return response;
}

http::Response AuthorizationServer::Impl::Page(int status, std::string html) const {
  auto response = http::Response::Html(status, std::move(html));
  http::ApplySecurityHeaders(response, http::PageKind::kHtml);
  return response;
}

http::Response AuthorizationServer::Impl::MessagePage(int status, std::string title,
                                                      std::string message,
                                                      std::string detail) const {
  MessagePageModel model;
  model.server_name = config.server_name;
  model.title = std::move(title);
  model.message = std::move(message);
  model.detail = std::move(detail);
  model.is_error = status >= 400;
  return Page(status, RenderMessagePage(model));
}

http::Response AuthorizationServer::Impl::Redirect(int status, std::string location) const {
  http::Response response;
  response.status = status;
  response.headers.Set("Location", location);
  http::ApplySecurityHeaders(response, http::PageKind::kApi);
  return response;
}

std::string AuthorizationServer::Impl::CookieHeader(std::string_view name, std::string_view value,
                                                    std::optional<int64_t> max_age) const {
  http::SetCookie cookie;
  cookie.name = std::string(name);
  cookie.value = std::string(value);
  cookie.path = "/";
  cookie.max_age = max_age;
  cookie.http_only = true;
  cookie.secure = secure_cookies;
  cookie.same_site = http::SameSite::kLax;
  auto header = http::FormatSetCookie(cookie);
  if (!header) {
    // Our own names and hex/base64url values: cannot fail unless there is a bug.
    throw std::logic_error("cannot format our own cookie");
  }
  return *header;
}

std::optional<std::string> AuthorizationServer::Impl::CookieValue(const http::Request& request,
                                                                  std::string_view name) const {
  for (auto header : request.headers.GetAll("Cookie")) {
    auto pairs = http::ParseCookieHeader(header);
    if (auto value = http::FindCookie(pairs, name)) {
      return std::string(*value);
    }
  }
  return std::nullopt;
}

std::optional<LoginSession> AuthorizationServer::Impl::CurrentSession(
    const http::Request& request) const {
  auto cookie = CookieValue(request, session_cookie);
  if (!cookie) {
    return std::nullopt;
  }
  return sessions.Find(*cookie);
}

AuthorizationServer::AuthorizationServer(AuthorizationServerDeps deps)
    : impl_(std::make_unique<Impl>(deps)) {}

AuthorizationServer::~AuthorizationServer() = default;

TokenService& AuthorizationServer::tokens() { return impl_->tokens; }

void AuthorizationServer::Register(http::Router& router) {
  Impl* impl = impl_.get();
  auto sync = [impl](http::Response (Impl::*method)(const http::Request&)) {
    return http::SyncHandler([impl, method](const http::Request& r) { return (impl->*method)(r); });
  };
  const http::RouteOptions form{.body_limit = http::kFormBodyLimit};
  const std::string& p = impl->path_prefix;

  // Metadata: RFC 8414 §3.1 inserts the well-known segment between host and path; OpenID
  // Connect Discovery appends it. Serve all three spellings (SPEC-CHECKLIST §3.7).
  auto metadata = [impl](const http::Request&) {
    auto r = http::Response::Json(200, impl->metadata_json);
    http::ApplySecurityHeaders(r, http::PageKind::kApi);
    r.headers.Set("Cache-Control", "public, max-age=300");
    r.headers.Remove("Pragma");
    r.headers.Set("Access-Control-Allow-Origin", "*");
    return r;
  };
  router.Add("GET", "/.well-known/oauth-authorization-server" + p, http::SyncHandler(metadata));
  router.Add("GET", "/.well-known/openid-configuration" + p, http::SyncHandler(metadata));
  if (!p.empty()) {
    router.Add("GET", p + "/.well-known/openid-configuration", http::SyncHandler(metadata));
  }
  router.Add("GET", p + "/jwks.json", http::SyncHandler([impl](const http::Request&) {
               auto r = http::Response::Json(200, impl->deps.keys.PublicJwks()->Serialize());
               http::ApplySecurityHeaders(r, http::PageKind::kApi);
               r.headers.Set("Cache-Control", "public, max-age=300");
               r.headers.Remove("Pragma");
               r.headers.Set("Access-Control-Allow-Origin", "*");
               return r;
             }));

  // The authorization endpoint: a metadata-document client is fetched on the pool.
  router.Add("GET", p + "/authorize", http::Handler([impl](std::shared_ptr<http::Exchange> ex) {
               auto params = http::ParseForm(ex->request().query);
               if (params && impl->NeedsPool(*params)) {
                 const bool queued = impl->deps.pool.Post(
                     [impl, ex] { ex->Respond(impl->AuthorizeGet(ex->request())); });
                 if (!queued) {
                   ex->Respond(impl->MessagePage(503, "Busy", "The server is busy. Try again."));
                 }
                 return;
               }
               ex->Respond(impl->AuthorizeGet(ex->request()));
             }));
  router.Add("POST", p + "/authorize", sync(&Impl::AuthorizePost), form);
  router.Add("GET", p + "/login", sync(&Impl::LoginGet));
  router.Add("POST", p + "/login",
             http::Handler([impl](std::shared_ptr<http::Exchange> ex) { impl->LoginPost(ex); }),
             form);
  router.Add("POST", p + "/logout", sync(&Impl::LogoutPost), form);
  router.Add("GET", p + "/apps", sync(&Impl::AppsGet));
  router.Add("POST", p + "/apps/disconnect", sync(&Impl::DisconnectPost), form);

  router.Add("POST", p + "/token", sync(&Impl::TokenPost), form);
  router.Add("POST", p + "/register", sync(&Impl::RegisterPost),
             http::RouteOptions{.body_limit = 16 * 1024});
  router.Add("POST", p + "/revoke", sync(&Impl::RevokePost), form);
  router.Add("POST", p + "/introspect", sync(&Impl::IntrospectPost), form);
}

void AuthorizationServer::Housekeeping() {
  auto& store = impl_->deps.store;
  const auto now = impl_->deps.clock.Now();
  const auto& config = impl_->config;
  auto purged = store.PurgeExpired(now, now - config.access_token_lifetime - std::chrono::hours(1));
  if (!purged) {
    log::Warn("housekeeping: purge failed: {}", purged.error().message());
  } else if (purged->codes + purged->refresh_tokens + purged->grants > 0) {
    log::Info("housekeeping: purged {} codes, {} refresh tokens, {} revoked grants", purged->codes,
              purged->refresh_tokens, purged->grants);
  }
  // Registrations never used: DCR clients older than unused_client_lifetime without any grant.
  auto clients = store.ListClients();
  if (!clients) {
    return;
  }
  int removed = 0;
  for (const auto& client : *clients) {
    if (client.source != store::RegistrationSource::kDcr ||
        client.created_at + config.unused_client_lifetime > now) {
      continue;
    }
    auto grants = store.ListGrants({.client_id = client.client_id}, /*include_revoked=*/true);
    if (grants && grants->empty() && store.DeleteClient(client.client_id, now)) {
      ++removed;
    }
  }
  if (removed > 0) {
    log::Info("housekeeping: removed {} registrations that were never used", removed);
  }
}

}  // namespace mcpauth::oauth
