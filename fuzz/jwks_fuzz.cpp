// Fuzz target: JWK and JWKS import (src/jose/jwk.cpp, jwks.cpp): what a foreign authorization
// server's jwks_uri returns is hostile input for a resource server (RemoteJwks).
//
// Invariants beyond "no crash":
//   - a parsed set holds only public keys, under non-empty, unique kids, each found by Find();
//     entries plus skipped entries never exceed the "keys" array;
//   - Serialize() parses back to the same keys under the same kids, in order;
//   - a JWK that ImportJwk accepts exports and re-imports to the same public key, with a stable
//     RFC 7638 thumbprint (43 base64url characters); a private one signs, and its public half
//     verifies that signature;
//   - the input as a PEM: an imported key round-trips through PEM the same way.
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "mcpauth/jose/jwk.hpp"
#include "mcpauth/jose/jwks.hpp"
#include "mcpauth/jose/jws.hpp"

namespace {

namespace json = boost::json;
using mcpauth::jose::EcKey;

void CheckKey(const EcKey& key) {
  const std::string thumbprint = mcpauth::jose::JwkThumbprint(key);
  FUZZ_CHECK(thumbprint.size() == 43);
  const json::object exported = mcpauth::jose::ExportPublicJwk(key, "kid");
  FUZZ_CHECK(!exported.contains("d"));
  const auto again = mcpauth::jose::ImportJwk(exported);
  FUZZ_CHECK(again);
  FUZZ_CHECK(!again->HasPrivateKey());
  FUZZ_CHECK(again->SamePublicKey(key));
  FUZZ_CHECK(mcpauth::jose::JwkThumbprint(*again) == thumbprint);
  const auto pem = mcpauth::jose::ExportPublicKeyPem(key);
  FUZZ_CHECK(pem);
  const auto from_pem = mcpauth::jose::ImportPublicKeyPem(*pem);
  FUZZ_CHECK(from_pem && from_pem->SamePublicKey(key));
  if (key.HasPrivateKey()) {
    const auto sig = mcpauth::jose::SignEs256(key, "signing input");
    FUZZ_CHECK(sig && sig->size() == mcpauth::jose::kEs256SignatureBytes);
    FUZZ_CHECK(mcpauth::jose::VerifyEs256(*again, "signing input", *sig));
    FUZZ_CHECK(!mcpauth::jose::VerifyEs256(*again, "signing inpuT", *sig));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  const auto set = mcpauth::jose::Jwks::Parse(text);
  if (set) {
    boost::system::error_code ec;
    const json::value doc = json::parse(text, ec);
    FUZZ_CHECK(!ec && doc.is_object() && doc.get_object().contains("keys"));
    const json::value& keys = doc.get_object().at("keys");
    FUZZ_CHECK(keys.is_array());
    FUZZ_CHECK(set->size() + set->skipped() <= keys.get_array().size());
    for (size_t i = 0; i < set->size(); ++i) {
      const auto& entry = set->entries()[i];
      FUZZ_CHECK(!entry.kid.empty());
      FUZZ_CHECK(!entry.key.HasPrivateKey());
      FUZZ_CHECK(set->Find(entry.kid) == &entry.key);
      CheckKey(entry.key);
    }
    const auto again = mcpauth::jose::Jwks::Parse(set->Serialize());
    FUZZ_CHECK(again);
    FUZZ_CHECK(again->size() == set->size() && again->skipped() == 0);
    for (size_t i = 0; i < set->size(); ++i) {
      FUZZ_CHECK(again->entries()[i].kid == set->entries()[i].kid);
      FUZZ_CHECK(again->entries()[i].key.SamePublicKey(set->entries()[i].key));
    }
  }

  // The input as one JWK.
  boost::system::error_code ec;
  const json::value doc = json::parse(text, ec);
  if (!ec && doc.is_object()) {
    if (const auto key = mcpauth::jose::ImportJwk(doc.get_object())) {
      FUZZ_CHECK(key->HasPrivateKey() == doc.get_object().contains("d"));
      CheckKey(*key);
    }
  }

  // The input as a PEM.
  if (const auto key = mcpauth::jose::ImportPublicKeyPem(text)) {
    CheckKey(*key);
  }
  if (const auto key = mcpauth::jose::ImportPrivateKeyPem(text)) {
    FUZZ_CHECK(key->HasPrivateKey());
    CheckKey(*key);
  }
  return 0;
}
