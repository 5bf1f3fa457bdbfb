#include "mcpauth/oauth/client/errc.hpp"

#include <string>

#include "mcpauth/http/client.hpp"

namespace mcpauth::oauth::client {

namespace {

class Category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "mcpauth.oauth.client"; }
  std::string message(int value) const override {
    switch (static_cast<Errc>(value)) {
      case Errc::kOk:
        return "success";
      case Errc::kInvalidServerUrl:
        return "the MCP server URL is not an absolute http(s) URL";
      case Errc::kDiscoveryFailed:
        return "the authorization metadata could not be read";
      case Errc::kResourceMismatch:
        return "the protected resource metadata names another resource";
      case Errc::kNoAuthorizationServer:
        return "no authorization server metadata found";
      case Errc::kIssuerMismatch:
        return "the authorization server's issuer does not match";
      case Errc::kPkceNotSupported:
        return "the authorization server does not support PKCE S256";
      case Errc::kInsecureEndpoint:
        return "an OAuth endpoint is not https";
      case Errc::kNoRegistration:
        return "no client registration is possible";
      case Errc::kRegistrationFailed:
        return "client registration failed";
      case Errc::kBrowserFailed:
        return "the browser could not be opened";
      case Errc::kLoginTimeout:
        return "the sign-in timed out";
      case Errc::kStateMismatch:
        return "the authorization response does not belong to this sign-in";
      case Errc::kAuthorizationDenied:
        return "the authorization server refused the authorization";
      case Errc::kInvalidCallback:
        return "the authorization response is invalid";
      case Errc::kLoginRequired:
        return "a sign-in is required";
      case Errc::kInvalidGrant:
        return "the grant is no longer valid";
      case Errc::kInvalidClient:
        return "the authorization server does not accept this client";
      case Errc::kTokenEndpointError:
        return "the token endpoint refused the request";
      case Errc::kTemporarilyUnavailable:
        return "the authorization server is temporarily unavailable";
      case Errc::kBadTokenResponse:
        return "the token response is invalid";
      case Errc::kUnauthorizedAfterLogin:
        return "the MCP server refuses the token just obtained";
      case Errc::kInsufficientScope:
        return "the token lacks the scopes this operation needs";
      case Errc::kTooManyAuthorizations:
        return "too many authorizations for one operation";
      case Errc::kForbidden:
        return "the MCP server forbids this operation";
      case Errc::kStorageFailed:
        return "the credential storage failed";
      case Errc::kRevocationFailed:
        return "the revocation failed";
    }
    return "unknown oauth client error";
  }
};

}  // namespace

const boost::system::error_category& OAuthClientCategory() noexcept {
  static const Category category;
  return category;
}

bool IsTransient(const ErrorCode& ec) {
  if (ec == Errc::kTemporarilyUnavailable || ec == Errc::kDiscoveryFailed) {
    return true;
  }
  if (ec.category() == http::ClientCategory()) {
    switch (static_cast<http::ClientErrc>(ec.value())) {
      case http::ClientErrc::kResolveFailed:
      case http::ClientErrc::kConnectFailed:
      case http::ClientErrc::kTimeout:
      case http::ClientErrc::kConnectionClosed:
        return true;
      default:
        return false;
    }
  }
  return false;
}

}  // namespace mcpauth::oauth::client
