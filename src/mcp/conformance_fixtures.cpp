// The fixture set of the MCP conformance suite (modelcontextprotocol/conformance, `--tools
// conformance`), after its reference everything-server: names, descriptions, schemas and texts
// are the ones its scenarios look for.
//
// One registry serves both eras, so each fixture decides per call:
// - Server-to-client requests (sampling, elicitation) are server-to-client requests on the call's
//   stream in the 2025 revisions, and multi round-trip input requests in 2026-07-28
//   (basic/patterns/mrtr), which replaced them.
// - The test_input_required_result_* fixtures exist to exercise multi round-trip requests and
//   answer a tool error in the 2025 revisions.
// - A missing client capability is MissingRequiredClientCapabilityError (-32021, HTTP 400) in
//   2026-07-28 (basic/index "Capabilities") and a tool error in the 2025 revisions, where that
//   code is not defined.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <initializer_list>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include "mcpauth/mcp/fixtures.hpp"

namespace mcpauth::mcp {
namespace json = boost::json;

namespace {

// MCP 2026-07-28 basic/index "Error codes": MissingRequiredClientCapability.
constexpr int kMissingCapabilityCode = -32021;
// How long a 2025-era tool waits for the client's answer to a server-to-client request.
constexpr std::chrono::seconds kClientRequestTimeout{30};
// The pause between the notifications of the logging and progress fixtures.
constexpr std::chrono::milliseconds kStepDelay{50};

// Fixture JSON is written as JSON text and parsed once at start-up (a typo is a bug: it throws).
json::object Obj(std::string_view text) { return json::parse(text).as_object(); }

json::object EmptySchema() {
  return json::object{{"type", "object"}, {"properties", json::object{}}};
}

json::object TextContent(std::string_view text) {
  return json::object{{"type", "text"}, {"text", text}};
}

json::object ImageContent() {
  return json::object{{"type", "image"}, {"data", kTestImageBase64}, {"mimeType", "image/png"}};
}

ToolOutcome Content(json::array content) {
  ToolOutcome out;
  out.result["content"] = std::move(content);
  return out;
}

ToolDescriptor Describe(std::string name, std::string description,
                        json::object schema = EmptySchema()) {
  ToolDescriptor d;
  d.name = std::move(name);
  d.description = std::move(description);
  d.input_schema = std::move(schema);
  return d;
}

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

// ---- era, capabilities and errors ----

bool HasCapability(const ToolContext& ctx, std::string_view capability) {
  return ctx.client_capabilities().contains(capability);
}

// MCP 2026-07-28 basic/index: `data.requiredCapabilities` is a ClientCapabilities object, e.g.
// {"sampling":{}}; on HTTP the status MUST be 400.
ToolOutcome MissingCapabilities(const std::vector<std::string_view>& capabilities) {
  json::object required;
  for (std::string_view c : capabilities) {
    required[c] = json::object{};
  }
  return ToolOutcome::RpcFailure(
      RpcError{kMissingCapabilityCode, "MissingRequiredClientCapabilityError",
               json::object{{"requiredCapabilities", required}}},
      400);
}

// The capabilities among `wanted` that this request's client did not declare.
std::vector<std::string_view> Missing(const ToolContext& ctx,
                                      std::initializer_list<std::string_view> wanted) {
  std::vector<std::string_view> missing;
  for (std::string_view c : wanted) {
    if (!HasCapability(ctx, c)) {
      missing.push_back(c);
    }
  }
  return missing;
}

// The era's answer to a client without `capability`.
ToolOutcome NeedsCapability(const ToolContext& ctx, std::string_view tool,
                            std::string_view capability) {
  if (ctx.modern()) {
    return MissingCapabilities({capability});
  }
  return ToolOutcome::Error(std::string(tool) + " needs the client capability " +
                            Quote(capability) + ", which this session's client did not declare.");
}

ToolOutcome ModernOnly(const ToolContext& ctx, std::string_view tool) {
  return ToolOutcome::Error(std::string(tool) +
                            " exercises multi round-trip requests, which exist only in protocol "
                            "revision 2026-07-28; this request speaks " +
                            std::string(ctx.protocol_version()) + ".");
}

ToolOutcome InvalidParams(std::string message) {
  return ToolOutcome::RpcFailure(RpcError{kInvalidParams, std::move(message), std::nullopt});
}

// A malformed client answer: a JSON-RPC error in 2026-07-28 (basic/patterns/mrtr: "malformed
// input"), a tool error in the 2025 revisions (the client answered a request of ours).
ToolOutcome Malformed(const ToolContext& ctx, std::string message) {
  return ctx.modern() ? InvalidParams(std::move(message)) : ToolOutcome::Error(std::move(message));
}

bool Pause(const ToolContext& ctx) {
  std::this_thread::sleep_for(kStepDelay);
  return !ctx.cancelled();
}

ToolOutcome Cancelled() { return ToolOutcome::Error("The client cancelled the call."); }

// ---- client answers: ElicitResult, CreateMessageResult, ListRootsResult ----

struct Elicitation {
  std::string action;                     // accept, decline or cancel
  const json::object* content = nullptr;  // set when accepted
};

// MCP client/elicitation ElicitResult {action, content?}; nullopt when malformed.
std::optional<Elicitation> ParseElicitation(const json::value& v) {
  const json::object* o = v.if_object();
  if (o == nullptr) {
    return std::nullopt;
  }
  const json::value* action = o->if_contains("action");
  if (action == nullptr || !action->is_string()) {
    return std::nullopt;
  }
  Elicitation e{std::string(action->get_string()), nullptr};
  if (e.action == "accept") {
    const json::value* content = o->if_contains("content");
    if (content == nullptr || !content->is_object()) {
      return std::nullopt;
    }
    e.content = &content->get_object();
    return e;
  }
  if (e.action == "decline" || e.action == "cancel") {
    return e;
  }
  return std::nullopt;
}

// content[field] of an accepted elicitation, if it is a string.
std::optional<std::string> AcceptedString(const Elicitation& e, std::string_view field) {
  if (e.content == nullptr) {
    return std::nullopt;
  }
  const json::value* v = e.content->if_contains(field);
  if (v == nullptr || !v->is_string()) {
    return std::nullopt;
  }
  return std::string(v->get_string());
}

// The text of a content block, if it is a text block.
std::optional<std::string> BlockText(const json::value& block) {
  const json::object* b = block.if_object();
  const json::value* type = b ? b->if_contains("type") : nullptr;
  const json::value* text = b ? b->if_contains("text") : nullptr;
  if (type && type->is_string() && type->get_string() == "text" && text && text->is_string()) {
    return std::string(text->get_string());
  }
  return std::nullopt;
}

// MCP client/sampling CreateMessageResult: the text of `content` (a content block, or in
// 2025-11-25 an array of them); nullopt when malformed.
std::optional<std::string> SampledText(const json::value& v) {
  const json::object* o = v.if_object();
  const json::value* content = o ? o->if_contains("content") : nullptr;
  if (content == nullptr || !(content->is_object() || content->is_array())) {
    return std::nullopt;
  }
  if (content->is_object()) {
    return BlockText(*content).value_or("(non-text content)");
  }
  for (const json::value& block : content->get_array()) {
    if (auto text = BlockText(block)) {
      return text;
    }
  }
  return std::string("(non-text content)");
}

// MCP client/roots ListRootsResult {roots: Root[]}: the number of roots; nullopt when malformed.
std::optional<size_t> RootCount(const json::value& v) {
  const json::object* o = v.if_object();
  const json::value* roots = o ? o->if_contains("roots") : nullptr;
  if (roots == nullptr || !roots->is_array()) {
    return std::nullopt;
  }
  return roots->get_array().size();
}

// ---- multi round-trip (MCP 2026-07-28 basic/patterns/mrtr) ----

json::object InputRequest(std::string_view method, json::object params) {
  return json::object{{"method", method}, {"params", std::move(params)}};
}

json::object ElicitParams(std::string_view message, std::string_view field, std::string_view type) {
  json::object property{{"type", type}};
  return json::object{
      {"message", message},
      {"requestedSchema", json::object{{"type", "object"},
                                       {"properties", json::object{{field, property}}},
                                       {"required", json::array{field}}}}};
}

json::object SamplingParams(std::string_view prompt, int max_tokens) {
  json::array messages;
  messages.push_back(json::object{{"role", "user"}, {"content", TextContent(prompt)}});
  return json::object{{"messages", std::move(messages)}, {"maxTokens", max_tokens}};
}

// resultType "input_required" is stamped by the server from `input_required`.
ToolOutcome InputRequired(json::object requests, std::optional<std::string> state = std::nullopt) {
  ToolOutcome out;
  out.input_required = true;
  if (!requests.empty()) {
    out.result["inputRequests"] = std::move(requests);
  }
  if (state) {
    out.result["requestState"] = std::move(*state);
  }
  return out;
}

// The retry's inputResponses. MRTR: unknown keys are ignored; a key that is not a result object,
// or inputResponses that are not an object at all, are malformed input (→ -32602).
class Responses {
 public:
  explicit Responses(const ToolContext& ctx) {
    const json::value* v = ctx.input_responses();
    if (v == nullptr) {
      return;
    }
    object_ = v->if_object();
    if (object_ == nullptr) {
      error_ = InvalidParams("inputResponses must be an object of input responses");
    }
  }

