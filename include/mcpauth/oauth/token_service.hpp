// TokenService: where codes and tokens are born, exchanged, rotated, revoked and introspected.
// The HTTP handlers parse and authenticate; this class decides, talks to the store, signs, and
// writes the audit log. No HTTP here: every method takes plain values and returns the OAuth error
// to send, so the rules are unit-tested without sockets.
//
// Rules (SPEC-CHECKLIST AS14, AS17-AS21, AS25; docs/oauth-server.md):
// - IssueCode: a new grant (user, client, scopes, resource) and a 256-bit code stored as its hash,
//   valid config.code_lifetime (≤ 60 s), bound to client, redirect_uri, S256 challenge, scopes,
//   resource. Audit "grant.created".
// - ExchangeCode (grant_type=authorization_code, client already authenticated):
//     code unknown / expired / other client's / grant revoked            -> invalid_grant
//       (another client's code is refused before it is consumed: nothing changes)
//     code used before: the grant it issued is revoked (RFC 6749 §4.1.2;
//       OAuth 2.1 §4.1.3), audit "code.replayed"                          -> invalid_grant
//     code_verifier missing                                                -> invalid_request
//     code_verifier not 43-128 unreserved chars, or S256 mismatch          -> invalid_grant
//     redirect_uri sent and != the authorization request's (exact)         -> invalid_grant
//     redirect_uri not sent but the authorization request had one and the
//       client registered several                                          -> invalid_request
//     resource sent and not the grant's resource                           -> invalid_target
//     the grant's user deleted or disabled                                 -> invalid_grant
//   The code is consumed (atomically, by the store) before PKCE is checked, so a guessed
//   verifier cannot be retried on the same code.
//   Success: an access token (below) and, if the client may refresh (its grant_types include
//   "refresh_token", or the grant's scopes include offline_access), a refresh token valid
//   config.refresh_token_lifetime. Audit "token.issued".
// - Refresh (grant_type=refresh_token): rotation by store::GrantStore::RotateRefreshToken with
//   config.refresh_grace (docs/store.md's grace rule):
//     unknown, other client's, expired, revoked                           -> invalid_grant
//     replay outside the grace rule: the store revoked the grant; audit
//       "refresh.replay_detected"                                          -> invalid_grant
//     scope sent and not a subset of the grant's                           -> invalid_scope
//     resource sent and not the grant's                                    -> invalid_target
//     the grant's user deleted or disabled                                 -> invalid_grant
//   Everything but the replay is checked before rotating, so a refused request leaves the
//   presented token as it was.
//   Success: a new access token (with the requested narrower scopes, if any) and the successor
//   refresh token. Audit "token.refreshed".
// - Access tokens: ES256 JWT, RFC 9068: header typ "at+jwt", kid; claims iss, sub (user id),
//   aud (the grant's resource), client_id, scope, iat, exp (iat + access_token_lifetime), jti
//   (128-bit random), grant_id, preferred_username.
// - Revoke (RFC 7009): a refresh token or one of our access tokens issued to `client` revokes its
//   grant (a self-contained JWT can only be revoked through its grant); unknown tokens and tokens
//   of other clients change nothing and still succeed (§2.2: 200). A token_type_hint other than
//   access_token / refresh_token -> unsupported_token_type. Audit "grant.revoked".
// - Introspect (RFC 7662): for an authenticated confidential caller. Active only if the token is
//   ours, unexpired, its grant unrevoked, and the caller is the token's client or a resource
//   server client (IsResourceServerClient). A rotated or superseded refresh token is inactive,
//   and a caller without a secret learns nothing. Inactive is {"active":false} and nothing more.
//   Our access tokens are verified once and then remembered by their SHA-256 until their exp
//   (core::DigestCache, also used by Revoke); the signing key, the grant and the caller are
//   checked again on every call, so a revoked grant or a retired key counts at once.
// - Disconnect: revokes every grant of (user, client) and forgets the consent. Audit
//   "grant.revoked" with detail {"by":"user"}.
//
// Thread-safety: every method may be called concurrently (the store serialises what must be).
// Store calls block: call from a worker pool, not a network thread, where the backend is remote
// (SQLite in WAL mode with short transactions is fine on the network thread). Ownership: keeps
// references to everything it is given; they must outlive it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mcpauth/core/clock.hpp"
#include "mcpauth/core/digest_cache.hpp"
#include "mcpauth/core/random.hpp"
#include "mcpauth/core/result.hpp"
#include "mcpauth/core/secret.hpp"
#include "mcpauth/oauth/server_config.hpp"
#include "mcpauth/oauth/signing_keys.hpp"
#include "mcpauth/store/store.hpp"

