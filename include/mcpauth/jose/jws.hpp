// JWS with ES256 only (RFC 7515, RFC 7518 §3.4): raw signatures and the compact serialization.
//
// ES256 is the one algorithm mcpauth signs and verifies with; nothing in this module can verify
// with another (RFC 8725 §3.1: no `alg` agility, so no "none" and no HS256-with-a-public-key
// confusion). A JWS signature is the 64 raw bytes r||s, each left-padded to 32 bytes; OpenSSL
// works in DER, and the functions here convert both ways.
//
// Thread-safety: free functions, safe from any thread with a shared const EcKey. Ownership:
// CompactParts holds views into the caller's string.
#pragma once

#include <boost/json/object.hpp>
#include <cstddef>
#include <string>
#include <string_view>

#include "mcpauth/core/result.hpp"
#include "mcpauth/jose/jwk.hpp"

namespace mcpauth::jose {

// RFC 7518 §3.4: the ES256 signature is R and S as 32-byte big-endian integers, concatenated.
inline constexpr size_t kEs256SignatureBytes = 64;

// Signs `signing_input` (for JWS: ASCII(BASE64URL(header) '.' BASE64URL(payload))) with ECDSA
// P-256 SHA-256. Returns the 64 raw bytes r||s. kMissingPrivateKey for a public-only key.
Result<std::string> SignEs256(const EcKey& key, std::string_view signing_input);

// True only if `raw_signature` is exactly 64 bytes r||s and verifies over `signing_input`. A DER
// signature, a truncated or padded one, r or s of zero or >= the group order: false.
bool VerifyEs256(const EcKey& key, std::string_view signing_input, std::string_view raw_signature);

// The three base64url parts of a compact JWS (RFC 7515 §7.1), as views into the input.
struct CompactParts {
  std::string_view header;         // BASE64URL(UTF8(JWS Protected Header))
  std::string_view payload;        // BASE64URL(JWS Payload)
  std::string_view signature;      // BASE64URL(JWS Signature)
  std::string_view signing_input;  // header '.' payload: what the signature covers
};

// Splits "h.p.s". Exactly two dots, and a non-empty header; the payload and signature may be
// empty (RFC 7515 allows an empty payload; an empty signature then fails verification).
// kMalformedToken otherwise. Decodes nothing.
Result<CompactParts> SplitCompact(std::string_view compact);

// BASE64URL(header_json) '.' BASE64URL(payload) '.' BASE64URL(SignEs256(...)). `header_json` is
// used as given: the caller puts "alg":"ES256" in it (EncodeJwt in jwt.hpp does).
Result<std::string> SignCompactEs256(const EcKey& key, std::string_view header_json,
                                     std::string_view payload);

// A verified compact JWS: its protected header and its decoded payload.
struct VerifiedJws {
  boost::json::object header;
  std::string payload;
};

// Verifies a compact JWS with `key`, following RFC 7515 §5.2: strict base64url parts, a header
// that is a JSON object with "alg" exactly "ES256" (kAlgNotAllowed otherwise) and no "crit"
// (kCritUnsupported), then the signature (kBadSignature). No claims are looked at: for JWTs use
// JwtVerifier, which also picks the key by `kid` and checks the claims.
Result<VerifiedJws> VerifyCompactEs256(const EcKey& key, std::string_view compact);

}  // namespace mcpauth::jose
