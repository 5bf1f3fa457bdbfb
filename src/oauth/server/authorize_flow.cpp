// The authorization endpoint and the pages around it: sign-in, consent, Connected apps.
//
// Order of checks for GET /authorize (OAuth 2.1 §4.1.1, §4.1.2.1; SPEC-CHECKLIST AS6-AS14):
//   1. the query parses (no duplicate parameter)                 else error page 400
//   2. client_id names a registered client (or a valid metadata
//      document, fetched)                                        else error page 400
//   3. redirect_uri matches a registered one (loopback: any port);
//      absent only if exactly one is registered                  else error page 400
//   -- from here on, errors are redirected to the client (with state and iss) --
//   4. response_type=code                                        else unsupported_response_type
//   5. code_challenge_method=S256, code_challenge 43 base64url   else invalid_request
//   6. resource (one, known; absent = the default resource)      else invalid_target
//   7. scope (known for the resource; absent = its scopes)       else invalid_scope
//   8. signed in?                                                else the sign-in page
//   9. consent on record covering the scopes?                    else the consent page
//  10. a code is issued and the browser redirected with code, state and iss (RFC 9207).
// POST /authorize is the consent form: the same checks on the posted parameters, plus the
// session and its CSRF token, then `decision` = approve | deny.
#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <map>

#include "mcpauth/core/crypto.hpp"
#include "mcpauth/core/log.hpp"
#include "mcpauth/core/token.hpp"
#include "mcpauth/http/security_headers.hpp"
#include "mcpauth/oauth/client_registration.hpp"
#include "mcpauth/oauth/redirect_uri.hpp"
#include "mcpauth/oauth/scopes.hpp"
#include "oauth/server/as_impl.hpp"

namespace mcpauth::oauth {
namespace {

// RFC 7636 §4.2: S256 challenge = BASE64URL(SHA256(verifier)) = 43 characters.
bool IsS256Challenge(std::string_view challenge) {
  return challenge.size() == 43 && std::all_of(challenge.begin(), challenge.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
         });
}

// `uri` with `params` appended to its query (RFC 6749 §4.1.2: "retaining" any query component).
std::string WithQuery(std::string_view uri,
                      const std::vector<std::pair<std::string, std::string>>& params) {
  auto parsed = boost::urls::parse_uri(uri);
  if (!parsed) {
    return std::string(uri);  // validated at registration; unreachable
  }
  boost::urls::url url(*parsed);
  for (const auto& [name, value] : params) {
    url.params().append({name, value});
  }
  return std::string(url.buffer());
}

std::string FormatTime(Clock::TimePoint t) {
  return fmt::format(
      "{:%Y-%m-%d %H:%M} UTC",
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::time_point(
          std::chrono::duration_cast<std::chrono::system_clock::duration>(t.time_since_epoch()))));
}

std::vector<ScopeLine> ScopeLines(const std::vector<std::string>& scopes) {
  std::vector<ScopeLine> lines;
  for (const auto& s : scopes) {
    lines.push_back({s, DescribeScope(s)});
  }
  return lines;
}

bool CsrfMatches(std::optional<std::string_view> sent, std::string_view expected) {
  return sent.has_value() && !expected.empty() && core::ConstantTimeEquals(*sent, expected);
}

}  // namespace

bool AuthorizationServer::Impl::NeedsPool(const http::Form& params) const {
  auto id = params.Get("client_id");
  return id && deps.metadata_fetcher != nullptr && IsMetadataDocumentUrl(*id);
}

