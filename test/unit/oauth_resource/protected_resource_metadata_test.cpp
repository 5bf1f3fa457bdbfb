#include "mcpauth/oauth/resource/protected_resource_metadata.hpp"

#include <gtest/gtest.h>

#include <memory>

#include "mcpauth/http/exchange.hpp"
#include "mcpauth/http/router.hpp"

namespace mcpauth::oauth::resource {
namespace {

ProtectedResourceMetadata Metadata() {
  return {.resource = "http://127.0.0.1:8080/mcp",
          .authorization_servers = {"http://127.0.0.1:8080"},
          .scopes_supported = {"mcp:read", "offline_access", "mcp:tools"},
          .resource_name = "mcpauth tools",
          .max_age = std::chrono::seconds(600)};
}

// Runs the route the router picks for (method, path) and returns what it answered.
http::Response Call(const http::Router& router, std::string_view method, std::string_view path) {
  struct Capture final : http::Exchange {
    http::Request req;
    http::Response resp;
    const http::Request& request() const override { return req; }
    void Respond(http::Response r) override { resp = std::move(r); }
    std::shared_ptr<http::EventStream> StartStream(http::Response) override { return nullptr; }
    void OnDisconnect(std::function<void()>) override {}
    bool disconnected() const override { return false; }
  };
  const http::Router::Match match = router.Find(method, path);
  if (match.route == nullptr) {
    http::Response r;
    r.status = match.status;
    return r;
  }
  auto exchange = std::make_shared<Capture>();
  exchange->req.method = std::string(method);
  exchange->req.path = std::string(path);
  exchange->req.target = std::string(path);
  match.route->handler(exchange);
  return exchange->resp;
}

TEST(ProtectedResourceMetadataTest, JsonIsExactlyTheRfc9728Document) {
  EXPECT_EQ(ProtectedResourceMetadataJson(Metadata()),
            R"({"resource":"http://127.0.0.1:8080/mcp",)"
            R"("authorization_servers":["http://127.0.0.1:8080"],)"
            R"("scopes_supported":["mcp:read","mcp:tools"],)"
            R"("bearer_methods_supported":["header"],)"
            R"("resource_name":"mcpauth tools"})");
}

TEST(ProtectedResourceMetadataTest, ResourceNameIsOmittedWhenEmpty) {
  ProtectedResourceMetadata m = Metadata();
  m.resource_name.clear();
  m.scopes_supported.clear();
  EXPECT_EQ(ProtectedResourceMetadataJson(m),
            R"({"resource":"http://127.0.0.1:8080/mcp",)"
            R"("authorization_servers":["http://127.0.0.1:8080"],)"
            R"("scopes_supported":[],"bearer_methods_supported":["header"]})");
}

TEST(ProtectedResourceMetadataTest, UrlInsertsTheWellKnownSegmentBeforeThePath) {
  // RFC 9728 §3.1.
  const struct {
    std::string_view resource;
    std::string_view url;
  } cases[] = {
      {"http://127.0.0.1:8080/mcp",
       "http://127.0.0.1:8080/.well-known/oauth-protected-resource/mcp"},
      {"https://mcp.example.com/mcp",
       "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"},
      {"https://example.com/tools/v1/mcp",
       "https://example.com/.well-known/oauth-protected-resource/tools/v1/mcp"},
      {"https://example.com", "https://example.com/.well-known/oauth-protected-resource"},
      {"https://example.com/", "https://example.com/.well-known/oauth-protected-resource"},
      {"https://example.com/mcp?tenant=a",
       "https://example.com/.well-known/oauth-protected-resource/mcp?tenant=a"},
      {"http://[::1]:9000/mcp", "http://[::1]:9000/.well-known/oauth-protected-resource/mcp"},
  };
  for (const auto& c : cases) {
    auto url = ProtectedResourceMetadataUrl(c.resource);
    ASSERT_TRUE(url.has_value()) << c.resource;
    EXPECT_EQ(*url, c.url);
  }
  EXPECT_EQ(ProtectedResourceMetadataPath("https://example.com/mcp").value(),
            "/.well-known/oauth-protected-resource/mcp");
}

TEST(ProtectedResourceMetadataTest, UrlRefusesWhatIsNotAResourceIdentifier) {
  for (std::string_view bad :
       {"", "mcp", "/mcp", "https://example.com/mcp#x", "ftp://example.com/mcp", "https:///mcp"}) {
    EXPECT_FALSE(ProtectedResourceMetadataUrl(bad).has_value()) << bad;
  }
}

TEST(ProtectedResourceMetadataTest, ResponseIsJsonCorsOpenAndCacheable) {
  const http::Response r = ProtectedResourceMetadataResponse(Metadata());
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers.Get("Content-Type").value_or("").substr(0, 16), "application/json");
  EXPECT_EQ(r.headers.Get("Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(r.headers.Get("Cache-Control"), "public, max-age=600");
  EXPECT_EQ(r.body, ProtectedResourceMetadataJson(Metadata()));
}

TEST(ProtectedResourceMetadataTest, RegistersThePathInsertedAndTheRootDocument) {
  http::Router router;
  RegisterProtectedResourceMetadata(router, Metadata());
  for (std::string_view path :
       {"/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"}) {
    const http::Response r = Call(router, "GET", path);
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.body, ProtectedResourceMetadataJson(Metadata())) << path;
    EXPECT_EQ(r.headers.Get("Access-Control-Allow-Origin"), "*");
    const http::Response preflight = Call(router, "OPTIONS", path);
    EXPECT_EQ(preflight.status, 204);
    EXPECT_EQ(preflight.headers.Get("Access-Control-Allow-Origin"), "*");
    EXPECT_EQ(preflight.headers.Get("Access-Control-Allow-Methods"), "GET, OPTIONS");
  }
  EXPECT_EQ(router.Find("GET", "/.well-known/oauth-protected-resource/other").status, 404);
  EXPECT_EQ(router.Find("POST", "/.well-known/oauth-protected-resource/mcp").status, 405);
}

TEST(ProtectedResourceMetadataTest, ARootResourceRegistersOneRoute) {
  ProtectedResourceMetadata m = Metadata();
  m.resource = "https://mcp.example.com";
  http::Router router;
  RegisterProtectedResourceMetadata(router, m);  // must not add the same path twice
  EXPECT_EQ(Call(router, "GET", "/.well-known/oauth-protected-resource").status, 200);
}

TEST(ProtectedResourceMetadataTest, RegistrationRefusesABadResource) {
  ProtectedResourceMetadata m = Metadata();
  m.resource = "not a url";
  http::Router router;
  EXPECT_THROW(RegisterProtectedResourceMetadata(router, m), std::invalid_argument);
}

}  // namespace
}  // namespace mcpauth::oauth::resource
