// IntrospectionValidator against a real HTTP server on 127.0.0.1:0 playing a foreign
// authorization server's RFC 7662 endpoint: client authentication, the checks on the answer,
// the short cache, and failures.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "fakes/fake_clock.hpp"
#include "mcpauth/http/client.hpp"
#include "mcpauth/http/form.hpp"
#include "mcpauth/http/router.hpp"
#include "mcpauth/http/server.hpp"
#include "mcpauth/oauth/resource/introspection_validator.hpp"
#include "mcpauth/oauth/resource/resource_server.hpp"

namespace mcpauth::oauth::resource {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

constexpr int64_t kNow = 1'700'000'000;
constexpr std::string_view kResource = "https://rs.example/mcp";
constexpr std::string_view kIssuer = "https://as.example";
// A secret with characters that RFC 6749 §2.3.1 form-encodes before Basic: ':' '+' ' ' '%'.
constexpr std::string_view kSecret = "s3cr:t+ %x";
// What a correct client sends: base64("rs-client:s3cr%3At%2B+%25x").
constexpr std::string_view kBasic = "Basic cnMtY2xpZW50OnMzY3IlM0F0JTJCKyUyNXg=";

// The foreign authorization server's introspection endpoint.
class IntrospectionEndpoint {
 public:
  IntrospectionEndpoint() {
    auto router = std::make_shared<http::Router>();
    router->Add("POST", "/introspect", http::SyncHandler([this](const http::Request& r) {
                  ++requests_;
                  auto form = http::ParseForm(r.body);
                  std::lock_guard lock(mu_);
                  last_authorization_ = std::string(r.headers.Get("Authorization").value_or(""));
                  last_form_ = form ? *form : http::Form{};
                  if (status_ != 200) {
                    return http::Response::Json(status_, R"({"error":"server_error"})");
                  }
                  const bool basic_ok = last_authorization_ == kBasic;
                  const bool post_ok = form && form->Get("client_id") == "rs-client" &&
                                       form->Get("client_secret") == kSecret;
                  if (!basic_ok && !post_ok) {
                    return http::Response::Json(401, R"({"error":"invalid_client"})");
                  }
                  const auto token = form ? form->Get("token") : std::nullopt;
                  const auto it = token ? answers_.find(std::string(*token)) : answers_.end();
                  return http::Response::Json(200, it == answers_.end()
                                                       ? R"({"active":false})"
                                                       : json::serialize(it->second));
                }));
    server_ = std::make_unique<http::Server>(http::ServerOptions{.threads = 1}, router);
    EXPECT_TRUE(server_->Start().has_value());
  }

  void Answer(std::string token, json::object response) {
    std::lock_guard lock(mu_);
    answers_[std::move(token)] = std::move(response);
  }
  void SetStatus(int status) {
    std::lock_guard lock(mu_);
    status_ = status;
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + "/introspect";
  }
  int requests() const { return requests_.load(); }
  http::Form last_form() {
    std::lock_guard lock(mu_);
    return last_form_;
  }

 private:
  std::mutex mu_;
  std::map<std::string, json::object> answers_;
  int status_ = 200;
  std::string last_authorization_;
  http::Form last_form_;
  std::atomic<int> requests_{0};
  std::unique_ptr<http::Server> server_;
};

json::object Active(int64_t now = kNow) {
  return {{"active", true},
          {"scope", "mcp:read mcp:tools"},
          {"client_id", "client-1"},
          {"username", "alice"},
          {"token_type", "Bearer"},
          {"exp", now + 3600},
          {"iat", now},
          {"sub", "user-1"},
          {"aud", kResource},
          {"iss", kIssuer},
          {"jti", "j-1"},
          {"grant_id", "grant-1"}};
}

template <class T>
json::object With(json::object o, std::string_view name, const T& v) {
  o[name] = json::value_from(v);
  return o;
}

class IntrospectionValidatorTest : public ::testing::Test {
 protected:
  IntrospectionValidatorTest() : clock_(kNow) {}

  IntrospectionOptions Options() const {
    return {.endpoint = endpoint_.url(),
            .client_id = "rs-client",
            .client_secret = Secret(std::string(kSecret)),
            .audience = std::string(kResource),
            .issuer = std::string(kIssuer)};
  }
  std::unique_ptr<IntrospectionValidator> Validator(IntrospectionOptions o) {
    return std::make_unique<IntrospectionValidator>(client_, clock_, std::move(o), &revoked_);
  }
  Errc ErrorOf(IntrospectionValidator& v, std::string_view token) {
    auto r = v.Validate(token);
    return r ? Errc::kOk : static_cast<Errc>(r.error().value());
  }

