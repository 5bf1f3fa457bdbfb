// TokenService: the decisions of the token, revocation and introspection endpoints, over the
// store and the signing keys. The contract, with the error of every case, is in token_service.hpp.
//
// Order of work in each flow, and why:
// - ExchangeCode reads the code's grant first to refuse another client's code without consuming
//   it, then consumes the code atomically, and only then checks PKCE, redirect_uri and resource,
//   so a guessed verifier cannot be retried on the same code.
// - Refresh reads the token and its grant first and refuses what the grant cannot satisfy (a
//   wider scope, another resource) BEFORE rotating: rotating and then refusing would throw the
//   successor away, and the client's next refresh with the old token would then look like a
//   replay and cost it the grant.
#include "mcpauth/oauth/token_service.hpp"

#include <algorithm>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <utility>

#include "mcpauth/core/base64url.hpp"
#include "mcpauth/core/crypto.hpp"
#include "mcpauth/core/log.hpp"
#include "mcpauth/core/token.hpp"
#include "mcpauth/jose/jwt.hpp"
#include "mcpauth/oauth/scopes.hpp"
#include "mcpauth/store/errc.hpp"

namespace mcpauth::oauth {
namespace {

using store::Errc;
using TimePoint = Clock::TimePoint;

constexpr std::string_view kRefreshTokenGrantType = "refresh_token";
// The contract caps codes at a minute (OAuth 2.1 §4.1.2 recommends at most ten).
constexpr std::chrono::seconds kMaxCodeLifetime{60};
// RFC 7662 §2.2: all an inactive token reveals.
constexpr std::string_view kInactive = R"({"active":false})";

// Our access tokens remembered after one verification (/introspect, /revoke): a resource server
// introspecting on every request would otherwise pay an ES256 verification each time. An entry
// holds the parsed header and claims (~1-2 KiB): 10,000 bound the cache to ~15-20 MiB, for as
// many distinct live tokens under introspection at once; beyond that, entries are dropped and
// re-verified.
constexpr size_t kVerifiedAccessTokens = 10'000;

// ---- errors ------------------------------------------------------------------------------

OAuthError InvalidRequest(std::string description) {
  return {"invalid_request", std::move(description), 400};
}
OAuthError InvalidGrant(std::string description) {
  return {"invalid_grant", std::move(description), 400};
}
OAuthError InvalidScope(std::string description) {
  return {"invalid_scope", std::move(description), 400};
}
// RFC 8707 §2: the requested resource is not the one the grant was made for.
OAuthError InvalidTarget() {
  return {"invalid_target", "the resource is not the one this grant was issued for", 400};
}
OAuthError ServerError() {
  return {"server_error", "the authorization server could not process the request", 500};
}

// A store failure that says nothing about the request: an outage the client may retry (503), or
// a bug (500). Logged here, once; the message never holds a token (store errors carry none).
OAuthError StoreFailure(const ErrorCode& ec, std::string_view during) {
  if (ec == Errc::kUnavailable) {
    log::Warn("token service: store unavailable while {}", during);
    return {"temporarily_unavailable", "the authorization server is temporarily unavailable", 503};
  }
  log::Error("token service: store error while {}: {}", during, ec.message());
  return ServerError();
}

TokenOutcome Fail(OAuthError error) { return TokenOutcome{std::nullopt, std::move(error)}; }

// ---- small pure helpers ------------------------------------------------------------------

bool Contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

int64_t UnixSeconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// RFC 7636 §4.1: code-verifier = 43*128unreserved, unreserved = ALPHA / DIGIT / "-" / "." /
// "_" / "~". Checked on bytes, not with <cctype>, which depends on the locale.
bool IsCodeVerifier(std::string_view verifier) {
  if (verifier.size() < 43 || verifier.size() > 128) {
    return false;
  }
  return std::all_of(verifier.begin(), verifier.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
  });
}

// RFC 7636 §4.6, S256 (the only method, OAuth 2.1 §4.1.1):
// BASE64URL-ENCODE(SHA256(ASCII(code_verifier))) == code_challenge. Constant time: the
// challenge is public, but a comparison that exits early would still tell a guesser how many
// leading characters of its hash were right.
bool S256Matches(std::string_view verifier, std::string_view challenge) {
  const core::Sha256Digest digest = core::Sha256(verifier);
  return core::ConstantTimeEquals(core::Base64UrlEncode(digest), challenge);
}

// ---- audit -------------------------------------------------------------------------------

// Writes an event; a failure is logged, not returned: by then the tokens exist (a code is
// consumed, a refresh token rotated), and refusing them would not undo that. Events carry ids
// only, never a token, code or secret (types.hpp).
store::AuditEvent AuditEventOf(std::string type, const store::Grant& grant, std::string_view ip,
                               TimePoint now, const boost::json::object& detail = {}) {
  return store::AuditEvent{.type = std::move(type),
                           .subject = grant.user_id,
                           .client_id = grant.client_id,
                           .grant_id = grant.id,
                           .ip = std::string(ip),
                           .time = now,
                           .detail_json = boost::json::serialize(detail)};
}

void Audit(store::AuditStore& audit, std::string type, const store::Grant& grant,
           std::string_view ip, TimePoint now, const boost::json::object& detail = {}) {
  const store::AuditEvent event = AuditEventOf(std::move(type), grant, ip, now, detail);
  if (auto id = audit.AppendAudit(event); !id) {
    log::Error("token service: audit event {} of grant {} not written: {}", event.type, grant.id,
               id.error().message());
  }
}

// ---- access tokens -----------------------------------------------------------------------

// RFC 9068 §2.2: an ES256 JWT with typ "at+jwt", audience-restricted to the grant's resource
// (RFC 8707), naming its grant so that revoking the grant revokes it at the resource servers.
Result<std::string> SignAccessToken(const SigningKeyManager& keys,
                                    const AuthorizationServerConfig& config,
                                    const store::Grant& grant, std::string_view username,
                                    const std::vector<std::string>& scopes, TimePoint now,
                                    const std::string& jti) {
  auto current = keys.Current();
  if (!current) {
    return current.error();
  }
  const int64_t iat = UnixSeconds(now);
  boost::json::object claims;
  claims["iss"] = config.issuer;
  claims["sub"] = grant.user_id;
  claims["aud"] = grant.resource;
  claims["client_id"] = grant.client_id;
  if (!scopes.empty()) {
    claims["scope"] = JoinScopes(scopes);
  }
  claims["iat"] = iat;
  claims["exp"] = iat + static_cast<int64_t>(config.access_token_lifetime.count());
  claims["jti"] = jti;
  claims["grant_id"] = grant.id;
  if (!username.empty()) {
    claims["preferred_username"] = username;
  }
  return jose::EncodeJwt(current->key, current->kid, jose::kAccessTokenType, claims);
}

// One of our access tokens, verified as its issuer: our keys, our issuer, typ at+jwt. The
// issuer is nobody's audience, so `aud` is compared with the grant by the caller instead.
Result<jose::VerifiedJwt> VerifyOwnAccessToken(const AuthorizationServerConfig& config,
                                               const SigningKeyManager& keys, const Clock& clock,
                                               std::string_view token) {
  jose::JwtVerifier verifier(clock, keys.Resolver());
  verifier.RequireIssuer(config.issuer)
      .RequireType(std::string(jose::kAccessTokenType))
      .AcceptAnyAudience()
      .RequireClaim("sub")
      .RequireClaim("client_id")
      .RequireClaim("grant_id");
  return verifier.Verify(token);
}

// RFC 7009 §2.1 lets a server find a token without the hint. Ours cannot be confused: an access
// token is a JWS in compact form (three parts joined by '.'), a refresh token 43 base64url
// characters, which have no '.'.
bool LooksLikeJwt(std::string_view token) { return token.find('.') != std::string_view::npos; }

}  // namespace

