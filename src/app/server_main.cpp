// mcpauth-server: configuration and wiring only.
#include <sys/stat.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <CLI/CLI.hpp>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "app/admin.hpp"
#include "app/external_as.hpp"
#include "app/listen_address.hpp"
#include "app/mcp_sessions.hpp"
#include "app/users.hpp"
#include "mcpauth/core/log.hpp"
#include "mcpauth/core/worker_pool.hpp"
#include "mcpauth/http/router.hpp"
#include "mcpauth/http/server.hpp"
#include "mcpauth/mcp/fixtures.hpp"
#include "mcpauth/mcp/http_transport.hpp"
#include "mcpauth/mcp/server.hpp"
#include "mcpauth/oauth/authorization_server.hpp"
#include "mcpauth/oauth/client_metadata_fetcher.hpp"
#include "mcpauth/oauth/password.hpp"
#include "mcpauth/oauth/resource/bearer_validator.hpp"
#include "mcpauth/oauth/resource/introspection_validator.hpp"
#include "mcpauth/oauth/resource/key_source.hpp"
#include "mcpauth/oauth/resource/resource_server.hpp"
#include "mcpauth/oauth/resource/revoked_grants.hpp"
#include "mcpauth/oauth/signing_keys.hpp"

namespace {

using namespace mcpauth;

std::shared_ptr<http::Router> BuildRouter(mcp::StreamableHttpTransport* mcp_transport,
                                          oauth::resource::ResourceServer* resource_server,
                                          oauth::AuthorizationServer* authorization_server,
                                          store::Store& store) {
  auto router = std::make_shared<http::Router>();
  if (mcp_transport != nullptr) {
    mcp_transport->Register(*router);
  }
  if (resource_server != nullptr) {
    resource_server->RegisterMetadata(*router);
  }
  if (authorization_server != nullptr) {
    authorization_server->Register(*router);
  }
  // Liveness for load balancers and orchestrators; cheap, no storage access.
  router->Add("GET", "/healthz", [](const http::Request&) {
    auto r = http::Response::Json(200, R"({"status":"ok"})");
    r.headers.Set("Cache-Control", "no-store");
    return r;
  });
  // Readiness: the store answers (one indexed read of the active signing key). A load balancer
  // takes a node whose database is unreachable out of rotation (docs/deploy.md).
  router->Add("GET", "/readyz", [&store](const http::Request&) {
    const auto key = store.GetActiveSigningKey();
    const bool ready = key || key.error() == store::Errc::kNotFound;
    auto r = ready ? http::Response::Json(200, R"({"status":"ready"})")
                   : http::Response::Json(503, R"({"status":"store unavailable"})");
    r.headers.Set("Cache-Control", "no-store");
    if (!ready) {
      r.headers.Set("Retry-After", "5");
    }
    return r;
  });
  return router;
}

// Creates the data directory, private to this user (it will hold keys and the database).
bool PrepareDataDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    log::Error("cannot create data directory {}: {}", dir, ec.message());
    return false;
  }
  ::chmod(dir.c_str(), 0700);
  return true;
}

// What --store names: a postgres:// URL (shared by every node), a store URL or path, or, when
// empty, the SQLite file under --data-dir.
std::string StoreUrl(const std::string& store_flag, const std::string& data_dir) {
  return store_flag.empty() ? "sqlite:" + app::StorePathFor(data_dir) : store_flag;
}

// For log lines: the store without credentials (a URL's password stays out of logs).
std::string StoreLabel(const std::string& store_flag, const std::string& data_dir) {
  if (store_flag.empty()) {
    return "SQLite in " + data_dir;
  }
  const size_t scheme = store_flag.find("://");
  return scheme == std::string::npos ? store_flag : store_flag.substr(0, scheme) + "://…";
}

// The store for the administration subcommands, or null after printing why.
std::unique_ptr<store::Store> OpenAdminStore(const std::string& store_flag,
                                             const std::string& data_dir) {
  // Results go to stdout; only warnings and errors to the log (stderr).
  log::Init(log::Format::kHuman, "warn");
  if (store_flag.empty() && !PrepareDataDir(data_dir)) {
    return nullptr;
  }
  auto store = store::OpenStore(StoreUrl(store_flag, data_dir));
  if (!store) {
    std::fprintf(stderr, "mcpauth-server: cannot open the store (%s): %s\n",
                 StoreLabel(store_flag, data_dir).c_str(), store.error().message().c_str());
    return nullptr;
  }
  return std::move(*store);
}

