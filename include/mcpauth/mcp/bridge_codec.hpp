// The pure rules of the stdio bridge (stdio_bridge.hpp), I/O-free so they are unit-tested alone:
// stdio framing, the era of a message from the host, the HTTP headers it is forwarded with, the
// keys of in-flight requests, and the JSON-RPC errors the bridge answers with.
//
// Framing (MCP transports, stdio, 2025-11-25 and 2026-07-28): messages are UTF-8 JSON-RPC,
// delimited by newlines, and MUST NOT contain embedded newlines. A reader accepts CR LF too (the
// CR is dropped) and ignores empty lines; a last message without its newline still counts.
// Writing: boost::json::serialize escapes every control character inside strings, so a serialized
// message is always one line.
//
// Era (2026-07-28 basic/versioning): a message whose params._meta carries
// io.modelcontextprotocol/protocolVersion is modern (per-request metadata, no session); anything
// else is legacy (the 2025 initialize handshake and its session). The bridge forwards what the
// host negotiates: it never chooses a version itself.
//
// Thread-safety: LineSplitter is used by one thread; everything else is pure.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "mcpauth/http/message.hpp"
#include "mcpauth/mcp/request_headers.hpp"

namespace mcpauth::mcp {

class LineSplitter {
 public:
  explicit LineSplitter(size_t max_line_bytes) : max_line_bytes_(max_line_bytes) {}

  // Consumes bytes as they were read; calls on_line for each complete non-empty line (without
  // its LF and a trailing CR), in order, and on_too_long once for each line longer than the
  // limit (its bytes are dropped up to its end).
  void Feed(std::string_view bytes, const std::function<void(std::string&&)>& on_line,
            const std::function<void()>& on_too_long);
  // End of input: the unterminated last line, if it is not empty (and not too long).
  std::optional<std::string> Finish();

 private:
  size_t max_line_bytes_;
  std::string partial_;
  bool discarding_ = false;  // inside a line that was too long
};

// The protocol version a modern message claims in params._meta, or "" (legacy).
std::string ModernVersionOf(const boost::json::object& message);

// A map key for a JSON-RPC id: strings and integers never collide ("s:7" vs "n:7").
std::string IdKey(const boost::json::value& id);

// What a legacy session established (2025 transports): both empty before initialize.
struct LegacySession {
  std::string session_id;        // Mcp-Session-Id issued with the InitializeResult, if any
  std::string protocol_version;  // the version the InitializeResult negotiated
};

// The headers of the POST that forwards `message` (a request, notification or response):
//   both eras: Content-Type application/json; Accept application/json, text/event-stream;
//   modern: MCP-Protocol-Version = the message's _meta version, plus SetStandardHeaders() for
//           requests and notifications (`mirrored`: the tool's x-mcp-header arguments, may be
//           null); no session;
//   legacy: Mcp-Session-Id and MCP-Protocol-Version of `session` when set, except on
//           initialize (which carries neither).
http::Headers ForwardHeaders(const boost::json::object& message, const LegacySession& session,
                             const HeaderParams* mirrored);

// Implementation-defined JSON-RPC error code (2026-07-28 basic/index: -32000..-32019) for a
// request the bridge could not get answered: the server unreachable, an HTTP error without a
// JSON-RPC body, authorization that failed, a stream that ended early.
inline constexpr int kBridgeUpstreamError = -32000;

// {"jsonrpc":"2.0","id":id,"error":{"code":-32000,"message":message,"data":{"httpStatus":N}}}
// (data only when http_status != 0).
boost::json::object UpstreamError(const boost::json::value& id, std::string_view message,
                                  int http_status = 0);

// The server's JSON-RPC response to a forwarded request: an error response whose id is null
// (a server that rejected the HTTP request before reading its id) gets the request's id, so
// the host can match it. Returns false if `response` answers another id.
bool AdoptRequestId(boost::json::object& response, const boost::json::value& request_id);

// Replaces every occurrence of `secret` in `line` (a token the server echoed back) with
// "[redacted]". Tokens are JSON-safe strings, so the line stays valid JSON. Returns the count.
int Redact(std::string& line, std::string_view secret);

}  // namespace mcpauth::mcp
