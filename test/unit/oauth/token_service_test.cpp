// TokenService over every store backend (memory and SQLite in a temporary directory, one typed
// suite), with a FakeClock, real randomness and real ES256 keys: every error row of the contract
// in token_service.hpp, PKCE, code replay, refresh rotation and the grace rule under 50
// concurrent refreshes, revocation, introspection, Disconnect and the audit log. Access tokens
// are checked with a real jose::JwtVerifier, as a resource server would.
#include "mcpauth/oauth/token_service.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <latch>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "fakes/fake_clock.hpp"
#include "mcpauth/core/token.hpp"
#include "mcpauth/jose/jwt.hpp"
#include "mcpauth/oauth/signing_keys.hpp"
#include "mcpauth/store/errc.hpp"
#include "mcpauth/store/memory_store.hpp"
#include "unit/store/store_test_support.hpp"

namespace mcpauth::oauth {
namespace {

using namespace std::chrono_literals;
using store::storetest::MemoryBackend;
using store::storetest::SqliteBackend;

// RFC 7636 Appendix B.
constexpr std::string_view kVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr std::string_view kChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

constexpr std::string_view kIssuer = "https://auth.example.com";
constexpr std::string_view kResource = "https://mcp.example.com/mcp";
constexpr std::string_view kOtherResource = "https://files.example.com/mcp";
constexpr std::string_view kRedirect = "http://127.0.0.1:5555/callback";
constexpr std::string_view kIp = "192.0.2.7";
constexpr int64_t kStart = 1'700'000'000;

const std::vector<std::string> kScopes = {"mcp:tools", "mcp:read"};

AuthorizationServerConfig Config() {
  AuthorizationServerConfig config;
  config.issuer = std::string(kIssuer);
  config.resources = {
      {.uri = std::string(kResource), .name = "tools", .scopes = {"mcp:tools", "mcp:read"}},
      {.uri = std::string(kOtherResource), .name = "files", .scopes = {"files:read"}}};
  return config;
}

store::Client MakeClient(std::string id, bool confidential) {
  return store::Client{.client_id = std::move(id),
                       .secret_hash = confidential ? std::optional(core::TokenHash("secret"))
                                                   : std::optional<std::string>(),
                       .name = "Example",
                       .redirect_uris = {std::string(kRedirect)},
                       .grant_types = {"authorization_code", "refresh_token"},
                       .token_endpoint_auth_method = confidential ? "client_secret_basic" : "none",
                       .application_type = "native",
                       .source = store::RegistrationSource::kDcr,
                       .created_at = Clock::TimePoint(std::chrono::seconds(kStart))};
}

std::string ErrorOf(const TokenOutcome& outcome) {
  return outcome.tokens ? "ok" : outcome.error.error;
}

boost::json::object Parse(std::string_view json) {
  boost::json::value v = boost::json::parse(json);
  EXPECT_TRUE(v.is_object()) << json;
  return v.is_object() ? v.get_object() : boost::json::object();
}

// A JSON string's value; anything else serialized, so that a comparison fails readably.
std::string Str(const boost::json::value& v) {
  return v.is_string() ? std::string(v.get_string()) : boost::json::serialize(v);
}

template <class Backend>
class TokenServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = backend_.Open();
    ASSERT_NE(store_, nullptr);
    keys_ = std::make_unique<SigningKeyManager>(*store_, clock_);
    ASSERT_TRUE(keys_->EnsureActiveKey());
    service_ =
        std::make_unique<TokenService>(config_, *store_, *keys_, clock_, OpenSslRandom::Instance());
    for (const auto& [id, name] : {std::pair{"u-alice", "alice"}, std::pair{"u-bob", "bob"}}) {
      ASSERT_TRUE(
          store_->CreateUser({.id = id,
                              .username = name,
                              .password_hash = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
                              .created_at = clock_.Now()}));
    }
    multi_.redirect_uris = {"http://127.0.0.1/one", "https://app.example.com/two"};
    noref_.grant_types = {"authorization_code"};
    rs_.metadata_json = R"({"mcpauth_resource_server":true})";
    for (const store::Client* client : {&app_, &web_, &multi_, &noref_, &other_, &rs_, &peer_}) {
      ASSERT_TRUE(store_->CreateClient(*client));
    }
  }

  TokenService& service() { return *service_; }
  store::Store& store() { return *store_; }

  CodeGrantRequest CodeRequest(const store::Client& client,
                               std::vector<std::string> scopes = kScopes,
                               std::string user_id = "u-alice") {
    return CodeGrantRequest{.user_id = std::move(user_id),
                            .username = "alice",
                            .client_id = client.client_id,
                            .redirect_uri = client.redirect_uris.front(),
                            .code_challenge = std::string(kChallenge),
                            .scopes = std::move(scopes),
                            .resource = std::string(kResource),
                            .ip = std::string(kIp)};
  }

  IssuedCode Issue(const CodeGrantRequest& request) {
    auto code = service().IssueCode(request);
    EXPECT_TRUE(code) << code.error().message();
    return std::move(code.value());
  }
  IssuedCode Issue(const store::Client& client) { return Issue(CodeRequest(client)); }

  // The token request a well-behaved client sends for `code`.
  static CodeExchange ExchangeOf(const IssuedCode& code,
                                 std::string_view redirect_uri = kRedirect) {
    return CodeExchange{.code = std::string(code.code.Reveal()),
                        .code_verifier = std::string(kVerifier),
                        .redirect_uri = std::string(redirect_uri),
                        .ip = std::string(kIp)};
  }

  IssuedTokens MustExchange(const store::Client& client, const CodeExchange& exchange) {
    TokenOutcome out = service().ExchangeCode(client, exchange);
    EXPECT_TRUE(out.tokens) << out.error.error << ": " << out.error.description;
    return std::move(out.tokens.value());
  }

  // The whole authorization-code flow for `client`.
  IssuedTokens Login(const store::Client& client, std::vector<std::string> scopes = kScopes,
                     std::string user_id = "u-alice") {
    return MustExchange(
        client, ExchangeOf(Issue(CodeRequest(client, std::move(scopes), std::move(user_id))),
                           client.redirect_uris.front()));
  }

  static RefreshRequest RefreshOf(const IssuedTokens& tokens) {
    EXPECT_TRUE(tokens.refresh_token.has_value());
    return RefreshRequest{.refresh_token = std::string(tokens.refresh_token.value().Reveal()),
                          .ip = std::string(kIp)};
  }
  static RefreshRequest RefreshOf(std::string_view refresh_token) {
    return RefreshRequest{.refresh_token = std::string(refresh_token), .ip = std::string(kIp)};
  }

  IssuedTokens MustRefresh(const store::Client& client, const RefreshRequest& request) {
    TokenOutcome out = service().Refresh(client, request);
    EXPECT_TRUE(out.tokens) << out.error.error << ": " << out.error.description;
    return std::move(out.tokens.value());
  }

  // A resource server's view of an access token.
  Result<jose::VerifiedJwt> VerifyAsResourceServer(const Secret& token,
                                                   std::string_view audience = kResource) {
    jose::JwtVerifier verifier(clock_, keys_->Resolver());
    verifier.RequireIssuer(std::string(kIssuer))
        .RequireAudience(std::string(audience))
        .RequireType(std::string(jose::kAccessTokenType));
    return verifier.Verify(token.Reveal());
  }

  bool IsRevoked(const std::string& grant_id) {
    auto grant = store().GetGrant(grant_id);
    EXPECT_TRUE(grant) << grant_id;
    return grant && grant->revoked_at.has_value();
  }

  bool IsActive(const store::Client& caller, std::string_view token) {
    const boost::json::object body = Parse(service().Introspect(caller, token));
    const boost::json::value* active = body.if_contains("active");
    EXPECT_TRUE(active != nullptr && active->is_bool());
    return active != nullptr && active->is_bool() && active->get_bool();
  }

