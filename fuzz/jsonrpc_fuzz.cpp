// Fuzz target: JSON-RPC 2.0 framing of MCP POST bodies (src/mcp/jsonrpc.cpp).
//
// Invariants beyond "no crash":
//   - a body gives at least one item; one unless it is an allowed batch of 1..max_batch; each
//     item is exactly a message or an error;
//   - a message obeys MCP's narrowing: a request has a non-empty method and a string (at most
//     1024 bytes) or integer id; a notification has no id; params are an object, an array or
//     absent; a response has an id (or null);
//   - every message, rebuilt with MakeRequest/MakeNotification/MakeResult/MakeError and
//     serialised, parses back to the same message;
//   - batches off, a body is never read as a batch; the limits are honoured.
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "mcpauth/mcp/jsonrpc.hpp"

namespace {

namespace json = boost::json;
using mcpauth::mcp::Message;
using mcpauth::mcp::ParsedBody;
using mcpauth::mcp::ParseLimits;

bool ValidId(const json::value& id) {
  return (id.is_string() && id.get_string().size() <= 1024) || id.is_int64() || id.is_uint64();
}

json::object Rebuild(const Message& m) {
  switch (m.kind) {
    case Message::Kind::kRequest:
      return mcpauth::mcp::MakeRequest(m.id, m.method, m.params);
    case Message::Kind::kNotification:
      return mcpauth::mcp::MakeNotification(m.method, m.params);
    case Message::Kind::kResponse:
      return mcpauth::mcp::MakeResult(m.id, m.result);
    case Message::Kind::kErrorResponse:
      return mcpauth::mcp::MakeError(m.id, m.error);
  }
  return {};
}

void CheckMessage(const Message& m) {
  switch (m.kind) {
    case Message::Kind::kRequest:
      FUZZ_CHECK(!m.method.empty() && ValidId(m.id));
      break;
    case Message::Kind::kNotification:
      FUZZ_CHECK(!m.method.empty() && m.id.is_null());
      break;
    case Message::Kind::kResponse:
    case Message::Kind::kErrorResponse:
      FUZZ_CHECK(m.method.empty() && (ValidId(m.id) || m.id.is_null()));
      break;
  }
  FUZZ_CHECK(m.params.is_null() || m.params.is_object() || m.params.is_array());
  FUZZ_CHECK(m.is_request() + m.is_notification() + m.is_response() == 1);

  // Rebuilt and serialised, the message reads back as itself.
  const std::string text = json::serialize(Rebuild(m));
  const ParsedBody again = mcpauth::mcp::ParseBody(text);
  FUZZ_CHECK(!again.batch && again.items.size() == 1);
  const auto& item = again.items[0];
  FUZZ_CHECK(item.message.has_value() && !item.error.has_value());
  const Message& b = *item.message;
  FUZZ_CHECK(b.kind == m.kind);
  FUZZ_CHECK(b.id == m.id);
  FUZZ_CHECK(b.method == m.method);
  FUZZ_CHECK(b.params == m.params);
  FUZZ_CHECK(b.result == m.result);
  FUZZ_CHECK(b.error.code == m.error.code);
  FUZZ_CHECK(b.error.message == m.error.message);
  FUZZ_CHECK(b.error.data == m.error.data);
}

void CheckBody(std::string_view body, const ParseLimits& limits) {
  const ParsedBody parsed = mcpauth::mcp::ParseBody(body, limits);
  FUZZ_CHECK(!parsed.items.empty());
  if (parsed.batch) {
    FUZZ_CHECK(limits.allow_batch);
    FUZZ_CHECK(parsed.items.size() <= limits.max_batch);
  } else {
    FUZZ_CHECK(parsed.items.size() == 1);
  }
  for (const auto& item : parsed.items) {
    FUZZ_CHECK(item.message.has_value() != item.error.has_value());
    FUZZ_CHECK(item.id.is_null() || ValidId(item.id));
    if (item.message) {
      CheckMessage(*item.message);
    } else {
      FUZZ_CHECK(item.error->code == mcpauth::mcp::kParseError ||
                 item.error->code == mcpauth::mcp::kInvalidRequest);
      FUZZ_CHECK(!item.error->message.empty());
    }
  }
  if (body.size() > limits.max_bytes) {
    FUZZ_CHECK(!parsed.batch && !parsed.items[0].message);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  CheckBody(body, ParseLimits{});
  CheckBody(
      body,
      ParseLimits{
          .max_bytes = 4 * 1024 * 1024, .max_depth = 64, .max_batch = 100, .allow_batch = true});
  CheckBody(body,
            ParseLimits{.max_bytes = 256, .max_depth = 4, .max_batch = 3, .allow_batch = true});
  return 0;
}
