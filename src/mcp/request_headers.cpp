#include "mcpauth/mcp/request_headers.hpp"

#include "mcpauth/mcp/header_values.hpp"

namespace mcpauth::mcp {
namespace json = boost::json;

HeaderParams ToolHeaderParams(const json::object& tool) {
  HeaderParams out;
  const auto* schema = tool.if_contains("inputSchema");
  if (schema != nullptr && schema->is_object() && CollectHeaderParams(schema->get_object(), out)) {
    out.clear();  // an invalid definition: no mirrored headers
  }
  return out;
}

void SetStandardHeaders(http::Headers& headers, std::string_view method, const json::object& params,
                        const HeaderParams* header_params) {
  headers.Set("Mcp-Method", method);
  std::string_view name_key;
  if (method == "tools/call" || method == "prompts/get") {
    name_key = "name";
  } else if (method == "resources/read") {
    name_key = "uri";
  }
  if (!name_key.empty()) {
    if (const auto* n = params.if_contains(name_key); n && n->is_string()) {
      headers.Set("Mcp-Name", EncodeHeaderValue(n->get_string()));
    }
  }
  if (method != "tools/call" || header_params == nullptr) {
    return;
  }
  const auto* args = params.if_contains("arguments");
  if (args == nullptr || !args->is_object()) {
    return;
  }
  for (const auto& [path, header] : *header_params) {  // HeaderParam{path, name}
    const json::value* v = args;
    for (const auto& key : path) {
      v = v->is_object() ? v->get_object().if_contains(key) : nullptr;
      if (v == nullptr) {
        break;
      }
    }
    if (v == nullptr) {
      continue;  // absent: the server must not expect the header
    }
    if (auto text = HeaderParamValue(*v)) {
      headers.Set("Mcp-Param-" + header, EncodeHeaderValue(*text));
    }
  }
}

}  // namespace mcpauth::mcp
