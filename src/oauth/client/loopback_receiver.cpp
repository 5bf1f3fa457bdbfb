#include "mcpauth/oauth/client/loopback_receiver.hpp"

#include "mcpauth/http/html.hpp"
#include "mcpauth/http/router.hpp"
#include "mcpauth/http/security_headers.hpp"
#include "mcpauth/http/server.hpp"
#include "mcpauth/oauth/client/errc.hpp"

namespace mcpauth::oauth::client {

namespace {

http::Response Page(int status, std::string_view title, std::string_view message) {
  std::string body =
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>" +
      http::HtmlEscape(title) +
      "</title><style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:4rem auto;"
      "padding:0 1rem;color:#222}h1{font-size:1.4rem}</style></head><body><h1>" +
      http::HtmlEscape(title) + "</h1><p>" + http::HtmlEscape(message) + "</p></body></html>";
  auto response = http::Response::Html(status, std::move(body));
  http::ApplySecurityHeaders(response, http::PageKind::kHtml);
  return response;
}

}  // namespace

std::string RegisteredRedirectUri(std::string_view path, uint16_t port) {
  return "http://127.0.0.1" + (port != 0 ? ":" + std::to_string(port) : "") + std::string(path);
}

LoopbackReceiver::LoopbackReceiver(CallbackExpectation expected, LoopbackOptions options)
    : expected_(std::move(expected)), options_(std::move(options)) {}

LoopbackReceiver::~LoopbackReceiver() {
  if (server_) {
    server_->Shutdown();
    server_->Wait();
  }
}

Result<std::unique_ptr<LoopbackReceiver>> LoopbackReceiver::Start(CallbackExpectation expected,
                                                                  LoopbackOptions options) {
  std::unique_ptr<LoopbackReceiver> receiver(
      new LoopbackReceiver(std::move(expected), std::move(options)));
  auto router = std::make_shared<http::Router>();
  LoopbackReceiver* self = receiver.get();
  router->Add("GET", receiver->options_.path,
              http::SyncHandler([self](const http::Request& r) { return self->OnCallback(r); }),
              {.body_limit = 0});
  http::ServerOptions server_options;
  server_options.host = "127.0.0.1";  // RFC 8252 §8.3: loopback only
  // RFC 8252 §7.3: any free port, per flow (a fixed one only when asked for).
  server_options.port = receiver->options_.port;
  server_options.threads = 1;
  server_options.max_connections = 32;
  server_options.shutdown_grace = std::chrono::milliseconds(2000);
  receiver->server_ = std::make_unique<http::Server>(server_options, router);
  if (auto started = receiver->server_->Start(); !started) {
    return started.error();
  }
  receiver->port_ = receiver->server_->port();
  receiver->redirect_uri_ =
      "http://127.0.0.1:" + std::to_string(receiver->port_) + receiver->options_.path;
  return receiver;
}

http::Response LoopbackReceiver::OnCallback(const http::Request& request) {
  std::lock_guard lock(mu_);
  if (done_) {
    return Page(200, "Sign-in already finished",
                "You can close this tab and return to " + options_.app_name + ".");
  }
  // Neither a HEAD (a link preview, a prefetch) nor a bare visit without any parameter can be
  // the authorization server's answer: they do not end the flow.
  if (request.method == "HEAD" || request.query.empty()) {
    return Page(400, "Waiting for the sign-in",
                "This page receives the authorization server's answer; finish signing in in the "
                "other tab.");
  }
  std::string detail;
  auto code = ValidateAuthorizationResponse(request.query, expected_, detail);
  const bool ok = code.has_value();
  result_ = std::move(code);
  detail_ = detail;
  done_ = true;
  done_cv_.notify_all();
  if (ok) {
    const std::string where = options_.server_label.empty() ? "" : " to " + options_.server_label;
    return Page(200, "Signed in" + where,
                "You can close this tab and return to " + options_.app_name + ".");
  }
  return Page(400, "Sign-in failed",
              detail + ". You can close this tab; " + options_.app_name + " says what to do next.");
}

Result<Secret> LoopbackReceiver::Wait(std::chrono::milliseconds timeout, std::string& detail) {
  std::unique_lock lock(mu_);
  if (!done_cv_.wait_for(lock, timeout, [&] { return done_; })) {
    detail = "no answer from the browser within " +
             std::to_string(std::chrono::duration_cast<std::chrono::seconds>(timeout).count()) +
             " s";
    return Errc::kLoginTimeout;
  }
  detail = detail_;
  return *result_;
}

}  // namespace mcpauth::oauth::client
