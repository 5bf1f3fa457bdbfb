#include "mcpauth/http/security_headers.hpp"

#include <boost/url/host_type.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace mcpauth::http {
namespace {

// CSP3 §2.3.1 host-char = ALPHA / DIGIT / "-"; labels are separated by ".".
bool IsCspHost(std::string_view host) {
  if (host.empty()) {
    return false;
  }
  for (char c : host) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '.')) {
      return false;
    }
  }
  return true;
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

}  // namespace

std::string FormActionSource(std::string_view redirect_uri) {
  // Boost.URL parses the URI (RFC 3986 §3); we never split URLs by hand.
  auto parsed =
      boost::urls::parse_uri(boost::urls::string_view(redirect_uri.data(), redirect_uri.size()));
  if (!parsed || parsed->scheme().empty()) {
    return {};
  }
  // RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), guaranteed by the parse,
  // so it is safe inside the policy.
  const std::string scheme = ToLower(parsed->scheme());
  // Schemes that run or embed content instead of reaching a client: never allowed as a form
  // target, whatever a registration let through.
  for (std::string_view bad : {"javascript", "data", "vbscript", "blob", "filesystem"}) {
    if (scheme == bad) {
      return {};
    }
  }
  const bool web = scheme == "http" || scheme == "https";
  const auto host_type = parsed->host_type();
  const std::string_view host(parsed->encoded_host().data(), parsed->encoded_host().size());
  const bool expressible =
      web && parsed->has_authority() &&
      (host_type == boost::urls::host_type::name || host_type == boost::urls::host_type::ipv4) &&
      IsCspHost(host);
  if (!expressible) {
    // CSP3 §2.3.1 scheme-source: private-use schemes of native apps (RFC 8252 §7.1), and hosts a
    // host-source cannot spell (IPv6 literals such as RFC 8252 §7.3's http://[::1]).
    return scheme + ":";
  }
  std::string source = scheme + "://" + ToLower(host);
  // RFC 3986 §3.2.3: port = *DIGIT (Boost.URL has checked it); an empty port means the default.
  const std::string_view port(parsed->port().data(), parsed->port().size());
  if (!port.empty()) {
    source += ':';
    source += port;
  }
  return source;
}

std::string HtmlContentSecurityPolicy(std::string_view extra_form_action) {
  // No script, object, frame, font, image or connect source at all (default-src 'none'); inline
  // styles only, so the pages need no stylesheet route; no <base> rewriting; no framing by
  // anyone (RFC 6749 §10.13); forms post to ourselves (plus, optionally, the redirect target
  // that answers the consent form: see security_headers.hpp).
  std::string csp =
      "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'; "
      "form-action 'self'";
  if (!extra_form_action.empty()) {
    csp += ' ';
    csp += extra_form_action;
  }
  return csp;
}

void ApplySecurityHeaders(Response& response, PageKind kind) {
  ApplySecurityHeaders(response, kind, {});
}

void ApplySecurityHeaders(Response& response, PageKind kind, std::string_view form_redirect_uri) {
  Headers& h = response.headers;
  // RFC 6749 §5.1: "Cache-Control: no-store" and "Pragma: no-cache" on any response containing
  // tokens, credentials or other sensitive information. Pages carry CSRF tokens, so they too.
  h.Set("Cache-Control", "no-store");
  h.Set("Pragma", "no-cache");
  // A JSON error echoing input must never be sniffed into HTML.
  h.Set("X-Content-Type-Options", "nosniff");
  // URLs of ours carry authorization codes and state: never hand them to another site.
  h.Set("Referrer-Policy", "no-referrer");
  if (kind != PageKind::kHtml) {
    return;
  }
  h.Set("Content-Security-Policy", HtmlContentSecurityPolicy(FormActionSource(form_redirect_uri)));
  // RFC 6749 §10.13 clickjacking defence for agents without CSP frame-ancestors.
  h.Set("X-Frame-Options", "DENY");
  // A page that opened ours cannot script it or read its navigation (window.opener).
  h.Set("Cross-Origin-Opener-Policy", "same-origin");
}

}  // namespace mcpauth::http
