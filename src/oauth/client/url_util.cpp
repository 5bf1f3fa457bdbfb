#include "oauth/client/url_util.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <boost/url/parse.hpp>
#include <cctype>

namespace mcpauth::oauth::client::detail {

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

std::optional<UrlParts> ParseHttpUrl(std::string_view url) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) {
    // parse_absolute_uri refuses fragments; a URL with one is still a URL (and is reported).
    auto with_fragment = boost::urls::parse_uri(url);
    if (!with_fragment) {
      return std::nullopt;
    }
    auto parts = ParseHttpUrl(std::string_view(url).substr(0, url.find('#')));
    if (parts) {
      parts->has_fragment = true;
    }
    return parts;
  }
  const auto& u = *parsed;
  UrlParts parts;
  parts.scheme = Lower(u.scheme());
  if ((parts.scheme != "http" && parts.scheme != "https") || !u.has_authority() ||
      u.encoded_host().empty()) {
    return std::nullopt;
  }
  parts.host = Lower(u.encoded_host());  // IPv6 literals keep their brackets
  parts.port = std::string(u.port());
  if ((parts.scheme == "http" && parts.port == "80") ||
      (parts.scheme == "https" && parts.port == "443")) {
    parts.port.clear();
  }
  parts.path = std::string(u.encoded_path());
  if (parts.path.empty()) {
    parts.path = "/";
  }
  if (u.has_query()) {
    parts.query = std::string(u.encoded_query());
  }
  parts.has_userinfo = u.has_userinfo();
  return parts;
}

std::string OriginOf(const UrlParts& parts) {
  return parts.scheme + "://" + parts.host + (parts.port.empty() ? "" : ":" + parts.port);
}

std::optional<std::string> NormalizeUrl(std::string_view url) {
  auto parts = ParseHttpUrl(url);
  if (!parts) {
    return std::nullopt;
  }
  return OriginOf(*parts) + parts->path + (parts->query ? "?" + *parts->query : "");
}

bool IsLoopbackHost(std::string_view host) {
  const std::string h = Lower(host);
  if (h == "localhost" || h == "[::1]" || h == "::1") {
    return true;
  }
  // 127.0.0.0/8 as a dotted quad.
  if (!h.starts_with("127.")) {
    return false;
  }
  int dots = 0;
  int digits = 0;
  for (char c : h) {
    if (c == '.') {
      if (digits == 0) {
        return false;
      }
      ++dots;
      digits = 0;
    } else if (c >= '0' && c <= '9') {
      if (++digits > 3) {
        return false;
      }
    } else {
      return false;
    }
  }
  return dots == 3 && digits > 0;
}

bool EndpointAllowed(std::string_view url, bool allow_insecure_http) {
  auto parts = ParseHttpUrl(url);
  if (!parts || parts->has_fragment || parts->has_userinfo) {
    return false;
  }
  return parts->scheme == "https" || allow_insecure_http || IsLoopbackHost(parts->host);
}

std::string AppendQuery(std::string_view url, std::string_view query) {
  std::string out(url);
  if (query.empty()) {
    return out;
  }
  if (out.find('?') == std::string::npos) {
    out += '?';
  } else if (out.back() != '?' && out.back() != '&') {
    out += '&';
  }
  out += query;
  return out;
}

std::string Base64Encode(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(data.data()),
                                static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

}  // namespace mcpauth::oauth::client::detail
