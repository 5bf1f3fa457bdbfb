// Server-side request forgery through Client ID Metadata Documents (draft-ietf-oauth-client-id-
// metadata-document §6 "Server-Side Request Forgery"; RFC 9700 §4.x does not cover it): a
// client_id URL naming a private, loopback or link-local address gets the error page, and the
// authorization server never connects. Configured as in production (public addresses only).
//
// The other fetch-time attacks are tested where the fetch is, against a real TLS document server
// (test/integration/client_metadata_fetcher_test.cpp): a redirect is refused and not followed
// (RedirectIsRefusedAndNotFollowed; end to end: authorization_server_cimd_test.cpp
// DocumentThatRedirectsIsRefusedWithAnErrorPage), a slow answer times out (SlowServerTimesOut),
// an oversized one is cut at the cap (DocumentOverTheCapIsRefused), and loopback in every
// spelling is refused before connecting (PublicAddressesOnlyTest).
#include "integration/test_certs.hpp"
#include "security/security_harness.hpp"

namespace mcpauth::testing {
namespace {

TEST(SsrfAttack, MetadataDocumentsAtPrivateAddressesAreNeverFetched) {
  // A real document server on loopback that would answer if asked.
  TestPki pki;
  const CertFiles files = pki.IssueServerCert("docs", "DNS:localhost,IP:127.0.0.1");
  auto router = std::make_shared<http::Router>();
  router->Add("GET", "/client.json", [](const http::Request&) {
    return http::Response::Json(200, R"({"client_name":"Internal"})");
  });
  http::ServerOptions options;
  options.port = 0;
  options.threads = 1;
  options.tls = http::TlsFiles{files.cert_chain_file, files.private_key_file};
  http::Server docs(options, router);
  ASSERT_TRUE(docs.Start().has_value());
  const std::string port = std::to_string(docs.port());

  SecurityStack stack({.cimd_public_only = true});
  auto& as = stack.as();
  const StoreState before = Snapshot(as.store());
  for (const std::string& id : {
           "https://localhost:" + port + "/client.json",
           "https://127.0.0.1:" + port + "/client.json",
           "https://127.1:" + port + "/client.json",
           "https://2130706433:" + port + "/client.json",  // 127.0.0.1 as one number
           "https://0x7f000001:" + port + "/client.json",
           "https://[::1]:" + port + "/client.json",
           "https://[::ffff:127.0.0.1]:" + port + "/client.json",
           std::string("https://10.0.0.1/client.json"),
           std::string("https://192.168.1.1/client.json"),
           std::string("https://172.16.0.1/client.json"),
           std::string("https://169.254.169.254/latest/meta-data/client.json"),  // cloud metadata
           std::string("https://[fd00::1]/client.json"),
           std::string("https://0.0.0.0/client.json"),
       }) {
    auto browser = as.NewBrowser();
    auto r = browser.Go(
        "GET", as.Url("/authorize?" +
                      http::EncodeForm(as.AuthParams(id, "http://127.0.0.1/callback", kVerifier))));
    EXPECT_EQ(r.status, 400) << id;
    EXPECT_FALSE(r.headers.Has("Location")) << id;
    EXPECT_EQ(r.body.find("name=\"password\""), std::string::npos) << id;
  }
  EXPECT_EQ(docs.stats().connections_accepted, 0u) << "the authorization server connected";
  EXPECT_EQ(Snapshot(as.store()), before);
  docs.Shutdown();
  docs.Wait();
}

// A URL whose host is a dotted quad followed by more labels ("127.0.0.1.evil.example.com", a
// name its owner controls) is no loopback URL: our HTTP client refuses it rather than connect to
// 127.0.0.1 (Boost.URL 1.81 reads it as host 127.0.0.1 with the path ".evil.example.com/...").
TEST(SsrfAttack, LoopbackLookAlikeUrlsAreRefusedByTheClient) {
  http::Client client;
  for (const char* url :
       {"http://127.0.0.1.evil.example.com/client.json",
        "https://127.0.0.1.evil.example.com/client.json", "http://10.0.0.1.evil.example.com/"}) {
    auto r = client.Send({.method = "GET", .url = url});
    ASSERT_FALSE(r.has_value()) << url << " answered " << r->status;
    EXPECT_EQ(r.error(), http::ClientErrc::kInvalidUrl) << url << ": " << r.error().message();
  }
}

}  // namespace
}  // namespace mcpauth::testing
