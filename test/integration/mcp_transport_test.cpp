// The MCP Streamable HTTP transport for real: our HTTP server on 127.0.0.1:0, our HTTP client,
// both eras on one /mcp endpoint.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <future>
#include <memory>
#include <thread>

#include "integration/raw_socket.hpp"
#include "mcpauth/core/worker_pool.hpp"
#include "mcpauth/http/client.hpp"
#include "mcpauth/http/server.hpp"
#include "mcpauth/mcp/http_transport.hpp"
#include "mcpauth/mcp/server.hpp"

namespace mcpauth::mcp {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr const char* kMeta =
    R"({"io.modelcontextprotocol/protocolVersion":"2026-07-28",)"
    R"("io.modelcontextprotocol/clientCapabilities":{},)"
    R"("io.modelcontextprotocol/clientInfo":{"name":"test","version":"1"}})";

class McpTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto tools = std::make_shared<ToolRegistry>();
    ToolDescriptor echo{.name = "echo", .description = "Echo text back"};
    echo.input_schema = json::parse(R"({"type":"object","properties":{"text":{"type":"string"}},)"
                                    R"("required":["text"]})")
                            .as_object();
    echo.runs_inline = true;
    tools->Add(echo, [](ToolContext&, const json::object& args) {
      const auto* t = args.if_contains("text");
      return ToolOutcome::Text(t && t->is_string() ? std::string(t->get_string()) : "");
    });
    tools->Add(ToolDescriptor{.name = "slow_progress", .description = "Reports progress"},
               [](ToolContext& ctx, const json::object&) {
                 for (int i = 1; i <= 3; ++i) {
                   ctx.Progress(i, 3, "step");
                   ctx.Log("info", json::value("working"));
                 }
                 return ToolOutcome::Text("done");
               });
    ToolDescriptor region{.name = "regional", .description = "Has a mirrored parameter"};
    region.input_schema = json::parse(R"({"type":"object","properties":{"region":{"type":"string",)"
                                      R"("x-mcp-header":"Region"}}})")
                              .as_object();
    tools->Add(region, [](ToolContext&, const json::object&) { return ToolOutcome::Text("ok"); });
    tools->Add(ToolDescriptor{.name = "wait_cancel", .description = "Runs until cancelled"},
               [this](ToolContext& ctx, const json::object&) {
                 started_.set_value();
                 const auto deadline = std::chrono::steady_clock::now() + 10s;
                 while (!ctx.cancelled() && std::chrono::steady_clock::now() < deadline) {
                   std::this_thread::yield();
                 }
                 return ToolOutcome::Text(ctx.cancelled() ? "cancelled" : "not cancelled");
               });
    tools->Add(ToolDescriptor{.name = "trigger", .description = "Changes the tool list"},
               [](ToolContext& ctx, const json::object&) {
                 ctx.NotifyListChanged("tools");
                 return ToolOutcome::Text("changed");
               });
    server_ = std::make_unique<McpServer>(McpServer::Options{}, tools,
                                          std::make_shared<ResourceRegistry>(),
                                          std::make_shared<PromptRegistry>(), pool_,
                                          SystemClock::Instance(), OpenSslRandom::Instance());
    sessions_ = std::make_unique<SessionTable>(SystemClock::Instance(), OpenSslRandom::Instance(),
                                               SessionTable::Options{});
    transport_ = std::make_unique<StreamableHttpTransport>(
        *server_, *sessions_, TransportOptions{.keepalive_interval = 100ms});
    auto router = std::make_shared<http::Router>();
    transport_->Register(*router);
    http_ = std::make_unique<http::Server>(http::ServerOptions{.threads = 2}, router);
    ASSERT_TRUE(http_->Start().has_value());
    url_ = "http://127.0.0.1:" + std::to_string(http_->port()) + "/mcp";
  }

  // A modern-era POST with the standard headers derived from the body.
  http::Response Modern(std::string_view method, std::string params_json,
                        http::Headers extra = {}) {
    json::object params = json::parse(params_json.empty() ? "{}" : params_json).as_object();
    params["_meta"] = json::parse(kMeta);
    json::object body{{"jsonrpc", "2.0"}, {"id", 7}, {"method", method}, {"params", params}};
    http::ClientRequest req{.method = "POST", .url = url_, .body = json::serialize(body)};
    req.headers.Set("Content-Type", "application/json");
    req.headers.Set("Accept", "application/json, text/event-stream");
    req.headers.Set("MCP-Protocol-Version", "2026-07-28");
    req.headers.Set("Mcp-Method", method);
    if (const auto* n = params.if_contains("name")) {
      req.headers.Set("Mcp-Name", n->as_string());
    }
    for (const auto& [k, v] : extra.fields()) {
      req.headers.Set(k, v);
    }
    auto r = client_.Send(req);
    EXPECT_TRUE(r.has_value());
    return r ? *r : http::Response{.status = 0};
  }

  http::Response Raw(std::string body, http::Headers headers) {
    http::ClientRequest req{.method = "POST", .url = url_, .headers = headers, .body = body};
    if (!req.headers.Has("Content-Type")) {
      req.headers.Set("Content-Type", "application/json");
    }
    if (!req.headers.Has("Accept")) {
      req.headers.Set("Accept", "application/json, text/event-stream");
    }
    auto r = client_.Send(req);
    EXPECT_TRUE(r.has_value());
    return r ? *r : http::Response{.status = 0};
  }

  static json::object Body(const http::Response& r) {
    // A JSON body, or the last data line of an SSE body (the response ends the stream).
    std::string text = r.body;
    if (r.headers.Get("Content-Type").value_or("").starts_with("text/event-stream")) {
      const size_t p = text.rfind("data: ");
      text = text.substr(p + 6, text.find('\n', p) - p - 6);
    }
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    return ec || !v.is_object() ? json::object{} : v.as_object();
  }

  std::string Initialize(std::string_view version = "2025-11-25") {
    auto r = Raw(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":")" +
                     std::string(version) +
                     R"(","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})",
                 {});
    EXPECT_EQ(r.status, 200);
    return std::string(r.headers.Get("Mcp-Session-Id").value_or(""));
  }

  // Destroyed in reverse: the HTTP server stops, the pool drains, then what tools reference.
  std::unique_ptr<McpServer> server_;
  std::unique_ptr<SessionTable> sessions_;
  std::unique_ptr<StreamableHttpTransport> transport_;
  core::WorkerPool pool_{2};
  std::promise<void> started_;
  std::unique_ptr<http::Server> http_;
  http::Client client_;
  std::string url_;
};