  const std::optional<ToolOutcome>& error() const { return error_; }

  // The response under `key`, or nullptr if absent.
  const json::value* Get(std::string_view key) const {
    return object_ ? object_->if_contains(key) : nullptr;
  }

 private:
  const json::object* object_ = nullptr;
  std::optional<ToolOutcome> error_;
};

ToolOutcome BadResponse(std::string_view key, std::string_view what) {
  return InvalidParams("inputResponses." + std::string(key) + " is not a valid " +
                       std::string(what));
}

ToolOutcome TamperedState() { return InvalidParams("requestState integrity check failed"); }

std::string Sign(const ToolContext& ctx, const json::object& payload) {
  return ctx.SignState(json::serialize(payload));
}

// The verified requestState payload of kind `kind`: nullopt when the retry carries no state,
// an error outcome when the state fails verification (MRTR: requestState is attacker-controlled;
// reject what fails the integrity check).
std::variant<std::optional<json::object>, ToolOutcome> VerifiedState(const ToolContext& ctx,
                                                                     std::string_view kind) {
  const std::string* state = ctx.request_state();
  if (state == nullptr) {
    return std::optional<json::object>();
  }
  auto payload = ctx.VerifyState(*state);
  if (!payload) {
    return TamperedState();
  }
  boost::system::error_code ec;
  json::value v = json::parse(*payload, ec);
  const json::object* o = ec ? nullptr : v.if_object();
  const json::value* k = o ? o->if_contains("kind") : nullptr;
  if (k == nullptr || !k->is_string() || k->get_string() != kind) {
    return TamperedState();
  }
  return std::optional<json::object>(*o);
}

// ---- asking the client, in either era ----

// The client's answer to `method` as a result object, or the outcome to answer the call with
// now. 2025 revisions: a server-to-client request on the call's stream. 2026-07-28: the same
// request as input request `key` of a multi round-trip, answered by the retry.
std::variant<json::object, ToolOutcome> AskClient(ToolContext& ctx, std::string_view tool,
                                                  std::string_view key, std::string_view method,
                                                  json::object params,
                                                  std::string_view capability) {
  // MRTR: "Servers MUST NOT send input requests for capabilities the client did not declare";
  // 2025 lifecycle: the same holds for server-to-client requests.
  if (!HasCapability(ctx, capability)) {
    return NeedsCapability(ctx, tool, capability);
  }
  if (ctx.modern()) {
    Responses responses(ctx);
    if (responses.error()) {
      return *responses.error();
    }
    if (const json::value* answer = responses.Get(key)) {
      if (!answer->is_object()) {
        return BadResponse(key, std::string(method) + " result");
      }
      return answer->get_object();
    }
    return InputRequired(json::object{{key, InputRequest(method, std::move(params))}});
  }
  auto answer = ctx.RequestClient(method, std::move(params), kClientRequestTimeout);
  if (!answer) {
    return ToolOutcome::Error("The client did not answer " + std::string(method) +
                              " (timeout, cancellation or no session stream).");
  }
  const json::object* o = answer->if_object();
  if (o == nullptr) {
    return ToolOutcome::Error("The client's answer to " + std::string(method) +
                              " is not an object.");
  }
  // An error answer comes as {"error": {code, message}} (or as the bare error object).
  const json::object* error = o->contains("error") ? o->at("error").if_object() : nullptr;
  if (error == nullptr && o->contains("code") && o->contains("message")) {
    error = o;
  }
  if (error != nullptr) {
    const json::value* message = error->if_contains("message");
    return ToolOutcome::Error("The client answered " + std::string(method) + " with an error: " +
                              (message && message->is_string() ? std::string(message->get_string())
                                                               : json::serialize(*error)));
  }
  return *o;
}

// ---- the standard tools (both eras) ----

void AddContentTools(ToolRegistry& tools) {
  // The first listed tool: the suite's header-validation scenario calls it with `{}`.
  ToolDescriptor simple = Describe("test_simple_text", "Tests simple text content response");
  simple.runs_inline = true;
  tools.Add(std::move(simple), [](ToolContext&, const json::object&) {
    return ToolOutcome::Text("This is a simple text response for testing.");
  });

  ToolDescriptor image = Describe("test_image_content", "Tests image content response");
  image.runs_inline = true;
  tools.Add(std::move(image),
            [](ToolContext&, const json::object&) { return Content(json::array{ImageContent()}); });

  ToolDescriptor audio = Describe("test_audio_content", "Tests audio content response");
  audio.runs_inline = true;
  tools.Add(std::move(audio), [](ToolContext&, const json::object&) {
    return Content(json::array{
        json::object{{"type", "audio"}, {"data", kTestAudioBase64}, {"mimeType", "audio/wav"}}});
  });

  ToolDescriptor embedded =
      Describe("test_embedded_resource", "Tests embedded resource content response");
  embedded.runs_inline = true;
  json::object resource = Obj(R"json({"type":"resource","resource":{
      "uri":"test://embedded-resource","mimeType":"text/plain",
      "text":"This is an embedded resource content."}})json");
  tools.Add(std::move(embedded), [resource](ToolContext&, const json::object&) {
    return Content(json::array{resource});
  });