// ---- free functions ----------------------------------------------------------------------

std::string TokenResponseJson(const IssuedTokens& tokens) {
  boost::json::object body;
  body["access_token"] = tokens.access_token.Reveal();
  body["token_type"] = "Bearer";
  body["expires_in"] = tokens.expires_in;
  if (!tokens.scopes.empty()) {
    body["scope"] = JoinScopes(tokens.scopes);
  }
  if (tokens.refresh_token) {
    body["refresh_token"] = tokens.refresh_token->Reveal();
  }
  return boost::json::serialize(body);
}

bool IsResourceServerClient(const store::Client& client) {
  // Only a client that authenticates can be trusted with other clients' tokens.
  if (!client.secret_hash) {
    return false;
  }
  boost::system::error_code ec;
  const boost::json::value metadata = boost::json::parse(client.metadata_json, ec);
  if (ec || !metadata.is_object()) {
    return false;
  }
  const boost::json::value* flag = metadata.get_object().if_contains("mcpauth_resource_server");
  return flag != nullptr && flag->is_bool() && flag->get_bool();
}

// ---- TokenService ------------------------------------------------------------------------

TokenService::TokenService(const AuthorizationServerConfig& config, store::Store& store,
                           SigningKeyManager& keys, const Clock& clock, SecureRandom& random)
    : config_(config),
      store_(store),
      keys_(keys),
      clock_(clock),
      random_(random),
      verified_(kVerifiedAccessTokens) {}

