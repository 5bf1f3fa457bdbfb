// The authorization request and its response, free of I/O: PKCE (RFC 7636), `state`, the
// authorization URL, and the checks on what comes back to the loopback redirect URI.
//
// - PKCE (OAuth 2.1 §4.1.1, RFC 7636 §4.1-4.2, CL6): code_verifier = base64url of 32 random
//   bytes (43 characters of the unreserved set), code_challenge = base64url(SHA-256(verifier)),
//   method S256 always.
// - state (OAuth 2.1 §7.9 / §4.1.1, CL14): base64url of 32 random bytes, one per flow.
// - The authorization URL (CL13, CL15): response_type=code, client_id, redirect_uri (always
//   sent), code_challenge, code_challenge_method=S256, state, scope (only when non-empty), and
//   resource (RFC 8707, when given), appended to the endpoint keeping any query it has.
// - ValidateAuthorizationResponse(), in order, on the callback's query:
//     1. it parses, with no parameter twice (RFC 6749 §3.1)             -> kInvalidCallback
//     2. `state` present and equal to ours, compared in constant time  -> kStateMismatch
//        (before anything else is believed: a forged callback learns nothing and changes
//        nothing; it only ends the flow)
//     3. `iss` (RFC 9207 §2.4): if present it must equal the issuer exactly; if absent while
//        the AS advertised authorization_response_iss_parameter_supported, refused
//                                                                     -> kIssuerMismatch
//     4. `error` present -> kAuthorizationDenied, with error and error_description (printable
//        ASCII only) in `detail`: the flow ends, it is never retried by itself (PEERS pain
//        point 15: callbacks with ?error= looping browser tabs)
//     5. exactly one non-empty `code`                                  -> kInvalidCallback
//
// Thread-safety: pure functions (GeneratePkce/GenerateState use the SecureRandom given).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mcpauth/core/random.hpp"
#include "mcpauth/core/result.hpp"
#include "mcpauth/core/secret.hpp"

namespace mcpauth::oauth::client {

struct Pkce {
  Secret verifier;
  std::string challenge;  // S256
};
Pkce GeneratePkce(SecureRandom& random);
// base64url(SHA-256(verifier)) — RFC 7636 §4.2.
std::string S256Challenge(std::string_view verifier);

Secret GenerateState(SecureRandom& random);

struct AuthorizationRequest {
  std::string authorization_endpoint;
  std::string client_id;
  std::string redirect_uri;
  std::string code_challenge;
  std::string state;
  std::vector<std::string> scopes;  // empty: no scope parameter
  std::string resource;             // empty: no resource parameter
};
std::string BuildAuthorizationUrl(const AuthorizationRequest& request);

struct CallbackExpectation {
  std::string state;
  std::string issuer;
  bool iss_required = false;  // the AS advertised authorization_response_iss_parameter_supported
};

// On success the authorization code. `query` is the raw query string of the callback request.
Result<Secret> ValidateAuthorizationResponse(std::string_view query,
                                             const CallbackExpectation& expected,
                                             std::string& detail);

}  // namespace mcpauth::oauth::client
