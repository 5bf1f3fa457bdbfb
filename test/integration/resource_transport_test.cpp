// The MCP endpoint as a resource server, end to end: our HTTP server on 127.0.0.1:0, the
// Streamable HTTP transport with ResourceServer as its Authorizer, the Protected Resource
// Metadata routes, real ES256 tokens and our HTTP client. Checks what a real MCP client sees:
// statuses and WWW-Authenticate headers byte for byte, sessions bound to (subject, client),
// step-up, revocation on the next request.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <memory>
#include <string>

#include "fakes/fake_clock.hpp"
#include "mcpauth/core/worker_pool.hpp"
#include "mcpauth/http/client.hpp"
#include "mcpauth/http/router.hpp"
#include "mcpauth/http/server.hpp"
#include "mcpauth/jose/jwks.hpp"
#include "mcpauth/jose/jwt.hpp"
#include "mcpauth/mcp/http_transport.hpp"
#include "mcpauth/mcp/server.hpp"
#include "mcpauth/oauth/resource/bearer_validator.hpp"
#include "mcpauth/oauth/resource/resource_server.hpp"

namespace mcpauth::oauth::resource {
namespace {

namespace json = boost::json;

constexpr std::string_view kIssuer = "http://127.0.0.1:8080";
constexpr std::string_view kMeta =
    R"({"io.modelcontextprotocol/protocolVersion":"2026-07-28",)"
    R"("io.modelcontextprotocol/clientCapabilities":{},)"
    R"("io.modelcontextprotocol/clientInfo":{"name":"test","version":"1"}})";

class ResourceTransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto tools = std::make_shared<mcp::ToolRegistry>();
    mcp::ToolDescriptor whoami{.name = "whoami", .description = "Who is calling"};
    whoami.runs_inline = true;
    tools->Add(whoami, [](mcp::ToolContext& ctx, const json::object&) {
      return mcp::ToolOutcome::Text(ctx.principal().subject + "/" + ctx.principal().client_id);
    });
    mcp::ToolDescriptor add{.name = "add", .description = "Adds"};
    add.runs_inline = true;
    tools->Add(add,
               [](mcp::ToolContext&, const json::object&) { return mcp::ToolOutcome::Text("3"); });
    mcp_ = std::make_unique<mcp::McpServer>(mcp::McpServer::Options{}, tools,
                                            std::make_shared<mcp::ResourceRegistry>(),
                                            std::make_shared<mcp::PromptRegistry>(), pool_,
                                            SystemClock::Instance(), OpenSslRandom::Instance());
    sessions_ = std::make_unique<mcp::SessionTable>(
        SystemClock::Instance(), OpenSslRandom::Instance(), mcp::SessionTable::Options{});

    // The canonical URL is the public one (as behind a reverse proxy, --public-url), not the
    // address the server binds: tokens, challenges and the metadata all name it.
    auto jwks = std::make_shared<jose::Jwks>();
    ASSERT_TRUE(jwks->Add("k1", key_.PublicOnly().value()));
    validator_ = std::make_shared<BearerValidator>(
        clock_, std::make_shared<ResolverKeySource>(jose::JwksResolver(jwks)),
        BearerValidatorOptions{.issuer = std::string(kIssuer), .audience = resource_}, &revoked_);
    rs_ = std::make_unique<ResourceServer>(
        ResourceServerOptions{.resource = resource_,
                              .authorization_servers = {std::string(kIssuer)},
                              .scopes_supported = {"mcp:read", "mcp:tools", "offline_access"},
                              .resource_name = "test tools",
                              .default_scopes = {"mcp:read"},
                              .tool_scopes = {{"add", {"mcp:tools"}}}},
        validator_);
    transport_ = std::make_unique<mcp::StreamableHttpTransport>(
        *mcp_, *sessions_, mcp::TransportOptions{}, rs_->MakeAuthorizer());
    auto router = std::make_shared<http::Router>();
    transport_->Register(*router);
    rs_->RegisterMetadata(*router);
    http_ = std::make_unique<http::Server>(http::ServerOptions{.threads = 2}, router);
    ASSERT_TRUE(http_->Start().has_value());
    origin_ = "http://127.0.0.1:" + std::to_string(http_->port());
    endpoint_ = origin_ + "/mcp";
  }

