// URI parsing shared by the redirect-URI, resource and client-metadata checks: Boost.URL plus the
// one guard its 1.81 parser lacks. Private to oauth/server. Thread-safety: pure functions.
#pragma once

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace mcpauth::oauth::detail {

inline std::string_view View(boost::urls::string_view s) { return {s.data(), s.size()}; }

inline std::string ToLowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

// RFC 3986 §3.3: "If a URI contains an authority component, then the path component must either
// be empty or begin with a slash". Boost.URL 1.81 does not enforce it after a port
// (boostorg/url#636, #680, fixed in later releases): "https://a.example:443evil/cb" parses as
// port "443" and path "evil/cb". Such a parse is refused here.
inline bool AuthorityPathIsWellFormed(const boost::urls::url_view& url) {
  return !url.has_authority() || url.encoded_path().empty() || url.encoded_path().front() == '/';
}

// RFC 3986 §3 URI (a fragment allowed), or nullopt. The view refers to `s`.
inline std::optional<boost::urls::url_view> ParseUri(std::string_view s) {
  auto parsed = boost::urls::parse_uri(boost::urls::string_view(s.data(), s.size()));
  if (!parsed || !AuthorityPathIsWellFormed(*parsed)) {
    return std::nullopt;
  }
  return *parsed;
}

// RFC 3986 §4.3 absolute-URI (no fragment), or nullopt. The view refers to `s`.
inline std::optional<boost::urls::url_view> ParseAbsoluteUri(std::string_view s) {
  auto parsed = boost::urls::parse_absolute_uri(boost::urls::string_view(s.data(), s.size()));
  if (!parsed || !AuthorityPathIsWellFormed(*parsed)) {
    return std::nullopt;
  }
  return *parsed;
}

}  // namespace mcpauth::oauth::detail
