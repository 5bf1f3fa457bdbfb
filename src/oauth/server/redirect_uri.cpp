#include "mcpauth/oauth/redirect_uri.hpp"

#include <boost/url/host_type.hpp>
#include <boost/url/ipv4_address.hpp>
#include <boost/url/ipv6_address.hpp>
#include <boost/url/url_view.hpp>
#include <cctype>

#include "mcpauth/http/message.hpp"
#include "oauth/server/uri_parse.hpp"

namespace mcpauth::oauth {
namespace {

using boost::urls::host_type;
using boost::urls::url_view;
using detail::ToLowerAscii;
using detail::View;

// What a registrable redirect URI is; see redirect_uri.hpp.
enum class Kind {
  kHttps,         // https, any host
  kLoopbackHttp,  // http on 127.0.0.0/8, [::1] or localhost: the port is ignored when matching
  kPrivateUse,    // a native app's reverse-domain scheme (RFC 8252 §7.1)
};

// RFC 3986 §2, §3: a URI holds no controls, spaces or DEL. Boost.URL refuses them too (and every
// byte >= 0x80); checking first gives the registrant a precise sentence.
bool HasControlOrSpace(std::string_view s) {
  for (char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if (b <= 0x20 || b == 0x7F) {
      return true;
    }
  }
  return false;
}

// RFC 8252 §7.3 / §8.3: the loopback interface, by IP literal (127.0.0.0/8, RFC 1122
// §3.2.1.3; ::1, RFC 4291 §2.5.3) or by the name "localhost" (RFC 6761 §6.3; DNS names compare
// case-insensitively, RFC 4343). Boost.URL classifies only dotted-quad text as IPv4, so
// "127.1" or "0x7f.0.0.1" are reg-names here and not loopback.
bool IsLoopbackHost(const url_view& url) {
  switch (url.host_type()) {
    case host_type::ipv4:
      return url.host_ipv4_address().to_bytes()[0] == 127;
    case host_type::ipv6:
      return url.host_ipv6_address().is_loopback();
    case host_type::name:
      return http::EqualsIgnoreCase(View(url.encoded_host()), "localhost");
    default:
      return false;
  }
}

// Checks the authority of an http(s) or private-use URI. Empty if acceptable.
std::string_view AuthorityProblem(const url_view& url) {
  // RFC 6749 §3.1.2 / OAuth 2.1 §2.3.1 do not allow credentials anywhere near the endpoint, and
  // "http://evil@127.0.0.1/" is how a look-alike is built: refuse any userinfo, even empty.
  if (url.has_userinfo()) {
    return "A redirect URI must not contain user information (\"user@\").";
  }
  if (url.encoded_host().empty()) {
    return "A redirect URI must name a host.";
  }
  // A percent-encoded host ("127.0.0.%31", "ex%61mple.com") would be compared exactly but
  // resolved after decoding: refused so that what is registered is what is reached.
  if (View(url.encoded_host()).find('%') != std::string_view::npos) {
    return "A redirect URI's host must not be percent-encoded.";
  }
  if (url.host_type() == host_type::ipvfuture) {
    return "A redirect URI's host must be a name or an IPv4 or IPv6 address.";
  }
  // RFC 3986 lets a reg-name hold sub-delims ("*.example.com", "a,b", "x=y"): none is a name a
  // browser can reach, and a '*' reads as a wildcard on the consent page. Letters, digits, '-',
  // '.' and '_' only (IDNs arrive as A-labels, RFC 5890).
  if (url.host_type() == host_type::name) {
    for (const char c : View(url.encoded_host())) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '_') {
        return "A redirect URI's host must be a DNS name or an IP address.";
      }
    }
  }
  // RFC 3986 §3.2.3 allows any digits; only 1..65535 can be reached. An empty port (a bare ':')
  // is the default port and allowed. port_number() is 0 for "0" and for any value over 65535.
  if (url.has_port() && !url.port().empty() && url.port_number() == 0) {
    return "A redirect URI's port must be between 1 and 65535.";
  }
  return {};
}

