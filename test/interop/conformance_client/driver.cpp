// mcpauth-conformance-client: the client under test of the public MCP conformance suite
// (`npx @modelcontextprotocol/conformance client --command <this>`; SPEC-CHECKLIST §3.2).
//
// Contract of the suite: the server URL is the last argument; MCP_CONFORMANCE_SCENARIO names the
// scenario, MCP_CONFORMANCE_PROTOCOL_VERSION the revision the mock server speaks, and
// MCP_CONFORMANCE_CONTEXT (JSON) carries scenario data such as pre-registered client credentials.
// Exit 0 when the scenario's operations succeeded.
//
// Everything OAuth and MCP is the library's (mcp::McpClient, oauth::client::OAuthSession) with the
// options a host application would set; what is conformance-specific stays here:
//   - the "browser" is headless: the authorization URL is fetched without following redirects
//     and the redirect is delivered to the session's loopback receiver (the suite's mock
//     authorization server approves at once; SPEC-CHECKLIST CL17);
//   - the Client ID Metadata Document URL the suite expects (it never fetches it);
//   - pre-registered credentials from the context;
//   - which MCP operations each scenario expects (a tools/call of `test-tool` for auth scenarios).
// Credentials live in memory only (MemoryTokenStorage): every scenario starts from nothing.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "mcpauth/core/clock.hpp"
#include "mcpauth/core/log.hpp"
#include "mcpauth/core/random.hpp"
#include "mcpauth/http/client.hpp"
#include "mcpauth/mcp/client.hpp"
#include "mcpauth/oauth/client/errc.hpp"
#include "mcpauth/oauth/client/session.hpp"
#include "mcpauth/oauth/client/token_storage.hpp"

