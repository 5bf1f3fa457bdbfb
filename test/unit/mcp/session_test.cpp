#include "mcpauth/mcp/session.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace mcpauth::mcp