// Runs `task` every `period` on its own thread until destroyed.
class Periodic {
 public:
  Periodic(std::chrono::seconds period, std::function<void()> task)
      : thread_([this, period, task = std::move(task)] {
          std::unique_lock lock(mu_);
          while (!cv_.wait_for(lock, period, [this] { return stop_; })) {
            lock.unlock();
            task();
            lock.lock();
          }
        }) {}
  ~Periodic() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

std::string HostForUrl(const std::string& host) {
  if (host == "0.0.0.0" || host == "::" || host == "localhost") {
    return host == "localhost" ? "localhost" : "127.0.0.1";
  }
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

}  // namespace

int main(int argc, char** argv) {
#ifdef __GLIBC__
  // A password check (Argon2id, RFC 9106's second recommendation: 19 MiB, password.cpp) takes
  // one 19 MiB block. glibc raises its mmap threshold to a block's size when the first such
  // block is freed, so every later check took it from a thread's heap arena, where it stayed
  // resident: 19 MiB more RSS for each worker thread that ever checked a password (bench/
  // README.md, "RSS"). A fixed threshold keeps blocks of 1 MiB and more on mmap, given back
  // to the system when freed. Smaller allocations are unaffected.
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
#endif
  CLI::App cli{
      "mcpauth-server: an MCP server protected by OAuth 2.1, with its own authorization server "
      "(sign-in and consent pages, tokens, registration, Connected apps)"};
  cli.footer(R"(Examples:
  mcpauth-server                                  serve on http://127.0.0.1:8080 (data in ./var)
  echo 'passphrase' | mcpauth-server user add alice --password-stdin
  mcpauth-server --public-url https://mcp.example.com --listen 0.0.0.0:8080
                                                  behind a TLS proxy
  mcpauth-server --authorization-server https://login.example.com/
                                                  protect /mcp for an external OAuth server
  mcpauth-server --config /etc/mcpauth.toml       the same settings from a TOML file
  mcpauth-server keys rotate | client add NAME --redirect-uri URI | user list

Connect an MCP client (Inspector, Cursor, Claude) to <public-url>/mcp; it will open the sign-in
page. Connected apps: <public-url>/apps. Docs: README.md, docs/oauth-server.md.)");
  std::string listen = "127.0.0.1:8080";
  std::string data_dir = "./var";
  std::string log_format = "human";
  std::string log_level = "info";
  std::string tls_cert;
  std::string tls_key;
  int threads = 0;
  std::string tools_set = "builtin";
  std::vector<std::string> allowed_origins;
  cli.add_option("--listen", listen, "HOST:PORT to listen on (localhost = both loopbacks)")
      ->capture_default_str();
  cli.add_option("--data-dir", data_dir, "Directory for the database and keys")
      ->capture_default_str();
  std::string store_flag;
  cli.add_option("--store", store_flag,
                 "The store instead of SQLite in --data-dir: postgres://USER@HOST/DB?sslmode=... "
                 "(shared by several nodes; docs/deploy.md) or sqlite:PATH. Prefer the "
                 "MCPAUTH_STORE environment variable or the config file for a URL with a "
                 "password")
      ->envname("MCPAUTH_STORE");
  cli.add_option("--threads", threads, "Worker threads (0 = one per core)")->capture_default_str();
  cli.add_option("--log-format", log_format, "human | json")->capture_default_str();
  cli.add_option("--log-level", log_level, "trace | debug | info | warn | error | off")
      ->capture_default_str();
  cli.add_option("--tools", tools_set,
                 "builtin (echo, add, time, whoami) | conformance (the MCP conformance fixtures) "
                 "| all")
      ->capture_default_str()
      ->check(CLI::IsMember({"builtin", "conformance", "all"}));
  cli.add_option("--allow-origin", allowed_origins,
                 "An Origin (scheme://host:port) allowed to call /mcp besides loopback ones");
  cli.add_option("--tls-cert", tls_cert, "PEM certificate chain (enables TLS with --tls-key)");
  cli.add_option("--tls-key", tls_key, "PEM private key");
  std::string public_url;
  std::string server_name = "mcpauth";
  int64_t access_token_seconds = 3600;
  int64_t client_secret_days = 0;
  int64_t unused_client_hours = 24;
  bool cimd_allow_private = false;
  cli.add_option("--public-url", public_url,
                 "The URL clients use to reach this server (scheme://host[:port]), e.g. behind a "
                 "proxy. The issuer is this URL, the MCP resource is this URL + /mcp. Default: "
                 "the --listen address over http(s)");
  cli.add_option("--server-name", server_name, "The name shown on the sign-in and consent pages")
      ->capture_default_str();
  cli.add_option("--access-token-lifetime", access_token_seconds, "Access token lifetime, seconds")
      ->capture_default_str()
      ->check(CLI::Range(60, 86400));
  cli.add_option("--client-secret-lifetime-days", client_secret_days,
                 "Lifetime of dynamically registered client secrets (0 = no expiry)")
      ->capture_default_str();
  std::string role = "all";
  std::string external_as;
  std::string introspection_client_id;
  std::string introspection_client_secret;
  std::string introspection_endpoint;
  bool no_auth = false;
  std::vector<std::string> tool_scope_specs;
  size_t token_cache_entries = 100'000;
  cli.add_option("--role", role,
                 "all (authorization server + MCP server), authorization-server, or mcp")
      ->capture_default_str()
      ->check(CLI::IsMember({"all", "authorization-server", "mcp"}));
  cli.add_option("--authorization-server", external_as,
                 "Protect /mcp with tokens of this external authorization server (its issuer "
                 "URL; implies --role mcp). Tokens are verified as JWTs with its jwks_uri, or by "
                 "introspection with --introspection-client-id");
  cli.add_option("--introspection-client-id", introspection_client_id,
                 "With --authorization-server: validate tokens by RFC 7662 introspection as this "
                 "client (secret from --introspection-client-secret or "
                 "$MCPAUTH_INTROSPECTION_CLIENT_SECRET)");
  cli.add_option("--introspection-client-secret", introspection_client_secret,
                 "The introspection client's secret (prefer the environment variable)")
      ->envname("MCPAUTH_INTROSPECTION_CLIENT_SECRET");
  cli.add_option("--introspection-endpoint", introspection_endpoint,
                 "With --introspection-client-id: the endpoint, when the authorization server's "
                 "metadata does not publish introspection_endpoint");
  cli.add_option("--tool-scope", tool_scope_specs,
                 "TOOL=SCOPE[,SCOPE...]: scopes a tools/call of TOOL needs (overrides the tool's "
                 "own; repeatable)");
  cli.add_option("--token-cache-entries", token_cache_entries,
                 "Verified access tokens kept in memory (a repeat costs a hash and a lookup "
                 "instead of an ES256 verification); 0 verifies every request")
      ->capture_default_str();
  cli.add_flag("--no-auth", no_auth,
               "DEVELOPMENT ONLY: serve /mcp without any authorization (e.g. for the MCP "
               "conformance suite's server scenarios)");
  cli.set_config("--config", "", "Read options from a TOML file (same names as the flags)");
  cli.add_option("--unused-client-lifetime-hours", unused_client_hours,
                 "Dynamically registered clients that never obtain a grant are deleted after this")
      ->capture_default_str()
      ->check(CLI::Range(1, 24 * 365));
  cli.add_flag("--cimd-allow-private-addresses", cimd_allow_private,
               "Development only: fetch client metadata documents from loopback and private "
               "addresses (turns the SSRF guard off)");

  // `mcpauth-server user ...`: user administration on the same store (--data-dir).
  auto* user_cmd = cli.add_subcommand("user", "Manage the users who can log in");
  user_cmd->require_subcommand(1);
  std::string user_name;
  bool password_stdin = false;
  auto* user_add = user_cmd->add_subcommand("add", "Add a user; the password is read from stdin");
  auto* user_passwd = user_cmd->add_subcommand("passwd", "Set a user's password, read from stdin");
  for (auto* sub : {user_add, user_passwd}) {
    sub->add_option("NAME", user_name, "User name")->required();
    sub->add_flag("--password-stdin", password_stdin,
                  "Read the password from standard input (required: never on the command line)")
        ->required();
  }
  auto* user_list = user_cmd->add_subcommand("list", "List the users");
  auto* user_remove = user_cmd->add_subcommand("remove", "Remove a user and revoke its grants");
  user_remove->add_option("NAME", user_name, "User name")->required();
  // `mcpauth-server keys ...` and `client ...`.
  auto* keys_cmd = cli.add_subcommand("keys", "Manage the token signing keys");
  keys_cmd->require_subcommand(1);
  auto* keys_list = keys_cmd->add_subcommand("list", "List the signing keys");
  auto* keys_rotate = keys_cmd->add_subcommand(
      "rotate",
      "Make a new signing key active; the old one stays published until its tokens expire");
  auto* client_cmd = cli.add_subcommand("client", "Manage pre-registered clients");
  client_cmd->require_subcommand(1);
  app::ClientAddOptions client_options;
  auto* client_add = client_cmd->add_subcommand("add", "Register a client; prints its credentials");
  client_add->add_option("NAME", client_options.name, "Display name")->required();
  client_add->add_option("--redirect-uri", client_options.redirect_uris, "A redirect URI");
  client_add->add_flag("--confidential", client_options.confidential, "Issue a client secret");
  client_add->add_flag("--resource-server", client_options.resource_server,
                       "A resource server that may introspect every token");
  auto* client_list = client_cmd->add_subcommand("list", "List the clients");
  std::string client_id;
  auto* client_remove =
      client_cmd->add_subcommand("remove", "Remove a client, revoking its grants");
  client_remove->add_option("CLIENT_ID", client_id, "The client's id")->required();
  // Global options (--data-dir) may also follow the subcommand.
  for (auto* sub : {user_cmd, user_add, user_passwd, user_list, user_remove, keys_cmd, keys_list,
                    keys_rotate, client_cmd, client_add, client_list, client_remove}) {
    sub->fallthrough();
  }
  CLI11_PARSE(cli, argc, argv);

  if (user_cmd->parsed() || keys_cmd->parsed() || client_cmd->parsed()) {
    auto store = OpenAdminStore(store_flag, data_dir);
    if (!store) {
      return 1;
    }
    if (user_add->parsed()) {
      return app::AddUser(*store, user_name);
    }
    if (user_passwd->parsed()) {
      return app::ChangePassword(*store, user_name);
    }
    if (user_list->parsed()) {
      return app::ListUsers(*store);
    }
    if (user_remove->parsed()) {
      return app::RemoveUser(*store, user_name);
    }
    if (keys_list->parsed()) {
      return app::ListKeys(*store);
    }
    if (keys_rotate->parsed()) {
      return app::RotateKeys(*store);
    }
    if (client_add->parsed()) {
      return app::AddClient(*store, client_options);
    }
    if (client_list->parsed()) {
      return app::ListClients(*store);
    }
    return app::RemoveClient(*store, client_id);
  }

  log::Format format;
  if (!log::ParseFormat(log_format, format) || !log::Init(format, log_level)) {
    std::fprintf(stderr, "mcpauth-server: bad --log-format or --log-level\n");
    return 2;
  }
  const auto address = app::ParseListenAddress(listen);
  if (!address) {
    log::Error("--listen '{}' is not HOST:PORT with an IP address or 'localhost'", listen);
    return 2;
  }
  if (tls_cert.empty() != tls_key.empty()) {
    log::Error("--tls-cert and --tls-key go together");
    return 2;
  }
  // --data-dir holds only the SQLite store: with --store, nothing is created there.
  if (store_flag.empty() && !PrepareDataDir(data_dir)) {
    return 1;
  }
  // The store: SQLite under --data-dir (created with its schema on first start), or the
  // PostgreSQL that --store names (migrated on start, safely when several nodes start at once).
  auto store = store::OpenStore(StoreUrl(store_flag, data_dir));
  if (!store) {
    log::Error("cannot open the store ({}): {}", StoreLabel(store_flag, data_dir),
               store.error().message());
    return 1;
  }
  if (role != "mcp" && external_as.empty() && !app::EnsureFirstUser(**store)) {
    log::Error("cannot create the first user");
    return 1;
  }

  // The public URL: the issuer and the MCP resource are named by it, so with port 0 the port is
  // chosen now.
  uint16_t port = address->port;
  if (port == 0) {
    port = app::PickFreePort(address->host);
    if (port == 0) {
      log::Error("cannot find a free port on {}", address->host);
      return 1;
    }
  }
  if (public_url.empty()) {
    public_url = std::string(tls_cert.empty() ? "http" : "https") + "://" +
                 HostForUrl(address->host) + ":" + std::to_string(port);
  }
  while (!public_url.empty() && public_url.back() == '/') {
    public_url.pop_back();
  }

  if (!external_as.empty()) {
    role = "mcp";
  }
  const bool serve_as = role != "mcp";
  const bool serve_mcp = role != "authorization-server";
  const std::string resource_url = public_url + "/mcp";

  // The authorization server: signing keys, passwords, configuration. The keys are also what the
  // co-hosted resource server verifies tokens with.
  oauth::SigningKeyManager keys(**store, SystemClock::Instance());
  if (auto st = keys.EnsureActiveKey(); !st) {
    log::Error("cannot load or create the signing key: {}", st.error().message());
    return 1;
  }
  oauth::AuthorizationServerConfig as_config;
  as_config.issuer = public_url;
  as_config.server_name = server_name;
  as_config.access_token_lifetime = std::chrono::seconds(access_token_seconds);
  as_config.client_secret_lifetime = std::chrono::hours(24 * client_secret_days);
  as_config.unused_client_lifetime = std::chrono::hours(unused_client_hours);
  as_config.cimd_allow_private_addresses = cimd_allow_private;
  as_config.resources.push_back(
      {resource_url, server_name + " MCP server", {"mcp:read", "mcp:tools"}});

  // MCP: tools run on a worker pool, off the network threads.
  auto pool =
      std::make_unique<core::WorkerPool>(std::max(4u, std::thread::hardware_concurrency() * 2));
  auto tools = std::make_shared<mcp::ToolRegistry>();
  auto resources = std::make_shared<mcp::ResourceRegistry>();
  auto prompts = std::make_shared<mcp::PromptRegistry>();
  if (tools_set == "conformance" || tools_set == "all") {
    mcp::AddConformanceFixtures(*tools, *resources, *prompts);
  }
  if (tools_set == "builtin" || tools_set == "all") {
    mcp::AddBuiltinTools(*tools, SystemClock::Instance());
  }
  mcp::McpServer::Options mcp_options;
  mcp_options.identity.name =
      tools_set == "conformance" ? "mcp-conformance-test-server" : "mcpauth";
  mcp::McpServer mcp_server(mcp_options, tools, resources, prompts, *pool, SystemClock::Instance(),
                            OpenSslRandom::Instance());
  // 2025-era MCP sessions: in this process only, or, on a shared store (PostgreSQL), cached
  // here and kept in the store so that any node serves a session's POSTs (docs/deploy.md).
  const bool shared_sessions = (*store)->Backend() == "postgres";
  app::StoreSessionPersistence session_persistence(**store);
  mcp::SessionTable sessions(SystemClock::Instance(), OpenSslRandom::Instance(), {},
                             shared_sessions ? &session_persistence : nullptr);

  // The resource server: every /mcp request carries a bearer token for this resource.
  http::Client upstream_client;
  oauth::resource::RevokedGrants revoked_grants(
      {.retention = as_config.access_token_lifetime + std::chrono::seconds(60)});
  std::unique_ptr<oauth::resource::ResourceServer> resource_server;
  if (serve_mcp && !no_auth) {
    oauth::resource::ResourceServerOptions rs;
    rs.resource = resource_url;
    rs.resource_name = server_name;
    rs.scopes_supported = {"mcp:read", "mcp:tools"};
    for (const auto& tool : tools->tools()) {
      if (!tool.descriptor.required_scopes.empty()) {
        rs.tool_scopes[tool.descriptor.name] = tool.descriptor.required_scopes;
      }
    }
    for (const auto& spec : tool_scope_specs) {
      const auto eq = spec.find('=');
      if (eq == std::string::npos || eq == 0) {
        log::Error("--tool-scope '{}' is not TOOL=SCOPE[,SCOPE...]", spec);
        return 2;
      }
      std::vector<std::string> scopes;
      for (size_t pos = eq + 1; pos <= spec.size();) {
        const size_t comma = std::min(spec.find(',', pos), spec.size());
        if (comma > pos) {
          scopes.push_back(spec.substr(pos, comma - pos));
        }
        pos = comma + 1;
      }
      rs.tool_scopes[spec.substr(0, eq)] = scopes;
    }
    std::shared_ptr<oauth::resource::TokenValidator> validator;
    if (external_as.empty()) {
      rs.authorization_servers = {as_config.issuer};
      validator = std::make_shared<oauth::resource::BearerValidator>(
          SystemClock::Instance(),
          std::make_shared<oauth::resource::ResolverKeySource>(keys.Resolver()),
          oauth::resource::BearerValidatorOptions{.issuer = as_config.issuer,
                                                  .audience = resource_url,
                                                  .cache_capacity = token_cache_entries},
          &revoked_grants);
    } else {
      std::string why;
      auto discovered = app::DiscoverAuthorizationServer(upstream_client, external_as, why);
      if (!discovered) {
        log::Error("authorization server {}: {}", external_as, why);
        return 1;
      }
      rs.authorization_servers = {discovered->issuer};
      if (!introspection_endpoint.empty()) {
        discovered->introspection_endpoint = introspection_endpoint;
      }
      if (!introspection_client_id.empty()) {
        if (discovered->introspection_endpoint.empty()) {
          log::Error("{} publishes no introspection_endpoint; give --introspection-endpoint",
                     external_as);
          return 1;
        }
        oauth::resource::IntrospectionOptions io;
        io.endpoint = discovered->introspection_endpoint;
        io.client_id = introspection_client_id;
        io.client_secret = Secret(introspection_client_secret);
        io.audience = resource_url;
        io.issuer = discovered->issuer;
        validator = std::make_shared<oauth::resource::IntrospectionValidator>(
            upstream_client, SystemClock::Instance(), io, &revoked_grants);
      } else {
        if (discovered->jwks_uri.empty()) {
          log::Error("{} publishes no jwks_uri; use --introspection-client-id", external_as);
          return 1;
        }
        auto jwks = std::make_shared<oauth::resource::RemoteJwks>(
            upstream_client, SystemClock::Instance(),
            oauth::resource::RemoteJwksOptions{.url = discovered->jwks_uri});
        if (auto st = jwks->Refresh(); !st) {
          log::Warn("cannot fetch {} yet: {} (retrying on demand)", discovered->jwks_uri,
                    st.error().message());
        }
        validator = std::make_shared<oauth::resource::BearerValidator>(
            SystemClock::Instance(), jwks,
            // RFC 9068 access tokens; `grant_id` is mcpauth's own claim, not asked of others.
            oauth::resource::BearerValidatorOptions{.issuer = discovered->issuer,
                                                    .audience = resource_url,
                                                    .required_claims = {"sub", "client_id"},
                                                    .cache_capacity = token_cache_entries},
            &revoked_grants);
      }
    }
    resource_server = std::make_unique<oauth::resource::ResourceServer>(rs, validator);
  }
  if (serve_mcp && no_auth) {
    log::Warn("**************************************************************************");
    log::Warn("--no-auth: /mcp accepts requests WITHOUT ANY AUTHORIZATION. Development only.");
    log::Warn("**************************************************************************");
  }
  mcp::TransportOptions transport_options;
  transport_options.allowed_origins = allowed_origins;
  std::unique_ptr<mcp::StreamableHttpTransport> mcp_transport;
  if (serve_mcp) {
    mcp_transport = std::make_unique<mcp::StreamableHttpTransport>(
        mcp_server, sessions, transport_options,
        resource_server ? resource_server->MakeAuthorizer() : mcp::Authorizer{});
  }

  oauth::PasswordHasher passwords(OpenSslRandom::Instance());
  oauth::ClientMetadataFetcher metadata_fetcher(
      **store, SystemClock::Instance(),
      {.allow_private_addresses = as_config.cimd_allow_private_addresses});
  std::unique_ptr<oauth::AuthorizationServer> authorization_server;
  if (serve_as) {
    authorization_server = std::make_unique<oauth::AuthorizationServer>(
        oauth::AuthorizationServerDeps{.config = as_config,
                                       .store = **store,
                                       .keys = keys,
                                       .passwords = passwords,
                                       .pool = *pool,
                                       .clock = SystemClock::Instance(),
                                       .random = OpenSslRandom::Instance(),
                                       .metadata_fetcher = &metadata_fetcher});
    // A revocation here reaches the co-hosted resource server before the next request.
    authorization_server->tokens().SetRevocationListener(
        [&revoked_grants](const std::string& grant_id, Clock::TimePoint at) {
          revoked_grants.Add(grant_id, at);
        });
  }

  http::ServerOptions options;
  options.host = address->host;
  options.port = port;
  options.threads = threads;
  if (!tls_cert.empty()) {
    options.tls = http::TlsFiles{tls_cert, tls_key};
  }
  http::Server server(options, BuildRouter(mcp_transport.get(), resource_server.get(),
                                           authorization_server.get(), **store));
  if (auto st = server.Start(); !st) {
    log::Error("cannot start: {}", st.error().message());
    return 1;
  }
  const std::string scheme = options.tls ? "https" : "http";
  for (const auto& ep : server.endpoints()) {
    log::Info("mcpauth-server listening on {}://{}", scheme, ep);
    log::Info("  health:  {}://{}/healthz", scheme, ep);
  }
  if (serve_mcp) {
    log::Info("MCP server:      {}  ({} tools; Streamable HTTP, 2026-07-28 and 2025 revisions)",
              resource_url, tools->size());
    if (resource_server) {
      log::Info("  protected by:  {}  (resource metadata: {})",
                resource_server->metadata().authorization_servers.front(),
                resource_server->metadata_url());
    }
  }
  if (serve_as) {
    log::Info("issuer:          {}", as_config.issuer);
    log::Info("  sign in:       {}/login   (Connected apps: {}/apps)", public_url, public_url);
    log::Info("  metadata:      {}/.well-known/oauth-authorization-server", public_url);
  }
  log::Info("store: {}", StoreLabel(store_flag, data_dir));
  {
    // A shared store (PostgreSQL) notifies revocations and key changes of every node at once
    // (LISTEN/NOTIFY); after a reconnection, what was missed is reloaded. The timers below
    // stay as the safety net, and are all that SQLite has.
    const bool notified = (*store)->SetChangeListener(
        [&revoked_grants, &keys, &store, &sessions](const store::StoreChange& c) {
          switch (c.kind) {
            case store::StoreChange::Kind::kGrantRevoked:
              revoked_grants.Add(c.grant_id, c.revoked_at);
              break;
            case store::StoreChange::Kind::kSigningKeysChanged:
              if (auto st = keys.Reload(); !st) {
                log::Warn("cannot reload signing keys: {}", st.error().message());
              }
              break;
            case store::StoreChange::Kind::kMcpSessionEnded:
              sessions.Forget(c.mcp_session_hash);
              break;
            case store::StoreChange::Kind::kResync:
              (void)revoked_grants.Sync(**store, SystemClock::Instance().Now());
              (void)keys.Reload();
              sessions.Revalidate();
              break;
          }
        });
    if (notified) {
      log::Info("store: revocations and key changes of other nodes arrive by notification");
    }
    // Another node or `mcpauth-server keys rotate` may rotate keys: reload every minute.
    Periodic reload_keys(std::chrono::seconds(60), [&keys] {
      if (auto st = keys.Reload(); !st) {
        log::Warn("cannot reload signing keys: {}", st.error().message());
      }
    });
    Periodic housekeeping(
        std::chrono::minutes(10), [&authorization_server, &store, shared_sessions] {
          if (authorization_server) {
            authorization_server->Housekeeping();
          }
          if (shared_sessions) {
            (void)(*store)->PurgeExpiredMcpSessions(SystemClock::Instance().Now());
          }
        });
    // Revocations by other processes (`user remove`, another node) reach this resource server
    // through the store within a second.
    Periodic sync_revocations(std::chrono::seconds(1), [&revoked_grants, &store] {
      if (auto st = revoked_grants.Sync(**store, SystemClock::Instance().Now()); !st) {
        log::Warn("cannot read revoked grants: {}", st.error().message());
      }
    });
    server.RunUntilSignal();
    (void)(*store)->SetChangeListener(nullptr);  // before what the listener touches goes away
  }
  pool.reset();  // finish running tools while everything they reference still exists
  log::Info("stopped");
  return 0;
}
