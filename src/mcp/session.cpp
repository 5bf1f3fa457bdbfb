#include "mcpauth/mcp/session.hpp"

#include "mcpauth/core/crypto.hpp"
#include "mcpauth/core/token.hpp"

namespace mcpauth::mcp {

SessionTable::SessionTable(const Clock& clock, SecureRandom& random, Options options)
    : clock_(clock), random_(random), options_(options) {}

std::shared_ptr<Session> SessionTable::Create(std::string protocol_version,
                                              boost::json::object client_capabilities,
                                              boost::json::object client_info,
                                              std::string principal_key) {
  auto s = std::make_shared<Session>();
  // 256 random bits: unguessable, and base64url is visible ASCII (0x21-0x7E) as required.
  s->id = core::GenerateId(random_, 32);
  s->protocol_version = std::move(protocol_version);
  s->client_capabilities = std::move(client_capabilities);
  s->client_info = std::move(client_info);
  s->principal_key = std::move(principal_key);
  s->last_used = clock_.Now();
  std::lock_guard lock(mu_);
  lru_.push_front(s);
  by_id_[s->id] = lru_.begin();
  EvictLocked();
  return s;
}

void SessionTable::EvictLocked() {
  const auto now = clock_.Now();
  // Expired sessions sit at the back (least recently used); so do the ones past the bound.
  while (!lru_.empty() && (lru_.size() > options_.max_sessions ||
                           now - lru_.back()->last_used > options_.idle_timeout)) {
    auto& victim = lru_.back();
    {
      std::lock_guard slock(victim->mu);
      if (victim->get_stream) {
        victim->get_stream->Close();
      }
    }
    by_id_.erase(victim->id);
    lru_.pop_back();
  }
}

std::shared_ptr<Session> SessionTable::Find(std::string_view id, std::string_view principal_key) {
  std::lock_guard lock(mu_);
  EvictLocked();
  auto it = by_id_.find(std::string(id));
  if (it == by_id_.end()) {
    return nullptr;
  }
  auto session = *it->second;
  // Constant-time: the key is derived from the caller's token, not a secret, but cheap to do.
  if (!core::ConstantTimeEquals(session->principal_key, principal_key)) {
    return nullptr;
  }
  session->last_used = clock_.Now();
  lru_.splice(lru_.begin(), lru_, it->second);
  return session;
}

bool SessionTable::Remove(std::string_view id, std::string_view principal_key) {
  std::shared_ptr<Session> removed;
  {
    std::lock_guard lock(mu_);
    auto it = by_id_.find(std::string(id));
    if (it == by_id_.end() ||
        !core::ConstantTimeEquals((*it->second)->principal_key, principal_key)) {
      return false;
    }
    removed = *it->second;
    lru_.erase(it->second);
    by_id_.erase(it);
  }
  std::lock_guard slock(removed->mu);
  if (removed->get_stream) {
    removed->get_stream->Close();
  }
  return true;
}

void SessionTable::ForEach(const std::function<void(Session&)>& fn) const {
  std::lock_guard lock(mu_);
  for (const auto& s : lru_) {
    fn(*s);
  }
}

void SessionTable::SendOnGetStream(Session& session, std::string data) const {
  std::lock_guard lock(session.mu);
  const uint64_t id = session.next_event_id++;
  if (session.get_stream && !session.get_stream->closed()) {
    session.get_stream->Send(http::SseEvent{.id = std::to_string(id), .data = data});
  }
  session.replay.emplace_back(id, std::move(data));
  while (session.replay.size() > options_.replay_events) {
    session.replay.pop_front();
  }
}

size_t SessionTable::size() const {
  std::lock_guard lock(mu_);
  return lru_.size();
}

}  // namespace mcpauth::mcp
