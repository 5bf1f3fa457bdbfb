// mcpauth-server: configuration and wiring only.
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <thread>

#include "app/listen_address.hpp"
#include "app/users.hpp"
#include "mcpauth/core/log.hpp"
#include "mcpauth/core/worker_pool.hpp"
#include "mcpauth/http/router.hpp"
#include "mcpauth/http/server.hpp"
#include "mcpauth/mcp/fixtures.hpp"
#include "mcpauth/mcp/http_transport.hpp"
#include "mcpauth/mcp/server.hpp"

namespace {

using namespace mcpauth;

std::shared_ptr<http::Router> BuildRouter(mcp::StreamableHttpTransport& mcp_transport) {
  auto router = std::make_shared<http::Router>();
  mcp_transport.Register(*router);
  // Liveness for load balancers and orchestrators; cheap, no storage access.
  router->Add("GET", "/healthz", [](const http::Request&) {
    auto r = http::Response::Json(200, R"({"status":"ok"})");
    r.headers.Set("Cache-Control", "no-store");
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

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"mcpauth-server: OAuth 2.1 authorization server and MCP resource server"};
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
  // Global options (--data-dir) may also follow the subcommand.
  for (auto* sub : {user_cmd, user_add, user_passwd, user_list, user_remove}) {
    sub->fallthrough();
  }
  CLI11_PARSE(cli, argc, argv);

  if (user_cmd->parsed()) {
    if (!PrepareDataDir(data_dir)) {
      return 1;
    }
    auto store = store::OpenStore("sqlite:" + app::StorePathFor(data_dir));
    if (!store) {
      std::fprintf(stderr, "mcpauth-server: cannot open the store in %s: %s\n", data_dir.c_str(),
                   store.error().message().c_str());
      return 1;
    }
    if (user_add->parsed()) {
      return app::AddUser(**store, user_name);
    }
    if (user_passwd->parsed()) {
      return app::ChangePassword(**store, user_name);
    }
    if (user_list->parsed()) {
      return app::ListUsers(**store);
    }
    return app::RemoveUser(**store, user_name);
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
  if (!PrepareDataDir(data_dir)) {
    return 1;
  }
  // The store: SQLite under --data-dir, created (with its schema) on first start.
  auto store = store::OpenStore("sqlite:" + app::StorePathFor(data_dir));
  if (!store) {
    log::Error("cannot open the store in {}: {}", data_dir, store.error().message());
    return 1;
  }
  if (!app::EnsureFirstUser(**store)) {
    log::Error("cannot create the first user");
    return 1;
  }

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
  mcp::SessionTable sessions(SystemClock::Instance(), OpenSslRandom::Instance(), {});
  mcp::TransportOptions transport_options;
  transport_options.allowed_origins = allowed_origins;
  mcp::StreamableHttpTransport mcp_transport(mcp_server, sessions, transport_options);

  http::ServerOptions options;
  options.host = address->host;
  options.port = address->port;
  options.threads = threads;
  if (!tls_cert.empty()) {
    options.tls = http::TlsFiles{tls_cert, tls_key};
  }
  http::Server server(options, BuildRouter(mcp_transport));
  if (auto st = server.Start(); !st) {
    log::Error("cannot start: {}", st.error().message());
    return 1;
  }
  const std::string scheme = options.tls ? "https" : "http";
  for (const auto& ep : server.endpoints()) {
    log::Info("mcpauth-server listening on {}://{}", scheme, ep);
    log::Info("  MCP:     {}://{}/mcp  ({} tools; Streamable HTTP, 2026-07-28 and 2025 revisions)",
              scheme, ep, tools->size());
    log::Info("  health:  {}://{}/healthz", scheme, ep);
  }
  log::Info("data directory: {}", std::filesystem::absolute(data_dir).string());
  server.RunUntilSignal();
  pool.reset();  // finish running tools while everything they reference still exists
  log::Info("stopped");
  return 0;
}
