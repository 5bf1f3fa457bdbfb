#include "mcpauth/mcp/resources.hpp"

#include <algorithm>
#include <utility>

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
// brace, or two adjacent variables (which no matcher can split) make the template invalid.
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
    parts->push_back({true, name});
    i = close + 1;
  }
  return true;
}

// Backtracking matcher. A variable takes one or more characters, none of them '/', and is tried
// only at the ends where the next literal occurs, so a template with at most one variable per
// path segment matches in linear time; the worst case (several variables in one segment) is
// O(parts × segment length²), and only the operator writes templates.
class Matcher {
 public:
  using Bindings = std::vector<std::pair<std::string_view, std::string_view>>;

  Matcher(const std::vector<TemplatePart>& parts, std::string_view uri)
      : parts_(parts), uri_(uri) {
    // Memoizing failed (part, position) states is sound only when no variable name repeats: a
    // repeated name makes a state's outcome depend on the earlier binding.
    std::vector<std::string_view> names;
    for (const TemplatePart& p : parts_) {
      if (p.variable) {
        names.push_back(p.text);
      }
    }
    std::sort(names.begin(), names.end());
    if (std::adjacent_find(names.begin(), names.end()) == names.end()) {
      failed_.assign(parts_.size() * (uri_.size() + 1), false);
    }
  }

  bool Match(size_t part, size_t pos, Bindings& vars) {
    if (part == parts_.size()) {
      return pos == uri_.size();
    }
    const size_t state = part * (uri_.size() + 1) + pos;
    if (!failed_.empty() && failed_[state]) {
      return false;
    }
    const bool matched = parts_[part].variable ? MatchVariable(part, pos, vars)
                                               : uri_.substr(pos).starts_with(parts_[part].text) &&
                                                     Match(part + 1, pos + parts_[part].text.size(), vars);
    if (!matched && !failed_.empty()) {
      failed_[state] = true;
    }
    return matched;
  }

 private:
  bool MatchVariable(size_t part, size_t pos, Bindings& vars) {
    const size_t slash = uri_.find('/', pos);
    const size_t limit = slash == std::string_view::npos ? uri_.size() : slash;
    if (limit == pos) {
      return false;  // one or more characters
    }
    if (part + 1 == parts_.size()) {
      return limit == uri_.size() && TryEnd(part, pos, limit, vars);
    }
    // Adjacent variables are rejected by ParseTemplate, so a literal follows.
    const std::string_view next = parts_[part + 1].text;
    for (size_t end = uri_.find(next, pos + 1); end != std::string_view::npos && end <= limit;
         end = uri_.find(next, end + 1)) {
      if (TryEnd(part, pos, end, vars)) {
        return true;
      }
    }
    return false;
  }

  bool TryEnd(size_t part, size_t pos, size_t end, Bindings& vars) {
    const std::string_view name = parts_[part].text;
    const std::string_view value = uri_.substr(pos, end - pos);
    auto existing = std::find_if(vars.begin(), vars.end(),
                                 [&](const auto& binding) { return binding.first == name; });
    if (existing != vars.end()) {
      // A name used twice must expand to the same value both times.
      return existing->second == value && Match(part + 1, end, vars);
    }
    vars.emplace_back(name, value);
    if (Match(part + 1, end, vars)) {
      return true;
    }
    vars.pop_back();
    return false;
  }

  const std::vector<TemplatePart>& parts_;
  std::string_view uri_;
  std::vector<bool> failed_;  // empty: no memoization
};

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
  Matcher::Bindings found;
  Matcher matcher(parts, uri);
  if (!matcher.Match(0, 0, found)) {
    return false;
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
