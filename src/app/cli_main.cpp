// mcpauth: the command-line MCP client. Wiring only: parse the command line, build an McpClient
// (and the OAuth client over the credential store), run one subcommand, print, and map the
// outcome to an exit status.
//
//   mcpauth login URL                    sign in: discovery, registration, browser login on a
//                                        loopback receiver; stores the credentials. Options:
//                                        --scope S (repeatable), --no-browser (print the URL),
//                                        --client-id/--client-secret (a pre-registered client;
//                                        the secret also from MCPAUTH_CLIENT_SECRET),
//                                        --client-metadata-url (a Client ID Metadata Document),
//                                        --no-resource (no RFC 8707 `resource`, pain point 9),
//                                        --re-register (a new dynamic registration: the AS
//                                        forgot ours), --callback-port N (a fixed loopback port
//                                        for an AS that compares it, against RFC 8252 §7.3)
//   mcpauth status                       the stored credentials: server, issuer, client,
//                                        scopes, expiry (never a token)
//   mcpauth logout URL                   revokes at the authorization server, deletes locally
//   mcpauth tools URL                    each tool's name and description (--json: raw)
//   mcpauth call URL TOOL [JSON-ARGS]    the text content of the result (--json: raw)
//   mcpauth proxy URL                    a stdio <-> Streamable HTTP bridge for hosts that only
//                                        launch commands (mcp::StdioBridge); login's options.
//                                        It signs in through the browser when nothing is stored
//                                        (or for step-up), but not after a revocation: then
//                                        each request gets a JSON-RPC error saying to run
//                                        `mcpauth login URL`. stdout carries JSON-RPC only.
//
// `tools` and `call` use the stored credentials automatically (OAuthSession::Decorate and
// RunAuthorized): a token about to expire, or refused with 401, is refreshed (single-flight across
// processes through the store's lock). They never open a browser: when no usable credential is
// left they fail with "run `mcpauth login URL`" (a tool call in a script must not block on a
// person; login is an explicit step).
//
// Global options (before or after the subcommand): --store secret-service|file[:PATH]|memory
// (where credentials live; default the OS keyring; `file` encrypts under MCPAUTH_STORE_KEY),
// --era auto|modern|legacy, --json, --verbose (connection details, progress and the server's log
// messages on stderr), --debug (the library's debug log lines too), --timeout SECONDS.
// Messages go to stderr, results to stdout; tokens are never printed or logged.
// Exit status: 0 success; 1 the request failed or the tool reported isError; 2 bad usage.
// Each subcommand is one Add*Command() that registers its options and returns what to run.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "app/keyring_token_storage.hpp"
#include "mcpauth/core/clock.hpp"
#include "mcpauth/core/log.hpp"
#include "mcpauth/core/random.hpp"
#include "mcpauth/http/client.hpp"
#include "mcpauth/keyring/credential_store.hpp"
#include "mcpauth/mcp/client.hpp"
#include "mcpauth/mcp/stdio_bridge.hpp"
#include "mcpauth/oauth/client/errc.hpp"
#include "mcpauth/oauth/client/session.hpp"

namespace {

using namespace mcpauth;
namespace json = boost::json;
namespace oc = oauth::client;

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

struct GlobalOptions {
  std::string store = "secret-service";
  std::string era = "auto";
  bool json = false;
  bool verbose = false;
  bool debug = false;
  int timeout_seconds = 60;
};

// A registered subcommand and what runs when it is the one given (returns the exit status).
struct Subcommand {
  CLI::App* app;
  std::function<int()> run;
};

mcp::EraPreference ParseEra(const std::string& era) {
  if (era == "modern") {
    return mcp::EraPreference::kModern;
  }
  if (era == "legacy") {
    return mcp::EraPreference::kLegacy;
  }
  return mcp::EraPreference::kAuto;
}

std::string_view EraName(std::optional<mcp::Era> era) {
  if (!era) {
    return "none";
  }
  return *era == mcp::Era::kModern ? "modern" : "legacy";
}

// A server-supplied string for one line of a terminal: control characters (escape sequences,
// line breaks) become spaces, so a server cannot forge output lines or drive the terminal. The
// text content of `call` is the exception: it is the output asked for, printed as it is.
std::string OneLine(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      c = ' ';
    }
  }
  return out;
}

