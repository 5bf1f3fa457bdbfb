// Fuzz target: redirect-URI registration and matching (src/oauth/server/redirect_uri.cpp).
//
// The input is "<registered>\n<requested>" (no newline: both are the same string).
// Invariants beyond "no crash":
//   - RedirectUriMatches(reg, req) implies req is registrable (RedirectUriProblem() empty);
//   - a match is the identical string, or, for two http loopback URIs, the same string once the
//     port is removed from both (checked by rebuilding both with Boost.URL's remove_port(), not
//     with the matcher's own component comparison); the loopback rule is symmetric;
//   - a registrable URI matches itself, and never has a fragment, userinfo, a control character
//     or space, a refused scheme (javascript:, data:, ...), plain http to a non-loopback host,
//     or a percent-encoded host; its problem sentence is one short printable sentence;
//   - IsLoopbackRedirectUri() implies registrable and http; RedirectUriDisplayHost() is
//     lower-case for http(s) and never holds a control character.
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "mcpauth/oauth/redirect_uri.hpp"

namespace {

using mcpauth::fuzz::Lower;
using mcpauth::oauth::IsLoopbackRedirectUri;
using mcpauth::oauth::RedirectUriDisplayHost;
using mcpauth::oauth::RedirectUriMatches;
using mcpauth::oauth::RedirectUriProblem;

std::string Scheme(std::string_view uri) { return Lower(uri.substr(0, uri.find(':'))); }

// The URI with its port (and the ':' before it) removed, by Boost.URL; nullopt if it does not
// parse.
std::optional<std::string> WithoutPort(std::string_view uri) {
  auto parsed = boost::urls::parse_uri(boost::urls::string_view(uri.data(), uri.size()));
  if (!parsed) {
    return std::nullopt;
  }
  boost::urls::url u(*parsed);
  u.remove_port();
  return std::string(u.buffer());
}

void CheckOne(std::string_view uri) {
  const std::string problem = RedirectUriProblem(uri);
  const bool loopback = IsLoopbackRedirectUri(uri);
  const std::string display = RedirectUriDisplayHost(uri);
  for (char c : display) {
    FUZZ_CHECK(static_cast<unsigned char>(c) > 0x20 && c != 0x7F);
  }
  if (!problem.empty()) {
    FUZZ_CHECK(!loopback);
    FUZZ_CHECK(!RedirectUriMatches(uri, uri));
    // The sentence is one of ours: short printable ASCII, a full sentence.
    FUZZ_CHECK(problem.size() < 200 && problem.back() == '.');
    for (char c : problem) {
      FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7F);
    }
    return;
  }
  FUZZ_CHECK(RedirectUriMatches(uri, uri));
  FUZZ_CHECK(uri.find('#') == std::string_view::npos);
  for (char c : uri) {
    const auto b = static_cast<unsigned char>(c);
    FUZZ_CHECK(b > 0x20 && b < 0x7F);
  }
  const std::string scheme = Scheme(uri);
  for (std::string_view bad : {"javascript", "data", "vbscript", "file", "blob", "about",
                               "filesystem", "view-source", "ftp", "ws", "wss", "mailto"}) {
    FUZZ_CHECK(scheme != bad);
  }
  auto parsed = boost::urls::parse_uri(boost::urls::string_view(uri.data(), uri.size()));
  FUZZ_CHECK(parsed);
  FUZZ_CHECK(!parsed->has_userinfo() && !parsed->has_fragment());
  if (parsed->has_authority()) {
    const auto host = parsed->encoded_host();
    FUZZ_CHECK(!host.empty() && host.find('%') == boost::urls::string_view::npos);
    // RFC 3986 §3.3: after an authority the path is empty or absolute.
    FUZZ_CHECK(parsed->encoded_path().empty() || parsed->encoded_path().front() == '/');
  }
  if (scheme == "http") {
    FUZZ_CHECK(loopback);
    FUZZ_CHECK(display == "localhost" || display == "[::1]" || display.rfind("127.", 0) == 0 ||
               display.rfind("[", 0) == 0);
  }
  if (scheme == "https") {
    FUZZ_CHECK(!loopback && parsed->has_authority());
  }
  if (scheme == "http" || scheme == "https") {
    FUZZ_CHECK(display == Lower(display));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mcpauth::fuzz::Input in(data, size);
  const std::string_view registered = in.Until('\n');
  const std::string_view requested = in.empty() ? registered : in.rest();

  CheckOne(registered);
  if (requested.data() != registered.data()) {
    CheckOne(requested);
  }

  const bool match = RedirectUriMatches(registered, requested);
  if (match) {
    FUZZ_CHECK(RedirectUriProblem(requested).empty());
    if (registered != requested) {
      FUZZ_CHECK(IsLoopbackRedirectUri(registered) && IsLoopbackRedirectUri(requested));
      const auto a = WithoutPort(registered);
      const auto b = WithoutPort(requested);
      FUZZ_CHECK(a && b && *a == *b);
      FUZZ_CHECK(RedirectUriMatches(requested, registered));
    }
  }
  // Two registrable loopback URIs that differ only in their port match, both ways.
  if (IsLoopbackRedirectUri(registered) && IsLoopbackRedirectUri(requested)) {
    const auto a = WithoutPort(registered);
    const auto b = WithoutPort(requested);
    FUZZ_CHECK(a && b);
    FUZZ_CHECK(match == (*a == *b));
    FUZZ_CHECK(match == RedirectUriMatches(requested, registered));
  }
  return 0;
}
