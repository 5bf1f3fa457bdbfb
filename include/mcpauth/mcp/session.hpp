// Legacy-era (2025-03-26 / 2025-06-18 / 2025-11-25) MCP sessions: the state an `Mcp-Session-Id`
// names, and the table that holds them.
//
// A session id is 256 random bits, base64url (visible ASCII, as Streamable HTTP requires). The
// table is bounded (the least recently used session is evicted past `max_sessions`) and sessions
// expire after `idle_timeout` without a request. A session belongs to the principal that created
// it: a request from another principal is treated as unknown (MCP security best practices,
// session hijacking). The 2026-07-28 era never uses this. Thread-safety: SessionTable is safe from
// any thread; a Session's mutable fields are guarded by its own mutex.
//
// Several nodes (docs/deploy.md): with a SessionPersistence the table is a cache of a shared
// store, so any node serves a session's POSTs. The hot path stays local: the store is read on a
// cache miss, written on create and delete, and touched lazily (when a tenth of the idle timeout
// has passed since the expiry was last pushed forward). An ended session reaches every node
// through Forget (the store's change feed); after a reconnection of that feed, Revalidate makes
// each cached session be checked against the store once more. A GET stream and the state that
// lives in it (replay buffer, log level, `initialized`) stay on the node that holds them.
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
#include <string_view>
#include <unordered_map>

#include "mcpauth/core/clock.hpp"
#include "mcpauth/core/random.hpp"
#include "mcpauth/http/exchange.hpp"

namespace mcpauth::mcp {

struct Session {
  std::string id;
  std::string id_hash;  // core::TokenHash(id) when persisted, else empty
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

  // Guarded by the table's lock (persisted sessions only): the expiry the store has, and the
  // table generation it was last checked in.
  Clock::TimePoint expires_at;
  uint64_t generation = 0;
};

// Where sessions live beyond one process: a store shared by several nodes. Ids are passed in
// clear; an implementation keeps only their hash. Every call may block on a database round trip.
class SessionPersistence {
 public:
  struct Record {
    std::string protocol_version;
    boost::json::object client_capabilities;
    boost::json::object client_info;
    std::string principal_key;
    Clock::TimePoint expires_at;
  };
  enum class Outcome { kOk, kNotFound, kUnavailable };

  virtual ~SessionPersistence() = default;
  // kOk, or kUnavailable (the store is away, or the id is taken: either way no session).
  virtual Outcome Save(std::string_view id, const Record& record, Clock::TimePoint now) = 0;
  // The live session into `out`; kNotFound if unknown or expired at `now`.
  virtual Outcome Load(std::string_view id, Clock::TimePoint now, Record& out) = 0;
  // Pushes a live session's expiry forward to `expires_at`; kNotFound if unknown or expired.
  virtual Outcome Touch(std::string_view id, Clock::TimePoint expires_at, Clock::TimePoint now) = 0;
  // Deletes the session; kNotFound if unknown.
  virtual Outcome Remove(std::string_view id) = 0;
};

class SessionTable {
 public:
  struct Options {
    size_t max_sessions = 10'000;
    std::chrono::seconds idle_timeout{30 * 60};
    size_t replay_events = 256;
  };

  // `persistence`, if set, must outlive the table (nullptr: this process only).
  SessionTable(const Clock& clock, SecureRandom& random, Options options,
               SessionPersistence* persistence = nullptr);

  // Creates a session for a successful initialize; nullptr if it could not be persisted (the
  // store is away: answer 503).
  std::shared_ptr<Session> Create(std::string protocol_version,
                                  boost::json::object client_capabilities,
                                  boost::json::object client_info, std::string principal_key);

  // The live session with this id for this principal, touched; nullptr if unknown, expired or
  // owned by another principal (all three answer 404: an id is no proof of anything). nullptr
  // with *store_unavailable set when the store could not be asked (answer 503).
  std::shared_ptr<Session> Find(std::string_view id, std::string_view principal_key,
                                bool* store_unavailable = nullptr);

  // Ends a session (DELETE), here and in the store; returns whether it existed for this
  // principal (false with *store_unavailable set when the store could not be asked).
  bool Remove(std::string_view id, std::string_view principal_key,
              bool* store_unavailable = nullptr);

  // Drops the cached session whose id hashes to `id_hash` (ended on another node), closing its
  // GET stream; the store is not asked.
  void Forget(std::string_view id_hash);

  // Makes every cached session be checked against the store on its next use (the change feed
  // reconnected: deletions may have been missed).
  void Revalidate();

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
  // Drops `session` from the cache if it is there, closing its GET stream.
  void Drop(const std::shared_ptr<Session>& session);
  // The persisted path of Find, outside the table's lock: `cached` is the cached session (or
  // nullptr), `fresh` whether it was checked in this generation and is unexpired.
  std::shared_ptr<Session> FindPersisted(std::string_view id, std::string_view principal_key,
                                         std::shared_ptr<Session> cached, bool fresh,
                                         bool* store_unavailable);

  const Clock& clock_;
  SecureRandom& random_;
  const Options options_;
  SessionPersistence* const persistence_;
  mutable std::mutex mu_;
  uint64_t generation_ = 0;                  // guarded by mu_
  std::list<std::shared_ptr<Session>> lru_;  // most recently used first
  std::unordered_map<std::string, std::list<std::shared_ptr<Session>>::iterator> by_id_;
};

}  // namespace mcpauth::mcp