void PrintError(std::string_view what, const mcp::McpClient& client) {
  std::fprintf(stderr, "mcpauth: %.*s: %s\n", static_cast<int>(what.size()), what.data(),
               client.last_error().Describe().c_str());
}

bool IsOAuthError(const ErrorCode& ec) {
  return ec.category() == make_error_code(oc::Errc::kLoginRequired).category();
}

// The credentials side of a subcommand: the store named by --store, the TokenStorage over it,
// and (for a server URL) the OAuthSession with its own HTTP client for the authorization server.
class Auth {
 public:
  // nullptr, after saying why on stderr, when the store cannot be opened.
  static std::unique_ptr<Auth> Open(const GlobalOptions& global) {
    auto store = keyring::OpenCredentialStore(global.store);
    if (!store) {
      std::fprintf(stderr, "mcpauth: cannot open the credential store '%s': %s\n",
                   global.store.c_str(), store.error().message.c_str());
      return nullptr;
    }
    return std::unique_ptr<Auth>(new Auth(global, std::move(*store)));
  }

  // The OAuth client for `url` (once per Auth).
  oc::OAuthSession& SessionFor(const std::string& url, oc::OAuthClientOptions options) {
    options.http_timeout = std::chrono::seconds(global_.timeout_seconds);
    options.discovery.timeout = std::chrono::seconds(global_.timeout_seconds);
    session_ = std::make_unique<oc::OAuthSession>(
        oc::OAuthSessionDeps{.send = oc::HttpSendOf(http_),
                             .storage = storage_,
                             .clock = SystemClock::Instance(),
                             .random = OpenSslRandom::Instance()},
        url, std::move(options));
    return *session_;
  }

  // Reads the store once (opening one does not reach it: the Secret Service is contacted on
  // first use), so that an unreachable or locked keyring stops a command before any request or
  // browser. false after saying why and what to do.
  bool Reachable() {
    if (auto listed = store_->List({}); !listed) {
      std::fprintf(stderr, "mcpauth: cannot use the credential store (%s): %s\n",
                   store_->Describe().c_str(), listed.error().message.c_str());
      return false;
    }
    return true;
  }

  app::KeyringTokenStorage& storage() { return storage_; }
  const keyring::CredentialStore& store() const { return *store_; }
  keyring::CredentialStore& store() { return *store_; }

  // Why an OAuth step failed, for the person: the session's sentence, and the store's message
  // when it was the store that failed.
  void PrintFailure(std::string_view what, const ErrorCode& ec) const {
    std::string why = session_ ? session_->last_error() : std::string();
    if (why.empty()) {
      why = ec.message();
    }
    std::fprintf(stderr, "mcpauth: %.*s: %s\n", static_cast<int>(what.size()), what.data(),
                 why.c_str());
    if (ec == oc::Errc::kStorageFailed && !storage_.last_error().empty()) {
      std::fprintf(stderr, "mcpauth: credential store (%s): %s\n", store_->Describe().c_str(),
                   storage_.last_error().c_str());
    }
    if (ec == oc::Errc::kLoginRequired && session_) {
      std::fprintf(stderr, "mcpauth: to connect, run: mcpauth login %s\n",
                   session_->server_url().c_str());
    }
  }

 private:
  Auth(const GlobalOptions& global, std::unique_ptr<keyring::CredentialStore> store)
      : global_(global),
        store_(std::move(store)),
        storage_(*store_),
        http_(
            http::ClientOptions{.request_timeout = std::chrono::seconds(global.timeout_seconds)}) {}

  const GlobalOptions& global_;
  std::unique_ptr<keyring::CredentialStore> store_;
  app::KeyringTokenStorage storage_;
  http::Client http_;
  std::unique_ptr<oc::OAuthSession> session_;  // last: refers to the members above
};