std::variant<AuthorizeRequest, http::Response> AuthorizationServer::Impl::ValidateAuthorize(
    const http::Form& params) {
  AuthorizeRequest request;
  for (auto name : kAuthorizeParams) {
    if (auto v = params.Get(name)) {
      request.params.emplace_back(std::string(name), std::string(*v));
    }
  }
  // 2. The client.
  const auto client_id = params.GetNonEmpty("client_id");
  if (!client_id) {
    return MessagePage(400, "This sign-in link is incomplete",
                       "The application did not say who it is (client_id is missing).",
                       "Go back to the application and start again.");
  }
  if (IsMetadataDocumentUrl(*client_id)) {
    if (deps.metadata_fetcher == nullptr) {
      return MessagePage(400, "Unknown application",
                         "This server does not accept client metadata documents.");
    }
    auto resolved = deps.metadata_fetcher->Resolve(*client_id);
    if (!resolved.client) {
      return MessagePage(400, "The application could not be verified", resolved.error.description);
    }
    request.client = std::move(resolved.client->client);
  } else {
    auto client = deps.store.GetClient(*client_id);
    if (!client) {
      if (client.error() == store::Errc::kNotFound) {
        return MessagePage(400, "Unknown application",
                           "The application is not registered with this server.",
                           "It may have been removed. Reconnect it from the application.");
      }
      return MessagePage(503, "Temporarily unavailable", "Try again in a moment.");
    }
    request.client = std::move(*client);
  }
  // 3. The redirect URI.
  const auto& registered = request.client.redirect_uris;
  if (auto sent = params.GetNonEmpty("redirect_uri")) {
    const bool ok = std::any_of(registered.begin(), registered.end(),
                                [&](const std::string& r) { return RedirectUriMatches(r, *sent); });
    if (!ok) {
      return MessagePage(400, "Wrong return address",
                         "The application asked to be answered at an address it did not "
                         "register, so this request was stopped.",
                         "Nothing was sent to the application.");
    }
    request.redirect_uri = std::string(*sent);
    request.redirect_uri_sent = request.redirect_uri;
  } else if (registered.size() == 1) {
    request.redirect_uri = registered.front();  // OAuth 2.1 §2.3.2
  } else {
    return MessagePage(400, "This sign-in link is incomplete",
                       "The application did not say where to return (redirect_uri).");
  }
  if (auto state = params.Get("state")) {
    request.state = std::string(*state);
  }
  // 4. response_type.
  const auto response_type = params.GetNonEmpty("response_type");
  if (!response_type) {
    return ErrorRedirect(request, "invalid_request", "response_type is required");
  }
  if (*response_type != "code") {
    return ErrorRedirect(request, "unsupported_response_type", "only response_type=code");
  }
  // 5. PKCE (OAuth 2.1 §4.1.1: required for every client here; S256 only).
  const auto method = params.GetNonEmpty("code_challenge_method");
  const auto challenge = params.GetNonEmpty("code_challenge");
  if (!challenge) {
    return ErrorRedirect(request, "invalid_request", "code_challenge is required (PKCE, S256)");
  }
  if (!method || *method != "S256") {
    return ErrorRedirect(request, "invalid_request", "code_challenge_method must be S256");
  }
  if (!IsS256Challenge(*challenge)) {
    return ErrorRedirect(request, "invalid_request",
                         "code_challenge must be 43 base64url characters (S256)");
  }
  request.code_challenge = std::string(*challenge);
  // 6. resource (RFC 8707 §2; one per request here).
  if (auto resource = params.GetNonEmpty("resource")) {
    request.resource = FindResource(config, *resource);
    if (request.resource == nullptr) {
      return ErrorRedirect(request, "invalid_target", "unknown resource");
    }
  } else {
    request.resource = &config.resources.front();
  }
  // 7. scope.
  if (auto scope = params.GetNonEmpty("scope")) {
    auto parsed = ParseScope(*scope);
    if (!parsed) {
      return ErrorRedirect(request, "invalid_scope", "malformed scope");
    }
    for (const auto& s : *parsed) {
      const auto& allowed = request.resource->scopes;
      if (s != kOfflineAccess && std::find(allowed.begin(), allowed.end(), s) == allowed.end()) {
        return ErrorRedirect(request, "invalid_scope", "unknown scope for this resource");
      }
    }
    request.scopes = std::move(*parsed);
  } else {
    request.scopes = request.resource->scopes;
  }
  return request;
}

http::Response AuthorizationServer::Impl::ErrorRedirect(const AuthorizeRequest& request,
                                                        std::string_view error,
                                                        std::string_view description) const {
  std::vector<std::pair<std::string, std::string>> params{{"error", std::string(error)}};
  if (!description.empty()) {
    params.emplace_back("error_description", std::string(description));
  }
  if (request.state) {
    params.emplace_back("state", *request.state);
  }
  params.emplace_back("iss", config.issuer);  // RFC 9207 §2
  return Redirect(303, WithQuery(request.redirect_uri, params));
}

