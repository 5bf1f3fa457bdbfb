// Tools: descriptors, the context a tool runs in, and the registry the server lists and calls.
//
// A tool is a descriptor (name, description, JSON Schema of its input, required scopes) and a
// function. The registry lists tools in a deterministic order — the order they were added, as MCP
// 2026-07-28 asks of tools/list (SHOULD be deterministic) — with opaque cursor pagination.
// Thread-safety: build the registry before serving; then it is read-only and shared. A ToolFn runs
// on a worker thread and may block; it reports progress and log messages through its ToolContext.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mcpauth/mcp/jsonrpc.hpp"

namespace mcpauth::mcp {

struct ToolDescriptor {
  std::string name;
  std::string title;
  std::string description;
  boost::json::object input_schema{{"type", "object"}};
  std::optional<boost::json::object> output_schema;
  boost::json::object annotations;  // readOnlyHint, destructiveHint, ...
  // OAuth scopes a caller needs (enforced by the authorization hook, not by mcp).
  std::vector<std::string> required_scopes;
  // Listed in tools/list (false: callable but unlisted, e.g. test-only triggers).
  bool listed = true;
  // Runs on the network thread: only for tools that take microseconds and never block. Every
  // other tool runs on the worker pool.
  bool runs_inline = false;

  boost::json::object ToJson() const;
};

// Who is calling, as the authorization layer established it (empty when auth is off).
struct Principal {
  std::string subject;
  std::string client_id;
  std::vector<std::string> scopes;
  std::string username;  // for display (e.g. the token's preferred_username); may be empty
  bool authenticated() const { return !subject.empty(); }
};

// What a running tool can do besides return its result.
class ToolContext {
 public:
  virtual ~ToolContext() = default;
  // notifications/progress, if the request carried a progressToken (MCP utilities/progress).
  // `progress` must increase from one call to the next.
  virtual void Progress(double progress, std::optional<double> total, std::string_view message) = 0;
  // notifications/message at `level` (RFC 5424 names), sent only if the client asked for that
  // level: 2026-07-28 per request (_meta logLevel), 2025 per session (logging/setLevel).
  virtual void Log(std::string_view level, boost::json::value data) = 0;
  // The client cancelled (notifications/cancelled) or went away.
  virtual bool cancelled() const = 0;
  virtual const Principal& principal() const = 0;
  // The protocol revision of this request, e.g. "2026-07-28"; and whether it is the modern era.
  virtual std::string_view protocol_version() const = 0;
  virtual bool modern() const = 0;
  // The client's capabilities (2026-07-28: this request's _meta; 2025: from initialize).
  virtual const boost::json::object& client_capabilities() const = 0;

  // 2026-07-28 multi round-trip (basic/patterns/mrtr): the retry's params.inputResponses and
  // params.requestState, if present.
  virtual const boost::json::value* input_responses() const = 0;
  virtual const std::string* request_state() const = 0;
  // An integrity-protected requestState: SignState binds `payload` to this server's key, the
  // tool's name and the principal; VerifyState returns the payload, or nullopt if tampered.
  virtual std::string SignState(std::string_view payload) const = 0;
  virtual std::optional<std::string> VerifyState(std::string_view state) const = 0;

  // 2025 revisions only: a server-to-client request (sampling/createMessage, elicitation/create,
  // roots/list) sent on this call's stream; blocks until the client answers on a POST, the call
  // is cancelled, or `timeout` passes. The result, or an RpcError-shaped error object.
  virtual std::optional<boost::json::value> RequestClient(std::string_view method,
                                                          boost::json::value params,
                                                          std::chrono::milliseconds timeout) = 0;

  // Tells every subscriptions/listen stream (2026) and legacy GET stream that asked for it that
  // the list changed: `which` is "tools", "prompts" or "resources".
  virtual void NotifyListChanged(std::string_view which) = 0;
};

// The outcome of a tool call: a CallToolResult (content, isError, structuredContent); or, in the
// 2026-07-28 era, a request for client input (resultType "input_required" with inputRequests
// and/or requestState in `result`); or a JSON-RPC error (with the HTTP status to answer it with,
// e.g. 400 for -32021 MissingRequiredClientCapability).
struct ToolOutcome {
  boost::json::object result;
  bool input_required = false;
  std::optional<RpcError> error;
  int http_status = 200;

  static ToolOutcome Text(std::string text, bool is_error = false);
  static ToolOutcome Error(std::string text) { return Text(std::move(text), true); }
  static ToolOutcome RpcFailure(RpcError error, int http_status = 200);
};

using ToolFn = std::function<ToolOutcome(ToolContext&, const boost::json::object& arguments)>;

class ToolRegistry {
 public:
  struct Tool {
    ToolDescriptor descriptor;
    ToolFn fn;
  };
  struct Page {
    std::vector<const Tool*> tools;
    std::string next_cursor;  // empty at the end
  };

  // Adds a tool at the end of the listing; a second tool with the same name replaces the first
  // in place.
  void Add(ToolDescriptor descriptor, ToolFn fn);
  const Tool* Find(std::string_view name) const;
  // Listed tools after `cursor` (an opaque value from a previous page; "" for the first page).
  // Returns nullopt for a cursor this registry never issued (→ -32602).
  std::optional<Page> List(std::string_view cursor, size_t page_size) const;
  size_t size() const { return tools_.size(); }
  // Every tool, listed or not, in insertion order.
  const std::vector<Tool>& tools() const { return tools_; }

 private:
  std::vector<Tool> tools_;
  std::map<std::string, size_t, std::less<>> index_;
};

}  // namespace mcpauth::mcp