// One connected MCP client for a subcommand; prints why it could not connect.
class Session {
 public:
  // With `auth` (and its SessionFor() done), requests carry the stored credentials and run
  // through OAuthSession::RunAuthorized (refresh on expiry or 401).
  Session(const GlobalOptions& global, const std::string& url, const Auth* auth = nullptr,
          oc::OAuthSession* oauth = nullptr)
      : global_(global),
        url_(url),
        auth_(auth),
        oauth_(oauth),
        http_(http::ClientOptions{.request_timeout = std::chrono::seconds(global.timeout_seconds)}),
        client_(http_, url, oauth ? oauth->Decorate(MakeOptions(global)) : MakeOptions(global)) {}

  // attempt() (one McpClient call) with authorization when there is an OAuth session.
  template <class F>
  std::invoke_result_t<F&> Run(F&& attempt) {
    if (oauth_ != nullptr) {
      return oauth_->Authorized(client_, attempt);
    }
    return attempt();
  }

  // Says why `ec` happened: the OAuth client's reason, or the MCP client's.
  void PrintFailure(std::string_view what, const ErrorCode& ec) const {
    if (auth_ != nullptr && IsOAuthError(ec)) {
      auth_->PrintFailure(what, ec);
    } else {
      PrintError(what, client_);
    }
  }

  bool Connect() {
    if (Status st = Run([this] { return client_.Connect(); }); !st) {
      PrintFailure("cannot connect to " + url_, st.error());
      return false;
    }
    if (global_.verbose) {
      const auto& info = client_.server_info();
      const auto* name = info.if_contains("name");
      const auto* version = info.if_contains("version");
      std::fprintf(stderr, "mcpauth: era %s, protocol %s, server %s %s%s\n",
                   std::string(EraName(client_.era())).c_str(),
                   OneLine(client_.protocol_version()).c_str(),
                   name && name->is_string() ? OneLine(name->get_string()).c_str() : "?",
                   version && version->is_string() ? OneLine(version->get_string()).c_str() : "",
                   client_.session_id().empty() ? "" : ", session");
    }
    return true;
  }

  // The connection facts --json output starts with.
  json::object Describe() const {
    return json::object{{"era", EraName(client_.era())},
                        {"protocolVersion", client_.protocol_version()},
                        {"serverInfo", client_.server_info()}};
  }

  ~Session() { (void)client_.Close(); }

  mcp::McpClient& client() { return client_; }

 private:
  static mcp::McpClientOptions MakeOptions(const GlobalOptions& global) {
    mcp::McpClientOptions o;
    o.era = ParseEra(global.era);
    o.request_timeout = std::chrono::seconds(global.timeout_seconds);
    if (global.verbose) {
      o.log_level = "info";
      o.on_log = [](std::string_view level, std::string_view logger, const json::value& data) {
        const std::string text =
            OneLine(data.is_string() ? std::string_view(data.get_string()) : json::serialize(data));
        std::fprintf(stderr, "mcpauth: server log [%s]%s%s %s\n", OneLine(level).c_str(),
                     logger.empty() ? "" : " ", OneLine(logger).c_str(), text.c_str());
      };
    }
    return o;
  }

  const GlobalOptions& global_;
  const std::string url_;
  const Auth* auth_;
  oc::OAuthSession* oauth_;
  http::Client http_;
  mcp::McpClient client_;
};

// The OAuth side of `tools` and `call`: the stored credentials, refreshed when needed, never a
// browser (kLoginRequired says to run `mcpauth login URL`). A store that cannot be opened only
// means no credentials: the request goes out without them (a server may not need any).
struct StoredAuth {
  std::unique_ptr<Auth> auth;
  oc::OAuthSession* oauth = nullptr;
};

