#include "store/common.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <chrono>

namespace mcpauth::store::detail {
namespace {

constexpr size_t kMaxIdBytes = 2048;         // a CIMD client_id is a URL
constexpr size_t kMaxTextBytes = 64 * 1024;  // free text and JSON fields
constexpr int kMaxAuditLimit = 10000;

Status Invalid() { return Errc::kInvalidArgument; }

bool IsLowerHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
bool IsScopeToken(std::string_view s) {
  if (s.empty()) {
    return false;
  }
  return std::all_of(s.begin(), s.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
  });
}

Status ValidateScopes(const std::vector<std::string>& scopes) {
  for (const auto& s : scopes) {
    if (!IsScopeToken(s)) {
      return Invalid();
    }
  }
  return {};
}

Status ValidateText(std::string_view s) {
  if (s.size() > kMaxTextBytes) {
    return Invalid();
  }
  return {};
}

Status ValidateJsonObject(std::string_view json) {
  if (json.size() > kMaxTextBytes) {
    return Invalid();
  }
  boost::system::error_code ec;
  const auto value = boost::json::parse(json, ec);
  if (ec || !value.is_object()) {
    return Invalid();
  }
  return {};
}

Status ValidateStringList(const std::vector<std::string>& list) {
  for (const auto& s : list) {
    if (s.empty() || s.size() > kMaxIdBytes) {
      return Invalid();
    }
  }
  return {};
}

// RFC 7636 §4.2: BASE64URL(SHA256(verifier)) is 43 characters of the base64url alphabet.
bool IsS256Challenge(std::string_view s) {
  return s.size() == 43 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_';
         });
}

}  // namespace

int64_t ToMicros(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

TimePoint FromMicros(int64_t us) {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::microseconds(us)));
}

std::string JoinScopes(const std::vector<std::string>& scopes) {
  std::string out;
  for (const auto& s : scopes) {
    if (!out.empty()) {
      out.push_back(' ');
    }
    out += s;
  }
  return out;
}

std::vector<std::string> SplitScopes(std::string_view joined) {
  std::vector<std::string> out;
  while (!joined.empty()) {
    const size_t space = joined.find(' ');
    out.emplace_back(joined.substr(0, space));
    if (space == std::string_view::npos) {
      break;
    }
    joined.remove_prefix(space + 1);
  }
  return out;
}

std::string EncodeStringList(const std::vector<std::string>& list) {
  boost::json::array array;
  for (const auto& s : list) {
    array.emplace_back(s);
  }
  return boost::json::serialize(array);
}

Result<std::vector<std::string>> DecodeStringList(std::string_view json) {
  boost::system::error_code ec;
  const auto value = boost::json::parse(json, ec);
  if (ec || !value.is_array()) {
    return Errc::kCorrupt;
  }
  std::vector<std::string> out;
  for (const auto& item : value.get_array()) {
    if (!item.is_string()) {
      return Errc::kCorrupt;
    }
    out.emplace_back(item.get_string());
  }
  return out;
}

std::string_view SourceName(RegistrationSource source) {
  switch (source) {
    case RegistrationSource::kStatic:
      return "static";
    case RegistrationSource::kDcr:
      return "dcr";
    case RegistrationSource::kCimd:
      return "cimd";
  }
  return "static";
}

Result<RegistrationSource> ParseSource(std::string_view name) {
  if (name == "static") {
    return RegistrationSource::kStatic;
  }
  if (name == "dcr") {
    return RegistrationSource::kDcr;
  }
  if (name == "cimd") {
    return RegistrationSource::kCimd;
  }
  return Errc::kCorrupt;
}

std::string_view KeyStateName(KeyState state) {
  switch (state) {
    case KeyState::kNext:
      return "next";
    case KeyState::kActive:
      return "active";
    case KeyState::kRetired:
      return "retired";
  }
  return "retired";
}

