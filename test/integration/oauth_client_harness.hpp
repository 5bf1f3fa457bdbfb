// The OAuth client's end-to-end rig: a real mcpauth authorization server (AsHarness: SQLite,
// real sign-in and consent pages) co-hosted with a real MCP resource server (oauth_resource:
// RFC 9728 metadata, 401/403 challenges, ES256 tokens checked with the AS's keys, revocation
// through the AS's listener), and a scripted browser that signs in through the real forms and
// then opens the client's loopback callback, as a person's browser does.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "integration/as_harness.hpp"
#include "mcpauth/core/worker_pool.hpp"
#include "mcpauth/http/client.hpp"
#include "mcpauth/mcp/client.hpp"
#include "mcpauth/mcp/http_transport.hpp"
#include "mcpauth/mcp/server.hpp"
#include "mcpauth/mcp/session.hpp"
#include "mcpauth/oauth/client/session.hpp"
#include "mcpauth/oauth/resource/bearer_validator.hpp"
#include "mcpauth/oauth/resource/resource_server.hpp"

namespace mcpauth::testing {

// A URL with its query parameter `name` set to `value` (added if absent), or removed when
// `value` is nullopt; the other parameters keep their order.
inline std::string WithParam(const std::string& url, const std::string& name,
                             std::optional<std::string> value) {
  const auto q = url.find('?');
  std::vector<std::pair<std::string, std::string>> params;
  if (q != std::string::npos) {
    auto form = http::ParseForm(url.substr(q + 1));
    if (form) {
      params = form->params();
    }
  }
  bool found = false;
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& [k, v] : params) {
    if (k == name) {
      found = true;
      if (value) {
        out.emplace_back(k, *value);
      }
    } else {
      out.emplace_back(k, v);
    }
  }
  if (!found && value) {
    out.emplace_back(name, *value);
  }
  return url.substr(0, q) + "?" + http::EncodeForm(out);
}

// The "system browser" of the tests: drives the authorization server's real pages for the
// authorization URL the client opens (sign-in, consent), then follows the redirect to the
// client's loopback callback — optionally tampered with first, as an attacker would.
class ScriptedBrowser {
 public:
  explicit ScriptedBrowser(AsHarness& as) : as_(as), browser_(as.NewBrowser()) {}

  std::string decision = "approve";
  std::function<std::string(const std::string&)> tamper;  // rewrites the callback URL

  Status Open(const std::string& url) {
    urls.push_back(url);
    auto r = browser_.Go("GET", url);
    std::string callback;
    for (int step = 0; step < 8 && callback.empty(); ++step) {
      if (r.status == 302 || r.status == 303) {
        const std::string location(r.headers.Get("Location").value_or(""));
        if (location.starts_with("/")) {
          r = browser_.Go("GET", as_.Url(location));
        } else if (location.starts_with(as_.issuer + "/")) {
          r = browser_.Go("GET", location);
        } else {
          callback = location;
        }
      } else if (r.status == 200 && r.body.find("name=\"password\"") != std::string::npos) {
        r = browser_.Login(r, AsHarness::kUser, AsHarness::kPassword);
      } else if (r.status == 200 && r.body.find("name=\"decision\"") != std::string::npos) {
        ++consents;
        r = browser_.Submit(r, "/authorize", {{"decision", decision}});
      } else {
        ADD_FAILURE() << "the authorization server answered " << r.status << ": "
                      << PageText(r.body).substr(0, 300);
        return make_error_code(std::errc::protocol_error);
      }
    }
    callbacks.push_back(callback);
    if (tamper) {
      callback = tamper(callback);
    }
    http::Client client;
    auto page = client.Send({.method = "GET", .url = callback});
    if (!page) {
      ADD_FAILURE() << "the loopback callback failed: " << page.error().message();
      return page.error();
    }
    callback_status = page->status;
    callback_page = PageText(page->body);
    return {};
  }

  std::function<Status(const std::string&)> Hook() {
    return [this](const std::string& url) { return Open(url); };
  }

  std::vector<std::string> urls;       // authorization URLs opened
  std::vector<std::string> callbacks;  // redirects back to the client, untampered
  int consents = 0;
  int callback_status = 0;
  std::string callback_page;

 private:
  AsHarness& as_;
  AsHarness::Browser browser_;
};

struct OAuthRigOptions {
  std::string validator_audience;  // empty: the resource itself
  std::function<void(oauth::AuthorizationServerConfig&)> configure;
};

