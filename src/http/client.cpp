// The HTTP/1.1 client: Boost.Beast over Asio, blocking at the API, asynchronous inside.
//
// Every connection owns a small io_context that the calling thread runs while it uses that
// connection. Asynchronous operations are what give beast::tcp_stream real timeouts; a private
// io_context per connection (rather than one per Client) lets pooled connections carry their
// sockets from one request to the next, lets several threads send at once without a shared event
// loop, and runs Stream()'s callback on the caller's own thread, so a callback may itself call
// Send() on the same Client without deadlocking.
#include "mcpauth/http/client.hpp"

#include <errno.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <charconv>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "mcpauth/core/log.hpp"
#include "mcpauth/http/address_policy.hpp"

namespace mcpauth::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
namespace urls = boost::urls;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using SteadyTime = std::chrono::steady_clock::time_point;
using BeastRequest = bhttp::request<bhttp::string_body>;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

// max_response_bytes caps the body; the header block has this fixed cap of its own, also
// reported as kResponseTooLarge (Beast's default of 8 KiB is tight for cookies and CSP headers).
constexpr uint32_t kMaxHeaderBytes = 64 * 1024;
// Body bytes handed to the SSE parser per read.
constexpr size_t kStreamChunkBytes = 4096;

class Category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "mcpauth.http.client"; }
  std::string message(int ev) const override {
    switch (static_cast<ClientErrc>(ev)) {
      case ClientErrc::kOk:
        return "ok";
      case ClientErrc::kInvalidUrl:
        return "not an absolute http(s) URL";
      case ClientErrc::kResolveFailed:
        return "host name lookup failed";
      case ClientErrc::kConnectFailed:
        return "connection failed";
      case ClientErrc::kTimeout:
        return "timed out";
      case ClientErrc::kTlsFailed:
        return "TLS handshake failed";
      case ClientErrc::kResponseTooLarge:
        return "response too large";
      case ClientErrc::kProtocolError:
        return "malformed HTTP response";
      case ClientErrc::kConnectionClosed:
        return "connection closed before a complete response";
      case ClientErrc::kCancelled:
        return "cancelled";
      case ClientErrc::kInvalidRequest:
        return "invalid request (method or header field)";
      case ClientErrc::kAddressForbidden:
        return "the host resolves to an address that is not allowed";
    }
    return "unknown http client error";
  }
};

// Where a URL points and what to send there.
struct Target {
  bool tls = false;
  std::string host;  // lower-case reg-name, or an IP address without brackets
  bool host_is_ip = false;
  uint16_t port = 0;
  std::string host_header;  // RFC 9110 §7.2: uri-host [ ":" port ]
  std::string path;         // RFC 9112 §3.2.1 origin-form: absolute-path [ "?" query ]
  std::string origin;       // the pool key: scheme, host and port (RFC 6454 §4)
};

char ToLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool IsDnsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

Result<Target> ParseTarget(std::string_view url) {
  auto parsed = urls::parse_uri(url);  // RFC 3986 §4.3 plus a fragment, which is dropped
  if (!parsed) {
    return ClientErrc::kInvalidUrl;
  }
  const urls::url_view& u = *parsed;
  Target t;
  switch (u.scheme_id()) {
    case urls::scheme::http:
      t.tls = false;
      break;
    case urls::scheme::https:
      t.tls = true;
      break;
    default:
      return ClientErrc::kInvalidUrl;
  }
  // RFC 9110 §4.2.1-4.2.2: an http(s) URI without a host is invalid. RFC 9110 §4.2.4: userinfo
  // is deprecated; credentials in a URL would end up in logs, so such a URL is refused.
  if (!u.has_authority() || u.has_userinfo()) {
    return ClientErrc::kInvalidUrl;
  }
  switch (u.host_type()) {
    case urls::host_type::name: {
      // Decoded: a %-encoded reg-name is still the same DNS name. Anything outside LDH (+ '_')
      // after decoding is not a resolvable name (IDNs must arrive as A-labels, RFC 5890).
      t.host = u.host_name();
      std::transform(t.host.begin(), t.host.end(), t.host.begin(), ToLower);
      if (t.host.empty() || !std::all_of(t.host.begin(), t.host.end(), IsDnsNameChar)) {
        return ClientErrc::kInvalidUrl;
      }
      t.host_header = t.host;
      break;
    }
    case urls::host_type::ipv4:
      t.host = u.host_ipv4_address().to_string();
      t.host_is_ip = true;
      t.host_header = t.host;
      break;
    case urls::host_type::ipv6:
      t.host = u.host_ipv6_address().to_string();
      t.host_is_ip = true;
      t.host_header = "[" + t.host + "]";
      break;
    default:  // IPvFuture or none
      return ClientErrc::kInvalidUrl;
  }
  const uint16_t default_port = t.tls ? 443 : 80;
  t.port = default_port;
  if (u.has_port() && !u.port().empty()) {  // RFC 3986 §3.2.3: an empty port means the default
    // The grammar guarantees digits; Boost.URL 1.81's port_number() wraps values past 65535
    // instead of reporting them, so the range is checked here.
    const std::string_view digits = u.port();
    uint32_t port = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (ec != std::errc() || end != digits.data() + digits.size() || port == 0 || port > 65535) {
      return ClientErrc::kInvalidUrl;
    }
    t.port = static_cast<uint16_t>(port);
  }
  if (t.port != default_port) {
    t.host_header += ":" + std::to_string(t.port);
  }
  // The fragment is never sent (RFC 9110 §4.2.5).
  std::string_view resource = u.encoded_target();
  if (resource.empty() || resource.front() != '/') {
    t.path = "/";
  }
  t.path.append(resource);
  const bool ipv6 = u.host_type() == urls::host_type::ipv6;
  t.origin = std::string(t.tls ? "https://" : "http://") + (ipv6 ? "[" + t.host + "]" : t.host) +
             ":" + std::to_string(t.port);
  return t;
}

