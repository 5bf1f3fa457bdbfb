// The authorization server with Client ID Metadata Documents, end to end: a document served over
// TLS by a real server, fetched at /authorize, the client's host shown on the consent page, the
// code exchanged by the URL client; a document that redirects gets the error page. Also the
// clean-up of registrations that were never used.
#include <gtest/gtest.h>

#include "integration/as_harness.hpp"
#include "integration/test_certs.hpp"

namespace mcpauth::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kVerifier = "cimd-verifier-cimd-verifier-cimd-verifier-cimd-verifier";

class CimdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const CertFiles files = pki_.IssueServerCert("docs", "DNS:localhost,IP:127.0.0.1");
    docs_router_->Add("GET", "/app/client.json", [this](const http::Request&) {
      return http::Response::Json(
          200, R"({"client_id":")" + DocUrl("/app/client.json") +
                   R"(","client_name":"Doc App","redirect_uris":["http://127.0.0.1/callback"]})");
    });
    docs_router_->Add("GET", "/moved/client.json", [this](const http::Request&) {
      http::Response r;
      r.status = 302;
      r.headers.Set("Location", DocUrl("/app/client.json"));
      return r;
    });
    http::ServerOptions options;
    options.port = 0;
    options.threads = 1;
    options.tls = http::TlsFiles{files.cert_chain_file, files.private_key_file};
    docs_ = std::make_unique<http::Server>(options, docs_router_);
    ASSERT_TRUE(docs_->Start().has_value());
    as_ = std::make_unique<AsHarness>(AsHarnessOptions{.cimd_ca_file = pki_.ca_file()});
    as_->Start();
  }
  std::string DocUrl(std::string_view path) const {
    return "https://localhost:" + std::to_string(docs_->port()) + std::string(path);
  }

  TestPki pki_;
  std::shared_ptr<http::Router> docs_router_ = std::make_shared<http::Router>();
  std::unique_ptr<http::Server> docs_;
  std::unique_ptr<AsHarness> as_;
};

TEST_F(CimdTest, MetadataDocumentClientAuthorizesAndExchanges) {
  const std::string client_id = DocUrl("/app/client.json");
  auto browser = as_->NewBrowser();
  auto params = as_->AuthParams(client_id, "http://127.0.0.1:5050/callback", kVerifier);
  auto page = browser.Go("GET", as_->Url("/authorize?" + http::EncodeForm(params)));
  ASSERT_EQ(page.status, 200) << PageText(page.body);
  auto consent = browser.Go(
      "GET", as_->Url(std::string(browser.Login(page, AsHarness::kUser, AsHarness::kPassword)
                                      .headers.Get("Location")
                                      .value_or(""))));
  ASSERT_EQ(consent.status, 200) << PageText(consent.body);
  const std::string text = PageText(consent.body);
  EXPECT_NE(text.find("Doc App"), std::string::npos) << text;
  EXPECT_NE(text.find("localhost"), std::string::npos) << "the client's host is shown: " << text;
  auto r = browser.Submit(consent, "/authorize", {{"decision", "approve"}});
  ASSERT_EQ(r.status, 303);
  const std::string code = QueryOf(std::string(*r.headers.Get("Location")))["code"];
  ASSERT_FALSE(code.empty());
  r = as_->ExchangeCode(client_id, code, kVerifier, "http://127.0.0.1:5050/callback");
  EXPECT_EQ(r.status, 200) << r.body;
  auto stored = as_->store().GetClient(client_id);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->source, store::RegistrationSource::kCimd);
  EXPECT_FALSE(stored->secret_hash.has_value());
}

TEST_F(CimdTest, RedirectUriNotInTheDocumentIsAnErrorPage) {
  auto browser = as_->NewBrowser();
  auto params =
      as_->AuthParams(DocUrl("/app/client.json"), "http://127.0.0.1:5050/other", kVerifier);
  auto r = browser.Go("GET", as_->Url("/authorize?" + http::EncodeForm(params)));
  EXPECT_EQ(r.status, 400);
  EXPECT_FALSE(r.headers.Has("Location"));
}

TEST_F(CimdTest, DocumentThatRedirectsIsRefusedWithAnErrorPage) {
  auto browser = as_->NewBrowser();
  auto params =
      as_->AuthParams(DocUrl("/moved/client.json"), "http://127.0.0.1/callback", kVerifier);
  auto r = browser.Go("GET", as_->Url("/authorize?" + http::EncodeForm(params)));
  EXPECT_EQ(r.status, 400);
  EXPECT_FALSE(r.headers.Has("Location"));
  EXPECT_NE(PageText(r.body).find("redirect"), std::string::npos) << PageText(r.body);
}

TEST(RegistrationCleanupTest, RegistrationsNeverUsedAreDeletedAfterTheConfiguredTime) {
  AsHarness as({.configure = [](oauth::AuthorizationServerConfig& c) {
    c.unused_client_lifetime = std::chrono::hours(24);
  }});
  as.Start();
  const std::string unused = as.RegisterPublic();
  const std::string used = as.RegisterPublic();
  auto browser = as.NewBrowser();
  auto authz = as.Authorize(browser, as.AuthParams(used, "http://127.0.0.1:9/callback", kVerifier));
  ASSERT_FALSE(authz.code.empty());
  as.clock.Advance(23h);
  as.as().Housekeeping();
  EXPECT_TRUE(as.store().GetClient(unused).has_value()) << "too early";
  as.clock.Advance(2h);
  as.as().Housekeeping();
  EXPECT_FALSE(as.store().GetClient(unused).has_value());
  EXPECT_TRUE(as.store().GetClient(used).has_value());
}

}  // namespace
}  // namespace mcpauth::testing