  std::vector<store::AuditEvent> Events(std::string type) {
    return store().ListAudit({.type = std::move(type), .limit = 10000}).value();
  }

  int64_t NowSeconds() const { return clock_.NowSeconds(); }

  AuthorizationServerConfig config_ = Config();
  testing::FakeClock clock_{kStart};
  Backend backend_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<SigningKeyManager> keys_;
  std::unique_ptr<TokenService> service_;

  // app: public, refreshes; web: confidential; multi: two redirect URIs; noref: no refresh_token
  // grant type; other: an unrelated public client; rs: a resource server; peer: another
  // confidential client that is not a resource server.
  store::Client app_ = MakeClient("app", false);
  store::Client web_ = MakeClient("web", true);
  store::Client multi_ = MakeClient("multi", false);
  store::Client noref_ = MakeClient("noref", false);
  store::Client other_ = MakeClient("other", false);
  store::Client rs_ = MakeClient("rs", true);
  store::Client peer_ = MakeClient("peer", true);
};

struct BackendNames {
  template <class T>
  static std::string GetName(int) {
    return T::kName;
  }
};

using Backends = ::testing::Types<MemoryBackend, SqliteBackend>;
TYPED_TEST_SUITE(TokenServiceTest, Backends, BackendNames);

// ---- IssueCode ---------------------------------------------------------------------------

TYPED_TEST(TokenServiceTest, IssueCodeStoresAGrantAndAHashedCodeBoundToTheRequest) {
  const IssuedCode code = this->Issue(this->app_);
  EXPECT_EQ(code.code.Reveal().size(), 43u);  // 256 bits, base64url

  auto grant = this->store().GetGrant(code.grant_id);
  ASSERT_TRUE(grant);
  EXPECT_EQ(grant->user_id, "u-alice");
  EXPECT_EQ(grant->client_id, "app");
  EXPECT_EQ(grant->scopes, kScopes);
  EXPECT_EQ(grant->resource, kResource);
  EXPECT_EQ(grant->created_at, this->clock_.Now());
  EXPECT_FALSE(grant->revoked_at);
  EXPECT_FALSE(grant->last_used_at);

  auto stored = this->store().GetCode(core::TokenHash(code.code.Reveal()));
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->grant_id, code.grant_id);
  EXPECT_EQ(stored->redirect_uri, kRedirect);
  EXPECT_EQ(stored->code_challenge, kChallenge);
  EXPECT_EQ(stored->scopes, kScopes);
  EXPECT_EQ(stored->resource, kResource);
  EXPECT_EQ(stored->expires_at, this->clock_.Now() + 60s);

  const auto created = this->Events("grant.created");
  ASSERT_EQ(created.size(), 1u);
  EXPECT_EQ(created[0].subject, "u-alice");
  EXPECT_EQ(created[0].client_id, "app");
  EXPECT_EQ(created[0].grant_id, code.grant_id);
  EXPECT_EQ(created[0].ip, kIp);
}

TYPED_TEST(TokenServiceTest, CodesLiveAtMostAMinute) {
  this->config_.code_lifetime = 10min;
  const IssuedCode code = this->Issue(this->app_);
  EXPECT_EQ(this->store().GetCode(core::TokenHash(code.code.Reveal()))->expires_at,
            this->clock_.Now() + 60s);
  this->config_.code_lifetime = 30s;
  const IssuedCode shorter = this->Issue(this->app_);
  EXPECT_EQ(this->store().GetCode(core::TokenHash(shorter.code.Reveal()))->expires_at,
            this->clock_.Now() + 30s);
}

TYPED_TEST(TokenServiceTest, AnOmittedRedirectUriBindsTheCodeToTheOnlyRegisteredOne) {
  CodeGrantRequest request = this->CodeRequest(this->app_);
  request.redirect_uri.clear();
  const IssuedCode code = this->Issue(request);
  EXPECT_EQ(this->store().GetCode(core::TokenHash(code.code.Reveal()))->redirect_uri, kRedirect);
  // /authorize must not let a client with several registered URIs leave it out.
  CodeGrantRequest ambiguous = this->CodeRequest(this->multi_);
  ambiguous.redirect_uri.clear();
  auto refused = this->service().IssueCode(ambiguous);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), store::Errc::kInvalidArgument);
}

// ---- ExchangeCode: success ---------------------------------------------------------------

TYPED_TEST(TokenServiceTest, ExchangeIssuesAnRfc9068AccessTokenAndARefreshToken) {
  const IssuedCode code = this->Issue(this->app_);
  this->clock_.Advance(5s);
  const IssuedTokens tokens = this->MustExchange(this->app_, this->ExchangeOf(code));
  EXPECT_EQ(tokens.grant_id, code.grant_id);
  EXPECT_EQ(tokens.expires_in, 3600);
  EXPECT_EQ(tokens.scopes, kScopes);
  ASSERT_TRUE(tokens.refresh_token);
  EXPECT_EQ(tokens.refresh_token->Reveal().size(), 43u);

  auto jwt = this->VerifyAsResourceServer(tokens.access_token);
  ASSERT_TRUE(jwt) << jwt.error().message();
  EXPECT_EQ(jwt->Type(), "at+jwt");
  EXPECT_EQ(jwt->KeyId(), this->keys_->Current()->kid);
  EXPECT_EQ(jwt->Issuer(), kIssuer);
  EXPECT_EQ(jwt->Audiences(), std::vector<std::string_view>{kResource});
  EXPECT_EQ(jwt->Subject(), "u-alice");
  EXPECT_EQ(jwt->ClientId(), "app");
  EXPECT_EQ(jwt->Scope(), "mcp:tools mcp:read");
  EXPECT_EQ(jwt->IssuedAt(), this->NowSeconds());
  EXPECT_EQ(jwt->ExpiresAt(), this->NowSeconds() + 3600);
  EXPECT_EQ(jwt->StringClaim("grant_id"), code.grant_id);
  EXPECT_EQ(jwt->StringClaim("preferred_username"), "alice");
  EXPECT_GE(jwt->JwtId().size(), 22u);  // 128 bits, base64url
  // Not for another resource (RFC 8707 audience restriction).
  EXPECT_FALSE(this->VerifyAsResourceServer(tokens.access_token, kOtherResource));

  EXPECT_EQ(this->store().GetGrant(code.grant_id)->last_used_at, this->clock_.Now());
  auto stored = this->store().GetRefreshToken(core::TokenHash(tokens.refresh_token->Reveal()));
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->grant_id, code.grant_id);
  EXPECT_EQ(stored->expires_at, this->clock_.Now() + this->config_.refresh_token_lifetime);

  const auto issued = this->Events("token.issued");
  ASSERT_EQ(issued.size(), 1u);
  EXPECT_EQ(issued[0].grant_id, code.grant_id);
  EXPECT_EQ(issued[0].subject, "u-alice");
  EXPECT_EQ(issued[0].client_id, "app");
  EXPECT_EQ(Str(Parse(issued[0].detail_json).at("jti")), jwt->JwtId());
}

TYPED_TEST(TokenServiceTest, EveryAccessTokenHasItsOwnJti) {
  std::set<std::string> jtis;
  IssuedTokens tokens = this->Login(this->app_);
  for (int i = 0; i < 4; ++i) {
    jtis.insert(std::string(this->VerifyAsResourceServer(tokens.access_token)->JwtId()));
    jtis.insert(
        std::string(this->VerifyAsResourceServer(this->Login(this->app_).access_token)->JwtId()));
    tokens = this->MustRefresh(this->app_, this->RefreshOf(tokens));
  }
  EXPECT_EQ(jtis.size(), 8u);
}

