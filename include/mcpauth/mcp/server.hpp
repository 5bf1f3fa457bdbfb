// McpServer: the MCP protocol engine, transport-agnostic and dual-era.
//
// It answers one JSON-RPC request at a time given what the transport established about it
// (RequestInfo: era, protocol version, client capabilities, principal, legacy session) and a
// Channel to write to. Modern era (2026-07-28): every result carries resultType and
// _meta.serverInfo; cacheable results carry ttlMs/cacheScope; server/discover;
// subscriptions/listen; multi round-trip input_required. Legacy era (2025-03-26, 2025-06-18,
// 2025-11-25): initialize's version negotiation, ping, logging/setLevel, resources/subscribe, and
// server-to-client requests during a tool call. Tools that are not `runs_inline` run on the
// worker pool; everything else answers on the calling thread.
// Thread-safety: Dispatch may be called from any thread; the registries are read-only.
#pragma once

#include <atomic>
#include <boost/json/object.hpp>
#include <chrono>
#include <condition_variable>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "mcpauth/core/clock.hpp"
#include "mcpauth/core/crypto.hpp"
#include "mcpauth/core/worker_pool.hpp"
#include "mcpauth/mcp/jsonrpc.hpp"
#include "mcpauth/mcp/resources.hpp"
#include "mcpauth/mcp/session.hpp"
#include "mcpauth/mcp/tools.hpp"

namespace mcpauth::mcp {

inline constexpr std::string_view kModernVersion = "2026-07-28";
// The legacy revisions served, newest first (initialize negotiates down to one of these).
inline constexpr std::string_view kLegacyVersions[] = {"2025-11-25", "2025-06-18", "2025-03-26"};

bool IsSupportedLegacyVersion(std::string_view version);

enum class Era { kModern, kLegacy };

struct ServerIdentity {
  std::string name = "mcpauth";
  std::string version = "0.1.0";
  std::string title = "mcpauth";
  std::string instructions;
  boost::json::object ToJson() const;
};

// Where one request's messages go. Implemented by the transport.
class Channel {
 public:
  virtual ~Channel() = default;
  // A message related to this request, before its response: a notification (progress, log), or
  // — legacy era only — a server-to-client request.
  virtual void Send(const boost::json::object& message) = 0;
  // The response; exactly once. `http_status` is what a transport that maps errors to HTTP
  // statuses should answer (400 for a ladder error, 404 for an unknown method, else 200).
  virtual void Finish(const boost::json::object& response, int http_status) = 0;
  // The client went away or cancelled: stop working on this request.
  virtual bool cancelled() const = 0;
  // On a long-lived stream: a comment line that keeps intermediaries from timing the stream out
  // and lets a departed client be noticed. No-op where there is no stream.
  virtual void KeepAlive() {}
};

struct RequestInfo {
  Era era = Era::kModern;
  std::string protocol_version;
  boost::json::object client_capabilities;
  std::string log_level;  // "" = send no notifications/message
  Principal principal;
  std::shared_ptr<Session> session;  // legacy era
};

class McpServer {
 public:
  struct Options {
    ServerIdentity identity;
    size_t page_size = 100;
    std::chrono::milliseconds list_ttl{60'000};  // ttlMs on list results (2026-07-28 caching)
    std::chrono::milliseconds client_request_timeout{60'000};
  };

  McpServer(Options options, std::shared_ptr<const ToolRegistry> tools,
            std::shared_ptr<const ResourceRegistry> resources,
            std::shared_ptr<const PromptRegistry> prompts, core::WorkerPool& pool,
            const Clock& clock, SecureRandom& random);  // `clock` is not used yet
  ~McpServer();

  // Handles a request; completes `channel` exactly once (now, or later from a worker).
  void Dispatch(RequestInfo info, Message request, std::shared_ptr<Channel> channel);

  // A legacy client's response to a server-to-client request (a POSTed JSON-RPC response).
  // Returns false if no such request is pending for this session.
  bool DeliverClientResponse(const Session& session, const Message& response);

  // Legacy initialize: the version to answer (the requested one if supported, else the latest).
  static std::string NegotiateLegacyVersion(std::string_view requested);
  boost::json::object InitializeResult(std::string_view version) const;
  boost::json::object Capabilities(bool modern) const;

  // Fan-out of list_changed to subscriptions/listen streams that asked for it (2026-07-28) and,
  // through the legacy broadcast hook, to the 2025 sessions' GET streams.
  void NotifyListChanged(std::string_view which);
  // Set by the transport: delivers a server-initiated notification to every legacy session.
  void SetLegacyBroadcast(std::function<void(const boost::json::object&)> broadcast);

  size_t listen_streams() const;
  // Sends a keep-alive on every open subscriptions/listen stream; drops the departed ones.
  void KeepAliveListeners();
  const ToolRegistry* tools() const { return tools_.get(); }
  const Options& options() const { return options_; }

 private:
  class Scope;
  struct Listener;
  struct PendingClientRequest;

  void Reply(const RequestInfo& info, const Message& request, Channel& channel,
             boost::json::object result, bool cacheable, bool input_required = false,
             std::string_view cache_scope = "public");
  void Fail(const RequestInfo& info, const Message& request, Channel& channel, RpcError error,
            int http_status = 200);
  void CallTool(RequestInfo info, Message request, std::shared_ptr<Channel> channel);
  void GetPrompt(RequestInfo info, Message request, std::shared_ptr<Channel> channel);
  void ReadResource(RequestInfo info, Message request, std::shared_ptr<Channel> channel);
  void Listen(RequestInfo info, Message request, std::shared_ptr<Channel> channel);
  void ListTools(const RequestInfo& info, const Message& request, Channel& channel);
  void ListResources(const RequestInfo& info, const Message& request, Channel& channel,
                     bool templates);
  void ListPrompts(const RequestInfo& info, const Message& request, Channel& channel);
  // Runs `fn` on the pool (or inline); answers -32603 "busy" if the pool is full.
  void RunOffThread(bool inline_ok, const RequestInfo& info, const Message& request,
                    const std::shared_ptr<Channel>& channel, std::function<void()> fn);

  std::optional<boost::json::value> RequestClient(const RequestInfo& info, Channel& channel,
                                                  std::string_view method,
                                                  boost::json::value params,
                                                  const std::function<bool()>& cancelled);

  const Options options_;
  std::shared_ptr<const ToolRegistry> tools_;
  std::shared_ptr<const ResourceRegistry> resources_;
  std::shared_ptr<const PromptRegistry> prompts_;
  core::WorkerPool& pool_;
  SecureRandom& random_;
  core::HmacSha256 state_key_;  // requestState integrity (random per process start)

  mutable std::mutex mu_;
  std::list<std::shared_ptr<Listener>> listeners_;
  std::map<std::string, std::shared_ptr<PendingClientRequest>, std::less<>> pending_;
  std::function<void(const boost::json::object&)> legacy_broadcast_;
};

}  // namespace mcpauth::mcp
