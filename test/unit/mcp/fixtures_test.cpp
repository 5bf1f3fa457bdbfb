#include "mcpauth/mcp/fixtures.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdint>
#include <limits>
#include <regex>
#include <string>
#include <vector>

#include "fakes/fake_clock.hpp"
#include "unit/mcp/fake_tool_context.hpp"

namespace mcpauth::mcp {
namespace {
namespace json = boost::json;
using testing::FakeToolContext;

json::value J(std::string_view text) { return json::parse(text); }

// ---- calling tools ----

ToolOutcome Call(const ToolRegistry& tools, FakeToolContext& ctx, std::string_view name,
                 std::string_view args = "{}") {
  const ToolRegistry::Tool* tool = tools.Find(name);
  EXPECT_NE(tool, nullptr) << name;
  if (tool == nullptr) {
    return ToolOutcome::Error("no such tool");
  }
  ctx.Tool(std::string(name));  // requestState is bound to the tool's name
  return tool->fn(ctx, json::parse(args).as_object());
}

bool IsError(const ToolOutcome& out) {
  const json::value* e = out.result.if_contains("isError");
  return e != nullptr && e->as_bool();
}

std::string Text(const ToolOutcome& out) {
  const json::value* content = out.result.if_contains("content");
  if (content == nullptr || content->as_array().empty()) {
    return "<no content>";
  }
  return std::string(content->as_array().at(0).at("text").as_string());
}

// A complete (non-error) tool result with this text.
void ExpectText(const ToolOutcome& out, std::string_view text) {
  EXPECT_FALSE(out.error.has_value()) << (out.error ? out.error->message : "");
  EXPECT_FALSE(out.input_required);
  EXPECT_FALSE(IsError(out));
  EXPECT_EQ(Text(out), text);
}

void ExpectToolError(const ToolOutcome& out, std::string_view contains) {
  EXPECT_FALSE(out.error.has_value());
  EXPECT_TRUE(IsError(out));
  EXPECT_NE(Text(out).find(contains), std::string::npos) << Text(out);
}

void ExpectRpcError(const ToolOutcome& out, int code, int http_status = 200) {
  ASSERT_TRUE(out.error.has_value()) << json::serialize(out.result);
  EXPECT_EQ(out.error->code, code) << out.error->message;
  EXPECT_EQ(out.http_status, http_status);
}

void ExpectMissingCapabilities(const ToolOutcome& out, std::string_view required_json) {
  ExpectRpcError(out, -32021, 400);
  if (!out.error) {
    return;
  }
  EXPECT_EQ(out.error->message, "MissingRequiredClientCapabilityError");
  ASSERT_TRUE(out.error->data.has_value());
  EXPECT_EQ(*out.error->data, J(R"({"requiredCapabilities":)" + std::string(required_json) + "}"));
}

// An input_required outcome; returns its requestState ("" if none).
std::string ExpectInputRequired(const ToolOutcome& out, std::string_view requests_json) {
  EXPECT_FALSE(out.error.has_value()) << (out.error ? out.error->message : "");
  EXPECT_TRUE(out.input_required);
  const json::value* requests = out.result.if_contains("inputRequests");
  EXPECT_NE(requests, nullptr);
  if (requests != nullptr) {
    EXPECT_EQ(*requests, J(requests_json));
  }
  const json::value* state = out.result.if_contains("requestState");
  return state && state->is_string() ? std::string(state->get_string()) : "";
}

struct Registries {
  ToolRegistry tools;
  ResourceRegistry resources;
  PromptRegistry prompts;
  Registries() { AddConformanceFixtures(tools, resources, prompts); }
};

const Registries& Fixtures() {
  static const Registries r;
  return r;
}

std::vector<std::string> ListedNames(const ToolRegistry& tools) {
  std::vector<std::string> names;
  auto page = tools.List("", 1000);
  EXPECT_TRUE(page.has_value());
  for (const ToolRegistry::Tool* t : page->tools) {
    names.push_back(t->descriptor.name);
  }
  return names;
}

// ============================== built-in tools ==============================

struct Builtins {
  mcpauth::testing::FakeClock clock{1'700'000'000};
  ToolRegistry tools;
  Builtins() { AddBuiltinTools(tools, clock); }
};

TEST(BuiltinToolsTest, RegistersFourStrictScopedTools) {
  Builtins b;
  EXPECT_EQ(ListedNames(b.tools), (std::vector<std::string>{"echo", "add", "time", "whoami"}));
  const std::map<std::string, std::string> scopes = {
      {"echo", "mcp:read"}, {"add", "mcp:tools"}, {"time", "mcp:read"}, {"whoami", "mcp:read"}};
  for (const auto& [name, scope] : scopes) {
    const ToolRegistry::Tool* t = b.tools.Find(name);
    ASSERT_NE(t, nullptr) << name;
    EXPECT_EQ(t->descriptor.required_scopes, std::vector<std::string>{scope}) << name;
    EXPECT_FALSE(t->descriptor.description.empty()) << name;
    EXPECT_EQ(t->descriptor.input_schema.at("type"), "object") << name;
    EXPECT_EQ(t->descriptor.input_schema.at("additionalProperties"), false) << name;
    EXPECT_TRUE(t->descriptor.runs_inline) << name;
  }
  EXPECT_TRUE(b.tools.Find("add")->descriptor.output_schema.has_value());
  EXPECT_TRUE(b.tools.Find("time")->descriptor.output_schema.has_value());
  EXPECT_TRUE(b.tools.Find("whoami")->descriptor.output_schema.has_value());
}

TEST(BuiltinToolsTest, EchoReturnsTheTextAndValidatesArguments) {
  Builtins b;
  FakeToolContext ctx;
  ExpectText(Call(b.tools, ctx, "echo", R"({"text":"héllo, world"})"), "héllo, world");
  ExpectText(Call(b.tools, ctx, "echo", R"({"text":""})"), "");
  ExpectToolError(Call(b.tools, ctx, "echo"), R"(Missing required argument "text")");
  ExpectToolError(Call(b.tools, ctx, "echo", R"({"text":5})"), R"("text" must be a string)");
  ExpectToolError(Call(b.tools, ctx, "echo", R"({"text":"a","x":1})"), R"(Unknown argument "x")");
}

TEST(BuiltinToolsTest, AddSumsAsTextAndStructuredContent) {
  Builtins b;
  FakeToolContext ctx;
  ToolOutcome ints = Call(b.tools, ctx, "add", R"({"a":2,"b":3})");
  ExpectText(ints, "5");
  EXPECT_EQ(ints.result.at("structuredContent"), J(R"({"sum":5})"));
  EXPECT_TRUE(ints.result.at("structuredContent").at("sum").is_int64());

  ToolOutcome doubles = Call(b.tools, ctx, "add", R"({"a":0.5,"b":-0.25})");
  ExpectText(doubles, "0.25");
  EXPECT_EQ(doubles.result.at("structuredContent").at("sum").as_double(), 0.25);

  ExpectText(Call(b.tools, ctx, "add", R"({"a":-7,"b":2.5})"), "-4.5");
  // Integer overflow falls back to a double rather than wrapping.
  ToolOutcome big = Call(b.tools, ctx, "add", R"({"a":9223372036854775807,"b":1})");
  ExpectText(big, "9223372036854775808");
  EXPECT_TRUE(big.result.at("structuredContent").at("sum").is_double());

  ExpectToolError(Call(b.tools, ctx, "add", R"({"a":1e308,"b":1e308})"), "too large");
  ExpectToolError(Call(b.tools, ctx, "add", R"({"a":"2","b":3})"), R"("a" must be a number)");
  ExpectToolError(Call(b.tools, ctx, "add", R"({"a":2})"), R"(Missing required argument "b")");
  ExpectToolError(Call(b.tools, ctx, "add", R"({"a":true,"b":3})"), R"("a" must be a number)");
}

TEST(BuiltinToolsTest, TimeReadsTheInjectedClockAsRfc3339) {
  Builtins b;
  FakeToolContext ctx;
  ToolOutcome now = Call(b.tools, ctx, "time");
  ExpectText(now, "2023-11-14T22:13:20Z");
  EXPECT_EQ(now.result.at("structuredContent"),
            J(R"({"utc":"2023-11-14T22:13:20Z","unixSeconds":1700000000})"));
  const std::vector<std::pair<int64_t, std::string>> cases = {
      {0, "1970-01-01T00:00:00Z"},
      {951'782'400, "2000-02-29T00:00:00Z"},  // leap day
      {4'102'444'799, "2099-12-31T23:59:59Z"},
      {-1, "1969-12-31T23:59:59Z"},
  };
  for (const auto& [seconds, text] : cases) {
    b.clock.SetSeconds(seconds);
    ExpectText(Call(b.tools, ctx, "time"), text);
  }
  b.clock.SetSeconds(10);
  b.clock.Advance(std::chrono::milliseconds(999));  // truncated, not rounded
  ExpectText(Call(b.tools, ctx, "time"), "1970-01-01T00:00:10Z");
  ExpectToolError(Call(b.tools, ctx, "time", R"({"zone":"UTC"})"), R"(Unknown argument "zone")");
}

TEST(BuiltinToolsTest, WhoamiReportsThePrincipal) {
  Builtins b;
  FakeToolContext anonymous;
  ToolOutcome anon = Call(b.tools, anonymous, "whoami");
  ExpectText(anon, "anonymous (authorization is off)");
  EXPECT_EQ(anon.result.at("structuredContent"), J(R"({"authenticated":false})"));

  FakeToolContext ctx;
  ctx.Caller(Principal{"alice", "client-1", {"mcp:read", "mcp:tools"}});
  ToolOutcome alice = Call(b.tools, ctx, "whoami");
  ExpectText(alice, "subject alice, client client-1, scopes: mcp:read mcp:tools");
  EXPECT_EQ(alice.result.at("structuredContent"),
            J(R"({"authenticated":true,"subject":"alice","clientId":"client-1",
                  "scopes":["mcp:read","mcp:tools"]})"));

  FakeToolContext bare;
  bare.Caller(Principal{"bob", "", {}});
  ExpectText(Call(b.tools, bare, "whoami"), "subject bob, no scopes");

  FakeToolContext named;
  named.Caller(Principal{"u1", "client-1", {"mcp:read"}, "carol"});
  ToolOutcome carol = Call(b.tools, named, "whoami");
  ExpectText(carol, "carol (subject u1), client client-1, scopes: mcp:read");
  EXPECT_EQ(carol.result.at("structuredContent"),
            J(R"({"authenticated":true,"subject":"u1","username":"carol","clientId":"client-1",
                  "scopes":["mcp:read"]})"));
}

TEST(CheckArgumentsTest, ChecksTypesRequiredAndAdditionalProperties) {
  const json::object schema = J(R"({"type":"object","properties":{
      "s":{"type":"string"},"n":{"type":"number"},"i":{"type":"integer"},"b":{"type":"boolean"},
      "o":{"type":"object"},"a":{"type":"array"},"any":{}},
      "required":["s"],"additionalProperties":false})")
                                  .as_object();
  struct Case {
    const char* args;
    std::optional<std::string> problem;
  };
  const std::vector<Case> cases = {
      {R"({"s":"x"})", std::nullopt},
      {R"({"s":"x","n":1,"i":2,"b":false,"o":{},"a":[],"any":null})", std::nullopt},
      {R"({"s":"x","i":3.0})", std::nullopt},  // JSON Schema: 3.0 is an integer
      {R"({"s":"x","i":3.5})", R"(Argument "i" must be an integer.)"},
      {R"({"s":"x","n":"1"})", R"(Argument "n" must be a number.)"},
      {R"({"s":"x","b":1})", R"(Argument "b" must be a boolean.)"},
      {R"({"s":"x","o":[]})", R"(Argument "o" must be an object.)"},
      {R"({"s":"x","a":{}})", R"(Argument "a" must be an array.)"},
      {R"({})", R"(Missing required argument "s".)"},
      {R"({"s":null})", R"(Argument "s" must be a string.)"},
      {R"({"s":"x","extra":1})", R"(Unknown argument "extra".)"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(CheckArguments(schema, J(c.args).as_object()), c.problem) << c.args;
  }
  const json::object open = J(R"({"type":"object","properties":{}})").as_object();
  EXPECT_EQ(CheckArguments(open, J(R"({"anything":1})").as_object()), std::nullopt);
}

// ============================== conformance: listing ==============================

TEST(ConformanceFixturesTest, ListsTestSimpleTextFirstAndTheDiagnosticsAfterTheStandardTools) {
  const std::vector<std::string> expected = {
      "test_simple_text",
      "test_image_content",
      "test_audio_content",
      "test_embedded_resource",
      "test_multiple_content_types",
      "test_tool_with_logging",
      "test_tool_with_progress",
      "test_error_handling",
      "test_sampling",
      "test_elicitation",
      "test_elicitation_sep1034_defaults",
      "test_elicitation_sep1330_enums",
      "json_schema_2020_12_tool",
      "test_header_param",
      "test_missing_capability",
      "test_input_required_result_elicitation",
      "test_input_required_result_sampling",
      "test_input_required_result_list_roots",
      "test_input_required_result_request_state",
      "test_input_required_result_multiple_inputs",
      "test_input_required_result_multi_round",
      "test_input_required_result_tampered_state",
      "test_input_required_result_capabilities",
      "test_streaming_elicitation",
      "test_logging_tool",
  };
  EXPECT_EQ(ListedNames(Fixtures().tools), expected);
}

TEST(ConformanceFixturesTest, TriggerToolsAreCallableButUnlisted) {
  for (const char* name : {"test_trigger_tool_change", "test_trigger_prompt_change"}) {
    const ToolRegistry::Tool* t = Fixtures().tools.Find(name);
    ASSERT_NE(t, nullptr) << name;
    EXPECT_FALSE(t->descriptor.listed) << name;
  }
  EXPECT_EQ(Fixtures().tools.size(), 27u);
}

TEST(ConformanceFixturesTest, EveryListedToolHasANameDescriptionAndObjectSchema) {
  // tools-list (alpha.11 rule, the stricter one): 1-64 characters of [A-Za-z0-9_.-].
  const std::regex name_format("^[A-Za-z0-9_.-]{1,64}$");
  auto page = Fixtures().tools.List("", 1000);
  ASSERT_TRUE(page.has_value());
  for (const ToolRegistry::Tool* t : page->tools) {
    const json::object o = t->descriptor.ToJson();
    EXPECT_TRUE(std::regex_match(t->descriptor.name, name_format)) << t->descriptor.name;
    ASSERT_TRUE(o.contains("description")) << t->descriptor.name;
    EXPECT_FALSE(o.at("description").as_string().empty()) << t->descriptor.name;
    EXPECT_EQ(o.at("inputSchema").at("type"), "object") << t->descriptor.name;
  }
}

TEST(ConformanceFixturesTest, JsonSchema202012ToolListsItsSchemaVerbatim) {
  const ToolRegistry::Tool* t = Fixtures().tools.Find("json_schema_2020_12_tool");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(
      json::serialize(t->descriptor.ToJson().at("inputSchema")),
      R"({"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",)"
      R"("$defs":{"address":{"$anchor":"addressDef","type":"object",)"
      R"("properties":{"street":{"type":"string"},"city":{"type":"string"}}}},)"
      R"("properties":{"name":{"type":"string"},"address":{"$ref":"#/$defs/address"},)"
      R"("contactMethod":{"type":"string","enum":["phone","email"]},)"
      R"("phone":{"type":"string"},"email":{"type":"string"}},)"
      R"("allOf":[{"anyOf":[{"required":["phone"]},{"required":["email"]}]}],)"
      R"("if":{"properties":{"contactMethod":{"const":"phone"}},"required":["contactMethod"]},)"
      R"("then":{"required":["phone"]},"else":{"required":["email"]},)"
      R"("additionalProperties":false})");
  EXPECT_EQ(t->descriptor.description,
            "Tool with JSON Schema 2020-12 features for conformance testing (SEP-1613)");
  FakeToolContext ctx;
  ExpectText(Call(Fixtures().tools, ctx, "json_schema_2020_12_tool",
                  R"({"name":"Ada","address":{"city":"London"}})"),
             R"(JSON Schema 2020-12 tool called with: {"name":"Ada","address":{"city":"London"}})");
  ExpectToolError(
      Call(Fixtures().tools, ctx, "json_schema_2020_12_tool", R"({"address":"London"})"),
      R"("address" must be an object)");
}

TEST(ConformanceFixturesTest, HeaderParamToolDeclaresAStringXMcpHeader) {
  const ToolRegistry::Tool* t = Fixtures().tools.Find("test_header_param");
  ASSERT_NE(t, nullptr);
  const json::value& region = t->descriptor.input_schema.at("properties").at("region");
  EXPECT_EQ(region.at("type"), "string");
  EXPECT_EQ(region.at("x-mcp-header"), "Region");
  EXPECT_EQ(t->descriptor.input_schema.at("required"), J(R"(["region"])"));
  FakeToolContext ctx;
  ExpectText(Call(Fixtures().tools, ctx, "test_header_param", R"({"region":"us-west1"})"),
             "region=us-west1");
  ExpectText(Call(Fixtures().tools, ctx, "test_header_param", R"({"region":"=?base64?SGVsbG8="})"),
             "region==?base64?SGVsbG8=");
  ExpectToolError(Call(Fixtures().tools, ctx, "test_header_param"), "Missing required argument");
}

// ============================== conformance: content tools ==============================

TEST(ConformanceFixturesTest, ContentToolsReturnTheExactContent) {
  const std::string image = R"({"type":"image","data":")" + std::string(kTestImageBase64) +
                            R"(","mimeType":"image/png"})";
  const std::vector<std::pair<const char*, std::string>> cases = {
      {"test_simple_text",
       R"([{"type":"text","text":"This is a simple text response for testing."}])"},
      {"test_image_content", "[" + image + "]"},
      {"test_audio_content", R"([{"type":"audio","data":")" + std::string(kTestAudioBase64) +
                                 R"(","mimeType":"audio/wav"}])"},
      {"test_embedded_resource",
       R"([{"type":"resource","resource":{"uri":"test://embedded-resource",)"
       R"("mimeType":"text/plain","text":"This is an embedded resource content."}}])"},
      {"test_multiple_content_types",
       R"([{"type":"text","text":"Multiple content types test:"},)" + image +
           R"(,{"type":"resource","resource":{"uri":"test://mixed-content-resource",)"
           R"("mimeType":"application/json","text":"{\"test\":\"data\",\"value\":123}"}}])"},
  };
  for (bool modern : {true, false}) {
    for (const auto& [name, content] : cases) {
      FakeToolContext ctx;
      if (!modern) {
        ctx.Legacy();
      }
      ToolOutcome out = Call(Fixtures().tools, ctx, name);
      EXPECT_FALSE(out.error.has_value()) << name;
      EXPECT_FALSE(IsError(out)) << name;
      EXPECT_EQ(json::value(out.result), J(R"({"content":)" + content + "}")) << name;
    }
  }
}

