// The protected-header rules shared by VerifyCompactEs256 and JwtVerifier. Private to src/jose.
#pragma once

#include <boost/json/object.hpp>

#include "mcpauth/core/result.hpp"

namespace mcpauth::jose::internal {

// `alg` must be exactly the string "ES256" (kAlgNotAllowed), and `crit` must be absent
// (kCritUnsupported).
Status CheckProtectedHeader(const boost::json::object& header);

}  // namespace mcpauth::jose::internal