TYPED_TEST(TokenServiceTest, TokenResponseIsRfc6749Json) {
  const IssuedTokens tokens = this->Login(this->app_);
  const boost::json::object body = Parse(TokenResponseJson(tokens));
  EXPECT_EQ(Str(body.at("access_token")), tokens.access_token.Reveal());
  EXPECT_EQ(Str(body.at("token_type")), "Bearer");
  EXPECT_EQ(body.at("expires_in").as_int64(), 3600);
  EXPECT_EQ(Str(body.at("scope")), "mcp:tools mcp:read");
  EXPECT_EQ(Str(body.at("refresh_token")), tokens.refresh_token->Reveal());
  EXPECT_EQ(body.size(), 5u);
}

TYPED_TEST(TokenServiceTest, RefreshTokensOnlyForRefreshingClientsOrOfflineAccess) {
  const IssuedTokens plain = this->Login(this->noref_);
  EXPECT_FALSE(plain.refresh_token);
  EXPECT_FALSE(Parse(TokenResponseJson(plain)).contains("refresh_token"));
  const IssuedTokens offline = this->Login(this->noref_, {"mcp:tools", "offline_access"});
  ASSERT_TRUE(offline.refresh_token);
  EXPECT_TRUE(this->MustRefresh(this->noref_, this->RefreshOf(offline)).refresh_token);
  EXPECT_TRUE(this->Login(this->app_).refresh_token);
}

// ---- ExchangeCode: the error table -------------------------------------------------------

TYPED_TEST(TokenServiceTest, AnUnknownCodeIsInvalidGrant) {
  CodeExchange exchange = this->ExchangeOf(this->Issue(this->app_));
  exchange.code = std::string(core::GenerateToken(OpenSslRandom::Instance()).Reveal());
  EXPECT_EQ(ErrorOf(this->service().ExchangeCode(this->app_, exchange)), "invalid_grant");
  exchange.code.clear();
  EXPECT_EQ(ErrorOf(this->service().ExchangeCode(this->app_, exchange)), "invalid_grant");
}

TYPED_TEST(TokenServiceTest, AnExpiredCodeIsInvalidGrant) {
  const IssuedCode code = this->Issue(this->app_);
  this->clock_.Advance(60s);
  const TokenOutcome out = this->service().ExchangeCode(this->app_, this->ExchangeOf(code));
  EXPECT_EQ(ErrorOf(out), "invalid_grant");
  EXPECT_EQ(out.error.status, 400);
  EXPECT_FALSE(this->IsRevoked(code.grant_id));
}

TYPED_TEST(TokenServiceTest, AnotherClientsCodeIsInvalidGrantAndNotBurned) {
  const IssuedCode code = this->Issue(this->app_);
  EXPECT_EQ(ErrorOf(this->service().ExchangeCode(this->other_, this->ExchangeOf(code))),
            "invalid_grant");
  // Neither consumed nor revoked: the rightful client still exchanges it.
  EXPECT_FALSE(this->IsRevoked(code.grant_id));
  this->MustExchange(this->app_, this->ExchangeOf(code));
  EXPECT_TRUE(this->Events("code.replayed").empty());
}

TYPED_TEST(TokenServiceTest, TheCodeOfARevokedGrantIsInvalidGrant) {
  const IssuedCode code = this->Issue(this->app_);
  ASSERT_TRUE(this->store().RevokeGrant(code.grant_id, this->clock_.Now()));
  EXPECT_EQ(ErrorOf(this->service().ExchangeCode(this->app_, this->ExchangeOf(code))),
            "invalid_grant");
}

TYPED_TEST(TokenServiceTest, AReplayedCodeRevokesItsGrantAndTheTokensOfTheFirstExchange) {
  const IssuedCode code = this->Issue(this->app_);
  const IssuedTokens first = this->MustExchange(this->app_, this->ExchangeOf(code));
  this->clock_.Advance(2s);
  EXPECT_EQ(ErrorOf(this->service().ExchangeCode(this->app_, this->ExchangeOf(code))),
            "invalid_grant");
  EXPECT_TRUE(this->IsRevoked(code.grant_id));
  EXPECT_EQ(ErrorOf(this->service().Refresh(this->app_, this->RefreshOf(first))), "invalid_grant");
  EXPECT_FALSE(this->IsActive(this->rs_, first.access_token.Reveal()));
  const auto replayed = this->Events("code.replayed");
  ASSERT_EQ(replayed.size(), 1u);
  EXPECT_EQ(replayed[0].grant_id, code.grant_id);
  EXPECT_EQ(replayed[0].client_id, "app");
  EXPECT_EQ(replayed[0].time, this->clock_.Now());
}

TYPED_TEST(TokenServiceTest, AMissingVerifierIsInvalidRequestAndBurnsTheCode) {
  const IssuedCode code = this->Issue(this->app_);
  CodeExchange exchange = this->ExchangeOf(code);
  exchange.code_verifier.reset();
  const TokenOutcome out = this->service().ExchangeCode(this->app_, exchange);
  EXPECT_EQ(ErrorOf(out), "invalid_request");
  EXPECT_EQ(out.error.status, 400);
  // Consumed before PKCE was checked: the verifier cannot be tried again on the same code.
  EXPECT_EQ(ErrorOf(this->service().ExchangeCode(this->app_, this->ExchangeOf(code))),
            "invalid_grant");
}

TYPED_TEST(TokenServiceTest, AMalformedVerifierIsInvalidGrant) {
  const std::string valid(kVerifier);
  for (const std::string& verifier : {
           valid.substr(0, 42),                // too short
           std::string(129, 'a'),              // too long
           std::string(),                      // empty
           valid.substr(0, 42) + "+",          // outside the unreserved set
           valid.substr(0, 42) + "=",          // padding
           valid.substr(0, 20) + " " + valid,  // a space
           valid.substr(0, 42) + "\xc3\xa9",   // not ASCII
       }) {
    CodeExchange exchange = this->ExchangeOf(this->Issue(this->app_));
    exchange.code_verifier = verifier;
    EXPECT_EQ(ErrorOf(this->service().ExchangeCode(this->app_, exchange)), "invalid_grant")
        << verifier;
  }
  // The boundaries are allowed (and then fail only the S256 comparison).
  for (const std::string& verifier : {std::string(43, '~'), std::string(128, '.')}) {
    CodeGrantRequest request = this->CodeRequest(this->app_);
    request.code_challenge = store::storetest::S256(verifier);
    CodeExchange exchange = this->ExchangeOf(this->Issue(request));
    exchange.code_verifier = verifier;
    EXPECT_EQ(ErrorOf(this->service().ExchangeCode(this->app_, exchange)), "ok") << verifier;
  }
}

TYPED_TEST(TokenServiceTest, AWrongOrPlainVerifierIsInvalidGrant) {
  CodeExchange wrong = this->ExchangeOf(this->Issue(this->app_));
  wrong.code_verifier = std::string(kVerifier.substr(0, 42)) + "Y";
  EXPECT_EQ(ErrorOf(this->service().ExchangeCode(this->app_, wrong)), "invalid_grant");
  // PKCE "plain" (verifier == challenge) is not accepted: S256 only (OAuth 2.1 §4.1.1).
  CodeExchange plain = this->ExchangeOf(this->Issue(this->app_));
  plain.code_verifier = std::string(kChallenge);
  EXPECT_EQ(ErrorOf(this->service().ExchangeCode(this->app_, plain)), "invalid_grant");
}

TYPED_TEST(TokenServiceTest, ASentRedirectUriMustMatchExactly) {
  for (std::string_view sent :
       {"http://127.0.0.1:5556/callback", "http://127.0.0.1:5555/callback/",
        "http://localhost:5555/callback", "HTTP://127.0.0.1:5555/callback", ""}) {
    const IssuedCode code = this->Issue(this->app_);
    EXPECT_EQ(ErrorOf(this->service().ExchangeCode(this->app_, this->ExchangeOf(code, sent))),
              "invalid_grant")
        << sent;
  }
  // OAuth 2.1 §10.2: a client with one registered URI may leave it out.
  CodeExchange omitted = this->ExchangeOf(this->Issue(this->app_));
  omitted.redirect_uri.reset();
  EXPECT_EQ(ErrorOf(this->service().ExchangeCode(this->app_, omitted)), "ok");
}

