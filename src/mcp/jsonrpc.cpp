#include "mcpauth/mcp/jsonrpc.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/serialize.hpp>
#include <cmath>

namespace mcpauth::mcp {
namespace json = boost::json;

namespace {

RpcError Err(int code, std::string message) { return RpcError{code, std::move(message), {}}; }

// MCP basic/index: "Requests MUST include a string or integer ID" (null is not allowed).
bool ValidId(const json::value& id) {
  if (id.is_string()) {
    return id.get_string().size() <= 1024;  // bounded: an id is echoed in every reply
  }
  return id.is_int64() || id.is_uint64();
}

// RFC 8259 §6 has no Infinity, but Boost.JSON 1.81 reads a number beyond the range of a double
// ("1e400") as an infinite double and serializes it back as `Infinity`, which is not JSON: a
// reply echoing such params (a tool result, an error's data) would be unreadable. Such a body is
// refused as unparseable instead (RFC 8259 §9 lets a parser limit the range of numbers). Found by
// fuzz/jsonrpc_fuzz.cpp. The recursion is bounded by the parse's max_depth.
bool HasNonFiniteNumber(const json::value& v) {
  switch (v.kind()) {
    case json::kind::double_:
      return !std::isfinite(v.get_double());
    case json::kind::array:
      for (const json::value& e : v.get_array()) {
        if (HasNonFiniteNumber(e)) {
          return true;
        }
      }
      return false;
    case json::kind::object:
      for (const auto& member : v.get_object()) {
        if (HasNonFiniteNumber(member.value())) {
          return true;
        }
      }
      return false;
    default:
      return false;
  }
}

}  // namespace

ParsedItem ParseMessage(json::value v) {
  ParsedItem item;
  json::object* obj = v.if_object();
  if (obj == nullptr) {
    item.error = Err(kInvalidRequest, "a JSON-RPC message must be an object");
    return item;
  }
  if (const auto* id = obj->if_contains("id"); id != nullptr && ValidId(*id)) {
    item.id = *id;
  }
  const auto* version = obj->if_contains("jsonrpc");
  if (version == nullptr || !version->is_string() || version->get_string() != "2.0") {
    item.error = Err(kInvalidRequest, "\"jsonrpc\" must be \"2.0\"");
    return item;
  }
  Message m;
  auto* id = obj->if_contains("id");
  if (const auto* method = obj->if_contains("method")) {
    if (!method->is_string() || method->get_string().empty()) {
      item.error = Err(kInvalidRequest, "\"method\" must be a non-empty string");
      return item;
    }
    m.method = std::string(method->get_string());
    if (auto* params = obj->if_contains("params")) {
      // JSON-RPC 2.0 §4.2: params is structured (object or array) when present.
      if (!params->is_object() && !params->is_array()) {
        item.error = Err(kInvalidRequest, "\"params\" must be an object or an array");
        return item;
      }
      m.params = std::move(*params);  // moved, not copied: it keeps the parse's storage
    }
    if (id == nullptr) {
      m.kind = Message::Kind::kNotification;
    } else if (!ValidId(*id)) {
      item.error = Err(kInvalidRequest, "\"id\" must be a string or an integer");
      return item;
    } else {
      m.kind = Message::Kind::kRequest;
      m.id = *id;
    }
    item.message = std::move(m);
    return item;
  }
  // A response (from the client, answering a server-to-client request).
  if (id == nullptr || !(ValidId(*id) || id->is_null())) {
    item.error = Err(kInvalidRequest, "a message needs \"method\", or \"id\" with a result");
    return item;
  }
  m.id = *id;
  auto* result = obj->if_contains("result");
  const auto* error = obj->if_contains("error");
  if ((result == nullptr) == (error == nullptr)) {
    item.error = Err(kInvalidRequest, "a response has exactly one of \"result\" and \"error\"");
    return item;
  }
  if (result != nullptr) {
    m.kind = Message::Kind::kResponse;
    m.result = std::move(*result);
  } else {
    const auto* eo = error->if_object();
    const auto* code = eo ? eo->if_contains("code") : nullptr;
    if (code == nullptr || !code->is_int64()) {
      item.error = Err(kInvalidRequest, "\"error\" must have an integer \"code\"");
      return item;
    }
    m.kind = Message::Kind::kErrorResponse;
    m.error.code = static_cast<int>(code->get_int64());
    if (const auto* msg = eo->if_contains("message"); msg && msg->is_string()) {
      m.error.message = std::string(msg->get_string());
    }
    if (const auto* data = eo->if_contains("data")) {
      m.error.data = *data;
    }
  }
  item.message = std::move(m);
  return item;
}

ParsedBody ParseBody(std::string_view body, const ParseLimits& limits) {
  ParsedBody out;
  if (body.size() > limits.max_bytes) {
    out.items.push_back({{}, Err(kInvalidRequest, "message too large"), {}});
    return out;
  }
  json::parse_options opts;
  opts.max_depth = limits.max_depth;  // deep nesting is refused, not recursed into
  // Invalid UTF-8 in strings is a parse error by default in Boost.JSON (allow_invalid_utf8=false).
  // One monotonic arena per body, shared by the values parsed from it: a request's dozens of
  // small allocations become one or two, and the arena lives as long as any message from it.
  json::error_code ec;
  json::value v =
      json::parse(body, ec, json::make_shared_resource<json::monotonic_resource>(), opts);
  if (ec) {
    out.items.push_back({{}, Err(kParseError, "parse error: " + ec.message()), {}});
    return out;
  }
  if (HasNonFiniteNumber(v)) {
    out.items.push_back({{}, Err(kParseError, "parse error: a number is out of range"), {}});
    return out;
  }
  if (json::array* arr = v.if_array()) {
    if (!limits.allow_batch) {
      out.items.push_back(
          {{}, Err(kInvalidRequest, "batches are not supported by this protocol revision"), {}});
      return out;
    }
    if (arr->empty() || arr->size() > limits.max_batch) {
      out.items.push_back({{}, Err(kInvalidRequest, "a batch must hold 1 to 100 messages"), {}});
      return out;
    }
    out.batch = true;
    for (auto& e : *arr) {
      out.items.push_back(ParseMessage(std::move(e)));
    }
    return out;
  }
  out.items.push_back(ParseMessage(std::move(v)));
  return out;
}

json::object MakeResult(const json::value& id, json::value result) {
  json::object o;
  o["jsonrpc"] = "2.0";
  o["id"] = id;
  o["result"] = std::move(result);
  return o;
}

json::object MakeError(const json::value& id, const RpcError& error) {
  json::object e;
  e["code"] = error.code;
  e["message"] = error.message;
  if (error.data) {
    e["data"] = *error.data;
  }
  json::object o;
  o["jsonrpc"] = "2.0";
  o["id"] = id;  // null when the request's id could not be read (JSON-RPC 2.0 §5)
  o["error"] = std::move(e);
  return o;
}

json::object MakeNotification(std::string_view method, json::value params) {
  json::object o;
  o["jsonrpc"] = "2.0";
  o["method"] = method;
  if (!params.is_null()) {
    o["params"] = std::move(params);
  }
  return o;
}

json::object MakeRequest(const json::value& id, std::string_view method, json::value params) {
  json::object o = MakeNotification(method, std::move(params));
  o["id"] = id;
  return o;
}

}  // namespace mcpauth::mcp