  ToolDescriptor mixed =
      Describe("test_multiple_content_types",
               "Tests response with multiple content types (text, image, resource)");
  mixed.runs_inline = true;
  json::array content{
      TextContent("Multiple content types test:"), ImageContent(),
      Obj(R"json({"type":"resource","resource":{"uri":"test://mixed-content-resource",
          "mimeType":"application/json","text":"{\"test\":\"data\",\"value\":123}"}})json")};
  tools.Add(std::move(mixed),
            [content](ToolContext&, const json::object&) { return Content(content); });
}

void AddNotifyingTools(ToolRegistry& tools) {
  // MCP server/utilities/logging; the server drops messages below the level the client asked
  // for (2025: logging/setLevel; 2026-07-28: _meta logLevel, none without it).
  tools.Add(
      Describe("test_tool_with_logging", "Tests tool that emits log messages during execution"),
      [](ToolContext& ctx, const json::object&) {
        ctx.Log("info", "Tool execution started");
        if (!Pause(ctx)) {
          return Cancelled();
        }
        ctx.Log("info", "Tool processing data");
        if (!Pause(ctx)) {
          return Cancelled();
        }
        ctx.Log("info", "Tool execution completed");
        return ToolOutcome::Text("Tool with logging executed successfully");
      });

  // MCP basic/utilities/progress: sent only when the request carried a progressToken.
  tools.Add(Describe("test_tool_with_progress", "Tests tool that reports progress notifications"),
            [](ToolContext& ctx, const json::object&) {
              for (int step : {0, 50, 100}) {
                if (step > 0 && !Pause(ctx)) {
                  return Cancelled();
                }
                ctx.Progress(step, 100, "Completed step " + std::to_string(step) + " of 100");
              }
              return ToolOutcome::Text("Progress reported: 0, 50 and 100 of 100");
            });

  ToolDescriptor error = Describe("test_error_handling", "Tests error response handling");
  error.runs_inline = true;
  tools.Add(std::move(error), [](ToolContext&, const json::object&) {
    // A tool execution error is a result with isError (server/tools "Error Handling").
    return ToolOutcome::Error("This tool intentionally returns an error for testing");
  });
}

// A required string argument, or the tool error for its absence.
std::variant<std::string, ToolOutcome> StringArgument(const json::object& args,
                                                      std::string_view name) {
  const json::value* v = args.if_contains(name);
  if (v == nullptr) {
    return ToolOutcome::Error("Missing required argument " + Quote(name) + ".");
  }
  if (!v->is_string()) {
    return ToolOutcome::Error("Argument " + Quote(name) + " must be a string.");
  }
  return std::string(v->get_string());
}

std::string ElicitationSummary(const json::object& answer) {
  const json::value* action = answer.if_contains("action");
  const json::value* content = answer.if_contains("content");
  return "action=" +
         (action && action->is_string() ? std::string(action->get_string()) : "unknown") +
         ", content=" +
         json::serialize(content && !content->is_null() ? *content : json::value(json::object{}));
}

// Elicits a form (MRTR key "form" in 2026-07-28) and reports "<prefix>action=..., content=...".
ToolOutcome Elicit(ToolContext& ctx, std::string_view tool, json::object params,
                   std::string_view prefix) {
  auto answer =
      AskClient(ctx, tool, "form", "elicitation/create", std::move(params), "elicitation");
  if (auto* now = std::get_if<ToolOutcome>(&answer)) {
    return std::move(*now);
  }
  const json::object& result = std::get<json::object>(answer);
  if (!ParseElicitation(result)) {
    return Malformed(ctx, "The elicitation result is not a valid ElicitResult.");
  }
  return ToolOutcome::Text(std::string(prefix) + ElicitationSummary(result));
}

