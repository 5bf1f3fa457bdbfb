// OpenStore's URL forms, the error category, and the pure rules both backends share.
#include "mcpauth/store/store.hpp"

#include <gtest/gtest.h>

#include "fakes/fake_clock.hpp"
#include "store/common.hpp"
#include "store_test_support.hpp"

namespace mcpauth::store {
namespace {

using namespace std::chrono_literals;
using storetest::TempDir;

TEST(OpenStoreTest, OpensEachBackendByUrl) {
  auto memory = OpenStore("memory:");
  ASSERT_TRUE(memory);
  EXPECT_EQ((*memory)->Backend(), "memory");

  TempDir tmp;
  auto sqlite = OpenStore("sqlite:" + (tmp.path() / "a.db").string());
  ASSERT_TRUE(sqlite) << sqlite.error().message();
  EXPECT_EQ((*sqlite)->Backend(), "sqlite");
  EXPECT_TRUE(std::filesystem::exists(tmp.path() / "a.db"));

  auto bare = OpenStore((tmp.path() / "b.db").string());
  ASSERT_TRUE(bare);
  EXPECT_EQ((*bare)->Backend(), "sqlite");
  auto relative_dir = OpenStore("sqlite:" + (tmp.path() / "var" / "c.db").string());
  ASSERT_TRUE(relative_dir);
}

TEST(OpenStoreTest, RefusesWhatThisBuildCannotOpen) {
  // PostgreSQL is a backend of this build: nothing listens on port 1, so it is unavailable.
  EXPECT_EQ(OpenStore("postgres://user@127.0.0.1:1/mcpauth").error(), Errc::kUnavailable);
  EXPECT_EQ(OpenStore("postgresql://127.0.0.1:1/mcpauth").error(), Errc::kUnavailable);
  EXPECT_EQ(OpenStore("redis://localhost").error(), Errc::kUnsupported);
  EXPECT_EQ(OpenStore("").error(), Errc::kInvalidArgument);
  EXPECT_EQ(OpenStore("sqlite:").error(), Errc::kInvalidArgument);
  EXPECT_EQ(OpenStore("memory:extra").error(), Errc::kInvalidArgument);
}

TEST(StoreErrcTest, HasACategoryAndMessages) {
  const ErrorCode ec = Errc::kReplayDetected;
  EXPECT_STREQ(ec.category().name(), "mcpauth.store");
  EXPECT_EQ(ec.message(), "refresh token replayed; grant revoked");
  EXPECT_EQ(ErrorCode(Errc::kAlreadyUsed).message(), "already used");
  EXPECT_NE(ErrorCode(Errc::kAlreadyUsed), ErrorCode(Errc::kReplayDetected));
}

// The rule of docs/store.md as a table: (state of the presented token) -> outcome.
TEST(RotationRuleTest, FollowsTheDocumentedTable) {
  const testing::FakeClock clock;
  const TimePoint t = clock.Now();
  const Grant grant{.id = "g", .user_id = "u", .client_id = "c1"};
  Grant revoked = grant;
  revoked.revoked_at = t;
  const RefreshToken live{.hash = "h", .grant_id = "g", .expires_at = t + 1h};
  RefreshToken used = live;
  used.used_at = t - 10s;
  RefreshToken superseded = live;
  superseded.superseded_at = t - 1s;
  RefreshRotation r{.client_id = "c1", .now = t, .grace = 30s};
  RefreshRotation other_client = r;
  other_client.client_id = "c2";
  RefreshRotation late = r;
  late.now = t + 20s;  // used_at + 30 s
  RefreshRotation expired = r;
  expired.now = t + 1h;
  using O = detail::RotationOutcome;

  EXPECT_EQ(*detail::DecideRotation(live, grant, r, false), O::kRotate);
  EXPECT_EQ(*detail::DecideRotation(used, grant, r, false), O::kGrace);
  EXPECT_EQ(*detail::DecideRotation(used, grant, r, true), O::kReplay);
  EXPECT_EQ(*detail::DecideRotation(used, grant, late, false), O::kReplay);
  EXPECT_EQ(*detail::DecideRotation(superseded, grant, r, false), O::kReplay);
  EXPECT_EQ(detail::DecideRotation(live, grant, other_client, false).error(), Errc::kNotFound);
  EXPECT_EQ(detail::DecideRotation(used, revoked, r, false).error(), Errc::kRevoked);
  EXPECT_EQ(detail::DecideRotation(used, grant, expired, false).error(), Errc::kExpired);
  RefreshRotation no_grace = r;
  no_grace.grace = 0s;
  EXPECT_EQ(*detail::DecideRotation(used, grant, no_grace, false), O::kReplay);
}

TEST(StoreEncodingTest, ScopesAndListsRoundTrip) {
  const std::vector<std::string> scopes{"a", "b:c", "d/e"};
  EXPECT_EQ(detail::JoinScopes(scopes), "a b:c d/e");
  EXPECT_EQ(detail::SplitScopes("a b:c d/e"), scopes);
  EXPECT_TRUE(detail::SplitScopes("").empty());
  const std::vector<std::string> uris{"http://x/\"q\"", "a,b", ""};
  EXPECT_EQ(*detail::DecodeStringList(detail::EncodeStringList(uris)), uris);
  EXPECT_EQ(detail::DecodeStringList("{}").error(), Errc::kCorrupt);
}

}  // namespace
}  // namespace mcpauth::store
