#include "mcpauth/mcp/session.hpp"

#include <algorithm>

#include "mcpauth/core/crypto.hpp"
#include "mcpauth/core/token.hpp"

namespace mcpauth::mcp {

namespace {

using Outcome = SessionPersistence::Outcome;

void CloseStream(Session& session) {
  std::lock_guard slock(session.mu);
  if (session.get_stream) {
    session.get_stream->Close();
  }
}

}  // namespace

SessionTable::SessionTable(const Clock& clock, SecureRandom& random, Options options,
                           SessionPersistence* persistence)
    : clock_(clock), random_(random), options_(options), persistence_(persistence) {}

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
  if (persistence_ != nullptr) {
    s->id_hash = core::TokenHash(s->id);
    s->expires_at = s->last_used + options_.idle_timeout;
    const SessionPersistence::Record record{.protocol_version = s->protocol_version,
                                            .client_capabilities = s->client_capabilities,
                                            .client_info = s->client_info,
                                            .principal_key = s->principal_key,
                                            .expires_at = s->expires_at};
    if (persistence_->Save(s->id, record, s->last_used) != Outcome::kOk) {
      return nullptr;
    }
  }
  std::lock_guard lock(mu_);
  s->generation = generation_;
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
    CloseStream(*victim);
    by_id_.erase(victim->id);
    lru_.pop_back();
  }
}

std::shared_ptr<Session> SessionTable::Find(std::string_view id, std::string_view principal_key,
                                            bool* store_unavailable) {
  std::shared_ptr<Session> cached;
  bool fresh = false;
  {
    std::lock_guard lock(mu_);
    EvictLocked();
    auto it = by_id_.find(std::string(id));
    if (it != by_id_.end()) {
      cached = *it->second;
      // Constant-time: the key is derived from the caller's token, not a secret, but cheap to do.
      if (!core::ConstantTimeEquals(cached->principal_key, principal_key)) {
        return nullptr;
      }
      cached->last_used = clock_.Now();
      lru_.splice(lru_.begin(), lru_, it->second);
      if (persistence_ == nullptr) {
        return cached;
      }
      fresh = cached->generation == generation_ && cached->last_used < cached->expires_at;
      // The hot path of several nodes: no store round trip until a tenth of the idle timeout
      // has passed since the expiry was last pushed forward.
      if (fresh && cached->last_used + options_.idle_timeout - cached->expires_at <=
                       options_.idle_timeout / 10) {
        return cached;
      }
    }
  }
  if (persistence_ == nullptr) {
    return nullptr;
  }
  return FindPersisted(id, principal_key, std::move(cached), fresh, store_unavailable);
}

std::shared_ptr<Session> SessionTable::FindPersisted(std::string_view id,
                                                     std::string_view principal_key,
                                                     std::shared_ptr<Session> cached, bool fresh,
                                                     bool* store_unavailable) {
  const auto now = clock_.Now();
  auto unavailable = [&] {
    if (store_unavailable != nullptr) {
      *store_unavailable = true;
    }
    return nullptr;
  };
  if (!fresh) {
    // Not cached, or possibly ended or expired meanwhile: ask the store.
    SessionPersistence::Record record;
    switch (persistence_->Load(id, now, record)) {
      case Outcome::kUnavailable:
        return unavailable();
      case Outcome::kNotFound:
        if (cached) {
          Drop(cached);
        }
        return nullptr;
      case Outcome::kOk:
        break;
    }
    if (!core::ConstantTimeEquals(record.principal_key, principal_key)) {
      return nullptr;
    }
    std::lock_guard lock(mu_);
    if (!cached) {
      if (auto it = by_id_.find(std::string(id)); it != by_id_.end()) {
        cached = *it->second;  // loaded by a concurrent request meanwhile
      } else {
        cached = std::make_shared<Session>();
        cached->id = std::string(id);
        cached->id_hash = core::TokenHash(id);
        cached->protocol_version = std::move(record.protocol_version);
        cached->client_capabilities = std::move(record.client_capabilities);
        cached->client_info = std::move(record.client_info);
        cached->principal_key = std::move(record.principal_key);
        cached->last_used = now;
        lru_.push_front(cached);
        by_id_[cached->id] = lru_.begin();
      }
    }
    cached->expires_at = std::max(cached->expires_at, record.expires_at);
    cached->generation = generation_;
    EvictLocked();
    if (now + options_.idle_timeout - cached->expires_at <= options_.idle_timeout / 10) {
      return cached;
    }
  }
  // Push the expiry forward (lazily: see Find).
  const auto expires_at = now + options_.idle_timeout;
  switch (persistence_->Touch(id, expires_at, now)) {
    case Outcome::kOk: {
      std::lock_guard lock(mu_);
      cached->expires_at = std::max(cached->expires_at, expires_at);
      return cached;
    }
    case Outcome::kNotFound:  // ended on another node (its notification may be on the way)
      Drop(cached);
      return nullptr;
    case Outcome::kUnavailable:  // still live when last seen: serve it, touch next time
      return cached;
  }
  return cached;
}

bool SessionTable::Remove(std::string_view id, std::string_view principal_key,
                          bool* store_unavailable) {
  auto session = Find(id, principal_key, store_unavailable);
  if (!session) {
    return false;
  }
  if (persistence_ != nullptr) {
    // kNotFound: ended or expired meanwhile elsewhere; gone either way.
    if (persistence_->Remove(id) == Outcome::kUnavailable) {
      if (store_unavailable != nullptr) {
        *store_unavailable = true;
      }
      return false;
    }
  }
  Drop(session);
  return true;
}

void SessionTable::Drop(const std::shared_ptr<Session>& session) {
  {
    std::lock_guard lock(mu_);
    auto it = by_id_.find(session->id);
    if (it == by_id_.end() || *it->second != session) {
      return;
    }
    lru_.erase(it->second);
    by_id_.erase(it);
  }
  CloseStream(*session);
}

void SessionTable::Forget(std::string_view id_hash) {
  std::shared_ptr<Session> forgotten;
  {
    std::lock_guard lock(mu_);
    // A linear scan: deletions are rare next to requests, which must not pay for a second index.
    for (auto it = lru_.begin(); it != lru_.end(); ++it) {
      if ((*it)->id_hash == id_hash) {
        forgotten = *it;
        by_id_.erase(forgotten->id);
        lru_.erase(it);
        break;
      }
    }
  }
  if (forgotten) {
    CloseStream(*forgotten);
  }
}

void SessionTable::Revalidate() {
  std::lock_guard lock(mu_);
  ++generation_;
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
