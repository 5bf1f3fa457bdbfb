// The token (RFC 6749 §3.2, OAuth 2.1 §3.2), registration (RFC 7591), revocation (RFC 7009) and
// introspection (RFC 7662) endpoints: parse, authenticate the client, rate-limit failures, and
// hand the decision to the TokenService.
#include <boost/json.hpp>

#include "mcpauth/core/log.hpp"
#include "mcpauth/core/token.hpp"
#include "mcpauth/http/security_headers.hpp"
#include "mcpauth/oauth/client_registration.hpp"
#include "mcpauth/oauth/scopes.hpp"
#include "oauth/server/as_impl.hpp"
#include "oauth/server/client_auth.hpp"

namespace mcpauth::oauth {
namespace {

std::string FormErrorDescription(const http::FormParseError& error) {
  switch (error.code) {
    case http::CodecErrc::kDuplicateParameter:
      return "a parameter is repeated (RFC 6749 §3.2)";
    case http::CodecErrc::kTooLarge:
      return "the request body is too large";
    case http::CodecErrc::kTooManyParameters:
      return "too many parameters";
    case http::CodecErrc::kControlCharacter:
      return "a parameter holds a control character";
    case http::CodecErrc::kInvalidUtf8:
      return "a parameter is not UTF-8";
    default:
      return "the body is not a valid application/x-www-form-urlencoded form";
  }
}

}  // namespace

http::Response AuthorizationServer::Impl::TokenPost(const http::Request& request) {
  const std::string ip = Address(request);
  if (!token_failures.Allowed(ip)) {
    auto response = JsonError(429, "invalid_request",
                              "too many failed requests from this address; retry later");
    response.headers.Set("Retry-After", std::to_string(token_failures.RetryAfterSeconds(ip)));
    return response;
  }
  auto failed = [&](const OAuthError& error) {
    if (error.status < 500) {
      token_failures.Take(ip);
    }
    return OAuthErrorResponse(error);
  };
  if (!IsFormContentType(request)) {
    return failed({"invalid_request", "Content-Type must be application/x-www-form-urlencoded"});
  }
  http::FormParseError parse_error;
  auto form = http::ParseForm(request.body, {}, &parse_error);
  if (!form) {
    return failed({"invalid_request", FormErrorDescription(parse_error)});
  }
  const auto grant_type = form->GetNonEmpty("grant_type");
  if (!grant_type) {
    return failed({"invalid_request", "grant_type is required"});
  }
  auto auth = AuthenticateClient(request, *form, deps.store, deps.clock.Now());
  if (!auth.client) {
    return failed(auth.error);
  }
  const store::Client& client = *auth.client;
  auto has_grant_type = [&](std::string_view g) {
    return std::find(client.grant_types.begin(), client.grant_types.end(), g) !=
           client.grant_types.end();
  };
  TokenOutcome outcome;
  if (*grant_type == "authorization_code") {
    if (!has_grant_type("authorization_code")) {
      return failed({"unauthorized_client", "this client may not use authorization_code"});
    }
    const auto code = form->GetNonEmpty("code");
    if (!code) {
      return failed({"invalid_request", "code is required"});
    }
    CodeExchange exchange;
    exchange.code = std::string(*code);
    if (auto v = form->GetNonEmpty("code_verifier")) {
      exchange.code_verifier = std::string(*v);
    }
    if (auto v = form->GetNonEmpty("redirect_uri")) {
      exchange.redirect_uri = std::string(*v);
    }
    if (auto v = form->GetNonEmpty("resource")) {
      const ProtectedResource* resource = FindResource(config, *v);
      if (resource == nullptr) {
        return failed({"invalid_target", "unknown resource"});
      }
      exchange.resource = resource->uri;
    }
    exchange.ip = ip;
    outcome = tokens.ExchangeCode(client, exchange);
  } else if (*grant_type == "refresh_token") {
    const auto token = form->GetNonEmpty("refresh_token");
    if (!token) {
      return failed({"invalid_request", "refresh_token is required"});
    }
    RefreshRequest refresh;
    refresh.refresh_token = std::string(*token);
    if (auto v = form->GetNonEmpty("scope")) {
      auto scopes = ParseScope(*v);
      if (!scopes) {
        return failed({"invalid_scope", "malformed scope"});
      }
      refresh.scopes = std::move(*scopes);
    }
    if (auto v = form->GetNonEmpty("resource")) {
      const ProtectedResource* resource = FindResource(config, *v);
      if (resource == nullptr) {
        return failed({"invalid_target", "unknown resource"});
      }
      refresh.resource = resource->uri;
    }
    refresh.ip = ip;
    outcome = tokens.Refresh(client, refresh);
  } else {
    return failed(
        {"unsupported_grant_type", "grant_type must be authorization_code or refresh_token"});
  }
  if (!outcome.tokens) {
    return failed(outcome.error);
  }
  auto response = http::Response::Json(200, TokenResponseJson(*outcome.tokens));
  http::ApplySecurityHeaders(response, http::PageKind::kApi);  // Cache-Control: no-store
  return response;
}

http::Response AuthorizationServer::Impl::RegisterPost(const http::Request& request) {
  const std::string ip = Address(request);
  if (!IsJsonContentType(request)) {
    return JsonError(400, "invalid_client_metadata", "Content-Type must be application/json");
  }
  if (!registrations.Take(ip)) {
    auto response = JsonError(429, "invalid_client_metadata",
                              "too many registrations from this address; retry later");
    response.headers.Set("Retry-After", std::to_string(registrations.RetryAfterSeconds(ip)));
    return response;
  }
  auto validated = ValidateRegistrationRequest(request.body);
  if (!validated.client) {
    return JsonError(400, validated.error.error, validated.error.description);
  }
  store::Client client = std::move(validated.client->client);
  const auto now = deps.clock.Now();
  // Opaque ids that can never look like a metadata-document URL (CIMD §3).
  client.client_id = "mcp_" + core::GenerateId(deps.random, 16);
  client.source = store::RegistrationSource::kDcr;
  client.created_at = now;
  std::optional<Secret> secret;
  int64_t secret_expires_at = 0;
  if (validated.client->confidential) {
    secret = core::GenerateToken(deps.random);
    client.secret_hash = core::TokenHash(secret->Reveal());
    if (config.client_secret_lifetime.count() > 0) {
      client.expires_at = now + config.client_secret_lifetime;
      secret_expires_at =
          std::chrono::duration_cast<std::chrono::seconds>(client.expires_at->time_since_epoch())
              .count();
    }
  } else {
    client.secret_hash.reset();
  }
  if (auto st = deps.store.CreateClient(client); !st) {
    log::Error("register: cannot store the client: {}", st.error().message());
    return JsonError(
        st.error() == store::Errc::kUnavailable ? 503 : 500,
        st.error() == store::Errc::kUnavailable ? "temporarily_unavailable" : "server_error",
        "the registration could not be stored");
  }
  deps.store.AppendAudit(
      {.type = "client.registered", .client_id = client.client_id, .ip = ip, .time = now});
  std::optional<std::string_view> secret_view;
  if (secret) {
    secret_view = secret->Reveal();
  }
  auto response =
      http::Response::Json(201, RegistrationResponseJson(client, secret_view, secret_expires_at));
  http::ApplySecurityHeaders(response, http::PageKind::kApi);
  return response;
}

// The first steps of /revoke and /introspect: a form body, an authenticated client, a `token`.
// Returns the error response to send, or nothing with `form` and `auth` filled.
std::optional<http::Response> AuthorizationServer::Impl::TokenRequestPrelude(
    const http::Request& request, std::optional<http::Form>& form, ClientAuthResult& auth) {
  if (!IsFormContentType(request)) {
    return JsonError(400, "invalid_request",
                     "Content-Type must be application/x-www-form-urlencoded");
  }
  http::FormParseError parse_error;
  auto parsed = http::ParseForm(request.body, {}, &parse_error);
  if (!parsed) {
    return JsonError(400, "invalid_request", FormErrorDescription(parse_error));
  }
  form = std::move(*parsed);
  auth = AuthenticateClient(request, *form, deps.store, deps.clock.Now());
  if (!auth.client) {
    return OAuthErrorResponse(auth.error);
  }
  if (!form->GetNonEmpty("token")) {
    return JsonError(400, "invalid_request", "token is required");
  }
  return std::nullopt;
}

http::Response AuthorizationServer::Impl::RevokePost(const http::Request& request) {
  std::optional<http::Form> form;
  ClientAuthResult auth;
  if (auto error = TokenRequestPrelude(request, form, auth)) {
    return std::move(*error);
  }
  if (auto error = tokens.Revoke(*auth.client, *form->GetNonEmpty("token"),
                                 form->Get("token_type_hint").value_or(""), Address(request))) {
    return OAuthErrorResponse(*error);
  }
  http::Response response;  // RFC 7009 §2.2: 200, the body is ignored
  response.status = 200;
  http::ApplySecurityHeaders(response, http::PageKind::kApi);
  return response;
}

http::Response AuthorizationServer::Impl::IntrospectPost(const http::Request& request) {
  std::optional<http::Form> form;
  ClientAuthResult auth;
  if (auto error = TokenRequestPrelude(request, form, auth)) {
    return std::move(*error);
  }
  // RFC 7662 §2.1: the endpoint requires authorization; only confidential clients here.
  if (!auth.confidential) {
    return JsonError(401, "invalid_client", "introspection requires client credentials");
  }
  auto response =
      http::Response::Json(200, tokens.Introspect(*auth.client, *form->GetNonEmpty("token")));
  http::ApplySecurityHeaders(response, http::PageKind::kApi);
  return response;
}

}  // namespace mcpauth::oauth
