// McpClient against our own MCP server for real (127.0.0.1:0, both eras on one endpoint), and
// against small fake endpoints for what our server never does: a legacy-only server, a modern
// server of another revision, garbage, 401/500, a stream that closes early, server-to-client
// requests.
#include "mcpauth/mcp/client.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "mcpauth/core/worker_pool.hpp"
#include "mcpauth/http/client.hpp"
#include "mcpauth/http/server.hpp"
#include "mcpauth/mcp/http_transport.hpp"
#include "mcpauth/mcp/server.hpp"

namespace mcpauth::mcp {
namespace {

namespace json = boost::json;

// The headers of one request as the server saw them.
struct Seen {
  std::string method;
  std::string mcp_method;
  std::string mcp_name;
  std::string mcp_param_region;
  std::string protocol_version;
  std::string session;
  std::string accept;
  std::string content_type;
  std::string authorization;
  std::string last_event_id;
  std::string body;
};

class Recorder {
 public:
  void Record(const http::Request& r) {
    auto h = [&](std::string_view name) { return std::string(r.headers.Get(name).value_or("")); };
    std::lock_guard lock(mu_);
    seen_.push_back(Seen{r.method, h("Mcp-Method"), h("Mcp-Name"), h("Mcp-Param-Region"),
                         h("MCP-Protocol-Version"), h("Mcp-Session-Id"), h("Accept"),
                         h("Content-Type"), h("Authorization"), h("Last-Event-ID"), r.body});
  }
  std::vector<Seen> Take() {
    std::lock_guard lock(mu_);
    return std::exchange(seen_, {});
  }

 private:
  std::mutex mu_;
  std::vector<Seen> seen_;
};

http::Response JsonResponse(int status, std::string_view body) {
  return http::Response::Json(status, std::string(body));
}

// A 2025-only server made of canned answers, for the stream behaviours our server has no tool
// for: a POST stream closed before the response (resumed by GET + Last-Event-ID), and requests
// from the server (which the client must answer by POST).
class FakeLegacyServer {
 public:
  void Handle(const std::shared_ptr<http::Exchange>& ex) {
    const http::Request& r = ex->request();
    recorder.Record(r);
    if (r.method == "GET") {
      json::object response{{"jsonrpc", "2.0"},
                            {"id", Pending()},
                            {"result", json::parse(R"({"content":[{"type":"text","text":)"
                                                   R"("resumed"}]})")}};
      auto stream = ex->StartStream(http::Response{.status = 200});
      stream->Send({.id = "ev-2", .data = json::serialize(response)});
      stream->Close();
      return;
    }
    json::object msg = json::parse(r.body).as_object();
    if (!msg.contains("method")) {  // a POSTed response to one of our requests
      std::lock_guard lock(mu_);
      answers_.push_back(msg);
      ex->Respond(http::Response{.status = 202});
      return;
    }
    const std::string method(msg.at("method").as_string());
    if (method == "initialize") {
      auto resp = JsonResponse(200, R"({"jsonrpc":"2.0","id":)" + json::serialize(msg.at("id")) +
                                        R"(,"result":{"protocolVersion":"2025-06-18",)"
                                        R"("capabilities":{"tools":{}},)"
                                        R"("serverInfo":{"name":"fake","version":"1"}}})");
      resp.headers.Set("Mcp-Session-Id", "fake-session");
      ex->Respond(std::move(resp));
      return;
    }
    if (method == "notifications/initialized") {
      ex->Respond(http::Response{.status = 202});
      return;
    }
    if (method != "tools/call") {  // e.g. the server/discover probe: the v1 SDK's answer
      ex->Respond(JsonResponse(
          400, R"({"jsonrpc":"2.0","error":{"code":-32000,"message":"No session"},"id":null})"));
      return;
    }
    const std::string tool(msg.at("params").at("name").as_string());
    {
      std::lock_guard lock(mu_);
      pending_ = msg.at("id");
    }
    auto stream = ex->StartStream(http::Response{.status = 200});
    if (tool == "resumable") {
      // 2025-11-25 transports: a priming event (id, empty data) and `retry`, then the server
      // closes the stream before the response.
      stream->Send({.id = "ev-1", .data = "", .retry_ms = 1});
    } else {  // "asks": a sampling request and a ping before the answer
      stream->Send({.data = R"({"jsonrpc":"2.0","id":"srv-1","method":"sampling/createMessage",)"
                            R"("params":{"messages":[],"maxTokens":10}})"});
      stream->Send({.data = R"({"jsonrpc":"2.0","id":"srv-2","method":"ping"})"});
      stream->Send({.data = R"({"jsonrpc":"2.0","id":)" + json::serialize(msg.at("id")) +
                            R"(,"result":{"content":[{"type":"text","text":"answered"}]}})"});
    }
    stream->Close();
  }

