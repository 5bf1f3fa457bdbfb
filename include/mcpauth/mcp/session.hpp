// Legacy-era (2025-03-26 / 2025-06-18 / 2025-11-25) MCP sessions: the state an `Mcp-Session-Id`
// names, and the table that holds them.
//
// A session id is 256 random bits, base64url (visible ASCII, as Streamable HTTP requires). The
// table is bounded (the least recently used session is evicted past `max_sessions`) and sessions
// expire after `idle_timeout` without a request. A session belongs to the principal that created
// it: a request from another principal is treated as unknown (MCP security best practices,
// session hijacking). The 2026-07-28 era never uses this. Thread-safety: SessionTable is safe from
// any thread; a Session's mutable fields are guarded by its own mutex.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "mcpauth/core/clock.hpp"
#include "mcpauth/core/random.hpp"
#include "mcpauth/http/exchange.hpp"

namespace mcpauth::mcp {

struct Session {
  std::string id;
  std::string protocol_version;
  boost::json::object client_capabilities;
  boost::json::object client_info;
  std::string principal_key;  // subject + client id; empty when auth is off

  std::mutex mu;             // guards the fields below
  bool initialized = false;  // notifications/initialized received
  std::string log_level;     // logging/setLevel; empty: no notifications/message
  std::shared_ptr<http::EventStream> get_stream;  // the open GET stream, if any
  // Events sent on the GET stream, for Last-Event-ID resumption (bounded).
  std::deque<std::pair<uint64_t, std::string>> replay;
  uint64_t next_event_id = 1;
  Clock::TimePoint last_used;
};

class SessionTable {
 public:
  struct Options {
    size_t max_sessions = 10'000;
    std::chrono::seconds idle_timeout{30 * 60};
    size_t replay_events = 256;
  };

  SessionTable(const Clock& clock, SecureRandom& random, Options options);

  // Creates a session for a successful initialize.
  std::shared_ptr<Session> Create(std::string protocol_version,
                                  boost::json::object client_capabilities,
                                  boost::json::object client_info, std::string principal_key);

  // The live session with this id for this principal, touched; nullptr if unknown, expired or
  // owned by another principal (all three answer 404: an id is no proof of anything).
  std::shared_ptr<Session> Find(std::string_view id, std::string_view principal_key);

  // Ends a session (DELETE); returns whether it existed for this principal.
  bool Remove(std::string_view id, std::string_view principal_key);

  size_t size() const;
  const Options& options() const { return options_; }

  // Calls `fn` for every live session (under the table's lock: keep `fn` short, and take only
  // the session's own lock inside it).
  void ForEach(const std::function<void(Session&)>& fn) const;

  // Sends a server-initiated message on the session's GET stream with the next event id, keeping
  // it in the bounded replay buffer for Last-Event-ID resumption (2025 transports, resumability).
  void SendOnGetStream(Session& session, std::string data) const;

 private:
  void EvictLocked();

  const Clock& clock_;
  SecureRandom& random_;
  const Options options_;
  mutable std::mutex mu_;
  std::list<std::shared_ptr<Session>> lru_;  // most recently used first
  std::unordered_map<std::string, std::list<std::shared_ptr<Session>>::iterator> by_id_;
};

}  // namespace mcpauth::mcp
