#include "mcpauth/oauth/client/registration.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "mcpauth/oauth/client/errc.hpp"
#include "oauth/client/json_util.hpp"

namespace mcpauth::oauth::client {

namespace json = boost::json;

namespace {

bool Lists(const std::vector<std::string>& list, std::string_view s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

// The OAuth error of a JSON error body, for messages.
std::string ErrorText(std::string_view body) {
  auto o = detail::ParseObject(body);
  if (!o) {
    return "";
  }
  std::string text = detail::Printable(detail::StringMember(*o, "error").value_or(""), 60);
  if (auto d = detail::StringMember(*o, "error_description"); d && !d->empty()) {
    text += (text.empty() ? "" : ": ") + detail::Printable(*d);
  }
  return text;
}

}  // namespace

RegistrationChoice ChooseRegistration(const std::optional<PreRegisteredClient>& pre_registered,
                                      std::string_view client_metadata_url,
                                      const AuthorizationServerMetadata& as,
                                      const std::optional<ClientRegistration>& stored,
                                      Clock::TimePoint now) {
  if (pre_registered && !pre_registered->client_id.empty()) {
    return RegistrationChoice::kPreRegistered;
  }
  if (!client_metadata_url.empty() && as.client_id_metadata_document_supported) {
    return RegistrationChoice::kMetadataDocument;
  }
  if (stored && stored->kind == RegistrationKind::kDynamic && stored->issuer == as.issuer &&
      !(stored->secret_expires_at && *stored->secret_expires_at <= now)) {
    return RegistrationChoice::kStored;
  }
  if (!as.registration_endpoint.empty()) {
    return RegistrationChoice::kDynamic;
  }
  return RegistrationChoice::kNone;
}

ClientRegistration PreRegistration(const PreRegisteredClient& client,
                                   const AuthorizationServerMetadata& as) {
  ClientRegistration r;
  r.issuer = as.issuer;
  r.client_id = client.client_id;
  r.client_secret = client.client_secret;
  r.kind = RegistrationKind::kPreRegistered;
  if (!client.token_endpoint_auth_method.empty()) {
    r.token_endpoint_auth_method = client.token_endpoint_auth_method;
  } else if (client.client_secret.empty()) {
    r.token_endpoint_auth_method = "none";
  } else {
    const auto& methods = as.token_endpoint_auth_methods_supported;
    const bool basic =
        !as.token_endpoint_auth_methods_present || Lists(methods, "client_secret_basic");
    r.token_endpoint_auth_method = basic || !Lists(methods, "client_secret_post")
                                       ? "client_secret_basic"
                                       : "client_secret_post";
  }
  return r;
}

ClientRegistration MetadataDocumentRegistration(std::string_view client_metadata_url,
                                                const AuthorizationServerMetadata& as) {
  ClientRegistration r;
  r.issuer = as.issuer;
  r.client_id = std::string(client_metadata_url);
  r.kind = RegistrationKind::kMetadataDocument;
  r.token_endpoint_auth_method = "none";  // a metadata document carries no shared secret
  return r;
}

std::string BuildRegistrationRequest(const DynamicRegistrationRequest& request) {
  json::object o;
  o["client_name"] = request.client_name;
  o["redirect_uris"] = json::array{json::string(request.redirect_uri)};
  o["grant_types"] = json::array{"authorization_code", "refresh_token"};
  o["response_types"] = json::array{"code"};
  o["token_endpoint_auth_method"] = "none";
  o["application_type"] = "native";
  if (!request.client_uri.empty()) {
    o["client_uri"] = request.client_uri;
  }
  if (!request.software_id.empty()) {
    o["software_id"] = request.software_id;
  }
  if (!request.software_version.empty()) {
    o["software_version"] = request.software_version;
  }
  return json::serialize(o);
}

Result<ClientRegistration> ParseRegistrationResponse(int status, std::string_view body,
                                                     std::string_view issuer,
                                                     std::string_view redirect_uri,
                                                     std::string& detail) {
  if (status != 201 && status != 200) {
    const std::string why = ErrorText(body);
    detail = "dynamic client registration failed: HTTP " + std::to_string(status) +
             (why.empty() ? "" : " " + why);
    return Errc::kRegistrationFailed;
  }
  auto o = detail::ParseObject(body);
  auto client_id = o ? detail::StringMember(*o, "client_id") : std::nullopt;
  if (!client_id || client_id->empty()) {
    detail = "dynamic client registration answered without a client_id";
    return Errc::kRegistrationFailed;
  }
  ClientRegistration r;
  r.issuer = std::string(issuer);
  r.client_id = std::move(*client_id);
  r.client_secret = Secret(detail::StringMember(*o, "client_secret").value_or(""));
  r.kind = RegistrationKind::kDynamic;
  r.redirect_uri = std::string(redirect_uri);
  // RFC 7591 §3.2.1: the server returns what it registered, which may differ from the request.
  auto method = detail::StringMember(*o, "token_endpoint_auth_method");
  if (method && !method->empty()) {
    r.token_endpoint_auth_method = std::move(*method);
  } else {
    r.token_endpoint_auth_method = r.client_secret.empty() ? "none" : "client_secret_basic";
  }
  if (auto expires = detail::IntMember(*o, "client_secret_expires_at"); expires && *expires > 0) {
    r.secret_expires_at = Clock::TimePoint(std::chrono::seconds(*expires));
  }
  return r;
}

Result<ClientRegistration> RegisterClient(const HttpSend& send,
                                          const AuthorizationServerMetadata& as,
                                          const DynamicRegistrationRequest& request,
                                          std::chrono::milliseconds timeout, std::string& detail) {
  http::ClientRequest http_request{.method = "POST", .url = as.registration_endpoint};
  http_request.headers.Set("Content-Type", "application/json");
  http_request.headers.Set("Accept", "application/json");
  http_request.body = BuildRegistrationRequest(request);
  http_request.timeout = timeout;
  auto response = send(http_request);
  if (!response) {
    detail = "cannot reach the registration endpoint: " + response.error().message();
    return Errc::kTemporarilyUnavailable;
  }
  if (response->status >= 500 || response->status == 429) {
    detail = "the registration endpoint answered HTTP " + std::to_string(response->status);
    return Errc::kTemporarilyUnavailable;
  }
  return ParseRegistrationResponse(response->status, response->body, as.issuer,
                                   request.redirect_uri, detail);
}

}  // namespace mcpauth::oauth::client