  std::vector<json::object> answers() {
    std::lock_guard lock(mu_);
    return answers_;
  }

  Recorder recorder;

 private:
  json::value Pending() {
    std::lock_guard lock(mu_);
    return pending_;
  }

  std::mutex mu_;
  json::value pending_;
  std::vector<json::object> answers_;
};

class McpClientTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(McpServer::Options{}); }

  void Start(McpServer::Options options) {
    // A restart tears down in reverse order of construction (the transport refers to the server).
    http_.reset();
    transport_.reset();
    sessions_.reset();
    server_.reset();
    auto tools = std::make_shared<ToolRegistry>();
    ToolDescriptor echo{.name = "echo", .description = "Echo text back"};
    echo.input_schema = json::parse(R"({"type":"object","properties":{"text":{"type":"string"}},)"
                                    R"("required":["text"]})")
                            .as_object();
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
    tools->Add(ToolDescriptor{.name = "fails", .description = "Always reports an error"},
               [](ToolContext&, const json::object&) { return ToolOutcome::Error("boom"); });
    ToolDescriptor region{.name = "regional", .description = "Has a mirrored parameter"};
    region.input_schema = json::parse(R"({"type":"object","properties":{"region":{"type":"string",)"
                                      R"("x-mcp-header":"Region"}}})")
                              .as_object();
    tools->Add(region, [](ToolContext&, const json::object& args) {
      return ToolOutcome::Text(std::string(args.at("region").as_string()));
    });
    for (int i = 0; i < 3; ++i) {
      tools->Add(ToolDescriptor{.name = "extra_" + std::to_string(i), .description = "Filler"},
                 [](ToolContext&, const json::object&) { return ToolOutcome::Text("x"); });
    }
    server_ = std::make_unique<McpServer>(options, tools, std::make_shared<ResourceRegistry>(),
                                          std::make_shared<PromptRegistry>(), pool_,
                                          SystemClock::Instance(), OpenSslRandom::Instance());
    sessions_ = std::make_unique<SessionTable>(SystemClock::Instance(), OpenSslRandom::Instance(),
                                               SessionTable::Options{});
    transport_ =
        std::make_unique<StreamableHttpTransport>(*server_, *sessions_, TransportOptions{});
    auto router = std::make_shared<http::Router>();
    transport_->Register(*router);
    // Our server, with every request recorded.
    AddAll(*router, "/recorded", [this](std::shared_ptr<http::Exchange> ex) {
      recorder_.Record(ex->request());
      transport_->Handle(std::move(ex));
    });
    // A legacy-only server in front of ours: the v1 SDK's answer to a request without a
    // session, here to anything that claims 2026-07-28.
    AddAll(*router, "/legacy-only", [this](std::shared_ptr<http::Exchange> ex) {
      if (ex->request().headers.Get("MCP-Protocol-Version") == "2026-07-28") {
        return ex->Respond(JsonResponse(
            400, R"({"jsonrpc":"2.0","error":{"code":-32000,"message":"No session"},"id":null})"));
      }
      transport_->Handle(std::move(ex));
    });
    // A server whose modern answer is -32022 naming only 2025 revisions.
    AddAll(*router, "/v2025-only", [this](std::shared_ptr<http::Exchange> ex) {
      if (ex->request().headers.Get("MCP-Protocol-Version") == "2026-07-28") {
        return ex->Respond(JsonResponse(
            400, R"({"jsonrpc":"2.0","id":1,"error":{"code":-32022,"message":"Unsupported",)"
                 R"("data":{"supported":["2025-11-25"],"requested":"2026-07-28"}}})"));
      }
      transport_->Handle(std::move(ex));
    });
    Fixed(*router, "/future", [] {
      return JsonResponse(
          400, R"({"jsonrpc":"2.0","id":1,"error":{"code":-32022,"message":"Unsupported",)"
               R"("data":{"supported":["2031-01-01"],"requested":"2026-07-28"}}})");
    });
    Fixed(*router, "/garbage",
          [] { return http::Response::Text(200, "<html>surprise</html>", "text/html"); });
    Fixed(*router, "/wrong-id",
          [] { return JsonResponse(200, R"({"jsonrpc":"2.0","id":999,"result":{}})"); });
    Fixed(*router, "/broken", [] { return http::Response::Text(500, "oops"); });
    Fixed(*router, "/protected", [] {
      auto r = http::Response::Text(401, "");
      r.headers.Set("WWW-Authenticate", R"(Bearer resource_metadata="http://x/.well-known/y")");
      return r;
    });
    AddAll(*router, "/garbage-sse", [](std::shared_ptr<http::Exchange> ex) {
      auto stream = ex->StartStream(http::Response{.status = 200});
      stream->Send({.data = "this is not JSON"});
      stream->Close();
    });
    AddAll(*router, "/fake-legacy",
           [this](std::shared_ptr<http::Exchange> ex) { fake_legacy_.Handle(ex); });
    // Our server, except that its first answer is -32022 although it lists 2026-07-28.
    AddAll(*router, "/reject-once", [this](std::shared_ptr<http::Exchange> ex) {
      if (!rejected_once_.exchange(true)) {
        return ex->Respond(JsonResponse(
            400, R"({"jsonrpc":"2.0","id":1,"error":{"code":-32022,"message":"Unsupported",)"
                 R"("data":{"supported":["2026-07-28"],"requested":"2026-07-28"}}})"));
      }
      transport_->Handle(std::move(ex));
    });
    AddAll(*router, "/fake-modern", [this](std::shared_ptr<http::Exchange> ex) {
      recorder_.Record(ex->request());
      ex->Respond(FakeModern(json::parse(ex->request().body).as_object()));
    });
    http_ = std::make_unique<http::Server>(http::ServerOptions{.threads = 2}, router);
    ASSERT_TRUE(http_->Start().has_value());
    base_ = "http://127.0.0.1:" + std::to_string(http_->port());
  }

  static void AddAll(http::Router& router, std::string_view path, http::Handler handler) {
    for (const char* m : {"POST", "GET", "DELETE"}) {
      router.Add(m, path, handler);
    }
  }
  static void Fixed(http::Router& router, std::string_view path,
                    std::function<http::Response()> make) {
    AddAll(router, path, [make](std::shared_ptr<http::Exchange> ex) { ex->Respond(make()); });
  }

  std::unique_ptr<McpClient> Client(std::string_view path, McpClientOptions options = {}) {
    options.request_timeout = std::chrono::seconds(10);
    return std::make_unique<McpClient>(client_, base_ + std::string(path), std::move(options));
  }

  static McpClientOptions Legacy() { return McpClientOptions{.era = EraPreference::kLegacy}; }

  // A raw legacy request with a session id: what its status says about the session.
  int StatusWithSession(const std::string& session) {
    http::ClientRequest req{.method = "POST", .url = base_ + "/mcp"};
    req.headers.Set("Content-Type", "application/json");
    req.headers.Set("Accept", "application/json, text/event-stream");
    req.headers.Set("Mcp-Session-Id", session);
    req.headers.Set("MCP-Protocol-Version", "2025-11-25");
    req.body = R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})";
    auto r = client_.Send(req);
    return r ? r->status : 0;
  }

  // A 2026-07-28 server of canned answers: a tool that needs input (basic/patterns/mrtr), and a
  // listing with a tool whose x-mcp-header is invalid.
  static http::Response FakeModern(const json::object& msg) {
    const std::string method(msg.at("method").as_string());
    const std::string id = json::serialize(msg.at("id"));
    const json::object& params = msg.at("params").as_object();
    std::string result;
    if (method == "server/discover") {
      result = R"({"supportedVersions":["2026-07-28"],"capabilities":{"tools":{}}})";
    } else if (method == "tools/list") {
      result = R"({"tools":[{"name":"ok","inputSchema":{"type":"object","properties":)"
               R"({"r":{"type":"string","x-mcp-header":"R"}}}},)"
               R"({"name":"bad","inputSchema":{"type":"object","properties":)"
               R"({"r":{"type":"object","x-mcp-header":"R"}}}}]})";
    } else if (!params.contains("inputResponses")) {
      result = R"({"resultType":"input_required","requestState":"opaque-1",)"
               R"("inputRequests":{"q":{"method":"elicitation/create",)"
               R"("params":{"message":"sure?","requestedSchema":{"type":"object"}}}}})";
    } else {
      const std::string echoed = json::serialize(params.at("inputResponses")) + " " +
                                 std::string(params.at("requestState").as_string());
      result = R"({"resultType":"complete","content":[{"type":"text","text":)" +
               json::serialize(json::value(echoed)) + "}]}";
    }
    return JsonResponse(200, R"({"jsonrpc":"2.0","id":)" + id + R"(,"result":)" + result + "}");
  }

  std::atomic<bool> rejected_once_{false};
  core::WorkerPool pool_{2};
  std::unique_ptr<McpServer> server_;
  std::unique_ptr<SessionTable> sessions_;
  std::unique_ptr<StreamableHttpTransport> transport_;
  Recorder recorder_;
  FakeLegacyServer fake_legacy_;
  std::unique_ptr<http::Server> http_;
  http::Client client_;
  std::string base_;
};

