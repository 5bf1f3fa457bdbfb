#include "mcpauth/oauth/client/session.hpp"

#include <cstdio>

#include "mcpauth/core/log.hpp"
#include "mcpauth/oauth/client/authorization.hpp"
#include "mcpauth/oauth/client/browser.hpp"
#include "mcpauth/oauth/client/errc.hpp"
#include "mcpauth/oauth/client/loopback_receiver.hpp"
#include "mcpauth/oauth/client/token_endpoint.hpp"
#include "oauth/client/json_util.hpp"
#include "oauth/client/url_util.hpp"

namespace mcpauth::oauth::client {

namespace {

std::string Normalized(const std::string& url) { return detail::NormalizeUrl(url).value_or(url); }

Credential WithTokens(Credential c, const TokenResponse& t, Clock::TimePoint now) {
  c.access_token = t.access_token;
  if (!t.refresh_token.empty()) {
    c.refresh_token = t.refresh_token;  // OAuth 2.1 §4.3.1: rotated; the old one is discarded
  }
  c.expires_at.reset();
  if (t.expires_in) {
    c.expires_at = now + std::chrono::seconds(*t.expires_in);
  }
  if (t.scopes) {
    c.scopes = *t.scopes;
  }
  c.obtained_at = now;
  return c;
}

std::string WhatToDo(const ErrorCode& code) {
  if (code == Errc::kLoginRequired) {
    return " Sign in with `mcpauth login URL`.";
  }
  if (IsTransient(code)) {
    return " The stored credentials were kept; try again later.";
  }
  return "";
}

}  // namespace

OAuthSession::OAuthSession(OAuthSessionDeps deps, std::string server_url,
                           OAuthClientOptions options)
    : send_(std::move(deps.send)),
      storage_(deps.storage),
      clock_(deps.clock),
      random_(deps.random),
      server_url_(Normalized(server_url)),
      options_(std::move(options)) {}

// ---- small helpers --------------------------------------------------------------------------

Status OAuthSession::Fail(ErrorCode code, std::string detail) {
  if (detail.empty()) {
    detail = code.message();
  }
  log::Debug("oauth client: {}: {}", server_url_, detail);
  std::lock_guard lock(mu_);
  last_error_ = std::move(detail);
  return code;
}

void OAuthSession::Notify(std::string_view message) const {
  if (options_.notify) {
    options_.notify(message);
  } else {
    std::fprintf(stderr, "%.*s\n", static_cast<int>(message.size()), message.data());
  }
}

bool OAuthSession::Expiring(const Credential& c) const {
  return c.expires_at && *c.expires_at - clock_.Now() <= options_.refresh_margin;
}

std::optional<Credential> OAuthSession::Current() {
  std::lock_guard lock(mu_);
  return current_;
}

void OAuthSession::Adopt(std::optional<Credential> credential) {
  std::lock_guard lock(mu_);
  current_ = std::move(credential);
  loaded_ = true;
}

Status OAuthSession::EnsureLoaded() {
  {
    std::lock_guard lock(mu_);
    if (loaded_) {
      return {};
    }
  }
  auto loaded = storage_.LoadCredential(server_url_);
  if (!loaded) {
    return Fail(Errc::kStorageFailed,
                "cannot read the stored credentials: " + loaded.error().message());
  }
  std::lock_guard lock(mu_);
  if (!loaded_) {
    current_ = std::move(*loaded);
    loaded_ = true;
  }
  return {};
}

std::string OAuthSession::last_error() const {
  std::lock_guard lock(mu_);
  return last_error_;
}

std::vector<std::string> OAuthSession::discovery_trace() const {
  std::lock_guard lock(mu_);
  return trace_;
}

int OAuthSession::refreshes() const {
  std::lock_guard lock(mu_);
  return refreshes_;
}

int OAuthSession::logins() const {
  std::lock_guard lock(mu_);
  return logins_;
}

// ---- the McpClient side ---------------------------------------------------------------------

void OAuthSession::AddAuthorization(http::Headers& headers) {
  if (!EnsureLoaded()) {
    return;
  }
  std::lock_guard lock(mu_);
  // MCP "Token Requirements": the token goes in the Authorization header of every request,
  // never in the URI; only tokens stored for THIS server URL are ever sent (CL19). A token known
  // to have expired with no refresh token to renew it is not sent: the server can only refuse
  // it, and some answer 500 instead of 401 (the TypeScript SDK's example server), which would
  // hide that a sign-in is needed; without a token, the 401 leads there.
  const bool dead = current_ && current_->refresh_token.empty() && current_->expires_at &&
                    *current_->expires_at <= clock_.Now();
  if (current_ && !current_->access_token.empty() && !dead) {
    headers.Set("Authorization", "Bearer " + std::string(current_->access_token.Reveal()));
  }
}

mcp::McpClientOptions OAuthSession::Decorate(mcp::McpClientOptions options) {
  auto previous = std::move(options.add_headers);
  options.add_headers = [this, previous = std::move(previous)](http::Headers& headers) {
    if (previous) {
      previous(headers);
    }
    AddAuthorization(headers);
  };
  return options;
}

Status OAuthSession::RunAuthorized(mcp::McpClient& mcp, const std::function<Status()>& attempt) {
  return RunAuthorized([&](mcp::ClientError& refusal) {
    Status result = attempt();
    refusal = mcp.last_error();
    return result;
  });
}

Status OAuthSession::RunAuthorized(
    const std::function<Status(mcp::ClientError& refusal)>& attempt) {
  if (auto ok = EnsureLoaded(); !ok) {
    return ok;
  }
  // Proactive refresh (PEERS pain point 1): a token about to expire is renewed before use. A
  // failure here is not final: the request goes out anyway and the server's answer decides.
  if (auto c = Current(); c && Expiring(*c) && !c->refresh_token.empty()) {
    if (auto refreshed = DoRefresh(nullptr, false); !refreshed) {
      // Keep using what we have: the operation fails only if the server refuses it.
      log::Debug("oauth client: proactive refresh failed: {}", refreshed.error().message());
    }
  }
  OperationState state;
  for (;;) {
    const std::optional<Credential> sent = Current();
    mcp::ClientError refused;
    Status result = attempt(refused);
    if (result || (result.error() != mcp::ClientErrc::kUnauthorized &&
                   result.error() != mcp::ClientErrc::kForbidden)) {
      return result;
    }
    const ResourceChallenge challenge = ParseResourceChallenge(refused.www_authenticate);
    const Refusal refusal{refused.http_status != 0                        ? refused.http_status
                          : result.error() == mcp::ClientErrc::kForbidden ? 403
                                                                          : 401,
                          challenge.error, challenge.scopes};
    const bool have_token = sent && !sent->access_token.empty();
    const std::vector<std::string> granted = sent ? sent->scopes : std::vector<std::string>{};
    NextStep step =
        DecideNextStep(state, refusal, granted, have_token,
                       have_token && !sent->refresh_token.empty(), options_.max_authorizations);
    if (step.kind == NextStep::Kind::kRefresh) {
      state.refreshed = true;
      state.token_from_login = false;
      Status refreshed = DoRefresh(&sent->access_token, false);
      if (refreshed) {
        continue;
      }
      if (IsTransient(refreshed.error()) || refreshed.error() == Errc::kStorageFailed) {
        return refreshed;  // credentials kept; no browser for an outage (pain point 23)
      }
      step =
          DecideNextStep(state, refusal, granted, have_token, false, options_.max_authorizations);
    }
    if (step.kind == NextStep::Kind::kGiveUp) {
      std::string why = step.error.message();
      if (!challenge.error_description.empty()) {
        why += " (the server says: " + detail::Printable(challenge.error_description) + ")";
      }
      if (step.error == Errc::kInsufficientScope || step.error == Errc::kTooManyAuthorizations) {
        why += "; scopes needed: " + JoinScopes(challenge.scopes) +
               ", granted: " + JoinScopes(granted);
      }
      return Fail(step.error, why);
    }
    // kAuthorize.
    if (!options_.login_when_revoked && refusal.http_status == 401 && have_token &&
        !state.token_from_login) {
      return LoginRequired("access to " + server_url_ + " was revoked or has expired.");
    }
    ++state.authorizations;
    Status login = LoginFor(challenge, step.scopes, have_token ? &sent->access_token : nullptr,
                            /*explicit_login=*/false);
    if (!login) {
      return login;
    }
    state.token_from_login = true;
  }
}

// ---- login ----------------------------------------------------------------------------------

Status OAuthSession::Login(std::string_view www_authenticate, std::vector<std::string> scopes) {
  const ResourceChallenge challenge = ParseResourceChallenge(www_authenticate);
  if (scopes.empty()) {
    scopes = challenge.scopes;
  }
  return LoginFor(challenge, std::move(scopes), nullptr, /*explicit_login=*/true);
}

// kLoginRequired, saying why: the authorization server's refusal of the stored grant if that is
// what happened, else `fallback`.
Status OAuthSession::LoginRequired(std::string fallback) {
  std::string why;
  {
    std::lock_guard lock(mu_);
    why = access_lost_;
  }
  return Fail(Errc::kLoginRequired,
              (why.empty() ? fallback : why) + WhatToDo(Errc::kLoginRequired));
}

Status OAuthSession::LoginFor(const ResourceChallenge& challenge, std::vector<std::string> scopes,
                              const Secret* refused_token, bool explicit_login) {
  if (!options_.interactive) {
    return LoginRequired("a sign-in to " + server_url_ + " is needed.");
  }
  std::lock_guard login_lock(login_mu_);
  if (!explicit_login) {
    // Another thread or process may have signed in meanwhile (while we waited for the login
    // lock, or since we loaded): use its token if it is not the one refused and covers what this
    // operation needs, rather than open a second browser tab.
    auto stored = storage_.LoadCredential(server_url_);
    if (stored && *stored &&
        (refused_token == nullptr || !((*stored)->access_token == *refused_token)) &&
        !Expiring(**stored) && ContainsAllScopes((*stored)->scopes, scopes)) {
      Adopt(std::move(*stored));
      return {};
    }
  }

  std::string detail;
  auto discovery = Discover(send_, server_url_, challenge, options_.discovery, detail);
  if (!discovery) {
    return Fail(discovery.error(), detail + WhatToDo(discovery.error()));
  }
  {
    std::lock_guard lock(mu_);
    trace_ = discovery->trace;
  }
  const std::string resource = options_.send_resource ? discovery->resource : "";
  const std::vector<std::string> selected =
      SelectScopes({.configured = options_.scopes,
                    .challenged = scopes,
                    .prm_scopes_supported = discovery->prm.scopes_supported,
                    .as_scopes_supported = discovery->as.scopes_supported,
                    .want_offline_access = options_.request_offline_access});

  auto client = ObtainRegistration(discovery->as);
  if (!client) {
    return client.error();
  }
  auto credential = BrowserFlow(*discovery, *client, selected, resource);
  if (!credential && credential.error() == Errc::kInvalidClient &&
      client->kind == RegistrationKind::kDynamic) {
    // The AS no longer knows our stored registration: register afresh, once, and sign in again.
    (void)storage_.DeleteRegistration(client->issuer);
    Notify("The authorization server no longer accepts this client; registering again.");
    client = ObtainRegistration(discovery->as);
    if (!client) {
      return client.error();
    }
    credential = BrowserFlow(*discovery, *client, selected, resource);
  }
  if (!credential) {
    return credential.error();
  }
  {
    auto lock = storage_.LockFor(LockKey());
    if (!lock) {
      return Fail(Errc::kStorageFailed, "cannot lock the credential storage");
    }
    if (auto saved = storage_.SaveCredential(*credential); !saved) {
      return Fail(Errc::kStorageFailed,
                  "signed in, but the credentials could not be stored: " + saved.error().message());
    }
  }
  log::Info("oauth client: signed in to {} at {} (client {}, token {})", server_url_,
            credential->issuer, credential->client.client_id,
            credential->access_token.Fingerprint());
  Adopt(std::move(*credential));
  std::lock_guard lock(mu_);
  ++logins_;
  return {};
}

Result<ClientRegistration> OAuthSession::ObtainRegistration(const AuthorizationServerMetadata& as) {
  auto stored = storage_.LoadRegistration(as.issuer);
  if (!stored) {
    Fail(Errc::kStorageFailed, "cannot read the stored client registration");
    return Errc::kStorageFailed;
  }
  const std::string redirect_uri = RegisteredRedirectUri(kCallbackPath, options_.callback_port);
  // A registration for another redirect URI (another --callback-port) would be refused.
  const auto unusable = [&](const std::optional<ClientRegistration>& r) {
    return options_.force_registration ||
           (r && r->kind == RegistrationKind::kDynamic && r->redirect_uri != redirect_uri);
  };
  if (unusable(*stored)) {
    stored->reset();
  }
  const Clock::TimePoint now = clock_.Now();
  switch (
      ChooseRegistration(options_.pre_registered, options_.client_metadata_url, as, *stored, now)) {
    case RegistrationChoice::kPreRegistered:
      return PreRegistration(*options_.pre_registered, as);
    case RegistrationChoice::kMetadataDocument:
      return MetadataDocumentRegistration(options_.client_metadata_url, as);
    case RegistrationChoice::kStored:
      return **stored;
    case RegistrationChoice::kDynamic:
      break;
    case RegistrationChoice::kNone:
      Fail(Errc::kNoRegistration,
           as.issuer + " offers no client registration: register a client there (redirect URI " +
               RegisteredRedirectUri() + ") and pass --client-id (and --client-secret)");
      return Errc::kNoRegistration;
  }
  // One registration per issuer even with several processes signing in at once.
  auto lock = storage_.LockFor("oauth-client-registration:" + as.issuer);
  if (!lock) {
    Fail(Errc::kStorageFailed, "cannot lock the credential storage");
    return Errc::kStorageFailed;
  }
  stored = storage_.LoadRegistration(as.issuer);
  if (stored && !unusable(*stored) &&
      ChooseRegistration(std::nullopt, "", as, *stored, now) == RegistrationChoice::kStored) {
    return **stored;
  }
  DynamicRegistrationRequest request = options_.registration;
  request.redirect_uri = redirect_uri;
  std::string detail;
  auto registered = RegisterClient(send_, as, request, options_.http_timeout, detail);
  if (!registered) {
    Fail(registered.error(), detail + WhatToDo(registered.error()));
    return registered.error();
  }
  if (auto saved = storage_.SaveRegistration(*registered); !saved) {
    log::Warn("oauth client: the registration with {} could not be stored", as.issuer);
  }
  log::Info("oauth client: registered client {} with {}", registered->client_id, as.issuer);
  return registered;
}

Result<Credential> OAuthSession::BrowserFlow(const Discovery& discovery,
                                             const ClientRegistration& client,
                                             const std::vector<std::string>& scopes,
                                             const std::string& resource) {
  const Pkce pkce = GeneratePkce(random_);
  const Secret state = GenerateState(random_);
  std::string label = discovery.prm.resource_name;
  if (label.empty()) {
    auto parts = detail::ParseHttpUrl(server_url_);
    label = parts ? parts->host : server_url_;
  }
  auto receiver = LoopbackReceiver::Start(
      CallbackExpectation{.state = std::string(state.Reveal()),
                          .issuer = discovery.as.issuer,
                          .iss_required = discovery.as.iss_parameter_supported},
      LoopbackOptions{.app_name = options_.app_name,
                      .server_label = detail::Printable(label, 80),
                      .port = options_.callback_port});
  if (!receiver) {
    Fail(Errc::kBrowserFailed,
         "cannot listen on 127.0.0.1" +
             (options_.callback_port != 0 ? ":" + std::to_string(options_.callback_port) : "") +
             " for the sign-in: " + receiver.error().message());
    return Errc::kBrowserFailed;
  }
  const std::string url =
      BuildAuthorizationUrl({.authorization_endpoint = discovery.as.authorization_endpoint,
                             .client_id = client.client_id,
                             .redirect_uri = (*receiver)->redirect_uri(),
                             .code_challenge = pkce.challenge,
                             .state = std::string(state.Reveal()),
                             .scopes = scopes,
                             .resource = resource});
  if (!IsBrowsableUrl(url)) {
    Fail(Errc::kInsecureEndpoint, "refusing to open the authorization URL: not an http(s) URL");
    return Errc::kInsecureEndpoint;
  }
  if (options_.browser) {
    if (auto opened = options_.browser(url); !opened) {
      Fail(Errc::kBrowserFailed, "the browser hook failed: " + opened.error().message());
      return Errc::kBrowserFailed;
    }
  } else if (options_.open_browser && OpenInBrowser(url)) {
    Notify("Opening your browser to sign in to " + label + ".\nIf it does not open, visit:\n  " +
           url);
  } else {
    Notify("To sign in to " + label + ", open this URL in a browser:\n  " + url);
  }
  std::string detail;
  auto code = (*receiver)->Wait(options_.login_timeout, detail);
  const std::string redirect_uri = (*receiver)->redirect_uri();
  receiver->reset();
  if (!code) {
    if (code.error() == Errc::kLoginTimeout && client.kind == RegistrationKind::kDynamic) {
      // A stored registration the AS has since deleted shows an error page at /authorize and
      // never redirects back: the timeout is all we see.
      detail +=
          ". If the browser said the client is unknown, the authorization server has forgotten "
          "this client: sign in again with a new registration (--re-register)";
    }
    if (code.error() == Errc::kAuthorizationDenied && options_.callback_port == 0 &&
        detail.find("redirect_uri") != std::string::npos) {
      // An AS that compares the loopback port (the TypeScript SDK's demo AS) refuses every
      // ephemeral one.
      detail +=
          ". If this authorization server requires the registered port of a loopback redirect "
          "URI (RFC 8252 §7.3 says it must accept any), sign in with a fixed port "
          "(--callback-port N)";
    }
    Fail(code.error(), "sign-in failed: " + detail);
    return code.error();
  }
  auto request =
      BuildClientRequest(discovery.as.token_endpoint, client,
                         CodeExchangeParams(*code, redirect_uri, pkce.verifier, resource));
  request.timeout = options_.http_timeout;
  auto tokens = RequestToken(send_, request, detail);
  if (!tokens) {
    Fail(tokens.error(), "the code exchange failed: " + detail);
    return tokens.error();
  }
  Credential c;
  c.server_url = server_url_;
  c.issuer = discovery.as.issuer;
  c.resource = resource;
  c.token_endpoint = discovery.as.token_endpoint;
  c.revocation_endpoint = discovery.as.revocation_endpoint;
  c.client = client;
  c.scopes = scopes;  // RFC 6749 §5.1: no `scope` in the answer means what was requested
  return WithTokens(std::move(c), *tokens, clock_.Now());
}

// ---- refresh --------------------------------------------------------------------------------

Status OAuthSession::Refresh(bool force) { return DoRefresh(nullptr, force); }

Status OAuthSession::DoRefresh(const Secret* refused_token, bool force) {
  auto lock = storage_.LockFor(LockKey());
  if (!lock) {
    return Fail(Errc::kStorageFailed, "cannot lock the credential storage");
  }
  // Re-read under the lock: whoever held it before us may have refreshed already.
  auto loaded = storage_.LoadCredential(server_url_);
  if (!loaded) {
    return Fail(Errc::kStorageFailed, "cannot read the stored credentials");
  }
  if (!*loaded) {
    Adopt(std::nullopt);
    return Fail(Errc::kLoginRequired,
                "no stored credentials for " + server_url_ + "." + WhatToDo(Errc::kLoginRequired));
  }
  Credential c = std::move(**loaded);
  const bool expiring = Expiring(c);
  const bool replaced = refused_token != nullptr && !(c.access_token == *refused_token);
  if (!expiring && (replaced || (refused_token == nullptr && !force))) {
    Adopt(std::move(c));  // single-flight: someone else's fresh token
    return {};
  }
  if (c.refresh_token.empty()) {
    Adopt(std::move(c));
    return Fail(Errc::kLoginRequired, "the access token expired and there is no refresh token.");
  }
  auto request =
      BuildClientRequest(c.token_endpoint, c.client, RefreshParams(c.refresh_token, c.resource));
  request.timeout = options_.http_timeout;
  std::string detail;
  auto tokens = RequestToken(send_, request, detail);
  {
    std::lock_guard guard(mu_);
    ++refreshes_;
  }
  if (tokens) {
    Credential renewed = WithTokens(std::move(c), *tokens, clock_.Now());
    if (auto saved = storage_.SaveCredential(renewed); !saved) {
      // The AS has rotated the refresh token; losing the new one would lose the grant. Keep it
      // in memory for this process, and say so.
      log::Warn("oauth client: the refreshed credentials for {} could not be stored", server_url_);
    }
    log::Debug("oauth client: refreshed the token for {} (now {})", server_url_,
               renewed.access_token.Fingerprint());
    Adopt(std::move(renewed));
    return {};
  }
  const ErrorCode error = tokens.error();
  if (error == Errc::kInvalidGrant || error == Errc::kInvalidClient) {
    // OAuth 2.1 §4.3 / §5.2: the grant (or the client) is gone; keeping it would only fail again.
    (void)storage_.DeleteCredential(server_url_);
    if (error == Errc::kInvalidClient && c.client.kind == RegistrationKind::kDynamic) {
      auto registration = storage_.LoadRegistration(c.client.issuer);
      if (registration && *registration && (*registration)->client_id == c.client.client_id) {
        (void)storage_.DeleteRegistration(c.client.issuer);
      }
    }
    Adopt(std::nullopt);
    {
      // OAuth 2.1 §5.2 invalid_grant: revoked (Disconnect, logout elsewhere, a replay) or expired.
      std::lock_guard guard(mu_);
      access_lost_ =
          "access to " + server_url_ +
          " was revoked or has expired: the authorization server refused the stored "
          "refresh token (" +
          std::string(error == Errc::kInvalidGrant ? "invalid_grant" : "invalid_client") +
          "), so the stored tokens were removed.";
    }
    return Fail(error, "the refresh failed: " + detail + "; the stored tokens were removed.");
  }
  Adopt(std::move(c));
  return Fail(error, "the refresh failed: " + detail + "." + WhatToDo(error));
}

// ---- logout and status ----------------------------------------------------------------------

Result<LogoutReport> OAuthSession::Logout() {
  auto lock = storage_.LockFor(LockKey());
  if (!lock) {
    Fail(Errc::kStorageFailed, "cannot lock the credential storage");
    return Errc::kStorageFailed;
  }
  auto loaded = storage_.LoadCredential(server_url_);
  if (!loaded) {
    Fail(Errc::kStorageFailed, "cannot read the stored credentials");
    return Errc::kStorageFailed;
  }
  LogoutReport report;
  if (!*loaded) {
    Adopt(std::nullopt);
    return report;
  }
  const Credential& c = **loaded;
  report.had_credentials = true;
  report.revocation_supported = !c.revocation_endpoint.empty();
  if (report.revocation_supported) {
    report.revoked = true;
    // RFC 7009 §2.1: revoking the refresh token first; the AS may revoke the access tokens of
    // the grant with it, the second request then changes nothing (§2.2: 200 anyway).
    const std::pair<const Secret*, std::string_view> tokens[] = {
        {&c.refresh_token, "refresh_token"}, {&c.access_token, "access_token"}};
    for (const auto& [token, hint] : tokens) {
      if (token->empty()) {
        continue;
      }
      std::string detail;
      if (auto revoked = RevokeToken(send_, c.revocation_endpoint, c.client, *token, hint,
                                     options_.http_timeout, detail);
          !revoked) {
        report.revoked = false;
        report.detail = detail;
      }
    }
  }
  if (auto deleted = storage_.DeleteCredential(server_url_); !deleted) {
    Fail(Errc::kStorageFailed, "cannot delete the stored credentials");
    return Errc::kStorageFailed;
  }
  Adopt(std::nullopt);
  log::Info("oauth client: signed out of {} (revoked at the AS: {})", server_url_,
            report.revoked ? "yes" : "no");
  return report;
}

std::optional<CredentialSummary> OAuthSession::Summary() {
  auto loaded = storage_.LoadCredential(server_url_);
  if (!loaded || !*loaded) {
    return std::nullopt;
  }
  const Credential& c = **loaded;
  return CredentialSummary{.server_url = c.server_url,
                           .issuer = c.issuer,
                           .resource = c.resource,
                           .client_id = c.client.client_id,
                           .registration = c.client.kind,
                           .scopes = c.scopes,
                           .expires_at = c.expires_at,
                           .has_refresh_token = !c.refresh_token.empty(),
                           .access_token_fingerprint = c.access_token.Fingerprint()};
}

}  // namespace mcpauth::oauth::client