TEST_F(McpTransportTest, ModernDiscoverAnswersWithVersionsCapabilitiesAndCachingHints) {
  auto r = Modern("server/discover", "");
  ASSERT_EQ(r.status, 200);
  auto result = Body(r).at("result").as_object();
  EXPECT_EQ(result.at("supportedVersions").as_array().at(0).as_string(), "2026-07-28");
  EXPECT_TRUE(result.at("capabilities").as_object().contains("tools"));
  EXPECT_EQ(result.at("resultType").as_string(), "complete");
  EXPECT_TRUE(result.contains("ttlMs"));
  EXPECT_TRUE(result.contains("cacheScope"));
  EXPECT_EQ(result.at("_meta").at("io.modelcontextprotocol/serverInfo").at("name").as_string(),
            "mcpauth");
  EXPECT_FALSE(r.headers.Has("Mcp-Session-Id"));  // stateless: never a session
}

TEST_F(McpTransportTest, ModernToolsListIsDeterministicAndCallWorks) {
  auto a = Body(Modern("tools/list", ""));
  auto b = Body(Modern("tools/list", ""));
  EXPECT_EQ(json::serialize(a.at("result").at("tools")),
            json::serialize(b.at("result").at("tools")));
  EXPECT_EQ(a.at("result").at("tools").as_array().at(0).at("name").as_string(), "echo");
  auto call = Body(Modern("tools/call", R"({"name":"echo","arguments":{"text":"hi"}})"));
  EXPECT_EQ(call.at("id").as_int64(), 7);
  EXPECT_EQ(call.at("result").at("content").at(0).at("text").as_string(), "hi");
  EXPECT_EQ(call.at("result").at("resultType").as_string(), "complete");
}