// Parses and classifies `uri`. Empty if it may be registered (then *parsed and *kind are set);
// otherwise the sentence for invalid_redirect_uri, which quotes nothing of `uri`.
std::string_view Classify(std::string_view uri, url_view* parsed, Kind* kind) {
  if (uri.empty()) {
    return "A redirect URI must not be empty.";
  }
  // The store keeps a redirect URI as an identifier of at most 2048 bytes (as a metadata
  // document URL); a longer one was a 500 at registration.
  if (uri.size() > kMaxRedirectUriBytes) {
    return "A redirect URI must be at most 2048 bytes.";
  }
  if (HasControlOrSpace(uri)) {
    return "A redirect URI must not contain spaces or control characters.";
  }
  // RFC 3986 §4.3 absolute URI; Boost.URL does the parsing (never split a URI by hand).
  const auto result = detail::ParseUri(uri);
  if (!result) {
    return "A redirect URI must be an absolute URI (RFC 3986).";
  }
  const url_view& url = *result;
  // RFC 6749 §3.1.2: "The endpoint URI MUST NOT include a fragment component." Even an empty
  // one ("...#").
  if (url.has_fragment()) {
    return "A redirect URI must not contain a fragment (\"#\").";
  }
  // RFC 3986 §3.1: schemes compare case-insensitively.
  const std::string scheme = ToLowerAscii(View(url.scheme()));
  Kind k = Kind::kHttps;
  if (scheme == "https") {
    if (!url.has_authority()) {
      return "A redirect URI must name a host.";
    }
    k = Kind::kHttps;
  } else if (scheme == "http") {
    // OAuth 2.1 §2.3.1, RFC 8252 §8.3, MCP: plain http only for the loopback interface.
    if (!url.has_authority()) {
      return "A redirect URI must name a host.";
    }
    if (!IsLoopbackHost(url)) {
      return "An http redirect URI must use a loopback host (127.0.0.1, [::1] or localhost); "
             "use https otherwise.";
    }
    k = Kind::kLoopbackHttp;
  } else {
    // Schemes that run or embed content in the browser, read local files, or name another
    // network protocol never reach a native app: refused by name.
    for (std::string_view bad : {"javascript", "data", "vbscript", "file", "blob", "about",
                                 "filesystem", "view-source", "ftp", "ws", "wss", "mailto", "tel",
                                 "sms", "intent", "chrome", "chrome-extension", "urn"}) {
      if (scheme == bad) {
        return "This redirect URI scheme is not allowed.";
      }
    }
    // RFC 8252 §7.1: a private-use scheme of a native app. The RFC asks for reverse-domain names
    // (com.example.app:/cb), but widely used MCP hosts register short ones (Cursor's
    // cursor://anysphere.cursor-mcp/oauth/callback), so any other valid scheme is accepted; the
    // consent page names the scheme as the place the browser returns to.
    k = Kind::kPrivateUse;
  }
  if (url.has_authority()) {
    if (const std::string_view problem = AuthorityProblem(url); !problem.empty()) {
      return problem;
    }
  }
  *parsed = url;
  *kind = k;
  return {};
}

}  // namespace

std::string RedirectUriProblem(std::string_view uri) {
  url_view parsed;
  Kind kind = Kind::kHttps;
  return std::string(Classify(uri, &parsed, &kind));
}

bool RedirectUriMatches(std::string_view registered, std::string_view requested) {
  url_view req;
  Kind req_kind = Kind::kHttps;
  if (!Classify(requested, &req, &req_kind).empty()) {
    return false;
  }
  // OAuth 2.1 §4.1.3 and RFC 9700 §4.1.3: exact, simple string comparison (RFC 3986 §6.2.1). No
  // normalisation of case, trailing slash, percent-encoding, default port or dot segments: any
  // of those would let a URI the client never registered receive codes.
  if (registered == requested) {
    return true;
  }
  // OAuth 2.1 §8.4.2 / RFC 8252 §7.3: a native app on the loopback interface gets an ephemeral
  // port from the OS at request time, so for http loopback URIs the port alone may differ.
  if (req_kind != Kind::kLoopbackHttp) {
    return false;
  }
  url_view reg;
  Kind reg_kind = Kind::kHttps;
  if (!Classify(registered, &reg, &reg_kind).empty() || reg_kind != Kind::kLoopbackHttp) {
    return false;
  }
  // Both are scheme "://" host [":" port] path ["?" query] (no userinfo, no fragment: Classify
  // refused them), so comparing every other component byte for byte is comparing the two
  // strings with the port removed.
  return reg.scheme() == req.scheme() && reg.encoded_host() == req.encoded_host() &&
         reg.encoded_path() == req.encoded_path() && reg.has_query() == req.has_query() &&
         reg.encoded_query() == req.encoded_query();
}

bool IsLoopbackRedirectUri(std::string_view uri) {
  url_view parsed;
  Kind kind = Kind::kHttps;
  return Classify(uri, &parsed, &kind).empty() && kind == Kind::kLoopbackHttp;
}

std::string RedirectUriDisplayHost(std::string_view uri) {
  const auto result = detail::ParseUri(uri);
  if (!result) {
    return {};
  }
  const std::string scheme = ToLowerAscii(View(result->scheme()));
  if (scheme == "http" || scheme == "https") {
    // Hosts compare case-insensitively (RFC 3986 §3.2.2), so the person sees one spelling. The
    // host is shown still percent-encoded: decoding could show a name that is not the one
    // reached.
    return ToLowerAscii(View(result->encoded_host()));
  }
  // A private-use scheme names the app (RFC 8252 §7.1); any authority after it is meaningless.
  return scheme;
}

}  // namespace mcpauth::oauth
