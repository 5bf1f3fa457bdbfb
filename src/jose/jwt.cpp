#include "mcpauth/jose/jwt.hpp"

#include <boost/json/serialize.hpp>
#include <utility>

#include "jose/json_part.hpp"
#include "mcpauth/jose/errc.hpp"
#include "mcpauth/jose/jws.hpp"

namespace mcpauth::jose {

Result<std::string> EncodeJwt(const EcKey& key, std::string_view kid, std::string_view typ,
                              const boost::json::object& claims) {
  if (kid.empty()) {
    return Errc::kMissingKid;  // our verifiers require one; never mint a token they refuse
  }
  // RFC 7515 §4.1: alg first, then typ (RFC 9068 §2.1 "at+jwt"), then kid (RFC 7515 §4.1.4).
  boost::json::object header;
  header["alg"] = "ES256";
  if (!typ.empty()) {
    header["typ"] = typ;
  }
  header["kid"] = kid;
  return SignCompactEs256(key, boost::json::serialize(header), boost::json::serialize(claims));
}

Result<UnverifiedJwt> DecodeUnverified(std::string_view token) {
  Result<internal::DecodedJwt> decoded = internal::DecodeJwt(token, kDefaultMaxTokenSize);
  if (!decoded) {
    return decoded.error();
  }
  return UnverifiedJwt{std::move(decoded->header), std::move(decoded->claims)};
}

KeyResolver JwksResolver(std::shared_ptr<const Jwks> jwks) {
  return [jwks = std::move(jwks)](std::string_view kid) -> std::optional<EcKey> {
    if (jwks == nullptr) {
      return std::nullopt;
    }
    const EcKey* key = jwks->Find(kid);
    return key != nullptr ? std::optional<EcKey>(*key) : std::nullopt;
  };
}

KeyResolver SingleKeyResolver(std::string kid, EcKey key) {
  return [kid = std::move(kid), key = std::move(key)](std::string_view wanted) {
    return wanted == kid ? std::optional<EcKey>(key) : std::nullopt;
  };
}

}  // namespace mcpauth::jose
