// Cookies: reading the Cookie request header (RFC 6265 §4.2, §5.4) and writing Set-Cookie
// (RFC 6265 §4.1, with the prefixes and SameSite of RFC 6265bis).
//
// mcpauth uses cookies for the login session and the CSRF token of the consent page, so the
// writer is strict and secure by default (HttpOnly, Secure, SameSite=Lax) and refuses any name or
// value that could break out of its attribute; the parser is tolerant, never fails, and caps the
// number of pairs it returns. No I/O; fuzzed directly.
//
// Thread-safety: pure functions over plain value types. Ownership: ParseCookieHeader()'s views
// point into its argument, which must outlive them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mcpauth/core/result.hpp"
#include "mcpauth/http/codec_errc.hpp"

namespace mcpauth::http {

struct CookiePair {
  std::string_view name;
  std::string_view value;  // surrounding DQUOTEs removed (RFC 6265 §4.1.1 cookie-value)
};

inline constexpr size_t kMaxCookies = 64;

// Splits a Cookie header value into pairs, in order. Tolerant as RFC 6265 §5.4 user agents
// produce it: whitespace around ';' and '=' is skipped, a segment without '=' or with an empty
// name is ignored, and so is a pair holding a control character. At most `max_cookies` pairs are
// returned; the rest are ignored. Browsers may send two cookies with one name (different paths
// or domains): use the "__Host-" prefix for anything security-relevant so that only this host
// can have set it.
std::vector<CookiePair> ParseCookieHeader(std::string_view header,
                                          size_t max_cookies = kMaxCookies);

// The value of the first pair named `name` (case-sensitive, RFC 6265 §5.4 step 2 keeps the
// order the user agent chose).
std::optional<std::string_view> FindCookie(std::span<const CookiePair> cookies,
                                           std::string_view name);

enum class SameSite { kStrict, kLax, kNone };

struct SetCookie {
  std::string name;   // a token (RFC 6265 §4.1.1 cookie-name)
  std::string value;  // *cookie-octet: no CTLs, whitespace, DQUOTE, ',', ';' or '\'
  std::string path = "/";
  std::string domain;  // empty: host-only cookie (no Domain attribute), the safe default
  // Seconds until expiry; 0 or less deletes the cookie (emitted as Max-Age=0); absent: a
  // session cookie.
  std::optional<int64_t> max_age;
  bool http_only = true;  // not readable from JavaScript
  bool secure = true;     // sent only over HTTPS (browsers treat http://localhost as secure)
  SameSite same_site = SameSite::kLax;
};

// Serialises a Set-Cookie field value, e.g.
// `__Host-sid=abc; Path=/; Max-Age=3600; Secure; HttpOnly; SameSite=Lax`. Fails with
// kForbiddenCharacter if the name is not a token, the value is not *cookie-octet, or path/domain
// hold a CTL or ';' (RFC 6265 §4.1.1), so nothing can inject an attribute or a header. Also
// enforces RFC 6265bis §4.1.3: "__Secure-" needs Secure; "__Host-" needs Secure, Path=/ and no
// Domain (kCookiePrefixViolation); and §4.1.2.7: SameSite=None needs Secure
// (kInsecureCookieAttributes).
Result<std::string> FormatSetCookie(const SetCookie& cookie);

}  // namespace mcpauth::http
