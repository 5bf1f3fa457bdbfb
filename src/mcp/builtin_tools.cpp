// The built-in demo tools: echo, add, time, whoami.
//
// MCP server/tools "Error Handling": invalid arguments are a tool execution error (a result with
// isError true the model can read and correct), not a JSON-RPC protocol error.
#include <boost/json/parse.hpp>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>

#include "mcpauth/mcp/fixtures.hpp"

namespace mcpauth::mcp {
namespace json = boost::json;

namespace {

// Schemas are written as JSON text and parsed once at start-up (a typo is a bug: it throws).
json::object ParseObject(std::string_view text) { return json::parse(text).as_object(); }

bool IsNumber(const json::value& v) { return v.is_int64() || v.is_uint64() || v.is_double(); }

bool IsInteger(const json::value& v) {
  if (v.is_int64() || v.is_uint64()) {
    return true;
  }
  // JSON Schema 2020-12 §6.1.1: a number with a zero fractional part is an integer.
  return v.is_double() && std::isfinite(v.get_double()) &&
         std::trunc(v.get_double()) == v.get_double();
}

bool HasType(const json::value& v, std::string_view type) {
  if (type == "string") {
    return v.is_string();
  }
  if (type == "number") {
    return IsNumber(v);
  }
  if (type == "integer") {
    return IsInteger(v);
  }
  if (type == "boolean") {
    return v.is_bool();
  }
  if (type == "object") {
    return v.is_object();
  }
  if (type == "array") {
    return v.is_array();
  }
  if (type == "null") {
    return v.is_null();
  }
  return true;  // an unknown type keyword constrains nothing here
}

std::string Article(std::string_view type) {
  return (type == "integer" || type == "object" || type == "array") ? "an " : "a ";
}

std::string FormatNumber(double d) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  return ec == std::errc() ? std::string(buf, end) : std::to_string(d);
}

// RFC 3339 §5.6 date-time in UTC with second precision, e.g. 2023-11-14T22:13:20Z.
std::string Rfc3339(Clock::TimePoint t) {
  using namespace std::chrono;
  const auto secs = floor<seconds>(t);
  const auto day = floor<days>(secs);
  const year_month_day ymd{day};
  const hh_mm_ss hms{secs - day};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

ToolOutcome Structured(std::string text, json::object structured) {
  ToolOutcome out = ToolOutcome::Text(std::move(text));
  out.result["structuredContent"] = std::move(structured);
  return out;
}

// Read-only tools that touch nothing outside this process (MCP ToolAnnotations).
json::object LocalReadOnly() {
  return json::object{{"readOnlyHint", true}, {"idempotentHint", true}, {"openWorldHint", false}};
}

void AddEcho(ToolRegistry& tools) {
  ToolDescriptor d;
  d.name = "echo";
  d.title = "Echo";
  d.description = "Returns the given text unchanged. Useful to check that a connection works.";
  d.input_schema = ParseObject(R"({"type":"object",
      "properties":{"text":{"type":"string","description":"The text to send back"}},
      "required":["text"],"additionalProperties":false})");
  d.annotations = LocalReadOnly();
  d.required_scopes = {"mcp:read"};
  d.runs_inline = true;
  json::object schema = d.input_schema;
  tools.Add(std::move(d), [schema](ToolContext&, const json::object& args) {
    if (auto problem = CheckArguments(schema, args)) {
      return ToolOutcome::Error(*problem);
    }
    return ToolOutcome::Text(std::string(args.at("text").get_string()));
  });
}

void AddAdd(ToolRegistry& tools) {
  ToolDescriptor d;
  d.name = "add";
  d.title = "Add two numbers";
  d.description =
      "Adds two numbers and returns their sum, as text and as structured content {sum}. Integers "
      "are added exactly; other numbers as IEEE 754 doubles.";
  d.input_schema = ParseObject(R"({"type":"object",
      "properties":{"a":{"type":"number","description":"The first addend"},
                    "b":{"type":"number","description":"The second addend"}},
      "required":["a","b"],"additionalProperties":false})");
  d.output_schema = ParseObject(R"({"type":"object",
      "properties":{"sum":{"type":"number","description":"a + b"}},
      "required":["sum"],"additionalProperties":false})");
  d.annotations = LocalReadOnly();
  d.required_scopes = {"mcp:tools"};
  d.runs_inline = true;
  json::object schema = d.input_schema;
  tools.Add(std::move(d), [schema](ToolContext&, const json::object& args) {
    if (auto problem = CheckArguments(schema, args)) {
      return ToolOutcome::Error(*problem);
    }
    const json::value& a = args.at("a");
    const json::value& b = args.at("b");
    if (a.is_int64() && b.is_int64()) {
      int64_t sum = 0;
      if (!__builtin_add_overflow(a.get_int64(), b.get_int64(), &sum)) {
        return Structured(std::to_string(sum), json::object{{"sum", sum}});
      }
    }
    const double sum = a.to_number<double>() + b.to_number<double>();
    if (!std::isfinite(sum)) {
      return ToolOutcome::Error("The sum is too large to represent as a JSON number.");
    }
    return Structured(FormatNumber(sum), json::object{{"sum", sum}});
  });
}

