// Decoding of the base64url JSON parts of a JOSE object. Private to src/jose.
#pragma once

#include <boost/json/object.hpp>
#include <string_view>

#include "mcpauth/core/result.hpp"
#include "mcpauth/jose/jws.hpp"

namespace mcpauth::jose::internal {

// Strict base64url (kBadBase64), then a JSON object (kBadJson): RFC 7515 §5.2 steps 2-3.
Result<boost::json::object> DecodeJsonObjectPart(std::string_view base64url);

// Parses text as a JSON object (kBadJson otherwise). Standard JSON only: no comments, no trailing
// commas, valid UTF-8, nesting depth at most 32. Duplicate members: the last one wins (RFC 7515 §4
// and RFC 7519 §4 allow a parser that returns only the lexically last duplicate member name).
Result<boost::json::object> ParseJsonObject(std::string_view text);

// A compact JWT split and its header and claims decoded, not verified. Errors, in order:
// kTokenTooLarge (over `max_size`), structure (SplitCompact), kBadBase64 / kBadJson per part.
// The parts are views into `token`.
struct DecodedJwt {
  CompactParts parts;
  boost::json::object header;
  boost::json::object claims;
};
Result<DecodedJwt> DecodeJwt(std::string_view token, size_t max_size);

// The member `name` if it is a string, else nullptr.
const boost::json::string* FindString(const boost::json::object& object, std::string_view name);

}  // namespace mcpauth::jose::internal