  void TearDown() override {
    if (http_) {
      http_->Shutdown();
      http_->Wait();
    }
  }

  std::string Token(std::string_view sub, std::string_view client, std::string_view scope,
                    std::string_view grant = "grant-1") const {
    const json::object claims{{"iss", kIssuer},
                              {"sub", sub},
                              {"aud", resource_},
                              {"client_id", client},
                              {"scope", scope},
                              {"iat", clock_.NowSeconds()},
                              {"exp", clock_.NowSeconds() + 3600},
                              {"jti", std::string(sub) + std::string(grant)},
                              {"grant_id", grant}};
    return jose::EncodeJwt(key_, "k1", "at+jwt", claims).value();
  }

  http::Response Send(http::ClientRequest req) {
    auto r = client_.Send(req);
    EXPECT_TRUE(r.has_value()) << r.error().message();
    return r ? *r : http::Response{.status = 0};
  }

  // A 2026-07-28 POST, with the standard headers.
  http::Response Modern(std::string_view method, std::string params_json, std::string token,
                        std::string query = "") {
    json::object params = json::parse(params_json.empty() ? "{}" : params_json).as_object();
    params["_meta"] = json::parse(kMeta);
    json::object body{{"jsonrpc", "2.0"}, {"id", 7}, {"method", method}, {"params", params}};
    http::ClientRequest req{.method = "POST",
                            .url = endpoint_ + (query.empty() ? "" : "?" + query),
                            .body = json::serialize(body)};
    req.headers.Set("Content-Type", "application/json");
    req.headers.Set("Accept", "application/json, text/event-stream");
    req.headers.Set("MCP-Protocol-Version", "2026-07-28");
    req.headers.Set("Mcp-Method", method);
    if (const auto* n = params.if_contains("name")) {
      req.headers.Set("Mcp-Name", n->as_string());
    }
    if (!token.empty()) {
      req.headers.Set("Authorization", "Bearer " + token);
    }
    return Send(req);
  }

  // A legacy (2025-11-25) POST, optionally inside a session.
  http::Response Legacy(std::string body, std::string token, std::string session = "") {
    http::ClientRequest req{.method = "POST", .url = endpoint_, .body = std::move(body)};
    req.headers.Set("Content-Type", "application/json");
    req.headers.Set("Accept", "application/json, text/event-stream");
    if (!session.empty()) {
      req.headers.Set("Mcp-Session-Id", session);
      req.headers.Set("MCP-Protocol-Version", "2025-11-25");
    }
    if (!token.empty()) {
      req.headers.Set("Authorization", "Bearer " + token);
    }
    return Send(req);
  }
  http::Response Initialize(std::string token) {
    return Legacy(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":)"
                  R"("2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})",
                  std::move(token));
  }

  // The metadata URL as clients see it (in challenges), and where this server answers it.
  static std::string Prm() {
    return "https://mcp.example.test/.well-known/oauth-protected-resource/mcp";
  }
  static std::string Challenge(const http::Response& r) {
    return std::string(r.headers.Get("WWW-Authenticate").value_or("<none>"));
  }

  testing::FakeClock clock_{SystemClock::Instance().NowSeconds()};
  jose::EcKey key_ = jose::EcKey::Generate().value();
  RevokedGrants revoked_;
  std::unique_ptr<mcp::McpServer> mcp_;
  std::unique_ptr<mcp::SessionTable> sessions_;
  std::shared_ptr<BearerValidator> validator_;
  std::unique_ptr<ResourceServer> rs_;
  std::unique_ptr<mcp::StreamableHttpTransport> transport_;
  // Destroyed in reverse: the HTTP server stops, the pool drains, then what it references.
  core::WorkerPool pool_{2};
  std::unique_ptr<http::Server> http_;
  http::Client client_;
  std::string resource_ = "https://mcp.example.test/mcp";  // canonical (public) URL
  std::string origin_;                                     // where the server listens
  std::string endpoint_;                                   // origin_ + "/mcp"
};