TEST_F(McpClientTest, ModernConnectListAndCall) {
  auto c = Client("/recorded", {.add_headers = [](http::Headers& h) {
                    h.Set("Authorization", "Bearer test-token");
                  }});
  ASSERT_TRUE(c->Connect().has_value()) << c->last_error().Describe();
  EXPECT_EQ(c->era(), Era::kModern);
  EXPECT_EQ(c->protocol_version(), "2026-07-28");
  EXPECT_EQ(c->server_info().at("name").as_string(), "mcpauth");
  EXPECT_TRUE(c->server_capabilities().contains("tools"));
  EXPECT_TRUE(c->session_id().empty());

  auto tools = c->ListTools();
  ASSERT_TRUE(tools.has_value()) << c->last_error().Describe();
  ASSERT_EQ(tools->size(), 7u);
  EXPECT_EQ((*tools)[0].name, "echo");
  EXPECT_EQ((*tools)[0].description, "Echo text back");

  auto call = c->CallTool("echo", json::object{{"text", "hi"}});
  ASSERT_TRUE(call.has_value()) << c->last_error().Describe();
  EXPECT_FALSE(call->is_error);
  EXPECT_EQ(call->Text(), "hi");

  // 2026-07-28 transports: the standard headers on every request, mirroring the body.
  const auto seen = recorder_.Take();
  ASSERT_EQ(seen.size(), 3u);
  const char* methods[] = {"server/discover", "tools/list", "tools/call"};
  for (size_t i = 0; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i].mcp_method, methods[i]);
    EXPECT_EQ(seen[i].protocol_version, "2026-07-28");
    EXPECT_EQ(seen[i].accept, "application/json, text/event-stream");
    EXPECT_EQ(seen[i].content_type, "application/json");
    EXPECT_EQ(seen[i].authorization, "Bearer test-token");  // the header hook
    EXPECT_TRUE(seen[i].session.empty());
    auto meta = json::parse(seen[i].body).at("params").at("_meta");
    EXPECT_EQ(meta.at("io.modelcontextprotocol/protocolVersion").as_string(), "2026-07-28");
    EXPECT_TRUE(meta.at("io.modelcontextprotocol/clientCapabilities").as_object().empty());
    EXPECT_EQ(meta.at("io.modelcontextprotocol/clientInfo").at("name").as_string(), "mcpauth");
  }
  EXPECT_EQ(seen[2].mcp_name, "echo");
}

