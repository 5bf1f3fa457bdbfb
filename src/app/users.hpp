// User administration for mcpauth-server: the `user` subcommands and the first-start account.
//
// Users live in the server's store (SQLite at <data-dir>/mcpauth.db). Passwords are read from
// standard input (never from the command line, where `ps` and shell history would see them) and
// kept only as Argon2id hashes.
#pragma once

#include <string>

#include "mcpauth/store/store.hpp"

namespace mcpauth::app {

// <data-dir>/mcpauth.db as the store URL.
std::string StorePathFor(const std::string& data_dir);

// `user add NAME`, `user passwd NAME` (password from stdin), `user list`, `user remove NAME`.
// Returns the process exit code; messages go to stdout (results) and stderr (errors).
int AddUser(store::Store& store, const std::string& name);
int ChangePassword(store::Store& store, const std::string& name);
int ListUsers(store::Store& store);
int RemoveUser(store::Store& store, const std::string& name);

// On a store without users: creates "admin" with a random one-time password, printed once to
// standard output (never to the log). Returns false on a store error.
bool EnsureFirstUser(store::Store& store);

}  // namespace mcpauth::app
