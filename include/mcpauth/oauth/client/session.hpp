// OAuthSession: the OAuth client for one MCP server — what `mcpauth call URL TOOL` runs on. It
// plugs into mcp::McpClient (the add_headers hook adds `Authorization: Bearer`; a 401/403 comes
// back as mcp::ClientErrc with the challenge in last_error()) and drives everything else:
//
//   RunAuthorized(mcp, attempt):
//     load the stored credential; refresh it first if it expires within refresh_margin (CL21:
//     proactive) -> attempt() -> on 401/403, DecideNextStep() (policy.hpp):
//       refresh (single-flight, below) -> attempt again;
//       authorize: discovery (discovery.hpp) -> registration (registration.hpp) -> browser
//       login on a per-flow loopback receiver with PKCE S256, state, iss checks
//       (loopback_receiver.hpp) -> code exchange -> store -> attempt again;
//       give up with the reason (no loops: at most max_authorizations per operation; a 401 right
//       after a login stops; a step-up that asks for nothing new stops).
//   Refresh (OAuth 2.1 §4.3; PEERS pain points 1-3, 23): under TokenStorage::LockFor(key), the
//     credential is RE-READ: if another thread or process refreshed meanwhile, its token is
//     used and no request is sent; otherwise one refresh_token grant with the same `resource`;
//     a rotated refresh token replaces the old one (OAuth 2.1 §4.3.1), a missing one keeps the
//     old. invalid_grant drops the tokens; invalid_client drops them and the dynamic
//     registration (re-registered at the next login); network errors, 5xx, 429,
//     temporarily_unavailable keep everything and fail the operation without opening a browser.
//   Logout (RFC 7009; PEERS pain point 22): revoke the refresh token, then the access token, at
//     the AS's revocation_endpoint if it has one; then delete the credential locally in every
//     case. The client registration is kept (it is not a user credential).
//
// Tokens are core::Secret end to end; logs carry fingerprints only. Messages for the person at
// the terminal (the URL to open, what failed and what to do) go to options.notify (stderr by
// default) and last_error().
//
// Thread-safety: every member function may be called from several threads (each with its own
// McpClient): the cached credential is under a mutex, refreshes are single-flight through the
// storage lock, browser logins of one session are serialized (a thread that waited for another's
// login uses its result when it covers the scopes needed). Ownership: keeps references to the
// TokenStorage, Clock and SecureRandom of OAuthSessionDeps, which must outlive it; an McpClient
// built with Decorate() refers to the session, which must outlive that client.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "mcpauth/core/clock.hpp"
#include "mcpauth/core/random.hpp"
#include "mcpauth/core/result.hpp"
#include "mcpauth/core/secret.hpp"
#include "mcpauth/http/message.hpp"
#include "mcpauth/mcp/client.hpp"
#include "mcpauth/oauth/client/discovery.hpp"
#include "mcpauth/oauth/client/policy.hpp"
#include "mcpauth/oauth/client/registration.hpp"
#include "mcpauth/oauth/client/token_storage.hpp"

namespace mcpauth::oauth::client {

struct OAuthClientOptions {
  // Registration (CL7): a pre-registered client wins; then a metadata document URL; then DCR.
  std::optional<PreRegisteredClient> pre_registered;
  std::string client_metadata_url;
  DynamicRegistrationRequest registration;  // client_name, client_uri, software_*
  // Register anew at every login of this session even if a registration is stored (for an AS
  // that forgot it: its /authorize then shows "unknown client" and never redirects back).
  bool force_registration = false;

  // Scopes (CL12): the user's extra scopes; offline_access when the AS lists it.
  std::vector<std::string> scopes;
  bool request_offline_access = true;
  // RFC 8707 `resource` in authorization and token requests (CL13). false for authorization
  // servers that reject it (Entra ID: PEERS pain point 9).
  bool send_resource = true;

  DiscoveryPolicy discovery;

  // Browser login.
  bool interactive = true;   // false: never start a login (kLoginRequired instead)
  bool open_browser = true;  // false: only print the URL (--no-browser)
  // The loopback receiver's port; 0 (the default): a free one per flow. A fixed port is only for
  // an AS that compares the loopback redirect URI's port, against RFC 8252 §7.3: the dynamic
  // registration then names that port (a stored registration for another port is replaced).
  uint16_t callback_port = 0;
  // Replaces OpenInBrowser() (tests drive the real pages with it; a GUI host opens its own).
  // Called with the authorization URL; the flow waits for the callback after it returns.
  std::function<Status(const std::string& url)> browser;
  // A line for the person (where to sign in, what failed). Default: stderr.
  std::function<void(std::string_view message)> notify;
  std::chrono::milliseconds login_timeout{std::chrono::minutes(5)};
  std::string app_name = "mcpauth";  // "return to <app_name>" on the callback page

  // false: a stored token that the server refuses (401) and that cannot be refreshed (a revoked
  // grant, no refresh token) ends the operation with kLoginRequired ("sign in again with
  // `mcpauth login URL`") instead of a browser login. A first login (nothing stored) and step-up
  // still open the browser. For `mcpauth proxy`: a person who disconnected the app on purpose
  // must not get a sign-in tab from a background process.
  bool login_when_revoked = true;

