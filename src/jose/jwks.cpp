#include "mcpauth/jose/jwks.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>
#include <utility>

#include "jose/json_part.hpp"
#include "mcpauth/jose/errc.hpp"

namespace mcpauth::jose {
namespace {

using internal::FindString;

// RFC 7517 §4.2-4.4 and RFC 7518 §6: is this entry meant for verifying ES256 signatures?
bool IsEs256SigningKey(const boost::json::object& jwk) {
  const boost::json::string* kty = FindString(jwk, "kty");
  const boost::json::string* crv = FindString(jwk, "crv");
  if (kty == nullptr || *kty != "EC" || crv == nullptr || *crv != "P-256") {
    return false;
  }
  if (const boost::json::value* use = jwk.if_contains("use")) {
    if (!use->is_string() || use->get_string() != "sig") {
      return false;  // "enc" keys must not verify signatures (RFC 7517 §4.2)
    }
  }
  if (const boost::json::value* alg = jwk.if_contains("alg")) {
    if (!alg->is_string() || alg->get_string() != "ES256") {
      return false;
    }
  }
  if (const boost::json::value* ops = jwk.if_contains("key_ops")) {
    const boost::json::array* list = ops->if_array();
    if (list == nullptr) {
      return false;
    }
    bool verify = false;
    for (const boost::json::value& op : *list) {
      verify = verify || (op.is_string() && op.get_string() == "verify");
    }
    if (!verify) {
      return false;
    }
  }
  return true;
}

}  // namespace

Result<Jwks> Jwks::FromJson(const boost::json::value& document) {
  const boost::json::object* root = document.if_object();
  const boost::json::value* keys = root != nullptr ? root->if_contains("keys") : nullptr;
  if (keys == nullptr || !keys->is_array()) {
    return Errc::kBadJson;  // RFC 7517 §5.1: "keys" is REQUIRED and an array
  }
  Jwks jwks;
  for (const boost::json::value& entry : keys->get_array()) {
    const boost::json::object* jwk = entry.if_object();
    if (jwk == nullptr || !IsEs256SigningKey(*jwk)) {
      ++jwks.skipped_;
      continue;
    }
    const boost::json::string* kid = FindString(*jwk, "kid");
    if (kid == nullptr || kid->empty() || jwks.Find(*kid) != nullptr) {
      ++jwks.skipped_;
      continue;
    }
    // A published set is for verification: drop any private member before importing, so that
    // a key set cannot smuggle a signing key into the verifier.
    boost::json::object public_jwk = *jwk;
    public_jwk.erase("d");
    Result<EcKey> key = ImportJwk(public_jwk);
    if (!key) {
      ++jwks.skipped_;
      continue;
    }
    jwks.entries_.push_back(Entry{std::string(*kid), std::move(*key)});
  }
  return jwks;
}

Result<Jwks> Jwks::Parse(std::string_view json_text) {
  Result<boost::json::object> object = internal::ParseJsonObject(json_text);
  if (!object) {
    return object.error();
  }
  return FromJson(boost::json::value(std::move(*object)));
}

bool Jwks::Add(std::string kid, EcKey key) {
  if (kid.empty() || Find(kid) != nullptr) {
    return false;
  }
  entries_.push_back(Entry{std::move(kid), std::move(key)});
  return true;
}

const EcKey* Jwks::Find(std::string_view kid) const {
  // Linear: a key set holds a handful of keys (current, next, previous).
  for (const Entry& entry : entries_) {
    if (entry.kid == kid) {
      return &entry.key;
    }
  }
  return nullptr;
}

boost::json::object Jwks::ToJson() const {
  boost::json::array keys;
  keys.reserve(entries_.size());
  for (const Entry& entry : entries_) {
    keys.emplace_back(ExportPublicJwk(entry.key, entry.kid));
  }
  boost::json::object document;
  document["keys"] = std::move(keys);
  return document;
}

std::string Jwks::Serialize() const { return boost::json::serialize(ToJson()); }

}  // namespace mcpauth::jose
