// Response headers that every mcpauth response carries, chosen by the kind of page.
//
// kApi (JSON endpoints: token, registration, metadata, errors) and kHtml (the login and consent
// pages) both forbid caching — RFC 6749 §5.1: responses with tokens or credentials carry
// "Cache-Control: no-store" and "Pragma: no-cache" — and MIME sniffing, and send no Referer, so
// codes and state in our URLs never leak to third parties. kHtml adds a Content-Security-Policy
// that allows no script, no plugin, no external resource and no framing (RFC 6749 §10.13:
// clickjacking of the consent page), plus the X-Frame-Options and Cross-Origin-Opener-Policy
// equivalents for older agents and cross-window attacks.
//
// form-action and the consent redirect: the consent page posts to itself ('self'), and the
// server answers that POST with a redirect to the client's redirect URI. Chromium applies
// form-action to every hop of a form submission's redirect chain (CSP3 §6.4.1), so with
// form-action 'self' alone Chromium blocks the redirect back to the client. The page that holds
// such a form must therefore be sent with ApplySecurityHeaders(response, kHtml, redirect_uri),
// which also allows that redirect URI's origin (http/https) or scheme (a native app's private
// scheme, RFC 8252 §7.1). Pass only a redirect URI already validated against the client's
// registration. We keep form-action rather than drop it: it stops an injected <form> from
// posting the user's input anywhere else.
//
// Headers are set with Headers::Set, replacing earlier values. No I/O. Thread-safety: pure
// functions; the Response is the caller's.
#pragma once

#include <string>
#include <string_view>

#include "mcpauth/http/message.hpp"

namespace mcpauth::http {

enum class PageKind {
  kApi,   // JSON or other machine-read responses
  kHtml,  // pages rendered in a browser
};

void ApplySecurityHeaders(Response& response, PageKind kind);

// As above; for kHtml, form-action also allows the target of the redirect that answers the page's
// form (see the header comment). An unparsable URI adds nothing.
void ApplySecurityHeaders(Response& response, PageKind kind, std::string_view form_redirect_uri);

// The Content-Security-Policy sent with kHtml; `extra_form_action` is appended to form-action
// as-is (already a valid source expression, or empty).
std::string HtmlContentSecurityPolicy(std::string_view extra_form_action = {});

// The CSP source expression that matches `redirect_uri` for form-action: "https://host:port" for
// http(s) with a host CSP can express, "scheme:" for other schemes and for IPv6 literals (CSP3
// host-source has no syntax for them). Empty if the URI does not parse as an absolute URI, or
// its scheme is javascript, data, vbscript, blob or filesystem. Never contains ';', ',', quotes or
// whitespace, so it cannot alter the policy.
std::string FormActionSource(std::string_view redirect_uri);

}  // namespace mcpauth::http