TEST_F(McpClientTest, ModernProgressAndLogsArriveOverSse) {
  std::vector<std::string> logs;
  auto c = Client(
      "/mcp", {.log_level = "info",
               .on_log = [&](std::string_view level, std::string_view, const json::value& data) {
                 logs.push_back(std::string(level) + ":" + json::serialize(data));
               }});
  ASSERT_TRUE(c->Connect().has_value());
  std::vector<Progress> progress;
  auto call = c->CallTool("slow_progress", {}, [&](const Progress& p) { progress.push_back(p); });
  ASSERT_TRUE(call.has_value()) << c->last_error().Describe();
  EXPECT_EQ(call->Text(), "done");
  ASSERT_EQ(progress.size(), 3u);
  for (size_t i = 0; i < progress.size(); ++i) {
    EXPECT_EQ(progress[i].progress, static_cast<double>(i + 1));
    EXPECT_EQ(progress[i].total, 3.0);
    EXPECT_EQ(progress[i].message, "step");
  }
  EXPECT_EQ(logs, std::vector<std::string>(3, R"(info:"working")"));
  // The same client keeps working after a stream it stopped reading at the response.
  EXPECT_EQ(c->CallTool("echo", json::object{{"text", "again"}})->Text(), "again");
}

TEST_F(McpClientTest, ModernMirrorsXMcpHeaderArgumentsInBase64WhenNeeded) {
  auto c = Client("/recorded");
  ASSERT_TRUE(c->Connect().has_value());
  // Not listed yet: the server refuses the call (-32020), the client lists and retries.
  auto first = c->CallTool("regional", json::object{{"region", "us-west1"}});
  ASSERT_TRUE(first.has_value()) << c->last_error().Describe();
  EXPECT_EQ(first->Text(), "us-west1");
  auto wide = c->CallTool("regional", json::object{{"region", "Hello, 世界"}});
  ASSERT_TRUE(wide.has_value()) << c->last_error().Describe();
  EXPECT_EQ(wide->Text(), "Hello, 世界");
  const auto seen = recorder_.Take();
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back().mcp_param_region, "=?base64?SGVsbG8sIOS4lueVjA==?=");
}