TokenService::~TokenService() = default;

std::shared_ptr<const jose::VerifiedJwt> TokenService::VerifyAccessToken(std::string_view token) {
  const TimePoint now = clock_.Now();
  const core::Sha256Digest key = core::Sha256(token);
  if (auto hit = verified_.Find(key, now)) {
    // Remembered until its exp; its key must still be published (a purged key ends its tokens).
    return keys_.Find(hit->KeyId()) ? hit : nullptr;
  }
  auto jwt = VerifyOwnAccessToken(config_, keys_, clock_, token);
  if (!jwt) {
    return nullptr;
  }
  auto verified = std::make_shared<const jose::VerifiedJwt>(std::move(*jwt));
  // Until exp exactly; past it, the verifier decides again. Our tokens live access_token_lifetime,
  // so the bound only guards the conversion.
  const int64_t now_s =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const int64_t until = std::min(verified->ExpiresAt(), now_s + int64_t{366} * 24 * 3600);
  verified_.Insert(key, verified, TimePoint(std::chrono::seconds(until)), now);
  return verified;
}

Result<IssuedCode> TokenService::IssueCode(const CodeGrantRequest& request) {
  const TimePoint now = clock_.Now();
  std::string redirect_uri = request.redirect_uri;
  if (redirect_uri.empty()) {
    // OAuth 2.1 §4.1.1: redirect_uri may be left out of /authorize only when the client has
    // exactly one registered, and that is where the code goes; the code is bound to it.
    auto client = store_.GetClient(request.client_id);
    if (!client) {
      return client.error();
    }
    if (client->redirect_uris.size() != 1) {
      return Errc::kInvalidArgument;
    }
    redirect_uri = client->redirect_uris.front();
  }
  const store::Grant grant{.id = core::GenerateId(random_),
                           .user_id = request.user_id,
                           .client_id = request.client_id,
                           .scopes = request.scopes,
                           .resource = request.resource,
                           .created_at = now};
  if (auto ok = store_.CreateGrant(grant); !ok) {
    return ok.error();
  }
  // 256 random bits, stored only as their hash: the database never holds a usable code.
  Secret code = core::GenerateToken(random_);
  const store::AuthorizationCode row{
      .hash = core::TokenHash(code.Reveal()),
      .grant_id = grant.id,
      .redirect_uri = std::move(redirect_uri),
      .code_challenge = request.code_challenge,
      .scopes = request.scopes,
      .resource = request.resource,
      .created_at = now,
      .expires_at = now + std::min(config_.code_lifetime, kMaxCodeLifetime)};
  if (auto ok = store_.CreateCode(row); !ok) {
    // The grant would be one nobody can use; revoke it rather than leave it listed as live.
    if (auto revoked = store_.RevokeGrant(grant.id, now); !revoked) {
      log::Warn("token service: grant {} left without a code: {}", grant.id,
                revoked.error().message());
    }
    return ok.error();
  }
  Audit(store_, "grant.created", grant, request.ip, now,
        {{"scope", JoinScopes(grant.scopes)}, {"resource", grant.resource}});
  return IssuedCode{std::move(code), grant.id};
}

