#include "mcpauth/mcp/resources.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mcpauth::mcp {
namespace json = boost::json;

namespace {

// One piece of a parsed level-1 URI template: a literal, or a variable name.
struct TemplatePart {
  bool variable = false;
  std::string_view text;  // the literal, or the variable's name
};

// RFC 6570 §2.3: varname = varchar *( ["."] varchar ), varchar = ALPHA / DIGIT / "_" / pct-encoded.
bool IsVarName(std::string_view name) {
  if (name.empty() || name.front() == '.' || name.back() == '.') {
    return false;
  }
  auto hex = [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
  };
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (alnum || c == '_') {
      continue;
    }
    if (c == '%' && i + 2 < name.size() && hex(name[i + 1]) && hex(name[i + 2])) {
      i += 2;
      continue;
    }
    if (c == '.' && name[i - 1] != '.') {
      continue;
    }
    return false;
  }
  return true;
}

// Splits a template into parts. Only level 1 (RFC 6570 §1.2: simple `{var}`) is accepted: an
// operator ({+x}, {#x}, ...), a variable list ({x,y}), a modifier ({x*}, {x:3}), an unbalanced
// brace, two adjacent variables (which no matcher can split) or a repeated name make the template
// invalid.
bool ParseTemplate(std::string_view tmpl, std::vector<TemplatePart>* parts) {
  size_t i = 0;
  while (i < tmpl.size()) {
    const size_t open = tmpl.find_first_of("{}", i);
    if (open == std::string_view::npos) {
      parts->push_back({false, tmpl.substr(i)});
      break;
    }
    if (tmpl[open] == '}') {
      return false;
    }
    if (open > i) {
      parts->push_back({false, tmpl.substr(i, open - i)});
    }
    const size_t close = tmpl.find('}', open + 1);
    if (close == std::string_view::npos) {
      return false;
    }
    const std::string_view name = tmpl.substr(open + 1, close - open - 1);
    if (!IsVarName(name)) {
      return false;
    }
    if (!parts->empty() && parts->back().variable) {
      return false;
    }
    for (const TemplatePart& p : *parts) {
      if (p.variable && p.text == name) {
        return false;  // a repeated name would constrain two matches to be equal: not supported
      }
    }
    parts->push_back({true, name});
    i = close + 1;
  }
  return true;
}

using Bindings = std::vector<std::pair<std::string_view, std::string_view>>;

// Matches one path segment (no '/') against its template parts: literals match exactly, a variable
// takes one or more characters. This is wildcard matching, done with the classic "resume after the
// last variable" method: on a mismatch only the most recent variable grows, since any longer
// choice for an earlier one leaves less text for the rest. O(segment length × parts), so a client
// cannot make a long URI expensive to match.
bool MatchSegment(const std::vector<TemplatePart>& parts, std::string_view text, Bindings& vars) {
  std::vector<size_t> start(parts.size() + 1, 0);  // where each part matched
  size_t part = 0;
  size_t pos = 0;
  std::optional<size_t> last_var;  // the variable to grow on a mismatch
  size_t grow_to = 0;              // its next end
  while (true) {
    if (part == parts.size()) {
      if (pos == text.size()) {
        break;
      }
    } else if (parts[part].variable) {
      if (pos < text.size()) {
        start[part] = pos;
        last_var = part;
        grow_to = pos + 1;
        pos += 1;  // one character at least
        ++part;
        continue;
      }
    } else if (text.substr(pos).starts_with(parts[part].text)) {
      start[part] = pos;
      pos += parts[part].text.size();
      ++part;
      continue;
    }
    if (!last_var || grow_to >= text.size()) {
      return false;
    }
    ++grow_to;
    pos = grow_to;
    part = *last_var + 1;
  }
  start[parts.size()] = text.size();
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].variable) {
      vars.emplace_back(parts[i].text, text.substr(start[i], start[i + 1] - start[i]));
    }
  }
  return true;
}

// Splits the parts at the '/' of their literals: variables never contain '/', so each '/' of the
// URI must be one of the template's, in order, and the segments match independently.
std::vector<std::vector<TemplatePart>> Segments(const std::vector<TemplatePart>& parts) {
  std::vector<std::vector<TemplatePart>> segments(1);
  for (const TemplatePart& p : parts) {
    if (p.variable) {
      segments.back().push_back(p);
      continue;
    }
    std::string_view rest = p.text;
    for (size_t slash = rest.find('/'); slash != std::string_view::npos; slash = rest.find('/')) {
      if (slash > 0) {
        segments.back().push_back({false, rest.substr(0, slash)});
      }
      segments.emplace_back();
      rest.remove_prefix(slash + 1);
    }
    if (!rest.empty()) {
      segments.back().push_back({false, rest});
    }
  }
  return segments;
}