TEST_F(McpTransportTest, ModernProgressStreamsOnTheRequestsOwnResponse) {
  auto r = Modern("tools/call", R"({"name":"slow_progress","arguments":{},"_meta_progress":1})");
  // No progressToken: a JSON answer is enough. With one, an SSE stream carries progress first.
  json::object params{{"name", "slow_progress"}, {"arguments", json::object{}}};
  json::object meta = json::parse(kMeta).as_object();
  meta["progressToken"] = "tok-1";
  meta["io.modelcontextprotocol/logLevel"] = "info";
  params["_meta"] = meta;
  json::object body{{"jsonrpc", "2.0"}, {"id", 9}, {"method", "tools/call"}, {"params", params}};
  http::Headers h;
  h.Set("MCP-Protocol-Version", "2026-07-28");
  h.Set("Mcp-Method", "tools/call");
  h.Set("Mcp-Name", "slow_progress");
  auto s = Raw(json::serialize(body), h);
  ASSERT_EQ(s.status, 200);
  EXPECT_TRUE(s.headers.Get("Content-Type").value_or("").starts_with("text/event-stream"));
  EXPECT_NE(s.body.find(R"("progressToken":"tok-1")"), std::string::npos);
  // Whole numbers go out as JSON integers, not as 1E0.
  EXPECT_NE(s.body.find(R"("progress":1,"total":3)"), std::string::npos) << s.body;
  EXPECT_NE(s.body.find("notifications/message"), std::string::npos);
  EXPECT_LT(s.body.find("notifications/progress"), s.body.find(R"("result")"));
  EXPECT_EQ(Body(s).at("result").at("content").at(0).at("text").as_string(), "done");
  (void)r;
}

TEST_F(McpTransportTest, ModernNoLogMessagesWithoutALogLevel) {
  auto s = Modern("tools/call", R"({"name":"slow_progress","arguments":{}})");
  EXPECT_EQ(s.body.find("notifications/message"), std::string::npos);
}

TEST_F(McpTransportTest, ModernLadderErrors) {
  // Missing _meta fields: -32602 with HTTP 400, echoing the id.
  auto missing = Raw(R"({"jsonrpc":"2.0","id":101,"method":"server/discover","params":{}})", [] {
    http::Headers h;
    h.Set("MCP-Protocol-Version", "2026-07-28");
    h.Set("Mcp-Method", "server/discover");
    return h;
  }());
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(Body(missing).at("error").at("code").as_int64(), kInvalidParams);
  EXPECT_EQ(Body(missing).at("id").as_int64(), 101);

  // Header and body disagree on the version: -32020 (before any version support check).
  http::Headers h;
  h.Set("MCP-Protocol-Version", "2026-07-28");
  h.Set("Mcp-Method", "server/discover");
  auto mismatch = Raw(R"({"jsonrpc":"2.0","id":302,"method":"server/discover","params":{"_meta":{)"
                      R"("io.modelcontextprotocol/protocolVersion":"v999.0.0",)"
                      R"("io.modelcontextprotocol/clientCapabilities":{}}}})",
                      h);
  EXPECT_EQ(mismatch.status, 400);
  EXPECT_EQ(Body(mismatch).at("error").at("code").as_int64(), kHeaderMismatch);

  // Both say an unsupported version: -32022 listing what is supported.
  h.Set("MCP-Protocol-Version", "v999.0.0");
  auto unsupported =
      Raw(R"({"jsonrpc":"2.0","id":301,"method":"server/discover","params":{"_meta":{)"
          R"("io.modelcontextprotocol/protocolVersion":"v999.0.0",)"
          R"("io.modelcontextprotocol/clientCapabilities":{}}}})",
          h);
  EXPECT_EQ(unsupported.status, 400);
  auto err = Body(unsupported).at("error").as_object();
  EXPECT_EQ(err.at("code").as_int64(), kUnsupportedProtocolVersion);
  EXPECT_EQ(err.at("data").at("requested").as_string(), "v999.0.0");
  EXPECT_EQ(err.at("data").at("supported").at(0).as_string(), "2026-07-28");

  // Removed and unknown methods: 404 with -32601.
  for (const char* m : {"initialize", "ping", "logging/setLevel", "unknown/method"}) {
    auto r = Modern(m, "");
    EXPECT_EQ(r.status, 404) << m;
    EXPECT_EQ(Body(r).at("error").at("code").as_int64(), kMethodNotFound) << m;
  }
}

