// Client registration: RFC 7591 Dynamic Client Registration requests, and Client ID Metadata
// Documents (draft-ietf-oauth-client-id-metadata-document; MCP 2025-11-25 / 2026-07-28), turned
// into store::Client rows. I/O-free: fetching a document is ClientMetadataFetcher's job.
//
// DCR (RFC 7591 §2, §3.1, §3.2): the body is a JSON object (≤ 16 KiB, checked by the caller).
//   - redirect_uris: required, 1..20 strings (after duplicates are dropped), each
//     RedirectUriProblem()-free → else `invalid_redirect_uri`.
//   - token_endpoint_auth_method: "none" | "client_secret_basic" | "client_secret_post"; default
//     "client_secret_basic" (RFC 7591 §2) → else `invalid_client_metadata`.
//   - grant_types ⊆ {"authorization_code","refresh_token"}, default ["authorization_code"];
//     response_types ⊆ {"code"}, default ["code"]; "authorization_code" requires "code" and the
//     reverse (§2.1) → else `invalid_client_metadata`.
//   - application_type: "native" | "web" (OIDC Registration §2). Absent: "native" when every
//     redirect URI is loopback or a private-use scheme (MCP clients are native apps that often
//     omit it), else "web".
//   - client_name (≤ 200 bytes; no control characters (C0, DEL, C1), U+2028/U+2029 or
//     bidirectional formatting characters, which could disguise the name on the consent page;
//     absent or empty: the first redirect URI's display host); client_uri / logo_uri / tos_uri /
//     policy_uri must be http(s) URLs with a host and without userinfo (else
//     `invalid_client_metadata`); scope must ParseScope() (else `invalid_client_metadata`);
//     software_id, software_version (strings) and contacts (array of strings) are kept.
//   - duplicates in grant_types, response_types, redirect_uris and contacts are dropped.
//   - unknown members are ignored and not echoed (§2: "MUST ignore").
//   - a `client_id` or `client_secret` in the request is ignored.
// The response (§3.2.1) is 201 with every registered member, client_id, client_id_issued_at,
// and for confidential clients client_secret + client_secret_expires_at (0 = never).
//
// Metadata documents (CIMD §3, §4): the client_id is an https URL (scheme in lowercase: the id
// is an exact string) with a path other than "/", no fragment, no userinfo, no percent-encoded
// host, no dot segments (percent-encoded ones included; a query is allowed), ≤ 2048 bytes. The
// document is a JSON object whose `client_id` equals the URL exactly, with a non-empty
// `client_name` and `redirect_uris` (each RedirectUriProblem()-free); token_endpoint_auth_method
// must be "none" or absent (shared secrets cannot be published; private_key_jwt is not
// supported yet), and a `client_secret` member is refused. The other members follow the DCR
// rules above. A CIMD client is public. Every document error is `invalid_client`.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mcpauth/store/types.hpp"

namespace mcpauth::oauth {

// An RFC 7591 §3.2.2 (or RFC 6749 §5.2) error: `error` is the code, `description` a sentence for
// error_description (ASCII, no client input echoed beyond short member names).
struct RegistrationError {
  std::string error;  // "invalid_redirect_uri" | "invalid_client_metadata" | "invalid_client" ...
  std::string description;
};

// A validated registration, ready to be stored once the caller has set client_id, secret_hash,
// created_at and expires_at. `client.metadata_json` holds the registered members as a JSON
// object (what the 201 response and GET of the registration echo).
struct ValidatedClient {
  store::Client client;
  std::vector<std::string> scopes;  // the `scope` member, parsed (empty if absent)
  bool confidential = false;        // token_endpoint_auth_method != "none"
};

struct RegistrationResult {
  std::optional<ValidatedClient> client;  // set on success
  RegistrationError error;                // set on failure
};

// Validates a DCR request body (source kDcr).
RegistrationResult ValidateRegistrationRequest(std::string_view json_body);

// The 201 response body for a stored DCR client: its metadata_json members plus client_id,
// client_id_issued_at, and (if `client_secret` is set) client_secret and
// client_secret_expires_at (`secret_expires_at` in seconds since the epoch, 0 = never).
std::string RegistrationResponseJson(const store::Client& client,
                                     std::optional<std::string_view> client_secret,
                                     int64_t secret_expires_at);

// True if `client_id` has the shape of a metadata-document URL (https, path, no fragment,
// userinfo or dot segments, ≤ 2048 bytes). DCR client ids never have this shape.
bool IsMetadataDocumentUrl(std::string_view client_id);

// Validates a fetched document for `url` (source kCimd, public client, name from `client_name`).
RegistrationResult ValidateMetadataDocument(std::string_view url, std::string_view json_body);

}  // namespace mcpauth::oauth