TEST(ConformanceFixturesTest, ErrorHandlingToolReturnsAToolError) {
  FakeToolContext ctx;
  ToolOutcome out = Call(Fixtures().tools, ctx, "test_error_handling");
  EXPECT_EQ(json::value(out.result), J(R"({"content":[{"type":"text",
                  "text":"This tool intentionally returns an error for testing"}],
                  "isError":true})"));
  EXPECT_FALSE(out.error.has_value());
}

TEST(ConformanceFixturesTest, LoggingToolSendsThreeInfoMessages) {
  FakeToolContext ctx;
  ctx.Legacy();
  ExpectText(Call(Fixtures().tools, ctx, "test_tool_with_logging"),
             "Tool with logging executed successfully");
  ASSERT_EQ(ctx.logs().size(), 3u);
  const char* texts[] = {"Tool execution started", "Tool processing data",
                         "Tool execution completed"};
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(ctx.logs()[i].level, "info");
    EXPECT_EQ(ctx.logs()[i].data, texts[i]);
  }
}

TEST(ConformanceFixturesTest, ProgressToolReportsZeroFiftyHundred) {
  FakeToolContext ctx;
  ToolOutcome out = Call(Fixtures().tools, ctx, "test_tool_with_progress");
  EXPECT_FALSE(IsError(out));
  ASSERT_EQ(ctx.progress().size(), 3u);
  const double steps[] = {0, 50, 100};
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(ctx.progress()[i].progress, steps[i]);
    EXPECT_EQ(ctx.progress()[i].total, 100.0);
    EXPECT_EQ(ctx.progress()[i].message,
              "Completed step " + std::to_string(static_cast<int>(steps[i])) + " of 100");
  }
}

