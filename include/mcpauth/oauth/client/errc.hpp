// Error codes of the OAuth client (module oauth/client), as a boost::system error category.
//
// Every expected failure of discovery, registration, the browser login, the token endpoint and
// the retry policy is one of these values; the sentence for a person (what the server said, what
// to do) travels beside it (OAuthSession::last_error(), the `detail` out-parameters).
// IsTransient() says which failures keep stored credentials (SPEC-CHECKLIST CL21, PEERS pain
// point 23). Thread-safety: the category is a stateless singleton.
#pragma once

#include <boost/system/error_code.hpp>

#include "mcpauth/core/result.hpp"

namespace mcpauth::oauth::client {

enum class Errc {
  kOk = 0,
  // Discovery ---------------------------------------------------------------------------------
  kInvalidServerUrl = 1,       // the MCP server URL is not an absolute http(s) URL
  kDiscoveryFailed = 2,        // metadata could not be read (network error, 5xx, garbage JSON)
  kResourceMismatch = 3,       // PRM `resource` is not this server (RFC 9728 §3.3)
  kNoAuthorizationServer = 4,  // PRM found but no authorization server metadata
  kIssuerMismatch = 5,         // metadata `issuer` (RFC 8414 §3.3) or `iss` (RFC 9207) differs
  kPkceNotSupported = 6,       // code_challenge_methods_supported absent or without S256
  kInsecureEndpoint = 7,       // an OAuth endpoint that is neither https nor loopback http
  // Registration ------------------------------------------------------------------------------
  kNoRegistration = 8,      // no client id: none configured, no CIMD, no registration_endpoint
  kRegistrationFailed = 9,  // the registration endpoint refused or answered garbage
  // Browser login -----------------------------------------------------------------------------
  kBrowserFailed = 10,        // the browser could not be started (or the hook failed)
  kLoginTimeout = 11,         // no callback arrived in time
  kStateMismatch = 12,        // callback `state` missing or not ours (OAuth 2.1 §7.9)
  kAuthorizationDenied = 13,  // the AS redirected back with `error` (access_denied, ...)
  kInvalidCallback = 14,      // callback without a single `code`, or malformed
  kLoginRequired = 15,        // non-interactive and no usable credentials
  // Token endpoint ----------------------------------------------------------------------------
  kInvalidGrant = 16,            // invalid_grant: the tokens were dropped
  kInvalidClient = 17,           // invalid_client / unauthorized_client: registration dropped
  kTokenEndpointError = 18,      // another OAuth error (invalid_scope, invalid_target, ...)
  kTemporarilyUnavailable = 19,  // network, 5xx, 429, temporarily_unavailable: creds kept
  kBadTokenResponse = 20,        // no access_token, a token_type other than Bearer, ...
  // Retry policy (MCP authorization, step-up) -------------------------------------------------
  kUnauthorizedAfterLogin = 21,  // the server refuses a token obtained a moment ago
  kInsufficientScope = 22,       // still 403 insufficient_scope after re-authorizing
  kTooManyAuthorizations = 23,   // the per-operation limit of authorizations was reached
  kForbidden = 24,               // 403 that is not about scope
  // Storage / logout --------------------------------------------------------------------------
  kStorageFailed = 25,     // the TokenStorage failed (locked keyring, I/O)
  kRevocationFailed = 26,  // RFC 7009 revocation failed (local credentials deleted anyway)
};

const boost::system::error_category& OAuthClientCategory() noexcept;

inline boost::system::error_code make_error_code(Errc e) noexcept {
  return {static_cast<int>(e), OAuthClientCategory()};
}

// True for failures worth retrying later with the same credentials: kTemporarilyUnavailable,
// kDiscoveryFailed, and transport errors of http::Client (connect, timeout, closed...).
bool IsTransient(const ErrorCode& ec);

}  // namespace mcpauth::oauth::client

template <>
struct boost::system::is_error_code_enum<mcpauth::oauth::client::Errc> : std::true_type {};
