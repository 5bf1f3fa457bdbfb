// Client authentication at the token, revocation and introspection endpoints (RFC 6749 §2.3,
// OAuth 2.1 §2.4, SPEC-CHECKLIST AS16).
//
// Methods: `client_secret_basic` (Authorization: Basic over form-urlencoded id:secret, RFC 6749
// §2.3.1), `client_secret_post` (client_id + client_secret in the body) and `none` (a public
// client sends only client_id). Using two methods at once is invalid_request (RFC 6749 §2.3:
// "MUST NOT use more than one authentication method in each request"). A confidential client may
// use either secret method (both carry the same secret over the same TLS); a public client must use
// `none`, and a secret sent for it is refused. The secret is compared as TokenHash() in constant
// time; an expired secret (client.expires_at for a confidential DCR client) is refused.
// Failures are invalid_client (401); the handler adds `WWW-Authenticate: Basic`.
#pragma once

#include <optional>
#include <string_view>

#include "mcpauth/http/form.hpp"
#include "mcpauth/http/message.hpp"
#include "mcpauth/oauth/token_service.hpp"
#include "mcpauth/store/store.hpp"

namespace mcpauth::oauth {

struct ClientAuthResult {
  std::optional<store::Client> client;  // set on success
  OAuthError error;                     // set on failure
  bool confidential = false;            // authenticated with a secret
};

ClientAuthResult AuthenticateClient(const http::Request& request, const http::Form& form,
                                    store::ClientStore& clients, Clock::TimePoint now);

}  // namespace mcpauth::oauth
