// The authorization server's HTML pages: login, consent, Connected apps, messages and errors.
//
// Server-rendered HTML5 with one inline <style> and no script and no external asset (the CSP of
// http::ApplySecurityHeaders(kHtml) is default-src 'none'; style-src 'unsafe-inline'). Light and
// dark (prefers-color-scheme),
// readable from 320 px to desktop, every input labelled, every action a real <button> in a
// <form method="post">, so keyboard-only use works with Tab/Enter.
//
// Every string from outside (user names, client names, hosts, scopes, error text) is escaped
// with HtmlEscape(); hidden fields carry values escaped as attributes. The functions do no I/O
// and return the whole document. Thread-safety: pure functions.
//
// Automation contract (tests and the conformance driver rely on it): the login form has inputs
// named `username` and `password` and a hidden `csrf_token`; the consent form has a hidden
// `csrf_token` and submit buttons named `decision` with values `approve` and `deny`; each
// Disconnect button is in a form with hidden `csrf_token` and `client_id`.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mcpauth::oauth {

// &, <, >, ", ' escaped; other bytes as given (the input is UTF-8 validated upstream).
std::string HtmlEscape(std::string_view text);

using HiddenFields = std::vector<std::pair<std::string, std::string>>;

struct LoginPageModel {
  std::string server_name;
  std::string form_action;  // e.g. "/login"
  std::string csrf_token;
  HiddenFields hidden;      // e.g. {"return_to", "/authorize?..."}
  std::string username;     // pre-filled after a failed attempt
  std::string error;        // "Wrong user name or password." (empty: none)
  std::string client_name;  // "to continue to <client>" (empty: plain sign-in)
};
std::string RenderLoginPage(const LoginPageModel& model);

struct ScopeLine {
  std::string scope;        // "mcp:tools"
  std::string description;  // DescribeScope()
};

struct ConsentPageModel {
  std::string server_name;
  std::string form_action;  // "/authorize"
  std::string csrf_token;
  HiddenFields hidden;        // the authorization request's parameters, re-validated on POST
  std::string username;       // who is signed in
  std::string client_name;    // from the registration or the metadata document
  std::string client_id;      // shown small
  std::string client_host;    // CIMD: the hostname of the client_id URL (empty otherwise)
  std::string redirect_host;  // RedirectUriDisplayHost()
  bool redirect_is_loopback = false;  // "this app runs on your computer" note
  std::string resource_name;          // what it will access ("mcpauth tools")
  std::string resource_uri;
  std::vector<ScopeLine> scopes;
  std::string switch_user_action;  // a "Not you?" logout form action (empty: none)
};
std::string RenderConsentPage(const ConsentPageModel& model);

struct ConnectedApp {
  std::string client_id;
  std::string client_name;
  std::vector<ScopeLine> scopes;
  std::string created;    // already formatted, e.g. "2026-11-26 10:42 UTC"
  std::string last_used;  // formatted, or "never"
};

struct AppsPageModel {
  std::string server_name;
  std::string username;
  std::string csrf_token;
  std::string disconnect_action;  // "/apps/disconnect"
  std::string logout_action;      // "/logout"
  std::vector<ConnectedApp> apps;
  std::string notice;  // e.g. "Disconnected Claude. It can no longer access your account."
};
std::string RenderAppsPage(const AppsPageModel& model);

// A page with a title and a message, for errors that must not redirect (unknown client, bad
// redirect_uri) and for outcomes (signed out). `detail` is optional smaller text.
struct MessagePageModel {
  std::string server_name;
  std::string title;
  std::string message;
  std::string detail;
  bool is_error = true;
  std::string link_href;  // optional "continue" link (a local path), empty: none
  std::string link_text;
};
std::string RenderMessagePage(const MessagePageModel& model);

}  // namespace mcpauth::oauth