TEST_F(McpTransportTest, ModernStandardHeadersMustMatchTheBody) {
  http::Headers wrong_method;
  wrong_method.Set("Mcp-Method", "prompts/list");
  EXPECT_EQ(Modern("tools/list", "", wrong_method).status, 400);
  http::Headers upper;
  upper.Set("Mcp-Method", "TOOLS/LIST");
  EXPECT_EQ(Modern("tools/list", "", upper).status, 400);
  http::Headers wrong_name;
  wrong_name.Set("Mcp-Name", "other");
  auto r = Modern("tools/call", R"({"name":"echo","arguments":{"text":"x"}})", wrong_name);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Body(r).at("error").at("code").as_int64(), kHeaderMismatch);
  http::Headers padded;
  padded.Set("Mcp-Name", "  echo  ");  // optional whitespace is trimmed
  EXPECT_EQ(Modern("tools/call", R"({"name":"echo","arguments":{"text":"x"}})", padded).status,
            200);
}

TEST_F(McpTransportTest, ModernMirroredParametersAreValidated) {
  const std::string call = R"({"name":"regional","arguments":{"region":"Hello"}})";
  http::Headers ok;
  ok.Set("Mcp-Param-Region", "=?base64?SGVsbG8=?=");
  EXPECT_EQ(Modern("tools/call", call, ok).status, 200);
  http::Headers unpadded;
  unpadded.Set("Mcp-Param-Region", "=?base64?SGVsbG8?=");
  EXPECT_EQ(Modern("tools/call", call, unpadded).status, 400);
  http::Headers bad_chars;
  bad_chars.Set("Mcp-Param-Region", "=?base64?SGVs!!!bG8=?=");
  EXPECT_EQ(Modern("tools/call", call, bad_chars).status, 400);
  EXPECT_EQ(Modern("tools/call", call).status, 400);  // omitted while the body has a value
  http::Headers literal;
  literal.Set("Mcp-Param-Region", "=?base64?SGVsbG8=");
  EXPECT_EQ(Modern("tools/call",
                   R"({"name":"regional","arguments":{"region":"=?base64?SGVsbG8="}})", literal)
                .status,
            200);
}

TEST_F(McpTransportTest, LegacySessionLifecycle) {
  const std::string sid = Initialize();
  ASSERT_FALSE(sid.empty());
  for (char c : sid) {
    EXPECT_TRUE(c >= 0x21 && c <= 0x7E);  // visible ASCII
  }
  http::Headers h;
  h.Set("Mcp-Session-Id", sid);
  h.Set("MCP-Protocol-Version", "2025-11-25");
  EXPECT_EQ(Raw(R"({"jsonrpc":"2.0","method":"notifications/initialized"})", h).status, 202);
  auto list = Raw(R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})", h);
  ASSERT_EQ(list.status, 200);
  auto result = Body(list).at("result").as_object();
  EXPECT_FALSE(result.contains("resultType"));  // legacy wire: no 2026 fields
  EXPECT_EQ(result.at("tools").as_array().size(), 5u);
  auto ping = Body(Raw(R"({"jsonrpc":"2.0","id":3,"method":"ping"})", h));
  EXPECT_TRUE(ping.at("result").as_object().empty());  // exactly {}

  // DELETE ends it; the id is then unknown (404).
  auto del = client_.Send({.method = "DELETE", .url = url_, .headers = h});
  ASSERT_TRUE(del.has_value());
  EXPECT_EQ(del->status, 200);
  EXPECT_EQ(Raw(R"({"jsonrpc":"2.0","id":4,"method":"tools/list"})", h).status, 404);
}

