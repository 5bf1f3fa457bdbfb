// The connection coroutine, for a plain or a TLS stream. Private to src/http/.
//
// One request at a time (HTTP/1.1 without pipelined responses): wait for the first byte (idle
// timeout), read the header (header timeout, 431 past the limit), find the route, read the body
// under the route's limit (413), hand an Exchange to the handler, wait until it completes, write
// the response or stream the events, and loop while keep-alive holds. Expected errors come back
// as values (as_tuple); only bugs throw, and the co_spawn handler logs them.
#pragma once

#include <cstdio>
#include <ctime>
#include <string>

#include "exchange_impl.hpp"
#include "mcpauth/core/log.hpp"
#include "server_internal.hpp"

namespace mcpauth::http::detail {

namespace http_ = beast::http;
using asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// The IMF-fixdate for the Date header (RFC 9110 §5.6.7, §6.6.1), formatted once per second per
// thread.
inline std::string_view HttpDate() {
  thread_local std::time_t cached_second = 0;
  thread_local char buf[40];
  thread_local size_t len = 0;
  const std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    len = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached_second = now;
  }
  return {buf, len};
}

// A header name or value with CR, LF or NUL would split the response (header injection).
inline bool SafeField(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

// Wakes a connection from another thread: posts to its executor and cancels its wait timer.
class TimerNotifier final : public Notifier, public std::enable_shared_from_this<TimerNotifier> {
 public:
  explicit TimerNotifier(asio::any_io_executor ex)
      : ex_(ex), timer_(std::make_unique<asio::steady_timer>(ex)) {}
  void Notify() override {
    // A handler may hold an exchange (or an event stream) longer than the connection and the
    // server live; once detached, waking is a no-op rather than a post to a dead io_context.
    std::lock_guard lock(mu_);
    if (detached_) {
      return;
    }
    asio::post(ex_, [self = shared_from_this()] {
      self->pending_ = true;
      if (self->timer_) {
        self->timer_->cancel();
      }
    });
  }
  // Called when the connection ends (on its thread, or while its io_context is destroyed). The
  // timer goes now: it must not outlive its io_context, though this object may.
  void Detach() {
    std::lock_guard lock(mu_);
    detached_ = true;
    timer_.reset();
  }
  // On the connection's thread only.
  asio::awaitable<void> Wait() {
    if (pending_) {
      pending_ = false;
      co_return;
    }
    timer_->expires_at(asio::steady_timer::time_point::max());
    co_await timer_->async_wait(kTuple);
    pending_ = false;
  }
  void Cancel() {
    if (timer_) {
      timer_->cancel();
    }
  }

 private:
  asio::any_io_executor ex_;
  std::unique_ptr<asio::steady_timer> timer_;  // connection's thread only, until Detach
  bool pending_ = false;                       // connection's thread only
  std::mutex mu_;                              // guards detached_ against a concurrent Notify
  bool detached_ = false;
};

template <class Stream>
class Session final : public ConnectionBase, public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(std::shared_ptr<ServerShared> shared, Stream stream, bool secure)
      : shared_(std::move(shared)),
        stream_(std::move(stream)),
        secure_(secure),
        notifier_(std::make_shared<TimerNotifier>(stream_.get_executor())) {
    beast::error_code ec;
    auto ep = beast::get_lowest_layer(stream_).socket().remote_endpoint(ec);
    if (!ec) {
      remote_ = ep.address().to_string();
    }
    shared_->open.fetch_add(1, std::memory_order_relaxed);
    shared_->Register(this);
  }

  ~Session() override {
    notifier_->Detach();
    shared_->open.fetch_sub(1, std::memory_order_relaxed);
    shared_->Unregister(this);
  }

  asio::any_io_executor executor() { return stream_.get_executor(); }

  std::shared_ptr<ConnectionBase> TryLock() override { return this->weak_from_this().lock(); }

  void ForceClose() override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] { self->Close(); });
  }

  void CloseIfIdle() override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      if (self->idle_ || self->streaming_) {
        self->Close();
      }
    });
  }

  // Runs the connection. `handshake` performs the TLS handshake first (TLS streams only).
  // `self` is a coroutine parameter, copied into the frame: it keeps the session alive until the
  // coroutine ends (a `shared_from_this()` inside the body would run only after co_spawn's
  // caller had already let go).
  static asio::awaitable<void> Run(std::shared_ptr<Session> self, bool handshake) {
    co_await self->RunBody(handshake);
  }

 private:
  asio::awaitable<void> RunBody(bool handshake) {
    if (handshake) {
      if (!co_await Handshake()) {
        co_return;
      }
    }
    bool first = true;
    while (!closed_) {
      if (!co_await ServeOne(first)) {
        break;
      }
      first = false;
    }
    co_await Shutdown();
  }

  asio::awaitable<bool> Handshake();  // defined for TLS streams in server_tls.cpp
  asio::awaitable<void> Shutdown();   // TLS close_notify / TCP shutdown

  void Close() {
    closed_ = true;
    beast::error_code ec;
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(stream_).socket().close(ec);
    notifier_->Cancel();
  }

  const ServerOptions& opts() const { return shared_->options; }

  // Serves one request. Returns whether the connection stays open for another.
  asio::awaitable<bool> ServeOne(bool first) {
    auto& tcp_stream = beast::get_lowest_layer(stream_);
    // Wait for the next request's first byte: the idle keep-alive timeout applies here, the
    // (shorter) header timeout only once a request has begun, so a slow sender is cut off.
    if (buffer_.size() == 0) {
      idle_ = true;
      if (shared_->stopping.load(std::memory_order_relaxed)) {
        co_return false;
      }
      tcp_stream.expires_after(first ? opts().header_timeout : opts().idle_timeout);
      auto [ec, n] = co_await stream_.async_read_some(buffer_.prepare(4096), kTuple);
      idle_ = false;
      if (ec) {
        co_return false;
      }
      buffer_.commit(n);
    }

    http_::request_parser<http_::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(opts().header_limit));
    // No body limit while the header is read: Beast compares a Content-Length with it as soon as
    // the header ends and fails with body_limit, which would be answered 400 for any body over
    // the header limit (a 20 KiB MCP call). The route's limit is applied below: 413.
    parser.body_limit(boost::none);
    tcp_stream.expires_after(opts().header_timeout);
    {
      auto [ec, n] = co_await http_::async_read_header(stream_, buffer_, parser, kTuple);
      if (ec == http_::error::header_limit) {
        co_await WriteError(431, "request header fields too large", 11);
        co_return false;
      }
      if (ec) {
        if (ec != beast::error::timeout && ec != http_::error::end_of_stream &&
            ec != asio::error::eof && ec != asio::error::connection_reset &&
            ec != asio::error::operation_aborted) {
          co_await WriteError(400, "malformed request", 11);
        }
        co_return false;
      }
    }
    shared_->requests.fetch_add(1, std::memory_order_relaxed);
    auto& head = parser.get();
    const std::string_view method = head.method_string();
    const std::string_view target = head.target();
    const size_t q = target.find('?');
    const std::string_view path = target.substr(0, q);
    const Router::Match match = shared_->router->Find(method, path);

    // Body: limited by the route; for 404/405 a small body is still read so that the
    // connection can be kept alive.
    const size_t limit = match.route ? match.route->options.body_limit : 64 * 1024;
    parser.body_limit(limit);
    if (!parser.is_done()) {
      if (const auto len = parser.content_length(); len && *len > limit) {
        // RFC 9110 §15.5.14: refuse before reading; the connection cannot be reused.
        co_await WriteError(413, "request body too large", head.version());
        co_return false;
      }
      if (head[http_::field::expect] == "100-continue") {
        tcp_stream.expires_after(opts().write_timeout);
        auto [ec, n] = co_await asio::async_write(
            stream_, asio::buffer(std::string_view("HTTP/1.1 100 Continue\r\n\r\n")), kTuple);
        if (ec) {
          co_return false;
        }
      }
      tcp_stream.expires_after(opts().body_timeout);
      auto [ec, n] = co_await http_::async_read(stream_, buffer_, parser, kTuple);
      if (ec == http_::error::body_limit) {
        co_await WriteError(413, "request body too large", head.version());
        co_return false;
      }
      if (ec) {
        co_return false;
      }
    }
    tcp_stream.expires_never();

    const unsigned version = head.version();
    const bool is_head = head.method() == http_::verb::head;
    bool keep_alive = head.keep_alive();

    if (match.route == nullptr) {
      Response r =
          Response::Json(match.status, match.status == 404 ? R"({"error":"not_found"})"
                                                           : R"({"error":"method_not_allowed"})");
      if (match.status == 405) {
        r.headers.Set("Allow", match.allow);
      }
      co_return co_await Write(std::move(r), version, keep_alive, is_head);
    }

    Request request;
    request.method = std::string(method);
    request.target = std::string(target);
    request.path = std::string(path);
    if (q != std::string_view::npos) {
      request.query = std::string(target.substr(q + 1));
    }
    for (const auto& field : head) {
      request.headers.Add(field.name_string(), field.value());
    }
    request.body = std::move(head.body());
    request.secure = secure_;
    request.remote_address = remote_;
    request.version = static_cast<int>(version);

    auto exchange = std::make_shared<ExchangeImpl>(std::move(request), notifier_);
    exchange->BeginDispatch();
    try {
      match.route->handler(exchange);
    } catch (const std::exception& e) {
      log::Error("handler for {} threw: {}", path, e.what());
      exchange->Respond(Response::Json(500, R"({"error":"server_error"})"));
    }
    exchange->EndDispatch();

    if (exchange->state() == ExchangeImpl::State::kPending) {
      if (!co_await AwaitCompletion(*exchange)) {
        exchange->MarkDisconnected();
        co_return false;
      }
    }
    if (exchange->state() == ExchangeImpl::State::kStreaming) {
      co_return co_await StreamEvents(*exchange, version, keep_alive);
    }
    co_return co_await Write(exchange->TakeResponse(), version, keep_alive, is_head);
  }

  // Waits for the handler to complete the exchange. Meanwhile (plain TCP) one read watches the
  // socket, so a client that goes away is noticed at once (MCP: a closed stream cancels).
  // Returns false if the client disconnected or the connection closed.
  asio::awaitable<bool> AwaitCompletion(ExchangeImpl& exchange) {
    StartWatch(exchange);
    while (exchange.state() == ExchangeImpl::State::kPending && !closed_ && !peer_gone_) {
      co_await notifier_->Wait();
    }
    co_await StopWatch();
    co_return !closed_ && !peer_gone_;
  }

  void StartWatch(ExchangeImpl& exchange);  // defined per stream type below
  asio::awaitable<void> StopWatch() {
    if (watching_) {
      beast::error_code ec;
      beast::get_lowest_layer(stream_).socket().cancel(ec);
      while (watching_) {
        co_await notifier_->Wait();
      }
    }
  }

  asio::awaitable<bool> StreamEvents(ExchangeImpl& exchange, unsigned version, bool keep_alive) {
    Response head = exchange.TakeResponse();
    keep_alive = keep_alive && !shared_->stopping.load(std::memory_order_relaxed);
    // HTTP/1.1: chunked, so the connection survives the end of the stream. HTTP/1.0: the end of
    // the stream is the end of the connection.
    const bool chunked = version >= 11;
    if (!chunked) {
      keep_alive = false;
    }
    std::string out;
    SerializeHead(out, head.status, version, head.headers, chunked ? kChunked : kNoLength,
                  keep_alive);
    auto& tcp_stream = beast::get_lowest_layer(stream_);
    tcp_stream.expires_after(opts().write_timeout);
    if (auto [ec, n] = co_await asio::async_write(stream_, asio::buffer(out), kTuple); ec) {
      exchange.MarkDisconnected();
      co_return false;
    }
    tcp_stream.expires_never();
    streaming_ = true;
    std::string pending = std::move(head.body);
    StartWatch(exchange);
    bool ok = true;
    for (;;) {
      bool closed = false;
      pending += exchange.TakeQueued(closed);
      if (!pending.empty()) {
        out.clear();
        if (chunked) {
          AppendChunk(out, pending);
        } else {
          out.swap(pending);
        }
        pending.clear();
        tcp_stream.expires_after(opts().write_timeout);
        auto [ec, n] = co_await asio::async_write(stream_, asio::buffer(out), kTuple);
        tcp_stream.expires_never();
        if (ec) {
          ok = false;
          break;
        }
        continue;  // more may have been queued meanwhile
      }
      if (closed) {
        break;
      }
      if (closed_ || peer_gone_) {
        ok = false;
        break;
      }
      co_await notifier_->Wait();
    }
    streaming_ = false;
    co_await StopWatch();
    if (!ok || closed_ || peer_gone_) {
      exchange.MarkDisconnected();
      co_return false;
    }
    if (chunked) {
      tcp_stream.expires_after(opts().write_timeout);
      auto [ec, n] = co_await asio::async_write(stream_, asio::buffer("0\r\n\r\n", 5), kTuple);
      tcp_stream.expires_never();
      if (ec) {
        co_return false;
      }
    }
    co_return keep_alive;
  }

  static constexpr int64_t kChunked = -1;
  static constexpr int64_t kNoLength = -2;

  // Serializes the status line and header block into one buffer, written with one syscall.
  // (Beast still parses every request; writing our own response bytes avoids its serializer's
  // buffer-sequence machinery, a third of the CPU of a small response.) RFC 9112 §4, §6.
  void SerializeHead(std::string& out, int status, unsigned version, const Headers& headers,
                     int64_t content_length, bool keep_alive) {
    out.reserve(256);
    out += version >= 11 ? "HTTP/1.1 " : "HTTP/1.0 ";
    out += std::to_string(status);
    out += ' ';
    out += ReasonPhrase(status);
    out += "\r\n";
    bool has_server = false;
    for (const auto& [name, value] : headers.fields()) {
      // A name or value with CR, LF or NUL would split the response (header injection); the
      // framing fields are ours to set.
      if (name.empty() || !SafeField(name) || !SafeField(value) ||
          EqualsIgnoreCase(name, "Content-Length") || EqualsIgnoreCase(name, "Transfer-Encoding") ||
          EqualsIgnoreCase(name, "Connection")) {
        if (!EqualsIgnoreCase(name, "Connection")) {
          log::Error("dropped response header {}", SafeField(name) ? name : "<unsafe name>");
        }
        continue;
      }
      has_server = has_server || EqualsIgnoreCase(name, "Server");
      out += name;
      out += ": ";
      out += value;
      out += "\r\n";
    }
    if (!has_server) {
      out += "Server: ";
      out += opts().server_header;
      out += "\r\n";
    }
    out += "Date: ";
    out += HttpDate();
    out += "\r\n";
    if (content_length >= 0) {
      out += "Content-Length: ";
      out += std::to_string(content_length);
      out += "\r\n";
    } else if (content_length == kChunked) {
      out += "Transfer-Encoding: chunked\r\n";
    }
    // HTTP/1.1 is persistent by default, HTTP/1.0 is not (RFC 9112 §9.3).
    if (!keep_alive) {
      out += "Connection: close\r\n";
    } else if (version < 11) {
      out += "Connection: keep-alive\r\n";
    }
    out += "\r\n";
  }

  static void AppendChunk(std::string& out, std::string_view data) {
    char size[20];
    const int n = std::snprintf(size, sizeof size, "%zx\r\n", data.size());
    out.append(size, static_cast<size_t>(n));
    out += data;
    out += "\r\n";
  }

  asio::awaitable<bool> Write(Response r, unsigned version, bool keep_alive, bool is_head) {
    keep_alive = keep_alive && !shared_->stopping.load(std::memory_order_relaxed);
    std::string out;
    // RFC 9110 §8.6: no Content-Length in a 1xx or 204 response.
    const bool bodiless = r.status < 200 || r.status == 204;
    SerializeHead(out, r.status, version, r.headers,
                  bodiless ? kNoLength : static_cast<int64_t>(r.body.size()), keep_alive);
    // RFC 9110 §9.3.2: HEAD gets GET's header fields, Content-Length included, without the body.
    // 1xx, 204 and 304 never carry a body either (RFC 9110 §6.4.1).
    if (!is_head && !bodiless && r.status != 304) {
      out += r.body;
    }
    auto& tcp_stream = beast::get_lowest_layer(stream_);
    tcp_stream.expires_after(opts().write_timeout);
    auto [ec, n] = co_await asio::async_write(stream_, asio::buffer(out), kTuple);
    tcp_stream.expires_never();
    co_return !ec && keep_alive;
  }

  asio::awaitable<void> WriteError(int status, std::string_view description, unsigned version) {
    Response r =
        Response::Json(status, std::string(R"({"error":"invalid_request","error_description":")") +
                                   std::string(description) + "\"}");
    co_await Write(std::move(r), version, false, false);
  }

  std::shared_ptr<ServerShared> shared_;
  Stream stream_;
  bool secure_;
  std::shared_ptr<TimerNotifier> notifier_;
  beast::flat_buffer buffer_;
  std::string remote_;
  bool idle_ = false;
  bool streaming_ = false;
  bool closed_ = false;
  bool watching_ = false;
  bool peer_gone_ = false;
};

}  // namespace mcpauth::http::detail