// RFC 9110 §5.5: a field value never contains CR, LF or NUL. Refusing them stops header
// injection through caller-supplied values (a token, a session id).
bool IsFieldValue(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

// RFC 9110 §9.2.2.
bool IsIdempotent(std::string_view method) {
  for (std::string_view m : {"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"}) {
    if (method == m) {
      return true;
    }
  }
  return false;
}

// Fields the client owns: it frames the message itself (RFC 9112 §6) and manages the
// connection (RFC 9110 §7.6.1), so caller copies would contradict what is actually sent.
bool IsClientOwnedField(std::string_view name) {
  for (std::string_view owned : {"Host", "Content-Length", "Transfer-Encoding", "Connection"}) {
    if (EqualsIgnoreCase(name, owned)) {
      return true;
    }
  }
  return false;
}

Result<BeastRequest> BuildRequest(const ClientRequest& in, const Target& t,
                                  const std::string& user_agent) {
  if (!IsToken(in.method)) {
    return ClientErrc::kInvalidRequest;
  }
  BeastRequest req;
  req.method_string(in.method);
  req.target(t.path);
  req.version(11);
  req.set(bhttp::field::host, t.host_header);
  for (const auto& [name, value] : in.headers.fields()) {
    if (!IsToken(name) || !IsFieldValue(value)) {
      return ClientErrc::kInvalidRequest;
    }
    if (!IsClientOwnedField(name)) {
      req.insert(name, value);
    }
  }
  if (!in.headers.Has("User-Agent") && !user_agent.empty()) {
    req.set(bhttp::field::user_agent, user_agent);
  }
  // RFC 9110 §8.6: send Content-Length when there is content, or when the method anticipates
  // content (an empty POST still says "0"); never for a bodiless GET.
  const bool expects_body = in.method == "POST" || in.method == "PUT" || in.method == "PATCH";
  if (!in.body.empty() || expects_body) {
    req.content_length(in.body.size());
  }
  req.body() = in.body;
  return req;
}

bool IsEventStream(const bhttp::response_header<>& head) {
  std::string_view type = head[bhttp::field::content_type];
  type = type.substr(0, type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) {
    type.remove_suffix(1);
  }
  return EqualsIgnoreCase(type, "text/event-stream");
}

bool IsPublic(const asio::ip::address& address) {
  return address.is_v4() ? IsPublicIpv4(address.to_v4().to_bytes())
                         : IsPublicIpv6(address.to_v6().to_bytes());
}

ClientErrc ConnectError(const error_code& ec) {
  return ec == beast::error::timeout ? ClientErrc::kTimeout : ClientErrc::kConnectFailed;
}

// Maps an error from writing the request or reading the response.
ClientErrc ExchangeError(const error_code& ec) {
  if (ec == beast::error::timeout) {
    return ClientErrc::kTimeout;
  }
  if (ec == bhttp::error::body_limit || ec == bhttp::error::header_limit ||
      ec == bhttp::error::buffer_overflow) {
    return ClientErrc::kResponseTooLarge;
  }
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
      ec == asio::error::eof || ec == asio::error::connection_reset ||
      ec == asio::error::connection_aborted || ec == asio::error::broken_pipe ||
      ec == asio::error::not_connected || ec == asio::error::operation_aborted ||
      ec == ssl::error::stream_truncated) {
    return ClientErrc::kConnectionClosed;
  }
  if (ec.category() == make_error_code(bhttp::error::bad_version).category()) {
    return ClientErrc::kProtocolError;
  }
  if (ec.category() == asio::error::get_ssl_category()) {
    return ClientErrc::kTlsFailed;
  }
  return ClientErrc::kConnectionClosed;
}

