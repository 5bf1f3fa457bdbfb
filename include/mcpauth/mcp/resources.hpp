// Resources and prompts: descriptors and registries the server lists, reads and renders.
//
// Lists are in insertion order (the fixture order matters to clients: the first resource is what
// a cache probe reads). Resource templates match RFC 6570 level-1 templates ("test://x/{id}/y").
// Thread-safety: build before serving; then read-only and shared. Readers and prompt functions
// run on a worker thread and may block.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mcpauth/mcp/tools.hpp"

namespace mcpauth::mcp {

struct ResourceDescriptor {
  std::string uri;  // for a template: the URI template
  std::string name;
  std::string title;
  std::string description;
  std::string mime_type;
  boost::json::object ToJson(bool is_template) const;
};

// Reads a resource: its `contents` array, or nullopt when it does not exist (→ -32602 in
// 2026-07-28 with data.uri, -32002 in the 2025 revisions; never an empty contents array).
using ResourceReader = std::function<std::optional<boost::json::array>(std::string_view uri)>;

class ResourceRegistry {
 public:
  void Add(ResourceDescriptor descriptor, ResourceReader reader);
  void AddTemplate(ResourceDescriptor descriptor, ResourceReader reader);
  const std::vector<std::pair<ResourceDescriptor, ResourceReader>>& resources() const {
    return resources_;
  }
  const std::vector<std::pair<ResourceDescriptor, ResourceReader>>& templates() const {
    return templates_;
  }
  // Exact URIs first, then templates in order.
  std::optional<boost::json::array> Read(std::string_view uri) const;
  bool empty() const { return resources_.empty() && templates_.empty(); }

 private:
  std::vector<std::pair<ResourceDescriptor, ResourceReader>> resources_;
  std::vector<std::pair<ResourceDescriptor, ResourceReader>> templates_;
};

// True if `uri` matches the level-1 URI template; fills `vars` with the expansions.
bool MatchUriTemplate(std::string_view uri_template, std::string_view uri,
                      std::map<std::string, std::string>* vars = nullptr);

struct PromptArgument {
  std::string name;
  std::string description;
  bool required = false;
};

struct PromptDescriptor {
  std::string name;
  std::string title;
  std::string description;
  std::vector<PromptArgument> arguments;
  boost::json::object ToJson() const;
};

// Renders a prompt: a GetPromptResult ({messages, description?}) in `result`, or, in 2026-07-28,
// an input_required result. The context is the same one tools get.
using PromptFn = std::function<ToolOutcome(ToolContext&, const boost::json::object& arguments)>;

class PromptRegistry {
 public:
  struct Prompt {
    PromptDescriptor descriptor;
    PromptFn fn;
  };
  void Add(PromptDescriptor descriptor, PromptFn fn);
  const Prompt* Find(std::string_view name) const;
  const std::vector<Prompt>& prompts() const { return prompts_; }
  bool empty() const { return prompts_.empty(); }

 private:
  std::vector<Prompt> prompts_;
};

}  // namespace mcpauth::mcp
