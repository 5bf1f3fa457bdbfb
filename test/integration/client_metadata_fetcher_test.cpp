// ClientMetadataFetcher against our real HTTPS server on 127.0.0.1 (a certificate from a CA made
// for the test) serving Client ID Metadata Documents: fetching, validation, caching per the
// response's cache headers on a FakeClock, the store row, and every refusal (redirect, status,
// size, media type, client_id mismatch, timeout, private address). Also the HTTP client's
// public_addresses_only option on its own.
#include "mcpauth/oauth/client_metadata_fetcher.hpp"

#include <gtest/gtest.h>
#include <time.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "fakes/fake_clock.hpp"
#include "integration/test_certs.hpp"
#include "mcpauth/http/client.hpp"
#include "mcpauth/http/router.hpp"
#include "mcpauth/http/server.hpp"
#include "mcpauth/store/errc.hpp"
#include "mcpauth/store/memory_store.hpp"

namespace mcpauth::oauth {
namespace {

using namespace std::chrono_literals;
using http::Request;
using http::Response;

// A document for `client_id` with the required members, plus `extra` members (",\"k\":...").
std::string Document(std::string_view client_id, std::string_view extra = "") {
  return R"({"client_id":")" + std::string(client_id) +
         R"(","client_name":"Test App","redirect_uris":["http://127.0.0.1/callback"])" +
         std::string(extra) + "}";
}

// An error description a person can read and that is safe in error_description (RFC 6749 §5.2).
void ExpectReadable(const RegistrationError& error) {
  EXPECT_FALSE(error.description.empty());
  for (char c : error.description) {
    EXPECT_TRUE(c >= 0x20 && c <= 0x7E && c != '"' && c != '\\') << error.description;
  }
}

// The IMF-fixdate of a system-clock time (what a server puts in Date and Expires).
std::string HttpDate(std::chrono::system_clock::time_point t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  const size_t n = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(buf, n);
}

class ClientMetadataFetcherTest : public ::testing::Test {
 protected:
  using Responder = std::function<Response(const Request&)>;

  void SetUp() override {
    router_->AddPrefix("GET", "/", [this](const Request& req) {
      ++hits_;
      std::lock_guard lock(mu_);
      accept_ = std::string(req.headers.Get("Accept").value_or(""));
      return responder_ ? responder_(req) : Response::Json(200, Document(Base() + req.target));
    });
    router_->Add("GET", "/slow/client.json", [this](std::shared_ptr<http::Exchange> ex) {
      ++hits_;
      std::lock_guard lock(mu_);
      held_.push_back(std::move(ex));  // answered in TearDown, long after the client gave up
    });
    const testing::CertFiles files = pki_.IssueServerCert("server", "DNS:localhost,IP:127.0.0.1");
    http::ServerOptions options;
    options.port = 0;
    options.threads = 2;
    options.shutdown_grace = 1s;
    options.tls = http::TlsFiles{.cert_chain_file = files.cert_chain_file,
                                 .private_key_file = files.private_key_file};
    server_ = std::make_unique<http::Server>(options, router_);
    ASSERT_TRUE(server_->Start().has_value());
  }

  void TearDown() override {
    std::lock_guard lock(mu_);
    for (auto& ex : held_) {
      ex->Respond(Response::Text(503, "too late"));
    }
  }

  // Every test but the SSRF ones talks to 127.0.0.1, so private addresses are allowed by default.
  ClientMetadataFetcherOptions Options() const {
    ClientMetadataFetcherOptions options;
    options.allow_private_addresses = true;
    options.ca_file = pki_.ca_file();
    return options;
  }

  std::unique_ptr<ClientMetadataFetcher> Fetcher(ClientMetadataFetcherOptions options) {
    return std::make_unique<ClientMetadataFetcher>(*store_, clock_, std::move(options));
  }

  std::string Base(std::string_view host = "localhost") const {
    return "https://" + std::string(host) + ":" + std::to_string(server_->port());
  }

  void Respond(Responder responder) {
    std::lock_guard lock(mu_);
    responder_ = std::move(responder);
  }