TEST_F(McpClientTest, ForcedLegacyConnectListCallAndClose) {
  auto c = Client("/recorded", Legacy());
  ASSERT_TRUE(c->Connect().has_value()) << c->last_error().Describe();
  EXPECT_EQ(c->era(), Era::kLegacy);
  EXPECT_EQ(c->protocol_version(), "2025-11-25");
  ASSERT_FALSE(c->session_id().empty());
  EXPECT_EQ(c->server_info().at("name").as_string(), "mcpauth");
  auto tools = c->ListTools();
  ASSERT_TRUE(tools.has_value()) << c->last_error().Describe();
  EXPECT_EQ(tools->size(), 7u);
  auto call = c->CallTool("echo", json::object{{"text", "hi"}});
  ASSERT_TRUE(call.has_value()) << c->last_error().Describe();
  EXPECT_EQ(call->Text(), "hi");
  int progress = 0;
  auto streamed = c->CallTool("slow_progress", {}, [&](const Progress&) { ++progress; });
  ASSERT_TRUE(streamed.has_value()) << c->last_error().Describe();
  EXPECT_EQ(progress, 3);

  // 2025-11-25 transports: initialize without version or session; then both on every request.
  const std::string session = c->session_id();
  const auto seen = recorder_.Take();
  ASSERT_EQ(seen.size(), 5u);  // initialize, initialized, list, 2 calls
  EXPECT_TRUE(seen[0].protocol_version.empty());
  EXPECT_TRUE(seen[0].session.empty());
  for (size_t i = 1; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i].session, session);
    EXPECT_EQ(seen[i].protocol_version, "2025-11-25");
    EXPECT_TRUE(seen[i].mcp_method.empty());  // no 2026 headers on the legacy wire
  }

  ASSERT_TRUE(c->Close().has_value()) << c->last_error().Describe();
  const auto closing = recorder_.Take();
  ASSERT_EQ(closing.size(), 1u);
  EXPECT_EQ(closing[0].method, "DELETE");
  EXPECT_EQ(closing[0].session, session);
  EXPECT_EQ(StatusWithSession(session), 404);  // the session is gone
  EXPECT_FALSE(c->connected());
  EXPECT_EQ(c->ListTools().error(), ClientErrc::kNotConnected);
}

