// Fuzz target: the Cookie header parser and the Set-Cookie writer (src/http/cookie.cpp).
//
// Invariants beyond "no crash":
//   - every pair is a view into the input, with a non-empty name free of '=', ';', surrounding
//     whitespace and controls, and a value free of ';' and controls; at most max_cookies pairs;
//   - FindCookie() returns the first pair of that name;
//   - pairs whose value is a valid cookie-value, written back as "n=v; n=v", parse to the same
//     pairs (the parser and the grammar agree);
//   - FormatSetCookie() output, for any name/value/path/domain, holds no control character, has
//     exactly the attributes asked for (nothing injected), reads back as its own name and value,
//     and honours the __Host-/__Secure- and SameSite=None rules.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "mcpauth/http/cookie.hpp"
#include "mcpauth/http/message.hpp"

namespace {

using mcpauth::http::CookiePair;
using mcpauth::http::FindCookie;
using mcpauth::http::ParseCookieHeader;

bool IsControl(char c) {
  const auto b = static_cast<unsigned char>(c);
  return b < 0x20 || b == 0x7F;
}

bool IsCookieOctet(char ch) {
  const auto c = static_cast<unsigned char>(ch);
  return c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) ||
         (c >= 0x3C && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
}

bool AllOf(std::string_view s, bool (*pred)(char)) {
  for (char c : s) {
    if (!pred(c)) {
      return false;
    }
  }
  return true;
}

bool NoneOf(std::string_view s, bool (*pred)(char)) {
  for (char c : s) {
    if (pred(c)) {
      return false;
    }
  }
  return true;
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() &&
         mcpauth::http::EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

void CheckHeader(std::string_view header, size_t max_cookies) {
  const std::vector<CookiePair> pairs = ParseCookieHeader(header, max_cookies);
  FUZZ_CHECK(pairs.size() <= max_cookies);
  for (const CookiePair& p : pairs) {
    FUZZ_CHECK(p.name.data() >= header.data() &&
               p.name.data() + p.name.size() <= header.data() + header.size());
    FUZZ_CHECK(p.value.empty() ||
               (p.value.data() >= header.data() &&
                p.value.data() + p.value.size() <= header.data() + header.size()));
    FUZZ_CHECK(!p.name.empty());
    FUZZ_CHECK(NoneOf(p.name, IsControl) && NoneOf(p.value, IsControl));
    FUZZ_CHECK(p.name.find_first_of("=;") == std::string_view::npos);
    FUZZ_CHECK(p.value.find(';') == std::string_view::npos);
    FUZZ_CHECK(p.name.front() != ' ' && p.name.back() != ' ');
    const auto found = FindCookie(pairs, p.name);
    FUZZ_CHECK(found.has_value());
    for (const CookiePair& q : pairs) {
      if (q.name == p.name) {
        FUZZ_CHECK(q.value.data() == found->data() && q.value.size() == found->size());
        break;
      }
    }
  }
  // Valid pairs written back as a user agent would (RFC 6265 §5.4 step 4) read the same.
  std::vector<CookiePair> valid;
  std::string rewritten;
  for (const CookiePair& p : pairs) {
    if (!mcpauth::http::IsToken(p.name) || !AllOf(p.value, IsCookieOctet)) {
      continue;
    }
    valid.push_back(p);
    if (!rewritten.empty()) {
      rewritten += "; ";
    }
    rewritten.append(p.name).append("=").append(p.value);
  }
  const std::vector<CookiePair> again = ParseCookieHeader(rewritten, max_cookies);
  FUZZ_CHECK(again.size() == valid.size());
  for (size_t i = 0; i < valid.size(); ++i) {
    FUZZ_CHECK(again[i].name == valid[i].name && again[i].value == valid[i].value);
  }
}

void CheckSetCookie(mcpauth::fuzz::Input& in) {
  mcpauth::http::SetCookie cookie;
  const uint8_t flags = in.Byte();
  cookie.http_only = (flags & 1) != 0;
  cookie.secure = (flags & 2) != 0;
  cookie.same_site = static_cast<mcpauth::http::SameSite>((flags >> 2) % 3);
  if ((flags & 0x20) != 0) {
    cookie.max_age = static_cast<int8_t>(in.Byte()) * 1000;
  }
  cookie.name = std::string(in.Until('\0'));
  cookie.value = std::string(in.Until('\0'));
  if ((flags & 0x40) != 0) {
    cookie.path = std::string(in.Until('\0'));
  }
  if ((flags & 0x80) != 0) {
    cookie.domain = std::string(in.Until('\0'));
  }
  const auto out = mcpauth::http::FormatSetCookie(cookie);
  if (!out) {
    return;
  }
  FUZZ_CHECK(NoneOf(*out, IsControl));
  // name=value, then exactly the attributes set: nothing smuggled in through a ';'.
  size_t attributes = 1;  // SameSite is always written
  attributes += cookie.path.empty() ? 0 : 1;
  attributes += cookie.domain.empty() ? 0 : 1;
  attributes += cookie.max_age ? 1 : 0;
  attributes += cookie.secure ? 1 : 0;
  attributes += cookie.http_only ? 1 : 0;
  size_t semicolons = 0;
  for (char c : *out) {
    semicolons += c == ';' ? 1 : 0;
  }
  FUZZ_CHECK(semicolons == attributes);
  const std::string_view first = std::string_view(*out).substr(0, out->find(';'));
  const std::vector<CookiePair> read = ParseCookieHeader(first);
  FUZZ_CHECK(read.size() == 1);
  FUZZ_CHECK(read[0].name == cookie.name);
  FUZZ_CHECK(read[0].value == cookie.value);
  if (StartsWithIgnoreCase(cookie.name, "__Host-")) {
    FUZZ_CHECK(cookie.secure && cookie.path == "/" && cookie.domain.empty());
  }
  if (StartsWithIgnoreCase(cookie.name, "__Secure-")) {
    FUZZ_CHECK(cookie.secure);
  }
  if (cookie.same_site == mcpauth::http::SameSite::kNone) {
    FUZZ_CHECK(cookie.secure);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view header(reinterpret_cast<const char*>(data), size);
  CheckHeader(header, mcpauth::http::kMaxCookies);
  CheckHeader(header, 2);
  mcpauth::fuzz::Input in(data, size);
  CheckSetCookie(in);
  return 0;
}
