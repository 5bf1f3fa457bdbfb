// The token and revocation endpoints as the client sees them: requests built and answers
// classified without I/O, plus one HTTP call each.
//
// Requests (application/x-www-form-urlencoded, OAuth 2.1 §3.2.2, §4.1.3, §4.3.1; CL13, CL18):
//   code:    grant_type=authorization_code, code, redirect_uri (the very string of the
//            authorization request), code_verifier, resource (RFC 8707, when sent at all)
//   refresh: grant_type=refresh_token, refresh_token, resource
// Client authentication (OAuth 2.1 §2.4.1, RFC 6749 §2.3.1; CL9) by the registration's method:
//   none: client_id in the body; client_secret_post: client_id and client_secret in the body;
//   client_secret_basic: `Authorization: Basic base64(form-encode(id) ":" form-encode(secret))`
//   and no client credentials in the body.
//
// Answers:
//   200 with a JSON object: access_token (non-empty string) and token_type equal to "Bearer"
//   ignoring case (CL18: the TS SDK's AS says "bearer"; any other type, e.g. DPoP, is refused:
//   we could not use it), expires_in, refresh_token, scope (absent: as requested, RFC 6749 §5.1);
//   unknown members ignored.
//   Errors, classified (PEERS pain point 23, CL21; cloudflare/mcp PR #137):
//     invalid_grant                              -> kInvalidGrant   (drop the tokens)
//     invalid_client, unauthorized_client        -> kInvalidClient  (drop the registration)
//     temporarily_unavailable, server_error, HTTP 5xx, 429, network errors, a non-JSON answer
//                                                -> kTemporarilyUnavailable (keep everything)
//     anything else (invalid_request, invalid_scope, invalid_target, ...)
//                                                -> kTokenEndpointError (keep; log in again)
// Revocation (RFC 7009 §2.1): token, token_type_hint, client authentication as above; 200 is
// success (also for an unknown token, §2.2); 503 is retryable (§2.2.1).
//
// Secrets (codes, verifiers, tokens, client secrets) are core::Secret until they are written
// into a request body; `detail` strings never contain them.
//
// Thread-safety: pure functions; the I/O ones as the HttpSend.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mcpauth/core/result.hpp"
#include "mcpauth/core/secret.hpp"
#include "mcpauth/http/client.hpp"
#include "mcpauth/oauth/client/discovery.hpp"
#include "mcpauth/oauth/client/errc.hpp"
#include "mcpauth/oauth/client/token_storage.hpp"

namespace mcpauth::oauth::client {

struct TokenResponse {
  Secret access_token;
  std::string token_type;
  std::optional<int64_t> expires_in;
  Secret refresh_token;                            // empty when none was issued
  std::optional<std::vector<std::string>> scopes;  // nullopt: not in the answer
};

using FormParams = std::vector<std::pair<std::string, std::string>>;

FormParams CodeExchangeParams(const Secret& code, std::string_view redirect_uri,
                              const Secret& verifier, std::string_view resource);
FormParams RefreshParams(const Secret& refresh_token, std::string_view resource);

// The POST to `endpoint` with `params` and the client authentication of `client`.
http::ClientRequest BuildClientRequest(std::string_view endpoint, const ClientRegistration& client,
                                       FormParams params);

// Classifies an error answer (status, body) of the token endpoint into the Errc above.
Errc ClassifyTokenError(int status, std::string_view body);

// Parses a token-endpoint answer (status and body); on failure `detail` says why.
Result<TokenResponse> ParseTokenResponse(int status, std::string_view body, std::string& detail);

// Sends a token request; network failures are kTemporarilyUnavailable.
Result<TokenResponse> RequestToken(const HttpSend& send, const http::ClientRequest& request,
                                   std::string& detail);

// RFC 7009 revocation of one token. kTemporarilyUnavailable for network errors, 5xx, 429;
// kRevocationFailed for other refusals.
Status RevokeToken(const HttpSend& send, std::string_view revocation_endpoint,
                   const ClientRegistration& client, const Secret& token,
                   std::string_view token_type_hint, std::chrono::milliseconds timeout,
                   std::string& detail);

}  // namespace mcpauth::oauth::client
