// Jwks: a JSON Web Key Set (RFC 7517 §5) of ES256 verification keys, looked up by `kid`.
//
// Parsing is lenient about the set and strict about each key: a document may mix key types (RSA,
// P-384, encryption keys) and mcpauth must still use the P-256 signing keys in it, so entries
// that are not usable ES256 signing keys are skipped and counted, never fatal. What is skipped:
// kty other than "EC", crv other than "P-256", "use" other than "sig", "alg" other than "ES256",
// "key_ops" without "verify", a missing or empty "kid", a repeated "kid" (the first one wins, so a
// later entry cannot shadow a key), and malformed EC keys. Private members (`d`) in a parsed set
// are ignored: parsed keys are always public-only.
//
// Thread-safety: a plain value type; const methods may be called concurrently. To rotate keys
// under concurrent readers, build a new Jwks and swap a std::shared_ptr<const Jwks> (see
// JwksResolver in jwt.hpp). Find() returns a pointer into the set, valid while the set lives.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "mcpauth/core/result.hpp"
#include "mcpauth/jose/jwk.hpp"

namespace mcpauth::jose {

class Jwks {
 public:
  struct Entry {
    std::string kid;
    EcKey key;
  };

  Jwks() = default;

  // Reads {"keys":[...]}. Fails (kBadJson) only if the document is not (JSON text of) an object
  // with a "keys" array; unusable entries are skipped (see above).
  static Result<Jwks> FromJson(const boost::json::value& document);
  static Result<Jwks> Parse(std::string_view json_text);

  // Adds a key under `kid`. Returns false, and changes nothing, if `kid` is empty or taken.
  [[nodiscard]] bool Add(std::string kid, EcKey key);

  // The key with this kid, or nullptr. Valid while this Jwks lives and is not modified.
  const EcKey* Find(std::string_view kid) const;

  // {"keys":[<public JWK>...]} in insertion order; never contains private members.
  boost::json::object ToJson() const;
  std::string Serialize() const;

  const std::vector<Entry>& entries() const { return entries_; }
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  // How many entries Parse() skipped (worth a log line when a peer's JWKS yields no key).
  size_t skipped() const { return skipped_; }

 private:
  std::vector<Entry> entries_;
  size_t skipped_ = 0;
};

}  // namespace mcpauth::jose