void AddClientRequestTools(ToolRegistry& tools) {
  json::object prompt_schema = Obj(R"json({"type":"object","properties":{
      "prompt":{"type":"string","description":"The prompt to send to the LLM"}},
      "required":["prompt"]})json");
  tools.Add(Describe("test_sampling", "Tests server-initiated sampling (LLM completion request)",
                     std::move(prompt_schema)),
            [](ToolContext& ctx, const json::object& args) {
              auto prompt = StringArgument(args, "prompt");
              if (auto* error = std::get_if<ToolOutcome>(&prompt)) {
                return std::move(*error);
              }
              auto answer =
                  AskClient(ctx, "test_sampling", "sampling", "sampling/createMessage",
                            SamplingParams(std::get<std::string>(prompt), 100), "sampling");
              if (auto* now = std::get_if<ToolOutcome>(&answer)) {
                return std::move(*now);
              }
              auto text = SampledText(std::get<json::object>(answer));
              if (!text) {
                return Malformed(ctx, "The sampling result has no content.");
              }
              return ToolOutcome::Text("LLM response: " + *text);
            });

  // The schema the suite's tools-call-elicitation scenario describes and answers.
  json::object requested = Obj(R"json({"type":"object","properties":{
      "username":{"type":"string","description":"User's response"},
      "email":{"type":"string","description":"User's email address"}},
      "required":["username","email"]})json");
  json::object message_schema = Obj(R"json({"type":"object","properties":{
      "message":{"type":"string","description":"The message to show the user"}},
      "required":["message"]})json");
  tools.Add(Describe("test_elicitation", "Tests server-initiated elicitation (user input request)",
                     std::move(message_schema)),
            [requested](ToolContext& ctx, const json::object& args) {
              auto message = StringArgument(args, "message");
              if (auto* error = std::get_if<ToolOutcome>(&message)) {
                return std::move(*error);
              }
              json::object params{{"message", std::get<std::string>(message)},
                                  {"requestedSchema", requested}};
              return Elicit(ctx, "test_elicitation", std::move(params), "User response: ");
            });

  // SEP-1034: defaults for every primitive type.
  json::object defaults = Obj(R"json({
      "message":"Please review and update the form fields with defaults",
      "requestedSchema":{"type":"object","properties":{
        "name":{"type":"string","description":"User name","default":"John Doe"},
        "age":{"type":"integer","description":"User age","default":30},
        "score":{"type":"number","description":"User score","default":95.5},
        "status":{"type":"string","description":"User status",
                  "enum":["active","inactive","pending"],"default":"active"},
        "verified":{"type":"boolean","description":"Verification status","default":true}},
        "required":[]}})json");
  tools.Add(Describe("test_elicitation_sep1034_defaults",
                     "Tests elicitation with default values per SEP-1034"),
            [defaults](ToolContext& ctx, const json::object&) {
              return Elicit(ctx, "test_elicitation_sep1034_defaults", defaults,
                            "Elicitation completed: ");
            });

  // SEP-1330: the five enum shapes.
  json::object enums = Obj(R"json({
      "message":"Please select options from the enum fields",
      "requestedSchema":{"type":"object","properties":{
        "untitledSingle":{"type":"string","description":"Select one option",
                          "enum":["option1","option2","option3"]},
        "titledSingle":{"type":"string","description":"Select one option with titles",
                        "oneOf":[{"const":"value1","title":"First Option"},
                                 {"const":"value2","title":"Second Option"},
                                 {"const":"value3","title":"Third Option"}]},
        "legacyEnum":{"type":"string","description":"Select one option (legacy)",
                      "enum":["opt1","opt2","opt3"],
                      "enumNames":["Option One","Option Two","Option Three"]},
        "untitledMulti":{"type":"array","description":"Select multiple options",
                         "minItems":1,"maxItems":3,
                         "items":{"type":"string","enum":["option1","option2","option3"]}},
        "titledMulti":{"type":"array","description":"Select multiple options with titles",
                       "minItems":1,"maxItems":3,
                       "items":{"anyOf":[{"const":"value1","title":"First Choice"},
                                         {"const":"value2","title":"Second Choice"},
                                         {"const":"value3","title":"Third Choice"}]}}},
        "required":[]}})json");
  tools.Add(Describe("test_elicitation_sep1330_enums",
                     "Tests elicitation with enum schema improvements per SEP-1330"),
            [enums](ToolContext& ctx, const json::object&) {
              return Elicit(ctx, "test_elicitation_sep1330_enums", enums,
                            "Elicitation completed: ");
            });
}