TYPED_TEST(TokenServiceTest, AnOmittedRedirectUriWithSeveralRegisteredIsInvalidRequest) {
  CodeGrantRequest request = this->CodeRequest(this->multi_);
  request.redirect_uri = this->multi_.redirect_uris[1];
  CodeExchange exchange = this->ExchangeOf(this->Issue(request));
  exchange.redirect_uri.reset();
  EXPECT_EQ(ErrorOf(this->service().ExchangeCode(this->multi_, exchange)), "invalid_request");
  EXPECT_EQ(ErrorOf(this->service().ExchangeCode(
                this->multi_, this->ExchangeOf(this->Issue(request), request.redirect_uri))),
            "ok");
}

TYPED_TEST(TokenServiceTest, AnotherResourceIsInvalidTarget) {
  CodeExchange exchange = this->ExchangeOf(this->Issue(this->app_));
  exchange.resource = std::string(kOtherResource);
  const TokenOutcome out = this->service().ExchangeCode(this->app_, exchange);
  EXPECT_EQ(ErrorOf(out), "invalid_target");
  EXPECT_EQ(out.error.status, 400);
  CodeExchange same = this->ExchangeOf(this->Issue(this->app_));
  same.resource = std::string(kResource);
  EXPECT_EQ(ErrorOf(this->service().ExchangeCode(this->app_, same)), "ok");
}

TYPED_TEST(TokenServiceTest, ADisabledUserGetsNoTokens) {
  const IssuedTokens tokens = this->Login(this->app_);
  const IssuedCode code = this->Issue(this->app_);
  ASSERT_TRUE(this->store().SetUserDisabled("u-alice", true));
  EXPECT_EQ(ErrorOf(this->service().ExchangeCode(this->app_, this->ExchangeOf(code))),
            "invalid_grant");
  EXPECT_EQ(ErrorOf(this->service().Refresh(this->app_, this->RefreshOf(tokens))), "invalid_grant");
  // Nothing was rotated: re-enabled, the same refresh token works.
  ASSERT_TRUE(this->store().SetUserDisabled("u-alice", false));
  this->clock_.Advance(this->config_.refresh_grace + 1s);
  this->MustRefresh(this->app_, this->RefreshOf(tokens));
}

// ---- Refresh -----------------------------------------------------------------------------

TYPED_TEST(TokenServiceTest, RefreshRotatesAndIssuesAFreshAccessToken) {
  const IssuedTokens first = this->Login(this->app_);
  this->clock_.Advance(10min);
  const IssuedTokens second = this->MustRefresh(this->app_, this->RefreshOf(first));
  EXPECT_EQ(second.grant_id, first.grant_id);
  EXPECT_EQ(second.scopes, kScopes);
  EXPECT_EQ(second.expires_in, 3600);
  ASSERT_TRUE(second.refresh_token);
  EXPECT_NE(second.refresh_token->Reveal(), first.refresh_token->Reveal());

  auto jwt = this->VerifyAsResourceServer(second.access_token);
  ASSERT_TRUE(jwt) << jwt.error().message();
  EXPECT_EQ(jwt->Subject(), "u-alice");
  EXPECT_EQ(jwt->ClientId(), "app");
  EXPECT_EQ(jwt->Scope(), "mcp:tools mcp:read");
  EXPECT_EQ(jwt->IssuedAt(), this->NowSeconds());
  EXPECT_EQ(jwt->ExpiresAt(), this->NowSeconds() + 3600);
  EXPECT_EQ(jwt->StringClaim("grant_id"), first.grant_id);
  EXPECT_EQ(jwt->StringClaim("preferred_username"), "alice");

  EXPECT_EQ(this->store().GetGrant(first.grant_id)->last_used_at, this->clock_.Now());
  auto successor = this->store().GetRefreshToken(core::TokenHash(second.refresh_token->Reveal()));
  ASSERT_TRUE(successor);
  EXPECT_EQ(successor->parent_hash, core::TokenHash(first.refresh_token->Reveal()));
  EXPECT_EQ(successor->expires_at, this->clock_.Now() + this->config_.refresh_token_lifetime);

  const auto refreshed = this->Events("token.refreshed");
  ASSERT_EQ(refreshed.size(), 1u);
  EXPECT_EQ(refreshed[0].grant_id, first.grant_id);
  EXPECT_FALSE(Parse(refreshed[0].detail_json).at("via_grace").as_bool());

  // The successor rotates in turn.
  this->clock_.Advance(1h);
  this->MustRefresh(this->app_, this->RefreshOf(second));
  EXPECT_FALSE(this->IsRevoked(first.grant_id));
}

TYPED_TEST(TokenServiceTest, AReplayOutsideTheGraceRevokesTheGrant) {
  const IssuedTokens first = this->Login(this->app_);
  const IssuedTokens second = this->MustRefresh(this->app_, this->RefreshOf(first));
  this->clock_.Advance(this->config_.refresh_grace);  // the window is [used_at, used_at + grace)
  EXPECT_EQ(ErrorOf(this->service().Refresh(this->app_, this->RefreshOf(first))), "invalid_grant");
  EXPECT_TRUE(this->IsRevoked(first.grant_id));
  // The whole lineage is dead, the honest successor and the access tokens included.
  EXPECT_EQ(ErrorOf(this->service().Refresh(this->app_, this->RefreshOf(second))), "invalid_grant");
  EXPECT_FALSE(this->IsActive(this->rs_, second.access_token.Reveal()));
  const auto replays = this->Events("refresh.replay_detected");
  ASSERT_EQ(replays.size(), 1u);
  EXPECT_EQ(replays[0].grant_id, first.grant_id);
  EXPECT_EQ(replays[0].client_id, "app");
}

TYPED_TEST(TokenServiceTest, WithinTheGraceThePredecessorStillRefreshes) {
  const IssuedTokens first = this->Login(this->app_);
  const IssuedTokens a = this->MustRefresh(this->app_, this->RefreshOf(first));
  this->clock_.Advance(this->config_.refresh_grace - 1s);
  const IssuedTokens b = this->MustRefresh(this->app_, this->RefreshOf(first));
  EXPECT_NE(a.refresh_token->Reveal(), b.refresh_token->Reveal());
  EXPECT_FALSE(this->IsRevoked(first.grant_id));
  EXPECT_TRUE(Parse(this->Events("token.refreshed").back().detail_json).at("via_grace").as_bool());
  // Whichever sibling the client kept works.
  this->MustRefresh(this->app_, this->RefreshOf(b));
  EXPECT_FALSE(this->IsRevoked(first.grant_id));
}

TYPED_TEST(TokenServiceTest, RefreshErrorsAreInvalidGrant) {
  const IssuedTokens tokens = this->Login(this->app_);
  // Unknown.
  EXPECT_EQ(
      ErrorOf(this->service().Refresh(
          this->app_, this->RefreshOf(core::GenerateToken(OpenSslRandom::Instance()).Reveal()))),
      "invalid_grant");
  EXPECT_EQ(ErrorOf(this->service().Refresh(this->app_, this->RefreshOf(""))), "invalid_grant");
  // Another client's: refused, and nothing changes for the owner.
  EXPECT_EQ(ErrorOf(this->service().Refresh(this->other_, this->RefreshOf(tokens))),
            "invalid_grant");
  EXPECT_FALSE(this->IsRevoked(tokens.grant_id));
  EXPECT_TRUE(
      this->store().GetRefreshToken(core::TokenHash(tokens.refresh_token->Reveal()))->used_at ==
      std::nullopt);
  // Expired: refused without revoking anything.
  const IssuedTokens old = this->Login(this->app_);
  this->clock_.Advance(this->config_.refresh_token_lifetime);
  EXPECT_EQ(ErrorOf(this->service().Refresh(this->app_, this->RefreshOf(old))), "invalid_grant");
  EXPECT_FALSE(this->IsRevoked(old.grant_id));
  // Revoked.
  const IssuedTokens revoked = this->Login(this->app_);
  ASSERT_TRUE(this->store().RevokeGrant(revoked.grant_id, this->clock_.Now()));
  EXPECT_EQ(ErrorOf(this->service().Refresh(this->app_, this->RefreshOf(revoked))),
            "invalid_grant");
  EXPECT_TRUE(this->Events("token.refreshed").empty());
  EXPECT_TRUE(this->Events("refresh.replay_detected").empty());
}