TokenOutcome TokenService::ExchangeCode(const store::Client& client, const CodeExchange& request) {
  const TimePoint now = clock_.Now();
  const std::string hash = core::TokenHash(request.code);

  // RFC 6749 §4.1.3: the code must have been issued to this client. Checked before consuming, so
  // another client presenting it neither burns it nor revokes anything. (A grant's client never
  // changes, so reading it outside the consuming transaction is safe.)
  auto stored = store_.GetCode(hash);
  if (!stored) {
    return stored.error() == Errc::kNotFound
               ? Fail(InvalidGrant("the authorization code is invalid"))
               : Fail(StoreFailure(stored.error(), "reading an authorization code"));
  }
  auto owner = store_.GetGrant(stored->grant_id);
  if (!owner) {
    return owner.error() == Errc::kNotFound
               ? Fail(InvalidGrant("the authorization code is invalid"))
               : Fail(StoreFailure(owner.error(), "reading a grant"));
  }
  if (owner->client_id != client.client_id) {
    return Fail(InvalidGrant("the authorization code is invalid"));
  }

  auto consumed = store_.ConsumeCode(hash, now);
  if (!consumed) {
    const ErrorCode ec = consumed.error();
    if (ec == Errc::kAlreadyUsed) {
      // RFC 6749 §4.1.2, OAuth 2.1 §4.1.3: a code presented twice has leaked. Revoke the grant,
      // and with it every token the first exchange issued.
      if (auto revoked = store_.RevokeGrant(owner->id, now); !revoked) {
        return Fail(StoreFailure(revoked.error(), "revoking the grant of a replayed code"));
      }
      NotifyRevoked(owner->id, now);
      Audit(store_, "code.replayed", *owner, request.ip, now, {{"grant_revoked", true}});
      return Fail(InvalidGrant("the authorization code was already used"));
    }
    if (ec == Errc::kNotFound || ec == Errc::kRevoked || ec == Errc::kExpired) {
      return Fail(InvalidGrant("the authorization code is invalid, expired or revoked"));
    }
    return Fail(StoreFailure(ec, "consuming an authorization code"));
  }
  const store::AuthorizationCode& code = consumed->code;
  const store::Grant& grant = consumed->grant;

  // PKCE (OAuth 2.1 §4.1.3, RFC 7636 §4.6). Every code carries an S256 challenge (the store
  // refuses a code without one), so a verifier is always required.
  if (!request.code_verifier) {
    return Fail(InvalidRequest("code_verifier is required"));
  }
  if (!IsCodeVerifier(*request.code_verifier)) {
    return Fail(InvalidGrant("code_verifier must be 43 to 128 unreserved characters"));
  }
  if (!S256Matches(*request.code_verifier, code.code_challenge)) {
    return Fail(InvalidGrant("code_verifier does not match the code_challenge"));
  }
  // RFC 6749 §4.1.3: if sent, redirect_uri must be identical to the authorization request's
  // (simple string comparison). OAuth 2.1 §10.2 lets clients leave it out, except that with
  // several registered URIs it is the only record of which one the code was sent to.
  if (request.redirect_uri) {
    if (*request.redirect_uri != code.redirect_uri) {
      return Fail(InvalidGrant("redirect_uri does not match the authorization request"));
    }
  } else if (client.redirect_uris.size() > 1) {
    return Fail(InvalidRequest("redirect_uri is required for a client with several"));
  }
  // RFC 8707 §2.2: a token request may name the resource again, but not another one.
  if (request.resource && *request.resource != grant.resource) {
    return Fail(InvalidTarget());
  }

  auto user = store_.GetUser(grant.user_id);
  if (!user) {
    return user.error() == Errc::kNotFound ? Fail(InvalidGrant("the user no longer exists"))
                                           : Fail(StoreFailure(user.error(), "reading a user"));
  }
  if (user->disabled) {
    return Fail(InvalidGrant("the user account is disabled"));
  }

  const std::string jti = core::GenerateId(random_, 16);  // 128 bits
  auto access = SignAccessToken(keys_, config_, grant, user->username, grant.scopes, now, jti);
  if (!access) {
    log::Error("token service: cannot sign an access token: {}", access.error().message());
    return Fail(ServerError());
  }
  IssuedTokens tokens{.access_token = Secret(std::move(*access)),
                      .expires_in = static_cast<int64_t>(config_.access_token_lifetime.count()),
                      .scopes = grant.scopes,
                      .grant_id = grant.id};
  // Refresh tokens for clients registered for them, or when the user granted offline_access.
  if (Contains(client.grant_types, kRefreshTokenGrantType) ||
      Contains(grant.scopes, kOfflineAccess)) {
    Secret refresh = core::GenerateToken(random_);
    const store::RefreshToken row{.hash = core::TokenHash(refresh.Reveal()),
                                  .grant_id = grant.id,
                                  .created_at = now,
                                  .expires_at = now + config_.refresh_token_lifetime};
    if (auto ok = store_.CreateRefreshToken(row); !ok) {
      // kRevoked: the grant was revoked since the code was consumed (a Disconnect, a replay).
      return ok.error() == Errc::kRevoked
                 ? Fail(InvalidGrant("the grant was revoked"))
                 : Fail(StoreFailure(ok.error(), "storing a refresh token"));
    }
    tokens.refresh_token = std::move(refresh);
  }
  Audit(store_, "token.issued", grant, request.ip, now,
        {{"scope", JoinScopes(tokens.scopes)},
         {"jti", jti},
         {"refresh_token", tokens.refresh_token.has_value()}});
  return TokenOutcome{std::move(tokens), {}};
}