  std::chrono::seconds refresh_margin{60};  // refresh when less than this is left
  int max_authorizations = 3;               // per operation (CL22)
  std::chrono::milliseconds http_timeout{30'000};
};

struct OAuthSessionDeps {
  HttpSend send;  // HttpSendOf(http_client)
  TokenStorage& storage;
  const Clock& clock;
  SecureRandom& random;
};

// What `mcpauth status` shows: no token, only its fingerprint.
struct CredentialSummary {
  std::string server_url;
  std::string issuer;
  std::string resource;
  std::string client_id;
  RegistrationKind registration = RegistrationKind::kDynamic;
  std::vector<std::string> scopes;
  std::optional<Clock::TimePoint> expires_at;
  bool has_refresh_token = false;
  std::string access_token_fingerprint;
};

struct LogoutReport {
  bool had_credentials = false;
  bool revocation_supported = false;  // the AS has a revocation_endpoint
  bool revoked = false;               // every token was revoked at the AS
  std::string detail;                 // why revocation failed, if it did
};

class OAuthSession {
 public:
  // `server_url`: the MCP endpoint, e.g. "https://mcp.example.com/mcp".
  OAuthSession(OAuthSessionDeps deps, std::string server_url, OAuthClientOptions options = {});
  OAuthSession(const OAuthSession&) = delete;
  OAuthSession& operator=(const OAuthSession&) = delete;

  // The McpClient hook: `Authorization: Bearer <access token>` when there is one.
  void AddAuthorization(http::Headers& headers);
  // `options` with add_headers calling AddAuthorization (any hook already set runs first).
  mcp::McpClientOptions Decorate(mcp::McpClientOptions options);

  // Runs attempt() (one McpClient call made on `mcp`, built with Decorate()) with authorization,
  // as described above. Other failures of attempt() are returned as they are.
  Status RunAuthorized(mcp::McpClient& mcp, const std::function<Status()>& attempt);
  // The same for any HTTP exchange with the MCP server carrying AddAuthorization()'s header:
  // attempt() returns mcp::ClientErrc::kUnauthorized / kForbidden for a 401 / 403 and fills
  // `refusal` (http_status, www_authenticate). Used by `mcpauth proxy`.
  Status RunAuthorized(const std::function<Status(mcp::ClientError& refusal)>& attempt);
  // The same for an attempt returning Result<T> (or Status).
  template <class F>
  std::invoke_result_t<F&> Authorized(mcp::McpClient& mcp, F&& attempt) {
    using R = std::invoke_result_t<F&>;
    std::optional<R> out;
    Status status = RunAuthorized(mcp, [&]() -> Status {
      out.emplace(attempt());
      return *out ? Status() : Status(out->error());
    });
    if (!status) {
      return R(status.error());
    }
    return std::move(*out);
  }

  // An interactive login now (`mcpauth login`): discovery from `www_authenticate` (may be empty:
  // well-known URLs only), the scopes selected from it (or `scopes`), registration, browser.
  Status Login(std::string_view www_authenticate = {}, std::vector<std::string> scopes = {});
  // Refreshes if the token expires within refresh_margin (or always, with `force`).
  Status Refresh(bool force = false);
  Result<LogoutReport> Logout();
  // The stored credential, summarised; nullopt if none (or the storage fails).
  std::optional<CredentialSummary> Summary();

  const std::string& server_url() const { return server_url_; }
  // A sentence for the person about the latest failure ("" if none yet).
  std::string last_error() const;
  // The discovery requests of the latest login ("GET <url> -> <status>").
  std::vector<std::string> discovery_trace() const;
  // Token-endpoint round trips made by this session (tests: single-flight).
  int refreshes() const;
  int logins() const;

 private:
  Status Fail(ErrorCode code, std::string detail);
  void Notify(std::string_view message) const;
  bool Expiring(const Credential& credential) const;
  std::optional<Credential> Current();
  void Adopt(std::optional<Credential> credential);
  Status EnsureLoaded();
  Status DoRefresh(const Secret* refused_token, bool force);
  Status LoginRequired(std::string fallback);
  Status LoginFor(const ResourceChallenge& challenge, std::vector<std::string> scopes,
                  const Secret* refused_token, bool explicit_login);
  Result<ClientRegistration> ObtainRegistration(const AuthorizationServerMetadata& as);
  Result<Credential> BrowserFlow(const Discovery& discovery, const ClientRegistration& client,
                                 const std::vector<std::string>& scopes,
                                 const std::string& resource);
  std::string LockKey() const { return "oauth-client:" + server_url_; }

  HttpSend send_;
  TokenStorage& storage_;
  const Clock& clock_;
  SecureRandom& random_;
  const std::string server_url_;
  const OAuthClientOptions options_;

  mutable std::mutex mu_;  // guards everything below
  bool loaded_ = false;
  std::optional<Credential> current_;
  std::string last_error_;
  // Set when the authorization server refused the stored grant (invalid_grant/invalid_client on
  // a refresh): why a later non-interactive sign-in is needed, for the person.
  std::string access_lost_;
  std::vector<std::string> trace_;
  int refreshes_ = 0;
  int logins_ = 0;

  std::mutex login_mu_;  // one browser flow at a time
};

}  // namespace mcpauth::oauth::client