TYPED_TEST(TokenServiceTest, ARefreshMayNarrowTheScope) {
  const IssuedTokens first = this->Login(this->app_);
  RefreshRequest narrower = this->RefreshOf(first);
  narrower.scopes = std::vector<std::string>{"mcp:read"};
  const IssuedTokens second = this->MustRefresh(this->app_, narrower);
  EXPECT_EQ(second.scopes, std::vector<std::string>{"mcp:read"});
  EXPECT_EQ(this->VerifyAsResourceServer(second.access_token)->Scope(), "mcp:read");
  EXPECT_EQ(Str(Parse(TokenResponseJson(second)).at("scope")), "mcp:read");
  // The grant keeps its scopes: without `scope`, the next refresh gets all of them again.
  const IssuedTokens third = this->MustRefresh(this->app_, this->RefreshOf(second));
  EXPECT_EQ(third.scopes, kScopes);
  EXPECT_EQ(this->VerifyAsResourceServer(third.access_token)->Scope(), "mcp:tools mcp:read");
}

TYPED_TEST(TokenServiceTest, AWiderScopeIsInvalidScopeAndRotatesNothing) {
  const IssuedTokens tokens = this->Login(this->app_);
  RefreshRequest wider = this->RefreshOf(tokens);
  wider.scopes = std::vector<std::string>{"mcp:tools", "admin"};
  const TokenOutcome out = this->service().Refresh(this->app_, wider);
  EXPECT_EQ(ErrorOf(out), "invalid_scope");
  EXPECT_EQ(out.error.status, 400);
  // Not rotated: after the grace window the same token is still live, not a replay.
  this->clock_.Advance(this->config_.refresh_grace + 1s);
  this->MustRefresh(this->app_, this->RefreshOf(tokens));
  EXPECT_FALSE(this->IsRevoked(tokens.grant_id));
}

TYPED_TEST(TokenServiceTest, ARefreshForAnotherResourceIsInvalidTarget) {
  const IssuedTokens tokens = this->Login(this->app_);
  RefreshRequest other = this->RefreshOf(tokens);
  other.resource = std::string(kOtherResource);
  EXPECT_EQ(ErrorOf(this->service().Refresh(this->app_, other)), "invalid_target");
  this->clock_.Advance(this->config_.refresh_grace + 1s);
  RefreshRequest same = this->RefreshOf(tokens);
  same.resource = std::string(kResource);
  this->MustRefresh(this->app_, same);
  EXPECT_FALSE(this->IsRevoked(tokens.grant_id));
}

// docs/store.md's grace rule, under load. What it guarantees here: the clock does not move, so
// all 50 presentations of the same token fall within `refresh_grace` of its rotation, and none
// of its successors is rotated meanwhile (every thread presents the original). So EVERY
// presentation succeeds — exactly one rotates the token and the other 49 get sibling successors
// through the grace rule — every successor is live, and the grant is not revoked. What it does
// not forgive: once the window has passed, presenting the original again is a replay and
// revokes the grant.
TYPED_TEST(TokenServiceTest, FiftyConcurrentRefreshesOfOneTokenAllSucceedAndKeepTheGrant) {
  constexpr int kThreads = 50;
  const IssuedTokens first = this->Login(this->app_);
  const RefreshRequest request = this->RefreshOf(first);
  std::latch start(kThreads);
  std::vector<TokenOutcome> outcomes(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      outcomes[i] = this->service().Refresh(this->app_, request);
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  std::set<std::string> successors;
  for (const TokenOutcome& out : outcomes) {
    ASSERT_TRUE(out.tokens) << out.error.error << ": " << out.error.description;
    ASSERT_TRUE(out.tokens->refresh_token);
    successors.insert(std::string(out.tokens->refresh_token->Reveal()));
    EXPECT_TRUE(this->VerifyAsResourceServer(out.tokens->access_token));
  }
  EXPECT_EQ(successors.size(), static_cast<size_t>(kThreads));
  EXPECT_FALSE(this->IsRevoked(first.grant_id));
  int via_grace = 0;
  for (const auto& event : this->Events("token.refreshed")) {
    via_grace += Parse(event.detail_json).at("via_grace").as_bool() ? 1 : 0;
  }
  EXPECT_EQ(via_grace, kThreads - 1);
  for (const std::string& token : successors) {
    auto row = this->store().GetRefreshToken(core::TokenHash(token));
    ASSERT_TRUE(row);
    EXPECT_FALSE(row->used_at || row->superseded_at);
  }

  this->clock_.Advance(this->config_.refresh_grace);
  EXPECT_EQ(ErrorOf(this->service().Refresh(this->app_, request)), "invalid_grant");
  EXPECT_TRUE(this->IsRevoked(first.grant_id));
  EXPECT_EQ(ErrorOf(this->service().Refresh(this->app_, this->RefreshOf(*successors.begin()))),
            "invalid_grant");
  EXPECT_EQ(this->Events("refresh.replay_detected").size(), 1u);
}

// ---- Revoke ------------------------------------------------------------------------------

TYPED_TEST(TokenServiceTest, RevokingARefreshTokenRevokesItsGrant) {
  const IssuedTokens tokens = this->Login(this->app_);
  const IssuedTokens unrelated = this->Login(this->app_);
  EXPECT_FALSE(
      this->service().Revoke(this->app_, tokens.refresh_token->Reveal(), "refresh_token", kIp));
  EXPECT_TRUE(this->IsRevoked(tokens.grant_id));
  EXPECT_FALSE(this->IsRevoked(unrelated.grant_id));
  EXPECT_EQ(ErrorOf(this->service().Refresh(this->app_, this->RefreshOf(tokens))), "invalid_grant");
  EXPECT_FALSE(this->IsActive(this->rs_, tokens.access_token.Reveal()));
  auto revoked = this->store().ListRevokedGrantsSince(this->clock_.Now());
  ASSERT_EQ(revoked->size(), 1u);  // what the resource servers' revoked-grant set learns
  EXPECT_EQ(revoked->at(0).grant_id, tokens.grant_id);
  const auto events = this->Events("grant.revoked");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].grant_id, tokens.grant_id);
  EXPECT_EQ(Str(Parse(events[0].detail_json).at("by")), "client");
  // Revoking again is still a success and writes nothing new.
  EXPECT_FALSE(this->service().Revoke(this->app_, tokens.refresh_token->Reveal(), "", kIp));
  EXPECT_EQ(this->Events("grant.revoked").size(), 1u);
}

TYPED_TEST(TokenServiceTest, RevokingAnAccessTokenRevokesItsGrant) {
  const IssuedTokens tokens = this->Login(this->app_);
  // The hint is only a hint (RFC 7009 §2.1): a wrong one still finds the token.
  EXPECT_FALSE(
      this->service().Revoke(this->app_, tokens.access_token.Reveal(), "refresh_token", kIp));
  EXPECT_TRUE(this->IsRevoked(tokens.grant_id));
  EXPECT_EQ(ErrorOf(this->service().Refresh(this->app_, this->RefreshOf(tokens))), "invalid_grant");
  EXPECT_EQ(Str(Parse(this->Events("grant.revoked").at(0).detail_json).at("token_type")),
            "access_token");
}

