// Authentication challenges and Bearer credentials: the WWW-Authenticate response header
// (RFC 9110 §11.6.1, RFC 6750 §3, RFC 9728 §5.1) and the Authorization request header
// (RFC 6750 §2.1).
//
// FormatChallenge() is what every 401/403 of mcpauth goes through, so it can never emit a header
// injection: names are reduced to token characters and values are always sent as quoted-strings
// holding printable ASCII only. ParseWwwAuthenticate() is what the client runs on a resource
// server's answer: it handles several challenges in one field value, token68, quoted-strings and
// optional whitespace, and returns an error for anything malformed, in time linear in the input
// and with capped output. No I/O; fuzzed directly.
//
// Thread-safety: pure functions over plain value types. Ownership: results own their strings,
// except BearerToken(), whose view points into its argument.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mcpauth/core/result.hpp"
#include "mcpauth/http/codec_errc.hpp"

namespace mcpauth::http {

// One challenge: `scheme` followed by either a token68 or auth-params (RFC 9110 §11.2).
struct Challenge {
  std::string scheme;   // as sent (compare with EqualsIgnoreCase: RFC 9110 §11.1)
  std::string token68;  // non-empty only for token68 challenges, e.g. "Negotiate YII..."
  // Parameter names are lower-cased by the parser (RFC 9110 §11.2: case-insensitive); values are
  // unquoted and unescaped.
  std::vector<std::pair<std::string, std::string>> params;

  // The value of parameter `name`, compared case-insensitively.
  std::optional<std::string_view> Param(std::string_view name) const;

  bool operator==(const Challenge&) const = default;
};

// Serialises one challenge, e.g. `Bearer error="invalid_token", resource_metadata="https://..."`.
// Every parameter value is a quoted-string with '"' and '\' escaped (RFC 9110 §5.6.4); bytes
// outside printable ASCII (CR, LF, NUL, other controls, DEL, non-ASCII) are dropped, which also
// meets RFC 6750 §3's limit of error_description, scope and error to %x20-21 / %x23-5B /
// %x5D-7E. Characters that are not tchar are dropped from the scheme and from parameter names
// (a name left empty drops its parameter). If token68 is set the params are not emitted: a
// challenge has one or the other (RFC 9110 §11.2).
std::string FormatChallenge(const Challenge& challenge);

// Several challenges as one field value, separated by ", " (RFC 9110 §11.6.1: #challenge).
std::string FormatChallenges(std::span<const Challenge> challenges);

inline constexpr size_t kMaxWwwAuthenticateBytes = 16 * 1024;  // larger: CodecErrc::kTooLarge
inline constexpr size_t kMaxChallenges = 16;                   // more: kTooManyParameters
inline constexpr size_t kMaxChallengeParams = 32;              // per challenge; more: same

// Parses a WWW-Authenticate field value:
//   WWW-Authenticate = #challenge
//   challenge  = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
//   auth-param = token BWS "=" BWS ( token / quoted-string )
//   token68    = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
// An element "name=value" belongs to the challenge before it; any other token starts a new
// challenge, which resolves `Bearer realm="a", error="x", Basic realm="b"` into two challenges.
// Empty list elements are ignored (RFC 9110 §5.6.1.2). A parameter name repeated within one
// challenge is kDuplicateParameter (RFC 9110 §11.2 "MUST only occur once"); other syntax errors
// are kMalformed.
Result<std::vector<Challenge>> ParseWwwAuthenticate(std::string_view header_value);

// Parses every WWW-Authenticate field line of a response as one list (RFC 9110 §5.3), e.g. the
// result of Headers::GetAll("WWW-Authenticate"). The limits apply to the total.
Result<std::vector<Challenge>> ParseWwwAuthenticate(std::span<const std::string_view> field_values);

// The first challenge whose scheme equals `scheme` ignoring case (e.g. "Bearer"), or null.
// The pointer is into `challenges`.
const Challenge* FindChallenge(std::span<const Challenge> challenges, std::string_view scheme);

// The access token of an Authorization header value `Bearer <b64token>` (RFC 6750 §2.1):
//   credentials = "Bearer" 1*SP b64token
//   b64token    = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
// The scheme is matched ignoring case (RFC 9110 §11.1). Anything else — another scheme, no
// token, two tokens, a character outside b64token — gives nullopt. Surrounding OWS is ignored.
std::optional<std::string_view> BearerToken(std::string_view authorization);

}  // namespace mcpauth::http