  // Serves valid documents (client_id = the URL requested) with these extra header fields.
  void RespondWithHeaders(std::vector<std::pair<std::string, std::string>> fields) {
    Respond([this, fields](const Request& req) {
      Response resp = Response::Json(200, Document(Base() + req.target));
      for (const auto& [name, value] : fields) {
        resp.headers.Add(name, value);
      }
      return resp;
    });
  }

  // Resolves `url`, expects success, and returns the cache expiry the store recorded.
  std::optional<store::TimePoint> ResolvedExpiry(ClientMetadataFetcher& fetcher,
                                                 const std::string& url) {
    RegistrationResult r = fetcher.Resolve(url);
    EXPECT_TRUE(r.client.has_value()) << url << ": " << r.error.description;
    auto row = store_->GetClient(url);
    EXPECT_TRUE(row.has_value()) << url;
    return row ? row->expires_at : std::nullopt;
  }

  testing::TestPki pki_;
  std::shared_ptr<http::Router> router_ = std::make_shared<http::Router>();
  std::unique_ptr<http::Server> server_;
  std::unique_ptr<store::Store> store_ = store::OpenMemoryStore();
  testing::FakeClock clock_;
  std::atomic<int> hits_{0};
  std::mutex mu_;
  Responder responder_;
  std::string accept_;
  std::vector<std::shared_ptr<http::Exchange>> held_;
};

TEST_F(ClientMetadataFetcherTest, GoodDocumentIsFetchedStoredAndServedFromTheCache) {
  RespondWithHeaders({{"Cache-Control", "max-age=300"}});
  auto fetcher = Fetcher(Options());
  const std::string url = Base() + "/oauth/client.json";
  const store::TimePoint first_seen = clock_.Now();

  RegistrationResult r = fetcher->Resolve(url);
  ASSERT_TRUE(r.client.has_value()) << r.error.description;
  EXPECT_EQ(r.client->client.client_id, url);
  EXPECT_EQ(r.client->client.name, "Test App");
  EXPECT_EQ(r.client->client.redirect_uris, std::vector<std::string>{"http://127.0.0.1/callback"});
  EXPECT_EQ(r.client->client.source, store::RegistrationSource::kCimd);
  EXPECT_FALSE(r.client->client.secret_hash.has_value());
  EXPECT_FALSE(r.client->confidential);
  EXPECT_EQ(hits_, 1);
  {
    std::lock_guard lock(mu_);
    EXPECT_EQ(accept_, "application/json");
  }

  auto row = store_->GetClient(url);
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->source, store::RegistrationSource::kCimd);
  EXPECT_EQ(row->name, "Test App");
  EXPECT_EQ(row->created_at, first_seen);
  EXPECT_EQ(row->expires_at, first_seen + 300s);
  EXPECT_EQ(*row, r.client->client);

  clock_.Advance(299s);
  RegistrationResult again = fetcher->Resolve(url);
  ASSERT_TRUE(again.client.has_value()) << again.error.description;
  EXPECT_EQ(again.client->client, r.client->client);
  EXPECT_EQ(hits_, 1);  // from the cache: no request
}

TEST_F(ClientMetadataFetcherTest, ExpiryRefetchesAndKeepsTheFirstSighting) {
  RespondWithHeaders({{"Cache-Control", "public, max-age=120"}});
  auto fetcher = Fetcher(Options());
  const std::string url = Base() + "/client.json";
  const store::TimePoint first_seen = clock_.Now();
  ASSERT_TRUE(fetcher->Resolve(url).client.has_value());
  clock_.Advance(119s);
  ASSERT_TRUE(fetcher->Resolve(url).client.has_value());
  EXPECT_EQ(hits_, 1);
  clock_.Advance(1s);  // now == expiry: stale
  ASSERT_TRUE(fetcher->Resolve(url).client.has_value());
  EXPECT_EQ(hits_, 2);
  auto row = store_->GetClient(url);
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->created_at, first_seen);
  EXPECT_EQ(row->expires_at, first_seen + 240s);
  // Connections are not kept for hosts chosen by others: one per fetch.
  EXPECT_EQ(server_->stats().connections_accepted, 2u);
}