http::Response AuthorizationServer::Impl::IssueCodeRedirect(const AuthorizeRequest& request,
                                                            const LoginSession& session,
                                                            const std::string& ip) {
  CodeGrantRequest grant;
  grant.user_id = session.user_id;
  grant.username = session.username;
  grant.client_id = request.client.client_id;
  grant.redirect_uri = request.redirect_uri_sent;
  grant.code_challenge = request.code_challenge;
  grant.scopes = request.scopes;
  grant.resource = request.resource->uri;
  grant.ip = ip;
  auto code = tokens.IssueCode(grant);
  if (!code) {
    log::Error("authorize: cannot issue a code: {}", code.error().message());
    return ErrorRedirect(
        request,
        code.error() == store::Errc::kUnavailable ? "temporarily_unavailable" : "server_error", "");
  }
  std::vector<std::pair<std::string, std::string>> params{
      {"code", std::string(code->code.Reveal())}};
  if (request.state) {
    params.emplace_back("state", *request.state);
  }
  params.emplace_back("iss", config.issuer);
  return Redirect(303, WithQuery(request.redirect_uri, params));
}

http::Response AuthorizationServer::Impl::LoginPage(int status, std::string return_to,
                                                    std::string username, std::string error,
                                                    std::string client_name) const {
  // Login CSRF (RFC 6749 §10.12): a random value in a SameSite cookie and in the form.
  const std::string csrf = core::GenerateId(deps.random, 16);
  LoginPageModel model;
  model.server_name = config.server_name;
  model.form_action = Path("/login");
  model.csrf_token = csrf;
  model.hidden = {{"return_to", std::move(return_to)}};
  model.username = std::move(username);
  model.error = std::move(error);
  model.client_name = std::move(client_name);
  auto response = Page(status, RenderLoginPage(model));
  response.headers.Add("Set-Cookie", CookieHeader(login_csrf_cookie, csrf, 3600));
  return response;
}

http::Response AuthorizationServer::Impl::ConsentPage(const AuthorizeRequest& request,
                                                      const LoginSession& session) const {
  ConsentPageModel model;
  model.server_name = config.server_name;
  model.form_action = Path("/authorize");
  model.csrf_token = session.csrf_token;
  model.hidden = request.params;
  model.username = session.username;
  model.client_name = request.client.name.empty() ? request.client.client_id : request.client.name;
  model.client_id = request.client.client_id;
  if (request.client.source == store::RegistrationSource::kCimd) {
    model.client_host = RedirectUriDisplayHost(request.client.client_id);
  }
  model.redirect_host = RedirectUriDisplayHost(request.redirect_uri);
  model.redirect_is_loopback = IsLoopbackRedirectUri(request.redirect_uri);
  model.resource_name = request.resource->name;
  model.resource_uri = request.resource->uri;
  model.scopes = ScopeLines(request.scopes);
  model.switch_user_action = Path("/logout");
  auto response = http::Response::Html(200, RenderConsentPage(model));
  // The consent form's answer redirects to the client: form-action must allow that origin.
  http::ApplySecurityHeaders(response, http::PageKind::kHtml, request.redirect_uri);
  return response;
}

http::Response AuthorizationServer::Impl::AuthorizeGet(const http::Request& request) {
  http::FormParseError parse_error;
  auto params = http::ParseForm(request.query, {}, &parse_error);
  if (!params) {
    return MessagePage(400, "This sign-in link is damaged",
                       parse_error.code == http::CodecErrc::kDuplicateParameter
                           ? "A parameter appears twice in the request."
                           : "The request's parameters cannot be read.");
  }
  auto checked = ValidateAuthorize(*params);
  if (auto* response = std::get_if<http::Response>(&checked)) {
    return std::move(*response);
  }
  auto& authz = std::get<AuthorizeRequest>(checked);
  auto session = CurrentSession(request);
  if (!session) {
    const std::string return_to = Path("/authorize") + "?" + http::EncodeForm(authz.params);
    return LoginPage(200, return_to, "", "", authz.client.name);
  }
  // Remembered consent (per user and client) that covers every requested scope skips the page.
  auto consent = deps.store.GetConsent(session->user_id, authz.client.client_id);
  if (consent && IsSubset(authz.scopes, consent->scopes)) {
    return IssueCodeRedirect(authz, *session, Address(request));
  }
  return ConsentPage(authz, *session);
}

