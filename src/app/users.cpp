#include "app/users.hpp"

#include <cstdio>
#include <iostream>
#include <string>

#include "mcpauth/core/clock.hpp"
#include "mcpauth/core/random.hpp"
#include "mcpauth/core/token.hpp"
#include "mcpauth/oauth/password.hpp"

namespace mcpauth::app {
namespace {

// One line from stdin, without its line ending. Empty on EOF.
Secret ReadPassword() {
  std::string line;
  std::getline(std::cin, line);
  if (!line.empty() && line.back() == '\r') {
    line.pop_back();
  }
  return Secret(std::move(line));
}

bool ValidUsername(const std::string& name) {
  if (name.empty() || name.size() > 64) {
    return false;
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-' || c == '@';
    if (!ok) {
      return false;
    }
  }
  return true;
}

std::optional<std::string> HashOrReport(const Secret& password) {
  oauth::PasswordHasher hasher(OpenSslRandom::Instance());
  auto hash = hasher.Hash(password);
  if (!hash) {
    std::fprintf(stderr, "mcpauth-server: the password must be 1 to %zu bytes\n",
                 oauth::kMaxPasswordBytes);
    return std::nullopt;
  }
  return *hash;
}

int AddWithPassword(store::Store& store, const std::string& name, const Secret& password) {
  if (!ValidUsername(name)) {
    std::fprintf(stderr, "mcpauth-server: a user name is 1-64 of A-Z a-z 0-9 . _ - @\n");
    return 2;
  }
  auto hash = HashOrReport(password);
  if (!hash) {
    return 2;
  }
  store::User user;
  user.id = core::GenerateId(OpenSslRandom::Instance(), 16);
  user.username = name;
  user.password_hash = *hash;
  user.created_at = SystemClock::Instance().Now();
  if (auto st = store.CreateUser(user); !st) {
    std::fprintf(stderr, "mcpauth-server: cannot add user %s: %s\n", name.c_str(),
                 st.error().message().c_str());
    return 1;
  }
  return 0;
}

}  // namespace

std::string StorePathFor(const std::string& data_dir) { return data_dir + "/mcpauth.db"; }

int AddUser(store::Store& store, const std::string& name) {
  const Secret password = ReadPassword();
  const int rc = AddWithPassword(store, name, password);
  if (rc == 0) {
    std::printf("added user %s\n", name.c_str());
  }
  return rc;
}

int ChangePassword(store::Store& store, const std::string& name) {
  auto user = store.FindUserByUsername(name);
  if (!user) {
    std::fprintf(stderr, "mcpauth-server: no user %s\n", name.c_str());
    return 1;
  }
  auto hash = HashOrReport(ReadPassword());
  if (!hash) {
    return 2;
  }
  if (auto st = store.SetPasswordHash(user->id, *hash); !st) {
    std::fprintf(stderr, "mcpauth-server: %s\n", st.error().message().c_str());
    return 1;
  }
  std::printf("password changed for %s\n", name.c_str());
  return 0;
}

int ListUsers(store::Store& store) {
  auto users = store.ListUsers();
  if (!users) {
    std::fprintf(stderr, "mcpauth-server: %s\n", users.error().message().c_str());
    return 1;
  }
  for (const auto& u : *users) {
    std::printf("%s%s\n", u.username.c_str(), u.disabled ? "\t(disabled)" : "");
  }
  return 0;
}

int RemoveUser(store::Store& store, const std::string& name) {
  auto user = store.FindUserByUsername(name);
  if (!user) {
    std::fprintf(stderr, "mcpauth-server: no user %s\n", name.c_str());
    return 1;
  }
  if (auto st = store.DeleteUser(user->id, SystemClock::Instance().Now()); !st) {
    std::fprintf(stderr, "mcpauth-server: %s\n", st.error().message().c_str());
    return 1;
  }
  std::printf("removed user %s (its grants are revoked)\n", name.c_str());
  return 0;
}

bool EnsureFirstUser(store::Store& store) {
  auto users = store.ListUsers();
  if (!users) {
    return false;
  }
  if (!users->empty()) {
    return true;
  }
  // 128 random bits: strong enough for a one-time password the operator changes at once.
  const Secret password(core::GenerateId(OpenSslRandom::Instance(), 16));
  if (AddWithPassword(store, "admin", password) != 0) {
    // Another node sharing the store (PostgreSQL) may have created it at the same moment.
    auto again = store.ListUsers();
    return again && !again->empty();
  }
  std::printf(
      "\n  No user existed, so one was created. This password is shown only once:\n"
      "    user:     admin\n    password: %.*s\n"
      "  Change it with: mcpauth-server user passwd admin --password-stdin\n\n",
      static_cast<int>(password.Reveal().size()), password.Reveal().data());
  std::fflush(stdout);
  return true;
}

}  // namespace mcpauth::app