TEST_F(McpTransportTest, LegacyGetStreamCarriesListChangedAndReplaysAfterLastEventId) {
  http::Headers h;
  h.Set("Mcp-Session-Id", Initialize());
  h.Set("MCP-Protocol-Version", "2025-11-25");
  // Two changes while no stream is open: kept in the session's replay buffer.
  ASSERT_EQ(Raw(R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"trigger"}})", h)
                .status,
            200);
  ASSERT_EQ(Raw(R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"trigger"}})", h)
                .status,
            200);
  // Resume after event 1: only event 2 is replayed.
  http::ClientRequest get{.method = "GET", .url = url_, .headers = h, .timeout = 5s};
  get.headers.Set("Accept", "text/event-stream");
  get.headers.Set("Last-Event-ID", "1");
  std::vector<http::SseEvent> events;
  auto r = client_.Stream(get, [&](const http::SseEvent& e) {
    if (!e.data.empty()) {
      events.push_back(e);
    }
    return events.empty();  // stop after the first event with data
  });
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].id, "2");
  EXPECT_NE(events[0].data.find("notifications/tools/list_changed"), std::string::npos);
}

TEST_F(McpTransportTest, ModernListenStreamAcknowledgesAndFiltersNotifications) {
  json::object params{{"notifications", json::object{{"toolsListChanged", true}}}};
  params["_meta"] = json::parse(kMeta);
  json::object body{
      {"jsonrpc", "2.0"}, {"id", 42}, {"method", "subscriptions/listen"}, {"params", params}};
  http::ClientRequest req{
      .method = "POST", .url = url_, .body = json::serialize(body), .timeout = 5s};
  req.headers.Set("Content-Type", "application/json");
  req.headers.Set("Accept", "application/json, text/event-stream");
  req.headers.Set("MCP-Protocol-Version", "2026-07-28");
  req.headers.Set("Mcp-Method", "subscriptions/listen");
  std::vector<std::string> seen;
  http::Client listener;
  std::thread trigger;
  auto r = listener.Stream(req, [&](const http::SseEvent& e) {
    seen.push_back(e.data);
    if (seen.size() == 1) {
      // Acknowledged: now change the tool list from another request.
      trigger =
          std::thread([this] { Modern("tools/call", R"({"name":"trigger","arguments":{}})"); });
    }
    return seen.size() < 2;
  });
  if (trigger.joinable()) {
    trigger.join();
  }
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_NE(seen[0].find("notifications/subscriptions/acknowledged"), std::string::npos);
  EXPECT_NE(seen[0].find(R"("io.modelcontextprotocol/subscriptionId":42)"), std::string::npos);
  EXPECT_NE(seen[1].find("notifications/tools/list_changed"), std::string::npos);
  EXPECT_NE(seen[1].find(R"("io.modelcontextprotocol/subscriptionId":42)"), std::string::npos);
}

TEST_F(McpTransportTest, LegacyCancellationStopsTheToolAndAnswersCancelled) {
  http::Headers h;
  h.Set("Mcp-Session-Id", Initialize());
  h.Set("MCP-Protocol-Version", "2025-11-25");
  auto started = started_.get_future();
  http::Response answer;
  std::thread call([&] {
    http::Client c;
    http::ClientRequest req{
        .method = "POST",
        .url = url_,
        .headers = h,
        .body =
            R"({"jsonrpc":"2.0","id":77,"method":"tools/call","params":{"name":"wait_cancel"}})"};
    req.headers.Set("Content-Type", "application/json");
    req.headers.Set("Accept", "application/json, text/event-stream");
    answer = c.Send(req).value();
  });
  ASSERT_EQ(started.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(
      Raw(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":77}})", h)
          .status,
      202);
  call.join();
  EXPECT_EQ(Body(answer).at("error").at("code").as_int64(), kRequestCancelled);
}

TEST_F(McpTransportTest, LongLivedStreamsGetKeepAliveComments) {
  const std::string sid = Initialize();
  testing::RawSocket s(http_->port());
  ASSERT_TRUE(
      s.Send("GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
             "Mcp-Session-Id: " +
             sid + "\r\nMCP-Protocol-Version: 2025-11-25\r\n\r\n"));
  std::string seen;
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (seen.find(": keep-alive") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    seen += s.ReadResponse(200ms);  // whatever arrives within the slice
  }
  EXPECT_NE(seen.find("text/event-stream"), std::string::npos);
  EXPECT_NE(seen.find(": keep-alive"), std::string::npos) << seen;
}

TEST_F(McpTransportTest, LegacyNegotiatesVersionAndRequiresTheSession) {
  auto r = Raw(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":)"
               R"("1999-01-01","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})",
               {});
  EXPECT_EQ(Body(r).at("result").at("protocolVersion").as_string(), "2025-11-25");
  EXPECT_EQ(Raw(R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})", {}).status, 400);
  http::Headers unknown;
  unknown.Set("Mcp-Session-Id", "no-such-session");
  EXPECT_EQ(Raw(R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})", unknown).status, 404);
  http::Headers bad_version;
  bad_version.Set("Mcp-Session-Id", Initialize());
  bad_version.Set("MCP-Protocol-Version", "2031-01-01");  // newer than we know: modern → 400
  EXPECT_EQ(Raw(R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})", bad_version).status, 400);
}

