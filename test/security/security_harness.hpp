// The attack suite's stack: the real authorization server (AsHarness: SQLite, real HTTP, FakeClock,
// real forms) with two protected resources, and the MCP endpoint of each mounted on the same
// server as a resource server validating the AS's real tokens (co-hosted, as `mcpauth-server`
// runs by default): /mcp for `resource`, /other for `other_resource`.
//
// Every attack case asserts the exact refusal and that nothing was issued or changed: StoreState
// is what an attacker could have made the server issue or change (grants and their revocation,
// clients, consents, and the audit trail's issuing events); take one before, compare after.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "integration/as_harness.hpp"
#include "integration/raw_socket.hpp"
#include "mcpauth/core/worker_pool.hpp"
#include "mcpauth/mcp/http_transport.hpp"
#include "mcpauth/mcp/server.hpp"
#include "mcpauth/mcp/session.hpp"
#include "mcpauth/oauth/resource/bearer_validator.hpp"
#include "mcpauth/oauth/resource/resource_server.hpp"
#include "mcpauth/oauth/resource/revoked_grants.hpp"

namespace mcpauth::testing {

inline constexpr const char* kVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-long-enough";
inline constexpr const char* kLoopback = "http://127.0.0.1:9/callback";
inline constexpr std::string_view kModernMeta =
    R"({"io.modelcontextprotocol/protocolVersion":"2026-07-28",)"
    R"("io.modelcontextprotocol/clientCapabilities":{},)"
    R"("io.modelcontextprotocol/clientInfo":{"name":"attacker","version":"1"}})";

inline boost::json::object Json(const http::Response& r) {
  boost::system::error_code ec;
  auto v = boost::json::parse(r.body, ec);
  if (ec || !v.is_object()) {
    ADD_FAILURE() << "not a JSON object (" << r.status << "): " << r.body.substr(0, 300);
    return {};
  }
  return v.as_object();
}

inline std::string Str(const boost::json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_string() ? std::string(it->value().as_string()) : "";
}

inline std::string LocationOf(const http::Response& r) {
  return std::string(r.headers.Get("Location").value_or(""));
}

// What an attack could have issued or changed. Login failures and throttling are recorded in the
// audit log on purpose, so only the issuing and revoking events count.
struct StoreState {
  std::vector<std::string> grants;   // id + revoked or live
  std::vector<std::string> clients;  // client ids
  std::vector<std::string> consents;
  std::vector<std::string> events;  // issuing / revoking audit events

  friend bool operator==(const StoreState&, const StoreState&) = default;
  friend std::ostream& operator<<(std::ostream& os, const StoreState& s) {
    os << s.grants.size() << " grants, " << s.clients.size() << " clients, " << s.consents.size()
       << " consents, events:";
    for (const auto& e : s.events) {
      os << ' ' << e;
    }
    return os;
  }
};

inline StoreState Snapshot(store::Store& store, const std::string& user_id = "u_alice") {
  StoreState s;
  for (const auto& g : store.ListGrants({}, true).value()) {
    s.grants.push_back(g.id + (g.revoked_at ? " revoked" : " live"));
  }
  for (const auto& c : store.ListClients().value()) {
    s.clients.push_back(c.client_id);
  }
  for (const auto& c : store.ListConsents(user_id).value()) {
    s.consents.push_back(c.client_id);
  }
  for (const auto& e : store.ListAudit({.limit = 10000}).value()) {
    if (e.type.rfind("login.", 0) != 0) {
      s.events.push_back(e.type + ":" + e.grant_id);
    }
  }
  return s;
}

class SecurityStack {
 public:
  explicit SecurityStack(AsHarnessOptions options = {}) {
    auto configure = options.configure;
    options.configure = [configure](oauth::AuthorizationServerConfig& c) {
      c.resources.push_back({c.issuer + "/other", "Other MCP server", {"mcp:read", "mcp:tools"}});
      if (configure) {
        configure(c);
      }
    };
    as_ = std::make_unique<AsHarness>(std::move(options));
    other_resource = as_->issuer + "/other";
    tools_ = std::make_shared<mcp::ToolRegistry>();
    mcp::ToolDescriptor whoami{.name = "whoami", .description = "Who is calling"};
    whoami.runs_inline = true;
    tools_->Add(whoami, [](mcp::ToolContext& ctx, const boost::json::object&) {
      return mcp::ToolOutcome::Text(ctx.principal().subject + "/" + ctx.principal().client_id);
    });
    mcp_ = std::make_unique<mcp::McpServer>(
        mcp::McpServer::Options{}, tools_, std::make_shared<mcp::ResourceRegistry>(),
        std::make_shared<mcp::PromptRegistry>(), pool_, as_->clock, OpenSslRandom::Instance());
    as_->as().tokens().SetRevocationListener(
        [this](const std::string& grant_id, Clock::TimePoint at) { revoked_.Add(grant_id, at); });
    Mount(as_->resource, "/mcp");
    Mount(other_resource, "/other");
    as_->Start();
  }
  ~SecurityStack() { as_.reset(); }  // the server stops before what its routes reference

  AsHarness& as() { return *as_; }
  uint16_t port() const {
    return static_cast<uint16_t>(std::stoi(as_->issuer.substr(as_->issuer.rfind(':') + 1)));
  }