http::Response AuthorizationServer::Impl::AuthorizePost(const http::Request& request) {
  if (!IsFormContentType(request)) {
    return MessagePage(415, "Unsupported form", "The form was not sent as a web form.");
  }
  auto form = http::ParseForm(request.body);
  if (!form) {
    return MessagePage(400, "The form cannot be read", "Go back to the application and retry.");
  }
  auto session = CurrentSession(request);
  if (!session || !CsrfMatches(form->Get("csrf_token"), session->csrf_token)) {
    // Not signed in any more, or a forged submission (CSRF): nothing is granted.
    return MessagePage(403, "This form has expired",
                       "For your safety the approval was not recorded.",
                       "Go back to the application and connect again.");
  }
  auto checked = ValidateAuthorize(*form);
  if (auto* response = std::get_if<http::Response>(&checked)) {
    return std::move(*response);
  }
  auto& authz = std::get<AuthorizeRequest>(checked);
  const auto decision = form->Get("decision");
  if (decision == "deny") {
    deps.store.AppendAudit({.type = "consent.denied",
                            .subject = session->user_id,
                            .client_id = authz.client.client_id,
                            .ip = Address(request),
                            .time = deps.clock.Now()});
    return ErrorRedirect(authz, "access_denied", "the user denied the request");
  }
  if (decision != "approve") {
    return MessagePage(400, "No decision", "Choose Approve or Deny.");
  }
  // Remember the consent: what was approved before plus what is approved now.
  std::vector<std::string> remembered = authz.scopes;
  if (auto previous = deps.store.GetConsent(session->user_id, authz.client.client_id)) {
    for (const auto& s : previous->scopes) {
      if (std::find(remembered.begin(), remembered.end(), s) == remembered.end()) {
        remembered.push_back(s);
      }
    }
  }
  if (auto st = deps.store.PutConsent(
          {session->user_id, authz.client.client_id, remembered, deps.clock.Now()});
      !st) {
    log::Warn("authorize: cannot remember consent: {}", st.error().message());
  }
  return IssueCodeRedirect(authz, *session, Address(request));
}

// ---- sign-in ----------------------------------------------------------------------------

http::Response AuthorizationServer::Impl::LoginGet(const http::Request& request) {
  std::string return_to = Path("/apps");
  if (auto params = http::ParseForm(request.query)) {
    if (auto r = params->GetNonEmpty("return_to"); r && *r == Path("/apps")) {
      return_to = std::string(*r);
    }
  }
  if (CurrentSession(request)) {
    return Redirect(303, return_to);
  }
  return LoginPage(200, return_to, "", "", "");
}

