#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "fakes/fake_clock.hpp"
#include "mcpauth/core/base64url.hpp"
#include "mcpauth/core/crypto.hpp"
#include "mcpauth/jose/errc.hpp"
#include "mcpauth/jose/jws.hpp"
#include "mcpauth/jose/jwt.hpp"
#include "unit/jose/jose_test_util.hpp"

namespace mcpauth::jose {
namespace {

using jose_test::B64;
using jose_test::B64Json;
using std::chrono::seconds;

constexpr int64_t kNow = 1'700'000'000;
constexpr std::string_view kIssuer = "https://as.example";
constexpr std::string_view kAudience = "https://rs.example/mcp";

template <class T>
boost::json::object With(boost::json::object o, std::string_view name, const T& v) {
  o[name] = boost::json::value_from(v);
  return o;
}

boost::json::object Without(boost::json::object o, std::string_view name) {
  o.erase(name);
  return o;
}

// Splices a token from parts, for tampering.
std::string Join(std::string_view h, std::string_view p, std::string_view s) {
  return std::string(h) + "." + std::string(p) + "." + std::string(s);
}

class JwtVerifierTest : public ::testing::Test {
 protected:
  JwtVerifierTest() : clock_(kNow), key_(jose_test::NewKey()), jwks_(std::make_shared<Jwks>()) {
    EXPECT_TRUE(jwks_->Add("k1", key_.PublicOnly().value()));
    verifier_.RequireIssuer(std::string(kIssuer))
        .RequireAudience(std::string(kAudience))
        .RequireType("at+jwt");
  }

  // An RFC 9068 §2.2 access token's claims.
  static boost::json::object Claims() {
    return {{"iss", kIssuer},
            {"sub", "alice"},
            {"aud", kAudience},
            {"client_id", "cli"},
            {"scope", "mcp:tools  mcp:read"},
            {"iat", kNow - 10},
            {"exp", kNow + 3600},
            {"jti", "id-1"},
            {"grant_id", "g-7"}};
  }
  static boost::json::object Header() {
    return {{"alg", "ES256"}, {"typ", "at+jwt"}, {"kid", "k1"}};
  }

  std::string Token(const boost::json::object& header, const boost::json::object& claims) const {
    return jose_test::SignedToken(key_, header, claims);
  }
  std::string Token(const boost::json::object& claims) const { return Token(Header(), claims); }
  std::string Token() const { return Token(Header(), Claims()); }

  // The error of verifying `token`, or kOk.
  Errc ErrorOf(std::string_view token) const { return ErrorOf(verifier_, token); }
  static Errc ErrorOf(const JwtVerifier& verifier, std::string_view token) {
    Result<VerifiedJwt> r = verifier.Verify(token);
    if (r.has_value()) {
      return Errc::kOk;
    }
    EXPECT_EQ(&r.error().category(), &JoseCategory()) << r.error().message();
    return static_cast<Errc>(r.error().value());
  }

