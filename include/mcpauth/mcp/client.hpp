// McpClient: a dual-era MCP client over Streamable HTTP (our blocking http::Client underneath).
//
// Connect() speaks MCP 2026-07-28 first: it sends `server/discover` carrying the per-request
// `_meta` (protocolVersion, clientCapabilities {}, clientInfo) and the standard headers. If the
// answer shows a legacy-only server, it falls back to the 2025 handshake (`initialize` asking for
// 2025-11-25, the Mcp-Session-Id the server issues, `notifications/initialized`). 2026-07-28
// basic/versioning: a client "attempt[s] a modern request and inspect[s] the body of a 400 before
// falling back"; a recognised modern JSON-RPC error identifies a modern server, anything else a
// legacy one. Precisely, the probe falls back when:
//   - the HTTP status is 400, 404 or 405 and the body is not a JSON-RPC error with one of the
//     2026 codes (-32020 HeaderMismatch, -32021 MissingRequiredClientCapability, -32022
//     UnsupportedProtocolVersion): e.g. the v1 SDK's 400 "No session";
//   - a 200 carries JSON-RPC -32601 (a session-less legacy server that does not know the method);
//   - the error is -32022 whose data.supported lists no 2026-07-28 but a 2025 revision;
//   - the discover result's supportedVersions lists no 2026-07-28 but a 2025 revision.
// A 401/403, a 5xx, a timeout or a garbage 200 are failures, never a reason to fall back (a
// downgrade must not be forced by an outage or by an authorization challenge).
//
// Every request then carries what its era requires:
//   - both: Content-Type: application/json; Accept: application/json, text/event-stream;
//   - 2026-07-28 (transports, standard headers): MCP-Protocol-Version, Mcp-Method, Mcp-Name for
//     tools/call, prompts/get and resources/read, Mcp-Param-{Name} for tool arguments annotated
//     `x-mcp-header` (known from ListTools()), values in the Base64 sentinel when needed;
//     params._meta with protocolVersion, clientCapabilities and clientInfo;
//   - 2025 (transports, session management): Mcp-Session-Id when the server issued one, and
//     MCP-Protocol-Version with the negotiated revision after initialize. A 404 for the session
//     re-runs the handshake once and retries the request.
// Answers may be JSON or an SSE stream. On a stream, notifications/progress and
// notifications/message go to the callbacks, the response is matched by id, and (2025 only)
// requests from the server are answered by POST: `ping` with {}, anything else with -32601
// "not supported" (this client declares no capabilities). A 2025 stream that ends early after an
// event id is resumed with GET and Last-Event-ID (2025-11-25 transports, resumability).
//
// Errors are Result values: transport failures keep their http::ClientErrc; MCP-level failures
// are ClientErrc values below. last_error() adds the detail of the latest failure: the HTTP
// status, the server's JSON-RPC error, the WWW-Authenticate challenge of a 401/403. Tokens and
// bodies are never logged.
//
// Thread-safety: an McpClient is used by one thread at a time (one per thread is fine); the
// http::Client it borrows may be shared between McpClients and threads. Ownership: the caller
// owns the http::Client, which must outlive the McpClient. Callbacks run on the calling thread,
// during the call that triggered them.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mcpauth/core/result.hpp"
#include "mcpauth/http/client.hpp"
#include "mcpauth/http/message.hpp"
#include "mcpauth/mcp/header_values.hpp"
#include "mcpauth/mcp/jsonrpc.hpp"
#include "mcpauth/mcp/request_headers.hpp"
#include "mcpauth/mcp/server.hpp"