void AuthorizationServer::Impl::LoginPost(std::shared_ptr<http::Exchange> exchange) {
  const http::Request& request = exchange->request();
  if (!IsFormContentType(request)) {
    exchange->Respond(MessagePage(415, "Unsupported form", "The form was not sent as a web form."));
    return;
  }
  auto form = http::ParseForm(request.body);
  if (!form) {
    exchange->Respond(MessagePage(400, "The form cannot be read", "Go back and try again."));
    return;
  }
  // Where to go afterwards: only our own authorization endpoint or the apps page (no open
  // redirect through the login form).
  std::string return_to(form->Get("return_to").value_or(""));
  if (return_to != Path("/apps") && !return_to.starts_with(Path("/authorize?"))) {
    return_to = Path("/apps");
  }
  std::string client_name;
  const std::string username(form->Get("username").value_or(""));
  const auto cookie = CookieValue(request, login_csrf_cookie);
  if (!cookie || !CsrfMatches(form->Get("csrf_token"), *cookie)) {
    exchange->Respond(LoginPage(403, return_to, username,
                                "This sign-in form expired. Please sign in again.", client_name));
    return;
  }
  const std::string ip = Address(request);
  std::string name_key = username;
  for (char& c : name_key) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (!login_by_address.Take(ip) || !login_by_username.Allowed(name_key)) {
    deps.store.AppendAudit({.type = "login.throttled", .ip = ip, .time = deps.clock.Now()});
    auto response =
        LoginPage(429, return_to, username,
                  "Too many sign-in attempts. Wait a few minutes and try again.", client_name);
    response.headers.Set("Retry-After",
                         std::to_string(std::max<int64_t>(
                             1, std::max(login_by_address.RetryAfterSeconds(ip),
                                         login_by_username.RetryAfterSeconds(name_key)))));
    exchange->Respond(std::move(response));
    return;
  }
  Secret password(std::string(form->Get("password").value_or("")));
  auto user = username.empty() || username.size() > 256
                  ? Result<store::User>(store::make_error_code(store::Errc::kNotFound))
                  : deps.store.FindUserByUsername(username);
  const auto now = deps.clock.Now();
  const bool usable = user && !user->disabled && !store::IsLocked(*user, now);

  // Same message and the same Argon2 work whether or not the account exists, is disabled or is
  // locked: no account enumeration (RFC 9700 §4.15, OWASP ASVS 2.2).
  auto fail = [this, exchange, return_to, username, name_key, ip,
               client_name](std::optional<store::User> known) {
    login_by_username.Take(name_key);
    std::string message = "Wrong user name or password.";
    if (known) {
      auto updated = deps.store.RecordLoginFailure(known->id, deps.clock.Now(), config.lockout);
      if (updated && store::IsLocked(*updated, deps.clock.Now())) {
        deps.store.AppendAudit(
            {.type = "login.locked", .subject = known->id, .ip = ip, .time = deps.clock.Now()});
      }
    }
    if (!login_by_username.Allowed(name_key)) {
      message = "Too many sign-in attempts. Wait a few minutes and try again.";
    }
    deps.store.AppendAudit({.type = "login.failed",
                            .subject = known ? known->id : "",
                            .ip = ip,
                            .time = deps.clock.Now()});
    exchange->Respond(LoginPage(200, return_to, username, message, client_name));
  };

  if (!usable) {
    std::optional<store::User> known;
    if (user) {
      known = *user;
    }
    const bool queued = deps.passwords.VerifyDummyAsync(deps.pool, std::move(password),
                                                        [fail, known] { fail(known); });
    if (!queued) {
      exchange->Respond(MessagePage(503, "Busy", "The server is busy. Try again."));
    }
    return;
  }
  const store::User found = *user;
  // The copy is made before the call: the callback below takes the original by move, and the
  // order in which a call's arguments are evaluated is unspecified.
  Secret attempt(std::string(password.Reveal()));
  const bool queued = deps.passwords.VerifyAsync(
      deps.pool, found.password_hash, std::move(attempt),
      [this, exchange, found, fail, return_to, ip, name_key,
       password = std::move(password)](bool ok) mutable {
        if (!ok) {
          fail(found);
          return;
        }
        deps.store.RecordLoginSuccess(found.id);
        login_by_username.Reset(name_key);
        if (deps.passwords.NeedsRehash(found.password_hash)) {
          if (auto rehashed = deps.passwords.Hash(password)) {
            deps.store.SetPasswordHash(found.id, *rehashed);
          }
        }
        deps.store.AppendAudit(
            {.type = "login.succeeded", .subject = found.id, .ip = ip, .time = deps.clock.Now()});
        Secret cookie = sessions.Create(found.id, found.username);
        auto response = Redirect(303, return_to);
        response.headers.Add("Set-Cookie",
                             CookieHeader(session_cookie, cookie.Reveal(),
                                          std::chrono::duration_cast<std::chrono::seconds>(
                                              config.login_session_lifetime)
                                              .count()));
        response.headers.Add("Set-Cookie", CookieHeader(login_csrf_cookie, "", 0));
        exchange->Respond(std::move(response));
      });
  if (!queued) {
    exchange->Respond(MessagePage(503, "Busy", "The server is busy. Try again."));
  }
}