TEST_F(McpTransportTest, LegacyBatchesOnlyIn20250326) {
  http::Headers h;
  h.Set("Mcp-Session-Id", Initialize("2025-03-26"));
  auto r = Raw(R"([{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","id":2,)"
               R"("method":"tools/list"},{"jsonrpc":"2.0","method":"notifications/initialized"}])",
               h);
  ASSERT_EQ(r.status, 200);
  auto v = json::parse(r.body);
  ASSERT_TRUE(v.is_array());
  EXPECT_EQ(v.as_array().size(), 2u);
  http::Headers h2;
  h2.Set("Mcp-Session-Id", Initialize("2025-11-25"));
  EXPECT_EQ(Raw(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])", h2).status, 400);
}

TEST_F(McpTransportTest, BadInputGetsTheRightErrorAndTheServerKeepsServing) {
  EXPECT_EQ(Raw("{not json", {}).status, 400);
  EXPECT_EQ(Body(Raw("{not json", {})).at("error").at("code").as_int64(), kParseError);
  EXPECT_EQ(Raw(std::string(100000, '['), {}).status, 400);  // deep nesting
  EXPECT_EQ(Raw("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\xff\"}", {}).status, 400);
  EXPECT_EQ(Raw(R"({"jsonrpc":"2.0","id":1,"method":"x"})",
                [] {
                  http::Headers h;
                  h.Set("Content-Type", "text/plain");
                  return h;
                }())
                .status,
            415);
  EXPECT_EQ(Raw(R"({"jsonrpc":"2.0","id":1,"method":"x"})",
                [] {
                  http::Headers h;
                  h.Set("Accept", "application/json");
                  return h;
                }())
                .status,
            406);
  auto wrong_version = Raw(R"({"jsonrpc":"1.0","id":5,"method":"tools/list"})", {});
  EXPECT_EQ(wrong_version.status, 400);
  EXPECT_EQ(Body(wrong_version).at("error").at("code").as_int64(), kInvalidRequest);
  EXPECT_EQ(Body(wrong_version).at("id").as_int64(), 5);
  auto huge_id = Raw(R"({"jsonrpc":"2.0","id":1e400,"method":"tools/list"})", {});
  EXPECT_EQ(huge_id.status, 400);
  auto bigger_id = Raw(R"({"jsonrpc":"2.0","id":123456789012345678901234567890,"method":"x"})", {});
  EXPECT_EQ(Body(bigger_id).at("error").at("code").as_int64(), kInvalidRequest);
  // Unknown method in a legacy session: -32601 in-band.
  http::Headers h;
  h.Set("Mcp-Session-Id", Initialize());
  EXPECT_EQ(Body(Raw(R"({"jsonrpc":"2.0","id":6,"method":"no/such"})", h))
                .at("error")
                .at("code")
                .as_int64(),
            kMethodNotFound);
  // Wrong parameter type in the modern era: an in-band -32602.
  auto r = Modern("tools/call", R"({"name":"echo","arguments":"not-an-object"})");
  EXPECT_EQ(Body(r).at("error").at("code").as_int64(), kInvalidParams);
  EXPECT_EQ(Modern("server/discover", "").status, 200);  // still serving
}

}  // namespace
}  // namespace mcpauth::mcp