void AddSchemaTools(ToolRegistry& tools) {
  // SEP-1613 / SEP-2106: tools/list must return this schema verbatim.
  json::object schema = Obj(R"json({
      "$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
      "$defs":{"address":{"$anchor":"addressDef","type":"object",
                          "properties":{"street":{"type":"string"},"city":{"type":"string"}}}},
      "properties":{"name":{"type":"string"},"address":{"$ref":"#/$defs/address"},
                    "contactMethod":{"type":"string","enum":["phone","email"]},
                    "phone":{"type":"string"},"email":{"type":"string"}},
      "allOf":[{"anyOf":[{"required":["phone"]},{"required":["email"]}]}],
      "if":{"properties":{"contactMethod":{"const":"phone"}},"required":["contactMethod"]},
      "then":{"required":["phone"]},"else":{"required":["email"]},
      "additionalProperties":false})json");
  ToolDescriptor schema_tool =
      Describe("json_schema_2020_12_tool",
               "Tool with JSON Schema 2020-12 features for conformance testing (SEP-1613)",
               std::move(schema));
  schema_tool.runs_inline = true;
  tools.Add(std::move(schema_tool), [](ToolContext&, const json::object& args) {
    for (std::string_view key : {"name", "contactMethod", "phone", "email"}) {
      if (const json::value* v = args.if_contains(key); v && !v->is_string()) {
        return ToolOutcome::Error("Argument " + Quote(key) + " must be a string.");
      }
    }
    if (const json::value* v = args.if_contains("address"); v && !v->is_object()) {
      return ToolOutcome::Error("Argument \"address\" must be an object.");
    }
    return ToolOutcome::Text("JSON Schema 2020-12 tool called with: " + json::serialize(args));
  });

  // MCP 2026-07-28 basic/transports (x-mcp-header, SEP-2243): clients mirror `region` into an
  // Mcp-Param-Region header, which the transport checks against the body.
  json::object region_schema = Obj(R"json({"type":"object","properties":{
      "region":{"type":"string","x-mcp-header":"Region",
                "description":"Any region name; mirrored in the Mcp-Param-Region header"}},
      "required":["region"]})json");
  ToolDescriptor header = Describe(
      "test_header_param",
      "Tests x-mcp-header (SEP-2243): the region argument is also sent as the Mcp-Param-Region "
      "header, which the server validates against the body",
      std::move(region_schema));
  header.runs_inline = true;
  tools.Add(std::move(header), [](ToolContext&, const json::object& args) {
    auto region = StringArgument(args, "region");
    if (auto* error = std::get_if<ToolOutcome>(&region)) {
      return std::move(*error);
    }
    return ToolOutcome::Text("region=" + std::get<std::string>(region));
  });
}

// ---- 2026-07-28 diagnostics (server-stateless scenario) ----

void AddDiagnosticTools(ToolRegistry& tools) {
  ToolDescriptor missing = Describe("test_missing_capability", "Test tool requiring sampling");
  missing.runs_inline = true;
  tools.Add(std::move(missing), [](ToolContext& ctx, const json::object&) {
    if (!HasCapability(ctx, "sampling")) {
      return NeedsCapability(ctx, "test_missing_capability", "sampling");
    }
    return ToolOutcome::Text("Success");
  });
}

void AddStreamDiagnosticTools(ToolRegistry& tools) {
  // Streamable HTTP 2026-07-28: the response stream carries notifications about the request and
  // never an independent server-to-client request.
  tools.Add(Describe("test_streaming_elicitation",
                     "Diagnostic tool validating response progress streams"),
            [](ToolContext& ctx, const json::object&) {
              if (!HasCapability(ctx, "elicitation")) {
                return NeedsCapability(ctx, "test_streaming_elicitation", "elicitation");
              }
              ctx.Progress(50, 100, "Streaming");
              return ToolOutcome::Text("Streaming complete");
            });

  // The server, not the tool, drops the message when the request asked for no log level.
  tools.Add(Describe("test_logging_tool", "Diagnostic logging validator tool"),
            [](ToolContext& ctx, const json::object&) {
              ctx.Log("info", "Diagnostic trace logging activated");
              return ToolOutcome::Text("Logging evaluated");
            });

  // Callable but unlisted: the suite triggers list changes with them.
  ToolDescriptor tool_change =
      Describe("test_trigger_tool_change", "Sends notifications/tools/list_changed to listeners");
  tool_change.listed = false;
  tools.Add(std::move(tool_change), [](ToolContext& ctx, const json::object&) {
    ctx.NotifyListChanged("tools");
    return ToolOutcome::Text("Mutation triggered");
  });
  ToolDescriptor prompt_change = Describe("test_trigger_prompt_change",
                                          "Sends notifications/prompts/list_changed to listeners");
  prompt_change.listed = false;
  tools.Add(std::move(prompt_change), [](ToolContext& ctx, const json::object&) {
    ctx.NotifyListChanged("prompts");
    return ToolOutcome::Text("Mutation triggered");
  });
}

// ---- 2026-07-28 multi round-trip fixtures (input-required-result-* scenarios) ----

json::object NameRequest(std::string_view message) {
  return InputRequest("elicitation/create", ElicitParams(message, "name", "string"));
}

json::object ConfirmRequest() {
  return InputRequest("elicitation/create", ElicitParams("Please confirm", "ok", "boolean"));
}

using MrtrFn = ToolOutcome (*)(ToolContext&, const Responses&);

// Wraps an MRTR fixture: a tool error in the 2025 revisions; malformed inputResponses rejected.
ToolFn ModernTool(std::string name, MrtrFn fn) {
  return [name = std::move(name), fn](ToolContext& ctx, const json::object&) {
    if (!ctx.modern()) {
      return ModernOnly(ctx, name);
    }
    Responses responses(ctx);
    if (responses.error()) {
      return *responses.error();
    }
    return fn(ctx, responses);
  };
}

// user_name → "Hello, <name>!". Needs the elicitation capability.
ToolOutcome ElicitationFixture(ToolContext& ctx, const Responses& responses) {
  if (!HasCapability(ctx, "elicitation")) {
    return MissingCapabilities({"elicitation"});
  }
  const json::value* answer = responses.Get("user_name");
  if (answer == nullptr) {
    // MRTR: a missing input response SHOULD get a new input_required, not an error.
    return InputRequired(json::object{{"user_name", NameRequest("What is your name?")}});
  }
  auto e = ParseElicitation(*answer);
  if (!e) {
    return BadResponse("user_name", "ElicitResult");
  }
  if (e->action != "accept") {
    return ToolOutcome::Text("No name given: the user chose to " + e->action + ".");
  }
  auto name = AcceptedString(*e, "name");
  if (!name) {
    return BadResponse("user_name", "ElicitResult: content.name must be a string");
  }
  return ToolOutcome::Text("Hello, " + *name + "!");
}

