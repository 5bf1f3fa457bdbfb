#include "mcpauth/http/cookie.hpp"

#include "mcpauth/http/message.hpp"

namespace mcpauth::http {
namespace {

bool IsOws(char c) { return c == ' ' || c == '\t'; }

bool IsControl(unsigned char c) { return c < 0x20 || c == 0x7F; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsOws(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && IsOws(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

bool HasControl(std::string_view s) {
  for (char c : s) {
    if (IsControl(static_cast<unsigned char>(c))) {
      return true;
    }
  }
  return false;
}

// RFC 6265 §4.1.1: cookie-octet = %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E
// (US-ASCII without CTLs, whitespace, DQUOTE, comma, semicolon and backslash).
bool IsCookieOctet(unsigned char c) {
  return c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) ||
         (c >= 0x3C && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
}

bool IsCookieValue(std::string_view s) {
  for (char c : s) {
    if (!IsCookieOctet(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

// RFC 6265 §4.1.1: path-value = <any CHAR except CTLs or ";">. Also required to be absolute, so
// the cookie's scope is what the caller wrote (§5.2.4 would silently use a default path).
bool IsPathValue(std::string_view s) {
  if (s.empty() || s.front() != '/') {
    return false;
  }
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (IsControl(c) || c == ';' || c >= 0x80) {
      return false;
    }
  }
  return true;
}

// A host name as RFC 6265 §4.1.2.3 expects: LDH labels separated by dots, nothing else.
bool IsDomainValue(std::string_view s) {
  if (s.empty()) {
    return false;
  }
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '.')) {
      return false;
    }
  }
  return true;
}

// RFC 6265bis §4.1.3: prefixes are matched ignoring case, as current browsers do, so "__HOST-x"
// cannot dodge the rules.
bool HasPrefix(std::string_view name, std::string_view prefix) {
  return name.size() >= prefix.size() && EqualsIgnoreCase(name.substr(0, prefix.size()), prefix);
}

}  // namespace

std::vector<CookiePair> ParseCookieHeader(std::string_view header, size_t max_cookies) {
  std::vector<CookiePair> out;
  while (!header.empty() && out.size() < max_cookies) {
    // RFC 6265 §4.2.1: cookie-string = cookie-pair *( ";" SP cookie-pair ); §5.4 builds it, and
    // real agents vary the whitespace, so split on ';' and trim.
    const size_t semi = header.find(';');
    const std::string_view segment = header.substr(0, semi);
    header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);

    const size_t eq = segment.find('=');
    if (eq == std::string_view::npos) {
      continue;
    }
    const std::string_view name = Trim(segment.substr(0, eq));
    std::string_view value = Trim(segment.substr(eq + 1));
    // RFC 6265 §4.1.1: cookie-value = *cookie-octet / ( DQUOTE *cookie-octet DQUOTE )
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    if (name.empty() || HasControl(name) || HasControl(value)) {
      continue;
    }
    out.push_back(CookiePair{name, value});
  }
  return out;
}

std::optional<std::string_view> FindCookie(std::span<const CookiePair> cookies,
                                           std::string_view name) {
  for (const auto& cookie : cookies) {
    if (cookie.name == name) {
      return cookie.value;
    }
  }
  return std::nullopt;
}

Result<std::string> FormatSetCookie(const SetCookie& cookie) {
  // RFC 6265 §4.1.1: refusing anything outside the grammar is what makes attribute and header
  // injection impossible (no ';', no CR LF, no whitespace).
  if (!IsToken(cookie.name) || !IsCookieValue(cookie.value)) {
    return CodecErrc::kForbiddenCharacter;
  }
  if ((!cookie.path.empty() && !IsPathValue(cookie.path)) ||
      (!cookie.domain.empty() && !IsDomainValue(cookie.domain))) {
    return CodecErrc::kForbiddenCharacter;
  }
  // RFC 6265bis §4.1.3.1: "__Secure-" requires Secure.
  if (HasPrefix(cookie.name, "__Secure-") && !cookie.secure) {
    return CodecErrc::kCookiePrefixViolation;
  }
  // RFC 6265bis §4.1.3.2: "__Host-" requires Secure, Path=/ and no Domain, which pins the cookie
  // to this exact host: a sibling subdomain cannot plant or overwrite it.
  if (HasPrefix(cookie.name, "__Host-") &&
      (!cookie.secure || cookie.path != "/" || !cookie.domain.empty())) {
    return CodecErrc::kCookiePrefixViolation;
  }
  // RFC 6265bis §4.1.2.7 (and browsers): SameSite=None without Secure is rejected.
  if (cookie.same_site == SameSite::kNone && !cookie.secure) {
    return CodecErrc::kInsecureCookieAttributes;
  }

  std::string out;
  out.reserve(cookie.name.size() + cookie.value.size() + 64);
  out += cookie.name;
  out.push_back('=');
  out += cookie.value;
  if (!cookie.path.empty()) {
    out += "; Path=";
    out += cookie.path;
  }
  if (!cookie.domain.empty()) {
    out += "; Domain=";
    out += cookie.domain;
  }
  if (cookie.max_age) {
    // RFC 6265 §5.2.2: zero or negative expires at once; 0 is what every agent understands.
    out += "; Max-Age=";
    out += std::to_string(*cookie.max_age > 0 ? *cookie.max_age : 0);
  }
  if (cookie.secure) {
    out += "; Secure";
  }
  if (cookie.http_only) {
    out += "; HttpOnly";
  }
  switch (cookie.same_site) {
    case SameSite::kStrict:
      out += "; SameSite=Strict";
      break;
    case SameSite::kLax:
      out += "; SameSite=Lax";
      break;
    case SameSite::kNone:
      out += "; SameSite=None";
      break;
  }
  return out;
}

}  // namespace mcpauth::http
