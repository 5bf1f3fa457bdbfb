#include "mcpauth/oauth/resource/key_source.hpp"

#include <algorithm>
#include <charconv>
#include <utility>

#include "mcpauth/core/log.hpp"
#include "mcpauth/http/message.hpp"
#include "mcpauth/oauth/resource/errc.hpp"

namespace mcpauth::oauth::resource {
namespace {

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

// How long a fetched JWKS may be used: Cache-Control max-age (RFC 9111 §5.2.2.1), or the
// default; no-store / no-cache mean "as briefly as we allow" (we cannot refetch per request).
// Always clamped, so a hostile or broken header can neither pin old keys for a year nor make us
// refetch on every request.
std::chrono::seconds CacheLifetime(const http::Headers& headers, const RemoteJwksOptions& o) {
  std::chrono::seconds age = o.default_max_age;
  if (const auto cc = headers.Get("Cache-Control")) {
    std::string_view rest = *cc;
    while (!rest.empty()) {
      const size_t comma = rest.find(',');
      const std::string_view directive = TrimOws(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      constexpr std::string_view kMaxAge = "max-age=";
      if (directive.size() > kMaxAge.size() &&
          http::EqualsIgnoreCase(directive.substr(0, kMaxAge.size()), kMaxAge)) {
        std::string_view digits = directive.substr(kMaxAge.size());
        if (digits.size() >= 2 && digits.front() == '"' && digits.back() == '"') {
          digits = digits.substr(1, digits.size() - 2);
        }
        int64_t value = 0;
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
        if (ec == std::errc() && end == digits.data() + digits.size() && value >= 0) {
          age = std::chrono::seconds(value);
        } else if (ec == std::errc::result_out_of_range) {
          age = o.max_max_age;
        }
      } else if (http::EqualsIgnoreCase(directive, "no-store") ||
                 http::EqualsIgnoreCase(directive, "no-cache")) {
        age = o.min_max_age;
        break;
      }
    }
  }
  return std::clamp(age, o.min_max_age, o.max_max_age);
}

}  // namespace

RemoteJwks::RemoteJwks(http::Client& client, const Clock& clock, RemoteJwksOptions options)
    : client_(client), clock_(clock), options_(std::move(options)) {}

RemoteJwks::State RemoteJwks::Snapshot() const {
  std::lock_guard lock(mu_);
  return state_;
}

bool RemoteJwks::Ready() const {
  std::lock_guard lock(mu_);
  return state_.keys != nullptr;
}

uint64_t RemoteJwks::fetches() const {
  std::lock_guard lock(mu_);
  return fetches_;
}

Status RemoteJwks::Refresh() {
  std::lock_guard fetch(fetch_mu_);
  return FetchLocked();
}

Status RemoteJwks::FetchLocked() {
  {
    std::lock_guard lock(mu_);
    ++fetches_;
  }
  http::ClientRequest request;
  request.method = "GET";
  request.url = options_.url;
  request.headers.Set("Accept", "application/json, application/jwk-set+json");
  request.timeout = options_.timeout;
  Result<http::Response> response = client_.Send(request);
  const Clock::TimePoint now = clock_.Now();
  ErrorCode error;
  std::shared_ptr<const jose::Jwks> keys;
  std::chrono::seconds lifetime{0};
  if (!response) {
    error = response.error();
  } else if (response->status != 200) {
    error = make_error_code(Errc::kUnavailable);
    log::Warn("JWKS fetch from {} answered HTTP {}", options_.url, response->status);
  } else if (auto parsed = jose::Jwks::Parse(response->body); !parsed) {
    error = parsed.error();
  } else {
    if (parsed->empty()) {
      log::Warn("JWKS at {} holds no usable ES256 key ({} skipped)", options_.url,
                parsed->skipped());
    }
    keys = std::make_shared<const jose::Jwks>(std::move(parsed).value());
    lifetime = CacheLifetime(response->headers, options_);
  }
  std::lock_guard lock(mu_);
  if (!keys) {
    // Keep what we had; retry no sooner than the refetch interval.
    log::Warn("JWKS fetch from {} failed: {}", options_.url, error.message());
    state_.refresh_at = now + options_.unknown_kid_refetch_interval;
    return error;
  }
  state_.keys = std::move(keys);
  state_.refresh_at = now + lifetime;
  return {};
}

std::optional<jose::EcKey> RemoteJwks::Find(std::string_view kid) {
  const Clock::TimePoint now = clock_.Now();
  State s = Snapshot();
  bool fetched = false;  // by this call: then an unknown kid is unknown to the current set
  if (now >= s.refresh_at) {
    if (!s.keys) {
      // Nothing to verify with yet: wait for the fetch in flight, or make it.
      std::lock_guard fetch(fetch_mu_);
      if (clock_.Now() >= Snapshot().refresh_at) {
        (void)FetchLocked();
        fetched = true;
      }
    } else if (std::unique_lock fetch(fetch_mu_, std::try_to_lock); fetch.owns_lock()) {
      // A scheduled refresh: one thread fetches, the others go on with the current keys.
      if (clock_.Now() >= Snapshot().refresh_at) {
        (void)FetchLocked();
        fetched = true;
      }
    }
    s = Snapshot();
  }
  if (s.keys) {
    if (const jose::EcKey* key = s.keys->Find(kid)) {
      return *key;
    }
  }
  if (fetched) {
    return std::nullopt;
  }
  // An unknown kid: perhaps the authorization server rotated its keys. Refetch, rate-limited.
  std::lock_guard fetch(fetch_mu_);
  s = Snapshot();
  if (s.keys) {
    if (const jose::EcKey* key = s.keys->Find(kid)) {
      return *key;  // another thread's fetch brought it
    }
  }
  const Clock::TimePoint at = clock_.Now();
  if (s.last_unknown_kid_fetch &&
      at - *s.last_unknown_kid_fetch < options_.unknown_kid_refetch_interval) {
    return std::nullopt;
  }
  {
    std::lock_guard lock(mu_);
    state_.last_unknown_kid_fetch = at;
  }
  if (!FetchLocked()) {
    return std::nullopt;
  }
  s = Snapshot();
  if (const jose::EcKey* key = s.keys->Find(kid)) {
    return *key;
  }
  return std::nullopt;
}

}  // namespace mcpauth::oauth::resource
