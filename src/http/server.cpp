// The HTTP server: acceptors, worker threads, plain-TCP sessions, graceful shutdown.
#include "mcpauth/http/server.hpp"

#include <boost/asio/signal_set.hpp>
#include <thread>

#include "mcpauth/core/errc.hpp"
#include "mcpauth/core/log.hpp"
#include "session.hpp"

namespace mcpauth::http {
namespace detail {

using PlainSession = Session<beast::tcp_stream>;

template <>
asio::awaitable<bool> PlainSession::Handshake() {
  co_return true;
}

template <>
asio::awaitable<void> PlainSession::Shutdown() {
  beast::error_code ec;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
  co_return;
}

template <>
void PlainSession::StartWatch(ExchangeImpl& exchange) {
  // Bytes already buffered are a pipelined request, not a disconnect: nothing to watch.
  if (watching_ || closed_ || buffer_.size() > 0) {
    return;
  }
  watching_ = true;
  stream_.socket().async_read_some(
      buffer_.prepare(4096), [self = shared_from_this(), ex = exchange.shared_from_this()](
                                 beast::error_code ec, size_t n) {
        self->watching_ = false;
        if (!ec) {
          self->buffer_.commit(n);  // the client sent more: keep it for the next request
        } else if (ec != asio::error::operation_aborted) {
          self->peer_gone_ = true;  // EOF or reset: the client is gone
          ex->MarkDisconnected();
        }
        self->notifier_->Notify();
      });
}

namespace {

void LogCoroutineFailure(std::exception_ptr e) {
  if (!e) {
    return;
  }
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    log::Error("connection failed: {}", ex.what());
  }
}

}  // namespace

void StartPlainSession(std::shared_ptr<ServerShared> shared, asio::ip::tcp::socket socket) {
  auto session =
      std::make_shared<PlainSession>(shared, beast::tcp_stream(std::move(socket)), false);
  auto ex = session->executor();
  asio::co_spawn(ex, PlainSession::Run(session, false), LogCoroutineFailure);
}

}  // namespace detail

namespace {

using boost::asio::ip::tcp;
namespace asio = detail::asio;
namespace beast = detail::beast;

// A 503 written straight to a socket past the connection cap; no parsing, no session.
constexpr std::string_view kOverloaded =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
    "Connection: close\r\nContent-Length: 61\r\n\r\n"
    R"({"error":"temporarily_unavailable","error_description":"busy"})";

}  // namespace

struct Server::Impl {
  std::shared_ptr<detail::ServerShared> shared = std::make_shared<detail::ServerShared>();
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  std::vector<std::thread> threads;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
  std::shared_ptr<void> tls;  // boost::asio::ssl::context, when TLS is on
  std::atomic<size_t> next{0};
  uint16_t port = 0;
  std::vector<std::string> endpoints;
  std::mutex stop_mu;  // Shutdown
  std::mutex wait_mu;  // Wait (separate: Wait blocks while Shutdown may be called)
  std::thread stopper;
  bool started = false;
  bool joined = false;

  asio::io_context& NextContext() {
    return *contexts[next.fetch_add(1, std::memory_order_relaxed) % contexts.size()];
  }

  asio::awaitable<void> AcceptLoop(tcp::acceptor& acceptor) {
    for (;;) {
      auto& target = NextContext();
      auto [ec, socket] = co_await acceptor.async_accept(target, detail::kTuple);
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) {
          co_return;
        }
        // EMFILE and the like: back off briefly rather than spin.
        log::Warn("accept failed: {}", ec.message());
        asio::steady_timer t(acceptor.get_executor(), std::chrono::milliseconds(50));
        co_await t.async_wait(detail::kTuple);
        continue;
      }
      shared->accepted.fetch_add(1, std::memory_order_relaxed);
      if (shared->open.load(std::memory_order_relaxed) >= shared->options.max_connections) {
        auto s = std::make_shared<tcp::socket>(std::move(socket));
        asio::async_write(*s, asio::buffer(kOverloaded), [s](beast::error_code, size_t) {
          beast::error_code ignored;
          s->shutdown(tcp::socket::shutdown_both, ignored);
        });
        continue;
      }
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      if (tls) {
        detail::StartTlsSession(shared, std::move(socket), tls.get());
      } else {
        detail::StartPlainSession(shared, std::move(socket));
      }
    }
  }
};

Server::Server(ServerOptions options, std::shared_ptr<const Router> router)
    : impl_(std::make_unique<Impl>()) {
  impl_->shared->options = std::move(options);
  impl_->shared->router = std::move(router);
}

Server::~Server() {
  Shutdown();
  Wait();
}