TEST(ConformanceFixturesTest, ProgressAndLoggingToolsStopWhenCancelled) {
  FakeToolContext progress;
  progress.Cancel();
  ExpectToolError(Call(Fixtures().tools, progress, "test_tool_with_progress"), "cancelled");
  EXPECT_EQ(progress.progress().size(), 1u);
  FakeToolContext logging;
  logging.Cancel();
  ExpectToolError(Call(Fixtures().tools, logging, "test_tool_with_logging"), "cancelled");
  EXPECT_EQ(logging.logs().size(), 1u);
}

// ============================== conformance: sampling and elicitation
// ==============================

TEST(ConformanceFixturesTest, SamplingInTheLegacyEraIsAServerToClientRequest) {
  FakeToolContext ctx;
  ctx.Legacy().Capabilities(R"({"sampling":{},"elicitation":{}})");
  ctx.AnswerClient(J(R"({"role":"assistant","content":{"type":"text",
      "text":"This is a test response from the client"},"model":"test-model",
      "stopReason":"endTurn"})"));
  ExpectText(
      Call(Fixtures().tools, ctx, "test_sampling", R"({"prompt":"Test prompt for sampling"})"),
      "LLM response: This is a test response from the client");
  ASSERT_EQ(ctx.client_requests().size(), 1u);
  EXPECT_EQ(ctx.client_requests()[0].method, "sampling/createMessage");
  EXPECT_EQ(ctx.client_requests()[0].params,
            J(R"({"messages":[{"role":"user","content":{"type":"text",
                  "text":"Test prompt for sampling"}}],"maxTokens":100})"));
  EXPECT_EQ(ctx.client_requests()[0].timeout, std::chrono::seconds(30));
}