TEST_F(ClientMetadataFetcherTest, NoStoreAndNoCacheAreKeptOnlyForTheMinimum) {
  ClientMetadataFetcherOptions options = Options();
  options.min_cache = 30s;
  auto fetcher = Fetcher(options);
  const store::TimePoint now = clock_.Now();
  RespondWithHeaders({{"Cache-Control", "no-store"}});
  EXPECT_EQ(ResolvedExpiry(*fetcher, Base() + "/a.json"), now + 30s);
  RespondWithHeaders({{"Cache-Control", "max-age=600, no-cache"}});
  EXPECT_EQ(ResolvedExpiry(*fetcher, Base() + "/b.json"), now + 30s);
  RespondWithHeaders({{"Cache-Control", R"(no-cache="Set-Cookie, X-Foo", max-age=600)"}});
  EXPECT_EQ(ResolvedExpiry(*fetcher, Base() + "/c.json"), now + 30s);
  EXPECT_EQ(hits_, 3);
  // Within the floor the cache answers; past it, the next Resolve fetches.
  ASSERT_TRUE(fetcher->Resolve(Base() + "/a.json").client.has_value());
  EXPECT_EQ(hits_, 3);
  clock_.Advance(30s);
  ASSERT_TRUE(fetcher->Resolve(Base() + "/a.json").client.has_value());
  EXPECT_EQ(hits_, 4);
}

TEST_F(ClientMetadataFetcherTest, NoStoreWithAZeroFloorFetchesEveryTime) {
  ClientMetadataFetcherOptions options = Options();
  options.min_cache = 0s;
  auto fetcher = Fetcher(options);
  RespondWithHeaders({{"Cache-Control", "no-store"}});
  for (int i = 1; i <= 3; ++i) {
    ASSERT_TRUE(fetcher->Resolve(Base() + "/client.json").client.has_value());
    EXPECT_EQ(hits_, i);
  }
}

TEST_F(ClientMetadataFetcherTest, CacheLifetimeFollowsTheHeadersWithinTheBounds) {
  ClientMetadataFetcherOptions options = Options();
  options.default_cache = 600s;
  options.min_cache = 60s;
  options.max_cache = 3600s;
  auto fetcher = Fetcher(options);
  const store::TimePoint now = clock_.Now();
  struct Case {
    std::vector<std::pair<std::string, std::string>> fields;
    std::chrono::seconds expected;
  };
  const std::vector<Case> cases = {
      {{}, 600s},                                     // nothing said: default_cache
      {{{"Cache-Control", "max-age=120"}}, 120s},     //
      {{{"Cache-Control", "MAX-AGE=120"}}, 120s},     // names are case-insensitive
      {{{"Cache-Control", R"(max-age="90")"}}, 90s},  // quoted form accepted
      {{{"Cache-Control", "private, max-age=120, must-revalidate"}}, 120s},
      {{{"Cache-Control", "max-age=120, max-age=30"}}, 120s},  // the first occurrence
      {{{"Cache-Control", "public"}, {"Cache-Control", "max-age=200"}}, 200s},  // two fields
      {{{"Cache-Control", "bad directive, max-age=200"}}, 200s},  // a malformed one is skipped
      {{{"Cache-Control", R"(ext="a, max-age=5", max-age=200)"}}, 200s},  // commas in quotes
      {{{"Cache-Control", "max-age=5"}}, 60s},                            // clamped up to min_cache
      {{{"Cache-Control", "max-age=99999999999999999999"}}, 3600s},       // down to max_cache
      {{{"Cache-Control", "max-age=abc"}}, 60s},                          // invalid: stale
      {{{"Cache-Control", "max-age=-1"}}, 60s},                           //
      {{{"Cache-Control", "max-age=600"}, {"Age", "500"}}, 100s},         // RFC 9111 §4.2.3
      {{{"Cache-Control", "max-age=600"}, {"Age", "900"}}, 60s},          //
      {{{"Expires", "0"}}, 60s},                                     // invalid Expires: expired
      {{{"Expires", "Thu, 01 Jan 1970 00:00:00 GMT"}}, 60s},         // in the past
      {{{"Cache-Control", "max-age=120"}, {"Expires", "0"}}, 120s},  // max-age wins
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    RespondWithHeaders(cases[i].fields);
    const std::string url = Base() + "/case.json?n=" + std::to_string(i);
    EXPECT_EQ(ResolvedExpiry(*fetcher, url), now + cases[i].expected) << "case " << i;
  }
}