TokenOutcome TokenService::Refresh(const store::Client& client, const RefreshRequest& request) {
  const TimePoint now = clock_.Now();
  const std::string old_hash = core::TokenHash(request.refresh_token);

  // Everything the request could fail on that does not depend on the rotation itself is checked
  // first (see the top of this file), on the token, its grant and its user read in one step.
  // The rotation re-checks the rest atomically.
  auto context = store_.GetRefreshTokenContext(old_hash);
  if (!context) {
    return context.error() == Errc::kNotFound
               ? Fail(InvalidGrant("the refresh token is invalid"))
               : Fail(StoreFailure(context.error(), "reading a refresh token"));
  }
  const store::RefreshToken& token = context->token;
  const store::Grant* grant = &context->grant;
  // RFC 6749 §10.4: bound to its client; another client learns nothing and changes nothing.
  if (grant->client_id != client.client_id) {
    return Fail(InvalidGrant("the refresh token is invalid"));
  }
  if (grant->revoked_at || now >= token.expires_at) {
    return Fail(InvalidGrant("the refresh token is expired or revoked"));
  }
  // RFC 6749 §6: the requested scope must not exceed the grant's; without one, the grant's.
  if (request.scopes && !IsSubset(*request.scopes, grant->scopes)) {
    return Fail(InvalidScope("the requested scope exceeds what was granted"));
  }
  if (request.resource && *request.resource != grant->resource) {
    return Fail(InvalidTarget());
  }
  const std::optional<store::User>& user = context->user;
  if (!user) {
    return Fail(InvalidGrant("the user no longer exists"));
  }
  if (user->disabled) {
    return Fail(InvalidGrant("the user account is disabled"));
  }
  const std::vector<std::string> scopes = request.scopes ? *request.scopes : grant->scopes;

  // Signed before rotating: a signing failure then costs nothing, while after the rotation it
  // would lose the successor.
  const std::string jti = core::GenerateId(random_, 16);
  auto access = SignAccessToken(keys_, config_, *grant, user->username, scopes, now, jti);
  if (!access) {
    log::Error("token service: cannot sign an access token: {}", access.error().message());
    return Fail(ServerError());
  }

  // OAuth 2.1 §4.3.1: refresh tokens of public clients rotate, with replay detection; the
  // store applies docs/store.md's grace rule. Each successor lives refresh_token_lifetime from
  // now, so a token expires after that long unused (§4.3.3, inactivity).
  // The audit event is written by the store in the rotation's own transaction: the rotation
  // (or a replay's revocation) and its record commit together, in one commit.
  Secret successor = core::GenerateToken(random_);
  auto rotated = store_.RotateRefreshToken(
      {.old_hash = old_hash,
       .new_hash = core::TokenHash(successor.Reveal()),
       .client_id = client.client_id,
       .new_expires_at = now + config_.refresh_token_lifetime,
       .now = now,
       .grace = config_.refresh_grace,
       .audit = [&](store::RotationOutcome outcome) -> std::optional<store::AuditEvent> {
         if (outcome == store::RotationOutcome::kReplay) {
           return AuditEventOf("refresh.replay_detected", *grant, request.ip, now,
                               {{"grant_revoked", true}});
         }
         return AuditEventOf("token.refreshed", *grant, request.ip, now,
                             {{"scope", JoinScopes(scopes)},
                              {"jti", jti},
                              {"via_grace", outcome == store::RotationOutcome::kGrace}});
       }});
  if (!rotated) {
    const ErrorCode ec = rotated.error();
    if (ec == Errc::kReplayDetected) {
      // Security: a rotated token came back outside the grace rule, so it was copied. The store
      // has already revoked the grant (the thief's tokens and the client's end together) and
      // written "refresh.replay_detected".
      log::Warn("token service: refresh token replay on grant {}; grant revoked", grant->id);
      NotifyRevoked(grant->id, now);
      return Fail(InvalidGrant("the refresh token was already used"));
    }
    if (ec == Errc::kNotFound || ec == Errc::kRevoked || ec == Errc::kExpired) {
      return Fail(InvalidGrant("the refresh token is invalid, expired or revoked"));
    }
    return Fail(StoreFailure(ec, "rotating a refresh token"));
  }
  return TokenOutcome{
      IssuedTokens{.access_token = Secret(std::move(*access)),
                   .expires_in = static_cast<int64_t>(config_.access_token_lifetime.count()),
                   .scopes = scopes,
                   .refresh_token = std::move(successor),
                   .grant_id = rotated->grant.id},
      {}};
}

