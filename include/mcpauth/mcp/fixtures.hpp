// Ready-made tools, resources and prompts: the built-in demo tools every mcpauth server can offer,
// and the fixture set the MCP conformance suite (`--tools conformance`) expects of a server.
//
// The built-in tools (echo, add, time, whoami) are small, strict and scoped: each declares the
// OAuth scopes it needs, validates its arguments against its input schema and reports bad input as
// a tool error (isError), as MCP server/tools "Error Handling" asks. The conformance fixtures
// reproduce the reference everything-server of modelcontextprotocol/conformance for both eras:
// 2026-07-28 (stateless, multi round-trip input_required) and the 2025 session revisions
// (server-to-client sampling and elicitation requests).
//
// Thread-safety: these functions fill registries before serving; the tools they add are
// stateless and may run concurrently. Ownership: AddBuiltinTools keeps a reference to `clock`,
// which must outlive the registry.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "mcpauth/core/clock.hpp"
#include "mcpauth/mcp/resources.hpp"
#include "mcpauth/mcp/tools.hpp"

namespace mcpauth::mcp {

// The conformance suite's sample media: a 1×1 red PNG and a minimal WAV file, base64.
inline constexpr std::string_view kTestImageBase64 =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg"
    "==";
inline constexpr std::string_view kTestAudioBase64 =
    "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=";

// Registers echo, add, time and whoami.
void AddBuiltinTools(ToolRegistry& tools, const Clock& clock);

// Registers the conformance fixtures. `test_simple_text` is added first and `test://static-text`
// first among the resources: the suite calls the first listed tool with `{}` and reads the first
// listed resource. Call this before adding any other tool to the same registry.
void AddConformanceFixtures(ToolRegistry& tools, ResourceRegistry& resources,
                            PromptRegistry& prompts);

// Checks `arguments` against a flat object schema of the kind the built-in tools declare:
// `properties` whose `type` is string, number, integer, boolean, object or array; `required`;
// and `additionalProperties: false`. Other keywords are ignored. Returns a message naming the
// first problem, or nullopt if the arguments fit.
std::optional<std::string> CheckArguments(const boost::json::object& input_schema,
                                          const boost::json::object& arguments);

}  // namespace mcpauth::mcp
