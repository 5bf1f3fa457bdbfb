// LoginSessions: the browser sessions of the login, consent and Connected apps pages.
//
// A session is created by a successful login and named by a 256-bit random value sent to the
// browser in a cookie; the table keys it by TokenHash(value), so a memory dump holds no usable
// cookie. Each session has its own CSRF token (128-bit, hex) that every form of a signed-in page
// carries and every POST must echo (compared in constant time). Sessions expire after `lifetime`
// from login (absolute, no sliding), end at logout, and at most `max_sessions` are kept (the
// oldest goes first).
//
// In memory, per process: several nodes behind a load balancer need sticky routing for the pages
// (docs/oauth-server.md); tokens, grants and consents are in the shared store.
//
// Thread-safety: every method may be called concurrently. Ownership: keeps references to the
// clock and random source, which must outlive it.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "mcpauth/core/clock.hpp"
#include "mcpauth/core/random.hpp"
#include "mcpauth/core/secret.hpp"

namespace mcpauth::oauth {

struct LoginSession {
  std::string user_id;
  std::string username;
  std::string csrf_token;
  Clock::TimePoint created_at;
  Clock::TimePoint expires_at;
};

class LoginSessions {
 public:
  LoginSessions(const Clock& clock, SecureRandom& random, std::chrono::seconds lifetime,
                size_t max_sessions = 100'000);

  // Starts a session; returns the cookie value.
  Secret Create(std::string user_id, std::string username);
  // The live session named by a cookie value, or nullopt.
  std::optional<LoginSession> Find(std::string_view cookie_value) const;
  void End(std::string_view cookie_value);
  // Ends every session of a user (deleted or disabled account).
  void EndAllOf(std::string_view user_id);
  size_t size() const;

 private:
  const Clock& clock_;
  SecureRandom& random_;
  const std::chrono::seconds lifetime_;
  const size_t max_sessions_;
  mutable std::mutex mu_;
  std::map<std::string, LoginSession, std::less<>> sessions_;  // by TokenHash(cookie)
};

}  // namespace mcpauth::oauth
