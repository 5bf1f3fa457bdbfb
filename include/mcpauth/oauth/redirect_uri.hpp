// Redirect URIs: what may be registered, and whether a request's redirect_uri matches.
//
// Registration (RFC 7591 §2, OAuth 2.1 §2.3.1, RFC 8252 §7, MCP "Redirect URIs MUST be localhost
// or https"): an absolute URI without fragment or userinfo, whose scheme is
//   - https (any host), or
//   - http with a loopback host: 127.0.0.1 (any 127.x.y.z), [::1] or localhost, or
//   - a private-use scheme of a native app ("com.example.app:/callback", RFC 8252 §7.1, which
//     recommends reverse-domain names; short ones such as Cursor's "cursor:" are accepted too).
// javascript:, data:, vbscript:, file:, blob:, about:, filesystem:, ftp:, ws(s):, mailto:, tel:,
// sms:, intent:, chrome: and urn: are refused, as are
// hosts with percent-encoding, host names with other characters than letters, digits, '-', '.'
// and '_' (no "*.example.com"), empty hosts, ports outside 1..65535 (an empty port is allowed),
// URIs with control characters or spaces, and URIs over kMaxRedirectUriBytes.
//
// Matching (OAuth 2.1 §4.1.1 / §8.4.2 = RFC 8252 §7.3): simple string comparison (RFC 3986
// §6.2.1) — no normalisation of case, trailing slash, percent-encoding, default ports or dot
// segments — except that for an http loopback URI the port is ignored: the registered and
// requested URIs must then be equal once the port (and its ':') is removed from both.
//
// No I/O, no allocation beyond results. Fuzzed. Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mcpauth::oauth {

inline constexpr size_t kMaxRedirectUriBytes = 2048;

// Empty if `uri` may be registered; otherwise a sentence saying why not (for an
// `invalid_redirect_uri` error_description; contains no part of `uri`).
std::string RedirectUriProblem(std::string_view uri);

// True if `requested` (from /authorize or /token) matches `registered` per the rules above.
// Both are compared as received; a `requested` that RedirectUriProblem() refuses never matches,
// and the loopback port rule applies only if `registered` is itself RedirectUriProblem()-free.
bool RedirectUriMatches(std::string_view registered, std::string_view requested);

// True for http URIs on 127.0.0.0/8, [::1] or localhost that RedirectUriProblem() accepts (so
// not "http://user@127.0.0.1/" nor one with a fragment).
bool IsLoopbackRedirectUri(std::string_view uri);

// The host to show a person on the consent page ("app.example.com", "127.0.0.1",
// "com.example.app" for a private-use scheme). Empty if the URI does not parse.
std::string RedirectUriDisplayHost(std::string_view uri);

}  // namespace mcpauth::oauth
