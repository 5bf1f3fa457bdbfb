// ClientMetadataFetcher: resolves a Client ID Metadata Document client_id (an https URL) into a
// store::Client, fetching the document safely and caching it.
//
// Fetching (CIMD draft §4, §6; MCP 2025-11-25 "Client ID Metadata Documents"; SPEC-CHECKLIST AS24):
//   - GET the URL with `Accept: application/json`; only a 200 with a JSON media type counts;
//   - redirects are never followed (a 3xx is an error);
//   - the answer is capped (max_document_bytes) and the whole exchange bounded (timeout);
//   - SSRF: unless allow_private_addresses, every address the host resolves to must be public:
//     loopback, RFC 1918, CGNAT (100.64/10), link-local (169.254/16, fe80::/10), unique-local
//     (fc00::/7), multicast, unspecified, documentation and IPv4-mapped forms of these are refused,
//     and the check is made on the address actually connected to (no DNS-rebinding window);
//   - the document is validated with ValidateMetadataDocument().
// Caching: a valid document is kept for the response's Cache-Control max-age (or Expires),
// clamped to [min_cache, max_cache]; `no-store`/`no-cache` give min_cache; default_cache when the
// response says nothing. Failures are never cached. The cached client is also written to the
// ClientStore (PutClient, source kCimd, expires_at = cache expiry) so grants can reference it.
//
// Blocking: Resolve() does network I/O; call it on a worker pool, never a network thread.
// Thread-safety: Resolve() may be called concurrently. Ownership: keeps references to the store
// and clock, which must outlive it.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "mcpauth/core/clock.hpp"
#include "mcpauth/oauth/client_registration.hpp"
#include "mcpauth/store/store.hpp"

namespace mcpauth::http {
class Client;
}

namespace mcpauth::oauth {

struct ClientMetadataFetcherOptions {
  bool allow_private_addresses = false;  // development only
  size_t max_document_bytes = 16 * 1024;
  std::chrono::milliseconds timeout{5000};
  std::chrono::seconds default_cache{std::chrono::minutes(10)};
  std::chrono::seconds min_cache{std::chrono::minutes(1)};
  std::chrono::seconds max_cache{std::chrono::hours(24)};
  std::string ca_file;  // PEM roots for tests; empty: the system's
};

// Success: the client; failure: a RegistrationError whose `error` is "invalid_client" and whose
// description says what went wrong in words a person can act on ("the metadata document at
// host X redirected; redirects are not followed", "... resolves to a private address", ...).
class ClientMetadataFetcher {
 public:
  ClientMetadataFetcher(store::ClientStore& store, const Clock& clock,
                        ClientMetadataFetcherOptions options = {});
  ~ClientMetadataFetcher();
  ClientMetadataFetcher(const ClientMetadataFetcher&) = delete;
  ClientMetadataFetcher& operator=(const ClientMetadataFetcher&) = delete;

  // The client for `client_id` (which must satisfy IsMetadataDocumentUrl): from the cache while
  // fresh, else fetched and validated.
  RegistrationResult Resolve(std::string_view client_id);

 private:
  struct Cached {
    store::Client client;
    Clock::TimePoint expires_at;
  };
  store::ClientStore& store_;
  const Clock& clock_;
  const ClientMetadataFetcherOptions options_;
  std::unique_ptr<http::Client> http_;
  std::mutex mu_;
  std::map<std::string, Cached, std::less<>> cache_;
};

}  // namespace mcpauth::oauth