TYPED_TEST(TokenServiceTest, RevokingAnUnknownTokenSucceedsAndChangesNothing) {
  const IssuedTokens tokens = this->Login(this->app_);
  // An access token from another authorization server that uses the same issuer name but its
  // own keys: well-formed, validly signed, and not ours.
  std::unique_ptr<store::Store> stranger_store = store::OpenMemoryStore();
  SigningKeyManager foreign(*stranger_store, this->clock_);
  ASSERT_TRUE(foreign.EnsureActiveKey());
  TokenService stranger(this->config_, *stranger_store, foreign, this->clock_,
                        OpenSslRandom::Instance());
  ASSERT_TRUE(stranger_store->CreateUser(
      {.id = "u-alice", .username = "alice", .password_hash = "x", .created_at = {}}));
  ASSERT_TRUE(stranger_store->CreateClient(this->app_));
  auto code = stranger.IssueCode(this->CodeRequest(this->app_));
  ASSERT_TRUE(code);
  const TokenOutcome foreign_tokens = stranger.ExchangeCode(this->app_, this->ExchangeOf(*code));
  ASSERT_TRUE(foreign_tokens.tokens);

  for (const std::string& token :
       {std::string(core::GenerateToken(OpenSslRandom::Instance()).Reveal()), std::string("a.b.c"),
        std::string(), std::string(foreign_tokens.tokens->access_token.Reveal())}) {
    for (std::string_view hint : {"", "access_token", "refresh_token"}) {
      EXPECT_FALSE(this->service().Revoke(this->app_, token, hint, kIp)) << token;
    }
  }
  EXPECT_FALSE(this->IsRevoked(tokens.grant_id));
  EXPECT_TRUE(this->Events("grant.revoked").empty());
}

TYPED_TEST(TokenServiceTest, RevokingAnotherClientsTokenSucceedsButRevokesNothing) {
  const IssuedTokens tokens = this->Login(this->app_);
  EXPECT_FALSE(this->service().Revoke(this->other_, tokens.refresh_token->Reveal(), "", kIp));
  EXPECT_FALSE(this->service().Revoke(this->other_, tokens.access_token.Reveal(), "", kIp));
  EXPECT_FALSE(this->service().Revoke(this->rs_, tokens.access_token.Reveal(), "", kIp));
  EXPECT_FALSE(this->IsRevoked(tokens.grant_id));
  EXPECT_TRUE(this->Events("grant.revoked").empty());
  this->MustRefresh(this->app_, this->RefreshOf(tokens));
}

TYPED_TEST(TokenServiceTest, AnUnknownTokenTypeHintIsUnsupportedTokenType) {
  const IssuedTokens tokens = this->Login(this->app_);
  for (std::string_view hint : {"id_token", "Refresh_Token", "access_token "}) {
    auto error = this->service().Revoke(this->app_, tokens.refresh_token->Reveal(), hint, kIp);
    ASSERT_TRUE(error) << hint;
    EXPECT_EQ(error->error, "unsupported_token_type");
    EXPECT_EQ(error->status, 400);
  }
  EXPECT_FALSE(this->IsRevoked(tokens.grant_id));
}

// ---- Introspect --------------------------------------------------------------------------

TYPED_TEST(TokenServiceTest, TheOwnerAndResourceServersSeeAnActiveAccessToken) {
  const IssuedTokens tokens = this->Login(this->web_);
  auto jwt = this->VerifyAsResourceServer(tokens.access_token);
  ASSERT_TRUE(jwt);
  for (const store::Client* caller : {&this->web_, &this->rs_}) {
    const boost::json::object body =
        Parse(this->service().Introspect(*caller, tokens.access_token.Reveal()));
    EXPECT_TRUE(body.at("active").as_bool());
    EXPECT_EQ(Str(body.at("scope")), "mcp:tools mcp:read");
    EXPECT_EQ(Str(body.at("client_id")), "web");
    EXPECT_EQ(Str(body.at("username")), "alice");
    EXPECT_EQ(Str(body.at("token_type")), "Bearer");
    EXPECT_EQ(body.at("exp").as_int64(), jwt->ExpiresAt());
    EXPECT_EQ(body.at("iat").as_int64(), *jwt->IssuedAt());
    EXPECT_EQ(Str(body.at("sub")), "u-alice");
    EXPECT_EQ(Str(body.at("aud")), kResource);
    EXPECT_EQ(Str(body.at("iss")), kIssuer);
    EXPECT_EQ(Str(body.at("jti")), jwt->JwtId());
  }
  const boost::json::object refresh =
      Parse(this->service().Introspect(this->web_, tokens.refresh_token->Reveal()));
  EXPECT_TRUE(refresh.at("active").as_bool());
  EXPECT_EQ(Str(refresh.at("client_id")), "web");
  EXPECT_EQ(Str(refresh.at("sub")), "u-alice");
  EXPECT_EQ(refresh.at("exp").as_int64(),
            this->NowSeconds() + this->config_.refresh_token_lifetime.count());
  EXPECT_TRUE(this->IsActive(this->rs_, tokens.refresh_token->Reveal()));
}

TYPED_TEST(TokenServiceTest, IntrospectionIsInactiveForEveryoneElseAndForDeadTokens) {
  const IssuedTokens tokens = this->Login(this->web_);
  const std::string access(tokens.access_token.Reveal());
  const std::string refresh(tokens.refresh_token->Reveal());
  // Another confidential client that is no resource server; a public client, which cannot
  // authenticate, even its own tokens (app's).
  EXPECT_FALSE(this->IsActive(this->peer_, access));
  EXPECT_FALSE(this->IsActive(this->peer_, refresh));
  const IssuedTokens public_tokens = this->Login(this->app_);
  EXPECT_FALSE(this->IsActive(this->app_, public_tokens.access_token.Reveal()));
  EXPECT_TRUE(this->IsActive(this->rs_, public_tokens.access_token.Reveal()));
  // Garbage says exactly {"active":false} (RFC 7662 §2.2).
  for (std::string_view garbage : {"", "a.b.c", "not-a-token"}) {
    EXPECT_EQ(this->service().Introspect(this->rs_, garbage), R"({"active":false})");
  }
  // Rotated: spent.
  const IssuedTokens rotated = this->Login(this->web_);
  this->MustRefresh(this->web_, this->RefreshOf(rotated));
  EXPECT_FALSE(this->IsActive(this->web_, rotated.refresh_token->Reveal()));
  EXPECT_TRUE(this->IsActive(this->web_, rotated.access_token.Reveal()));
  // Expired access token; the refresh token lives on.
  this->clock_.Advance(this->config_.access_token_lifetime);
  EXPECT_FALSE(this->IsActive(this->web_, access));
  EXPECT_FALSE(this->IsActive(this->rs_, access));
  EXPECT_TRUE(this->IsActive(this->web_, refresh));
  // Revoked grant.
  ASSERT_TRUE(this->store().RevokeGrant(tokens.grant_id, this->clock_.Now()));
  EXPECT_FALSE(this->IsActive(this->web_, refresh));
  EXPECT_EQ(this->service().Introspect(this->rs_, refresh), R"({"active":false})");
}

TYPED_TEST(TokenServiceTest, IntrospectionSeesARevokedGrantsAccessTokenInactive) {
  const IssuedTokens tokens = this->Login(this->web_);
  ASSERT_TRUE(this->IsActive(this->web_, tokens.access_token.Reveal()));
  ASSERT_TRUE(this->store().RevokeGrant(tokens.grant_id, this->clock_.Now()));
  EXPECT_FALSE(this->IsActive(this->web_, tokens.access_token.Reveal()));
  EXPECT_FALSE(this->IsActive(this->rs_, tokens.access_token.Reveal()));
}