namespace mcpauth::mcp {

enum class ClientErrc {
  kOk = 0,
  kNotConnected = 1,     // Connect() has not succeeded, or Close() was called
  kUnauthorized = 2,     // HTTP 401: a (new) access token is needed; see www_authenticate
  kForbidden = 3,        // HTTP 403: refused (insufficient scope, Origin); see www_authenticate
  kHttpStatus = 4,       // an unexpected HTTP status without a JSON-RPC error in its body
  kRpcError = 5,         // the server answered with a JSON-RPC error; see last_error().rpc
  kBadResponse = 6,      // not the JSON-RPC response expected: garbage, a wrong shape or resultType
  kNoCommonVersion = 7,  // the server speaks no protocol revision this client speaks
  kSessionExpired = 8,   // 2025: the session is unknown (404) even after re-initializing
  kStreamEnded = 9,      // an SSE response ended without the JSON-RPC response
  kInputRequired = 10,   // 2026-07-28 input_required the client could not (or may not) answer
};

const boost::system::error_category& ClientCategory() noexcept;
inline boost::system::error_code make_error_code(ClientErrc e) noexcept {
  return {static_cast<int>(e), ClientCategory()};
}

// Which era Connect() may choose.
enum class EraPreference {
  kAuto,    // 2026-07-28, else the 2025 handshake (the probe rules above)
  kModern,  // 2026-07-28 or fail
  kLegacy,  // the 2025 handshake only, no probe
};

struct McpClientOptions {
  EraPreference era = EraPreference::kAuto;
  std::string client_name = "mcpauth";
  std::string client_version = "0.1.0";
  // The revision `initialize` asks for; the server may answer another one of kLegacyVersions.
  std::string legacy_version = std::string(kLegacyVersions[0]);
  // Opt-in to notifications/message at this level and above ("" = none): 2026-07-28 per request
  // (_meta io.modelcontextprotocol/logLevel), 2025 by logging/setLevel after initialize when the
  // server declares the logging capability.
  std::string log_level;
  // Bounds the wait for a response head and each gap between events of a stream.
  std::chrono::milliseconds request_timeout{60'000};
  // Called on the headers of every HTTP request (POST, GET, DELETE) after the MCP headers are
  // set: where OAuth adds `Authorization`. Must not throw.
  std::function<void(http::Headers&)> add_headers;
  // The capabilities this client declares (2026-07-28: `_meta` clientCapabilities of every
  // request; 2025: initialize `capabilities`), e.g. {"elicitation": {}} with on_input_request
  // answering elicitation/create. Default: none.
  boost::json::object capabilities;
  // Answers a server's request for input: in 2026-07-28 the inputRequests of an
  // InputRequiredResult (basic/patterns/mrtr), in 2025 a request arriving on a response stream
  // (elicitation/create, sampling/createMessage, roots/list). Called with the request's method
  // and params; returns its result object, or nullopt to decline. Unset: 2026 requests that need
  // input fail with kInputRequired, 2025 server requests other than ping get -32601.
  std::function<std::optional<boost::json::object>(std::string_view method,
                                                   const boost::json::object& params)>
      on_input_request;
  // 2025: after initialize, also keep the standalone GET stream open (2025-11-25 transports,
  // "Listening for Messages from the Server") on a thread of its own, so that requests the server
  // sends outside any response stream (an elicitation/create not tied to a request, a ping) are
  // answered, through on_input_request; a 405 means the server offers none. Connect() waits (up
  // to 2 s) until the stream is open. Close() ends it with the session (DELETE); without a
  // session, or in the destructor, stopping waits for the server's next event or for
  // request_timeout. on_input_request and add_headers are then also called from that thread.
  bool listen_for_server_requests = false;
  // notifications/message received on a response stream: level, logger (may be empty), data.
  std::function<void(std::string_view level, std::string_view logger,
                     const boost::json::value& data)>
      on_log;
};

// The detail of the latest failure (valid until the next call on the same McpClient).
struct ClientError {
  ErrorCode code;
  int http_status = 0;  // 0 when no HTTP response was read
  std::optional<RpcError> rpc;
  std::string www_authenticate;  // of a 401/403
  // One line for humans: "HTTP 400: JSON-RPC -32602 Invalid params" (no bodies, no tokens).
  std::string Describe() const;
};

struct Progress {
  double progress = 0;
  std::optional<double> total;
  std::string message;
};
using ProgressFn = std::function<void(const Progress&)>;

struct ToolInfo {
  std::string name;
  std::string title;
  std::string description;
  boost::json::object raw;  // the Tool object as listed
};

struct ToolCallResult {
  boost::json::object raw;  // the CallToolResult (content, isError, structuredContent, ...)
  bool is_error = false;
  // The text content items joined by newlines; other items as "[<type>]" placeholders.
  std::string Text() const;
};

class McpClient {
 public:
  McpClient(http::Client& http, std::string url, McpClientOptions options = {});
  ~McpClient();
  McpClient(const McpClient&) = delete;
  McpClient& operator=(const McpClient&) = delete;

  // Chooses the era and opens the conversation (above). Calling it again starts afresh (a 2025
  // session is not DELETEd: call Close() first for that).
  Status Connect();

