// Server: the HTTP/1.1 server (Boost.Beast underneath, hidden in src/http/).
//
// N worker threads (default: the number of cores), each running its own event loop; accepted
// connections are spread over them. Keep-alive, optional TLS, limits answered with the right
// status (431 for a header block over the limit, 413 for a body over the route's limit), a
// timeout for slow headers, an idle keep-alive timeout, a cap on concurrent connections (503 past
// it), and graceful shutdown: stop accepting, let in-flight requests finish within a bound, close.
// Thread-safety: Start/Shutdown/Wait may be called from any thread; Shutdown is idempotent.
// Ownership: the server shares the Router; it must outlive nothing else.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mcpauth/core/result.hpp"
#include "mcpauth/http/router.hpp"

namespace mcpauth::http {

struct TlsFiles {
  std::string cert_chain_file;   // PEM
  std::string private_key_file;  // PEM
};

struct ServerOptions {
  // Address to bind: an IP literal ("127.0.0.1", "::1", "0.0.0.0") or "localhost", which binds
  // both loopbacks (127.0.0.1 and ::1) on the same port.
  std::string host = "127.0.0.1";
  uint16_t port = 0;                // 0: the OS picks; read it back with Server::port()
  int threads = 0;                  // 0: one per core
  size_t header_limit = 16 * 1024;  // request line + header fields; more → 431
  size_t max_connections = 10'000;  // concurrent; more → 503 and close
  std::chrono::milliseconds header_timeout{10'000};  // first byte to end of headers
  std::chrono::milliseconds body_timeout{30'000};    // reading the body
  std::chrono::milliseconds idle_timeout{60'000};    // keep-alive wait for the next request
  std::chrono::milliseconds write_timeout{30'000};   // one write to a slow reader
  std::chrono::milliseconds shutdown_grace{10'000};  // in-flight requests get this long
  std::optional<TlsFiles> tls;
  std::string server_header = "mcpauth";
};

struct ServerStats {
  uint64_t connections_accepted = 0;
  uint64_t connections_open = 0;
  uint64_t requests = 0;
};

class Server {
 public:
  Server(ServerOptions options, std::shared_ptr<const Router> router);
  ~Server();  // shuts down and joins
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the worker threads. Errors: address in use, bad address, TLS files.
  Status Start();

  // The bound port (after Start).
  uint16_t port() const;
  // The bound addresses as "host:port" / "[::1]:port".
  std::vector<std::string> endpoints() const;

  // Stops accepting, closes idle connections, lets in-flight requests finish within
  // shutdown_grace, then stops the threads. Returns at once; Wait() blocks until done.
  void Shutdown();
  void Wait();

  // Start() must have succeeded. Blocks until SIGINT or SIGTERM, then shuts down gracefully.
  void RunUntilSignal();

  ServerStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mcpauth::http
