// Where BearerValidator finds the keys that verify access tokens.
//
// KeySource is the interface: the key for a `kid`, and whether the source has keys at all (a
// source that could never load any answers 503 instead of calling every token invalid). Two
// sources:
//   - ResolverKeySource: a jose::KeyResolver given directly. For an authorization server in the
//     same process, pass SigningKeyManager::Resolver(): always current, no I/O.
//   - RemoteJwks: the authorization server's `jwks_uri` (RFC 8414 §2), fetched with http::Client
//     and cached for its Cache-Control max-age (clamped; 5 minutes without one). A `kid` it does
//     not know triggers a refetch at once (keys rotate; OpenID Connect Core §10.1.1), but at most
//     one such refetch per `unknown_kid_refetch_interval`, so a flood of tokens with random kids
//     cannot turn the resource server into a load generator against the authorization server.
//     A failed fetch keeps the keys it had (stale keys beat no keys) and is retried after the
//     same interval.
//
// Thread-safety: Find() and Ready() may be called from any number of threads. RemoteJwks fetches
// on the calling thread (the Authorizer hook is synchronous), one fetch at a time: a thread that
// needs a refetch for an unknown kid waits for the one in flight; a thread whose kid is known
// keeps using the current keys while a scheduled refresh runs. Ownership: RemoteJwks keeps
// references to the http::Client and the Clock, which must outlive it.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "mcpauth/core/clock.hpp"
#include "mcpauth/core/result.hpp"
#include "mcpauth/http/client.hpp"
#include "mcpauth/jose/jwk.hpp"
#include "mcpauth/jose/jwks.hpp"
#include "mcpauth/jose/jwt.hpp"

namespace mcpauth::oauth::resource {

class KeySource {
 public:
  virtual ~KeySource() = default;
  // The verification key named `kid`, or nullopt. May block to refetch (see RemoteJwks).
  virtual std::optional<jose::EcKey> Find(std::string_view kid) = 0;
  // False while the source has never obtained a key set (an unreachable jwks_uri).
  virtual bool Ready() const = 0;
};

class ResolverKeySource final : public KeySource {
 public:
  explicit ResolverKeySource(jose::KeyResolver resolver) : resolver_(std::move(resolver)) {}
  std::optional<jose::EcKey> Find(std::string_view kid) override { return resolver_(kid); }
  bool Ready() const override { return true; }

 private:
  jose::KeyResolver resolver_;
};

struct RemoteJwksOptions {
  std::string url;  // the authorization server's jwks_uri
  // Used when the response has no Cache-Control max-age.
  std::chrono::seconds default_max_age{300};
  // A max-age (or no-cache / no-store) is clamped into [min_max_age, max_max_age].
  std::chrono::seconds min_max_age{30};
  std::chrono::seconds max_max_age{std::chrono::hours(24)};
  // At most one refetch for an unknown kid per this interval; also the retry delay after a
  // failed fetch.
  std::chrono::seconds unknown_kid_refetch_interval{10};
  std::chrono::milliseconds timeout{5000};
};

class RemoteJwks final : public KeySource {
 public:
  RemoteJwks(http::Client& client, const Clock& clock, RemoteJwksOptions options);
  RemoteJwks(const RemoteJwks&) = delete;
  RemoteJwks& operator=(const RemoteJwks&) = delete;

  // Fetches now, whatever the schedule (start-up warm-up). Fails if the fetch fails or the
  // document is not a JWKS; the previous keys are kept then.
  Status Refresh();

  std::optional<jose::EcKey> Find(std::string_view kid) override;
  bool Ready() const override;

  // Fetch attempts so far (successful or not): lets tests see the rate limit.
  uint64_t fetches() const;

 private:
  struct State {
    std::shared_ptr<const jose::Jwks> keys;  // null until a fetch succeeded
    Clock::TimePoint refresh_at{};           // next scheduled fetch (after a failure: a retry)
    std::optional<Clock::TimePoint> last_unknown_kid_fetch;
  };
  State Snapshot() const;
  // Fetches and installs the keys. Call with fetch_mu_ held.
  Status FetchLocked();

  http::Client& client_;
  const Clock& clock_;
  const RemoteJwksOptions options_;
  std::mutex fetch_mu_;    // one fetch at a time; lock order: fetch_mu_, then mu_
  mutable std::mutex mu_;  // guards state_ and fetches_ (held briefly, never during I/O)
  State state_;
  uint64_t fetches_ = 0;
};

}  // namespace mcpauth::oauth::resource
