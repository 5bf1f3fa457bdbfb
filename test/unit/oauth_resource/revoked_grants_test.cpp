#include "mcpauth/oauth/resource/revoked_grants.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "fakes/fake_clock.hpp"
#include "mcpauth/store/memory_store.hpp"

namespace mcpauth::oauth::resource {
namespace {

using namespace std::chrono_literals;

class RevokedGrantsTest : public ::testing::Test {
 protected:
  RevokedGrantsTest() : clock_(1'700'000'000), store_(store::OpenMemoryStore()) {}

  // A grant in the store, revoked at `at` (by "another node": only the store knows).
  void RevokeInStore(const std::string& id, Clock::TimePoint at) {
    store::Grant g{.id = id,
                   .user_id = "user-1",
                   .client_id = "client-1",
                   .scopes = {"mcp:read"},
                   .resource = "http://127.0.0.1:8080/mcp",
                   .created_at = at - 1h};
    ASSERT_TRUE(store_->CreateGrant(g).has_value());
    ASSERT_TRUE(store_->RevokeGrant(id, at).has_value());
  }

  testing::FakeClock clock_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(RevokedGrantsTest, AddThenContains) {
  RevokedGrants revoked;
  EXPECT_FALSE(revoked.Contains("g1"));
  revoked.Add("g1", clock_.Now());
  EXPECT_TRUE(revoked.Contains("g1"));
  EXPECT_FALSE(revoked.Contains("g2"));
  EXPECT_FALSE(revoked.Contains(""));
  revoked.Add("g1", clock_.Now());  // idempotent
  EXPECT_EQ(revoked.size(), 1u);
  revoked.Add("", clock_.Now());  // ignored
  EXPECT_EQ(revoked.size(), 1u);
}

TEST_F(RevokedGrantsTest, EntriesOlderThanTheRetentionAreDropped) {
  RevokedGrants revoked(RevokedGrantsOptions{.retention = 3600s});
  revoked.Add("old", clock_.Now());
  clock_.Advance(1800s);
  revoked.Add("new", clock_.Now());
  revoked.Purge(clock_.Now());
  EXPECT_EQ(revoked.size(), 2u);
  clock_.Advance(1801s);
  revoked.Purge(clock_.Now());
  EXPECT_FALSE(revoked.Contains("old"));
  EXPECT_TRUE(revoked.Contains("new"));
}

TEST_F(RevokedGrantsTest, TheEarliestRevocationTimeIsKept) {
  RevokedGrants revoked(RevokedGrantsOptions{.retention = 100s});
  revoked.Add("g", clock_.Now() - 50s);
  revoked.Add("g", clock_.Now());  // a later report of the same revocation
  clock_.Advance(51s);
  revoked.Purge(clock_.Now());
  EXPECT_FALSE(revoked.Contains("g"));
}

TEST_F(RevokedGrantsTest, SyncLoadsRevocationsMadeElsewhere) {
  RevokedGrants revoked(RevokedGrantsOptions{.retention = 3600s, .sync_margin = 5s});
  RevokeInStore("ancient", clock_.Now() - 2h);  // every token naming it has expired
  RevokeInStore("recent", clock_.Now() - 10min);
  ASSERT_TRUE(revoked.Sync(*store_, clock_.Now()).has_value());
  EXPECT_TRUE(revoked.Contains("recent"));
  EXPECT_FALSE(revoked.Contains("ancient"));

  // Later revocations by another node arrive with the next sync.
  clock_.Advance(1s);
  RevokeInStore("next", clock_.Now());
  EXPECT_FALSE(revoked.Contains("next"));
  ASSERT_TRUE(revoked.Sync(*store_, clock_.Now()).has_value());
  EXPECT_TRUE(revoked.Contains("next"));
  EXPECT_TRUE(revoked.Contains("recent"));
}

TEST_F(RevokedGrantsTest, SyncToleratesASlowClockOnTheRevokingNode) {
  RevokedGrants revoked(RevokedGrantsOptions{.retention = 3600s, .sync_margin = 5s});
  RevokeInStore("a", clock_.Now());
  ASSERT_TRUE(revoked.Sync(*store_, clock_.Now()).has_value());
  // Another node whose clock is 3 s behind writes its revocation after our sync: its revoked_at
  // is older than the newest we saw, but within the margin.
  RevokeInStore("b", clock_.Now() - 3s);
  clock_.Advance(1s);
  ASSERT_TRUE(revoked.Sync(*store_, clock_.Now()).has_value());
  EXPECT_TRUE(revoked.Contains("b"));
}

TEST_F(RevokedGrantsTest, SyncPurgesExpiredEntries) {
  RevokedGrants revoked(RevokedGrantsOptions{.retention = 60s});
  revoked.Add("local", clock_.Now());
  clock_.Advance(61s);
  ASSERT_TRUE(revoked.Sync(*store_, clock_.Now()).has_value());
  EXPECT_FALSE(revoked.Contains("local"));
  EXPECT_EQ(revoked.size(), 0u);
}

TEST_F(RevokedGrantsTest, ConcurrentAddAndContains) {
  RevokedGrants revoked;
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    while (!stop) {
      (void)revoked.Contains("g-5");
    }
  });
  for (int i = 0; i < 1000; ++i) {
    revoked.Add("g-" + std::to_string(i), clock_.Now());
  }
  stop = true;
  reader.join();
  EXPECT_EQ(revoked.size(), 1000u);
  EXPECT_TRUE(revoked.Contains("g-999"));
}

}  // namespace
}  // namespace mcpauth::oauth::resource