// One connection to one origin. The io_context is declared first so that it outlives the
// streams bound to it.
struct Connection {
  asio::io_context ioc{1};
  std::optional<beast::tcp_stream> plain;
  std::optional<TlsStream> tls;
  beast::flat_buffer buffer;  // bytes read past the previous message (none on a clean reuse)

  beast::tcp_stream& Lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }

  // An idle HTTP/1.1 connection receives nothing until it sends a request. Readable bytes or EOF
  // mean the server closed it (or sent a TLS alert): reusing it would fail, so it is dropped
  // before anything is sent (RFC 9112 §9.3.1 retries are thereby rarely needed).
  bool LooksIdle() {
    if (!Lowest().socket().is_open()) {
      return false;
    }
    char byte = 0;
    const ssize_t n = ::recv(Lowest().socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }
};

// What Exchange() learned beyond its result, for the retry and pooling decisions.
struct Outcome {
  bool request_sent = false;      // at least one request byte was written
  bool response_started = false;  // at least one response byte arrived
  bool reusable = false;          // the connection may carry another request
};

using EventCallback = std::function<bool(const SseEvent&)>;

struct ExchangeParams {
  SteadyTime deadline;
  std::chrono::milliseconds timeout;  // for the gaps between stream reads
  size_t max_response_bytes = 0;
  bool head = false;
  const EventCallback* on_event = nullptr;  // Stream(): deliver text/event-stream bodies here
  const std::function<void(const Response&)>* on_open = nullptr;  // Stream(): the head, first
};

Response ToResponse(const bhttp::response_header<>& head) {
  Response out;
  out.status = static_cast<int>(head.result_int());
  for (const auto& field : head) {
    out.headers.Add(field.name_string(), field.value());
  }
  return out;
}

// Reads a text/event-stream body incrementally and hands each event to the callback.
template <class Stream>
asio::awaitable<Status> ReadEvents(Stream& stream, beast::flat_buffer& buffer,
                                   bhttp::response_parser<bhttp::empty_body>&& head_parser,
                                   const ExchangeParams& p, Outcome& outcome) {
  bhttp::response_parser<bhttp::buffer_body> parser(std::move(head_parser));
  // A stream is long-lived by design, so its total size is not capped; what the SSE parser may
  // buffer without completing an event is, which bounds memory just the same.
  parser.body_limit(boost::none);
  SseParser sse(p.max_response_bytes);
  bool stop = false;
  char chunk[kStreamChunkBytes];
  while (!parser.is_done()) {
    parser.get().body().data = chunk;
    parser.get().body().size = sizeof(chunk);
    // The timeout bounds each wait for more data (events or comment keep-alives), not the
    // stream's lifetime.
    beast::get_lowest_layer(stream).expires_after(p.timeout);
    auto [ec, n] = co_await bhttp::async_read_some(stream, buffer, parser, kTuple);
    if (ec == bhttp::error::need_buffer) {
      ec = {};
    }
    if (ec) {
      co_return ExchangeError(ec);
    }
    const size_t got = sizeof(chunk) - parser.get().body().size;
    Status fed = sse.Feed(std::string_view(chunk, got), [&](SseEvent&& event) {
      if (!stop && !(*p.on_event)(event)) {
        stop = true;
      }
    });
    if (stop) {
      co_return ClientErrc::kCancelled;  // the connection is dropped, which ends the stream
    }
    if (!fed) {
      co_return ClientErrc::kResponseTooLarge;
    }
  }
  outcome.reusable = parser.keep_alive() && buffer.size() == 0;
  co_return Status{};
}

