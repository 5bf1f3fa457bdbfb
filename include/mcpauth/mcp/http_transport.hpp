// StreamableHttpTransport: MCP's Streamable HTTP transport at one endpoint (e.g. /mcp), serving
// both eras side by side (MCP 2026-07-28 basic/versioning: a dual-era server).
//
// Each POST is classified (2026-07-28 if its params._meta carries
// io.modelcontextprotocol/protocolVersion or its MCP-Protocol-Version header names a version
// newer than the 2025 revisions; otherwise legacy) and validated in the order the specification
// and the conformance suite expect: envelope (-32602), MCP-Protocol-Version (-32020, -32022),
// Mcp-Method / Mcp-Name / Mcp-Param-* (-32020), unknown method (404, -32601). Legacy requests
// follow the 2025 session rules: initialize issues an Mcp-Session-Id; other requests need it
// (400 missing, 404 unknown); GET opens the session's event stream (Last-Event-ID replay);
// DELETE ends it. Origin and Host are checked on every request (403). The authorization hook,
// if set, runs after validation and before dispatch, for every POST, GET and DELETE.
// Thread-safety: Handle() is called concurrently by the HTTP server's threads. Lifetime: the
// server and session table must outlive the transport; stop the HTTP server and drain the worker
// pool before destroying it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "mcpauth/http/exchange.hpp"
#include "mcpauth/http/router.hpp"
#include "mcpauth/mcp/header_values.hpp"
#include "mcpauth/mcp/server.hpp"
#include "mcpauth/mcp/session.hpp"

namespace mcpauth::mcp {

// What the authorization hook sees of a request.
struct AuthQuery {
  const http::Request& request;
  std::string_view mcp_method;  // "tools/call", ...; "" for GET and DELETE
  std::string_view name;        // the tool, prompt or resource named, if any
};

struct AuthDecision {
  bool allowed = true;
  Principal principal;
  http::Response denial;  // sent as-is when !allowed (401/403 with WWW-Authenticate)
};

using Authorizer = std::function<AuthDecision(const AuthQuery&)>;

struct TransportOptions {
  std::string path = "/mcp";
  // Origins (scheme://host[:port]) allowed besides loopback ones. A request whose Origin is
  // present and not allowed gets 403 (DNS rebinding protection).
  std::vector<std::string> allowed_origins;
  // Host names allowed in the Host header besides localhost, 127.0.0.1 and [::1] (e.g. the host
  // of --public-url). Empty and `any_host` false: loopback only.
  std::vector<std::string> allowed_hosts;
  bool any_host = false;
  size_t body_limit = 4 * 1024 * 1024;
  // SSE comment sent on idle long-lived streams (listen, GET); 0 disables.
  std::chrono::milliseconds keepalive_interval{15'000};
};

class StreamableHttpTransport {
 public:
  StreamableHttpTransport(McpServer& server, SessionTable& sessions, TransportOptions options,
                          Authorizer authorizer = nullptr);
  ~StreamableHttpTransport();
  StreamableHttpTransport(const StreamableHttpTransport&) = delete;
  StreamableHttpTransport& operator=(const StreamableHttpTransport&) = delete;

  // Adds POST, GET and DELETE routes for options.path.
  void Register(http::Router& router);

  void Handle(std::shared_ptr<http::Exchange> exchange);

 private:
  void HandlePost(const std::shared_ptr<http::Exchange>& exchange);
  void HandleGet(const std::shared_ptr<http::Exchange>& exchange);
  void HandleDelete(const std::shared_ptr<http::Exchange>& exchange);
  void HandleModern(const std::shared_ptr<http::Exchange>& exchange, Message message);
  void HandleLegacy(const std::shared_ptr<http::Exchange>& exchange, ParsedBody body);
  bool OriginAndHostAllowed(const http::Request& request) const;
  std::optional<AuthDecision> Authorize(const std::shared_ptr<http::Exchange>& exchange,
                                        std::string_view method, std::string_view name);

  void TrackInFlight(std::string_view session_id, const boost::json::value& request_id,
                     const std::shared_ptr<Channel>& channel);
  void CancelInFlight(std::string_view session_id, const boost::json::value& request_id);

  McpServer& server_;
  SessionTable& sessions_;
  TransportOptions options_;
  Authorizer authorizer_;
  // Legacy requests in flight, by session and JSON-RPC id, for notifications/cancelled.
  std::mutex inflight_mu_;
  std::map<std::string, std::weak_ptr<Channel>> inflight_;
  // Keep-alive thread for long-lived streams.
  std::mutex keepalive_mu_;
  std::condition_variable keepalive_cv_;
  bool stopping_ = false;
  std::thread keepalive_;
};

}  // namespace mcpauth::mcp
