// mcpauth-server: configuration and wiring only.
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <thread>

#include "app/listen_address.hpp"
#include "mcpauth/core/log.hpp"
#include "mcpauth/http/router.hpp"
#include "mcpauth/http/server.hpp"

namespace {

using namespace mcpauth;

std::shared_ptr<http::Router> BuildRouter() {
  auto router = std::make_shared<http::Router>();
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
  cli.add_option("--listen", listen, "HOST:PORT to listen on (localhost = both loopbacks)")
      ->capture_default_str();
  cli.add_option("--data-dir", data_dir, "Directory for the database and keys")
      ->capture_default_str();
  cli.add_option("--threads", threads, "Worker threads (0 = one per core)")->capture_default_str();
  cli.add_option("--log-format", log_format, "human | json")->capture_default_str();
  cli.add_option("--log-level", log_level, "trace | debug | info | warn | error | off")
      ->capture_default_str();
  cli.add_option("--tls-cert", tls_cert, "PEM certificate chain (enables TLS with --tls-key)");
  cli.add_option("--tls-key", tls_key, "PEM private key");
  CLI11_PARSE(cli, argc, argv);

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

  http::ServerOptions options;
  options.host = address->host;
  options.port = address->port;
  options.threads = threads;
  if (!tls_cert.empty()) {
    options.tls = http::TlsFiles{tls_cert, tls_key};
  }
  http::Server server(options, BuildRouter());
  if (auto st = server.Start(); !st) {
    log::Error("cannot start: {}", st.error().message());
    return 1;
  }
  const std::string scheme = options.tls ? "https" : "http";
  for (const auto& ep : server.endpoints()) {
    log::Info("mcpauth-server listening on {}://{}", scheme, ep);
    log::Info("  health:  {}://{}/healthz", scheme, ep);
  }
  log::Info("data directory: {}", std::filesystem::absolute(data_dir).string());
  server.RunUntilSignal();
  log::Info("stopped");
  return 0;
}