// Expires is measured against the server's own Date, so the FakeClock (years away from the
// server's real clock) does not matter.
TEST_F(ClientMetadataFetcherTest, ExpiresIsMeasuredFromTheServersDate) {
  auto fetcher = Fetcher(Options());
  RespondWithHeaders({{"Expires", HttpDate(std::chrono::system_clock::now() + 2h)}});
  const store::TimePoint now = clock_.Now();
  const auto expiry = ResolvedExpiry(*fetcher, Base() + "/client.json");
  ASSERT_TRUE(expiry.has_value());
  // Date is written a moment after Expires was computed, in whole seconds.
  EXPECT_LE(*expiry, now + 2h);
  EXPECT_GE(*expiry, now + 2h - 60s);
}

TEST_F(ClientMetadataFetcherTest, RedirectIsRefusedAndNotFollowed) {
  std::atomic<int> target_hits{0};
  Respond([&](const Request& req) {
    if (req.path == "/moved.json") {
      Response resp{.status = 302};
      resp.headers.Set("Location", Base() + "/real.json");
      return resp;
    }
    ++target_hits;
    return Response::Json(200, Document(Base() + "/moved.json"));
  });
  auto fetcher = Fetcher(Options());
  RegistrationResult r = fetcher->Resolve(Base() + "/moved.json");
  ASSERT_FALSE(r.client.has_value());
  EXPECT_EQ(r.error.error, "invalid_client");
  EXPECT_NE(r.error.description.find("redirect"), std::string::npos) << r.error.description;
  ExpectReadable(r.error);
  EXPECT_EQ(target_hits, 0);
  EXPECT_EQ(store_->GetClient(Base() + "/moved.json").error(), store::Errc::kNotFound);
}

TEST_F(ClientMetadataFetcherTest, StatusOtherThan200IsRefusedAndFailuresAreNotCached) {
  auto fetcher = Fetcher(Options());
  const std::string url = Base() + "/client.json";
  for (int s : {404, 204, 500}) {
    Respond([s](const Request&) { return Response::Json(s, R"({"error":"nope"})"); });
    RegistrationResult r = fetcher->Resolve(url);
    ASSERT_FALSE(r.client.has_value()) << s;
    EXPECT_EQ(r.error.error, "invalid_client");
    EXPECT_NE(r.error.description.find(std::to_string(s)), std::string::npos)
        << r.error.description;
    ExpectReadable(r.error);
  }
  EXPECT_EQ(store_->GetClient(url).error(), store::Errc::kNotFound);
  Respond(nullptr);  // valid documents again; the failures were not cached, so this fetches
  RegistrationResult ok = fetcher->Resolve(url);
  ASSERT_TRUE(ok.client.has_value()) << ok.error.description;
  EXPECT_EQ(hits_, 4);
}

TEST_F(ClientMetadataFetcherTest, DocumentOverTheCapIsRefused) {
  ClientMetadataFetcherOptions options = Options();
  options.max_document_bytes = 1024;
  auto fetcher = Fetcher(options);
  // Pads a valid document to exactly `size` bytes with an extra member.
  const auto padded = [this](const std::string& path, size_t size) {
    const std::string base = Document(Base() + path, R"(,"pad":"")");
    return Document(Base() + path, R"(,"pad":")" + std::string(size - base.size(), 'x') + "\"");
  };
  Respond([&](const Request& req) {
    return Response::Json(200, padded(req.path, req.path == "/fits.json" ? 1024 : 1025));
  });
  RegistrationResult fits = fetcher->Resolve(Base() + "/fits.json");
  EXPECT_TRUE(fits.client.has_value()) << fits.error.description;
  RegistrationResult big = fetcher->Resolve(Base() + "/big.json");
  ASSERT_FALSE(big.client.has_value());
  EXPECT_EQ(big.error.error, "invalid_client");
  EXPECT_NE(big.error.description.find("larger than 1024 bytes"), std::string::npos)
      << big.error.description;
  ExpectReadable(big.error);
}

