#include "mcpauth/oauth/resource/bearer_validator.hpp"

#include <algorithm>
#include <utility>

#include "mcpauth/core/crypto.hpp"
#include "mcpauth/jose/errc.hpp"
#include "token_cache.hpp"

namespace mcpauth::oauth::resource {
namespace {

// The verifier's reasons, folded into what the resource server tells apart.
Errc FromJose(const ErrorCode& ec) {
  if (ec.category() != jose::JoseCategory()) {
    return Errc::kMalformed;
  }
  switch (static_cast<jose::Errc>(ec.value())) {
    case jose::Errc::kAlgNotAllowed:
    case jose::Errc::kCritUnsupported:
      return Errc::kBadAlgorithm;
    case jose::Errc::kMissingKid:
    case jose::Errc::kUnknownKid:
    case jose::Errc::kInvalidKey:
    case jose::Errc::kUnsupportedKey:
      return Errc::kUnknownKey;
    case jose::Errc::kBadSignature:
      return Errc::kBadSignature;
    case jose::Errc::kBadType:
      return Errc::kBadType;
    case jose::Errc::kBadIssuer:
      return Errc::kBadIssuer;
    case jose::Errc::kBadAudience:
      return Errc::kBadAudience;
    case jose::Errc::kExpired:
      return Errc::kExpired;
    case jose::Errc::kNotYetValid:
    case jose::Errc::kIssuedInFuture:
      return Errc::kNotYetValid;
    case jose::Errc::kMissingClaim:
    case jose::Errc::kBadClaimType:
      return Errc::kBadClaims;
    case jose::Errc::kCryptoFailure:
      return Errc::kUnavailable;
    default:
      return Errc::kMalformed;
  }
}

}  // namespace

BearerValidator::BearerValidator(const Clock& clock, std::shared_ptr<KeySource> keys,
                                 BearerValidatorOptions options, const RevokedGrants* revoked)
    : clock_(clock),
      keys_(std::move(keys)),
      revoked_(revoked),
      // The KeySource outlives the verifier: the validator shares it.
      verifier_(clock, [source = keys_.get()](std::string_view kid) { return source->Find(kid); }),
      cache_(std::make_unique<detail::TokenCache>(options.cache_capacity)) {
  // RFC 9068 §4: the resource server MUST check typ, iss, aud, exp and the signature.
  verifier_.RequireIssuer(std::move(options.issuer))
      .RequireAudience(std::move(options.audience))
      .RequireType(std::move(options.type))
      .Leeway(options.leeway);
  for (std::string& claim : options.required_claims) {
    verifier_.RequireClaim(std::move(claim));
  }
}

BearerValidator::~BearerValidator() = default;

Result<ValidatedToken> BearerValidator::Validate(std::string_view token) {
  if (token.empty()) {
    return Errc::kMalformed;
  }
  const Clock::TimePoint now = clock_.Now();
  const core::Sha256Digest key = core::Sha256(token);
  ValidatedToken validated = cache_->Find(key, now);
  if (!validated) {
    verifications_.fetch_add(1, std::memory_order_relaxed);
    Result<jose::VerifiedJwt> jwt = verifier_.Verify(token);
    if (!jwt) {
      const Errc e = FromJose(jwt.error());
      // A kid we cannot find because we never got any key is our outage, not a bad token.
      if (e == Errc::kUnknownKey && !keys_->Ready()) {
        return Errc::kUnavailable;
      }
      return e;
    }
    // The principal is (sub, client_id): an empty subject would be an anonymous principal.
    if (jwt->Subject().empty()) {
      return Errc::kBadClaims;
    }
    const auto grant_id = jwt->StringClaim("grant_id");
    if (!grant_id && jwt->claims().contains("grant_id")) {
      return Errc::kBadClaims;  // present but not a string
    }
    auto t = std::make_shared<AccessToken>();
    t->subject = std::string(jwt->Subject());
    t->username = std::string(jwt->StringClaim("preferred_username").value_or(""));
    t->client_id = std::string(jwt->ClientId());
    for (std::string_view s : jwt->Scopes()) {
      if (!t->HasScope(s)) {
        t->scopes.emplace_back(s);
      }
    }
    t->grant_id = std::string(grant_id.value_or(""));
    t->expires_at = FromNumericDate(jwt->ExpiresAt());
    t->jti = std::string(jwt->JwtId());
    validated = std::move(t);
    // Cached until exp exactly (not exp + leeway): past exp, the verifier decides again.
    cache_->Insert(key, validated, validated->expires_at, now);
  }
  // On every call, cached or not: a revoked grant fails the very next request.
  if (revoked_ != nullptr && revoked_->Contains(validated->grant_id)) {
    return Errc::kRevoked;
  }
  return validated;
}

void BearerValidator::ClearCache() { cache_->Clear(); }

size_t BearerValidator::cache_size() const { return cache_->size(); }

}  // namespace mcpauth::oauth::resource
