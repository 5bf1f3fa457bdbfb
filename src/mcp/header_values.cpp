#include "mcpauth/mcp/header_values.hpp"

#include <algorithm>

#include "mcpauth/core/base64url.hpp"
#include "mcpauth/http/message.hpp"

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

namespace {

// Keywords whose values are data, not subschemas: an "x-mcp-header" member inside them is not an
// annotation.
bool DataKeyword(std::string_view key) {
  return key == "const" || key == "default" || key == "enum" || key == "examples";
}

constexpr int kMaxSchemaDepth = 32;

// Walks one schema object. `reachable`: reached from the root through `properties` keys only.
std::optional<std::string> Walk(const json::object& node, bool reachable,
                                std::vector<std::string>& path, std::vector<HeaderParam>& out,
                                int depth) {
  if (depth > kMaxSchemaDepth) {
    return "inputSchema nested too deeply";
  }
  if (const auto* h = node.if_contains("x-mcp-header"); h != nullptr) {
    if (!reachable || path.empty()) {
      return "x-mcp-header on a schema not reachable through `properties` keys only";
    }
    if (!h->is_string() || !http::IsToken(h->get_string())) {
      return "x-mcp-header is not a non-empty token (RFC 9110 §5.6.2)";
    }
    const auto* type = node.if_contains("type");
    const std::string_view t =
        type && type->is_string() ? std::string_view(type->get_string()) : "";
    if (t != "string" && t != "integer" && t != "boolean") {
      return "x-mcp-header on a property that is not of type string, integer or boolean";
    }
    const std::string name(h->get_string());
    if (std::any_of(out.begin(), out.end(),
                    [&](const HeaderParam& p) { return http::EqualsIgnoreCase(p.name, name); })) {
      return "x-mcp-header '" + name + "' is not unique (case-insensitively)";
    }
    out.push_back(HeaderParam{path, name});
  }
  for (const auto& [key, value] : node) {
    if (DataKeyword(key)) {
      continue;
    }
    if (key == "properties" && value.is_object()) {
      for (const auto& [name, sub] : value.get_object()) {
        if (!sub.is_object()) {
          continue;
        }
        path.emplace_back(name);
        auto bad = Walk(sub.get_object(), reachable, path, out, depth + 1);
        path.pop_back();
        if (bad) {
          return bad;
        }
      }
      continue;
    }
    // Any other keyword holding subschemas (items, oneOf, $defs, if, ...): not reachable.
    std::vector<std::string> elsewhere{"?"};
    if (value.is_object()) {
      if (auto bad = Walk(value.get_object(), false, elsewhere, out, depth + 1)) {
        return bad;
      }
    } else if (value.is_array()) {
      for (const auto& item : value.get_array()) {
        if (item.is_object()) {
          if (auto bad = Walk(item.get_object(), false, elsewhere, out, depth + 1)) {
            return bad;
          }
        }
      }
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> CollectHeaderParams(const json::object& input_schema,
                                               std::vector<HeaderParam>& out) {
  std::vector<HeaderParam> found;
  std::vector<std::string> path;
  if (auto bad = Walk(input_schema, true, path, found, 0)) {
    return bad;
  }
  out.insert(out.end(), found.begin(), found.end());
  return std::nullopt;
}

}  // namespace mcpauth::mcp
