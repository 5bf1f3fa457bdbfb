#include "mcpauth/mcp/header_values.hpp"

#include "mcpauth/core/base64url.hpp"

namespace mcpauth::mcp {
namespace json = boost::json;

namespace {

constexpr std::string_view kPrefix = "=?base64?";
constexpr std::string_view kSuffix = "?=";

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    if (c < 0x80) {
      n = 0;
    } else if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
    } else {
      return false;
    }
    for (size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size() || (static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) {
        return false;
      }
    }
    i += n + 1;
  }
  return true;
}

// Standard padded Base64 (RFC 4648 §4) from core's base64url: the alphabets differ in two
// characters.
std::string Base64(std::string_view in) {
  std::string out = core::Base64UrlEncode(in);
  for (char& c : out) {
    c = c == '-' ? '+' : c == '_' ? '/' : c;
  }
  out.append((4 - out.size() % 4) % 4, '=');
  return out;
}

}  // namespace

std::string EncodeHeaderValue(std::string_view value) {
  // 2026-07-28 transports (standard headers, value encoding): plain visible ASCII with inner
  // spaces/tabs goes as-is; anything else, or a literal that would read as a sentinel, is
  // Base64-wrapped so that it survives HTTP and decodes to exactly the body's value.
  bool encode = !value.empty() && (value.front() == ' ' || value.front() == '\t' ||
                                   value.back() == ' ' || value.back() == '\t');
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u >= 0x7f) {
      encode = true;
    }
  }
  if (value.starts_with(kPrefix) && value.ends_with(kSuffix)) {
    encode = true;
  }
  return encode ? std::string(kPrefix) + Base64(value) + std::string(kSuffix) : std::string(value);
}

std::optional<std::string> DecodeHeaderValue(std::string_view value) {
  // 2026-07-28 transports: a value is a sentinel only with both "=?base64?" and "?=".
  if (!(value.size() >= kPrefix.size() + kSuffix.size() && value.starts_with(kPrefix) &&
        value.ends_with(kSuffix))) {
    return std::string(value);
  }
  std::string_view b64 = value.substr(kPrefix.size(), value.size() - kPrefix.size() - 2);
  // Standard base64 (RFC 4648 §4), canonical, with padding.
  if (b64.size() % 4 != 0) {
    return std::nullopt;
  }
  std::string url;
  url.reserve(b64.size());
  size_t pad = 0;
  for (size_t i = 0; i < b64.size(); ++i) {
    const char c = b64[i];
    if (c == '=') {
      if (i + 2 < b64.size()) {
        return std::nullopt;  // padding only at the very end
      }
      ++pad;
      continue;
    }
    if (pad > 0) {
      return std::nullopt;
    }
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '+' || c == '/';
    if (!ok) {
      return std::nullopt;
    }
    url.push_back(c == '+' ? '-' : c == '/' ? '_' : c);
  }
  auto decoded = core::Base64UrlDecode(url);  // strict: non-canonical pad bits are refused
  if (!decoded || !ValidUtf8(*decoded)) {
    return std::nullopt;
  }
  return *decoded;
}

std::optional<std::string> HeaderParamValue(const json::value& v) {
  if (v.is_string()) {
    return std::string(v.get_string());
  }
  if (v.is_int64()) {
    return std::to_string(v.get_int64());
  }
  if (v.is_uint64()) {
    return std::to_string(v.get_uint64());
  }
  if (v.is_double()) {
    const double d = v.get_double();
    if (d == static_cast<double>(static_cast<int64_t>(d))) {
      return std::to_string(static_cast<int64_t>(d));  // 42.0 compares as 42
    }
    return std::nullopt;
  }
  if (v.is_bool()) {
    return v.get_bool() ? "true" : "false";
  }
  return std::nullopt;
}

}  // namespace mcpauth::mcp