TEST_F(McpClientTest, LegacyReinitializesOnceAfterA404) {
  auto c = Client("/mcp", Legacy());
  ASSERT_TRUE(c->Connect().has_value());
  const std::string old_session = c->session_id();
  // The session ends behind the client's back (expiry, a server restart).
  http::ClientRequest del{.method = "DELETE", .url = base_ + "/mcp"};
  del.headers.Set("Mcp-Session-Id", old_session);
  ASSERT_EQ(client_.Send(del)->status, 200);
  auto call = c->CallTool("echo", json::object{{"text", "back"}});
  ASSERT_TRUE(call.has_value()) << c->last_error().Describe();
  EXPECT_EQ(call->Text(), "back");
  EXPECT_FALSE(c->session_id().empty());
  EXPECT_NE(c->session_id(), old_session);
}

TEST_F(McpClientTest, PaginationFollowsNextCursorInBothEras) {
  McpServer::Options options;
  options.page_size = 2;
  Start(options);
  for (auto era : {EraPreference::kModern, EraPreference::kLegacy}) {
    auto c = Client("/recorded", {.era = era});
    ASSERT_TRUE(c->Connect().has_value());
    recorder_.Take();
    auto tools = c->ListTools();
    ASSERT_TRUE(tools.has_value()) << c->last_error().Describe();
    ASSERT_EQ(tools->size(), 7u);
    EXPECT_EQ(tools->front().name, "echo");
    EXPECT_EQ(tools->back().name, "extra_2");
    EXPECT_EQ(recorder_.Take().size(), 4u);  // 2 + 2 + 2 + 1
  }
}

TEST_F(McpClientTest, ToolErrorIsAResultNotAFailure) {
  auto c = Client("/mcp");
  ASSERT_TRUE(c->Connect().has_value());
  auto call = c->CallTool("fails", {});
  ASSERT_TRUE(call.has_value());
  EXPECT_TRUE(call->is_error);
  EXPECT_EQ(call->Text(), "boom");
  // An unknown tool is a JSON-RPC error in our server: a failure, with the server's error.
  auto unknown = c->CallTool("no_such_tool", {});
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error(), ClientErrc::kRpcError);
  ASSERT_TRUE(c->last_error().rpc.has_value());
  EXPECT_EQ(c->last_error().rpc->code, kInvalidParams);
}

