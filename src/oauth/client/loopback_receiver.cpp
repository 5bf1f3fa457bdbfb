#include "mcpauth/oauth/client/loopback_receiver.hpp"

#include <string>
#include <string_view>

#include "mcpauth/http/html.hpp"
#include "mcpauth/http/router.hpp"
#include "mcpauth/http/security_headers.hpp"
#include "mcpauth/http/server.hpp"
#include "mcpauth/oauth/client/errc.hpp"

namespace mcpauth::oauth::client {

namespace {

// The page the browser shows at the end of the sign-in: one card in system fonts, light or dark
// as the person's system is, a tick or a warning sign. Self-contained (inline style and SVG): it
// is served under default-src 'none'.
constexpr std::string_view kPageStyle =
    ":root{color-scheme:light dark;--bg:#f3f4f7;--card:#fff;--text:#171a21;--muted:#555d6b;"
    "--border:#e3e6eb;--ok:#0b6b3a;--ok-bg:#edfbf3;--err:#b42318;--err-bg:#fef3f2}"
    "@media (prefers-color-scheme:dark){:root{--bg:#0e1014;--card:#171a20;--text:#e9ebf0;"
    "--muted:#a8afbc;--border:#2a2f38;--ok:#7ddca4;--ok-bg:#12261b;--err:#ff9b91;"
    "--err-bg:#2b1614}}"
    "*{box-sizing:border-box}"
    "body{margin:0;min-height:100vh;display:flex;align-items:flex-start;justify-content:center;"
    "padding:12vh 16px 24px;background:var(--bg);color:var(--text);overflow-wrap:anywhere;"
    "font:15px/1.55 system-ui,-apple-system,\"Segoe UI\",Roboto,\"Noto Sans\",\"Liberation Sans\","
    "Arial,sans-serif}"
    "main{width:100%;max-width:420px;padding:32px;text-align:center;background:var(--card);"
    "border:1px solid var(--border);border-radius:16px}"
    ".s{display:flex;align-items:center;justify-content:center;width:48px;height:48px;"
    "margin:0 auto 16px;border-radius:50%;background:var(--ok-bg);color:var(--ok)}"
    ".s.e{background:var(--err-bg);color:var(--err)}"
    ".s svg{width:26px;height:26px;fill:none;stroke:currentColor;stroke-width:2.2;"
    "stroke-linecap:round;stroke-linejoin:round}"
    "h1{margin:0 0 8px;font-size:22px;line-height:1.3;font-weight:650}"
    "p{margin:0;color:var(--muted)}";
constexpr std::string_view kTick = "<path d=\"m6 12.5 4 4L18 8.5\"/>";
constexpr std::string_view kAlert = "<path d=\"M12 6.5v7M12 17.5h.01\"/>";

http::Response Page(int status, std::string_view title, std::string_view message) {
  const bool ok = status < 400;
  std::string body =
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<meta name=\"color-scheme\" content=\"light dark\"><title>" +
      http::HtmlEscape(title) + "</title><style>" + std::string(kPageStyle) +
      "</style></head><body><main><div class=\"" + (ok ? "s" : "s e") +
      "\"><svg viewBox=\"0 0 24 24\" aria-hidden=\"true\" focusable=\"false\">" +
      std::string(ok ? kTick : kAlert) + "</svg></div><h1>" + http::HtmlEscape(title) + "</h1><p>" +
      http::HtmlEscape(message) + "</p></main></body></html>";
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
