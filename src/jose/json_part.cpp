#include "jose/json_part.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>

#include "mcpauth/core/base64url.hpp"
#include "mcpauth/jose/errc.hpp"

namespace mcpauth::jose::internal {

Result<boost::json::object> ParseJsonObject(std::string_view text) {
  boost::json::parse_options options;  // strict RFC 8259; max_depth 32
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(text, ec, {}, options);
  if (ec || !value.is_object()) {
    return Errc::kBadJson;
  }
  return std::move(value.as_object());
}

Result<boost::json::object> DecodeJsonObjectPart(std::string_view base64url) {
  Result<std::string> bytes = core::Base64UrlDecode(base64url);
  if (!bytes) {
    return Errc::kBadBase64;
  }
  return ParseJsonObject(*bytes);
}

const boost::json::string* FindString(const boost::json::object& object, std::string_view name) {
  const boost::json::value* v = object.if_contains(name);
  return v != nullptr ? v->if_string() : nullptr;
}

Result<DecodedJwt> DecodeJwt(std::string_view token, size_t max_size) {
  if (token.size() > max_size) {
    return Errc::kTokenTooLarge;
  }
  Result<CompactParts> parts = SplitCompact(token);
  if (!parts) {
    return parts.error();
  }
  Result<boost::json::object> header = DecodeJsonObjectPart(parts->header);
  if (!header) {
    return header.error();
  }
  Result<boost::json::object> claims = DecodeJsonObjectPart(parts->payload);
  if (!claims) {
    return claims.error();
  }
  return DecodedJwt{*parts, std::move(*header), std::move(*claims)};
}

}  // namespace mcpauth::jose::internal