TYPED_TEST(TokenServiceTest, ARememberedAccessTokenEndsWithItsKeysPublication) {
  // Introspection remembers a verified token until its exp; a key that leaves the JWKS before
  // then (retired keys published for 10 minutes here, tokens living an hour) ends its tokens at
  // once, remembered or not. Revocation by that token is then a no-op like any unknown token.
  this->service_.reset();
  this->keys_ = std::make_unique<SigningKeyManager>(
      *this->store_, this->clock_, SigningKeyOptions{.retired_key_lifetime = 10min});
  ASSERT_TRUE(this->keys_->EnsureActiveKey());
  this->service_ = std::make_unique<TokenService>(this->config_, *this->store_, *this->keys_,
                                                  this->clock_, OpenSslRandom::Instance());
  const IssuedTokens tokens = this->Login(this->web_);
  const std::string access(tokens.access_token.Reveal());
  ASSERT_TRUE(this->IsActive(this->rs_, access));
  ASSERT_TRUE(this->keys_->Rotate());
  this->clock_.Advance(5min);
  EXPECT_TRUE(this->IsActive(this->rs_, access));  // retired, still published
  this->clock_.Advance(6min);
  EXPECT_FALSE(this->IsActive(this->rs_, access));
  EXPECT_FALSE(this->IsActive(this->web_, access));
  EXPECT_FALSE(this->service().Revoke(this->web_, access, "access_token", kIp));
  EXPECT_FALSE(this->IsRevoked(tokens.grant_id));
}

// ---- Disconnect --------------------------------------------------------------------------

TYPED_TEST(TokenServiceTest, DisconnectRevokesEveryGrantOfUserAndClientAndForgetsConsent) {
  const IssuedTokens first = this->Login(this->app_);
  const IssuedTokens second = this->Login(this->app_, {"mcp:read"});
  const IssuedTokens other_client = this->Login(this->other_);
  const IssuedTokens other_user = this->Login(this->app_, kScopes, "u-bob");
  for (const auto& [user, client] :
       {std::pair{"u-alice", "app"}, std::pair{"u-alice", "other"}, std::pair{"u-bob", "app"}}) {
    ASSERT_TRUE(this->store().PutConsent(
        {.user_id = user, .client_id = client, .scopes = kScopes, .granted_at = {}}));
  }
  auto count = this->service().Disconnect("u-alice", "app", kIp);
  ASSERT_TRUE(count) << count.error().message();
  EXPECT_EQ(*count, 2);
  EXPECT_TRUE(this->IsRevoked(first.grant_id));
  EXPECT_TRUE(this->IsRevoked(second.grant_id));
  EXPECT_FALSE(this->IsRevoked(other_client.grant_id));
  EXPECT_FALSE(this->IsRevoked(other_user.grant_id));
  EXPECT_EQ(this->store().GetConsent("u-alice", "app").error(), store::Errc::kNotFound);
  EXPECT_TRUE(this->store().GetConsent("u-alice", "other"));
  EXPECT_TRUE(this->store().GetConsent("u-bob", "app"));
  EXPECT_EQ(ErrorOf(this->service().Refresh(this->app_, this->RefreshOf(first))), "invalid_grant");

  std::set<std::string> audited;
  for (const auto& event : this->Events("grant.revoked")) {
    EXPECT_EQ(event.detail_json, R"({"by":"user"})");
    EXPECT_EQ(event.subject, "u-alice");
    EXPECT_EQ(event.client_id, "app");
    EXPECT_EQ(event.ip, kIp);
    audited.insert(event.grant_id);
  }
  EXPECT_EQ(audited, (std::set<std::string>{first.grant_id, second.grant_id}));

  // Again: nothing left to revoke, no consent to delete, still fine.
  auto again = this->service().Disconnect("u-alice", "app", kIp);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 0);
  EXPECT_EQ(this->Events("grant.revoked").size(), 2u);
}

// ---- audit -------------------------------------------------------------------------------

TYPED_TEST(TokenServiceTest, TheAuditLogHoldsNoTokenCodeOrSecret) {
  std::vector<std::string> secrets;
  const IssuedCode code = this->Issue(this->app_);
  secrets.emplace_back(code.code.Reveal());
  secrets.emplace_back(kVerifier);
  const IssuedTokens first = this->MustExchange(this->app_, this->ExchangeOf(code));
  this->service().ExchangeCode(this->app_, this->ExchangeOf(code));  // a replay
  const IssuedTokens live = this->Login(this->web_);
  const IssuedTokens second = this->MustRefresh(this->web_, this->RefreshOf(live));
  this->clock_.Advance(1h);
  this->service().Refresh(this->web_, this->RefreshOf(live));  // a replay
  const IssuedTokens third = this->Login(this->web_);
  this->service().Revoke(this->web_, third.access_token.Reveal(), "", kIp);
  this->service().Disconnect("u-alice", "noref", kIp);
  for (const IssuedTokens* tokens : {&first, &live, &second, &third}) {
    secrets.emplace_back(tokens->access_token.Reveal());
    secrets.emplace_back(tokens->refresh_token->Reveal());
    // Nor a JWT's signature, from which the token could be put together again with its claims.
    const std::string_view jwt = tokens->access_token.Reveal();
    secrets.emplace_back(jwt.substr(jwt.rfind('.') + 1));
  }
  const auto events = this->store().ListAudit({.limit = 10000}).value();
  std::set<std::string> types;
  for (const auto& event : events) {
    types.insert(event.type);
    for (const std::string* field : {&event.type, &event.subject, &event.client_id, &event.grant_id,
                                     &event.ip, &event.detail_json}) {
      for (const std::string& secret : secrets) {
        EXPECT_EQ(field->find(secret), std::string::npos) << event.type << ": " << *field;
      }
    }
  }
  EXPECT_EQ(types,
            (std::set<std::string>{"grant.created", "token.issued", "code.replayed",
                                   "token.refreshed", "refresh.replay_detected", "grant.revoked"}));
}

// ---- store failures ----------------------------------------------------------------------

// A memory store whose grant operations can be made to fail, for the 503/500 mapping.
class FailingStore final : public store::Store {
 public:
  std::optional<store::Errc> fail;  // returned by ConsumeCode, RotateRefreshToken, RevokeGrant(s)