namespace mcpauth::jose {
class VerifiedJwt;
}  // namespace mcpauth::jose

namespace mcpauth::oauth {

// An OAuth error response: RFC 6749 §5.2 `error` and `error_description`, and the HTTP status
// (400; 401 for invalid_client; 500 server_error for store failures; 503 temporarily_unavailable).
struct OAuthError {
  std::string error;
  std::string description;
  int status = 400;
};

struct CodeGrantRequest {
  std::string user_id;
  std::string username;  // for the access token's preferred_username
  std::string client_id;
  // As sent to /authorize; empty if it was omitted, and then the code is bound to the client's
  // only registered redirect URI (IssueCode fails with store::Errc::kInvalidArgument if the
  // client has several: /authorize must not have accepted the omission).
  std::string redirect_uri;
  std::string code_challenge;  // S256 only
  std::vector<std::string> scopes;
  std::string resource;  // the canonical ProtectedResource::uri
  std::string ip;        // for the audit log
};

struct IssuedCode {
  Secret code;
  std::string grant_id;
};

struct CodeExchange {
  std::string code;
  std::optional<std::string> code_verifier;
  std::optional<std::string> redirect_uri;
  std::optional<std::string> resource;
  std::string ip;
};

struct RefreshRequest {
  std::string refresh_token;
  std::optional<std::vector<std::string>> scopes;  // a narrower set, if the client asked
  std::optional<std::string> resource;
  std::string ip;
};

struct IssuedTokens {
  Secret access_token;
  int64_t expires_in = 0;  // seconds
  std::vector<std::string> scopes;
  std::optional<Secret> refresh_token;
  std::string grant_id;
};

struct TokenOutcome {
  std::optional<IssuedTokens> tokens;  // set on success
  OAuthError error;                    // set on failure
};

// The RFC 6749 §5.1 JSON body: access_token, token_type "Bearer", expires_in, scope,
// refresh_token (if any).
std::string TokenResponseJson(const IssuedTokens& tokens);

// True for a client that resource servers use to introspect any token: a confidential client
// whose metadata_json has "mcpauth_resource_server": true (`mcpauth-server client add
// --resource-server`).
bool IsResourceServerClient(const store::Client& client);

class TokenService {
 public:
  TokenService(const AuthorizationServerConfig& config, store::Store& store,
               SigningKeyManager& keys, const Clock& clock, SecureRandom& random);
  TokenService(const TokenService&) = delete;
  TokenService& operator=(const TokenService&) = delete;
  ~TokenService();

  Result<IssuedCode> IssueCode(const CodeGrantRequest& request);
  TokenOutcome ExchangeCode(const store::Client& client, const CodeExchange& request);
  TokenOutcome Refresh(const store::Client& client, const RefreshRequest& request);
  // nullopt: 200 with an empty body.
  std::optional<OAuthError> Revoke(const store::Client& client, std::string_view token,
                                   std::string_view token_type_hint, std::string_view ip);
  // The RFC 7662 response body (always 200).
  std::string Introspect(const store::Client& caller, std::string_view token);
  // Revokes the grants of (user, client) and deletes the consent; returns how many grants.
  Result<int64_t> Disconnect(std::string_view user_id, std::string_view client_id,
                             std::string_view ip);

  // Called, on the revoking thread, with each grant this service revokes (Revoke, Disconnect,
  // code and refresh-token replay), right after the store did: a resource server in the same
  // process drops the grant's access tokens before the next request. Revocations made elsewhere
  // (another process, another node) reach resource servers through the store
  // (GrantStore::ListRevokedGrantsSince). Set it before serving; it must be thread-safe.
  using RevocationListener =
      std::function<void(const std::string& grant_id, Clock::TimePoint revoked_at)>;
  void SetRevocationListener(RevocationListener listener);

 private:
  void NotifyRevoked(const std::string& grant_id, Clock::TimePoint revoked_at) const;
  // One of our access tokens, verified as its issuer (or remembered from an earlier
  // verification while its key is still published); null if it is not ours or has expired.
  std::shared_ptr<const jose::VerifiedJwt> VerifyAccessToken(std::string_view token);

  const AuthorizationServerConfig& config_;
  RevocationListener revocation_listener_;
  store::Store& store_;
  SigningKeyManager& keys_;
  const Clock& clock_;
  SecureRandom& random_;
  core::DigestCache<std::shared_ptr<const jose::VerifiedJwt>> verified_;
};

}  // namespace mcpauth::oauth
