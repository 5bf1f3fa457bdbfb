#include "app/admin.hpp"

#include <boost/json.hpp>
#include <cstdio>

#include "mcpauth/core/clock.hpp"
#include "mcpauth/core/random.hpp"
#include "mcpauth/core/token.hpp"
#include "mcpauth/oauth/redirect_uri.hpp"
#include "mcpauth/oauth/signing_keys.hpp"

namespace mcpauth::app {
namespace {

const char* StateName(store::KeyState state) {
  switch (state) {
    case store::KeyState::kNext:
      return "next";
    case store::KeyState::kActive:
      return "active";
    case store::KeyState::kRetired:
      return "retired";
  }
  return "?";
}

const char* SourceName(store::RegistrationSource source) {
  switch (source) {
    case store::RegistrationSource::kStatic:
      return "static";
    case store::RegistrationSource::kDcr:
      return "dynamic";
    case store::RegistrationSource::kCimd:
      return "metadata-document";
  }
  return "?";
}

}  // namespace

int ListKeys(store::Store& store) {
  auto keys = store.ListSigningKeys();
  if (!keys) {
    std::fprintf(stderr, "cannot list keys: %s\n", keys.error().message().c_str());
    return 1;
  }
  for (const auto& key : *keys) {
    std::printf("%s  %s  %s\n", key.kid.c_str(), key.algorithm.c_str(), StateName(key.state));
  }
  return 0;
}

int RotateKeys(store::Store& store) {
  auto existing = store.ListSigningKeys();
  if (!existing) {
    std::fprintf(stderr, "cannot list keys: %s\n", existing.error().message().c_str());
    return 1;
  }
  oauth::SigningKeyManager keys(store, SystemClock::Instance());
  if (auto st = keys.EnsureActiveKey(); !st) {
    std::fprintf(stderr, "cannot load keys: %s\n", st.error().message().c_str());
    return 1;
  }
  if (existing->empty()) {
    // An empty store gets its first key, not that key and an immediate successor.
    auto first = keys.Current();
    std::printf("no key yet; created the first active key: %s\n",
                first ? first->kid.c_str() : "(unknown)");
    return 0;
  }
  auto kid = keys.Rotate();
  if (!kid) {
    std::fprintf(stderr, "cannot rotate: %s\n", kid.error().message().c_str());
    return 1;
  }
  std::printf("new active key: %s\n", kid->c_str());
  std::printf(
      "the previous key stays published until the tokens it signed have expired;\n"
      "running servers pick the new key up within a minute.\n");
  return 0;
}

int AddClient(store::Store& store, const ClientAddOptions& options) {
  if (options.redirect_uris.empty() && !options.resource_server) {
    std::fprintf(stderr, "a client needs at least one --redirect-uri\n");
    return 2;
  }
  for (const auto& uri : options.redirect_uris) {
    if (auto problem = oauth::RedirectUriProblem(uri); !problem.empty()) {
      std::fprintf(stderr, "--redirect-uri %s: %s\n", uri.c_str(), problem.c_str());
      return 2;
    }
  }
  const bool confidential = options.confidential || options.resource_server;
  store::Client client;
  client.client_id = "mcp_" + core::GenerateId(OpenSslRandom::Instance(), 16);
  client.name = options.name;
  client.redirect_uris = options.redirect_uris;
  client.grant_types = {"authorization_code", "refresh_token"};
  client.token_endpoint_auth_method = confidential ? "client_secret_basic" : "none";
  client.application_type = "native";
  client.source = store::RegistrationSource::kStatic;
  client.created_at = SystemClock::Instance().Now();
  boost::json::object metadata;
  metadata["client_name"] = options.name;
  if (options.resource_server) {
    metadata["mcpauth_resource_server"] = true;
  }
  client.metadata_json = boost::json::serialize(metadata);
  std::optional<Secret> secret;
  if (confidential) {
    secret = core::GenerateToken(OpenSslRandom::Instance());
    client.secret_hash = core::TokenHash(secret->Reveal());
  }
  if (auto st = store.CreateClient(client); !st) {
    std::fprintf(stderr, "cannot add the client: %s\n", st.error().message().c_str());
    return 1;
  }
  std::printf("client_id: %s\n", client.client_id.c_str());
  if (secret) {
    // Shown once: only its hash is stored.
    std::printf("client_secret: %s\n", std::string(secret->Reveal()).c_str());
    std::printf("(the secret is shown only now; it is stored as a hash)\n");
  }
  return 0;
}

int ListClients(store::Store& store) {
  auto clients = store.ListClients();
  if (!clients) {
    std::fprintf(stderr, "cannot list clients: %s\n", clients.error().message().c_str());
    return 1;
  }
  for (const auto& c : *clients) {
    std::printf("%s  %-18s %-12s %s\n", c.client_id.c_str(), SourceName(c.source),
                c.secret_hash ? "confidential" : "public", c.name.c_str());
  }
  return 0;
}

int RemoveClient(store::Store& store, const std::string& client_id) {
  if (auto st = store.DeleteClient(client_id, SystemClock::Instance().Now()); !st) {
    std::fprintf(stderr, "cannot remove %s: %s\n", client_id.c_str(), st.error().message().c_str());
    return 1;
  }
  std::printf("removed %s; its grants are revoked\n", client_id.c_str());
  return 0;
}

}  // namespace mcpauth::app