  // tools/list, following nextCursor until the last page.
  Result<std::vector<ToolInfo>> ListTools();

  // tools/call. With `on_progress`, the request carries a progressToken and the server's
  // notifications/progress for it are delivered there. isError is a result, not a failure.
  // 2026-07-28: a call refused with -32020 (a missing Mcp-Param-* header) before any ListTools()
  // lists the tools, to learn their x-mcp-header arguments, and retries once.
  Result<ToolCallResult> CallTool(std::string_view name, boost::json::object arguments,
                                  const ProgressFn& on_progress = nullptr);

  // Any request of the connected era; returns its `result` object. `params` may carry its own
  // `_meta` keys; the era's keys are added. With `on_progress`, as CallTool.
  // 2026-07-28: a 400 UnsupportedProtocolVersion (-32022) that lists 2026-07-28 among the
  // supported versions is retried once (basic/versioning: the client retries with a version the
  // server supports). An InputRequiredResult is answered through on_input_request and the
  // request retried with a new id, `inputResponses` and the exact `requestState` (basic/patterns/
  // mrtr), at most 8 rounds; the input is used for this request's retry only.
  Result<boost::json::object> Request(std::string_view method, boost::json::object params,
                                      const ProgressFn& on_progress = nullptr);

  // 2025 with a session: DELETE (a 405 or 404 answer is accepted: nothing left to end). Then
  // not connected, in either era.
  Status Close();

  bool connected() const { return era_.has_value(); }
  std::optional<Era> era() const { return era_; }
  // "2026-07-28", or the negotiated 2025 revision; "" before Connect().
  const std::string& protocol_version() const { return protocol_version_; }
  const std::string& session_id() const { return session_id_; }  // 2025; "" if none
  const boost::json::object& server_info() const { return server_info_; }
  const boost::json::object& server_capabilities() const { return server_capabilities_; }
  const ClientError& last_error() const { return last_error_; }

 private:
  struct Reply;
  struct Listener;

  Status ConnectModern(bool& fall_back);
  Status ConnectLegacy();
  Result<boost::json::object> RequestOnce(std::string_view method, boost::json::object params,
                                          const ProgressFn* on_progress, Reply& reply);
  Result<Reply> Post(const boost::json::object& message, const ProgressFn* on_progress,
                     const boost::json::value& progress_token);
  bool Resume(Reply& reply, const boost::json::value& id, const ProgressFn* on_progress,
              const boost::json::value& progress_token);
  bool OnStreamMessage(const std::string& data, const boost::json::value& id,
                       const ProgressFn* on_progress, const boost::json::value& progress_token,
                       Reply& reply);
  Status PostNotification(std::string_view method, boost::json::object params);
  void AnswerServerRequest(const Message& request);
  void StartListener();
  void Listen();
  void StopListener(bool join = true);
  http::Headers BaseHeaders(std::string_view accept) const;
  void AddModernHeaders(http::Headers& headers, std::string_view method,
                        const boost::json::object& params) const;
  Result<boost::json::object> Interpret(Reply& reply);
  std::optional<boost::json::object> InputRetryParams(const boost::json::object& original);
  ErrorCode Fail(ErrorCode code, int http_status = 0, std::optional<RpcError> rpc = {});
  // Learns the tool's x-mcp-header arguments; the reason if its definition must be rejected.
  std::optional<std::string> RememberHeaderParams(const ToolInfo& tool);
  boost::json::value NextId() { return boost::json::value(next_id_++); }

  http::Client& http_;
  const std::string url_;
  const McpClientOptions options_;
  std::optional<Era> era_;
  std::string protocol_version_;
  std::string session_id_;
  boost::json::object server_info_;
  boost::json::object server_capabilities_;
  ClientError last_error_;
  int64_t next_id_ = 1;
  // tools/call arguments mirrored into Mcp-Param-{Name} headers (2026-07-28 x-mcp-header),
  // per tool: the path of property names to the argument, and the header's {Name}.
  std::map<std::string, HeaderParams, std::less<>> header_params_;
  bool tools_listed_ = false;
  boost::json::object pending_input_;   // the latest InputRequiredResult
  std::unique_ptr<Listener> listener_;  // 2025 standalone GET stream, when listening
};

}  // namespace mcpauth::mcp

template <>
struct boost::system::is_error_code_enum<mcpauth::mcp::ClientErrc> : std::true_type {};