  // Registers a public client, signs alice in through the real forms, approves, exchanges.
  struct Connected {
    std::string client_id;
    std::string access_token;
    std::string refresh_token;
    AsHarness::Browser browser;
  };
  Connected Connect(const std::string& resource = "", const std::string& scope = "mcp:tools") {
    Connected c{.client_id = as_->RegisterPublic(), .browser = as_->NewBrowser()};
    auto params = as_->AuthParams(c.client_id, kLoopback, kVerifier, scope);
    if (!resource.empty()) {
      for (auto& [k, v] : params) {
        if (k == "resource") {
          v = resource;
        }
      }
    }
    auto authz = as_->Authorize(c.browser, params);
    auto r = as_->PostForm("/token", {{"grant_type", "authorization_code"},
                                      {"client_id", c.client_id},
                                      {"code", authz.code},
                                      {"code_verifier", kVerifier},
                                      {"redirect_uri", kLoopback},
                                      {"resource", resource.empty() ? as_->resource : resource}});
    EXPECT_EQ(r.status, 200) << r.body;
    auto t = Json(r);
    c.access_token = Str(t, "access_token");
    c.refresh_token = Str(t, "refresh_token");
    return c;
  }

  // A 2026-07-28 tools/call of whoami at `path`, with `token` as the bearer (if not empty).
  http::Response CallMcp(const std::string& path, const std::string& token,
                         http::Headers headers = {}, const std::string& query = "") {
    const std::string body =
        R"({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"whoami","arguments":{},"_meta":)" +
        std::string(kModernMeta) + "}}";
    headers.Set("Content-Type", "application/json");
    headers.Set("Accept", "application/json, text/event-stream");
    headers.Set("MCP-Protocol-Version", "2026-07-28");
    headers.Set("Mcp-Method", "tools/call");
    headers.Set("Mcp-Name", "whoami");
    if (!token.empty()) {
      headers.Set("Authorization", "Bearer " + token);
    }
    return as_->Send({.method = "POST",
                      .url = as_->Url(path) + (query.empty() ? "" : "?" + query),
                      .headers = headers,
                      .body = body});
  }

  // A legacy (2025-11-25) POST at /mcp, optionally inside a session.
  http::Response Legacy(const std::string& body, const std::string& token,
                        const std::string& session = "") {
    http::Headers h;
    h.Set("Content-Type", "application/json");
    h.Set("Accept", "application/json, text/event-stream");
    if (!session.empty()) {
      h.Set("Mcp-Session-Id", session);
      h.Set("MCP-Protocol-Version", "2025-11-25");
    }
    if (!token.empty()) {
      h.Set("Authorization", "Bearer " + token);
    }
    return as_->Send({.method = "POST", .url = as_->Url("/mcp"), .headers = h, .body = body});
  }

  std::string other_resource;

 private:
  void Mount(const std::string& resource, const std::string& path) {
    auto validator = std::make_shared<oauth::resource::BearerValidator>(
        as_->clock, std::make_shared<oauth::resource::ResolverKeySource>(as_->keys().Resolver()),
        oauth::resource::BearerValidatorOptions{.issuer = as_->issuer, .audience = resource},
        &revoked_);
    auto rs = std::make_unique<oauth::resource::ResourceServer>(
        oauth::resource::ResourceServerOptions{.resource = resource,
                                               .authorization_servers = {as_->issuer},
                                               .scopes_supported = {"mcp:read", "mcp:tools"},
                                               .resource_name = "attacked",
                                               .default_scopes = {"mcp:tools"}},
        validator);
    auto sessions = std::make_unique<mcp::SessionTable>(as_->clock, OpenSslRandom::Instance(),
                                                        mcp::SessionTable::Options{});
    auto transport = std::make_unique<mcp::StreamableHttpTransport>(
        *mcp_, *sessions, mcp::TransportOptions{.path = path}, rs->MakeAuthorizer());
    transport->Register(*as_->router);
    servers_.push_back(std::move(rs));
    sessions_.push_back(std::move(sessions));
    transports_.push_back(std::move(transport));
  }

  // Declared before as_: destroyed after the HTTP server that calls into them.
  core::WorkerPool pool_{2};
  oauth::resource::RevokedGrants revoked_;
  std::shared_ptr<mcp::ToolRegistry> tools_;
  std::unique_ptr<mcp::McpServer> mcp_;
  std::vector<std::unique_ptr<oauth::resource::ResourceServer>> servers_;
  std::vector<std::unique_ptr<mcp::SessionTable>> sessions_;
  std::vector<std::unique_ptr<mcp::StreamableHttpTransport>> transports_;
  std::unique_ptr<AsHarness> as_;
};

// The fixture of most cases: a started stack, and helpers to assert "refused, nothing changed".
class AttackTest : public ::testing::Test {
 protected:
  AsHarness& as() { return stack_.as(); }
  StoreState Now() { return Snapshot(as().store()); }

  // The /authorize request of `params`, from a fresh browser.
  http::Response AuthorizeOnce(const std::vector<std::pair<std::string, std::string>>& params) {
    auto browser = as().NewBrowser();
    return browser.Go("GET", as().Url("/authorize?" + http::EncodeForm(params)));
  }

  SecurityStack stack_;
};

}  // namespace mcpauth::testing
