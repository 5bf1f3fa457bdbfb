#include "mcpauth/oauth/resource/introspection_validator.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cmath>
#include <utility>

#include "mcpauth/core/crypto.hpp"
#include "mcpauth/core/log.hpp"
#include "mcpauth/http/form.hpp"
#include "mcpauth/http/message.hpp"
#include "token_cache.hpp"

namespace mcpauth::oauth::resource {
namespace {

namespace json = boost::json;

// RFC 4648 §4 base64 with padding, for the Basic scheme (RFC 7617 §2); core only has base64url.
std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const uint32_t n = static_cast<uint8_t>(in[i]) << 16 | static_cast<uint8_t>(in[i + 1]) << 8 |
                       static_cast<uint8_t>(in[i + 2]);
    out += {kAlphabet[n >> 18], kAlphabet[(n >> 12) & 63], kAlphabet[(n >> 6) & 63],
            kAlphabet[n & 63]};
  }
  if (const size_t rest = in.size() - i; rest > 0) {
    uint32_t n = static_cast<uint8_t>(in[i]) << 16;
    if (rest == 2) {
      n |= static_cast<uint8_t>(in[i + 1]) << 8;
    }
    out += kAlphabet[n >> 18];
    out += kAlphabet[(n >> 12) & 63];
    out += rest == 2 ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// A NumericDate member (RFC 7662 §2.2: exp, nbf, iat), in whole seconds, if it is a number.
std::optional<int64_t> NumericDate(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  if (v == nullptr) {
    return std::nullopt;
  }
  if (v->is_int64()) {
    return v->get_int64();
  }
  if (v->is_uint64()) {
    return static_cast<int64_t>(std::min<uint64_t>(v->get_uint64(), INT64_MAX));
  }
  if (v->is_double() && std::isfinite(v->get_double())) {
    return static_cast<int64_t>(std::clamp(std::floor(v->get_double()), -9e18, 9e18));
  }
  return std::nullopt;
}

std::string_view StringMember(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  return v != nullptr && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

}  // namespace

IntrospectionValidator::IntrospectionValidator(http::Client& client, const Clock& clock,
                                               IntrospectionOptions options,
                                               const RevokedGrants* revoked)
    : client_(client),
      clock_(clock),
      options_(std::move(options)),
      revoked_(revoked),
      cache_(std::make_unique<detail::TokenCache>(options_.cache_capacity)) {}

IntrospectionValidator::~IntrospectionValidator() = default;

size_t IntrospectionValidator::cache_size() const { return cache_->size(); }

Result<ValidatedToken> IntrospectionValidator::Validate(std::string_view token) {
  if (token.empty() || token.size() > options_.max_token_size) {
    return Errc::kMalformed;
  }
  const Clock::TimePoint now = clock_.Now();
  const core::Sha256Digest key = core::Sha256(token);
  ValidatedToken validated = cache_->Find(key, now);
  if (!validated) {
    Result<ValidatedToken> fresh = Introspect(token, now);
    if (!fresh) {
      return fresh.error();
    }
    validated = std::move(*fresh);
    // Short, and never past exp: the authorization server may revoke meanwhile.
    cache_->Insert(key, validated, std::min(now + options_.cache_ttl, validated->expires_at), now);
  }
  if (revoked_ != nullptr && revoked_->Contains(validated->grant_id)) {
    return Errc::kRevoked;
  }
  return validated;
}

Result<ValidatedToken> IntrospectionValidator::Introspect(std::string_view token,
                                                          Clock::TimePoint now) {
  // RFC 7662 §2.1: a form POST with the token and a hint, authenticated as a client.
  std::vector<std::pair<std::string, std::string>> params{{"token", std::string(token)},
                                                          {"token_type_hint", "access_token"}};
  http::ClientRequest request;
  request.method = "POST";
  request.url = options_.endpoint;
  request.timeout = options_.timeout;
  request.headers.Set("Content-Type", "application/x-www-form-urlencoded");
  request.headers.Set("Accept", "application/json");
  if (options_.auth_method == ClientAuthMethod::kClientSecretBasic) {
    // RFC 6749 §2.3.1: id and secret are form-encoded before they are joined and base64-encoded.
    request.headers.Set("Authorization",
                        "Basic " + Base64(http::FormEncode(options_.client_id) + ":" +
                                          http::FormEncode(options_.client_secret.Reveal())));
  } else {
    params.emplace_back("client_id", options_.client_id);
    params.emplace_back("client_secret", std::string(options_.client_secret.Reveal()));
  }
  request.body = http::EncodeForm(params);
  Result<http::Response> response = client_.Send(request);
  if (!response) {
    log::Warn("introspection at {} failed: {}", options_.endpoint, response.error().message());
    return Errc::kUnavailable;
  }
  if (response->status != 200) {
    // 401 here means our own client credentials are wrong: an operator's problem, loudly.
    log::Error("introspection at {} answered HTTP {}", options_.endpoint, response->status);
    return Errc::kUnavailable;
  }
  boost::system::error_code ec;
  json::value doc = json::parse(response->body, ec);
  if (ec || !doc.is_object()) {
    log::Error("introspection at {} sent no JSON object", options_.endpoint);
    return Errc::kUnavailable;
  }
  const json::object& o = doc.get_object();
  // RFC 7662 §2.2: "active" is REQUIRED and boolean; anything else is not an active token.
  const json::value* active = o.if_contains("active");
  if (active == nullptr || !active->is_bool() || !active->get_bool()) {
    return Errc::kInactive;
  }
  if (const std::string_view type = StringMember(o, "token_type");
      !type.empty() && !http::EqualsIgnoreCase(type, "Bearer") &&
      !http::EqualsIgnoreCase(type, "access_token")) {
    return Errc::kBadType;
  }
  const int64_t now_s =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const std::optional<int64_t> exp = NumericDate(o, "exp");
  if (exp && now_s >= *exp) {
    return Errc::kExpired;
  }
  if (const auto nbf = NumericDate(o, "nbf"); nbf && now_s < *nbf) {
    return Errc::kNotYetValid;
  }
  if (const std::string_view iss = StringMember(o, "iss");
      !options_.issuer.empty() && !iss.empty() && iss != options_.issuer) {
    return Errc::kBadIssuer;
  }
  // RFC 7662 §4 / RFC 8707 §2: the token must be meant for this resource.
  if (!options_.audience.empty()) {
    bool found = false;
    bool present = false;
    if (const json::value* aud = o.if_contains("aud")) {
      present = true;
      if (aud->is_string()) {
        found = aud->get_string() == options_.audience;
      } else if (aud->is_array()) {
        for (const json::value& a : aud->get_array()) {
          found = found || (a.is_string() && a.get_string() == options_.audience);
        }
      }
    }
    if (!found && (present || !options_.allow_missing_audience)) {
      return Errc::kBadAudience;
    }
  }
  auto t = std::make_shared<AccessToken>();
  t->subject = std::string(StringMember(o, "sub"));
  t->username = std::string(StringMember(o, "username"));
  if (t->subject.empty()) {
    t->subject = t->username;
  }
  t->client_id = std::string(StringMember(o, "client_id"));
  // RFC 7662 §2.2 makes `sub` optional: an authorization server that names no user (the SDK's
  // demo, client-credentials tokens) issued the token to the client itself, which is then the
  // principal. Sessions bind to it like to any subject.
  if (t->subject.empty() && !t->client_id.empty()) {
    t->subject = "client:" + t->client_id;
  }
  if (t->subject.empty()) {
    return Errc::kBadClaims;
  }
  std::string_view scope = StringMember(o, "scope");
  while (!scope.empty()) {
    const size_t sp = scope.find(' ');
    const std::string_view s = scope.substr(0, sp);
    if (!s.empty() && !t->HasScope(s)) {
      t->scopes.emplace_back(s);
    }
    scope = sp == std::string_view::npos ? std::string_view() : scope.substr(sp + 1);
  }
  t->grant_id = std::string(StringMember(o, "grant_id"));
  t->jti = std::string(StringMember(o, "jti"));
  t->expires_at = exp ? FromNumericDate(*exp) : Clock::TimePoint::max();
  return ValidatedToken(std::move(t));
}

}  // namespace mcpauth::oauth::resource