TEST_F(McpClientTest, FallsBackToLegacyOnA400WithoutAModernError) {
  auto c = Client("/legacy-only");
  ASSERT_TRUE(c->Connect().has_value()) << c->last_error().Describe();
  EXPECT_EQ(c->era(), Era::kLegacy);
  EXPECT_EQ(c->CallTool("echo", json::object{{"text", "hi"}})->Text(), "hi");
  // Pinned to 2026-07-28: no downgrade.
  auto pinned = Client("/legacy-only", {.era = EraPreference::kModern});
  EXPECT_EQ(pinned->Connect().error(), ClientErrc::kNoCommonVersion);
  EXPECT_EQ(pinned->last_error().http_status, 400);
}

TEST_F(McpClientTest, FallsBackWhenUnsupportedVersionListsOnlyLegacyOnes) {
  auto c = Client("/v2025-only");
  ASSERT_TRUE(c->Connect().has_value()) << c->last_error().Describe();
  EXPECT_EQ(c->era(), Era::kLegacy);
  auto future = Client("/future");
  EXPECT_EQ(future->Connect().error(), ClientErrc::kNoCommonVersion);
  EXPECT_EQ(future->last_error().rpc->code, kUnsupportedProtocolVersion);
}

TEST_F(McpClientTest, GarbageAndFailuresAreCleanErrorsNotFallbacks) {
  struct Case {
    const char* path;
    ClientErrc want;
    int status;
  };
  for (const Case& k : {Case{"/garbage", ClientErrc::kBadResponse, 200},
                        Case{"/wrong-id", ClientErrc::kBadResponse, 200},
                        Case{"/garbage-sse", ClientErrc::kBadResponse, 200},
                        Case{"/broken", ClientErrc::kHttpStatus, 500},
                        Case{"/protected", ClientErrc::kUnauthorized, 401}}) {
    auto c = Client(k.path);
    auto st = c->Connect();
    ASSERT_FALSE(st.has_value()) << k.path;
    EXPECT_EQ(st.error(), k.want) << k.path << ": " << c->last_error().Describe();
    EXPECT_EQ(c->last_error().http_status, k.status) << k.path;
    EXPECT_FALSE(c->connected());
    EXPECT_FALSE(c->last_error().Describe().empty());
  }
  auto c = Client("/protected");
  ASSERT_FALSE(c->Connect().has_value());
  EXPECT_EQ(c->last_error().www_authenticate,
            R"(Bearer resource_metadata="http://x/.well-known/y")");
  // Nobody listening: the transport's own error.
  McpClient closed(client_, "http://127.0.0.1:1/mcp");
  EXPECT_EQ(closed.Connect().error(), http::ClientErrc::kConnectFailed);
}

TEST_F(McpClientTest, LegacyStreamClosedEarlyIsResumedWithLastEventId) {
  auto c = Client("/fake-legacy");
  ASSERT_TRUE(c->Connect().has_value()) << c->last_error().Describe();
  EXPECT_EQ(c->era(), Era::kLegacy);
  EXPECT_EQ(c->protocol_version(), "2025-06-18");  // the server's answer is what counts
  fake_legacy_.recorder.Take();
  auto call = c->CallTool("resumable", {});
  ASSERT_TRUE(call.has_value()) << c->last_error().Describe();
  EXPECT_EQ(call->Text(), "resumed");
  const auto seen = fake_legacy_.recorder.Take();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].method, "GET");
  EXPECT_EQ(seen[1].last_event_id, "ev-1");
  EXPECT_EQ(seen[1].session, "fake-session");
  EXPECT_EQ(seen[1].accept, "text/event-stream");
}

TEST_F(McpClientTest, LegacyServerRequestsAreAnsweredByPost) {
  auto c = Client("/fake-legacy");
  ASSERT_TRUE(c->Connect().has_value());
  auto call = c->CallTool("asks", {});
  ASSERT_TRUE(call.has_value()) << c->last_error().Describe();
  EXPECT_EQ(call->Text(), "answered");
  const auto answers = fake_legacy_.answers();
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(answers[0].at("id").as_string(), "srv-1");
  EXPECT_EQ(answers[0].at("error").at("code").as_int64(), kMethodNotFound);
  EXPECT_EQ(answers[1].at("id").as_string(), "srv-2");
  EXPECT_TRUE(answers[1].at("result").as_object().empty());  // ping: {}
}