// `options`: the OAuth client's (default: non-interactive, as above).
StoredAuth OpenStoredAuth(const GlobalOptions& global, const std::string& url,
                          std::optional<oc::OAuthClientOptions> options = std::nullopt) {
  StoredAuth out;
  out.auth = Auth::Open(global);
  if (!out.auth) {
    std::fprintf(stderr, "mcpauth: continuing without stored credentials\n");
    return out;
  }
  if (!options) {
    options.emplace();
    options->interactive = false;
  }
  out.oauth = &out.auth->SessionFor(url, std::move(*options));
  // Opening a store does not reach it (the Secret Service is contacted on first use): read this
  // server's credential now, so that an unreachable or locked keyring means "no credentials" for
  // a server that needs none, instead of failing the request. Its message still explains a later
  // 401. The session then uses this read (Prefetch): one keyring round, not two.
  if (auto loaded = out.auth->storage().Prefetch(out.oauth->server_url()); !loaded) {
    std::fprintf(stderr,
                 "mcpauth: credential store (%s) unavailable: %s\n"
                 "mcpauth: continuing without stored credentials\n",
                 out.auth->store().Describe().c_str(), out.auth->storage().last_error().c_str());
    out.oauth = nullptr;
    out.auth.reset();
  }
  return out;
}

Subcommand AddToolsCommand(CLI::App& app, const GlobalOptions& global) {
  auto* cmd = app.add_subcommand("tools", "List the tools of an MCP server");
  auto url = std::make_shared<std::string>();
  cmd->add_option("url", *url, "The MCP endpoint, e.g. http://127.0.0.1:8080/mcp")->required();
  return {cmd, [&global, url]() {
            StoredAuth stored = OpenStoredAuth(global, *url);
            Session session(global, *url, stored.auth.get(), stored.oauth);
            if (!session.Connect()) {
              return kExitFailure;
            }
            auto tools = session.Run([&session] { return session.client().ListTools(); });
            if (!tools) {
              session.PrintFailure("tools/list failed", tools.error());
              return kExitFailure;
            }
            if (global.json) {
              json::array list;
              for (const auto& t : *tools) {
                list.push_back(t.raw);
              }
              json::object out = session.Describe();
              out["tools"] = std::move(list);
              std::printf("%s\n", json::serialize(out).c_str());
              return kExitOk;
            }
            for (const auto& t : *tools) {
              std::printf("%s\t%s\n", OneLine(t.name).c_str(), OneLine(t.description).c_str());
            }
            return kExitOk;
          }};
}