TEST(ConformanceFixturesTest, LegacySamplingFailuresAreToolErrors) {
  FakeToolContext silent;  // no canned answer: timeout
  silent.Legacy();
  ExpectToolError(Call(Fixtures().tools, silent, "test_sampling", R"({"prompt":"p"})"),
                  "did not answer sampling/createMessage");

  FakeToolContext refused;
  refused.Legacy().AnswerClient(J(R"({"error":{"code":-1,"message":"User rejected sampling"}})"));
  ExpectToolError(Call(Fixtures().tools, refused, "test_sampling", R"({"prompt":"p"})"),
                  "User rejected sampling");

  FakeToolContext incapable;
  incapable.Legacy().Capabilities(R"({"elicitation":{}})");
  ExpectToolError(Call(Fixtures().tools, incapable, "test_sampling", R"({"prompt":"p"})"),
                  R"(client capability "sampling")");
  EXPECT_TRUE(incapable.client_requests().empty());

  FakeToolContext ctx;
  ctx.Legacy();
  ExpectToolError(Call(Fixtures().tools, ctx, "test_sampling"), R"(argument "prompt")");
  ExpectToolError(Call(Fixtures().tools, ctx, "test_sampling", R"({"prompt":7})"),
                  R"("prompt" must be a string)");
  EXPECT_TRUE(ctx.client_requests().empty());
}

TEST(ConformanceFixturesTest, SamplingInTheModernEraIsAMultiRoundTrip) {
  FakeToolContext ctx;
  ExpectInputRequired(Call(Fixtures().tools, ctx, "test_sampling", R"({"prompt":"Hi"})"),
                      R"({"sampling":{"method":"sampling/createMessage","params":{
                          "messages":[{"role":"user","content":{"type":"text","text":"Hi"}}],
                          "maxTokens":100}}})");
  EXPECT_TRUE(ctx.client_requests().empty());  // never a server-to-client request in 2026
  ctx.Retry(R"({"sampling":{"role":"assistant","content":{"type":"text","text":"Hello!"},
                "model":"m","stopReason":"endTurn"}})");
  ExpectText(Call(Fixtures().tools, ctx, "test_sampling", R"({"prompt":"Hi"})"),
             "LLM response: Hello!");

  FakeToolContext incapable;
  incapable.Capabilities("{}");
  ExpectMissingCapabilities(Call(Fixtures().tools, incapable, "test_sampling", R"({"prompt":"x"})"),
                            R"({"sampling":{}})");
}

TEST(ConformanceFixturesTest, ElicitationAsksForUsernameAndEmail) {
  FakeToolContext ctx;
  ctx.Legacy().AnswerClient(
      J(R"({"action":"accept","content":{"username":"testuser","email":"test@example.com"}})"));
  ExpectText(
      Call(Fixtures().tools, ctx, "test_elicitation",
           R"({"message":"Please provide your information"})"),
      R"(User response: action=accept, content={"username":"testuser","email":"test@example.com"})");
  ASSERT_EQ(ctx.client_requests().size(), 1u);
  EXPECT_EQ(ctx.client_requests()[0].method, "elicitation/create");
  EXPECT_EQ(ctx.client_requests()[0].params,
            J(R"({"message":"Please provide your information","requestedSchema":{
                  "type":"object","properties":{
                    "username":{"type":"string","description":"User's response"},
                    "email":{"type":"string","description":"User's email address"}},
                  "required":["username","email"]}})"));

  FakeToolContext declined;
  declined.Legacy().AnswerClient(J(R"({"action":"decline"})"));
  ExpectText(Call(Fixtures().tools, declined, "test_elicitation", R"({"message":"m"})"),
             "User response: action=decline, content={}");

  FakeToolContext garbage;
  garbage.Legacy().AnswerClient(J(R"({"action":"maybe"})"));
  ExpectToolError(Call(Fixtures().tools, garbage, "test_elicitation", R"({"message":"m"})"),
                  "not a valid ElicitResult");

  FakeToolContext modern;
  ExpectInputRequired(Call(Fixtures().tools, modern, "test_elicitation", R"({"message":"m"})"),
                      R"({"form":{"method":"elicitation/create","params":{"message":"m",
                          "requestedSchema":{"type":"object","properties":{
                            "username":{"type":"string","description":"User's response"},
                            "email":{"type":"string","description":"User's email address"}},
                          "required":["username","email"]}}}})");
  modern.Retry(R"({"form":{"action":"cancel"}})");
  ExpectText(Call(Fixtures().tools, modern, "test_elicitation", R"({"message":"m"})"),
             "User response: action=cancel, content={}");
  modern.Retry(R"({"form":"yes"})");
  ExpectRpcError(Call(Fixtures().tools, modern, "test_elicitation", R"({"message":"m"})"), -32602);
}

TEST(ConformanceFixturesTest, Sep1034DefaultsCoverEveryPrimitiveType) {
  FakeToolContext ctx;
  ctx.Legacy().AnswerClient(J(R"({"action":"accept","content":{"name":"John Doe","age":30}})"));
  ExpectText(Call(Fixtures().tools, ctx, "test_elicitation_sep1034_defaults"),
             R"(Elicitation completed: action=accept, content={"name":"John Doe","age":30})");
  ASSERT_EQ(ctx.client_requests().size(), 1u);
  const json::value& params = ctx.client_requests()[0].params;
  EXPECT_EQ(params.at("message"), "Please review and update the form fields with defaults");
  const json::value& props = params.at("requestedSchema").at("properties");
  EXPECT_EQ(props.at("name"),
            J(R"({"type":"string","description":"User name","default":"John Doe"})"));
  EXPECT_TRUE(props.at("age").at("default").is_int64());
  EXPECT_EQ(props.at("age").at("default"), 30);
  EXPECT_EQ(props.at("age").at("type"), "integer");
  EXPECT_TRUE(props.at("score").at("default").is_double());
  EXPECT_EQ(props.at("score").at("default").as_double(), 95.5);
  EXPECT_EQ(props.at("status"), J(R"({"type":"string","description":"User status",
                  "enum":["active","inactive","pending"],"default":"active"})"));
  EXPECT_EQ(props.at("verified"),
            J(R"({"type":"boolean","description":"Verification status","default":true})"));
  EXPECT_EQ(params.at("requestedSchema").at("required"), J("[]"));
}

