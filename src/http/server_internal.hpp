// Private to the server: the state every connection shares, and the session coroutine.
//
// Included only by server.cpp and server_tls.cpp (Beast and Asio are costly to compile: keep them
// in these files). A connection runs on the io_context of one worker thread; everything a
// connection owns is touched only on that thread, except ExchangeImpl (mutex) and the registry.
#pragma once

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <unordered_set>
#include <vector>

#include "mcpauth/http/server.hpp"

namespace mcpauth::http::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;

// A live connection, as the server sees it for shutdown.
class ConnectionBase {
 public:
  virtual ~ConnectionBase() = default;
  // Posts to the connection's thread: close it if it is waiting for a request, or streaming.
  virtual void CloseIfIdle() = 0;
  // Posts to the connection's thread: close it whatever it is doing (shutdown grace is over).
  virtual void ForceClose() = 0;
  // A strong reference, or null if the connection is already being destroyed.
  virtual std::shared_ptr<ConnectionBase> TryLock() = 0;
};

// What the sessions share with the Server.
struct ServerShared {
  ServerOptions options;
  std::shared_ptr<const Router> router;
  std::atomic<bool> stopping{false};
  std::atomic<uint64_t> accepted{0};
  std::atomic<uint64_t> open{0};
  std::atomic<uint64_t> requests{0};

  std::mutex mu;  // guards connections; `drained` is signalled when the last one closes
  std::condition_variable drained;
  std::unordered_set<ConnectionBase*> connections;

  void Register(ConnectionBase* c) {
    std::lock_guard lock(mu);
    connections.insert(c);
  }
  // Strong references to every live connection. Taken under the lock, used and released outside
  // it: the last reference may run a destructor, which takes the lock to unregister.
  std::vector<std::shared_ptr<ConnectionBase>> Snapshot() {
    std::vector<std::shared_ptr<ConnectionBase>> out;
    std::lock_guard lock(mu);
    out.reserve(connections.size());
    for (auto* c : connections) {
      if (auto strong = c->TryLock()) {
        out.push_back(std::move(strong));
      }
    }
    return out;
  }
  void Unregister(ConnectionBase* c) {
    std::lock_guard lock(mu);
    connections.erase(c);
    if (connections.empty()) {
      drained.notify_all();
    }
  }
};

// Runs one plain-TCP connection to its end.
void StartPlainSession(std::shared_ptr<ServerShared> shared, asio::ip::tcp::socket socket);

// Runs one TLS connection (handshake first). `ssl_context` is a boost::asio::ssl::context*,
// type-erased so that this header does not pull in OpenSSL's headers.
void StartTlsSession(std::shared_ptr<ServerShared> shared, asio::ip::tcp::socket socket,
                     void* ssl_context);

// TLS server context from PEM files; returns nullptr and sets `error` on failure.
std::shared_ptr<void> MakeTlsContext(const TlsFiles& files, std::string& error);

}  // namespace mcpauth::http::detail
