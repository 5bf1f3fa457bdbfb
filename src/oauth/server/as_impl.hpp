// Private: the state and handlers of AuthorizationServer, split over authorization_server.cpp
// (routes, metadata, JWKS, shared response helpers), authorize_flow.cpp (the authorization
// request, login, consent, Connected apps) and token_endpoints.cpp (token, registration,
// revocation, introspection).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "mcpauth/core/rate_limiter.hpp"
#include "mcpauth/http/exchange.hpp"
#include "mcpauth/http/form.hpp"
#include "mcpauth/http/message.hpp"
#include "mcpauth/oauth/authorization_server.hpp"
#include "mcpauth/oauth/pages.hpp"
#include "oauth/server/client_auth.hpp"
#include "oauth/server/login_sessions.hpp"

namespace mcpauth::oauth {

// A validated authorization request (RFC 6749 §4.1.1, OAuth 2.1 §4.1.1, RFC 8707, RFC 7636).
struct AuthorizeRequest {
  store::Client client;
  std::string redirect_uri;       // where to send the answer
  std::string redirect_uri_sent;  // as sent ("" if the parameter was absent)
  std::optional<std::string> state;
  std::string code_challenge;
  std::vector<std::string> scopes;
  const ProtectedResource* resource = nullptr;
  HiddenFields params;  // the protocol parameters, to carry through the login and consent forms
};

// The protocol parameters of an authorization request that the forms carry.
inline constexpr std::string_view kAuthorizeParams[] = {
    "response_type", "client_id", "redirect_uri",          "scope",
    "state",         "resource",  "code_challenge_method", "code_challenge"};

struct AuthorizationServer::Impl {
  explicit Impl(AuthorizationServerDeps d);

  AuthorizationServerDeps deps;
  const AuthorizationServerConfig& config;
  TokenService tokens;
  LoginSessions sessions;
  core::RateLimiter login_by_address;
  core::RateLimiter login_by_username;
  core::RateLimiter token_failures;
  core::RateLimiter registrations;
  std::string issuer_base;  // the issuer without a trailing slash: endpoints are issuer_base + path
  std::string path_prefix;  // the issuer's path without a trailing slash ("" for none)
  bool secure_cookies = false;
  std::string session_cookie;
  std::string login_csrf_cookie;
  std::string metadata_json;

  std::string Url(std::string_view path) const { return issuer_base + std::string(path); }
  std::string Path(std::string_view path) const { return path_prefix + std::string(path); }

  // ---- shared helpers (authorization_server.cpp) ----
  http::Response JsonError(int status, std::string_view error, std::string_view description) const;
  http::Response OAuthErrorResponse(const OAuthError& error) const;
  http::Response Page(int status, std::string html) const;
  http::Response MessagePage(int status, std::string title, std::string message,
                             std::string detail = {}) const;
  http::Response Redirect(int status, std::string location) const;
  std::string CookieHeader(std::string_view name, std::string_view value,
                           std::optional<int64_t> max_age) const;
  std::optional<LoginSession> CurrentSession(const http::Request& request) const;
  std::optional<std::string> CookieValue(const http::Request& request, std::string_view name) const;
  // The remote address, for rate limits and the audit log.
  static std::string Address(const http::Request& request) { return request.remote_address; }

  // ---- the authorization flow (authorize_flow.cpp) ----
  // Validates an authorization request. A request whose client or redirect URI is bad gives an
  // error page (never a redirect, AS6); other errors give the error redirect (AS14).
  std::variant<AuthorizeRequest, http::Response> ValidateAuthorize(const http::Form& params);
  http::Response ErrorRedirect(const AuthorizeRequest& request, std::string_view error,
                               std::string_view description) const;
  http::Response IssueCodeRedirect(const AuthorizeRequest& request, const LoginSession& session,
                                   const std::string& ip);
  http::Response LoginPage(int status, std::string return_to, std::string username,
                           std::string error, std::string client_name) const;
  http::Response ConsentPage(const AuthorizeRequest& request, const LoginSession& session) const;
  http::Response AppsPage(const LoginSession& session, std::string notice) const;
  bool NeedsPool(const http::Form& params) const;

  http::Response AuthorizeGet(const http::Request& request);
  http::Response AuthorizePost(const http::Request& request);
  http::Response LoginGet(const http::Request& request);
  void LoginPost(std::shared_ptr<http::Exchange> exchange);
  http::Response LogoutPost(const http::Request& request);
  http::Response AppsGet(const http::Request& request);
  http::Response DisconnectPost(const http::Request& request);

  // ---- token endpoints (token_endpoints.cpp) ----
  http::Response TokenPost(const http::Request& request);
  http::Response RegisterPost(const http::Request& request);
  http::Response RevokePost(const http::Request& request);
  http::Response IntrospectPost(const http::Request& request);
  std::optional<http::Response> TokenRequestPrelude(const http::Request& request,
                                                    std::optional<http::Form>& form,
                                                    ClientAuthResult& auth);
};

// application/x-www-form-urlencoded, ignoring parameters and case (RFC 9110 §8.3.1).
bool IsFormContentType(const http::Request& request);
bool IsJsonContentType(const http::Request& request);

}  // namespace mcpauth::oauth
