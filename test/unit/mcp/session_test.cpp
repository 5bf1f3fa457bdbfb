#include "mcpauth/mcp/session.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "fakes/fake_clock.hpp"
#include "fakes/sequence_random.hpp"

namespace mcpauth::mcp {
namespace {

using namespace std::chrono_literals;

class SessionTableTest : public ::testing::Test {
 protected:
  SessionTable Make(size_t max_sessions = 10, std::chrono::seconds idle = 60s) {
    return SessionTable(clock_, OpenSslRandom::Instance(),
                        SessionTable::Options{.max_sessions = max_sessions, .idle_timeout = idle});
  }
  testing::FakeClock clock_;
};

TEST_F(SessionTableTest, IdsAreVisibleAsciiAndUnique) {
  auto table = Make(1000);
  std::set<std::string> ids;
  for (int i = 0; i < 200; ++i) {
    auto s = table.Create("2025-11-25", {}, {}, "alice\nc1");
    EXPECT_GE(s->id.size(), 43u);  // 256 bits, base64url
    for (char c : s->id) {
      EXPECT_TRUE(c >= 0x21 && c <= 0x7E);
    }
    ids.insert(s->id);
  }
  EXPECT_EQ(ids.size(), 200u);
}

TEST_F(SessionTableTest, BelongsToThePrincipalThatCreatedIt) {
  auto table = Make();
  auto s = table.Create("2025-11-25", {}, {}, "alice\nc1");
  EXPECT_NE(table.Find(s->id, "alice\nc1"), nullptr);
  EXPECT_EQ(table.Find(s->id, "mallory\nc1"), nullptr);  // a stolen id is useless
  EXPECT_EQ(table.Find(s->id, "alice\nc2"), nullptr);
  EXPECT_FALSE(table.Remove(s->id, "mallory\nc1"));
  EXPECT_TRUE(table.Remove(s->id, "alice\nc1"));
  EXPECT_EQ(table.Find(s->id, "alice\nc1"), nullptr);
}

TEST_F(SessionTableTest, ExpiresWhenIdleAndUseKeepsItAlive) {
  auto table = Make(10, 60s);
  auto a = table.Create("2025-11-25", {}, {}, "");
  auto b = table.Create("2025-11-25", {}, {}, "");
  clock_.Advance(40s);
  EXPECT_NE(table.Find(a->id, ""), nullptr);  // a is used, b is not
  clock_.Advance(40s);
  EXPECT_NE(table.Find(a->id, ""), nullptr);
  EXPECT_EQ(table.Find(b->id, ""), nullptr);  // idle 80 s > 60 s
  EXPECT_EQ(table.size(), 1u);
}

TEST_F(SessionTableTest, BoundedByEvictingTheLeastRecentlyUsed) {
  auto table = Make(3);
  auto a = table.Create("2025-11-25", {}, {}, "");
  auto b = table.Create("2025-11-25", {}, {}, "");
  auto c = table.Create("2025-11-25", {}, {}, "");
  ASSERT_NE(table.Find(a->id, ""), nullptr);  // a becomes the most recently used
  auto d = table.Create("2025-11-25", {}, {}, "");
  EXPECT_EQ(table.size(), 3u);
  EXPECT_EQ(table.Find(b->id, ""), nullptr);  // b was the least recently used
  EXPECT_NE(table.Find(a->id, ""), nullptr);
  EXPECT_NE(table.Find(c->id, ""), nullptr);
  EXPECT_NE(table.Find(d->id, ""), nullptr);
}

TEST_F(SessionTableTest, ReplayBufferIsBoundedAndNumbered) {
  SessionTable table(clock_, OpenSslRandom::Instance(), SessionTable::Options{.replay_events = 3});
  auto s = table.Create("2025-11-25", {}, {}, "");
  for (int i = 0; i < 5; ++i) {
    table.SendOnGetStream(*s, "event " + std::to_string(i));
  }
  std::lock_guard lock(s->mu);
  ASSERT_EQ(s->replay.size(), 3u);
  EXPECT_EQ(s->replay.front().first, 3u);
  EXPECT_EQ(s->replay.back().first, 5u);
  EXPECT_EQ(s->replay.back().second, "event 4");
}

// A shared store of sessions, as several nodes see it (the real one: app::StoreSessionPersistence
// on PostgreSQL, covered by test/scale/two_nodes.py), counting its round trips.
class FakePersistence final : public SessionPersistence {
 public:
  Outcome Save(std::string_view id, const Record& record, Clock::TimePoint) override {
    ++calls;
    if (down) {
      return Outcome::kUnavailable;
    }
    rows[std::string(id)] = record;
    return Outcome::kOk;
  }
  Outcome Load(std::string_view id, Clock::TimePoint now, Record& out) override {
    return WithLive(id, now, [&](Record& r) { out = r; });
  }
  Outcome Touch(std::string_view id, Clock::TimePoint expires_at, Clock::TimePoint now) override {
    return WithLive(id, now, [&](Record& r) { r.expires_at = std::max(r.expires_at, expires_at); });
  }
  Outcome Remove(std::string_view id) override {
    ++calls;
    if (down) {
      return Outcome::kUnavailable;
    }
    return rows.erase(std::string(id)) ? Outcome::kOk : Outcome::kNotFound;
  }