TEST(ConformanceFixturesTest, Sep1330EnumsCoverTheFiveShapes) {
  FakeToolContext ctx;
  ctx.Legacy().AnswerClient(J(R"({"action":"accept","content":{"untitledSingle":"option1"}})"));
  ExpectText(Call(Fixtures().tools, ctx, "test_elicitation_sep1330_enums"),
             R"(Elicitation completed: action=accept, content={"untitledSingle":"option1"})");
  ASSERT_EQ(ctx.client_requests().size(), 1u);
  const json::value& params = ctx.client_requests()[0].params;
  EXPECT_EQ(params.at("message"), "Please select options from the enum fields");
  EXPECT_EQ(params.at("requestedSchema"), J(R"json({"type":"object","properties":{
      "untitledSingle":{"type":"string","description":"Select one option",
                        "enum":["option1","option2","option3"]},
      "titledSingle":{"type":"string","description":"Select one option with titles",
                      "oneOf":[{"const":"value1","title":"First Option"},
                               {"const":"value2","title":"Second Option"},
                               {"const":"value3","title":"Third Option"}]},
      "legacyEnum":{"type":"string","description":"Select one option (legacy)",
                    "enum":["opt1","opt2","opt3"],
                    "enumNames":["Option One","Option Two","Option Three"]},
      "untitledMulti":{"type":"array","description":"Select multiple options","minItems":1,
                       "maxItems":3,"items":{"type":"string","enum":["option1","option2","option3"]}},
      "titledMulti":{"type":"array","description":"Select multiple options with titles",
                     "minItems":1,"maxItems":3,
                     "items":{"anyOf":[{"const":"value1","title":"First Choice"},
                                       {"const":"value2","title":"Second Choice"},
                                       {"const":"value3","title":"Third Choice"}]}}},
      "required":[]})json"));
}

// ============================== conformance: 2026 diagnostics ==============================

TEST(ConformanceFixturesTest, MissingCapabilityIsMinus32021WithHttp400) {
  FakeToolContext none;
  none.Capabilities("{}");
  ExpectMissingCapabilities(Call(Fixtures().tools, none, "test_missing_capability"),
                            R"({"sampling":{}})");
  FakeToolContext sampling;
  sampling.Capabilities(R"({"sampling":{}})");
  ExpectText(Call(Fixtures().tools, sampling, "test_missing_capability"), "Success");
  // The 2025 revisions do not define -32021: a tool error instead.
  FakeToolContext legacy;
  legacy.Legacy().Capabilities("{}");
  ExpectToolError(Call(Fixtures().tools, legacy, "test_missing_capability"),
                  R"(client capability "sampling")");
}

TEST(ConformanceFixturesTest, StreamingElicitationStreamsProgressThenAResult) {
  FakeToolContext ctx;
  ctx.Capabilities(R"({"elicitation":{}})");
  ExpectText(Call(Fixtures().tools, ctx, "test_streaming_elicitation"), "Streaming complete");
  ASSERT_EQ(ctx.progress().size(), 1u);
  EXPECT_EQ(ctx.progress()[0].progress, 50);
  EXPECT_TRUE(ctx.client_requests().empty());
  FakeToolContext none;
  none.Capabilities("{}");
  ExpectMissingCapabilities(Call(Fixtures().tools, none, "test_streaming_elicitation"),
                            R"({"elicitation":{}})");
}

TEST(ConformanceFixturesTest, LoggingDiagnosticLeavesFilteringToTheServer) {
  FakeToolContext ctx;
  ExpectText(Call(Fixtures().tools, ctx, "test_logging_tool"), "Logging evaluated");
  ASSERT_EQ(ctx.logs().size(), 1u);
  EXPECT_EQ(ctx.logs()[0].level, "info");
}

TEST(ConformanceFixturesTest, TriggerToolsNotifyListChanges) {
  FakeToolContext ctx;
  ExpectText(Call(Fixtures().tools, ctx, "test_trigger_tool_change"), "Mutation triggered");
  ExpectText(Call(Fixtures().tools, ctx, "test_trigger_prompt_change"), "Mutation triggered");
  EXPECT_EQ(ctx.list_changes(), (std::vector<std::string>{"tools", "prompts"}));
}

// ============================== conformance: multi round-trip ==============================

constexpr const char* kUserNameRequest = R"({"user_name":{"method":"elicitation/create",
    "params":{"message":"What is your name?","requestedSchema":{"type":"object",
    "properties":{"name":{"type":"string"}},"required":["name"]}}}})";

TEST(InputRequiredFixturesTest, ElicitationRoundTrip) {
  FakeToolContext ctx;
  const char* tool = "test_input_required_result_elicitation";
  EXPECT_EQ(ExpectInputRequired(Call(Fixtures().tools, ctx, tool), kUserNameRequest), "");
  ctx.Retry(R"({"user_name":{"action":"accept","content":{"name":"Alice"}}})");
  ExpectText(Call(Fixtures().tools, ctx, tool), "Hello, Alice!");
}

TEST(InputRequiredFixturesTest, ElicitationHandlesMissingExtraAndMalformedResponses) {
  const char* tool = "test_input_required_result_elicitation";
  FakeToolContext ctx;
  // -missing-input-response: a new input_required, not an error.
  ctx.Retry(R"({"wrong_key":{"action":"accept","content":{"data":"wrong"}}})");
  ExpectInputRequired(Call(Fixtures().tools, ctx, tool), kUserNameRequest);
  // -ignore-extra-params: unknown keys are ignored, no state needed.
  ctx.Retry(R"({"user_name":{"action":"accept","content":{"name":"Alice"}},
                "unknown_extra_key":{"action":"accept","content":{"foo":"bar"}},
                "another_unexpected":{"action":"accept","content":{"baz":123}}})");
  ExpectText(Call(Fixtures().tools, ctx, tool), "Hello, Alice!");
  // -validate-input: malformed input is a JSON-RPC error.
  for (const char* bad : {R"({"user_name":12345})", "null", "[]",
                          R"({"user_name":{"action":"accept","content":{"name":5}}})",
                          R"({"user_name":{"action":"accept"}})",
                          R"({"user_name":{"action":"sure","content":{"name":"A"}}})"}) {
    ctx.Retry(bad);
    ExpectRpcError(Call(Fixtures().tools, ctx, tool), -32602);
  }
  ctx.Retry(R"({"user_name":{"action":"decline"}})");
  ExpectText(Call(Fixtures().tools, ctx, tool), "No name given: the user chose to decline.");
}

TEST(InputRequiredFixturesTest, OnlyInputRequestsForDeclaredCapabilities) {
  const std::vector<std::pair<const char*, const char*>> needs = {
      {"test_input_required_result_elicitation", R"({"elicitation":{}})"},
      {"test_input_required_result_sampling", R"({"sampling":{}})"},
      {"test_input_required_result_list_roots", R"({"roots":{}})"},
      {"test_input_required_result_request_state", R"({"elicitation":{}})"},
      {"test_input_required_result_multiple_inputs",
       R"({"elicitation":{},"sampling":{},"roots":{}})"},
      {"test_input_required_result_multi_round", R"({"elicitation":{}})"},
      {"test_input_required_result_tampered_state", R"({"elicitation":{}})"},
  };
  for (const auto& [tool, required] : needs) {
    FakeToolContext ctx;
    ctx.Capabilities("{}");
    SCOPED_TRACE(tool);
    ExpectMissingCapabilities(Call(Fixtures().tools, ctx, tool), required);
  }
  FakeToolContext some;
  some.Capabilities(R"({"sampling":{}})");
  ExpectMissingCapabilities(
      Call(Fixtures().tools, some, "test_input_required_result_multiple_inputs"),
      R"({"elicitation":{},"roots":{}})");
}