  mcpauth::testing::FakeClock clock_;
  EcKey key_;
  std::shared_ptr<Jwks> jwks_;
  JwtVerifier verifier_{clock_, JwksResolver(jwks_)};
};

TEST_F(JwtVerifierTest, AcceptsAValidAccessTokenAndExposesItsClaims) {
  Result<VerifiedJwt> jwt = verifier_.Verify(Token());
  ASSERT_TRUE(jwt.has_value()) << jwt.error().message();
  EXPECT_EQ(jwt->KeyId(), "k1");
  EXPECT_EQ(jwt->Type(), "at+jwt");
  EXPECT_EQ(jwt->Issuer(), kIssuer);
  EXPECT_EQ(jwt->Subject(), "alice");
  EXPECT_EQ(jwt->ClientId(), "cli");
  EXPECT_EQ(jwt->JwtId(), "id-1");
  EXPECT_EQ(jwt->Scope(), "mcp:tools  mcp:read");
  EXPECT_EQ(jwt->Scopes(), (std::vector<std::string_view>{"mcp:tools", "mcp:read"}));
  EXPECT_TRUE(jwt->HasScope("mcp:read"));
  EXPECT_FALSE(jwt->HasScope("mcp"));
  EXPECT_FALSE(jwt->HasScope(""));
  EXPECT_EQ(jwt->Audiences(), (std::vector<std::string_view>{kAudience}));
  EXPECT_EQ(jwt->ExpiresAt(), kNow + 3600);
  EXPECT_EQ(jwt->IssuedAt(), kNow - 10);
  EXPECT_EQ(jwt->NotBefore(), std::nullopt);
  EXPECT_EQ(jwt->StringClaim("grant_id"), "g-7");
  EXPECT_EQ(jwt->StringClaim("exp"), std::nullopt);
  EXPECT_EQ(jwt->StringClaim("nope"), std::nullopt);
  EXPECT_EQ(jwt->claims(), Claims());
}

TEST_F(JwtVerifierTest, AcceptsWhatEncodeJwtProduces) {
  Result<std::string> token = EncodeJwt(key_, "k1", kAccessTokenType, Claims());
  ASSERT_TRUE(token.has_value());
  EXPECT_EQ(ErrorOf(*token), Errc::kOk);
}

TEST_F(JwtVerifierTest, AbsentOptionalClaimsReadEmpty) {
  JwtVerifier minimal(clock_, JwksResolver(jwks_));
  Result<VerifiedJwt> jwt = minimal.Verify(Token({{"exp", kNow + 60}}));
  ASSERT_TRUE(jwt.has_value()) << jwt.error().message();
  EXPECT_EQ(jwt->Subject(), "");
  EXPECT_TRUE(jwt->Scopes().empty());
  EXPECT_TRUE(jwt->Audiences().empty());
  EXPECT_EQ(jwt->IssuedAt(), std::nullopt);
}

// --- Tampering ------------------------------------------------------------------------------

TEST_F(JwtVerifierTest, RefusesAChangedPayloadByte) {
  const std::string token = Token();
  const CompactParts parts = SplitCompact(token).value();
  std::string payload = core::Base64UrlDecode(parts.payload).value();
  const size_t at = payload.find("alice");
  ASSERT_NE(at, std::string::npos);
  payload[at] = 'A';  // "Alice": one byte, still valid JSON
  EXPECT_EQ(ErrorOf(Join(parts.header, B64(payload), parts.signature)), Errc::kBadSignature);
  // And a different, forged claim set under the original signature.
  EXPECT_EQ(ErrorOf(Join(parts.header, B64Json(With(Claims(), "sub", "admin")), parts.signature)),
            Errc::kBadSignature);
}

TEST_F(JwtVerifierTest, RefusesAChangedHeader) {
  const std::string token = Token();
  const CompactParts parts = SplitCompact(token).value();
  // Still ES256, so it reaches the signature check, which covers the header too.
  const std::string other_header = B64Json(With(Header(), "typ", "AT+JWT"));
  EXPECT_EQ(ErrorOf(Join(other_header, parts.payload, parts.signature)), Errc::kBadSignature);
}

TEST_F(JwtVerifierTest, RefusesAlgNone) {
  const std::string token = Token();
  const CompactParts parts = SplitCompact(token).value();
  for (std::string_view alg : {"none", "None", "NONE"}) {
    const std::string header = B64Json(With(Header(), "alg", alg));
    EXPECT_EQ(ErrorOf(Join(header, parts.payload, "")), Errc::kAlgNotAllowed) << alg;
    EXPECT_EQ(ErrorOf(Join(header, parts.payload, parts.signature)), Errc::kAlgNotAllowed) << alg;
  }
}

TEST_F(JwtVerifierTest, RefusesHs256KeyedWithThePublicKey) {
  // The classic key-confusion attack: the attacker knows the public key (it is in the JWKS), signs
  // with HMAC-SHA256 using it as the secret, and hopes the verifier follows `alg`.
  const std::string header = B64Json(With(Header(), "alg", "HS256"));
  const std::string payload = B64Json(With(Claims(), "sub", "admin"));
  const std::string input = header + "." + payload;
  const std::string secrets[] = {
      boost::json::serialize(ExportPublicJwk(key_, "k1")),
      ExportPublicKeyPem(key_).value(),
      std::string(reinterpret_cast<const char*>(key_.x().data()), key_.x().size()),
  };
  for (const std::string& secret : secrets) {
    const core::Sha256Digest mac = core::HmacSha256(secret).Mac(input);
    const std::string token = Join(header, payload, core::Base64UrlEncode(mac));
    EXPECT_EQ(ErrorOf(token), Errc::kAlgNotAllowed);
  }
}

TEST_F(JwtVerifierTest, RefusesEveryAlgorithmButExactlyEs256) {
  // Validly ES256-signed, yet the header claims something else: refused on the header alone.
  for (boost::json::value alg :
       {boost::json::value("HS256"), boost::json::value("HS512"), boost::json::value("RS256"),
        boost::json::value("PS256"), boost::json::value("ES384"), boost::json::value("EdDSA"),
        boost::json::value("es256"), boost::json::value("ES256 "), boost::json::value(""),
        boost::json::value(nullptr), boost::json::value(256),
        boost::json::value(boost::json::array{"ES256"})}) {
    EXPECT_EQ(ErrorOf(Token(With(Header(), "alg", alg), Claims())), Errc::kAlgNotAllowed)
        << boost::json::serialize(alg);
  }
  EXPECT_EQ(ErrorOf(Token(Without(Header(), "alg"), Claims())), Errc::kAlgNotAllowed);
}

TEST_F(JwtVerifierTest, RefusesAChangedSignature) {
  const std::string token = Token();
  const CompactParts parts = SplitCompact(token).value();
  const std::string signature = core::Base64UrlDecode(parts.signature).value();
  for (size_t i : {size_t{0}, size_t{31}, size_t{32}, size_t{63}}) {
    std::string changed = signature;
    changed[i] ^= 0x01;
    EXPECT_EQ(ErrorOf(Join(parts.header, parts.payload, B64(changed))), Errc::kBadSignature) << i;
  }
}

TEST_F(JwtVerifierTest, RefusesTruncatedAndExtendedTokens) {
  const std::string token = Token();
  const CompactParts parts = SplitCompact(token).value();
  EXPECT_EQ(ErrorOf(""), Errc::kMalformedToken);
  EXPECT_EQ(ErrorOf(Join(parts.header, parts.payload, "").substr(0, token.find_last_of('.'))),
            Errc::kMalformedToken);
  // 86 -> 76 base64url characters: a 57-byte signature.
  EXPECT_EQ(ErrorOf(token.substr(0, token.size() - 10)), Errc::kBadSignature);
  // 86 -> 85 characters: not even base64url.
  EXPECT_EQ(ErrorOf(token.substr(0, token.size() - 1)), Errc::kBadBase64);
  EXPECT_EQ(ErrorOf(token + ".e30"), Errc::kMalformedToken);
  EXPECT_EQ(ErrorOf(token + "."), Errc::kMalformedToken);
  EXPECT_EQ(ErrorOf(Join(parts.header, parts.payload, parts.signature) + ".x.y"),
            Errc::kMalformedToken);  // five parts: a JWE, not a JWS
  EXPECT_EQ(ErrorOf(token + "AA"), Errc::kBadSignature);
}

TEST_F(JwtVerifierTest, RefusesAnEmptySignature) {
  const std::string token = Token();
  const CompactParts parts = SplitCompact(token).value();
  EXPECT_EQ(ErrorOf(Join(parts.header, parts.payload, "")), Errc::kBadSignature);
}

TEST_F(JwtVerifierTest, RefusesADerSignature) {
  const std::string token = Token();
  const CompactParts parts = SplitCompact(token).value();
  const std::string raw = core::Base64UrlDecode(parts.signature).value();
  const std::string der = jose_test::RawToDer(raw);
  EXPECT_EQ(ErrorOf(Join(parts.header, parts.payload, B64(der))), Errc::kBadSignature);
}

TEST_F(JwtVerifierTest, RefusesNonCanonicalBase64) {
  const std::string token = Token();
  const CompactParts parts = SplitCompact(token).value();
  auto replace_first = [](std::string_view s, char c) {
    std::string out(s);
    out[0] = c;
    return out;
  };
  const std::string cases[] = {
      Join(std::string(parts.header) + "==", parts.payload, parts.signature),
      Join(parts.header, std::string(parts.payload) + "=", parts.signature),
      Join(parts.header, parts.payload, std::string(parts.signature) + "=="),
      Join(parts.header, parts.payload, replace_first(parts.signature, '+')),
      Join(parts.header, parts.payload, replace_first(parts.signature, '/')),
      Join(parts.header, replace_first(parts.payload, '+'), parts.signature),
      Join(" " + std::string(parts.header), parts.payload, parts.signature),
      Join(parts.header, parts.payload, std::string(parts.signature) + "\n"),
  };
  for (const std::string& c : cases) {
    EXPECT_EQ(ErrorOf(c), Errc::kBadBase64) << c;
  }
}

TEST_F(JwtVerifierTest, RefusesASecondEncodingOfTheSameSignature) {
  // 64 bytes take 86 characters, whose last carries 4 unused bits. Setting one of them decodes to
  // the same bytes in a lax decoder; a strict one must refuse it, so a token has one spelling.
  const std::string token = Token();
  constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string altered = token;
  const size_t v = kAlphabet.find(altered.back());
  ASSERT_EQ(v & 0x0F, 0u);
  altered.back() = kAlphabet[v | 0x01];
  EXPECT_EQ(ErrorOf(altered), Errc::kBadBase64);
}

TEST_F(JwtVerifierTest, RefusesHeaderOrPayloadThatIsNotAJsonObject) {
  const std::string token = Token();
  const CompactParts parts = SplitCompact(token).value();
  for (std::string_view bad : {"[]", "\"ES256\"", "{", "{\"alg\":\"ES256\",}", "null", ""}) {
    EXPECT_EQ(ErrorOf(Join(B64(bad), parts.payload, parts.signature)),
              bad.empty() ? Errc::kMalformedToken : Errc::kBadJson)
        << bad;
    EXPECT_EQ(ErrorOf(Join(parts.header, B64(bad), parts.signature)), Errc::kBadJson) << bad;
  }
}

TEST_F(JwtVerifierTest, RefusesTokensOverTheSizeCap) {
  EXPECT_EQ(ErrorOf(Token(With(Claims(), "pad", std::string(kDefaultMaxTokenSize, 'x')))),
            Errc::kTokenTooLarge);
  EXPECT_EQ(ErrorOf(std::string(kDefaultMaxTokenSize + 1, '.')), Errc::kTokenTooLarge);
  JwtVerifier small = verifier_;
  small.MaxTokenSize(100);
  EXPECT_EQ(ErrorOf(small, Token()), Errc::kTokenTooLarge);
}

// --- Header policy --------------------------------------------------------------------------

TEST_F(JwtVerifierTest, RefusesCrit) {
  EXPECT_EQ(ErrorOf(Token(With(Header(), "crit", boost::json::array{"exp"}), Claims())),
            Errc::kCritUnsupported);
  EXPECT_EQ(ErrorOf(Token(With(Header(), "crit", boost::json::array{}), Claims())),
            Errc::kCritUnsupported);
}

TEST_F(JwtVerifierTest, RefusesMissingOrUnknownKid) {
  EXPECT_EQ(ErrorOf(Token(With(Header(), "kid", "k2"), Claims())), Errc::kUnknownKid);
  EXPECT_EQ(ErrorOf(Token(Without(Header(), "kid"), Claims())), Errc::kMissingKid);
  EXPECT_EQ(ErrorOf(Token(With(Header(), "kid", ""), Claims())), Errc::kMissingKid);
  EXPECT_EQ(ErrorOf(Token(With(Header(), "kid", 1), Claims())), Errc::kMissingKid);
  JwtVerifier no_resolver(clock_, KeyResolver());
  EXPECT_EQ(ErrorOf(no_resolver, Token()), Errc::kUnknownKid);
}

TEST_F(JwtVerifierTest, NeverTakesTheKeyFromTheToken) {
  // RFC 8725 §3.10: an attacker's token carrying its own key (jwk header) and a known kid.
  const EcKey attacker = jose_test::NewKey();
  boost::json::object header = With(Header(), "jwk", ExportPublicJwk(attacker, "k1"));
  header["jku"] = "https://attacker.example/jwks";
  EXPECT_EQ(ErrorOf(jose_test::SignedToken(attacker, header, Claims())), Errc::kBadSignature);
}

TEST_F(JwtVerifierTest, FindsTheRightKeyAmongRotatedKeys) {
  const EcKey next = jose_test::NewKey();
  auto both = std::make_shared<Jwks>(*jwks_);
  ASSERT_TRUE(both->Add("k2", next.PublicOnly().value()));
  JwtVerifier v(clock_, JwksResolver(both));
  v.RequireIssuer(std::string(kIssuer)).RequireAudience(std::string(kAudience));
  EXPECT_EQ(ErrorOf(v, Token()), Errc::kOk);
  EXPECT_EQ(ErrorOf(v, jose_test::SignedToken(next, With(Header(), "kid", "k2"), Claims())),
            Errc::kOk);
  // Signed by the new key but labelled with the old kid.
  EXPECT_EQ(ErrorOf(v, jose_test::SignedToken(next, Header(), Claims())), Errc::kBadSignature);
}

TEST_F(JwtVerifierTest, SingleKeyResolverKnowsOneKid) {
  JwtVerifier v(clock_, SingleKeyResolver("k1", key_));
  v.RequireAudience(std::string(kAudience));
  EXPECT_EQ(ErrorOf(v, Token()), Errc::kOk);
  EXPECT_EQ(ErrorOf(v, Token(With(Header(), "kid", "k0"), Claims())), Errc::kUnknownKid);
}

TEST_F(JwtVerifierTest, ChecksTypCaseInsensitivelyWithOptionalApplicationPrefix) {
  for (std::string_view typ :
       {"at+jwt", "AT+JWT", "At+Jwt", "application/at+jwt", "APPLICATION/AT+JWT"}) {
    EXPECT_EQ(ErrorOf(Token(With(Header(), "typ", typ), Claims())), Errc::kOk) << typ;
  }
  for (boost::json::value typ :
       {boost::json::value("JWT"), boost::json::value("jwt"), boost::json::value("at+jwt2"),
        boost::json::value("text/at+jwt"), boost::json::value("application/jwt"),
        boost::json::value("application/application/at+jwt"), boost::json::value("application/"),
        boost::json::value(""), boost::json::value(1)}) {
    EXPECT_EQ(ErrorOf(Token(With(Header(), "typ", typ), Claims())), Errc::kBadType)
        << boost::json::serialize(typ);
  }
  EXPECT_EQ(ErrorOf(Token(Without(Header(), "typ"), Claims())), Errc::kBadType);
  JwtVerifier prefixed = verifier_;
  prefixed.RequireType("application/AT+JWT");
  EXPECT_EQ(ErrorOf(prefixed, Token()), Errc::kOk);
}

// --- Claims ---------------------------------------------------------------------------------

TEST_F(JwtVerifierTest, ChecksIssuerExactly) {
  for (std::string_view iss : {"https://as.example/", "https://AS.example", "https://as.exampl",
                               "http://as.example", ""}) {
    EXPECT_EQ(ErrorOf(Token(With(Claims(), "iss", iss))), Errc::kBadIssuer) << iss;
  }
  EXPECT_EQ(ErrorOf(Token(Without(Claims(), "iss"))), Errc::kMissingClaim);
  EXPECT_EQ(ErrorOf(Token(With(Claims(), "iss", 1))), Errc::kBadClaimType);
}

TEST_F(JwtVerifierTest, ChecksAudienceAsStringOrArray) {
  EXPECT_EQ(ErrorOf(Token(With(Claims(), "aud", "https://other.example/mcp"))), Errc::kBadAudience);
  EXPECT_EQ(ErrorOf(Token(With(Claims(), "aud", "https://rs.example/mcp/"))), Errc::kBadAudience);
  EXPECT_EQ(ErrorOf(Token(With(Claims(), "aud", boost::json::array{"https://a", "https://b"}))),
            Errc::kBadAudience);
  EXPECT_EQ(ErrorOf(Token(With(Claims(), "aud", boost::json::array{}))), Errc::kBadAudience);
  EXPECT_EQ(ErrorOf(Token(With(Claims(), "aud", boost::json::array{"https://a", kAudience}))),
            Errc::kOk);
  EXPECT_EQ(ErrorOf(Token(Without(Claims(), "aud"))), Errc::kMissingClaim);
  EXPECT_EQ(ErrorOf(Token(With(Claims(), "aud", 5))), Errc::kBadClaimType);
  EXPECT_EQ(ErrorOf(Token(With(Claims(), "aud", boost::json::array{kAudience, 5}))),
            Errc::kBadClaimType);
  Result<VerifiedJwt> multi =
      verifier_.Verify(Token(With(Claims(), "aud", boost::json::array{"https://a", kAudience})));
  ASSERT_TRUE(multi.has_value());
  EXPECT_EQ(multi->Audiences(), (std::vector<std::string_view>{"https://a", kAudience}));
}

TEST_F(JwtVerifierTest, WithoutARequiredAudienceATokenWithAudIsRefused) {
  JwtVerifier no_audience(clock_, JwksResolver(jwks_));
  EXPECT_EQ(ErrorOf(no_audience, Token()), Errc::kBadAudience);
  EXPECT_EQ(ErrorOf(no_audience, Token(Without(Claims(), "aud"))), Errc::kOk);
}

TEST_F(JwtVerifierTest, AcceptAnyAudienceChecksOnlyTheTypeOfAud) {
  JwtVerifier issuer(clock_, JwksResolver(jwks_));
  issuer.RequireIssuer(std::string(kIssuer)).RequireType("at+jwt").AcceptAnyAudience();
  EXPECT_EQ(ErrorOf(issuer, Token()), Errc::kOk);
  EXPECT_EQ(ErrorOf(issuer, Token(With(Claims(), "aud", "https://other.example/mcp"))), Errc::kOk);
  EXPECT_EQ(ErrorOf(issuer, Token(With(Claims(), "aud", boost::json::array{"https://a"}))),
            Errc::kOk);
  EXPECT_EQ(ErrorOf(issuer, Token(Without(Claims(), "aud"))), Errc::kOk);
  EXPECT_EQ(ErrorOf(issuer, Token(With(Claims(), "aud", 5))), Errc::kBadClaimType);
  EXPECT_EQ(ErrorOf(issuer, Token(With(Claims(), "aud", boost::json::array{"https://a", 5}))),
            Errc::kBadClaimType);
  // Every other check still applies.
  EXPECT_EQ(ErrorOf(issuer, Token(With(Claims(), "iss", "https://evil.example"))),
            Errc::kBadIssuer);
  EXPECT_EQ(ErrorOf(issuer, Token(With(Claims(), "exp", kNow))), Errc::kExpired);
  // The two audience settings replace each other.
  issuer.RequireAudience("https://other.example/mcp");
  EXPECT_EQ(ErrorOf(issuer, Token()), Errc::kBadAudience);
  issuer.AcceptAnyAudience();
  EXPECT_EQ(ErrorOf(issuer, Token()), Errc::kOk);
}

TEST_F(JwtVerifierTest, ExpIsRequiredAndANumber) {
  EXPECT_EQ(ErrorOf(Token(Without(Claims(), "exp"))), Errc::kMissingClaim);
  for (boost::json::value exp :
       {boost::json::value(std::to_string(kNow + 3600)), boost::json::value(true),
        boost::json::value(nullptr), boost::json::value(boost::json::array{kNow + 3600}),
        boost::json::value(boost::json::object{{"t", kNow + 3600}})}) {
    EXPECT_EQ(ErrorOf(Token(With(Claims(), "exp", exp))), Errc::kBadClaimType)
        << boost::json::serialize(exp);
  }
}

TEST_F(JwtVerifierTest, ExpiresAtExpWithoutLeeway) {
  EXPECT_EQ(ErrorOf(Token(With(Claims(), "exp", kNow + 1))), Errc::kOk);
  EXPECT_EQ(ErrorOf(Token(With(Claims(), "exp", kNow))), Errc::kExpired);  // now >= exp
  EXPECT_EQ(ErrorOf(Token(With(Claims(), "exp", kNow - 1))), Errc::kExpired);
  EXPECT_EQ(ErrorOf(Token(With(Claims(), "exp", -1))), Errc::kExpired);
  const std::string token = Token(With(Claims(), "exp", kNow + 60));
  EXPECT_EQ(ErrorOf(token), Errc::kOk);
  clock_.Advance(seconds(59));
  EXPECT_EQ(ErrorOf(token), Errc::kOk);
  clock_.Advance(seconds(1));
  EXPECT_EQ(ErrorOf(token), Errc::kExpired);
}

TEST_F(JwtVerifierTest, ExpiresAtExpPlusLeeway) {
  verifier_.Leeway(seconds(30));
  EXPECT_EQ(ErrorOf(Token(With(Claims(), "exp", kNow - 29))), Errc::kOk);
  EXPECT_EQ(ErrorOf(Token(With(Claims(), "exp", kNow - 30))), Errc::kExpired);
  EXPECT_EQ(ErrorOf(Token(With(Claims(), "exp", kNow - 31))), Errc::kExpired);
  verifier_.Leeway(seconds(-100));  // counts as zero
  EXPECT_EQ(ErrorOf(Token(With(Claims(), "exp", kNow))), Errc::kExpired);
}

TEST_F(JwtVerifierTest, AcceptsFractionalAndHugeNumericDates) {
  // RFC 7519 §2: a NumericDate may be non-integer.
  const std::string token = Token(With(Claims(), "exp", static_cast<double>(kNow) + 0.5));
  Result<VerifiedJwt> jwt = verifier_.Verify(token);
  ASSERT_TRUE(jwt.has_value());
  EXPECT_EQ(jwt->ExpiresAt(), kNow);
  clock_.Advance(std::chrono::milliseconds(499));
  EXPECT_EQ(ErrorOf(token), Errc::kOk);
  clock_.Advance(std::chrono::milliseconds(1));
  EXPECT_EQ(ErrorOf(token), Errc::kExpired);
  // Beyond int64 seconds: saturates instead of overflowing.
  EXPECT_EQ(ErrorOf(Token(With(Claims(), "exp", uint64_t{18'000'000'000'000'000'000u}))),
            Errc::kOk);
  EXPECT_EQ(ErrorOf(Token(With(Claims(), "exp", 1e300))), Errc::kOk);
  EXPECT_EQ(ErrorOf(Token(With(Claims(), "exp", -1e300))), Errc::kExpired);
  EXPECT_EQ(ErrorOf(Token(With(Claims(), "exp", int64_t{9'000'000'000'000'000'000}))), Errc::kOk);
}

TEST_F(JwtVerifierTest, RefusesNbfInTheFuture) {
  EXPECT_EQ(ErrorOf(Token(With(Claims(), "nbf", kNow + 10))), Errc::kNotYetValid);
  EXPECT_EQ(ErrorOf(Token(With(Claims(), "nbf", kNow))), Errc::kOk);
  EXPECT_EQ(ErrorOf(Token(With(Claims(), "nbf", "0"))), Errc::kBadClaimType);
  verifier_.Leeway(seconds(30));
  EXPECT_EQ(ErrorOf(Token(With(Claims(), "nbf", kNow + 30))), Errc::kOk);
  EXPECT_EQ(ErrorOf(Token(With(Claims(), "nbf", kNow + 31))), Errc::kNotYetValid);
  Result<VerifiedJwt> jwt = verifier_.Verify(Token(With(Claims(), "nbf", kNow + 5)));
  ASSERT_TRUE(jwt.has_value());
  EXPECT_EQ(jwt->NotBefore(), kNow + 5);
}

TEST_F(JwtVerifierTest, RefusesIatInTheFuture) {
  EXPECT_EQ(ErrorOf(Token(With(Claims(), "iat", kNow + 10))), Errc::kIssuedInFuture);
  EXPECT_EQ(ErrorOf(Token(With(Claims(), "iat", kNow))), Errc::kOk);
  EXPECT_EQ(ErrorOf(Token(With(Claims(), "iat", "1700000000"))), Errc::kBadClaimType);
  EXPECT_EQ(ErrorOf(Token(Without(Claims(), "iat"))), Errc::kOk);  // optional unless required
  verifier_.Leeway(seconds(30));
  EXPECT_EQ(ErrorOf(Token(With(Claims(), "iat", kNow + 30))), Errc::kOk);
  EXPECT_EQ(ErrorOf(Token(With(Claims(), "iat", kNow + 31))), Errc::kIssuedInFuture);
}

TEST_F(JwtVerifierTest, RefusesStringClaimsOfAnotherType) {
  for (std::string_view name : {"sub", "client_id", "jti", "scope"}) {
    EXPECT_EQ(ErrorOf(Token(With(Claims(), name, 42))), Errc::kBadClaimType) << name;
    EXPECT_EQ(ErrorOf(Token(With(Claims(), name, boost::json::array{"a"}))), Errc::kBadClaimType)
        << name;
  }
}

TEST_F(JwtVerifierTest, RequiresTheClaimsItIsToldTo) {
  verifier_.RequireClaim("sub").RequireClaim("client_id").RequireClaim("jti").RequireClaim("iat");
  EXPECT_EQ(ErrorOf(Token()), Errc::kOk);
  for (std::string_view name : {"sub", "client_id", "jti", "iat"}) {
    EXPECT_EQ(ErrorOf(Token(Without(Claims(), name))), Errc::kMissingClaim) << name;
  }
}

TEST_F(JwtVerifierTest, DuplicateMembersLastOneCounts) {
  // RFC 7515 §4 / RFC 7519 §4: either reject duplicates or use the lexically last one.
  const std::string header = B64Json(Header());
  const std::string payload = B64(R"({"iss":"https://as.example","aud":"https://rs.example/mcp",)"
                                  R"("exp":1,"exp":)" +
                                  std::to_string(kNow + 60) + "}");
  const std::string input = header + "." + payload;
  const std::string token = input + "." + B64(SignEs256(key_, input).value());
  Result<VerifiedJwt> jwt = verifier_.Verify(token);
  ASSERT_TRUE(jwt.has_value()) << jwt.error().message();
  EXPECT_EQ(jwt->ExpiresAt(), kNow + 60);
}

// --- The order of the checks ----------------------------------------------------------------

TEST_F(JwtVerifierTest, ChecksInTheDocumentedOrder) {
  const boost::json::object expired_wrong_aud =
      With(With(Claims(), "exp", kNow - 100), "aud", "https://other");
  // alg before kid and before the signature.
  EXPECT_EQ(ErrorOf(Token(With(With(Header(), "alg", "HS256"), "kid", "zz"), expired_wrong_aud)),
            Errc::kAlgNotAllowed);
  // crit before kid.
  EXPECT_EQ(
      ErrorOf(Token(With(With(Header(), "crit", boost::json::array{"x"}), "kid", "zz"), Claims())),
      Errc::kCritUnsupported);
  // kid before the signature: an unknown kid is reported as such even with a bad signature.
  const std::string unknown_kid = Token(With(Header(), "kid", "zz"), Claims());
  const CompactParts parts = SplitCompact(unknown_kid).value();
  EXPECT_EQ(ErrorOf(Join(parts.header, parts.payload, "")), Errc::kUnknownKid);
  // The signature before typ and before any claim.
  const std::string wrong_typ = Token(With(Header(), "typ", "JWT"), expired_wrong_aud);
  const CompactParts bad = SplitCompact(wrong_typ).value();
  EXPECT_EQ(ErrorOf(Join(bad.header, bad.payload, "")), Errc::kBadSignature);
  // typ before iss, iss before aud, aud before exp.
  EXPECT_EQ(ErrorOf(Token(With(Header(), "typ", "JWT"), With(expired_wrong_aud, "iss", "x"))),
            Errc::kBadType);
  EXPECT_EQ(ErrorOf(Token(With(expired_wrong_aud, "iss", "x"))), Errc::kBadIssuer);
  EXPECT_EQ(ErrorOf(Token(expired_wrong_aud)), Errc::kBadAudience);
  // exp before nbf before iat.
  EXPECT_EQ(
      ErrorOf(Token(With(With(With(Claims(), "exp", kNow - 1), "nbf", kNow + 9), "iat", kNow + 9))),
      Errc::kExpired);
  EXPECT_EQ(ErrorOf(Token(With(With(Claims(), "nbf", kNow + 9), "iat", kNow + 9))),
            Errc::kNotYetValid);
}

TEST_F(JwtVerifierTest, VerifiesConcurrentlyFromManyThreads) {
  const std::string good = Token();
  const std::string bad = Token(With(Claims(), "exp", kNow - 1));
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        if (!verifier_.Verify(good).has_value() || verifier_.Verify(bad).has_value()) {
          ++failures;
        }
      }
    });
  }
  for (std::thread& t : threads) {
    t.join();
  }
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace mcpauth::jose
