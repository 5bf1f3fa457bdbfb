#include "mcpauth/oauth/client/token_endpoint.hpp"

#include <cctype>

#include "mcpauth/http/form.hpp"
#include "mcpauth/oauth/client/errc.hpp"
#include "mcpauth/oauth/client/policy.hpp"
#include "oauth/client/json_util.hpp"
#include "oauth/client/url_util.hpp"

namespace mcpauth::oauth::client {

namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string OAuthErrorText(int status, std::string_view body) {
  std::string text = "HTTP " + std::to_string(status);
  if (auto o = detail::ParseObject(body)) {
    if (auto e = detail::StringMember(*o, "error")) {
      text += " " + detail::Printable(*e, 60);
    }
    if (auto d = detail::StringMember(*o, "error_description"); d && !d->empty()) {
      text += ": " + detail::Printable(*d);
    }
  }
  return text;
}

}  // namespace

FormParams CodeExchangeParams(const Secret& code, std::string_view redirect_uri,
                              const Secret& verifier, std::string_view resource) {
  FormParams params = {{"grant_type", "authorization_code"},
                       {"code", std::string(code.Reveal())},
                       {"redirect_uri", std::string(redirect_uri)},
                       {"code_verifier", std::string(verifier.Reveal())}};
  if (!resource.empty()) {
    params.emplace_back("resource", resource);
  }
  return params;
}

FormParams RefreshParams(const Secret& refresh_token, std::string_view resource) {
  FormParams params = {{"grant_type", "refresh_token"},
                       {"refresh_token", std::string(refresh_token.Reveal())}};
  if (!resource.empty()) {
    params.emplace_back("resource", resource);
  }
  return params;
}

http::ClientRequest BuildClientRequest(std::string_view endpoint, const ClientRegistration& client,
                                       FormParams params) {
  http::ClientRequest request{.method = "POST", .url = std::string(endpoint)};
  request.headers.Set("Content-Type", "application/x-www-form-urlencoded");
  request.headers.Set("Accept", "application/json");
  if (client.token_endpoint_auth_method == "client_secret_basic") {
    // RFC 6749 §2.3.1: each part form-encoded before base64 (a ':' in an id must survive).
    request.headers.Set(
        "Authorization",
        "Basic " + detail::Base64Encode(http::FormEncode(client.client_id) + ":" +
                                        http::FormEncode(client.client_secret.Reveal())));
  } else {
    params.emplace_back("client_id", client.client_id);
    if (client.token_endpoint_auth_method == "client_secret_post") {
      params.emplace_back("client_secret", client.client_secret.Reveal());
    }
  }
  request.body = http::EncodeForm(params);
  return request;
}

Errc ClassifyTokenError(int status, std::string_view body) {
  if (status >= 500 || status == 429) {
    return Errc::kTemporarilyUnavailable;
  }
  auto o = detail::ParseObject(body);
  const std::string error = o ? detail::StringMember(*o, "error").value_or("") : "";
  if (error == "invalid_grant") {
    return Errc::kInvalidGrant;
  }
  if (error == "invalid_client" || error == "unauthorized_client") {
    return Errc::kInvalidClient;
  }
  if (error == "temporarily_unavailable" || error == "server_error") {
    return Errc::kTemporarilyUnavailable;
  }
  if (error.empty() && status == 401) {
    return Errc::kInvalidClient;  // RFC 6749 §5.2: 401 is the client authentication failure
  }
  if (!o) {
    // Not an OAuth error at all (an HTML error page of a proxy): nothing proves the
    // credentials bad, so they are kept.
    return Errc::kTemporarilyUnavailable;
  }
  return Errc::kTokenEndpointError;
}

Result<TokenResponse> ParseTokenResponse(int status, std::string_view body, std::string& detail) {
  if (status != 200) {
    detail = "the token endpoint answered " + OAuthErrorText(status, body);
    return ClassifyTokenError(status, body);
  }
  auto o = detail::ParseObject(body);
  if (!o) {
    detail = "the token endpoint answered 200 without a JSON object";
    return Errc::kBadTokenResponse;
  }
  auto access = detail::StringMember(*o, "access_token");
  auto type = detail::StringMember(*o, "token_type");
  if (!access || access->empty()) {
    detail = "the token response has no access_token";
    return Errc::kBadTokenResponse;
  }
  // OAuth 2.1 §3.2.3: token_type is REQUIRED and case-insensitive; only Bearer is usable here.
  if (!type || !EqualsIgnoreCase(*type, "Bearer")) {
    detail = "the token response has token_type '" + detail::Printable(type.value_or(""), 30) +
             "', not Bearer";
    return Errc::kBadTokenResponse;
  }
  TokenResponse r;
  r.access_token = Secret(std::move(*access));
  r.token_type = "Bearer";
  if (auto expires = detail::IntMember(*o, "expires_in"); expires && *expires >= 0) {
    r.expires_in = *expires;
  }
  r.refresh_token = Secret(detail::StringMember(*o, "refresh_token").value_or(""));
  if (auto scope = detail::StringMember(*o, "scope")) {
    r.scopes = SplitScopes(*scope);
  }
  return r;
}

Result<TokenResponse> RequestToken(const HttpSend& send, const http::ClientRequest& request,
                                   std::string& detail) {
  auto response = send(request);
  if (!response) {
    detail = "cannot reach the token endpoint: " + response.error().message();
    return Errc::kTemporarilyUnavailable;
  }
  return ParseTokenResponse(response->status, response->body, detail);
}

Status RevokeToken(const HttpSend& send, std::string_view revocation_endpoint,
                   const ClientRegistration& client, const Secret& token,
                   std::string_view token_type_hint, std::chrono::milliseconds timeout,
                   std::string& detail) {
  FormParams params = {{"token", std::string(token.Reveal())},
                       {"token_type_hint", std::string(token_type_hint)}};
  auto request = BuildClientRequest(revocation_endpoint, client, std::move(params));
  request.timeout = timeout;
  auto response = send(request);
  if (!response) {
    detail = "cannot reach the revocation endpoint: " + response.error().message();
    return Errc::kTemporarilyUnavailable;
  }
  if (response->status == 200) {
    return {};
  }
  detail = "the revocation endpoint answered " + OAuthErrorText(response->status, response->body);
  return response->status >= 500 || response->status == 429 ? Errc::kTemporarilyUnavailable
                                                            : Errc::kRevocationFailed;
}

}  // namespace mcpauth::oauth::client
