// JSON-RPC 2.0 messages (https://www.jsonrpc.org/specification) as MCP uses them.
//
// Parsing is I/O-free and bounded (size, nesting depth, batch length), so it is fuzzed directly.
// A body is one message or, where the negotiated revision allows it (2025-03-26 only), a batch.
// MCP narrows JSON-RPC: a request id is a string or an integer, never null (MCP basic/index).
// Thread-safety: plain values and pure functions.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mcpauth/core/result.hpp"

namespace mcpauth::mcp {

// Standard JSON-RPC error codes (JSON-RPC 2.0 §5.1).
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;
// MCP 2026-07-28 (basic/index "Error codes"): -32020..-32099 are the specification's.
inline constexpr int kHeaderMismatch = -32020;
inline constexpr int kUnsupportedProtocolVersion = -32022;
inline constexpr int kMissingRequiredClientCapability = -32021;
// LSP's RequestCancelled, as the MCP SDKs answer a cancelled request.
inline constexpr int kRequestCancelled = -32800;
// MCP 2025: resource not found used -32002; 2026-07-28 uses -32602 (SEP-2164).
inline constexpr int kLegacyResourceNotFound = -32002;

struct RpcError {
  int code = kInternalError;
  std::string message;
  std::optional<boost::json::value> data;
};

struct Message {
  enum class Kind { kRequest, kNotification, kResponse, kErrorResponse };
  Kind kind = Kind::kRequest;
  boost::json::value id;      // string or int64; null for notifications (and unknown ids)
  std::string method;         // requests and notifications
  boost::json::value params;  // object, array or null (absent)
  boost::json::value result;  // responses
  RpcError error;             // error responses

  bool is_request() const { return kind == Kind::kRequest; }
  bool is_notification() const { return kind == Kind::kNotification; }
  bool is_response() const { return kind == Kind::kResponse || kind == Kind::kErrorResponse; }
  // params as an object, or nullptr (absent params are an empty object to MCP).
  const boost::json::object* params_object() const { return params.if_object(); }
};

// One element of a parsed body: a message, or the error to answer for it.
struct ParsedItem {
  std::optional<Message> message;
  std::optional<RpcError> error;  // set when the element is not a valid message
  boost::json::value id;          // the element's id when one could be read (for the error)
};

struct ParsedBody {
  bool batch = false;
  std::vector<ParsedItem> items;  // one item unless `batch`
};

struct ParseLimits {
  size_t max_bytes = 4 * 1024 * 1024;
  unsigned max_depth = 64;
  size_t max_batch = 100;
  bool allow_batch = false;
};

// Parses a POST body. A body that is not JSON at all gives a single item with kParseError; an
// empty batch, or a batch where batches are not allowed, one item with kInvalidRequest.
ParsedBody ParseBody(std::string_view body, const ParseLimits& limits = {});

// Validates one already-parsed JSON value as a message (taking its parts by move).
ParsedItem ParseMessage(boost::json::value v);

// Serialization.
boost::json::object MakeResult(const boost::json::value& id, boost::json::value result);
boost::json::object MakeError(const boost::json::value& id, const RpcError& error);
boost::json::object MakeNotification(std::string_view method, boost::json::value params);
boost::json::object MakeRequest(const boost::json::value& id, std::string_view method,
                                boost::json::value params);

}  // namespace mcpauth::mcp