Status Server::Start() {
  auto& opts = impl_->shared->options;
  if (opts.tls) {
    std::string error;
    impl_->tls = detail::MakeTlsContext(*opts.tls, error);
    if (!impl_->tls) {
      log::Error("TLS configuration: {}", error);
      return core::Errc::kInvalidArgument;
    }
  }
  int threads =
      opts.threads > 0 ? opts.threads : static_cast<int>(std::thread::hardware_concurrency());
  threads = std::max(threads, 1);
  for (int i = 0; i < threads; ++i) {
    // Concurrency hint 1: each context is run by exactly one thread, so Asio can skip locking.
    impl_->contexts.push_back(std::make_unique<asio::io_context>(1));
    impl_->guards.push_back(asio::make_work_guard(*impl_->contexts.back()));
  }

  std::vector<asio::ip::address> addresses;
  beast::error_code ec;
  if (opts.host == "localhost") {
    addresses = std::vector<asio::ip::address>{asio::ip::make_address("127.0.0.1"),
                                               asio::ip::make_address("::1")};
  } else {
    auto a = asio::ip::make_address(opts.host, ec);
    if (ec) {
      log::Error("listen address '{}' is not an IP address or 'localhost'", opts.host);
      return core::Errc::kInvalidArgument;
    }
    addresses = {a};
  }
  uint16_t port = opts.port;
  auto& ctx0 = *impl_->contexts[0];
  for (const auto& addr : addresses) {
    auto acceptor = std::make_unique<tcp::acceptor>(ctx0);
    tcp::endpoint ep(addr, port);
    acceptor->open(ep.protocol(), ec);
    if (!ec) {
      acceptor->set_option(asio::socket_base::reuse_address(true), ec);
      if (addr.is_v6()) {
        acceptor->set_option(asio::ip::v6_only(true), ec);
      }
      acceptor->bind(ep, ec);
    }
    if (!ec) {
      acceptor->listen(asio::socket_base::max_listen_connections, ec);
    }
    if (ec) {
      log::Error("cannot listen on {}:{}: {}", addr.to_string(), port, ec.message());
      return ec;
    }
    port = acceptor->local_endpoint().port();  // port 0: every address shares the first port
    impl_->endpoints.push_back(addr.is_v6() ? "[" + addr.to_string() + "]:" + std::to_string(port)
                                            : addr.to_string() + ":" + std::to_string(port));
    impl_->acceptors.push_back(std::move(acceptor));
  }
  impl_->port = port;
  for (auto& acceptor : impl_->acceptors) {
    asio::co_spawn(ctx0, impl_->AcceptLoop(*acceptor), asio::detached);
  }
  for (auto& ctx : impl_->contexts) {
    impl_->threads.emplace_back([c = ctx.get()] {
      for (;;) {
        try {
          c->run();
          return;
        } catch (const std::exception& e) {
          log::Error("worker loop: {}", e.what());  // keep serving the other connections
        }
      }
    });
  }
  impl_->started = true;
  return {};
}

uint16_t Server::port() const { return impl_->port; }

std::vector<std::string> Server::endpoints() const { return impl_->endpoints; }

void Server::Shutdown() {
  std::lock_guard lock(impl_->stop_mu);
  if (!impl_->started || impl_->shared->stopping.exchange(true)) {
    return;
  }
  // 1. Stop accepting.
  asio::post(*impl_->contexts[0], [impl = impl_.get()] {
    for (auto& a : impl->acceptors) {
      beast::error_code ec;
      a->close(ec);
    }
  });
  // 2. Close idle connections now; busy ones close after their response (they see `stopping`).
  for (const auto& c : impl_->shared->Snapshot()) {
    c->CloseIfIdle();
  }
  // 3. Wait for the drain, at most shutdown_grace, then stop every loop.
  impl_->stopper = std::thread([impl = impl_.get()] {
    auto& shared = *impl->shared;
    bool drained = false;
    {
      std::unique_lock conn_lock(shared.mu);
      drained = shared.drained.wait_for(conn_lock, shared.options.shutdown_grace,
                                        [&] { return shared.connections.empty(); });
    }
    if (!drained) {
      auto busy = shared.Snapshot();
      log::Warn("shutdown: {} connection(s) still busy after the grace period; closing",
                busy.size());
      for (const auto& c : busy) {
        c->ForceClose();
      }
    }
    for (auto& g : impl->guards) {
      g.reset();
    }
    // Posted after the closes above, so each loop runs them before it stops.
    for (auto& c : impl->contexts) {
      asio::post(*c, [ctx = c.get()] { ctx->stop(); });
    }
  });
}

void Server::Wait() {
  std::lock_guard lock(impl_->wait_mu);
  if (impl_->joined || !impl_->started) {
    return;
  }
  for (auto& t : impl_->threads) {
    t.join();
  }
  std::lock_guard stop_lock(impl_->stop_mu);
  if (impl_->stopper.joinable()) {
    impl_->stopper.join();
  }
  impl_->joined = true;
}

void Server::RunUntilSignal() {
  asio::io_context signals_ctx(1);
  asio::signal_set signals(signals_ctx, SIGINT, SIGTERM);
  signals.async_wait([this](beast::error_code ec, int signo) {
    if (!ec) {
      log::Info("signal {}: shutting down", signo);
      Shutdown();
    }
  });
  signals_ctx.run();
  Wait();
}

ServerStats Server::stats() const {
  const auto& s = *impl_->shared;
  return {s.accepted.load(), s.open.load(), s.requests.load()};
}

}  // namespace mcpauth::http