TEST_F(ClientMetadataFetcherTest, OnlyJsonMediaTypesAreAccepted) {
  const auto serve_as = [this](std::string content_type) {
    Respond([this, content_type](const Request& req) {
      return Response::Text(200, Document(Base() + req.target), content_type);
    });
  };
  auto fetcher = Fetcher(Options());
  int n = 0;
  for (const char* type :
       {"application/json", "application/json; charset=utf-8", "Application/JSON",
        "application/vnd.example+json", " application/json ;charset=utf-8"}) {
    serve_as(type);
    RegistrationResult r = fetcher->Resolve(Base() + "/ok" + std::to_string(n++) + ".json");
    EXPECT_TRUE(r.client.has_value()) << type << ": " << r.error.description;
  }
  for (const char* type : {"text/html", "text/plain", "text/json", "application/jsonp",
                           "application/+json", "application/json-patch", "application", ""}) {
    serve_as(type);
    RegistrationResult r = fetcher->Resolve(Base() + "/bad" + std::to_string(n++) + ".json");
    ASSERT_FALSE(r.client.has_value()) << type;
    EXPECT_EQ(r.error.error, "invalid_client");
    EXPECT_NE(r.error.description.find("JSON"), std::string::npos) << r.error.description;
    ExpectReadable(r.error);
  }
}

TEST_F(ClientMetadataFetcherTest, DocumentForAnotherClientIdIsRefused) {
  Respond([this](const Request&) {
    return Response::Json(200, Document(Base() + "/someone-else.json"));
  });
  auto fetcher = Fetcher(Options());
  const std::string url = Base() + "/client.json";
  RegistrationResult r = fetcher->Resolve(url);
  ASSERT_FALSE(r.client.has_value());
  EXPECT_EQ(r.error.error, "invalid_client");
  ExpectReadable(r.error);
  EXPECT_EQ(store_->GetClient(url).error(), store::Errc::kNotFound);
  EXPECT_FALSE(fetcher->Resolve(url).client.has_value());
  EXPECT_EQ(hits_, 2);  // not cached
}

TEST_F(ClientMetadataFetcherTest, InvalidJsonIsRefused) {
  Respond([](const Request&) { return Response::Json(200, "{\"client_id\": \x01\xff"); });
  auto fetcher = Fetcher(Options());
  RegistrationResult r = fetcher->Resolve(Base() + "/client.json");
  ASSERT_FALSE(r.client.has_value());
  EXPECT_EQ(r.error.error, "invalid_client");
  ExpectReadable(r.error);
}

TEST_F(ClientMetadataFetcherTest, SlowServerTimesOut) {
  ClientMetadataFetcherOptions options = Options();
  options.timeout = 300ms;
  auto fetcher = Fetcher(options);
  RegistrationResult r = fetcher->Resolve(Base() + "/slow/client.json");
  ASSERT_FALSE(r.client.has_value());
  EXPECT_EQ(r.error.error, "invalid_client");
  EXPECT_NE(r.error.description.find("timed out"), std::string::npos) << r.error.description;
  ExpectReadable(r.error);
  EXPECT_FALSE(store_->GetClient(Base() + "/slow/client.json").has_value());
}

TEST_F(ClientMetadataFetcherTest, PrivateAddressesAreRefusedByDefault) {
  ClientMetadataFetcherOptions options = Options();
  options.allow_private_addresses = false;  // the default
  auto fetcher = Fetcher(options);
  for (const std::string& host : {std::string("localhost"), std::string("127.0.0.1")}) {
    const std::string url = Base(host) + "/client.json";
    RegistrationResult r = fetcher->Resolve(url);
    ASSERT_FALSE(r.client.has_value()) << url;
    EXPECT_EQ(r.error.error, "invalid_client");
    EXPECT_NE(r.error.description.find("private"), std::string::npos) << r.error.description;
    EXPECT_NE(r.error.description.find(host), std::string::npos) << r.error.description;
    ExpectReadable(r.error);
    EXPECT_EQ(store_->GetClient(url).error(), store::Errc::kNotFound);
  }
  EXPECT_EQ(hits_, 0);
  EXPECT_EQ(server_->stats().connections_accepted, 0u);
}