void AddTime(ToolRegistry& tools, const Clock& clock) {
  ToolDescriptor d;
  d.name = "time";
  d.title = "Current time";
  d.description =
      "Returns the server's current time in UTC as an RFC 3339 timestamp, and as structured "
      "content {utc, unixSeconds}.";
  d.input_schema = ParseObject(R"({"type":"object","properties":{},"additionalProperties":false})");
  d.output_schema = ParseObject(R"({"type":"object",
      "properties":{"utc":{"type":"string","format":"date-time"},
                    "unixSeconds":{"type":"integer"}},
      "required":["utc","unixSeconds"],"additionalProperties":false})");
  d.annotations = json::object{{"readOnlyHint", true}, {"openWorldHint", false}};
  d.required_scopes = {"mcp:read"};
  d.runs_inline = true;
  json::object schema = d.input_schema;
  tools.Add(std::move(d), [schema, &clock](ToolContext&, const json::object& args) {
    if (auto problem = CheckArguments(schema, args)) {
      return ToolOutcome::Error(*problem);
    }
    const Clock::TimePoint now = clock.Now();
    std::string utc = Rfc3339(now);
    const int64_t unix_seconds =
        std::chrono::floor<std::chrono::seconds>(now.time_since_epoch()).count();
    return Structured(utc, json::object{{"utc", utc}, {"unixSeconds", unix_seconds}});
  });
}

void AddWhoami(ToolRegistry& tools) {
  ToolDescriptor d;
  d.name = "whoami";
  d.title = "Who am I";
  d.description =
      "Reports who is calling as the server's authorization layer established it: the user "
      "(name and token subject), the OAuth client and the granted scopes.";
  d.input_schema = ParseObject(R"({"type":"object","properties":{},"additionalProperties":false})");
  d.output_schema = ParseObject(R"({"type":"object",
      "properties":{"authenticated":{"type":"boolean"},"subject":{"type":"string"},
                    "username":{"type":"string"},"clientId":{"type":"string"},
                    "scopes":{"type":"array","items":{"type":"string"}}},
      "required":["authenticated"],"additionalProperties":false})");
  d.annotations = LocalReadOnly();
  d.required_scopes = {"mcp:read"};
  d.runs_inline = true;
  json::object schema = d.input_schema;
  tools.Add(std::move(d), [schema](ToolContext& ctx, const json::object& args) {
    if (auto problem = CheckArguments(schema, args)) {
      return ToolOutcome::Error(*problem);
    }
    const Principal& p = ctx.principal();
    if (!p.authenticated()) {
      return Structured("anonymous (authorization is off)", json::object{{"authenticated", false}});
    }
    json::array scopes;
    std::string scope_text;
    for (const std::string& s : p.scopes) {
      scopes.emplace_back(s);
      scope_text += scope_text.empty() ? s : " " + s;
    }
    std::string text =
        p.username.empty() ? "subject " + p.subject : p.username + " (subject " + p.subject + ")";
    if (!p.client_id.empty()) {
      text += ", client " + p.client_id;
    }
    text += scope_text.empty() ? ", no scopes" : ", scopes: " + scope_text;
    json::object structured{{"authenticated", true}, {"subject", p.subject}};
    if (!p.username.empty()) {
      structured["username"] = p.username;
    }
    if (!p.client_id.empty()) {
      structured["clientId"] = p.client_id;
    }
    structured["scopes"] = std::move(scopes);
    return Structured(std::move(text), std::move(structured));
  });
}

}  // namespace

std::optional<std::string> CheckArguments(const json::object& input_schema,
                                          const json::object& arguments) {
  static const json::object kNoProperties;
  const json::object* properties = &kNoProperties;
  if (auto it = input_schema.find("properties");
      it != input_schema.end() && it->value().is_object()) {
    properties = &it->value().get_object();
  }
  if (auto it = input_schema.find("required"); it != input_schema.end() && it->value().is_array()) {
    for (const json::value& name : it->value().get_array()) {
      if (name.is_string() && !arguments.contains(name.get_string())) {
        return "Missing required argument \"" + std::string(name.get_string()) + "\".";
      }
    }
  }
  const auto additional = input_schema.find("additionalProperties");
  const bool closed = additional != input_schema.end() && additional->value().is_bool() &&
                      !additional->value().get_bool();
  for (const auto& [key, value] : arguments) {
    auto prop = properties->find(key);
    if (prop == properties->end()) {
      if (closed) {
        return "Unknown argument \"" + std::string(key) + "\".";
      }
      continue;
    }
    const json::object* def = prop->value().if_object();
    if (def == nullptr) {
      continue;
    }
    auto type = def->find("type");
    if (type != def->end() && type->value().is_string() &&
        !HasType(value, type->value().get_string())) {
      const std::string_view t = type->value().get_string();
      return "Argument \"" + std::string(key) + "\" must be " + Article(t) + std::string(t) + ".";
    }
  }
  return std::nullopt;
}

void AddBuiltinTools(ToolRegistry& tools, const Clock& clock) {
  AddEcho(tools);
  AddAdd(tools);
  AddTime(tools, clock);
  AddWhoami(tools);
}

}  // namespace mcpauth::mcp