namespace {

using namespace mcpauth;
namespace json = boost::json;
namespace oc = mcpauth::oauth::client;

constexpr std::string_view kClientMetadataUrl =
    "https://conformance-test.local/client-metadata.json";

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

void Say(const std::string& line) { std::fprintf(stderr, "driver: %s\n", line.c_str()); }

// The headless user agent: GET the authorization URL without following redirects; a redirect
// to a loopback http URL (our receiver) is delivered there, anything else is a failure.
Status HeadlessBrowser(http::Client& http, const std::string& url) {
  auto answer = http.Send(http::ClientRequest{.method = "GET", .url = url});
  if (!answer) {
    Say("authorization endpoint unreachable: " + answer.error().message());
    return answer.error();
  }
  auto location = answer->headers.Get("Location");
  if (answer->status / 100 != 3 || !location) {
    Say("the authorization endpoint answered HTTP " + std::to_string(answer->status) +
        " without a redirect");
    return oc::Errc::kBrowserFailed;
  }
  const std::string target(*location);
  if (!target.starts_with("http://127.0.0.1:")) {
    Say("the authorization endpoint redirected elsewhere: " + target);
    return oc::Errc::kBrowserFailed;
  }
  auto delivered = http.Send(http::ClientRequest{.method = "GET", .url = target});
  if (!delivered) {
    return delivered.error();
  }
  return {};
}

// A person accepting a form as offered: every property of the requested schema that has a
// default gets it (elicitation/create, MCP 2025-11-25 client/elicitation; SEP-1034 defaults).
json::object AcceptWithDefaults(const json::object& params) {
  json::object content;
  const auto* schema = params.if_contains("requestedSchema");
  const auto* props =
      schema && schema->is_object() ? schema->get_object().if_contains("properties") : nullptr;
  if (props != nullptr && props->is_object()) {
    for (const auto& [name, property] : props->get_object()) {
      if (const auto* o = property.if_object(); o != nullptr && o->contains("default")) {
        content[name] = o->at("default");
      }
    }
  }
  return json::object{{"action", "accept"}, {"content", std::move(content)}};
}

struct Context {
  std::string scenario;
  std::string protocol_version;
  json::object data;  // MCP_CONFORMANCE_CONTEXT
};

std::string StringOf(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

class Driver {
 public:
  Driver(Context context, std::string url)
      : ctx_(std::move(context)),
        url_(std::move(url)),
        oauth_(oc::OAuthSessionDeps{.send = oc::HttpSendOf(http_),
                                    .storage = storage_,
                                    .clock = SystemClock::Instance(),
                                    .random = OpenSslRandom::Instance()},
               url_, OAuthOptions()),
        mcp_(http_, url_, oauth_.Decorate(McpOptions())) {}

  int Run() {
    Status st = Scenario();
    const std::string mcp_error = mcp_.last_error().Describe();
    (void)mcp_.Close();  // ends a 2025 session, and with it the GET stream
    if (!st) {
      Say("failed: " + st.error().message());
      if (!oauth_.last_error().empty()) {
        Say("oauth: " + oauth_.last_error());
      }
      Say("mcp: " + mcp_error);
      for (const auto& line : oauth_.discovery_trace()) {
        Say("  " + line);
      }
      return 1;
    }
    return 0;
  }

 private:
  oc::OAuthClientOptions OAuthOptions() {
    oc::OAuthClientOptions o;
    o.client_metadata_url = std::string(kClientMetadataUrl);
    o.registration.client_name = "mcpauth-conformance-client";
    if (auto id = StringOf(ctx_.data, "client_id"); !id.empty()) {
      o.pre_registered = oc::PreRegisteredClient{
          .client_id = id, .client_secret = Secret(StringOf(ctx_.data, "client_secret"))};
    }
    o.browser = [this](const std::string& url) { return HeadlessBrowser(http_, url); };
    o.notify = [](std::string_view line) { Say(std::string(line)); };
    o.login_timeout = std::chrono::seconds(10);
    o.http_timeout = std::chrono::seconds(10);
    o.discovery.timeout = std::chrono::seconds(10);
    return o;
  }

  mcp::McpClientOptions McpOptions() const {
    mcp::McpClientOptions o;
    o.client_name = "mcpauth-conformance-client";
    o.request_timeout = std::chrono::seconds(20);
    o.capabilities = json::object{{"elicitation", json::object{}}};
    o.listen_for_server_requests = true;
    o.on_input_request = [](std::string_view method,
                            const json::object& params) -> std::optional<json::object> {
      if (method == "elicitation/create") {
        return AcceptWithDefaults(params);
      }
      return std::nullopt;  // no sampling, no roots
    };
    // The suite says which revision its mock speaks; a host would probe (kAuto) instead.
    if (ctx_.protocol_version.starts_with("2025-")) {
      o.era = mcp::EraPreference::kLegacy;
      o.legacy_version = ctx_.protocol_version;
    }
    return o;
  }

  template <class F>
  auto Authorized(F&& f) {
    return oauth_.Authorized(mcp_, std::forward<F>(f));
  }

  Status Scenario() {
    if (Status st = Authorized([&] { return mcp_.Connect(); }); !st) {
      return st;
    }
    auto tools = Authorized([&] { return mcp_.ListTools(); });
    if (!tools) {
      return tools.error();
    }
    const std::string& s = ctx_.scenario;
    if (s == "json-schema-ref-no-deref" || s == "request-metadata" || s == "initialize") {
      return {};
    }
    if (s.starts_with("auth/")) {
      auto called = Authorized([&] { return mcp_.CallTool("test-tool", json::object{}); });
      return called ? Status() : Status(called.error());
    }
    if (s == "tools_call" && !tools->empty()) {
      auto called = Authorized([&] {
        return mcp_.CallTool(tools->front().name, json::object{{"a", 2}, {"b", 3}});
      });
      return called ? Status() : Status(called.error());
    }
    if (s == "json-schema-2020-12-preservation") {
      // The listed inputSchema, echoed back as received (SEP-1613: no keyword stripped).
      for (const auto& tool : *tools) {
        if (tool.name != "json_schema_2020_12_tool") {
          continue;
        }
        const json::value* schema = tool.raw.if_contains("inputSchema");
        json::object args{{"schema", schema ? *schema : json::value()}};
        auto called = Authorized([&] { return mcp_.CallTool("json_schema_echo", args); });
        return called ? Status() : Status(called.error());
      }
      return mcp::ClientErrc::kBadResponse;
    }
    // The calls the scenario names in its context (tool and arguments), else every listed tool
    // without arguments.
    if (const auto* calls = ctx_.data.if_contains("toolCalls"); calls && calls->is_array()) {
      for (const auto& c : calls->get_array()) {
        const auto* call = c.if_object();
        const auto* args = call ? call->if_contains("arguments") : nullptr;
        const std::string name = call ? StringOf(*call, "name") : "";
        auto called = Authorized([&] {
          return mcp_.CallTool(name,
                               args && args->is_object() ? args->get_object() : json::object{});
        });
        if (!called) {
          return called.error();
        }
      }
      return {};
    }
    for (const auto& tool : *tools) {
      auto called = Authorized([&] { return mcp_.CallTool(tool.name, json::object{}); });
      if (!called) {
        return called.error();
      }
    }
    return {};
  }

  Context ctx_;
  std::string url_;
  http::Client http_;
  oc::MemoryTokenStorage storage_;
  oc::OAuthSession oauth_;
  mcp::McpClient mcp_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: MCP_CONFORMANCE_SCENARIO=NAME %s SERVER_URL\n", argv[0]);
    return 2;
  }
  // Everything to stderr, which the suite keeps per scenario (stderr.txt): no token is ever
  // logged, only fingerprints.
  log::Init(log::Format::kHuman, "debug");
  Context ctx;
  ctx.scenario = Env("MCP_CONFORMANCE_SCENARIO");
  ctx.protocol_version = Env("MCP_CONFORMANCE_PROTOCOL_VERSION");
  if (const std::string raw = Env("MCP_CONFORMANCE_CONTEXT"); !raw.empty()) {
    boost::system::error_code ec;
    json::value v = json::parse(raw, ec);
    if (!ec && v.is_object()) {
      ctx.data = v.get_object();
    }
  }
  Say("scenario " + ctx.scenario + " (" + ctx.protocol_version + ")");
  Driver driver(std::move(ctx), argv[argc - 1]);
  return driver.Run();
}