Result<KeyState> ParseKeyState(std::string_view name) {
  if (name == "next") {
    return KeyState::kNext;
  }
  if (name == "active") {
    return KeyState::kActive;
  }
  if (name == "retired") {
    return KeyState::kRetired;
  }
  return Errc::kCorrupt;
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

Status ValidateId(std::string_view id) {
  if (id.empty() || id.size() > kMaxIdBytes) {
    return Invalid();
  }
  return {};
}

Status ValidateHash(std::string_view hash) {
  // Security: only the 64-hex-digit form of core::TokenHash is accepted where a token, code or
  // secret is kept, so a caller that passes the plaintext by mistake gets an error instead of a
  // database that stores it.
  if (hash.size() != 64 || !std::all_of(hash.begin(), hash.end(), IsLowerHex)) {
    return Invalid();
  }
  return {};
}

Status ValidateUsername(std::string_view username) {
  if (username.empty() || username.size() > 256) {
    return Invalid();
  }
  return {};
}

Status ValidatePasswordHash(std::string_view hash) {
  if (hash.empty() || hash.size() > 1024) {
    return Invalid();
  }
  return {};
}

Status ValidateLockoutPolicy(const LockoutPolicy& policy) {
  if (policy.max_failures < 1 || policy.lock_for.count() < 0) {
    return Invalid();
  }
  return {};
}

Status ValidateUser(const User& user) {
  if (!ValidateId(user.id) || !ValidateUsername(user.username) ||
      !ValidatePasswordHash(user.password_hash) || user.failed_login_count < 0) {
    return Invalid();
  }
  return {};
}

Status ValidateClient(const Client& client) {
  if (!ValidateId(client.client_id) || (client.secret_hash && !ValidateHash(*client.secret_hash)) ||
      !ValidateText(client.name) || !ValidateStringList(client.redirect_uris) ||
      !ValidateStringList(client.grant_types) || !ValidateText(client.token_endpoint_auth_method) ||
      !ValidateText(client.application_type) || !ValidateJsonObject(client.metadata_json)) {
    return Invalid();
  }
  return {};
}

Status ValidateGrant(const Grant& grant) {
  if (!ValidateId(grant.id) || !ValidateId(grant.user_id) || !ValidateId(grant.client_id) ||
      !ValidateScopes(grant.scopes) || !ValidateText(grant.resource) || grant.revoked_at) {
    return Invalid();
  }
  return {};
}

Status ValidateGrantFilterForRevoke(const GrantFilter& filter) {
  if (!filter.user_id && !filter.client_id) {
    return Invalid();
  }
  return {};
}

Status ValidateCode(const AuthorizationCode& code) {
  if (!ValidateHash(code.hash) || !ValidateId(code.grant_id) || code.redirect_uri.empty() ||
      !ValidateText(code.redirect_uri) || !IsS256Challenge(code.code_challenge) ||
      !ValidateScopes(code.scopes) || !ValidateText(code.resource) ||
      (code.nonce && !ValidateText(*code.nonce)) || code.used_at) {
    return Invalid();
  }
  return {};
}

Status ValidateRefreshToken(const RefreshToken& token) {
  if (!ValidateHash(token.hash) || !ValidateId(token.grant_id) ||
      (token.parent_hash && !ValidateHash(*token.parent_hash)) || token.used_at ||
      token.superseded_at) {
    return Invalid();
  }
  return {};
}

Status ValidateRotation(const RefreshRotation& rotation) {
  if (!ValidateHash(rotation.old_hash) || !ValidateHash(rotation.new_hash) ||
      rotation.old_hash == rotation.new_hash || !ValidateId(rotation.client_id) ||
      rotation.grace.count() < 0) {
    return Invalid();
  }
  return {};
}

Status ValidateSigningKey(const SigningKey& key) {
  if (!ValidateId(key.kid) || key.algorithm.empty() || !ValidateText(key.algorithm) ||
      key.private_key.empty() || !ValidateText(key.private_key.Reveal()) ||
      (key.retired_at.has_value() != (key.state == KeyState::kRetired))) {
    return Invalid();
  }
  return {};
}

Status ValidateConsent(const Consent& consent) {
  if (!ValidateId(consent.user_id) || !ValidateId(consent.client_id) ||
      !ValidateScopes(consent.scopes)) {
    return Invalid();
  }
  return {};
}

Status ValidateAuditEvent(const AuditEvent& event) {
  if (event.type.empty() || !ValidateText(event.type) || !ValidateText(event.subject) ||
      !ValidateText(event.client_id) || !ValidateText(event.grant_id) || !ValidateText(event.ip) ||
      !ValidateJsonObject(event.detail_json)) {
    return Invalid();
  }
  return {};
}

Status ValidateAuditQuery(const AuditQuery& query) {
  if (query.limit < 1 || query.limit > kMaxAuditLimit || query.after_id < 0) {
    return Invalid();
  }
  return {};
}

Status DecideConsume(const AuthorizationCode& code, const Grant& grant, TimePoint now) {
  // A used code is reported as such even when it has expired since: a replay is the signal the
  // caller needs to revoke the grant (RFC 6749 §4.1.2), whatever the clock says.
  if (code.used_at) {
    return Errc::kAlreadyUsed;
  }
  if (grant.revoked_at) {
    return Errc::kRevoked;
  }
  if (now >= code.expires_at) {
    return Errc::kExpired;
  }
  return {};
}

Result<RotationOutcome> DecideRotation(const RefreshToken& old, const Grant& grant,
                                       const RefreshRotation& rotation, bool a_child_was_used) {
  // RFC 6749 §10.4 / OAuth 2.1 §4.3.1: a refresh token is bound to its client. Another client
  // presenting it learns nothing and changes nothing (no revocation: it may be a guess).
  if (grant.client_id != rotation.client_id) {
    return Errc::kNotFound;
  }
  if (grant.revoked_at) {
    return Errc::kRevoked;
  }
  // Decided on the time exactly as it is stored (the backends store `now` truncated).
  const TimePoint now = Truncate(rotation.now);
  if (now >= old.expires_at) {
    return Errc::kExpired;
  }
  if (!old.used_at && !old.superseded_at) {
    return RotationOutcome::kRotate;
  }
  // The grace rule: the token rotated last may be presented again for `grace` after its
  // rotation, as long as none of its successors has been rotated in turn (it is still the
  // immediate predecessor of the live generation). A superseded sibling never gets grace.
  if (old.used_at && !old.superseded_at && now < *old.used_at + rotation.grace &&
      !a_child_was_used) {
    return RotationOutcome::kGrace;
  }
  return RotationOutcome::kReplay;
}

bool Matches(const GrantFilter& filter, const Grant& grant) {
  return (!filter.user_id || *filter.user_id == grant.user_id) &&
         (!filter.client_id || *filter.client_id == grant.client_id);
}

bool Matches(const AuditQuery& query, const AuditEvent& event) {
  return (!query.since || event.time >= *query.since) &&
         (!query.type || *query.type == event.type) &&
         (!query.subject || *query.subject == event.subject) &&
         (!query.client_id || *query.client_id == event.client_id) &&
         (!query.grant_id || *query.grant_id == event.grant_id);
}

}  // namespace mcpauth::store::detail