std::optional<OAuthError> TokenService::Revoke(const store::Client& client, std::string_view token,
                                               std::string_view token_type_hint,
                                               std::string_view ip) {
  // RFC 7009 §2.2.1.
  if (!token_type_hint.empty() && token_type_hint != "access_token" &&
      token_type_hint != "refresh_token") {
    return OAuthError{"unsupported_token_type",
                      "token_type_hint must be access_token or refresh_token"};
  }
  const TimePoint now = clock_.Now();
  // Revocation is by grant: a self-contained access token cannot be recalled by itself, and
  // revoking a refresh token should end the access tokens of its grant too (RFC 7009 §2.1).
  std::string grant_id;
  std::string_view token_type;
  if (LooksLikeJwt(token)) {
    auto jwt = VerifyAccessToken(token);
    if (!jwt) {
      return std::nullopt;  // not ours, or expired: RFC 7009 §2.2, nothing to do
    }
    const std::optional<std::string_view> id = jwt->StringClaim("grant_id");
    if (!id || jwt->ClientId() != client.client_id) {
      return std::nullopt;
    }
    grant_id = std::string(*id);
    token_type = "access_token";
  } else {
    auto refresh = store_.GetRefreshToken(core::TokenHash(token));
    if (!refresh) {
      return refresh.error() == Errc::kNotFound
                 ? std::nullopt
                 : std::optional(StoreFailure(refresh.error(), "reading a refresh token"));
    }
    grant_id = refresh->grant_id;
    token_type = "refresh_token";
  }
  auto grant = store_.GetGrant(grant_id);
  if (!grant) {
    return grant.error() == Errc::kNotFound
               ? std::nullopt
               : std::optional(StoreFailure(grant.error(), "reading a grant"));
  }
  // Only the client the token was issued to may revoke it. Anyone else gets the same 200 as for
  // an unknown token and changes nothing, so it cannot probe which tokens exist.
  if (grant->client_id != client.client_id || grant->revoked_at) {
    return std::nullopt;
  }
  if (auto ok = store_.RevokeGrant(grant->id, now); !ok) {
    return StoreFailure(ok.error(), "revoking a grant");
  }
  NotifyRevoked(grant->id, now);
  Audit(store_, "grant.revoked", *grant, ip, now, {{"by", "client"}, {"token_type", token_type}});
  return std::nullopt;
}

