// LoopbackReceiver: the redirect URI of a native app (RFC 8252 §7.3) — an http::Server on
// 127.0.0.1, on a port the OS picks, for ONE authorization flow.
//
// - Bound to 127.0.0.1 only (RFC 8252 §8.3: the loopback IP literal, not "localhost", which
//   may resolve elsewhere or to ::1 only); port 0, so parallel flows and instances never collide
//   (PEERS pain point 13), and every flow has its own PKCE verifier and state in memory (no
//   shared file).
// - GET {path} runs ValidateAuthorizationResponse() on the first request; that first answer
//   ends the flow, success or not (an `error`, a wrong state or iss ends it with a clear reason,
//   never a retry loop). The browser gets a small page: "You can close this tab and return to
//   <app>" or what went wrong. Later requests get an "already finished" page; other paths 404;
//   a HEAD or a GET without any query parameter is answered but does not count.
// - Wait() blocks until that first callback or the timeout (kLoginTimeout).
// The registered redirect URI has no port ("http://127.0.0.1/callback"): RFC 8252 §7.3 has the
// authorization server accept any port for loopback, so one registration serves every flow.
// For an authorization server that breaks that rule and compares the port too (the TypeScript
// SDK's demo AS), LoopbackOptions::port fixes the port, and the registration names it.
//
// Thread-safety: Wait() from one thread; the server thread fills the result. Ownership: owns its
// server, which stops when the receiver is destroyed.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "mcpauth/core/result.hpp"
#include "mcpauth/core/secret.hpp"
#include "mcpauth/http/message.hpp"
#include "mcpauth/oauth/client/authorization.hpp"

namespace mcpauth::http {
class Server;
}

namespace mcpauth::oauth::client {

inline constexpr std::string_view kCallbackPath = "/callback";

struct LoopbackOptions {
  std::string path{kCallbackPath};
  std::string app_name = "mcpauth";  // "return to <app_name>"
  std::string server_label;          // "Signed in to <server_label>"
  uint16_t port = 0;                 // 0: a free port the OS picks (the default, per flow)
};

// "http://127.0.0.1/callback": what is registered (no port; with `port`, that port).
std::string RegisteredRedirectUri(std::string_view path = kCallbackPath, uint16_t port = 0);

class LoopbackReceiver {
 public:
  static Result<std::unique_ptr<LoopbackReceiver>> Start(CallbackExpectation expected,
                                                         LoopbackOptions options = {});
  ~LoopbackReceiver();
  LoopbackReceiver(const LoopbackReceiver&) = delete;
  LoopbackReceiver& operator=(const LoopbackReceiver&) = delete;

  // "http://127.0.0.1:<port>/callback": what the authorization and token requests carry.
  const std::string& redirect_uri() const { return redirect_uri_; }
  uint16_t port() const { return port_; }

  // The authorization code, or why not (`detail` is a sentence for the user).
  Result<Secret> Wait(std::chrono::milliseconds timeout, std::string& detail);

 private:
  LoopbackReceiver(CallbackExpectation expected, LoopbackOptions options);
  http::Response OnCallback(const http::Request& request);

  const CallbackExpectation expected_;
  const LoopbackOptions options_;
  std::string redirect_uri_;
  uint16_t port_ = 0;
  std::mutex mu_;
  std::condition_variable done_cv_;
  bool done_ = false;
  std::optional<Result<Secret>> result_;
  std::string detail_;
  std::unique_ptr<http::Server> server_;  // last: stops first
};

}  // namespace mcpauth::oauth::client
