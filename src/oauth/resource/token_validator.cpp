#include "mcpauth/oauth/resource/token_validator.hpp"

#include <algorithm>

namespace mcpauth::oauth::resource {

Clock::TimePoint FromNumericDate(int64_t seconds) {
  // system_clock counts nanoseconds in 64 bits (until 2262): clamp a far-future exp instead of
  // overflowing.
  constexpr int64_t kMax = 7'000'000'000;  // year 2191
  return Clock::TimePoint(std::chrono::seconds(std::clamp<int64_t>(seconds, 0, kMax)));
}

bool AccessToken::HasScope(std::string_view scope) const {
  return std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
}

}  // namespace mcpauth::oauth::resource