// Writes the request and reads the response on an open connection.
template <class Stream>
asio::awaitable<Result<Response>> Exchange(Stream& stream, beast::flat_buffer& buffer,
                                           BeastRequest& req, const ExchangeParams& p,
                                           Outcome& outcome) {
  auto& tcp = beast::get_lowest_layer(stream);
  tcp.expires_at(p.deadline);
  auto [write_ec, written] = co_await bhttp::async_write(stream, req, kTuple);
  outcome.request_sent = written > 0;
  if (write_ec) {
    co_return ExchangeError(write_ec);
  }

  // RFC 9110 §15.2: interim 1xx responses (e.g. 103 Early Hints) precede the final one and are
  // skipped; 101 would be final, but this client never asks to upgrade.
  std::optional<bhttp::response_parser<bhttp::empty_body>> head;
  for (;;) {
    head.emplace();
    head->header_limit(kMaxHeaderBytes);
    head->body_limit(p.max_response_bytes);
    head->skip(p.head);  // RFC 9110 §9.3.2: a response to HEAD has no content
    auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, *head, kTuple);
    outcome.response_started = outcome.response_started || head->got_some() || n > 0;
    if (ec) {
      co_return ExchangeError(ec);
    }
    const unsigned status = head->get().result_int();
    if (status / 100 != 1 || status == 101) {
      break;
    }
  }

  Response response = ToResponse(head->get());
  const bool upgraded = response.status == 101;
  if (p.on_event != nullptr && IsEventStream(head->get()) && !head->is_done()) {
    if (p.on_open != nullptr && *p.on_open) {
      (*p.on_open)(response);
    }
    Status events = co_await ReadEvents(stream, buffer, std::move(*head), p, outcome);
    if (!events) {
      co_return events.error();
    }
    co_return response;
  }

  bhttp::response_parser<bhttp::string_body> parser(std::move(*head));
  if (!parser.is_done()) {
    auto [ec, n] = co_await bhttp::async_read(stream, buffer, parser, kTuple);
    if (ec) {
      co_return ExchangeError(ec);
    }
  }
  // Beast's keep_alive() is false for a body delimited by closing (RFC 9112 §6.3 rule 8) and for
  // "Connection: close" (RFC 9112 §9.6). Leftover bytes would be a response nobody asked for.
  outcome.reusable = !upgraded && parser.keep_alive() && buffer.size() == 0;
  response.body = std::move(parser.get().body());
  co_return response;
}

// Runs one coroutine on the connection's io_context, on this thread, until it finishes.
template <class T>
Result<T> RunOn(asio::io_context& ioc, asio::awaitable<Result<T>> op) {
  std::optional<Result<T>> out;
  asio::co_spawn(ioc, std::move(op), [&out](std::exception_ptr e, Result<T> r) {
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        log::Error("http client: unexpected exception: {}", ex.what());
      } catch (...) {
        log::Error("http client: unexpected exception");
      }
      out.emplace(ClientErrc::kProtocolError);
      return;
    }
    out.emplace(std::move(r));
  });
  ioc.restart();
  ioc.run();
  if (!out) {
    return ClientErrc::kProtocolError;
  }
  return std::move(*out);
}

// Restricts the peer certificate to `t`'s host, checked by OpenSSL during chain verification:
// DNS names against dNSName SANs with RFC 6125 §6.4.3 wildcard rules, IP literals against
// iPAddress SANs only. The subject CN is never consulted (RFC 6125 §6.4.4, CA/B Forum BR).
bool ConfigureTls(TlsStream& stream, const Target& t) {
  SSL* ssl = stream.native_handle();
  if (t.host_is_ip) {
    return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), t.host.c_str()) == 1;
  }
  // RFC 6066 §3: SNI carries DNS names only, never IP literals.
  if (SSL_set_tlsext_host_name(ssl, t.host.c_str()) != 1) {
    return false;
  }
  SSL_set_hostflags(ssl,
                    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS | X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
  return SSL_set1_host(ssl, t.host.c_str()) == 1;
}

}  // namespace

const boost::system::error_category& ClientCategory() noexcept {
  static const Category category;
  return category;
}