ToolOutcome SamplingFixture(ToolContext& ctx, const Responses& responses) {
  if (!HasCapability(ctx, "sampling")) {
    return MissingCapabilities({"sampling"});
  }
  const json::value* answer = responses.Get("sample_request");
  if (answer == nullptr) {
    return InputRequired(json::object{
        {"sample_request", InputRequest("sampling/createMessage",
                                        SamplingParams("What is the capital of France?", 100))}});
  }
  auto text = SampledText(*answer);
  if (!text) {
    return BadResponse("sample_request", "CreateMessageResult");
  }
  return ToolOutcome::Text("Sampling result: " + *text);
}

ToolOutcome ListRootsFixture(ToolContext& ctx, const Responses& responses) {
  if (!HasCapability(ctx, "roots")) {
    return MissingCapabilities({"roots"});
  }
  const json::value* answer = responses.Get("roots_request");
  if (answer == nullptr) {
    return InputRequired(
        json::object{{"roots_request", InputRequest("roots/list", json::object{})}});
  }
  auto count = RootCount(*answer);
  if (!count) {
    return BadResponse("roots_request", "ListRootsResult");
  }
  return ToolOutcome::Text("Found " + std::to_string(*count) + " root(s)");
}

// confirm + a signed requestState; the retry with both → "state-ok".
ToolOutcome RequestStateFixture(ToolContext& ctx, const Responses& responses) {
  if (!HasCapability(ctx, "elicitation")) {
    return MissingCapabilities({"elicitation"});
  }
  const json::object payload{{"kind", "request-state"}};
  auto state = VerifiedState(ctx, "request-state");
  if (auto* error = std::get_if<ToolOutcome>(&state)) {
    return std::move(*error);
  }
  const json::value* answer = responses.Get("confirm");
  if (!std::get<std::optional<json::object>>(state) || answer == nullptr) {
    return InputRequired(json::object{{"confirm", ConfirmRequest()}}, Sign(ctx, payload));
  }
  auto e = ParseElicitation(*answer);
  const json::value* ok = e && e->content ? e->content->if_contains("ok") : nullptr;
  if (!e || (e->action == "accept" && (ok == nullptr || !ok->is_bool()))) {
    return BadResponse("confirm", "ElicitResult: content.ok must be a boolean");
  }
  if (e->action == "accept" && ok->get_bool()) {
    return ToolOutcome::Text("state-ok: requestState validated");
  }
  return ToolOutcome::Text("state-ok: requestState validated; the user did not confirm");
}

// Three input requests at once. Answers received so far travel in the signed state, so a retry
// that answers only some of them is asked only for the rest.
ToolOutcome MultipleInputsFixture(ToolContext& ctx, const Responses& responses) {
  auto missing_caps = Missing(ctx, {"elicitation", "sampling", "roots"});
  if (!missing_caps.empty()) {
    return MissingCapabilities(missing_caps);
  }
  auto state = VerifiedState(ctx, "multiple-inputs");
  if (auto* error = std::get_if<ToolOutcome>(&state)) {
    return std::move(*error);
  }
  json::object answers;
  if (const auto& payload = std::get<std::optional<json::object>>(state)) {
    if (const json::value* a = payload->if_contains("answers"); a && a->is_object()) {
      answers = a->get_object();
    }
  }
  if (const json::value* a = responses.Get("user_name")) {
    auto e = ParseElicitation(*a);
    if (!e || (e->action == "accept" && !AcceptedString(*e, "name"))) {
      return BadResponse("user_name", "ElicitResult");
    }
    answers["user_name"] =
        e->action == "accept" ? *AcceptedString(*e, "name") : "(" + e->action + ")";
  }
  if (const json::value* a = responses.Get("greeting")) {
    auto text = SampledText(*a);
    if (!text) {
      return BadResponse("greeting", "CreateMessageResult");
    }
    answers["greeting"] = *text;
  }
  if (const json::value* a = responses.Get("client_roots")) {
    auto count = RootCount(*a);
    if (!count) {
      return BadResponse("client_roots", "ListRootsResult");
    }
    answers["client_roots"] = *count;
  }
  json::object requests;
  if (!answers.contains("user_name")) {
    requests["user_name"] = NameRequest("What is your name?");
  }
  if (!answers.contains("greeting")) {
    requests["greeting"] =
        InputRequest("sampling/createMessage", SamplingParams("Generate a greeting", 50));
  }
  if (!answers.contains("client_roots")) {
    requests["client_roots"] = InputRequest("roots/list", json::object{});
  }
  if (!requests.empty()) {
    json::object payload{{"kind", "multiple-inputs"}, {"answers", std::move(answers)}};
    return InputRequired(std::move(requests), Sign(ctx, payload));
  }
  return ToolOutcome::Text("Name: " + std::string(answers.at("user_name").as_string()) +
                           "; Greeting: " + std::string(answers.at("greeting").as_string()) +
                           "; Roots: " + json::serialize(answers.at("client_roots")));
}

