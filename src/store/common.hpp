// What every backend shares so that they cannot drift apart: the time and list encodings, the
// argument checks, and the pure decisions behind single use and refresh rotation. A backend
// reads the rows, asks these functions, and writes what they decide, inside its own atomic
// section (a mutex, a transaction).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mcpauth/core/result.hpp"
#include "mcpauth/store/errc.hpp"
#include "mcpauth/store/types.hpp"

namespace mcpauth::store::detail {

// ---- encodings ----
// Microseconds since the Unix epoch: the stored form of every time (truncating toward zero).
int64_t ToMicros(TimePoint t);
TimePoint FromMicros(int64_t us);
// `t` as it reads back from any backend.
inline TimePoint Truncate(TimePoint t) { return FromMicros(ToMicros(t)); }
inline std::optional<TimePoint> Truncate(const std::optional<TimePoint>& t) {
  return t ? std::optional<TimePoint>(Truncate(*t)) : std::nullopt;
}

// Scopes as the space-separated string of RFC 6749 §3.3 (validated first, so lossless).
std::string JoinScopes(const std::vector<std::string>& scopes);
std::vector<std::string> SplitScopes(std::string_view joined);

// A list of strings as a JSON array (redirect URIs may hold any character).
std::string EncodeStringList(const std::vector<std::string>& list);
Result<std::vector<std::string>> DecodeStringList(std::string_view json);

std::string_view SourceName(RegistrationSource source);
Result<RegistrationSource> ParseSource(std::string_view name);
std::string_view KeyStateName(KeyState state);
Result<KeyState> ParseKeyState(std::string_view name);

// ASCII case folding, as SQLite's NOCASE collation does it.
std::string AsciiLower(std::string_view s);

// ---- argument checks (kInvalidArgument) ----
Status ValidateUser(const User& user);
Status ValidateUsername(std::string_view username);
Status ValidatePasswordHash(std::string_view hash);
Status ValidateLockoutPolicy(const LockoutPolicy& policy);
Status ValidateClient(const Client& client);
Status ValidateGrant(const Grant& grant);
Status ValidateGrantFilterForRevoke(const GrantFilter& filter);
Status ValidateCode(const AuthorizationCode& code);
Status ValidateRefreshToken(const RefreshToken& token);
Status ValidateRotation(const RefreshRotation& rotation);
Status ValidateSigningKey(const SigningKey& key);
Status ValidateConsent(const Consent& consent);
Status ValidateAuditEvent(const AuditEvent& event);
Status ValidateAuditQuery(const AuditQuery& query);
Status ValidateId(std::string_view id);
Status ValidateHash(std::string_view hash);

// ---- the rules ----

// Whether a code may be consumed now (docs/store.md, "Authorization codes").
Status DecideConsume(const AuthorizationCode& code, const Grant& grant, TimePoint now);

// kRotate: the presented token is live: retire it, supersede its siblings, issue a child.
// kGrace: the presented token was just rotated: issue one more child (a sibling).
// kReplay: anything else: revoke the grant.
using store::RotationOutcome;

// The refresh-token rule (docs/store.md, "Refresh tokens: rotation and the grace rule").
// `a_child_was_used`: whether any successor of `old` has itself been rotated.
Result<RotationOutcome> DecideRotation(const RefreshToken& old, const Grant& grant,
                                       const RefreshRotation& rotation, bool a_child_was_used);

// Whether `grant` matches every set field of `filter`.
bool Matches(const GrantFilter& filter, const Grant& grant);
// Whether `event` matches `query` (ignoring after_id and limit).
bool Matches(const AuditQuery& query, const AuditEvent& event);

}  // namespace mcpauth::store::detail