// AS + RS on one origin: resource = issuer + "/mcp"; PRM at
// /.well-known/oauth-protected-resource/mcp; every request needs mcp:read, tool `add` needs
// mcp:tools as well (step-up).
class OAuthRig {
 public:
  explicit OAuthRig(OAuthRigOptions options = {}) {
    as = std::make_unique<AsHarness>(AsHarnessOptions{.configure = options.configure});
    auto tools = std::make_shared<mcp::ToolRegistry>();
    mcp::ToolDescriptor whoami{.name = "whoami", .description = "Who is calling"};
    whoami.runs_inline = true;
    tools->Add(whoami, [](mcp::ToolContext& ctx, const boost::json::object&) {
      return mcp::ToolOutcome::Text(ctx.principal().subject);
    });
    mcp::ToolDescriptor add{.name = "add", .description = "Adds"};
    add.runs_inline = true;
    tools->Add(add, [](mcp::ToolContext&, const boost::json::object&) {
      return mcp::ToolOutcome::Text("3");
    });
    mcp_ = std::make_unique<mcp::McpServer>(mcp::McpServer::Options{}, tools,
                                            std::make_shared<mcp::ResourceRegistry>(),
                                            std::make_shared<mcp::PromptRegistry>(), pool_,
                                            SystemClock::Instance(), OpenSslRandom::Instance());
    sessions_ = std::make_unique<mcp::SessionTable>(
        SystemClock::Instance(), OpenSslRandom::Instance(), mcp::SessionTable::Options{});
    validator_ = std::make_shared<oauth::resource::BearerValidator>(
        as->clock, std::make_shared<oauth::resource::ResolverKeySource>(as->keys().Resolver()),
        oauth::resource::BearerValidatorOptions{.issuer = as->issuer,
                                                .audience = options.validator_audience.empty()
                                                                ? as->resource
                                                                : options.validator_audience},
        &revoked_);
    as->as().tokens().SetRevocationListener(
        [this](const std::string& grant, Clock::TimePoint at) { revoked_.Add(grant, at); });
    rs_ = std::make_unique<oauth::resource::ResourceServer>(
        oauth::resource::ResourceServerOptions{.resource = as->resource,
                                               .authorization_servers = {as->issuer},
                                               .scopes_supported = {"mcp:read", "mcp:tools"},
                                               .resource_name = "Test MCP server",
                                               .default_scopes = {"mcp:read"},
                                               .tool_scopes = {{"add", {"mcp:tools"}}}},
        validator_);
    transport_ = std::make_unique<mcp::StreamableHttpTransport>(
        *mcp_, *sessions_, mcp::TransportOptions{}, rs_->MakeAuthorizer());
    transport_->Register(*as->router);
    rs_->RegisterMetadata(*as->router);
    as->Start();
    browser = std::make_unique<ScriptedBrowser>(*as);
  }

  ~OAuthRig() {
    as.reset();  // stops the server before what its handlers use
  }

  // An OAuthSession for the MCP endpoint with the scripted browser and quiet notifications.
  // With `scripted_browser` false, no browser hook is set (the session then opens a real
  // browser, or with open_browser = false only prints the URL through `notify`).
  std::unique_ptr<oauth::client::OAuthSession> Session(
      oauth::client::OAuthClientOptions options = {}, bool scripted_browser = true) {
    if (!options.browser && scripted_browser) {
      options.browser = browser->Hook();
    }
    if (!options.notify) {
      options.notify = [this](std::string_view m) { notices.emplace_back(m); };
    }
    return std::make_unique<oauth::client::OAuthSession>(
        oauth::client::OAuthSessionDeps{oauth::client::HttpSendOf(http), storage, as->clock,
                                        OpenSslRandom::Instance()},
        as->resource, std::move(options));
  }

  std::unique_ptr<mcp::McpClient> Mcp(oauth::client::OAuthSession& session,
                                      mcp::McpClientOptions options = {}) {
    return std::make_unique<mcp::McpClient>(http, as->resource,
                                            session.Decorate(std::move(options)));
  }

  // Connect + tools/call through the session; the text of the result or the error.
  Result<std::string> Call(oauth::client::OAuthSession& session, const std::string& tool,
                           mcp::McpClientOptions options = {}) {
    auto client = Mcp(session, std::move(options));
    if (auto connected = session.Authorized(*client, [&] { return client->Connect(); });
        !connected) {
      return connected.error();
    }
    auto result = session.Authorized(*client, [&] { return client->CallTool(tool, {}); });
    if (!result) {
      return result.error();
    }
    return result->Text();
  }

  oauth::client::Credential Stored() {
    auto c = storage.LoadCredential(as->resource);
    EXPECT_TRUE(c && *c);
    return c && *c ? **c : oauth::client::Credential{};
  }

  int AuditCount(const std::string& type) {
    store::AuditQuery query;
    query.type = type;
    query.limit = 10000;
    auto events = as->store().ListAudit(query);
    return events ? static_cast<int>(events->size()) : -1;
  }

  std::unique_ptr<AsHarness> as;
  std::unique_ptr<ScriptedBrowser> browser;
  http::Client http;
  oauth::client::MemoryTokenStorage storage;
  std::vector<std::string> notices;

 private:
  oauth::resource::RevokedGrants revoked_;
  std::unique_ptr<mcp::McpServer> mcp_;
  std::unique_ptr<mcp::SessionTable> sessions_;
  std::shared_ptr<oauth::resource::BearerValidator> validator_;
  std::unique_ptr<oauth::resource::ResourceServer> rs_;
  std::unique_ptr<mcp::StreamableHttpTransport> transport_;
  core::WorkerPool pool_{2};  // last: drains first, before what its tasks use
};

}  // namespace mcpauth::testing
