// Client: a blocking HTTP/1.1 client over HTTP and HTTPS (Boost.Beast underneath).
//
// TLS verifies the certificate chain (system roots, or `ca_file`) and the hostname. Redirects are
// never followed: a 3xx is returned to the caller, who decides (OAuth discovery must not be
// redirected silently). Every request has a timeout and a response-size cap. Connections are kept
// alive and reused per origin (scheme, host, port). Stream() reads a long-lived response (SSE)
// event by event. Thread-safety: one Client may be used from several threads; requests to the
// same origin then use separate connections. Ownership: the client owns its connections.
//
// With public_addresses_only, it connects only to public addresses (address_policy.hpp): the
// SSRF guard for URLs that others choose.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "mcpauth/core/result.hpp"
#include "mcpauth/http/message.hpp"
#include "mcpauth/http/sse.hpp"

namespace mcpauth::http {

enum class ClientErrc {
  kOk = 0,
  kInvalidUrl = 1,        // not an absolute http(s) URL
  kResolveFailed = 2,     // DNS lookup failed
  kConnectFailed = 3,     // TCP connect refused or unreachable
  kTimeout = 4,           // connect, TLS, write or read took longer than allowed
  kTlsFailed = 5,         // handshake failed: bad certificate, wrong hostname, protocol
  kResponseTooLarge = 6,  // the response exceeded max_response_bytes
  kProtocolError = 7,     // the peer sent something that is not HTTP/1.1
  kConnectionClosed = 8,  // the peer closed the connection before a whole response
  kCancelled = 9,         // the stream callback asked to stop
  kInvalidRequest = 10,   // bad method, header name, or CR/LF/NUL in a header value
  // public_addresses_only is set and the host is, or resolves to, an address that
  // IsPublicAddress() refuses; no connection was attempted.
  kAddressForbidden = 11,
};

const boost::system::error_category& ClientCategory() noexcept;
inline boost::system::error_code make_error_code(ClientErrc e) noexcept {
  return {static_cast<int>(e), ClientCategory()};
}

struct ClientOptions {
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds request_timeout{30'000};  // whole exchange, unless overridden
  size_t max_response_bytes = 4 * 1024 * 1024;
  std::string ca_file;  // PEM bundle; empty: the system's default roots
  std::string user_agent = "mcpauth";
  size_t max_idle_per_origin = 4;  // 0: no keep-alive, every request opens a connection
  // SSRF protection for URLs chosen by others (address_policy.hpp): an IP-literal host, and
  // every address a host name resolves to, must be public, else kAddressForbidden. The check is
  // made on the very addresses handed to connect(), so a second DNS answer cannot slip a private
  // address in between check and use. A name with one private address among public ones is
  // refused whole.
  bool public_addresses_only = false;
};

struct ClientRequest {
  std::string method = "GET";
  std::string url;  // absolute http:// or https:// URL
  Headers headers;
  std::string body;
  std::optional<std::chrono::milliseconds> timeout;  // overrides request_timeout
};

class Client {
 public:
  // Throws std::invalid_argument if `ca_file` cannot be loaded (a start-up configuration error).
  // Without `ca_file`, the system's roots are loaded on the first TLS connection (a failure
  // then fails that request with kTlsFailed and is logged).
  explicit Client(ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends the request and reads the whole response.
  Result<Response> Send(const ClientRequest& request);

  // Sends the request; if the answer is `text/event-stream`, calls `on_event` for each event as
  // it arrives until the server ends the stream or `on_event` returns false (then kCancelled).
  // Returns the response head (status, headers); its body holds the body of a non-SSE answer.
  // The request timeout bounds the wait for the head and each gap between events.
  // `on_open`, if set, is called once with the head of an event-stream answer before its first
  // event is read (a listener learns that the stream is established even before any event).
  Result<Response> Stream(const ClientRequest& request,
                          const std::function<bool(const SseEvent&)>& on_event,
                          const std::function<void(const Response&)>& on_open = nullptr);

  // Connections opened so far (a reused connection does not count): lets tests see keep-alive.
  uint64_t connections_opened() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mcpauth::http

template <>
struct boost::system::is_error_code_enum<mcpauth::http::ClientErrc> : std::true_type {};