void PutIfNotEmpty(json::object& o, std::string_view key, const std::string& value) {
  if (!value.empty()) {
    o[key] = value;
  }
}

}  // namespace

bool MatchUriTemplate(std::string_view uri_template, std::string_view uri,
                      std::map<std::string, std::string>* vars) {
  std::vector<TemplatePart> parts;
  if (!ParseTemplate(uri_template, &parts)) {
    return false;
  }
  const auto segments = Segments(parts);
  if (static_cast<size_t>(std::count(uri.begin(), uri.end(), '/')) + 1 != segments.size()) {
    return false;
  }
  Bindings found;
  std::string_view rest = uri;
  for (const auto& segment : segments) {
    const size_t slash = rest.find('/');
    const std::string_view text = rest.substr(0, slash);
    if (!MatchSegment(segment, text, found)) {
      return false;
    }
    rest.remove_prefix(slash == std::string_view::npos ? rest.size() : slash + 1);
  }
  if (vars != nullptr) {
    vars->clear();
    for (const auto& [name, value] : found) {
      vars->emplace(std::string(name), std::string(value));
    }
  }
  return true;
}

// MCP server/resources: Resource {uri, name, title?, description?, mimeType?};
// ResourceTemplate {uriTemplate, name, title?, description?, mimeType?}.
json::object ResourceDescriptor::ToJson(bool is_template) const {
  json::object o;
  o[is_template ? "uriTemplate" : "uri"] = uri;
  PutIfNotEmpty(o, "name", name);
  PutIfNotEmpty(o, "title", title);
  PutIfNotEmpty(o, "description", description);
  PutIfNotEmpty(o, "mimeType", mime_type);
  return o;
}

namespace {

// Adds, or replaces in place the entry with the same URI (the listing order stays stable).
void AddOrReplace(std::vector<std::pair<ResourceDescriptor, ResourceReader>>& list,
                  ResourceDescriptor descriptor, ResourceReader reader) {
  auto it = std::find_if(list.begin(), list.end(),
                         [&](const auto& entry) { return entry.first.uri == descriptor.uri; });
  if (it != list.end()) {
    *it = {std::move(descriptor), std::move(reader)};
    return;
  }
  list.emplace_back(std::move(descriptor), std::move(reader));
}

}  // namespace

void ResourceRegistry::Add(ResourceDescriptor descriptor, ResourceReader reader) {
  AddOrReplace(resources_, std::move(descriptor), std::move(reader));
}

void ResourceRegistry::AddTemplate(ResourceDescriptor descriptor, ResourceReader reader) {
  AddOrReplace(templates_, std::move(descriptor), std::move(reader));
}

std::optional<json::array> ResourceRegistry::Read(std::string_view uri) const {
  // A reader that answers nullopt does not have the resource: the next candidate may.
  for (const auto& [descriptor, reader] : resources_) {
    if (descriptor.uri == uri) {
      if (auto contents = reader(uri)) {
        return contents;
      }
    }
  }
  for (const auto& [descriptor, reader] : templates_) {
    if (MatchUriTemplate(descriptor.uri, uri)) {
      if (auto contents = reader(uri)) {
        return contents;
      }
    }
  }
  return std::nullopt;
}

// MCP server/prompts: Prompt {name, title?, description?, arguments?: PromptArgument[]}.
json::object PromptDescriptor::ToJson() const {
  json::object o;
  o["name"] = name;
  PutIfNotEmpty(o, "title", title);
  PutIfNotEmpty(o, "description", description);
  if (!arguments.empty()) {
    json::array args;
    for (const PromptArgument& a : arguments) {
      json::object arg;
      arg["name"] = a.name;
      PutIfNotEmpty(arg, "description", a.description);
      arg["required"] = a.required;
      args.push_back(std::move(arg));
    }
    o["arguments"] = std::move(args);
  }
  return o;
}

void PromptRegistry::Add(PromptDescriptor descriptor, PromptFn fn) {
  auto it = std::find_if(prompts_.begin(), prompts_.end(),
                         [&](const Prompt& p) { return p.descriptor.name == descriptor.name; });
  if (it != prompts_.end()) {
    *it = Prompt{std::move(descriptor), std::move(fn)};
    return;
  }
  prompts_.push_back(Prompt{std::move(descriptor), std::move(fn)});
}

const PromptRegistry::Prompt* PromptRegistry::Find(std::string_view name) const {
  auto it = std::find_if(prompts_.begin(), prompts_.end(),
                         [&](const Prompt& p) { return p.descriptor.name == name; });
  return it == prompts_.end() ? nullptr : &*it;
}

}  // namespace mcpauth::mcp