TEST(InputRequiredFixturesTest, InputRequiredToolsAreToolErrorsInTheLegacyEra) {
  auto page = Fixtures().tools.List("", 1000);
  ASSERT_TRUE(page.has_value());
  int checked = 0;
  for (const ToolRegistry::Tool* t : page->tools) {
    if (!t->descriptor.name.starts_with("test_input_required_result_")) {
      continue;
    }
    FakeToolContext ctx;
    ctx.Legacy("2025-06-18");
    ToolOutcome out = Call(Fixtures().tools, ctx, t->descriptor.name);
    ExpectToolError(out, "2026-07-28");
    EXPECT_NE(Text(out).find("2025-06-18"), std::string::npos);
    EXPECT_FALSE(out.input_required);
    ++checked;
  }
  EXPECT_EQ(checked, 8);
}

TEST(InputRequiredFixturesTest, SamplingRoundTrip) {
  FakeToolContext ctx;
  const char* tool = "test_input_required_result_sampling";
  ExpectInputRequired(Call(Fixtures().tools, ctx, tool),
                      R"({"sample_request":{"method":"sampling/createMessage","params":{
                          "messages":[{"role":"user","content":{"type":"text",
                          "text":"What is the capital of France?"}}],"maxTokens":100}}})");
  ctx.Retry(R"({"sample_request":{"role":"assistant","content":{"type":"text",
      "text":"The capital of France is Paris."},"model":"test-model","stopReason":"endTurn"}})");
  ExpectText(Call(Fixtures().tools, ctx, tool), "Sampling result: The capital of France is Paris.");
  ctx.Retry(R"({"sample_request":{"role":"assistant"}})");
  ExpectRpcError(Call(Fixtures().tools, ctx, tool), -32602);
}

TEST(InputRequiredFixturesTest, ListRootsRoundTrip) {
  FakeToolContext ctx;
  const char* tool = "test_input_required_result_list_roots";
  ExpectInputRequired(Call(Fixtures().tools, ctx, tool),
                      R"({"roots_request":{"method":"roots/list","params":{}}})");
  ctx.Retry(R"({"roots_request":{"roots":[{"uri":"file:///test/root","name":"Test Root"}]}})");
  ExpectText(Call(Fixtures().tools, ctx, tool), "Found 1 root(s)");
  ctx.Retry(R"({"roots_request":{"roots":"file:///"}})");
  ExpectRpcError(Call(Fixtures().tools, ctx, tool), -32602);
}

constexpr const char* kConfirmRequest = R"({"confirm":{"method":"elicitation/create",
    "params":{"message":"Please confirm","requestedSchema":{"type":"object",
    "properties":{"ok":{"type":"boolean"}},"required":["ok"]}}}})";

TEST(InputRequiredFixturesTest, RequestStateRoundTrip) {
  FakeToolContext ctx;
  const char* tool = "test_input_required_result_request_state";
  const std::string state = ExpectInputRequired(Call(Fixtures().tools, ctx, tool), kConfirmRequest);
  ASSERT_FALSE(state.empty());
  const char* confirmed = R"({"confirm":{"action":"accept","content":{"ok":true}}})";
  ctx.Retry(confirmed, state);
  ToolOutcome done = Call(Fixtures().tools, ctx, tool);
  ExpectText(done, "state-ok: requestState validated");
  // Without the state: asked again.
  ctx.Retry(confirmed);
  EXPECT_FALSE(ExpectInputRequired(Call(Fixtures().tools, ctx, tool), kConfirmRequest).empty());
  // Not confirmed: still validated, reported as such.
  ctx.Retry(R"({"confirm":{"action":"accept","content":{"ok":false}}})", state);
  ExpectText(Call(Fixtures().tools, ctx, tool),
             "state-ok: requestState validated; the user did not confirm");
  ctx.Retry(R"({"confirm":{"action":"accept","content":{"ok":"yes"}}})", state);
  ExpectRpcError(Call(Fixtures().tools, ctx, tool), -32602);
  // A state forged or minted for another tool or caller fails the integrity check.
  for (const std::string& bad :
       {state + "x", std::string("eyJraW5kIjoicmVxdWVzdC1zdGF0ZSJ9"), std::string("not a state")}) {
    ctx.Retry(confirmed, bad);
    ExpectRpcError(Call(Fixtures().tools, ctx, tool), -32602);
  }
  FakeToolContext other;
  other.Tool("test_input_required_result_tampered_state");
  const std::string foreign = other.SignState(R"({"kind":"request-state"})");
  ctx.Retry(confirmed, foreign);
  ExpectRpcError(Call(Fixtures().tools, ctx, tool), -32602);
  FakeToolContext mallory;
  mallory.Caller(Principal{"mallory", "c", {}}).Retry(confirmed, state);
  ExpectRpcError(Call(Fixtures().tools, mallory, tool), -32602);
}

TEST(InputRequiredFixturesTest, MultipleInputsRoundTrip) {
  FakeToolContext ctx;
  const char* tool = "test_input_required_result_multiple_inputs";
  const char* all_requests = R"({
      "user_name":{"method":"elicitation/create","params":{"message":"What is your name?",
        "requestedSchema":{"type":"object","properties":{"name":{"type":"string"}},
        "required":["name"]}}},
      "greeting":{"method":"sampling/createMessage","params":{"messages":[{"role":"user",
        "content":{"type":"text","text":"Generate a greeting"}}],"maxTokens":50}},
      "client_roots":{"method":"roots/list","params":{}}})";
  const std::string state = ExpectInputRequired(Call(Fixtures().tools, ctx, tool), all_requests);
  ASSERT_FALSE(state.empty());
  ctx.Retry(R"({"user_name":{"action":"accept","content":{"name":"Alice"}},
      "greeting":{"role":"assistant","content":{"type":"text","text":"Hello there!"},
                  "model":"test-model","stopReason":"endTurn"},
      "client_roots":{"roots":[{"uri":"file:///test/root","name":"Test Root"}]}})",
            state);
  ExpectText(Call(Fixtures().tools, ctx, tool), "Name: Alice; Greeting: Hello there!; Roots: 1");
}

TEST(InputRequiredFixturesTest, MultipleInputsAsksOnlyForWhatIsStillMissing) {
  FakeToolContext ctx;
  const char* tool = "test_input_required_result_multiple_inputs";
  ToolOutcome r1 = Call(Fixtures().tools, ctx, tool);
  ASSERT_TRUE(r1.input_required);
  EXPECT_EQ(r1.result.at("inputRequests").as_object().size(), 3u);
  const std::string s1(r1.result.at("requestState").as_string());
  ctx.Retry(R"({"user_name":{"action":"accept","content":{"name":"Bob"}}})", s1);
  ToolOutcome r2 = Call(Fixtures().tools, ctx, tool);
  ASSERT_TRUE(r2.input_required);
  const json::object& requests = r2.result.at("inputRequests").as_object();
  EXPECT_FALSE(requests.contains("user_name"));
  EXPECT_TRUE(requests.contains("greeting"));
  EXPECT_TRUE(requests.contains("client_roots"));
  const std::string s2(r2.result.at("requestState").as_string());
  EXPECT_NE(s2, s1);
  ctx.Retry(R"({"greeting":{"role":"assistant","content":{"type":"text","text":"Hi"}},
                "client_roots":{"roots":[]}})",
            s2);
  ExpectText(Call(Fixtures().tools, ctx, tool), "Name: Bob; Greeting: Hi; Roots: 0");
}

