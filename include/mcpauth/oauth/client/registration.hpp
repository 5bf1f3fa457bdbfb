// Getting a client_id (SPEC-CHECKLIST CL7-CL11; MCP 2025-11-25 "Client Registration
// Approaches", 2026-07-28): the choice, and Dynamic Client Registration (RFC 7591) I/O-free
// plus one HTTP call.
//
// ChooseRegistration(), first that applies:
//   1. a pre-registered client (--client-id [--client-secret]) — always honoured, never replaced
//      by DCR (PEERS pain points 7, 8: enterprise IdPs without open DCR);
//   2. a Client ID Metadata Document URL, if configured and the AS advertises
//      client_id_metadata_document_supported (the preferred mechanism in 2026-07-28);
//   3. a stored dynamic registration for this issuer whose secret has not expired (keyed by
//      issuer: never reused with another authorization server; reused across logins and
//      servers of that AS, PEERS pain point 18);
//   4. a new dynamic registration if the AS has a registration_endpoint;
//   5. none: the user must pre-register (the message says how).
// The DCR request (RFC 7591 §2, CL8): client_name, redirect_uris ["http://127.0.0.1/callback"]
// (loopback without port: RFC 8252 §7.3), grant_types [authorization_code, refresh_token],
// response_types [code], token_endpoint_auth_method "none" (omitting it would mean
// client_secret_basic, RFC 7591 §2), application_type "native" (MCP 2026-07-28: MUST be sent),
// optional client_uri / software_id / software_version. The answer (RFC 7591 §3.2.1): 201 (200
// tolerated) with client_id; client_secret and the method the AS actually registered are used
// as returned; client_secret_expires_at (0 = never) is kept so an expired secret leads to a
// new registration rather than a dead end (PEERS pain point 19).
//
// Token-endpoint client authentication (CL9, OAuth 2.1 §2.4): the registered method; for a
// pre-registered client without one: a secret -> client_secret_basic unless the AS lists only
// client_secret_post (RFC 8414 §2: absent list = client_secret_basic); no secret -> none.
//
// Thread-safety: pure functions; RegisterClient() as the HttpSend.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mcpauth/core/clock.hpp"
#include "mcpauth/core/result.hpp"
#include "mcpauth/core/secret.hpp"
#include "mcpauth/oauth/client/discovery.hpp"
#include "mcpauth/oauth/client/token_storage.hpp"

namespace mcpauth::oauth::client {

struct PreRegisteredClient {
  std::string client_id;
  Secret client_secret;
  std::string token_endpoint_auth_method;  // empty: chosen as above
};

enum class RegistrationChoice {
  kPreRegistered,
  kMetadataDocument,
  kStored,
  kDynamic,
  kNone,
};

RegistrationChoice ChooseRegistration(const std::optional<PreRegisteredClient>& pre_registered,
                                      std::string_view client_metadata_url,
                                      const AuthorizationServerMetadata& as,
                                      const std::optional<ClientRegistration>& stored,
                                      Clock::TimePoint now);

// The registration a pre-registered or metadata-document client uses.
ClientRegistration PreRegistration(const PreRegisteredClient& client,
                                   const AuthorizationServerMetadata& as);
ClientRegistration MetadataDocumentRegistration(std::string_view client_metadata_url,
                                                const AuthorizationServerMetadata& as);

struct DynamicRegistrationRequest {
  std::string client_name = "mcpauth";
  std::string redirect_uri;  // RegisteredRedirectUri()
  std::string client_uri;
  std::string software_id;
  std::string software_version;
};
std::string BuildRegistrationRequest(const DynamicRegistrationRequest& request);

// Parses the registration endpoint's answer for `issuer`.
Result<ClientRegistration> ParseRegistrationResponse(int status, std::string_view body,
                                                     std::string_view issuer,
                                                     std::string_view redirect_uri,
                                                     std::string& detail);

Result<ClientRegistration> RegisterClient(const HttpSend& send,
                                          const AuthorizationServerMetadata& as,
                                          const DynamicRegistrationRequest& request,
                                          std::chrono::milliseconds timeout, std::string& detail);

}  // namespace mcpauth::oauth::client