  testing::FakeClock clock_;
  IntrospectionEndpoint endpoint_;
  http::Client client_;
  RevokedGrants revoked_;
};

TEST_F(IntrospectionValidatorTest, AnActiveTokenValidatesWithItsClaims) {
  endpoint_.Answer("tok", Active());
  auto v = Validator(Options());
  auto r = v->Validate("tok");
  ASSERT_TRUE(r.has_value()) << r.error().message();
  const AccessToken& t = **r;
  EXPECT_EQ(t.subject, "user-1");
  EXPECT_EQ(t.username, "alice");
  EXPECT_EQ(t.client_id, "client-1");
  EXPECT_EQ(t.scopes, (std::vector<std::string>{"mcp:read", "mcp:tools"}));
  EXPECT_EQ(t.grant_id, "grant-1");
  EXPECT_EQ(t.jti, "j-1");
  EXPECT_EQ(t.expires_at, Clock::TimePoint(std::chrono::seconds(kNow + 3600)));
  // RFC 7662 §2.1: the token and the hint, in a form.
  const http::Form form = endpoint_.last_form();
  EXPECT_EQ(form.Get("token"), "tok");
  EXPECT_EQ(form.Get("token_type_hint"), "access_token");
  EXPECT_FALSE(form.Has("client_secret"));  // Basic: the secret is in the header only
}

TEST_F(IntrospectionValidatorTest, ClientSecretPostSendsTheCredentialsInTheBody) {
  endpoint_.Answer("tok", Active());
  IntrospectionOptions o = Options();
  o.auth_method = ClientAuthMethod::kClientSecretPost;
  auto v = Validator(o);
  EXPECT_TRUE(v->Validate("tok").has_value());
  EXPECT_EQ(endpoint_.last_form().Get("client_id"), "rs-client");
}

TEST_F(IntrospectionValidatorTest, AnInactiveTokenIsRefusedAndNotCached) {
  auto v = Validator(Options());
  EXPECT_EQ(ErrorOf(*v, "unknown"), Errc::kInactive);
  EXPECT_EQ(ErrorOf(*v, "unknown"), Errc::kInactive);
  EXPECT_EQ(endpoint_.requests(), 2);
  endpoint_.Answer("weird", {{"active", "true"}});  // not a boolean: not active
  EXPECT_EQ(ErrorOf(*v, "weird"), Errc::kInactive);
}

TEST_F(IntrospectionValidatorTest, AnswersAreCachedBrieflyAndNeverPastExp) {
  endpoint_.Answer("tok", Active());
  endpoint_.Answer("short", With(Active(), "exp", kNow + 10));
  auto v = Validator(Options());  // cache_ttl 30 s
  ASSERT_TRUE(v->Validate("tok").has_value());
  ASSERT_TRUE(v->Validate("tok").has_value());
  EXPECT_EQ(endpoint_.requests(), 1);
  clock_.Advance(29s);
  ASSERT_TRUE(v->Validate("tok").has_value());
  EXPECT_EQ(endpoint_.requests(), 1);
  clock_.Advance(1s);
  ASSERT_TRUE(v->Validate("tok").has_value());
  EXPECT_EQ(endpoint_.requests(), 2);

  clock_.SetSeconds(kNow);
  ASSERT_TRUE(v->Validate("short").has_value());
  clock_.Advance(10s);  // exp reached: the entry is gone, and the answer is now expired
  EXPECT_EQ(ErrorOf(*v, "short"), Errc::kExpired);
}

TEST_F(IntrospectionValidatorTest, ARevocationAtTheServerIsSeenWhenTheEntryEnds) {
  endpoint_.Answer("tok", Active());
  auto v = Validator(Options());
  ASSERT_TRUE(v->Validate("tok").has_value());
  endpoint_.Answer("tok", {{"active", false}});
  clock_.Advance(30s);
  EXPECT_EQ(ErrorOf(*v, "tok"), Errc::kInactive);
}

TEST_F(IntrospectionValidatorTest, ARevokedGrantIsRefusedAtOnceFromTheCache) {
  endpoint_.Answer("tok", Active());
  auto v = Validator(Options());
  ASSERT_TRUE(v->Validate("tok").has_value());
  revoked_.Add("grant-1", clock_.Now());
  EXPECT_EQ(ErrorOf(*v, "tok"), Errc::kRevoked);
  EXPECT_EQ(endpoint_.requests(), 1);
}

TEST_F(IntrospectionValidatorTest, ChecksAudienceIssuerTypeAndTime) {
  auto v = Validator(Options());
  const struct {
    json::object answer;
    Errc expected;
  } cases[] = {
      {With(Active(), "aud", "https://other.example/mcp"), Errc::kBadAudience},
      {With(Active(), "aud", json::array{"https://other.example/mcp"}), Errc::kBadAudience},
      {With(Active(), "aud", json::array{"https://other.example/mcp", kResource}), Errc::kOk},
      {With(Active(), "iss", "https://evil.example"), Errc::kBadIssuer},
      {With(Active(), "token_type", "refresh_token"), Errc::kBadType},
      {With(Active(), "token_type", "access_token"), Errc::kOk},
      {With(Active(), "exp", kNow - 1), Errc::kExpired},
      {With(Active(), "exp", kNow), Errc::kExpired},
      {With(Active(), "nbf", kNow + 60), Errc::kNotYetValid},
      {With(With(With(Active(), "sub", ""), "username", ""), "client_id", ""), Errc::kBadClaims},
  };
  int i = 0;
  for (const auto& c : cases) {
    const std::string token = "t" + std::to_string(i++);
    endpoint_.Answer(token, c.answer);
    EXPECT_EQ(ErrorOf(*v, token), c.expected) << json::serialize(c.answer);
  }
  json::object no_aud = Active();
  no_aud.erase("aud");
  endpoint_.Answer("no-aud", no_aud);
  EXPECT_EQ(ErrorOf(*v, "no-aud"), Errc::kBadAudience);
  IntrospectionOptions lenient = Options();
  lenient.allow_missing_audience = true;
  EXPECT_EQ(ErrorOf(*Validator(lenient), "no-aud"), Errc::kOk);
  // No sub: the username stands in.
  json::object no_sub = Active();
  no_sub.erase("sub");
  endpoint_.Answer("no-sub", no_sub);
  auto r = v->Validate("no-sub");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ((*r)->subject, "alice");
  // Neither sub nor username (the SDK's demo AS): the client is the principal.
  no_sub.erase("username");
  endpoint_.Answer("client-only", no_sub);
  r = v->Validate("client-only");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ((*r)->subject, "client:" + (*r)->client_id);
  EXPECT_FALSE((*r)->client_id.empty());
}

TEST_F(IntrospectionValidatorTest, WrongClientCredentialsAreOurOutage) {
  endpoint_.Answer("tok", Active());
  IntrospectionOptions o = Options();
  o.client_secret = Secret("wrong");
  EXPECT_EQ(ErrorOf(*Validator(o), "tok"), Errc::kUnavailable);
}

TEST_F(IntrospectionValidatorTest, AnUnreachableEndpointIsUnavailable) {
  endpoint_.Answer("tok", Active());
  endpoint_.SetStatus(503);
  auto v = Validator(Options());
  EXPECT_EQ(ErrorOf(*v, "tok"), Errc::kUnavailable);
  IntrospectionOptions o = Options();
  o.endpoint = "http://127.0.0.1:1/introspect";
  EXPECT_EQ(ErrorOf(*Validator(o), "tok"), Errc::kUnavailable);
}

TEST_F(IntrospectionValidatorTest, OversizedOrEmptyTokensAreRefusedWithoutACall) {
  auto v = Validator(Options());
  EXPECT_EQ(ErrorOf(*v, ""), Errc::kMalformed);
  EXPECT_EQ(ErrorOf(*v, std::string(9000, 'a')), Errc::kMalformed);
  EXPECT_EQ(endpoint_.requests(), 0);
}

TEST_F(IntrospectionValidatorTest, BehindAResourceServer) {
  endpoint_.Answer("tok", Active());
  std::shared_ptr<TokenValidator> v = Validator(Options());
  ResourceServer rs(ResourceServerOptions{.resource = std::string(kResource),
                                          .authorization_servers = {std::string(kIssuer)},
                                          .default_scopes = {"mcp:read"},
                                          .tool_scopes = {{"admin", {"mcp:admin"}}}},
                    v);
  http::Request r;
  r.method = "POST";
  r.headers.Set("Authorization", "Bearer tok");
  mcp::AuthDecision d = rs.Authorize(mcp::AuthQuery{r, "tools/call", "echo"});
  ASSERT_TRUE(d.allowed);
  EXPECT_EQ(d.principal.subject, "user-1");
  EXPECT_EQ(d.principal.client_id, "client-1");
  d = rs.Authorize(mcp::AuthQuery{r, "tools/call", "admin"});
  EXPECT_EQ(d.denial.status, 403);
  endpoint_.SetStatus(500);
  r.headers.Set("Authorization", "Bearer other");
  EXPECT_EQ(rs.Authorize(mcp::AuthQuery{r, "tools/list", ""}).denial.status, 503);
}

}  // namespace
}  // namespace mcpauth::oauth::resource
