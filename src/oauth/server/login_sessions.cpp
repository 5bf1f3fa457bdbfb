#include "oauth/server/login_sessions.hpp"

#include <algorithm>
#include <array>

#include "mcpauth/core/token.hpp"

namespace mcpauth::oauth {

LoginSessions::LoginSessions(const Clock& clock, SecureRandom& random,
                             std::chrono::seconds lifetime, size_t max_sessions)
    : clock_(clock), random_(random), lifetime_(lifetime), max_sessions_(max_sessions) {}

Secret LoginSessions::Create(std::string user_id, std::string username) {
  Secret cookie = core::GenerateToken(random_);
  const auto now = clock_.Now();
  LoginSession session{std::move(user_id), std::move(username), core::GenerateId(random_, 16), now,
                       now + lifetime_};
  std::lock_guard lock(mu_);
  std::erase_if(sessions_, [&](const auto& kv) { return kv.second.expires_at <= now; });
  if (sessions_.size() >= max_sessions_) {
    auto oldest = std::min_element(
        sessions_.begin(), sessions_.end(),
        [](const auto& a, const auto& b) { return a.second.created_at < b.second.created_at; });
    sessions_.erase(oldest);
  }
  sessions_[core::TokenHash(cookie.Reveal())] = std::move(session);
  return cookie;
}

std::optional<LoginSession> LoginSessions::Find(std::string_view cookie_value) const {
  if (cookie_value.empty() || cookie_value.size() > 256) {
    return std::nullopt;
  }
  const std::string key = core::TokenHash(cookie_value);
  std::lock_guard lock(mu_);
  auto it = sessions_.find(key);
  if (it == sessions_.end() || it->second.expires_at <= clock_.Now()) {
    return std::nullopt;
  }
  return it->second;
}

void LoginSessions::End(std::string_view cookie_value) {
  const std::string key = core::TokenHash(cookie_value);
  std::lock_guard lock(mu_);
  sessions_.erase(key);
}

void LoginSessions::EndAllOf(std::string_view user_id) {
  std::lock_guard lock(mu_);
  std::erase_if(sessions_, [&](const auto& kv) { return kv.second.user_id == user_id; });
}

size_t LoginSessions::size() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

}  // namespace mcpauth::oauth