TEST_F(McpClientTest, ModernRetriesOnceWhenTheRejectionListsOurVersion) {
  // 2026-07-28 basic/versioning: the client retries with a version the server supports.
  auto c = Client("/reject-once");
  ASSERT_TRUE(c->Connect().has_value()) << c->last_error().Describe();
  EXPECT_EQ(c->era(), Era::kModern);
}

TEST_F(McpClientTest, ModernInputRequiredIsAnsweredThenRetriedWithTheExactState) {
  // Without a handler the request stays unanswered.
  auto plain = Client("/fake-modern");
  ASSERT_TRUE(plain->Connect().has_value());
  EXPECT_EQ(plain->CallTool("confirm", {}).error(), ClientErrc::kInputRequired);

  McpClientOptions options;
  options.capabilities = json::object{{"elicitation", json::object{}}};
  std::vector<std::string> asked;
  options.on_input_request = [&](std::string_view method, const json::object& params) {
    asked.push_back(std::string(method) + " " + std::string(params.at("message").as_string()));
    return std::optional<json::object>(json::object{{"action", "accept"}});
  };
  auto c = Client("/fake-modern", std::move(options));
  ASSERT_TRUE(c->Connect().has_value());
  recorder_.Take();
  auto call = c->CallTool("confirm", {});
  ASSERT_TRUE(call.has_value()) << c->last_error().Describe();
  EXPECT_EQ(call->Text(), R"({"q":{"action":"accept"}} opaque-1)");
  EXPECT_EQ(asked, std::vector<std::string>{"elicitation/create sure?"});
  const auto seen = recorder_.Take();
  ASSERT_EQ(seen.size(), 2u);
  const auto first = json::parse(seen[0].body).as_object();
  const auto retry = json::parse(seen[1].body).as_object();
  EXPECT_NE(first.at("id"), retry.at("id"));  // a new request
  EXPECT_EQ(retry.at("params")
                .at("_meta")
                .at("io.modelcontextprotocol/clientCapabilities")
                .as_object()
                .count("elicitation"),
            1u);
}

TEST_F(McpClientTest, ModernToolsWithAnInvalidXMcpHeaderAreLeftOut) {
  auto c = Client("/fake-modern");
  ASSERT_TRUE(c->Connect().has_value());
  auto tools = c->ListTools();
  ASSERT_TRUE(tools.has_value());
  ASSERT_EQ(tools->size(), 1u);
  EXPECT_EQ(tools->front().name, "ok");
}

TEST(EncodeHeaderValueTest, SentinelOnlyWhenNeededPerSpecExamples) {
  // MCP 2026-07-28 transports, value encoding examples.
  const std::pair<const char*, const char*> cases[] = {
      {"echo", "echo"},
      {"inner space\tand tab", "inner space\tand tab"},
      {"Hello, 世界", "=?base64?SGVsbG8sIOS4lueVjA==?="},
      {" padded ", "=?base64?IHBhZGRlZCA=?="},
      {"line1\nline2", "=?base64?bGluZTEKbGluZTI=?="},
      {"=?base64?literal?=", "=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?="},
      {"=?base64?SGVsbG8=", "=?base64?SGVsbG8="},  // no suffix: not a sentinel, sent as-is
  };
  for (const auto& [in, out] : cases) {
    EXPECT_EQ(EncodeHeaderValue(in), out) << in;
    EXPECT_EQ(DecodeHeaderValue(EncodeHeaderValue(in)), std::string(in)) << in;
  }
}

}  // namespace
}  // namespace mcpauth::mcp
