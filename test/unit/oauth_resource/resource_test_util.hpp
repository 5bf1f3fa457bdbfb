// Shared set-up of the resource-server unit tests: a real ES256 key, RFC 9068 access tokens
// signed with it (and hostile variants), and a KeySource that counts its lookups.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "fakes/fake_clock.hpp"
#include "mcpauth/core/base64url.hpp"
#include "mcpauth/jose/jwk.hpp"
#include "mcpauth/jose/jws.hpp"
#include "mcpauth/jose/jwt.hpp"
#include "mcpauth/oauth/resource/key_source.hpp"

namespace mcpauth::oauth::resource::test {

inline constexpr int64_t kNow = 1'700'000'000;
inline constexpr std::string_view kIssuer = "http://127.0.0.1:8080";
inline constexpr std::string_view kResource = "http://127.0.0.1:8080/mcp";
inline constexpr std::string_view kKid = "k1";

inline jose::EcKey NewKey() {
  Result<jose::EcKey> key = jose::EcKey::Generate();
  EXPECT_TRUE(key.has_value());
  return std::move(key).value();
}

// The claims our authorization server puts in an access token (RFC 9068 §2.2 + grant_id).
inline boost::json::object Claims(int64_t now = kNow) {
  return {{"iss", kIssuer},
          {"sub", "user-1"},
          {"aud", kResource},
          {"client_id", "client-1"},
          {"scope", "mcp:read mcp:tools"},
          {"iat", now},
          {"exp", now + 3600},
          {"jti", "jti-1"},
          {"grant_id", "grant-1"},
          {"preferred_username", "alice"}};
}

template <class T>
boost::json::object With(boost::json::object o, std::string_view name, const T& value) {
  o[name] = boost::json::value_from(value);
  return o;
}

inline boost::json::object Without(boost::json::object o, std::string_view name) {
  o.erase(name);
  return o;
}

inline std::string Sign(const jose::EcKey& key, const boost::json::object& claims,
                        std::string_view kid = kKid, std::string_view typ = "at+jwt") {
  Result<std::string> token = jose::EncodeJwt(key, kid, typ, claims);
  EXPECT_TRUE(token.has_value());
  return token.has_value() ? *token : std::string();
}

// Header and payload as given, validly ES256-signed: for headers EncodeJwt would not write.
inline std::string SignWithHeader(const jose::EcKey& key, const boost::json::object& header,
                                  const boost::json::object& claims) {
  Result<std::string> token =
      jose::SignCompactEs256(key, boost::json::serialize(header), boost::json::serialize(claims));
  EXPECT_TRUE(token.has_value());
  return token.has_value() ? *token : std::string();
}

inline std::string B64Json(const boost::json::object& o) {
  return core::Base64UrlEncode(boost::json::serialize(o));
}

// A KeySource over one key that counts lookups: a lookup happens exactly once per signature
// verification (jose calls the resolver once per Verify with a kid).
class CountingKeySource final : public KeySource {
 public:
  CountingKeySource(std::string kid, jose::EcKey key)
      : kid_(std::move(kid)), key_(std::move(key)) {}
  std::optional<jose::EcKey> Find(std::string_view kid) override {
    ++lookups_;
    if (kid == kid_) {
      return key_;
    }
    return std::nullopt;
  }
  bool Ready() const override { return ready_; }
  int lookups() const { return lookups_.load(); }
  void set_ready(bool ready) { ready_ = ready; }

 private:
  std::string kid_;
  jose::EcKey key_;
  std::atomic<int> lookups_{0};
  std::atomic<bool> ready_{true};
};

}  // namespace mcpauth::oauth::resource::test
