// Scopes: the RFC 6749 §3.3 `scope` parameter, and what the authorization server grants.
//
// scope = scope-token *( SP scope-token ); scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mcpauth::oauth {

// RFC 6749 §3.3 scope-token characters only; no empty string.
bool IsScopeToken(std::string_view token);

// Splits a `scope` value on single spaces. nullopt if a token is invalid, if there are leading,
// trailing or doubled spaces, or more than `max_tokens` tokens. Duplicates are removed, the first
// occurrence's order kept. An empty string gives an empty list.
std::optional<std::vector<std::string>> ParseScope(std::string_view scope, size_t max_tokens = 64);

// Space-joined, in order.
std::string JoinScopes(std::span<const std::string> scopes);

// True if every element of `subset` is in `set`.
bool IsSubset(std::span<const std::string> subset, std::span<const std::string> set);

// A sentence in plain words for the consent page: "mcp:tools" -> "Call the server's tools",
// "mcp:read" -> "Read resources and prompts", "offline_access" -> "Stay connected when you are
// away (refresh tokens)", "openid" / "profile" / "email" their usual meaning; unknown scopes:
// "Use the permission “<scope>”" (the caller HTML-escapes).
std::string DescribeScope(std::string_view scope);

// The scope that asks for refresh tokens (OpenID Connect Core §11; MCP 2026-07-28 "offline_access
// only if the authorization server lists it").
inline constexpr std::string_view kOfflineAccess = "offline_access";

}  // namespace mcpauth::oauth