std::string TokenService::Introspect(const store::Client& caller, std::string_view token) {
  // RFC 7662 §2.1: the caller must be authenticated (the endpoint did that) and authorized. Only
  // a confidential client authenticates, so only one may learn anything.
  if (!caller.secret_hash) {
    return std::string(kInactive);
  }
  const bool resource_server = IsResourceServerClient(caller);
  const TimePoint now = clock_.Now();
  boost::json::object body;
  if (LooksLikeJwt(token)) {
    auto jwt = VerifyAccessToken(token);  // checks exp
    if (!jwt) {
      return std::string(kInactive);
    }
    const std::optional<std::string_view> grant_id = jwt->StringClaim("grant_id");
    if (!grant_id || (!resource_server && jwt->ClientId() != caller.client_id)) {
      return std::string(kInactive);
    }
    auto grant = store_.GetGrant(*grant_id);
    // The token must agree with the grant it names: revoked grants, and tokens whose client or
    // audience is not the grant's, are inactive.
    if (!grant || grant->revoked_at || grant->client_id != jwt->ClientId() ||
        jwt->Audiences() != std::vector<std::string_view>{grant->resource}) {
      return std::string(kInactive);
    }
    body["active"] = true;
    body["scope"] = jwt->Scope();
    body["client_id"] = jwt->ClientId();
    if (auto username = jwt->StringClaim("preferred_username")) {
      body["username"] = *username;
    }
    body["token_type"] = "Bearer";
    body["exp"] = jwt->ExpiresAt();
    if (jwt->IssuedAt()) {
      body["iat"] = *jwt->IssuedAt();
    }
    body["sub"] = jwt->Subject();
    body["aud"] = grant->resource;
    body["iss"] = jwt->Issuer();
    body["jti"] = jwt->JwtId();
    return boost::json::serialize(body);
  }
  auto context = store_.GetRefreshTokenContext(core::TokenHash(token));
  if (!context) {
    return std::string(kInactive);
  }
  const store::RefreshToken* refresh = &context->token;
  const store::Grant* grant = &context->grant;
  // A rotated or superseded refresh token is spent (at most a grace-window retry away from a
  // replay), so it is reported inactive like an expired one.
  if (grant->revoked_at || now >= refresh->expires_at || refresh->used_at ||
      refresh->superseded_at || (!resource_server && grant->client_id != caller.client_id)) {
    return std::string(kInactive);
  }
  body["active"] = true;
  body["scope"] = JoinScopes(grant->scopes);
  body["client_id"] = grant->client_id;
  if (context->user) {
    body["username"] = context->user->username;
  }
  body["exp"] = UnixSeconds(refresh->expires_at);
  body["iat"] = UnixSeconds(refresh->created_at);
  body["sub"] = grant->user_id;
  body["aud"] = grant->resource;
  body["iss"] = config_.issuer;
  return boost::json::serialize(body);
}

void TokenService::SetRevocationListener(RevocationListener listener) {
  revocation_listener_ = std::move(listener);
}

void TokenService::NotifyRevoked(const std::string& grant_id, TimePoint revoked_at) const {
  if (revocation_listener_) {
    revocation_listener_(grant_id, revoked_at);
  }
}

Result<int64_t> TokenService::Disconnect(std::string_view user_id, std::string_view client_id,
                                         std::string_view ip) {
  const TimePoint now = clock_.Now();
  const store::GrantFilter filter{.user_id = std::string(user_id),
                                  .client_id = std::string(client_id)};
  // Listed first, for one audit event per grant; the revocation itself is one atomic step.
  auto live = store_.ListGrants(filter, /*include_revoked=*/false);
  if (!live) {
    return live.error();
  }
  auto revoked = store_.RevokeGrants(filter, now);
  if (!revoked) {
    return revoked.error();
  }
  if (auto ok = store_.DeleteConsent(user_id, client_id); !ok && ok.error() != Errc::kNotFound) {
    return ok.error();
  }
  for (const store::Grant& grant : *live) {
    NotifyRevoked(grant.id, now);
    Audit(store_, "grant.revoked", grant, ip, now, {{"by", "user"}});
  }
  return *revoked;
}

}  // namespace mcpauth::oauth