  // Calls `fn` with the live record of `id`, counting the round trip.
  template <class Fn>
  Outcome WithLive(std::string_view id, Clock::TimePoint now, Fn&& fn) {
    ++calls;
    if (down) {
      return Outcome::kUnavailable;
    }
    auto it = rows.find(std::string(id));
    if (it == rows.end() || now >= it->second.expires_at) {
      return Outcome::kNotFound;
    }
    fn(it->second);
    return Outcome::kOk;
  }

  std::map<std::string, Record> rows;
  int calls = 0;
  bool down = false;
};

class PersistedSessionTest : public SessionTableTest {
 protected:
  SessionTable Node() {
    return SessionTable(clock_, OpenSslRandom::Instance(),
                        SessionTable::Options{.idle_timeout = 600s}, &store_);
  }
  FakePersistence store_;
};

TEST_F(PersistedSessionTest, AnyNodeServesASessionForItsPrincipalOnly) {
  auto a = Node();
  auto b = Node();
  auto s = a.Create("2025-06-18", {{"roots", boost::json::object()}}, {}, "alice\nc1");
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(store_.rows.size(), 1u);
  EXPECT_EQ(b.Find(s->id, "mallory\nc1"), nullptr);
  auto at_b = b.Find(s->id, "alice\nc1");
  ASSERT_NE(at_b, nullptr);
  EXPECT_EQ(at_b->protocol_version, "2025-06-18");
  EXPECT_TRUE(at_b->client_capabilities.contains("roots"));
  EXPECT_EQ(at_b->id_hash, s->id_hash);
  EXPECT_EQ(b.Find(s->id, "mallory\nc1"), nullptr);  // cached: still refused
}

TEST_F(PersistedSessionTest, CachedSessionsCostNoRoundTripUntilTheExpiryNeedsAPush) {
  auto a = Node();
  auto s = a.Create("2025-06-18", {}, {}, "alice\nc1");
  const int after_create = store_.calls;
  for (int i = 0; i < 100; ++i) {
    ASSERT_NE(a.Find(s->id, "alice\nc1"), nullptr);
  }
  EXPECT_EQ(store_.calls, after_create);
  clock_.Advance(61s);  // past a tenth of the idle timeout: one touch, then none again
  ASSERT_NE(a.Find(s->id, "alice\nc1"), nullptr);
  ASSERT_NE(a.Find(s->id, "alice\nc1"), nullptr);
  EXPECT_EQ(store_.calls, after_create + 1);
  EXPECT_EQ(store_.rows.begin()->second.expires_at, clock_.Now() + 600s);
}

TEST_F(PersistedSessionTest, AnEndedSessionIsGoneEverywhere) {
  auto a = Node();
  auto b = Node();
  auto s = a.Create("2025-06-18", {}, {}, "alice\nc1");
  ASSERT_NE(b.Find(s->id, "alice\nc1"), nullptr);
  EXPECT_FALSE(b.Remove(s->id, "mallory\nc1"));
  ASSERT_TRUE(b.Remove(s->id, "alice\nc1"));
  EXPECT_TRUE(store_.rows.empty());
  // Node a still caches it until the store's notification arrives: Forget is what it calls.
  a.Forget(s->id_hash);
  EXPECT_EQ(a.size(), 0u);
  EXPECT_EQ(a.Find(s->id, "alice\nc1"), nullptr);
}

TEST_F(PersistedSessionTest, RevalidateChecksCachedSessionsAgainstTheStore) {
  auto a = Node();
  auto s = a.Create("2025-06-18", {}, {}, "alice\nc1");
  store_.rows.clear();  // deleted elsewhere while a's notifications were lost
  ASSERT_NE(a.Find(s->id, "alice\nc1"), nullptr);
  a.Revalidate();
  EXPECT_EQ(a.Find(s->id, "alice\nc1"), nullptr);
  EXPECT_EQ(a.size(), 0u);
}

TEST_F(PersistedSessionTest, AnUnavailableStoreIsToldApartFromAnUnknownSession) {
  auto a = Node();
  auto s = a.Create("2025-06-18", {}, {}, "alice\nc1");
  store_.down = true;
  EXPECT_EQ(a.Create("2025-06-18", {}, {}, "alice\nc1"), nullptr);
  bool unavailable = false;
  EXPECT_NE(a.Find(s->id, "alice\nc1", &unavailable), nullptr);  // cached: still served
  EXPECT_FALSE(unavailable);
  auto b = Node();
  EXPECT_EQ(b.Find(s->id, "alice\nc1", &unavailable), nullptr);
  EXPECT_TRUE(unavailable);
  store_.down = false;
  unavailable = false;
  EXPECT_NE(b.Find(s->id, "alice\nc1", &unavailable), nullptr);
  EXPECT_EQ(b.Find("unknown", "alice\nc1", &unavailable), nullptr);
  EXPECT_FALSE(unavailable);
}

TEST_F(PersistedSessionTest, ExpiresInTheStoreWhenIdleOnEveryNode) {
  auto a = Node();
  auto b = Node();
  auto s = a.Create("2025-06-18", {}, {}, "alice\nc1");
  clock_.Advance(300s);
  ASSERT_NE(b.Find(s->id, "alice\nc1"), nullptr);  // used at b: pushed to now + 600 s
  clock_.Advance(400s);                            // 700 s after creation, 400 s after the use at b
  EXPECT_NE(a.Find(s->id, "alice\nc1"), nullptr);
  clock_.Advance(601s);
  EXPECT_EQ(b.Find(s->id, "alice\nc1"), nullptr);
}

}  // namespace
}  // namespace mcpauth::mcp