Subcommand AddCallCommand(CLI::App& app, const GlobalOptions& global) {
  auto* cmd = app.add_subcommand("call", "Call a tool and print its text content");
  struct Args {
    std::string url;
    std::string tool;
    std::string arguments = "{}";
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("url", args->url, "The MCP endpoint")->required();
  cmd->add_option("tool", args->tool, "The tool's name")->required();
  cmd->add_option("arguments", args->arguments, "The arguments, a JSON object (default {})");
  return {cmd, [&global, args]() {
            boost::system::error_code ec;
            json::value parsed = json::parse(args->arguments, ec);
            if (ec || !parsed.is_object()) {
              std::fprintf(
                  stderr,
                  "mcpauth: the arguments must be a JSON object, e.g. '{\"text\":\"hi\"}'\n");
              return kExitUsage;
            }
            StoredAuth stored = OpenStoredAuth(global, args->url);
            Session session(global, args->url, stored.auth.get(), stored.oauth);
            if (!session.Connect()) {
              return kExitFailure;
            }
            // A progress callback makes the request carry a progressToken: the server may then
            // stream.
            mcp::ProgressFn on_progress = [&global](const mcp::Progress& p) {
              if (!global.verbose) {
                return;
              }
              if (p.total) {
                std::fprintf(stderr, "mcpauth: progress %g/%g %s\n", p.progress, *p.total,
                             p.message.c_str());
              } else {
                std::fprintf(stderr, "mcpauth: progress %g %s\n", p.progress, p.message.c_str());
              }
            };
            // Run() may repeat the call after a refresh: each attempt gets its own copy.
            const json::object& arguments = parsed.get_object();
            auto result = session.Run([&] {
              return session.client().CallTool(args->tool, json::object(arguments), on_progress);
            });
            if (!result) {
              session.PrintFailure("calling '" + args->tool + "' failed", result.error());
              return kExitFailure;
            }
            if (global.json) {
              json::object out = session.Describe();
              out["result"] = result->raw;
              std::printf("%s\n", json::serialize(out).c_str());
            } else if (!result->is_error) {
              std::printf("%s\n", result->Text().c_str());
            }
            if (result->is_error) {
              std::fprintf(stderr, "mcpauth: the tool '%s' reported an error: %s\n",
                           args->tool.c_str(), result->Text().c_str());
              return kExitFailure;
            }
            return kExitOk;
          }};
}

std::string JoinScopes(const std::vector<std::string>& scopes) {
  std::string out;
  for (const auto& s : scopes) {
    out += (out.empty() ? "" : " ") + OneLine(s);
  }
  return out;
}

// "2026-07-28T12:00:00Z".
std::string Utc(Clock::TimePoint t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(
      std::chrono::time_point_cast<std::chrono::system_clock::duration>(t));
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string Expiry(const std::optional<Clock::TimePoint>& expires_at) {
  if (!expires_at) {
    return "not stated by the server";
  }
  const auto left =
      std::chrono::duration_cast<std::chrono::seconds>(*expires_at - SystemClock::Instance().Now());
  if (left.count() <= 0) {
    return Utc(*expires_at) + " (expired)";
  }
  if (left.count() < 120) {
    return Utc(*expires_at) + " (in " + std::to_string(left.count()) + " s)";
  }
  return Utc(*expires_at) + " (in " + std::to_string(left.count() / 60) + " min)";
}

// The sign-in options shared by `login` and `proxy`.
struct SignInArgs {
  std::string url;
  std::vector<std::string> scopes;
  bool no_browser = false;
  std::string client_id;
  std::string client_secret;
  std::string client_metadata_url;
  bool no_resource = false;
  bool re_register = false;
  uint16_t callback_port = 0;
};

void AddSignInOptions(CLI::App* cmd, SignInArgs& args) {
  cmd->add_option("url", args.url, "The MCP endpoint")->required();
  cmd->add_option("--scope", args.scopes, "A scope to ask for besides the server's (repeatable)");
  cmd->add_flag("--no-browser", args.no_browser,
                "Print the sign-in URL instead of opening a browser");
  cmd->add_option("--client-id", args.client_id, "A client registered beforehand at the AS");
  cmd->add_option("--client-secret", args.client_secret, "Its secret, if it is confidential")
      ->envname("MCPAUTH_CLIENT_SECRET");
  cmd->add_option("--client-metadata-url", args.client_metadata_url,
                  "A Client ID Metadata Document URL to use as the client_id");
  cmd->add_flag("--no-resource", args.no_resource,
                "Do not send the RFC 8707 resource parameter (for ASes that reject it)");
  cmd->add_flag("--re-register", args.re_register,
                "Register a new client even if one is stored (the AS forgot it)");
  cmd->add_option("--callback-port", args.callback_port,
                  "A fixed loopback port for the sign-in's redirect (default: a free one), for "
                  "ASes that wrongly require the registered port")
      ->check(CLI::Range(1, 65535));
}

// nullopt, after saying why, for contradictory options.
std::optional<oc::OAuthClientOptions> ClientOptionsFrom(const SignInArgs& args) {
  if (!args.client_secret.empty() && args.client_id.empty()) {
    std::fprintf(stderr, "mcpauth: --client-secret needs --client-id\n");
    return std::nullopt;
  }
  oc::OAuthClientOptions options;
  for (const auto& arg : args.scopes) {  // "--scope 'a b'" is two scopes
    std::string_view rest = arg;
    while (!rest.empty()) {
      const size_t end = rest.find(' ');
      if (end != 0) {
        options.scopes.emplace_back(rest.substr(0, end));
      }
      rest = end == std::string_view::npos ? "" : rest.substr(end + 1);
    }
  }
  if (!args.client_id.empty()) {
    options.pre_registered = oc::PreRegisteredClient{.client_id = args.client_id,
                                                     .client_secret = Secret(args.client_secret),
                                                     .token_endpoint_auth_method = {}};
  }
  options.client_metadata_url = args.client_metadata_url;
  options.send_resource = !args.no_resource;
  options.open_browser = !args.no_browser;
  options.force_registration = args.re_register;
  options.callback_port = args.callback_port;
  return options;
}

Subcommand AddLoginCommand(CLI::App& app, const GlobalOptions& global) {
  auto* cmd = app.add_subcommand("login", "Sign in to an MCP server and store the credentials");
  auto args = std::make_shared<SignInArgs>();
  AddSignInOptions(cmd, *args);
  return {
      cmd, [&global, args]() {
        auto options = ClientOptionsFrom(*args);
        if (!options) {
          return kExitUsage;
        }
        auto auth = Auth::Open(global);
        if (!auth || !auth->Reachable()) {
          return kExitFailure;
        }
        oc::OAuthSession& oauth = auth->SessionFor(args->url, std::move(*options));
        // One request without a token: the server's 401 challenge names its Protected
        // Resource Metadata and the scopes it wants, which guide discovery.
        std::string challenge;
        {
          Session probe(global, args->url);
          Status st = probe.client().Connect();
          if (st) {
            std::fprintf(stderr, "mcpauth: %s answered without authorization; signing in anyway\n",
                         args->url.c_str());
          } else if (st.error() == mcp::ClientErrc::kUnauthorized ||
                     st.error() == mcp::ClientErrc::kForbidden) {
            challenge = probe.client().last_error().www_authenticate;
          } else if (global.verbose) {
            PrintError("probing " + args->url, probe.client());
          }
        }
        if (Status st = oauth.Login(challenge); !st) {
          auth->PrintFailure("sign-in to " + args->url + " failed", st.error());
          return kExitFailure;
        }
        if (auto summary = oauth.Summary()) {
          std::fprintf(stderr, "mcpauth: signed in to %s (issuer %s, client %s, scopes: %s)\n",
                       summary->server_url.c_str(), OneLine(summary->issuer).c_str(),
                       OneLine(summary->client_id).c_str(), JoinScopes(summary->scopes).c_str());
        } else {
          std::fprintf(stderr, "mcpauth: signed in to %s\n", oauth.server_url().c_str());
        }
        return kExitOk;
      }};
}

// Writes one line to stdout, whole (a host reads messages by lines). A host that went away is
// not an error here: the end of its input ends the bridge.
void WriteLine(std::string_view line) {
  std::string out(line);
  out.push_back('\n');
  std::string_view rest = out;
  while (!rest.empty()) {
    const ssize_t n = ::write(STDOUT_FILENO, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return;
    }
    rest.remove_prefix(static_cast<size_t>(n));
  }
}

Subcommand AddProxyCommand(CLI::App& app, const GlobalOptions& global) {
  auto* cmd = app.add_subcommand(
      "proxy", "Bridge stdio to a remote MCP server (for hosts that only launch commands)");
  auto args = std::make_shared<SignInArgs>();
  AddSignInOptions(cmd, *args);
  return {cmd, [&global, args, &app]() {
            auto options = ClientOptionsFrom(*args);
            if (!options) {
              return kExitUsage;
            }
            // stdout carries JSON-RPC only: every message for the person goes to stderr.
            std::signal(SIGPIPE, SIG_IGN);
            const std::string url = args->url;
            const auto say = [](std::string_view message) {
              std::fprintf(stderr, "mcpauth proxy: %.*s\n", static_cast<int>(message.size()),
                           message.data());
            };
            options->notify = say;
            // A first sign-in opens the browser (or prints its URL with --no-browser); a grant
            // revoked meanwhile does not: the person disconnected this app on purpose.
            options->login_when_revoked = false;
            StoredAuth stored = OpenStoredAuth(global, url, std::move(*options));
            oc::OAuthSession* oauth = stored.oauth;
            // The same sentence for every request refused after a revocation, until a new
            // `mcpauth login` stores credentials again.
            auto revoked = std::make_shared<std::atomic<bool>>(false);
            mcp::BridgeOptions bridge;
            // Tools may run long without streaming: the gap allowed between events.
            bridge.request_timeout =
                std::chrono::seconds(app.count("--timeout") > 0 ? global.timeout_seconds : 300);
            bridge.notify = say;
            if (oauth != nullptr) {
              bridge.add_headers = [oauth](http::Headers& h) { oauth->AddAuthorization(h); };
              bridge.run_authorized = [oauth, revoked](const auto& attempt) -> Status {
                if (*revoked && !oauth->Summary()) {
                  return oc::Errc::kLoginRequired;
                }
                *revoked = false;
                Status st = oauth->RunAuthorized(attempt);
                if (!st && st.error() == oc::Errc::kLoginRequired) {
                  *revoked = true;
                }
                return st;
              };
              bridge.describe_failure = [oauth, url](const ErrorCode& ec) {
                if (ec == oc::Errc::kLoginRequired) {
                  return "access to " + url +
                         " was revoked or has expired: sign in again with `mcpauth login " + url +
                         "` (or restart this server in your app to sign in in the browser)";
                }
                return "authorization failed: " + oauth->last_error();
              };
            }
            say("forwarding stdio to " + url +
                (oauth != nullptr ? " (credentials: " + stored.auth->store().Describe() + ")"
                                  : std::string(" (no credential store)")));
            http::Client http(http::ClientOptions{.request_timeout = bridge.request_timeout});
            mcp::StdioBridge proxy(http, url, std::move(bridge), WriteLine);
            const mcp::BridgeExit exit = proxy.Run(STDIN_FILENO);
            say("end of input; done");
            if (!exit.clean) {
              // A stream still open refers to the bridge: leave without destroying it.
              std::fflush(stderr);
              std::_Exit(kExitOk);
            }
            return kExitOk;
          }};
}

Subcommand AddLogoutCommand(CLI::App& app, const GlobalOptions& global) {
  auto* cmd = app.add_subcommand(
      "logout", "Revoke the tokens for an MCP server at its AS and delete them locally");
  auto url = std::make_shared<std::string>();
  cmd->add_option("url", *url, "The MCP endpoint")->required();
  return {cmd, [&global, url]() {
            auto auth = Auth::Open(global);
            if (!auth) {
              return kExitFailure;
            }
            oc::OAuthClientOptions options;
            options.interactive = false;
            oc::OAuthSession& oauth = auth->SessionFor(*url, std::move(options));
            auto report = oauth.Logout();
            if (!report) {
              auth->PrintFailure("sign-out of " + *url + " failed", report.error());
              return kExitFailure;
            }
            if (!report->had_credentials) {
              std::fprintf(stderr, "mcpauth: no stored credentials for %s\n",
                           oauth.server_url().c_str());
              return kExitOk;
            }
            if (report->revoked) {
              std::fprintf(stderr,
                           "mcpauth: signed out of %s: the tokens were revoked at the "
                           "authorization server and deleted here\n",
                           oauth.server_url().c_str());
              return kExitOk;
            }
            if (!report->revocation_supported) {
              std::fprintf(stderr,
                           "mcpauth: signed out of %s: the tokens were deleted here; the "
                           "authorization server offers no revocation, so they stay valid there "
                           "until they expire\n",
                           oauth.server_url().c_str());
              return kExitOk;
            }
            std::fprintf(stderr,
                         "mcpauth: the tokens for %s were deleted here, but revoking them at the "
                         "authorization server failed: %s\n",
                         oauth.server_url().c_str(), OneLine(report->detail).c_str());
            return kExitFailure;
          }};
}

Subcommand AddStatusCommand(CLI::App& app, const GlobalOptions& global) {
  auto* cmd = app.add_subcommand("status", "List the stored credentials (never a token)");
  return {cmd, [&global]() {
            auto auth = Auth::Open(global);
            if (!auth) {
              return kExitFailure;
            }
            int unreadable = 0;
            auto credentials = auth->storage().ListCredentials(&unreadable);
            if (!credentials) {
              std::fprintf(stderr, "mcpauth: cannot read the credential store (%s): %s\n",
                           auth->store().Describe().c_str(), auth->storage().last_error().c_str());
              return kExitFailure;
            }
            if (unreadable > 0) {
              std::fprintf(stderr, "mcpauth: %d unreadable record(s) skipped\n", unreadable);
            }
            if (global.json) {
              json::array list;
              for (const auto& c : *credentials) {
                json::object o{{"server", c.server_url},
                               {"issuer", c.issuer},
                               {"resource", c.resource},
                               {"clientId", c.client.client_id},
                               {"registration", oc::RegistrationKindName(c.client.kind)},
                               {"hasRefreshToken", !c.refresh_token.empty()}};
                json::array scopes;
                for (const auto& s : c.scopes) {
                  scopes.emplace_back(s);
                }
                o["scopes"] = std::move(scopes);
                if (c.expires_at) {
                  o["expiresAt"] = Utc(*c.expires_at);
                }
                list.push_back(std::move(o));
              }
              std::printf("%s\n", json::serialize(json::object{{"store", auth->store().Describe()},
                                                               {"credentials", std::move(list)}})
                                      .c_str());
              return kExitOk;
            }
            if (credentials->empty()) {
              std::fprintf(stderr, "mcpauth: no stored credentials in %s\n",
                           auth->store().Describe().c_str());
              return kExitOk;
            }
            for (const auto& c : *credentials) {
              std::printf("%s\n", OneLine(c.server_url).c_str());
              std::printf("  issuer:   %s\n", OneLine(c.issuer).c_str());
              std::printf("  client:   %s (%s)\n", OneLine(c.client.client_id).c_str(),
                          std::string(oc::RegistrationKindName(c.client.kind)).c_str());
              std::printf("  scopes:   %s\n", JoinScopes(c.scopes).c_str());
              std::printf("  expires:  %s\n", Expiry(c.expires_at).c_str());
              std::printf("  refresh:  %s\n", c.refresh_token.empty() ? "no" : "yes");
            }
            return kExitOk;
          }};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"mcpauth: a command-line client for MCP servers (2026-07-28 and 2025 revisions)"};
  GlobalOptions global;
  cli.add_option("--store", global.store,
                 "Where credentials are kept: secret-service (the OS keyring) | file[:PATH] "
                 "(encrypted under $MCPAUTH_STORE_KEY) | memory")
      ->capture_default_str();
  cli.add_option("--era", global.era, "auto (2026-07-28, else 2025) | modern | legacy")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "modern", "legacy"}));
  cli.add_flag("--json", global.json, "Print the raw JSON (with the era and protocol version)");
  cli.add_flag("-v,--verbose", global.verbose,
               "Connection details, progress and server log messages on stderr");
  cli.add_flag("--debug", global.debug, "Also the library's debug log lines on stderr");
  cli.add_option("--timeout", global.timeout_seconds, "Seconds to wait for a response")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  cli.require_subcommand(1);
  cli.fallthrough();  // global options may follow the subcommand

  const std::vector<Subcommand> commands = {
      AddLoginCommand(cli, global), AddStatusCommand(cli, global), AddLogoutCommand(cli, global),
      AddToolsCommand(cli, global), AddCallCommand(cli, global),   AddProxyCommand(cli, global),
  };
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" with status 0; every real parse error is bad usage.
    return cli.exit(e) == 0 ? kExitOk : kExitUsage;
  }

  // Logs go to stderr; the HTTP client's debug lines name methods and origins, never tokens.
  log::Init(log::Format::kHuman, global.debug ? "debug" : "warn");
  for (const auto& command : commands) {
    if (command.app->parsed()) {
      return command.run();
    }
  }
  return kExitUsage;
}
