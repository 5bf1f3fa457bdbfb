// AuthorizationServer: the OAuth 2.1 authorization server's HTTP face. It registers its routes on
// an http::Router and answers them with the TokenService, the store, the pages and the password
// hasher.
//
// Routes (every path below is prefixed with the issuer's path, if it has one):
//   GET  /.well-known/oauth-authorization-server{path}   RFC 8414 metadata (AS1-AS3)
//   GET  /.well-known/openid-configuration{path}, {path}/.well-known/openid-configuration
//   GET  /jwks.json                                       the public signing keys
//   GET  /authorize, POST /authorize                      authorization request; consent (AS6-AS14)
//   GET  /login, POST /login, POST /logout                the sign-in page and the session
//   GET  /apps, POST /apps/disconnect                     Connected apps, Disconnect
//   POST /token                                           AS15-AS21
//   POST /register                                        RFC 7591 (AS23)
//   POST /revoke                                          RFC 7009 (AS25)
//   POST /introspect                                      RFC 7662
// The order of checks at /authorize, the cookie and CSRF scheme, the rate limits and the login
// lockout are described in docs/oauth-server.md.
//
// Threads: token, registration, revocation, introspection and metadata answer on the network
// thread (the SQLite store's transactions are short); password checks and metadata-document
// fetches run on the worker pool. Thread-safety: Register() once before the server starts;
// handlers then run concurrently. Ownership: keeps references to everything in
// AuthorizationServerDeps, which must outlive it and the router's use of it.
#pragma once

#include <memory>

#include "mcpauth/core/clock.hpp"
#include "mcpauth/core/random.hpp"
#include "mcpauth/core/rate_limiter.hpp"
#include "mcpauth/core/worker_pool.hpp"
#include "mcpauth/http/router.hpp"
#include "mcpauth/oauth/client_metadata_fetcher.hpp"
#include "mcpauth/oauth/password.hpp"
#include "mcpauth/oauth/server_config.hpp"
#include "mcpauth/oauth/signing_keys.hpp"
#include "mcpauth/oauth/token_service.hpp"
#include "mcpauth/store/store.hpp"

namespace mcpauth::oauth {

// Limits per remote address (and, for logins, per user name). burst 0 disables one.
struct AuthorizationServerLimits {
  core::RateLimit login_per_address{.burst = 20, .per_second = 20.0 / 300, .max_keys = 100'000};
  core::RateLimit login_per_username{.burst = 5, .per_second = 5.0 / 900, .max_keys = 100'000};
  // Failed token requests (bad code, refresh token or client credentials) per address; successful
  // ones cost nothing, so a busy legitimate client is never slowed down.
  core::RateLimit token_failures_per_address{.burst = 30, .per_second = 1, .max_keys = 100'000};
  core::RateLimit registrations_per_address{
      .burst = 30, .per_second = 30.0 / 3600, .max_keys = 100'000};
};

struct AuthorizationServerDeps {
  const AuthorizationServerConfig& config;
  store::Store& store;
  SigningKeyManager& keys;
  PasswordHasher& passwords;
  core::WorkerPool& pool;
  const Clock& clock;
  SecureRandom& random;
  ClientMetadataFetcher* metadata_fetcher = nullptr;  // null: metadata documents refused
  AuthorizationServerLimits limits = {};
};

class AuthorizationServer {
 public:
  explicit AuthorizationServer(AuthorizationServerDeps deps);
  ~AuthorizationServer();
  AuthorizationServer(const AuthorizationServer&) = delete;
  AuthorizationServer& operator=(const AuthorizationServer&) = delete;

  void Register(http::Router& router);

  TokenService& tokens();

  // Deletes expired codes and refresh tokens, grants revoked longer than an access-token lifetime
  // ago, and DCR clients that never obtained a grant within config.unused_client_lifetime.
  // Call it periodically (the server does, every 10 minutes).
  void Housekeeping();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mcpauth::oauth