TEST(InputRequiredFixturesTest, MultiRoundUsesADifferentStateEachRound) {
  FakeToolContext ctx;
  const char* tool = "test_input_required_result_multi_round";
  const std::string s1 = ExpectInputRequired(Call(Fixtures().tools, ctx, tool),
                                             R"({"step1":{"method":"elicitation/create","params":{
                              "message":"Step 1: What is your name?","requestedSchema":{
                              "type":"object","properties":{"name":{"type":"string"}},
                              "required":["name"]}}}})");
  ASSERT_FALSE(s1.empty());
  ctx.Retry(R"({"step1":{"action":"accept","content":{"name":"Alice"}}})", s1);
  const char* step2 = R"({"step2":{"method":"elicitation/create","params":{
      "message":"Step 2: What is your favorite color?","requestedSchema":{"type":"object",
      "properties":{"color":{"type":"string"}},"required":["color"]}}}})";
  const std::string s2 = ExpectInputRequired(Call(Fixtures().tools, ctx, tool), step2);
  ASSERT_FALSE(s2.empty());
  EXPECT_NE(s2, s1);
  ctx.Retry(R"({"step2":{"action":"accept","content":{"color":"blue"}}})", s2);
  ExpectText(Call(Fixtures().tools, ctx, tool), "Multi-round complete for Alice who likes blue");

  // A round's answer missing: the same question again, with the same state.
  ctx.Retry(R"({"step2":{"action":"accept","content":{"color":"red"}}})", s1);
  EXPECT_EQ(ExpectInputRequired(Call(Fixtures().tools, ctx, tool),
                                R"({"step1":{"method":"elicitation/create","params":{
                                    "message":"Step 1: What is your name?","requestedSchema":{
                                    "type":"object","properties":{"name":{"type":"string"}},
                                    "required":["name"]}}}})"),
            s1);
  ctx.Retry("{}", s2);
  EXPECT_EQ(ExpectInputRequired(Call(Fixtures().tools, ctx, tool), step2), s2);
  ctx.Retry(R"({"step1":{"action":"decline"}})", s1);
  ExpectText(Call(Fixtures().tools, ctx, tool),
             "Multi-round stopped at step 1: the user chose to decline.");
  ctx.Retry(R"({"step2":{"action":"accept","content":{"color":"blue"}}})", s2 + "-TAMPERED");
  ExpectRpcError(Call(Fixtures().tools, ctx, tool), -32602);
}

TEST(InputRequiredFixturesTest, TamperedStateIsAJsonRpcError) {
  FakeToolContext ctx;
  const char* tool = "test_input_required_result_tampered_state";
  const std::string state = ExpectInputRequired(Call(Fixtures().tools, ctx, tool), kConfirmRequest);
  ASSERT_FALSE(state.empty());
  const char* confirmed = R"({"confirm":{"action":"accept","content":{"ok":true}}})";
  ctx.Retry(confirmed, state + "-TAMPERED");
  ToolOutcome tampered = Call(Fixtures().tools, ctx, tool);
  ExpectRpcError(tampered, -32602, 200);
  if (tampered.error) {
    EXPECT_EQ(tampered.error->message, "requestState integrity check failed");
  }
  // A single flipped character anywhere in the MAC or payload is caught too.
  for (size_t i = 0; i < state.size(); i += 7) {
    std::string flipped = state;
    flipped[i] = flipped[i] == 'A' ? 'B' : 'A';
    ctx.Retry(confirmed, flipped);
    ExpectRpcError(Call(Fixtures().tools, ctx, tool), -32602);
  }
  ctx.Retry(confirmed, state);
  ExpectText(Call(Fixtures().tools, ctx, tool), "integrity-ok: state verified");
}

TEST(InputRequiredFixturesTest, CapabilitiesBuildsRequestsOnlyForDeclaredCapabilities) {
  const char* tool = "test_input_required_result_capabilities";
  const char* sample = R"({"method":"sampling/createMessage","params":{"messages":[{"role":"user",
      "content":{"type":"text","text":"Sample request"}}],"maxTokens":50}})";
  const char* elicit = R"({"method":"elicitation/create","params":{"message":"Elicitation input",
      "requestedSchema":{"type":"object","properties":{"value":{"type":"string"}},
      "required":["value"]}}})";

  FakeToolContext sampling_only;  // what the -capability-check scenario sends
  sampling_only.Capabilities(R"({"sampling":{}})");
  const std::string state = ExpectInputRequired(Call(Fixtures().tools, sampling_only, tool),
                                                R"({"sample_input":)" + std::string(sample) + "}");
  EXPECT_FALSE(state.empty());

  FakeToolContext both;
  ExpectInputRequired(
      Call(Fixtures().tools, both, tool),
      R"({"elicit_input":)" + std::string(elicit) + R"(,"sample_input":)" + sample + "}");

  FakeToolContext none;
  none.Capabilities(R"({"roots":{}})");
  ExpectText(Call(Fixtures().tools, none, tool), "No supported capabilities declared");

  sampling_only.Retry(R"({"sample_input":{"role":"assistant","content":{"type":"text",
      "text":"ok"}},"noise":{}})",
                      state);
  ExpectText(Call(Fixtures().tools, sampling_only, tool), "capabilities-ok: received sample_input");
  sampling_only.Retry(R"({"sample_input":{}})", state + "x");
  ExpectRpcError(Call(Fixtures().tools, sampling_only, tool), -32602);
}

// ============================== conformance: resources ==============================

TEST(ConformanceResourcesTest, ListsStaticTextFirst) {
  const auto& resources = Fixtures().resources.resources();
  ASSERT_EQ(resources.size(), 4u);
  EXPECT_EQ(resources[0].first.uri, "test://static-text");
  EXPECT_EQ(resources[1].first.uri, "test://static-binary");
  EXPECT_EQ(resources[2].first.uri, "test://watched-resource");
  EXPECT_EQ(resources[3].first.uri, "test://stateless-static-text");
  EXPECT_EQ(json::value(resources[0].first.ToJson(false)),
            J(R"({"uri":"test://static-text","name":"static-text","title":"Static Text Resource",
                  "description":"A static text resource for testing","mimeType":"text/plain"})"));
  for (const auto& [d, reader] : resources) {
    EXPECT_FALSE(d.name.empty()) << d.uri;  // resources-list: uri and name on every resource
  }
  const auto& templates = Fixtures().resources.templates();
  ASSERT_EQ(templates.size(), 1u);
  EXPECT_EQ(json::value(templates[0].first.ToJson(true)),
            J(R"({"uriTemplate":"test://template/{id}/data","name":"template",
                  "title":"Resource Template",
                  "description":"A resource template with parameter substitution",
                  "mimeType":"application/json"})"));
}

