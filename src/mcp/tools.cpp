#include "mcpauth/mcp/tools.hpp"

#include "mcpauth/core/base64url.hpp"

namespace mcpauth::mcp {
namespace json = boost::json;

json::object ToolDescriptor::ToJson() const {
  json::object o;
  o["name"] = name;
  if (!title.empty()) {
    o["title"] = title;
  }
  if (!description.empty()) {
    o["description"] = description;
  }
  o["inputSchema"] = input_schema;
  if (output_schema) {
    o["outputSchema"] = *output_schema;
  }
  if (!annotations.empty()) {
    o["annotations"] = annotations;
  }
  return o;
}

ToolOutcome ToolOutcome::Text(std::string text, bool is_error) {
  ToolOutcome out;
  json::array content;
  content.push_back(json::object{{"type", "text"}, {"text", std::move(text)}});
  out.result["content"] = std::move(content);
  if (is_error) {
    out.result["isError"] = true;
  }
  return out;
}

ToolOutcome ToolOutcome::RpcFailure(RpcError error, int http_status) {
  ToolOutcome out;
  out.error = std::move(error);
  out.http_status = http_status;
  return out;
}

void ToolRegistry::Add(ToolDescriptor descriptor, ToolFn fn) {
  if (auto it = index_.find(descriptor.name); it != index_.end()) {
    tools_[it->second] = Tool{std::move(descriptor), std::move(fn)};
    return;
  }
  index_.emplace(descriptor.name, tools_.size());
  tools_.push_back(Tool{std::move(descriptor), std::move(fn)});
}

const ToolRegistry::Tool* ToolRegistry::Find(std::string_view name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &tools_[it->second];
}

std::optional<ToolRegistry::Page> ToolRegistry::List(std::string_view cursor,
                                                     size_t page_size) const {
  // The cursor is the base64url of the last name on the previous page: opaque to clients
  // (MCP utilities/pagination), stable across calls, and valid on any node.
  size_t i = 0;
  if (!cursor.empty()) {
    auto last = core::Base64UrlDecode(cursor);
    if (!last) {
      return std::nullopt;
    }
    auto it = index_.find(*last);
    if (it == index_.end()) {
      return std::nullopt;
    }
    i = it->second + 1;
  }
  Page page;
  for (; i < tools_.size() && page.tools.size() < std::max<size_t>(page_size, 1); ++i) {
    if (tools_[i].descriptor.listed) {
      page.tools.push_back(&tools_[i]);
    }
  }
  // More listed tools after this page?
  for (size_t j = i; j < tools_.size(); ++j) {
    if (tools_[j].descriptor.listed) {
      page.next_cursor = core::Base64UrlEncode(page.tools.back()->descriptor.name);
      break;
    }
  }
  return page;
}

}  // namespace mcpauth::mcp
