// Administration subcommands of mcpauth-server on its store: signing keys and clients.
//
//   keys list                     the signing keys and their states
//   keys rotate                   a new active key; the old one stays published (SigningKeyManager)
//   client add NAME --redirect-uri URI... [--confidential] [--resource-server]
//                                 a pre-registered client; prints its id (and secret, once)
//   client list | client remove ID
// Each returns the process exit code; results go to stdout, errors to stderr.
#pragma once

#include <string>
#include <vector>

#include "mcpauth/store/store.hpp"

namespace mcpauth::app {

int ListKeys(store::Store& store);
int RotateKeys(store::Store& store);

struct ClientAddOptions {
  std::string name;
  std::vector<std::string> redirect_uris;
  bool confidential = false;
  bool resource_server = false;  // may introspect any token (implies confidential)
};
int AddClient(store::Store& store, const ClientAddOptions& options);
int ListClients(store::Store& store);
int RemoveClient(store::Store& store, const std::string& client_id);

}  // namespace mcpauth::app