TEST_F(ClientMetadataFetcherTest, UrlsThatAreNotMetadataDocumentUrlsAreNotFetched) {
  auto fetcher = Fetcher(Options());
  const std::string http_url =
      "http://localhost:" + std::to_string(server_->port()) + "/client.json";
  for (const std::string& id :
       {http_url, Base() + "/client.json#frag", std::string("my-client"), std::string("")}) {
    RegistrationResult r = fetcher->Resolve(id);
    ASSERT_FALSE(r.client.has_value()) << id;
    EXPECT_EQ(r.error.error, "invalid_client");
    ExpectReadable(r.error);
  }
  EXPECT_EQ(hits_, 0);
}

TEST_F(ClientMetadataFetcherTest, AClientRegisteredOtherwiseIsNotReplaced) {
  const std::string url = Base() + "/client.json";
  store::Client configured{.client_id = url,
                           .name = "Configured",
                           .redirect_uris = {"https://app.example/cb"},
                           .grant_types = {"authorization_code"},
                           .token_endpoint_auth_method = "none",
                           .application_type = "web",
                           .source = store::RegistrationSource::kStatic,
                           .created_at = clock_.Now()};
  ASSERT_TRUE(store_->CreateClient(configured).has_value());
  auto fetcher = Fetcher(Options());
  RegistrationResult r = fetcher->Resolve(url);
  ASSERT_FALSE(r.client.has_value());
  ExpectReadable(r.error);
  EXPECT_EQ(hits_, 0);
  auto row = store_->GetClient(url);
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(*row, configured);
}

TEST_F(ClientMetadataFetcherTest, ConcurrentResolvesAllSucceed) {
  RespondWithHeaders({{"Cache-Control", "max-age=300"}});
  auto fetcher = Fetcher(Options());
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        const std::string url = Base() + "/c" + std::to_string((t + i) % 3) + ".json";
        ok += fetcher->Resolve(url).client.has_value();
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(ok, 20);
  EXPECT_GE(hits_, 3);
  EXPECT_LE(hits_, 12);  // each of the 3 URLs fetched at most once per thread
}

// The HTTP client's address policy on its own: the check happens before any connection.
class PublicAddressesOnlyTest : public ClientMetadataFetcherTest {
 protected:
  std::string Url(std::string_view host) const {
    return "https://" + std::string(host) + ":" + std::to_string(server_->port()) + "/x.json";
  }
};

TEST_F(PublicAddressesOnlyTest, LoopbackInEveryFormIsForbiddenBeforeConnecting) {
  http::Client client(
      http::ClientOptions{.ca_file = pki_.ca_file(), .public_addresses_only = true});
  // 2130706433 is 127.0.0.1 written as one number: not an IP literal to the URL parser, but the
  // system resolver turns it into 127.0.0.1, and the check is on what the resolver returns.
  for (std::string_view host :
       {"127.0.0.1", "localhost", "[::1]", "[::ffff:127.0.0.1]", "127.0.0.2", "2130706433"}) {
    auto r = client.Send({.url = Url(host)});
    ASSERT_FALSE(r.has_value()) << host;
    EXPECT_EQ(r.error(), make_error_code(http::ClientErrc::kAddressForbidden)) << host;
  }
  EXPECT_EQ(client.connections_opened(), 0u);
  EXPECT_EQ(server_->stats().connections_accepted, 0u);
  EXPECT_EQ(hits_, 0);
  EXPECT_EQ(make_error_code(http::ClientErrc::kAddressForbidden).message(),
            "the host resolves to an address that is not allowed");
}

TEST_F(PublicAddressesOnlyTest, TheDefaultClientStillReachesLoopback) {
  http::Client client(http::ClientOptions{.ca_file = pki_.ca_file()});
  auto r = client.Send({.url = Url("localhost")});
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(hits_, 1);
}

}  // namespace
}  // namespace mcpauth::oauth
