#include "mcpauth/mcp/bridge_codec.hpp"

#include <boost/json/serialize.hpp>

namespace mcpauth::mcp {
namespace json = boost::json;

namespace {
constexpr std::string_view kMetaProtocolVersion = "io.modelcontextprotocol/protocolVersion";
}  // namespace

void LineSplitter::Feed(std::string_view bytes, const std::function<void(std::string&&)>& on_line,
                        const std::function<void()>& on_too_long) {
  while (!bytes.empty()) {
    const size_t nl = bytes.find('\n');
    const std::string_view piece = bytes.substr(0, nl);
    if (!discarding_) {
      if (partial_.size() + piece.size() > max_line_bytes_ + 1) {  // +1: a CR before the LF
        discarding_ = true;
        partial_.clear();
        partial_.shrink_to_fit();
        on_too_long();
      } else {
        partial_.append(piece);
      }
    }
    if (nl == std::string_view::npos) {
      return;
    }
    bytes.remove_prefix(nl + 1);
    if (discarding_) {
      discarding_ = false;
      continue;
    }
    if (!partial_.empty() && partial_.back() == '\r') {
      partial_.pop_back();
    }
    if (partial_.size() > max_line_bytes_) {
      partial_.clear();
      on_too_long();
      continue;
    }
    if (!partial_.empty()) {
      std::string line;
      line.swap(partial_);
      on_line(std::move(line));
    }
  }
}

std::optional<std::string> LineSplitter::Finish() {
  if (discarding_ || partial_.empty()) {
    partial_.clear();
    discarding_ = false;
    return std::nullopt;
  }
  if (partial_.back() == '\r') {
    partial_.pop_back();
  }
  std::string out;
  out.swap(partial_);
  if (out.empty() || out.size() > max_line_bytes_) {
    return std::nullopt;
  }
  return out;
}

std::string ModernVersionOf(const json::object& message) {
  const auto* params = message.if_contains("params");
  const auto* meta =
      params && params->is_object() ? params->get_object().if_contains("_meta") : nullptr;
  const auto* version =
      meta && meta->is_object() ? meta->get_object().if_contains(kMetaProtocolVersion) : nullptr;
  return version && version->is_string() ? std::string(version->get_string()) : std::string();
}

std::string IdKey(const json::value& id) {
  if (id.is_string()) {
    return "s:" + std::string(id.get_string());
  }
  if (id.is_int64()) {
    return "n:" + std::to_string(id.get_int64());
  }
  if (id.is_uint64()) {
    return "n:" + std::to_string(id.get_uint64());
  }
  return "x:" + json::serialize(id);
}

http::Headers ForwardHeaders(const json::object& message, const LegacySession& session,
                             const HeaderParams* mirrored) {
  http::Headers h;
  h.Set("Content-Type", "application/json");
  h.Set("Accept", "application/json, text/event-stream");
  const auto* method_v = message.if_contains("method");
  const std::string_view method =
      method_v && method_v->is_string() ? std::string_view(method_v->get_string()) : "";
  if (const std::string modern = ModernVersionOf(message); !modern.empty()) {
    // 2026-07-28 transports: the header equals the body's version; standard headers mirror it.
    h.Set("MCP-Protocol-Version", modern);
    if (!method.empty()) {
      const auto* params = message.if_contains("params");
      SetStandardHeaders(h, method,
                         params && params->is_object() ? params->get_object() : json::object{},
                         mirrored);
    }
    return h;
  }
  if (method == "initialize") {
    return h;  // 2025 lifecycle: no session and no negotiated version yet
  }
  // 2025-06-18+ transports: the negotiated version and the session on every later request.
  if (!session.protocol_version.empty()) {
    h.Set("MCP-Protocol-Version", session.protocol_version);
  }
  if (!session.session_id.empty()) {
    h.Set("Mcp-Session-Id", session.session_id);
  }
  return h;
}

json::object UpstreamError(const json::value& id, std::string_view message, int http_status) {
  json::object error{{"code", kBridgeUpstreamError}, {"message", message}};
  if (http_status != 0) {
    error["data"] = json::object{{"httpStatus", http_status}};
  }
  return json::object{{"jsonrpc", "2.0"}, {"id", id}, {"error", std::move(error)}};
}

bool AdoptRequestId(json::object& response, const json::value& request_id) {
  auto* id = response.if_contains("id");
  if (id == nullptr || id->is_null()) {
    if (!response.contains("error")) {
      return false;  // a result must name its request
    }
    response["id"] = request_id;
    return true;
  }
  return IdKey(*id) == IdKey(request_id);
}

int Redact(std::string& line, std::string_view secret) {
  if (secret.empty()) {
    return 0;
  }
  int count = 0;
  constexpr std::string_view kMark = "[redacted]";
  for (size_t pos = line.find(secret); pos != std::string::npos;
       pos = line.find(secret, pos + kMark.size())) {
    line.replace(pos, secret.size(), kMark);
    ++count;
  }
  return count;
}

}  // namespace mcpauth::mcp
