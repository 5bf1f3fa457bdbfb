#include "mcpauth/oauth/scopes.hpp"

#include <algorithm>
#include <unordered_set>

namespace mcpauth::oauth {
namespace {

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), i.e. visible ASCII except '"'
// and '\'.
bool IsScopeTokenChar(char c) {
  const auto b = static_cast<unsigned char>(c);
  return b == 0x21 || (b >= 0x23 && b <= 0x5B) || (b >= 0x5D && b <= 0x7E);
}

}  // namespace

bool IsScopeToken(std::string_view token) {
  return !token.empty() && std::all_of(token.begin(), token.end(), IsScopeTokenChar);
}

std::optional<std::vector<std::string>> ParseScope(std::string_view scope, size_t max_tokens) {
  std::vector<std::string> out;
  if (scope.empty()) {
    return out;
  }
  // Order is kept (the token response and consent page list scopes as asked); duplicates are
  // dropped with a set so that the work stays linear whatever max_tokens is.
  std::unordered_set<std::string_view> seen;
  size_t count = 0;
  size_t start = 0;
  while (true) {
    // RFC 6749 §3.3: tokens are separated by exactly one SP; an empty token (leading, trailing
    // or doubled space) is not a scope-token.
    const size_t end = std::min(scope.find(' ', start), scope.size());
    const std::string_view token = scope.substr(start, end - start);
    if (!IsScopeToken(token)) {
      return std::nullopt;
    }
    if (++count > max_tokens) {
      return std::nullopt;
    }
    if (seen.insert(token).second) {
      out.emplace_back(token);
    }
    if (end == scope.size()) {
      break;
    }
    start = end + 1;
  }
  return out;
}

std::string JoinScopes(std::span<const std::string> scopes) {
  std::string out;
  for (const auto& s : scopes) {
    if (!out.empty()) {
      out += ' ';
    }
    out += s;
  }
  return out;
}

bool IsSubset(std::span<const std::string> subset, std::span<const std::string> set) {
  return std::all_of(subset.begin(), subset.end(), [&](const std::string& s) {
    return std::find(set.begin(), set.end(), s) != set.end();
  });
}

std::string DescribeScope(std::string_view scope) {
  struct Known {
    std::string_view scope;
    std::string_view description;
  };
  static constexpr Known kKnown[] = {
      {"mcp:tools", "Call the server's tools"},
      {"mcp:read", "Read resources and prompts"},
      {kOfflineAccess, "Stay connected when you are away (refresh tokens)"},
      // OpenID Connect Core §5.4 standard scopes.
      {"openid", "Confirm who you are"},
      {"profile", "See your name and basic profile"},
      {"email", "See your email address"},
  };
  for (const auto& known : kKnown) {
    if (known.scope == scope) {
      return std::string(known.description);
    }
  }
  // U+201C and U+201D, as UTF-8.
  std::string out = "Use the permission \xE2\x80\x9C";
  out += scope;
  out += "\xE2\x80\x9D";
  return out;
}

}  // namespace mcpauth::oauth