// Round 1 asks step1 (name), round 2 step2 (color), each with its own signed state.
ToolOutcome MultiRoundFixture(ToolContext& ctx, const Responses& responses) {
  if (!HasCapability(ctx, "elicitation")) {
    return MissingCapabilities({"elicitation"});
  }
  auto verified = VerifiedState(ctx, "multi-round");
  if (auto* error = std::get_if<ToolOutcome>(&verified)) {
    return std::move(*error);
  }
  const auto& state = std::get<std::optional<json::object>>(verified);
  auto step1 = [] { return json::object{{"step1", NameRequest("Step 1: What is your name?")}}; };
  if (!state) {
    return InputRequired(step1(), Sign(ctx, json::object{{"kind", "multi-round"}, {"round", 1}}));
  }
  const json::value* round = state->if_contains("round");
  if (round != nullptr && round->is_int64() && round->get_int64() == 1) {
    const json::value* answer = responses.Get("step1");
    if (answer == nullptr) {
      return InputRequired(step1(), *ctx.request_state());  // ask again, same round
    }
    auto e = ParseElicitation(*answer);
    if (!e || (e->action == "accept" && !AcceptedString(*e, "name"))) {
      return BadResponse("step1", "ElicitResult");
    }
    if (e->action != "accept") {
      return ToolOutcome::Text("Multi-round stopped at step 1: the user chose to " + e->action +
                               ".");
    }
    json::object payload{
        {"kind", "multi-round"}, {"round", 2}, {"name", *AcceptedString(*e, "name")}};
    return InputRequired(
        json::object{{"step2", InputRequest("elicitation/create",
                                            ElicitParams("Step 2: What is your favorite color?",
                                                         "color", "string"))}},
        Sign(ctx, payload));
  }
  const json::value* name = state->if_contains("name");
  if (round == nullptr || !round->is_int64() || round->get_int64() != 2 || name == nullptr ||
      !name->is_string()) {
    return TamperedState();  // signed by us yet not a state we issue: never trust it
  }
  const json::value* answer = responses.Get("step2");
  if (answer == nullptr) {
    return InputRequired(
        json::object{{"step2", InputRequest("elicitation/create",
                                            ElicitParams("Step 2: What is your favorite color?",
                                                         "color", "string"))}},
        *ctx.request_state());
  }
  auto e = ParseElicitation(*answer);
  if (!e || (e->action == "accept" && !AcceptedString(*e, "color"))) {
    return BadResponse("step2", "ElicitResult");
  }
  if (e->action != "accept") {
    return ToolOutcome::Text("Multi-round stopped at step 2: the user chose to " + e->action + ".");
  }
  return ToolOutcome::Text("Multi-round complete for " + std::string(name->get_string()) +
                           " who likes " + *AcceptedString(*e, "color"));
}

// An HMAC-signed state; a retry whose state fails verification is a JSON-RPC error.
ToolOutcome TamperedStateFixture(ToolContext& ctx, const Responses& responses) {
  if (!HasCapability(ctx, "elicitation")) {
    return MissingCapabilities({"elicitation"});
  }
  auto state = VerifiedState(ctx, "tamper-test");
  if (auto* error = std::get_if<ToolOutcome>(&state)) {
    return std::move(*error);
  }
  const json::value* answer = responses.Get("confirm");
  if (std::get<std::optional<json::object>>(state) && answer != nullptr) {
    if (!ParseElicitation(*answer)) {
      return BadResponse("confirm", "ElicitResult");
    }
    return ToolOutcome::Text("integrity-ok: state verified");
  }
  return InputRequired(json::object{{"confirm", ConfirmRequest()}},
                       Sign(ctx, json::object{{"kind", "tamper-test"}}));
}

// Input requests only for the capabilities this request declares (MRTR MUST).
ToolOutcome CapabilitiesFixture(ToolContext& ctx, const Responses& responses) {
  auto state = VerifiedState(ctx, "capabilities-test");
  if (auto* error = std::get_if<ToolOutcome>(&state)) {
    return std::move(*error);
  }
  json::object requests;
  if (HasCapability(ctx, "elicitation")) {
    requests["elicit_input"] =
        InputRequest("elicitation/create", ElicitParams("Elicitation input", "value", "string"));
  }
  if (HasCapability(ctx, "sampling")) {
    requests["sample_input"] =
        InputRequest("sampling/createMessage", SamplingParams("Sample request", 50));
  }
  std::string received;
  for (std::string_view key : {"elicit_input", "sample_input"}) {
    if (const json::value* answer = responses.Get(key)) {
      if (!answer->is_object()) {
        return BadResponse(key, "input response");
      }
      received += received.empty() ? std::string(key) : "," + std::string(key);
    }
  }
  if (!received.empty()) {
    return ToolOutcome::Text("capabilities-ok: received " + received);
  }
  if (requests.empty()) {
    return ToolOutcome::Text("No supported capabilities declared");
  }
  return InputRequired(std::move(requests), Sign(ctx, json::object{{"kind", "capabilities-test"}}));
}

void AddInputRequiredTools(ToolRegistry& tools) {
  const std::pair<const char*, const char*> descriptions[] = {
      {"elicitation", "MRTR: returns InputRequiredResult with elicitation request"},
      {"sampling", "MRTR: returns InputRequiredResult with sampling request"},
      {"list_roots", "MRTR: returns InputRequiredResult with roots/list request"},
      {"request_state", "MRTR: returns InputRequiredResult with requestState"},
      {"multiple_inputs", "MRTR: returns InputRequiredResult with multiple input requests"},
      {"multi_round", "MRTR: multi-round InputRequiredResult workflow"},
      {"tampered_state", "MRTR: HMAC-signed requestState integrity test"},
      {"capabilities", "MRTR: respects client capabilities in inputRequests"},
  };
  const MrtrFn fns[] = {ElicitationFixture,   SamplingFixture,       ListRootsFixture,
                        RequestStateFixture,  MultipleInputsFixture, MultiRoundFixture,
                        TamperedStateFixture, CapabilitiesFixture};
  static_assert(std::size(descriptions) == std::size(fns));
  for (size_t i = 0; i < std::size(fns); ++i) {
    const std::string name = std::string("test_input_required_result_") + descriptions[i].first;
    ToolDescriptor d = Describe(name, descriptions[i].second);
    d.runs_inline = true;  // never blocks: the input comes with the retry
    tools.Add(std::move(d), ModernTool(name, fns[i]));
  }
}

// ---- resources ----

ResourceReader TextReader(std::string uri, std::string mime_type, std::string text) {
  return [uri = std::move(uri), mime_type = std::move(mime_type),
          text = std::move(text)](std::string_view) -> std::optional<json::array> {
    return json::array{json::object{{"uri", uri}, {"mimeType", mime_type}, {"text", text}}};
  };
}

