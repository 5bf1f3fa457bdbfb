// TLS sessions (a separate translation unit: Beast's SSL stream is costly to compile).
#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>

#include "session.hpp"

namespace mcpauth::http::detail {

namespace ssl = asio::ssl;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using TlsSession = Session<TlsStream>;

template <>
asio::awaitable<bool> TlsSession::Handshake() {
  beast::get_lowest_layer(stream_).expires_after(opts().header_timeout);
  auto [ec] = co_await stream_.async_handshake(ssl::stream_base::server, kTuple);
  beast::get_lowest_layer(stream_).expires_never();
  co_return !ec;
}

template <>
asio::awaitable<void> TlsSession::Shutdown() {
  if (closed_) {
    co_return;
  }
  beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(2));
  co_await stream_.async_shutdown(kTuple);  // close_notify; a peer that vanished just times out
}

// A read on a TLS stream cannot be cancelled safely mid-record, so TLS connections notice a
// departed client at the next write instead of at once.
template <>
void TlsSession::StartWatch(ExchangeImpl&) {}

void StartTlsSession(std::shared_ptr<ServerShared> shared, asio::ip::tcp::socket socket,
                     void* ssl_context) {
  auto& ctx = *static_cast<ssl::context*>(ssl_context);
  auto session = std::make_shared<TlsSession>(
      shared, TlsStream(beast::tcp_stream(std::move(socket)), ctx), true);
  auto ex = session->executor();
  asio::co_spawn(ex, TlsSession::Run(session, true), [](std::exception_ptr e) {
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        log::Error("TLS connection failed: {}", ex.what());
      }
    }
  });
}

std::shared_ptr<void> MakeTlsContext(const TlsFiles& files, std::string& error) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  // TLS 1.2 is the floor (RFC 9325 §4.1; OAuth 2.1 §1.5 requires TLS).
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                   ssl::context::single_dh_use);
  beast::error_code ec;
  ctx->use_certificate_chain_file(files.cert_chain_file, ec);
  if (ec) {
    error = "certificate " + files.cert_chain_file + ": " + ec.message();
    return nullptr;
  }
  ctx->use_private_key_file(files.private_key_file, ssl::context::pem, ec);
  if (ec) {
    error = "private key " + files.private_key_file + ": " + ec.message();
    return nullptr;
  }
  return ctx;
}

}  // namespace mcpauth::http::detail