TEST(ConformanceResourcesTest, ReadsTheExactContents) {
  const std::vector<std::pair<const char*, std::string>> cases = {
      {"test://static-text",
       R"([{"uri":"test://static-text","mimeType":"text/plain",
            "text":"This is the content of the static text resource."}])"},
      {"test://static-binary", R"([{"uri":"test://static-binary","mimeType":"image/png","blob":")" +
                                   std::string(kTestImageBase64) + R"("}])"},
      {"test://watched-resource",
       R"([{"uri":"test://watched-resource","mimeType":"text/plain",
            "text":"Watched resource content"}])"},
      {"test://stateless-static-text",
       R"([{"uri":"test://stateless-static-text","mimeType":"text/plain",
            "text":"Static text content from the stateless draft path."}])"},
  };
  for (const auto& [uri, contents] : cases) {
    auto read = Fixtures().resources.Read(uri);
    ASSERT_TRUE(read.has_value()) << uri;
    EXPECT_EQ(json::value(*read), J(contents)) << uri;
  }
}

TEST(ConformanceResourcesTest, TemplateSubstitutesTheId) {
  auto read = Fixtures().resources.Read("test://template/123/data");
  ASSERT_TRUE(read.has_value());
  ASSERT_EQ(read->size(), 1u);
  EXPECT_EQ(read->at(0).at("uri"), "test://template/123/data");
  EXPECT_EQ(read->at(0).at("mimeType"), "application/json");
  EXPECT_EQ(read->at(0).at("text"),
            R"({"id":"123","templateTest":true,"data":"Data for ID: 123"})");
  auto other = Fixtures().resources.Read("test://template/abc-9/data");
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(other->at(0).at("text"),
            R"({"id":"abc-9","templateTest":true,"data":"Data for ID: abc-9"})");
  EXPECT_FALSE(Fixtures().resources.Read("test://template//data").has_value());
  EXPECT_FALSE(
      Fixtures().resources.Read("test://nonexistent-resource-for-conformance-testing").has_value());
}

// ============================== conformance: prompts ==============================

ToolOutcome GetPrompt(FakeToolContext& ctx, std::string_view name, std::string_view args = "{}") {
  const PromptRegistry::Prompt* p = Fixtures().prompts.Find(name);
  EXPECT_NE(p, nullptr) << name;
  if (p == nullptr) {
    return ToolOutcome::Error("no such prompt");
  }
  ctx.Tool(std::string(name));
  return p->fn(ctx, json::parse(args).as_object());
}

TEST(ConformancePromptsTest, ListsFivePromptsWithDescriptions) {
  std::vector<std::string> names;
  for (const auto& p : Fixtures().prompts.prompts()) {
    names.push_back(p.descriptor.name);
    EXPECT_FALSE(p.descriptor.description.empty()) << p.descriptor.name;  // prompts-list
  }
  EXPECT_EQ(names, (std::vector<std::string>{"test_simple_prompt", "test_prompt_with_arguments",
                                             "test_prompt_with_embedded_resource",
                                             "test_prompt_with_image",
                                             "test_input_required_result_prompt"}));
  EXPECT_EQ(json::value(Fixtures().prompts.Find("test_prompt_with_arguments")->descriptor.ToJson()),
            J(R"({"name":"test_prompt_with_arguments","title":"Prompt With Arguments",
                  "description":"A prompt with required arguments","arguments":[
                  {"name":"arg1","description":"First test argument","required":true},
                  {"name":"arg2","description":"Second test argument","required":true}]})"));
  EXPECT_EQ(json::value(Fixtures().prompts.Find("test_simple_prompt")->descriptor.ToJson()),
            J(R"({"name":"test_simple_prompt","title":"Simple Test Prompt",
            "description":"A simple prompt without arguments"})"));
}

TEST(ConformancePromptsTest, RenderTheExactMessages) {
  const std::string image = R"({"type":"image","data":")" + std::string(kTestImageBase64) +
                            R"(","mimeType":"image/png"})";
  struct Case {
    const char* name;
    const char* args;
    std::string messages;
  };
  const std::vector<Case> cases = {
      {"test_simple_prompt", "{}",
       R"([{"role":"user","content":{"type":"text","text":"This is a simple prompt for testing."}}])"},
      {"test_prompt_with_arguments", R"({"arg1":"testValue1","arg2":"testValue2"})",
       R"([{"role":"user","content":{"type":"text",
            "text":"Prompt with arguments: arg1='testValue1', arg2='testValue2'"}}])"},
      {"test_prompt_with_embedded_resource", R"({"resourceUri":"test://example-resource"})",
       R"([{"role":"user","content":{"type":"resource","resource":{"uri":"test://example-resource",
            "mimeType":"text/plain","text":"Embedded resource content for testing."}}},
           {"role":"user","content":{"type":"text",
            "text":"Please process the embedded resource above."}}])"},
      {"test_prompt_with_image", "{}",
       R"([{"role":"user","content":)" + image +
           R"(},{"role":"user","content":{"type":"text","text":"Please analyze the image above."}}])"},
  };
  for (bool modern : {true, false}) {
    for (const Case& c : cases) {
      FakeToolContext ctx;
      if (!modern) {
        ctx.Legacy();
      }
      ToolOutcome out = GetPrompt(ctx, c.name, c.args);
      EXPECT_FALSE(out.error.has_value()) << c.name;
      EXPECT_FALSE(out.input_required) << c.name;
      EXPECT_EQ(json::value(out.result), J(R"({"messages":)" + c.messages + "}")) << c.name;
    }
  }
  FakeToolContext ctx;
  ExpectRpcError(GetPrompt(ctx, "test_prompt_with_arguments", R"({"arg1":"x"})"), -32602);
  ExpectRpcError(GetPrompt(ctx, "test_prompt_with_embedded_resource", R"({"resourceUri":1})"),
                 -32602);
}

TEST(ConformancePromptsTest, InputRequiredPromptRoundTrip) {
  FakeToolContext ctx;
  const char* prompt = "test_input_required_result_prompt";
  ExpectInputRequired(GetPrompt(ctx, prompt),
                      R"({"user_context":{"method":"elicitation/create","params":{
                          "message":"What context should the prompt use?","requestedSchema":{
                          "type":"object","properties":{"context":{"type":"string"}},
                          "required":["context"]}}}})");
  ctx.Retry(R"({"user_context":{"action":"accept","content":{"context":"test context"}}})");
  ToolOutcome done = GetPrompt(ctx, prompt);
  EXPECT_FALSE(done.input_required);
  EXPECT_EQ(json::value(done.result), J(R"({"messages":[{"role":"user","content":{"type":"text",
                  "text":"Prompt with context: test context"}}]})"));
  ctx.Retry(R"({"user_context":7})");
  ExpectRpcError(GetPrompt(ctx, prompt), -32602);

  FakeToolContext legacy;
  legacy.Legacy();
  ExpectRpcError(GetPrompt(legacy, prompt), -32602);
  FakeToolContext incapable;
  incapable.Capabilities(R"({"sampling":{}})");
  ExpectMissingCapabilities(GetPrompt(incapable, prompt), R"({"elicitation":{}})");
}

}  // namespace
}  // namespace mcpauth::mcp