struct Client::Impl {
  explicit Impl(ClientOptions opts) : options(std::move(opts)) {
    // TLS 1.2 is the floor (RFC 9325 §3.1.1; OAuth 2.1 §1.5 requires TLS for every endpoint).
    tls_context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                            ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                            ssl::context::no_tlsv1_1 | ssl::context::no_compression);
    tls_context.set_verify_mode(ssl::verify_peer);
    if (!options.ca_file.empty()) {
      error_code ec;
      tls_context.load_verify_file(options.ca_file, ec);
      if (ec) {
        // A configuration error: the client could never verify a server, so fail at start-up.
        throw std::invalid_argument("http client: cannot load CA certificates " + options.ca_file +
                                    ": " + ec.message());
      }
    }
  }

  // The system's roots are loaded on the first TLS connection, not at construction: parsing
  // Debian's bundle (~140 certificates) costs 60-130 ms here, and the server builds its clients
  // at start-up although most deployments never open a TLS connection with them
  // (bench/README.md, "Start-up"). Once per client, before the context is first used.
  bool EnsureDefaultRoots() {
    std::call_once(default_roots_once, [this] {
      if (options.ca_file.empty()) {
        error_code ec;
        tls_context.set_default_verify_paths(ec);
        default_roots_ok = !ec;
        if (ec) {
          log::Error("http client: cannot load the system's CA certificates: {}", ec.message());
        }
      }
    });
    return default_roots_ok;
  }

  // Pops a pooled connection to `origin` that still looks idle, dropping any that do not.
  std::unique_ptr<Connection> TakeIdle(const std::string& origin) {
    std::lock_guard lock(mutex);
    auto it = idle.find(origin);
    if (it == idle.end()) {
      return nullptr;
    }
    std::unique_ptr<Connection> found;
    while (!found && !it->second.empty()) {
      std::unique_ptr<Connection> conn = std::move(it->second.back());
      it->second.pop_back();
      if (conn->LooksIdle()) {
        found = std::move(conn);
      }
    }
    if (it->second.empty()) {
      idle.erase(it);  // the map holds origins with idle connections only
    }
    return found;
  }

  void PutIdle(const std::string& origin, std::unique_ptr<Connection> conn) {
    if (options.max_idle_per_origin == 0) {
      return;  // closes `conn`, and leaves no empty entry behind for `origin`
    }
    std::lock_guard lock(mutex);
    auto& list = idle[origin];
    if (list.size() >= options.max_idle_per_origin) {
      return;  // closes `conn`
    }
    list.push_back(std::move(conn));
  }

  asio::awaitable<Status> Connect(Connection& conn, const Target& t, SteadyTime deadline) {
    auto executor = co_await asio::this_coro::executor;
    if (t.tls) {
      if (!EnsureDefaultRoots()) {
        co_return ClientErrc::kTlsFailed;
      }
      conn.tls.emplace(executor, tls_context);
      if (!ConfigureTls(*conn.tls, t)) {
        co_return ClientErrc::kTlsFailed;
      }
    } else {
      conn.plain.emplace(executor);
    }
    beast::tcp_stream& lowest = conn.Lowest();
    const SteadyTime connect_deadline =
        std::min(deadline, std::chrono::steady_clock::now() + options.connect_timeout);
    error_code ec;
    if (t.host_is_ip) {
      const tcp::endpoint endpoint(asio::ip::make_address(t.host, ec), t.port);
      if (ec) {
        co_return ClientErrc::kInvalidUrl;
      }
      if (options.public_addresses_only && !IsPublic(endpoint.address())) {
        log::Debug("http client: {} is not a public address", t.host);
        co_return ClientErrc::kAddressForbidden;
      }
      lowest.expires_at(connect_deadline);
      std::tie(ec) = co_await lowest.async_connect(endpoint, kTuple);
    } else {
      // Resolved synchronously on this (the caller's) thread: getaddrinfo cannot be interrupted,
      // so an asynchronous lookup would give no better timeout, only a helper thread per
      // io_context. The lookup is bounded by the system resolver's own timeouts.
      tcp::resolver resolver(executor);
      const tcp::resolver::results_type endpoints =
          resolver.resolve(t.host, std::to_string(t.port), ec);
      if (ec) {
        log::Debug("http client: resolving {} failed: {}", t.host, ec.message());
        co_return ClientErrc::kResolveFailed;
      }
      // Checked here, on the very list async_connect() walks: no second lookup can follow.
      if (options.public_addresses_only) {
        for (const auto& entry : endpoints) {
          if (!IsPublic(entry.endpoint().address())) {
            log::Debug("http client: {} resolves to {}, which is not a public address", t.host,
                       entry.endpoint().address().to_string());
            co_return ClientErrc::kAddressForbidden;
          }
        }
      }
      lowest.expires_at(connect_deadline);
      std::tie(ec, std::ignore) = co_await lowest.async_connect(endpoints, kTuple);
    }
    if (ec) {
      log::Debug("http client: connect to {} failed: {}", t.origin, ec.message());
      co_return ConnectError(ec);
    }
    ++connections_opened;
    // A request is written in one go; Nagle's algorithm would only delay its last segment.
    lowest.socket().set_option(tcp::no_delay(true), ec);
    if (conn.tls) {
      lowest.expires_at(connect_deadline);
      std::tie(ec) = co_await conn.tls->async_handshake(ssl::stream_base::client, kTuple);
      if (ec) {
        const long verify = SSL_get_verify_result(conn.tls->native_handle());
        log::Debug("http client: TLS handshake with {} failed: {} ({})", t.origin, ec.message(),
                   X509_verify_cert_error_string(verify));
        co_return ec == beast::error::timeout ? ClientErrc::kTimeout : ClientErrc::kTlsFailed;
      }
    }
    co_return Status{};
  }

  Result<Response> Run(const ClientRequest& request, const EventCallback* on_event,
                       const std::function<void(const Response&)>* on_open) {
    Result<Target> target = ParseTarget(request.url);
    if (!target) {
      return target.error();
    }
    Result<BeastRequest> built = BuildRequest(request, *target, options.user_agent);
    if (!built) {
      return built.error();
    }
    ExchangeParams params;
    params.timeout = request.timeout.value_or(options.request_timeout);
    params.deadline = std::chrono::steady_clock::now() + params.timeout;
    params.max_response_bytes = options.max_response_bytes;
    params.head = request.method == "HEAD";
    params.on_event = on_event;
    params.on_open = on_open;

    for (int attempt = 0;; ++attempt) {
      std::unique_ptr<Connection> conn = attempt == 0 ? TakeIdle(target->origin) : nullptr;
      const bool reused = conn != nullptr;
      if (!conn) {
        conn = std::make_unique<Connection>();
        Status connected = RunOn(conn->ioc, Connect(*conn, *target, params.deadline));
        if (!connected) {
          return connected.error();
        }
      }
      Outcome outcome;
      Result<Response> result =
          conn->tls
              ? RunOn(conn->ioc, Exchange(*conn->tls, conn->buffer, *built, params, outcome))
              : RunOn(conn->ioc, Exchange(*conn->plain, conn->buffer, *built, params, outcome));
      if (result) {
        if (outcome.reusable) {
          PutIdle(target->origin, std::move(conn));
        }
        return result;
      }
      // RFC 9112 §9.3.1: a server may close an idle connection just as a request goes out on it.
      // Retry once on a fresh connection if nothing came back, and only if repeating the request
      // is harmless (idempotent, RFC 9110 §9.2.2) or it never left this process.
      const bool retry = reused && attempt == 0 && !outcome.response_started &&
                         result.error() == ClientErrc::kConnectionClosed &&
                         (IsIdempotent(request.method) || !outcome.request_sent);
      if (!retry) {
        log::Debug("http client: {} {} failed: {}", request.method, target->origin,
                   result.error().message());
        return result.error();
      }
    }
  }

  // Beast's exceptions (allocation failures, a parser bug) stop at this boundary.
  Result<Response> RunGuarded(const ClientRequest& request, const EventCallback* on_event,
                              const std::function<void(const Response&)>* on_open = nullptr) {
    try {
      return Run(request, on_event, on_open);
    } catch (const std::exception& e) {
      log::Error("http client: unexpected exception: {}", e.what());
      return ClientErrc::kProtocolError;
    }
  }

  ClientOptions options;
  ssl::context tls_context{ssl::context::tls_client};
  std::once_flag default_roots_once;
  bool default_roots_ok = true;  // written once, under default_roots_once
  std::atomic<uint64_t> connections_opened{0};
  std::mutex mutex;
  std::map<std::string, std::vector<std::unique_ptr<Connection>>, std::less<>> idle;
};

Client::Client(ClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Client::~Client() = default;

Result<Response> Client::Send(const ClientRequest& request) {
  return impl_->RunGuarded(request, nullptr);
}

Result<Response> Client::Stream(const ClientRequest& request,
                                const std::function<bool(const SseEvent&)>& on_event,
                                const std::function<void(const Response&)>& on_open) {
  return impl_->RunGuarded(request, &on_event, &on_open);
}

uint64_t Client::connections_opened() const { return impl_->connections_opened.load(); }

}  // namespace mcpauth::http