  std::string_view Backend() const override { return "failing"; }
  Status CreateUser(const store::User& u) override { return s_->CreateUser(u); }
  Result<store::User> GetUser(std::string_view id) override { return s_->GetUser(id); }
  Result<store::User> FindUserByUsername(std::string_view n) override {
    return s_->FindUserByUsername(n);
  }
  Result<std::vector<store::User>> ListUsers() override { return s_->ListUsers(); }
  Status SetPasswordHash(std::string_view id, std::string_view h) override {
    return s_->SetPasswordHash(id, h);
  }
  Status SetUserDisabled(std::string_view id, bool d) override {
    return s_->SetUserDisabled(id, d);
  }
  Result<store::User> RecordLoginFailure(std::string_view id, store::TimePoint now,
                                         const store::LockoutPolicy& p) override {
    return s_->RecordLoginFailure(id, now, p);
  }
  Status RecordLoginSuccess(std::string_view id) override { return s_->RecordLoginSuccess(id); }
  Status DeleteUser(std::string_view id, store::TimePoint now) override {
    return s_->DeleteUser(id, now);
  }
  Status CreateClient(const store::Client& c) override { return s_->CreateClient(c); }
  Status PutClient(const store::Client& c) override { return s_->PutClient(c); }
  Result<store::Client> GetClient(std::string_view id) override { return s_->GetClient(id); }
  Result<std::vector<store::Client>> ListClients() override { return s_->ListClients(); }
  Status DeleteClient(std::string_view id, store::TimePoint now) override {
    return s_->DeleteClient(id, now);
  }
  Status CreateGrant(const store::Grant& g) override { return s_->CreateGrant(g); }
  Result<store::Grant> GetGrant(std::string_view id) override { return s_->GetGrant(id); }
  Result<std::vector<store::Grant>> ListGrants(const store::GrantFilter& f, bool r) override {
    return s_->ListGrants(f, r);
  }
  Status RevokeGrant(std::string_view id, store::TimePoint now) override {
    return fail ? Status(*fail) : s_->RevokeGrant(id, now);
  }
  Result<int64_t> RevokeGrants(const store::GrantFilter& f, store::TimePoint now) override {
    return fail ? Result<int64_t>(*fail) : s_->RevokeGrants(f, now);
  }
  Result<std::vector<store::RevokedGrant>> ListRevokedGrantsSince(store::TimePoint t) override {
    return s_->ListRevokedGrantsSince(t);
  }
  Status CreateCode(const store::AuthorizationCode& c) override { return s_->CreateCode(c); }
  Result<store::ConsumedCode> ConsumeCode(std::string_view h, store::TimePoint now) override {
    return fail ? Result<store::ConsumedCode>(*fail) : s_->ConsumeCode(h, now);
  }
  Result<store::AuthorizationCode> GetCode(std::string_view h) override { return s_->GetCode(h); }
  Status CreateRefreshToken(const store::RefreshToken& t) override {
    return s_->CreateRefreshToken(t);
  }
  Result<store::RefreshToken> GetRefreshToken(std::string_view h) override {
    return s_->GetRefreshToken(h);
  }
  Result<store::RefreshTokenContext> GetRefreshTokenContext(std::string_view h) override {
    return s_->GetRefreshTokenContext(h);
  }
  Result<store::RotatedRefresh> RotateRefreshToken(const store::RefreshRotation& r) override {
    return fail ? Result<store::RotatedRefresh>(*fail) : s_->RotateRefreshToken(r);
  }
  Result<store::PurgeCounts> PurgeExpired(store::TimePoint now, store::TimePoint before) override {
    return s_->PurgeExpired(now, before);
  }
  Status CreateSigningKey(const store::SigningKey& k) override { return s_->CreateSigningKey(k); }
  Result<store::SigningKey> GetSigningKey(std::string_view kid) override {
    return s_->GetSigningKey(kid);
  }
  Result<store::SigningKey> GetActiveSigningKey() override { return s_->GetActiveSigningKey(); }
  Result<std::vector<store::SigningKey>> ListSigningKeys() override {
    return s_->ListSigningKeys();
  }
  Status ActivateSigningKey(std::string_view kid, store::TimePoint now) override {
    return s_->ActivateSigningKey(kid, now);
  }
  Status DeleteSigningKey(std::string_view kid) override { return s_->DeleteSigningKey(kid); }
  Status PutConsent(const store::Consent& c) override { return s_->PutConsent(c); }
  Result<store::Consent> GetConsent(std::string_view u, std::string_view c) override {
    return s_->GetConsent(u, c);
  }
  Result<std::vector<store::Consent>> ListConsents(std::string_view u) override {
    return s_->ListConsents(u);
  }
  Status DeleteConsent(std::string_view u, std::string_view c) override {
    return s_->DeleteConsent(u, c);
  }
  Status CreateMcpSession(const store::McpSession& m) override { return s_->CreateMcpSession(m); }
  Result<store::McpSession> GetMcpSession(std::string_view h, store::TimePoint now) override {
    return s_->GetMcpSession(h, now);
  }
  Status TouchMcpSession(std::string_view h, store::TimePoint e, store::TimePoint now) override {
    return s_->TouchMcpSession(h, e, now);
  }
  Status DeleteMcpSession(std::string_view h) override { return s_->DeleteMcpSession(h); }
  Result<int64_t> PurgeExpiredMcpSessions(store::TimePoint now) override {
    return s_->PurgeExpiredMcpSessions(now);
  }
  Result<int64_t> AppendAudit(const store::AuditEvent& e) override { return s_->AppendAudit(e); }
  Result<std::vector<store::AuditEvent>> ListAudit(const store::AuditQuery& q) override {
    return s_->ListAudit(q);
  }

 private:
  std::unique_ptr<store::Store> s_ = store::OpenMemoryStore();
};

TEST(TokenServiceStoreFailureTest, AnOutageIs503AndAnythingElse500) {
  const AuthorizationServerConfig config = Config();
  testing::FakeClock clock(kStart);
  FailingStore store;
  SigningKeyManager keys(store, clock);
  ASSERT_TRUE(keys.EnsureActiveKey());
  TokenService service(config, store, keys, clock, OpenSslRandom::Instance());
  const store::Client app = MakeClient("app", false);
  ASSERT_TRUE(store.CreateClient(app));
  ASSERT_TRUE(store.CreateUser(
      {.id = "u-alice", .username = "alice", .password_hash = "x", .created_at = {}}));
  auto issue = [&] {
    return service
        .IssueCode({.user_id = "u-alice",
                    .client_id = "app",
                    .redirect_uri = std::string(kRedirect),
                    .code_challenge = std::string(kChallenge),
                    .scopes = kScopes,
                    .resource = std::string(kResource)})
        .value();
  };
  auto exchange = [&](const IssuedCode& code) {
    return service.ExchangeCode(
        app, {.code = std::string(code.code.Reveal()), .code_verifier = std::string(kVerifier)});
  };
  const TokenOutcome good = exchange(issue());
  ASSERT_TRUE(good.tokens);
  const RefreshRequest refresh{.refresh_token = std::string(good.tokens->refresh_token->Reveal())};

  for (const auto& [errc, error, status] :
       {std::tuple{store::Errc::kUnavailable, "temporarily_unavailable", 503},
        std::tuple{store::Errc::kInternal, "server_error", 500},
        std::tuple{store::Errc::kCorrupt, "server_error", 500}}) {
    store.fail = errc;
    const TokenOutcome exchanged = exchange(issue());
    EXPECT_EQ(exchanged.error.error, error);
    EXPECT_EQ(exchanged.error.status, status);
    const TokenOutcome refreshed = service.Refresh(app, refresh);
    EXPECT_EQ(refreshed.error.error, error);
    EXPECT_EQ(refreshed.error.status, status);
    const auto revoked = service.Revoke(app, refresh.refresh_token, "", "");
    ASSERT_TRUE(revoked);
    EXPECT_EQ(revoked->error, error);
    EXPECT_EQ(revoked->status, status);
    auto disconnected = service.Disconnect("u-alice", "app", "");
    ASSERT_FALSE(disconnected);
    EXPECT_EQ(disconnected.error(), errc);
  }
  // When the store recovers, the refresh token the failures did not touch still works.
  store.fail.reset();
  EXPECT_TRUE(service.Refresh(app, refresh).tokens);
}

// ---- free functions ----------------------------------------------------------------------

TEST(IsResourceServerClientTest, NeedsAConfidentialClientFlaggedInItsMetadata) {
  store::Client client = MakeClient("rs", true);
  client.metadata_json = R"({"mcpauth_resource_server":true})";
  EXPECT_TRUE(IsResourceServerClient(client));
  for (const char* metadata :
       {R"({})", R"({"mcpauth_resource_server":false})", R"({"mcpauth_resource_server":"true"})",
        R"({"mcpauth_resource_server":1})", "[]", "not json"}) {
    client.metadata_json = metadata;
    EXPECT_FALSE(IsResourceServerClient(client)) << metadata;
  }
  store::Client public_client = MakeClient("pub", false);
  public_client.metadata_json = R"({"mcpauth_resource_server":true})";
  EXPECT_FALSE(IsResourceServerClient(public_client));
}

TEST(TokenResponseJsonTest, LeavesOutAnEmptyScopeAndAnAbsentRefreshToken) {
  const IssuedTokens tokens{.access_token = Secret("at"), .expires_in = 60};
  EXPECT_EQ(TokenResponseJson(tokens),
            R"({"access_token":"at","token_type":"Bearer","expires_in":60})");
}

}  // namespace
}  // namespace mcpauth::oauth