TEST_F(ResourceTransportTest, ServesProtectedResourceMetadataAtBothPaths) {
  const std::string expected = R"({"resource":")" + resource_ +
                               R"(","authorization_servers":["http://127.0.0.1:8080"],)"
                               R"("scopes_supported":["mcp:read","mcp:tools"],)"
                               R"("bearer_methods_supported":["header"],)"
                               R"("resource_name":"test tools"})";
  for (const std::string& url : {origin_ + "/.well-known/oauth-protected-resource/mcp",
                                 origin_ + "/.well-known/oauth-protected-resource"}) {
    const http::Response r = Send({.method = "GET", .url = url});
    EXPECT_EQ(r.status, 200) << url;
    EXPECT_EQ(r.body, expected);
    EXPECT_EQ(r.headers.Get("Access-Control-Allow-Origin"), "*");
    EXPECT_TRUE(r.headers.Get("Cache-Control").value_or("").starts_with("public, max-age="));
  }
}

TEST_F(ResourceTransportTest, NoTokenGets401PointingAtTheMetadata) {
  for (const http::Response& r : {Initialize(""), Modern("tools/list", "", "")}) {
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(Challenge(r), "Bearer resource_metadata=\"" + Prm() + "\", scope=\"mcp:read\"");
  }
  // GET and DELETE too (T6: every request), before the session id is even looked at.
  http::Headers h;
  h.Set("Accept", "text/event-stream");
  h.Set("Mcp-Session-Id", "some-session");
  for (const char* method : {"GET", "DELETE"}) {
    const http::Response r = Send({.method = method, .url = endpoint_, .headers = h});
    EXPECT_EQ(r.status, 401) << method;
    EXPECT_EQ(Challenge(r), "Bearer resource_metadata=\"" + Prm() + "\", scope=\"mcp:read\"");
  }
}

TEST_F(ResourceTransportTest, GarbageAndForeignTokensGet401InvalidToken) {
  const http::Response garbage = Modern("tools/list", "", "garbage");
  EXPECT_EQ(garbage.status, 401);
  EXPECT_EQ(Challenge(garbage),
            "Bearer error=\"invalid_token\", error_description=\"The access token is malformed\", "
            "resource_metadata=\"" +
                Prm() + "\", scope=\"mcp:read\"");
  // Signed by our key, but for another resource (RFC 8707 audience binding).
  const json::object claims{
      {"iss", kIssuer},   {"sub", "u"},          {"aud", "https://mcp.example.test/other"},
      {"client_id", "c"}, {"scope", "mcp:read"}, {"exp", clock_.NowSeconds() + 60},
      {"grant_id", "g"}};
  const http::Response foreign =
      Modern("tools/list", "", jose::EncodeJwt(key_, "k1", "at+jwt", claims).value());
  EXPECT_EQ(foreign.status, 401);
  EXPECT_NE(Challenge(foreign).find("issued for another resource"), std::string::npos);
}

TEST_F(ResourceTransportTest, ModernToolCallNeedsTheToolsScopeStepUp) {
  const std::string reader = Token("alice", "client-1", "mcp:read");
  const http::Response ok = Modern("tools/call", R"({"name":"whoami","arguments":{}})", reader);
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_NE(ok.body.find("alice/client-1"), std::string::npos);

  const http::Response denied = Modern("tools/call", R"({"name":"add","arguments":{}})", reader);
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(Challenge(denied),
            "Bearer error=\"insufficient_scope\", scope=\"mcp:read mcp:tools\", "
            "resource_metadata=\"" +
                Prm() +
                "\", error_description=\"The access token lacks a scope this request needs\"");
  // After step-up, the same call passes.
  const http::Response stepped = Modern("tools/call", R"({"name":"add","arguments":{}})",
                                        Token("alice", "client-1", "mcp:read mcp:tools", "g2"));
  EXPECT_EQ(stepped.status, 200) << stepped.body;
}

TEST_F(ResourceTransportTest, ARevokedGrantFailsTheVeryNextRequest) {
  const std::string token = Token("alice", "client-1", "mcp:read", "grant-r");
  ASSERT_EQ(Modern("tools/list", "", token).status, 200);
  ASSERT_EQ(Modern("tools/list", "", token).status, 200);  // now cached
  revoked_.Add("grant-r", clock_.Now());
  const http::Response r = Modern("tools/list", "", token);
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(Challenge(r).find("error=\"invalid_token\""), std::string::npos);
  EXPECT_EQ(validator_->verifications(), 1u);
}

}  // namespace
}  // namespace mcpauth::oauth::resource