http::Response AuthorizationServer::Impl::LogoutPost(const http::Request& request) {
  auto form = http::ParseForm(request.body);
  auto cookie = CookieValue(request, session_cookie);
  auto session = CurrentSession(request);
  if (!form || !session || !CsrfMatches(form->Get("csrf_token"), session->csrf_token)) {
    return MessagePage(403, "This form has expired", "You were not signed out.",
                       "Reload the page and try again.");
  }
  sessions.End(*cookie);
  MessagePageModel model;
  model.server_name = config.server_name;
  model.title = "Signed out";
  model.message = "You are signed out of " + config.server_name + ".";
  model.is_error = false;
  model.link_href = Path("/apps");
  model.link_text = "Sign in again";
  auto response = Page(200, RenderMessagePage(model));
  response.headers.Add("Set-Cookie", CookieHeader(session_cookie, "", 0));
  return response;
}

// ---- Connected apps ------------------------------------------------------------------------

http::Response AuthorizationServer::Impl::AppsPage(const LoginSession& session,
                                                   std::string notice) const {
  AppsPageModel model;
  model.server_name = config.server_name;
  model.username = session.username;
  model.csrf_token = session.csrf_token;
  model.disconnect_action = Path("/apps/disconnect");
  model.logout_action = Path("/logout");
  model.notice = std::move(notice);
  auto grants = deps.store.ListGrants({.user_id = session.user_id}, /*include_revoked=*/false);
  if (!grants) {
    return MessagePage(503, "Temporarily unavailable", "Try again in a moment.");
  }
  // One row per client: the union of its grants' scopes, the first grant, the latest use.
  struct Row {
    std::vector<std::string> scopes;
    Clock::TimePoint created;
    std::optional<Clock::TimePoint> last_used;
  };
  std::map<std::string, Row> rows;
  std::vector<std::string> order;
  for (const auto& g : *grants) {
    auto [it, inserted] = rows.try_emplace(g.client_id, Row{{}, g.created_at, std::nullopt});
    if (inserted) {
      order.push_back(g.client_id);
    }
    for (const auto& s : g.scopes) {
      if (std::find(it->second.scopes.begin(), it->second.scopes.end(), s) ==
          it->second.scopes.end()) {
        it->second.scopes.push_back(s);
      }
    }
    it->second.created = std::min(it->second.created, g.created_at);
    if (g.last_used_at && (!it->second.last_used || *g.last_used_at > *it->second.last_used)) {
      it->second.last_used = g.last_used_at;
    }
  }
  for (const auto& client_id : order) {
    const Row& row = rows[client_id];
    ConnectedApp app;
    app.client_id = client_id;
    auto client = deps.store.GetClient(client_id);
    app.client_name = client && !client->name.empty() ? client->name : client_id;
    app.scopes = ScopeLines(row.scopes);
    app.created = FormatTime(row.created);
    app.last_used = row.last_used ? FormatTime(*row.last_used) : "never";
    model.apps.push_back(std::move(app));
  }
  return Page(200, RenderAppsPage(model));
}

http::Response AuthorizationServer::Impl::AppsGet(const http::Request& request) {
  auto session = CurrentSession(request);
  if (!session) {
    return Redirect(303, Path("/login") + "?return_to=" + http::FormEncode(Path("/apps")));
  }
  return AppsPage(*session, "");
}

http::Response AuthorizationServer::Impl::DisconnectPost(const http::Request& request) {
  auto form = http::ParseForm(request.body);
  auto session = CurrentSession(request);
  if (!form || !session || !CsrfMatches(form->Get("csrf_token"), session->csrf_token)) {
    return MessagePage(403, "This form has expired", "Nothing was disconnected.",
                       "Reload the Connected apps page and try again.");
  }
  const auto client_id = form->GetNonEmpty("client_id");
  if (!client_id) {
    return MessagePage(400, "No application chosen", "Choose the application to disconnect.");
  }
  std::string name(*client_id);
  if (auto client = deps.store.GetClient(*client_id); client && !client->name.empty()) {
    name = client->name;
  }
  auto revoked = tokens.Disconnect(session->user_id, *client_id, Address(request));
  if (!revoked) {
    return MessagePage(503, "Temporarily unavailable", "Nothing was disconnected. Try again.");
  }
  return AppsPage(*session, "Disconnected " + name + ". It can no longer access your account.");
}

}  // namespace mcpauth::oauth
