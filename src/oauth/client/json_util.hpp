// JSON member access for the OAuth client's parsers: tolerant of absent members, strict about
// types where the caller asks for a value. Private to src/oauth/client.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mcpauth::oauth::client::detail {

// The string member `key`, or nullopt when absent or not a string.
inline std::optional<std::string> StringMember(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) {
    return std::nullopt;
  }
  return std::string(v->get_string());
}

// The array-of-strings member `key` (non-string elements skipped); empty when absent or not an
// array. `present` (if given) tells whether it was an array at all.
inline std::vector<std::string> StringArrayMember(const boost::json::object& o,
                                                  std::string_view key, bool* present = nullptr) {
  std::vector<std::string> out;
  const auto* v = o.if_contains(key);
  if (present != nullptr) {
    *present = v != nullptr && v->is_array();
  }
  if (v == nullptr || !v->is_array()) {
    return out;
  }
  for (const auto& e : v->get_array()) {
    if (e.is_string()) {
      out.emplace_back(e.get_string());
    }
  }
  return out;
}

inline bool BoolMember(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v != nullptr && v->is_bool() && v->get_bool();
}

// An integer member (a JSON number with an integral value), or nullopt.
inline std::optional<int64_t> IntMember(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr) {
    return std::nullopt;
  }
  if (v->is_int64()) {
    return v->get_int64();
  }
  if (v->is_uint64() && v->get_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
    return static_cast<int64_t>(v->get_uint64());
  }
  if (v->is_double()) {
    const double d = v->get_double();
    if (d >= 0 && d < 9.2e18 && d == static_cast<double>(static_cast<int64_t>(d))) {
      return static_cast<int64_t>(d);
    }
  }
  return std::nullopt;
}

// Parses `text` as a JSON object; nullopt otherwise.
inline std::optional<boost::json::object> ParseObject(std::string_view text) {
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) {
    return std::nullopt;
  }
  return std::move(v.get_object());
}

// A server-supplied string for one line of a message: control characters dropped, capped.
inline std::string Printable(std::string_view text, size_t max = 300) {
  std::string out;
  for (char c : text) {
    if (out.size() >= max) {
      out += "...";
      break;
    }
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u != 0x7f) {
      out += c;
    }
  }
  return out;
}

}  // namespace mcpauth::oauth::client::detail