void AddResources(ResourceRegistry& resources) {
  // First: the caching scenario reads the first listed resource.
  resources.Add({"test://static-text", "static-text", "Static Text Resource",
                 "A static text resource for testing", "text/plain"},
                TextReader("test://static-text", "text/plain",
                           "This is the content of the static text resource."));
  resources.Add({"test://static-binary", "static-binary", "Static Binary Resource",
                 "A static binary resource (image) for testing", "image/png"},
                [](std::string_view) -> std::optional<json::array> {
                  return json::array{json::object{{"uri", "test://static-binary"},
                                                  {"mimeType", "image/png"},
                                                  {"blob", kTestImageBase64}}};
                });
  // The 2025 resources-subscribe target.
  resources.Add({"test://watched-resource", "watched-resource", "Watched Resource",
                 "A resource that auto-updates every 3 seconds", "text/plain"},
                TextReader("test://watched-resource", "text/plain", "Watched resource content"));
  resources.Add({"test://stateless-static-text", "stateless-static-text", "Stateless Static Text",
                 "A static text resource served on the draft path", "text/plain"},
                TextReader("test://stateless-static-text", "text/plain",
                           "Static text content from the stateless draft path."));
  resources.AddTemplate(
      {"test://template/{id}/data", "template", "Resource Template",
       "A resource template with parameter substitution", "application/json"},
      [](std::string_view uri) -> std::optional<json::array> {
        std::map<std::string, std::string> vars;
        if (!MatchUriTemplate("test://template/{id}/data", uri, &vars)) {
          return std::nullopt;
        }
        const std::string& id = vars["id"];
        json::object data{{"id", id}, {"templateTest", true}, {"data", "Data for ID: " + id}};
        return json::array{json::object{
            {"uri", uri}, {"mimeType", "application/json"}, {"text", json::serialize(data)}}};
      });
}

// ---- prompts ----

json::object UserMessage(json::object content) {
  return json::object{{"role", "user"}, {"content", std::move(content)}};
}

ToolOutcome Messages(json::array messages) {
  ToolOutcome out;
  out.result["messages"] = std::move(messages);
  return out;
}

// Prompt arguments are strings (MCP server/prompts GetPromptRequest).
std::variant<std::string, ToolOutcome> PromptArgumentValue(const json::object& args,
                                                           std::string_view name) {
  const json::value* v = args.if_contains(name);
  if (v == nullptr || !v->is_string()) {
    return InvalidParams("prompt argument " + Quote(name) + " is required and must be a string");
  }
  return std::string(v->get_string());
}

void AddPrompts(PromptRegistry& prompts) {
  prompts.Add({"test_simple_prompt", "Simple Test Prompt", "A simple prompt without arguments", {}},
              [](ToolContext&, const json::object&) {
                return Messages(
                    json::array{UserMessage(TextContent("This is a simple prompt for testing."))});
              });

  prompts.Add({"test_prompt_with_arguments",
               "Prompt With Arguments",
               "A prompt with required arguments",
               {{"arg1", "First test argument", true}, {"arg2", "Second test argument", true}}},
              [](ToolContext&, const json::object& args) {
                auto arg1 = PromptArgumentValue(args, "arg1");
                auto arg2 = PromptArgumentValue(args, "arg2");
                for (auto* arg : {&arg1, &arg2}) {
                  if (auto* error = std::get_if<ToolOutcome>(arg)) {
                    return std::move(*error);
                  }
                }
                return Messages(json::array{UserMessage(
                    TextContent("Prompt with arguments: arg1='" + std::get<std::string>(arg1) +
                                "', arg2='" + std::get<std::string>(arg2) + "'"))});
              });

  prompts.Add({"test_prompt_with_embedded_resource",
               "Prompt With Embedded Resource",
               "A prompt that includes an embedded resource",
               {{"resourceUri", "URI of the resource to embed", true}}},
              [](ToolContext&, const json::object& args) {
                auto uri = PromptArgumentValue(args, "resourceUri");
                if (auto* error = std::get_if<ToolOutcome>(&uri)) {
                  return std::move(*error);
                }
                json::object resource{{"uri", std::get<std::string>(uri)},
                                      {"mimeType", "text/plain"},
                                      {"text", "Embedded resource content for testing."}};
                return Messages(json::array{
                    UserMessage(json::object{{"type", "resource"}, {"resource", resource}}),
                    UserMessage(TextContent("Please process the embedded resource above."))});
              });

  prompts.Add(
      {"test_prompt_with_image", "Prompt With Image", "A prompt that includes image content", {}},
      [](ToolContext&, const json::object&) {
        return Messages(json::array{UserMessage(ImageContent()),
                                    UserMessage(TextContent("Please analyze the image above."))});
      });

  // MRTR on prompts/get (input-required-result-non-tool-request).
  prompts.Add(
      {"test_input_required_result_prompt", "", "MRTR: prompt that requires elicitation input", {}},
      [](ToolContext& ctx, const json::object&) {
        if (!ctx.modern()) {
          return InvalidParams(
              "test_input_required_result_prompt needs multi round-trip requests, which exist "
              "only in protocol revision 2026-07-28");
        }
        if (!HasCapability(ctx, "elicitation")) {
          return MissingCapabilities({"elicitation"});
        }
        Responses responses(ctx);
        if (responses.error()) {
          return *responses.error();
        }
        const json::value* answer = responses.Get("user_context");
        if (answer == nullptr) {
          return InputRequired(json::object{
              {"user_context", InputRequest("elicitation/create",
                                            ElicitParams("What context should the prompt use?",
                                                         "context", "string"))}});
        }
        auto e = ParseElicitation(*answer);
        if (!e || (e->action == "accept" && !AcceptedString(*e, "context"))) {
          return BadResponse("user_context", "ElicitResult");
        }
        const std::string context =
            e->action == "accept" ? *AcceptedString(*e, "context") : "(none: " + e->action + ")";
        return Messages(json::array{UserMessage(TextContent("Prompt with context: " + context))});
      });
}

}  // namespace

void AddConformanceFixtures(ToolRegistry& tools, ResourceRegistry& resources,
                            PromptRegistry& prompts) {
  AddContentTools(tools);  // test_simple_text first
  AddNotifyingTools(tools);
  AddClientRequestTools(tools);
  AddSchemaTools(tools);
  AddDiagnosticTools(tools);
  AddInputRequiredTools(tools);
  AddStreamDiagnosticTools(tools);
  AddResources(resources);
  AddPrompts(prompts);
}

}  // namespace mcpauth::mcp
