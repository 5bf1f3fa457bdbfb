// PasswordHasher: Argon2id round trips, refusals, rehash detection, the dummy verify, async use.
#include "mcpauth/oauth/password.hpp"

#include <gtest/gtest.h>

#include <future>
#include <optional>
#include <string>

#include "fakes/sequence_random.hpp"
#include "mcpauth/core/errc.hpp"

namespace mcpauth::oauth {
namespace {

using Params = PasswordHasher::Params;

class PasswordHasherTest : public ::testing::Test {
 protected:
  testing::SequenceRandom random_;
  PasswordHasher hasher_{random_, Params::ForTests()};
};

TEST_F(PasswordHasherTest, HashesToPhcStringAndVerifies) {
  auto encoded = hasher_.Hash(Secret("correct horse battery staple"));
  ASSERT_TRUE(encoded) << encoded.error().message();
  EXPECT_TRUE(encoded->starts_with("$argon2id$v=19$m=64,t=1,p=1$")) << *encoded;
  EXPECT_TRUE(hasher_.Verify(*encoded, Secret("correct horse battery staple")));
  EXPECT_FALSE(hasher_.NeedsRehash(*encoded));
}

TEST_F(PasswordHasherTest, SaltsEachHash) {
  auto a = hasher_.Hash(Secret("pw"));
  auto b = hasher_.Hash(Secret("pw"));
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(hasher_.Verify(*b, Secret("pw")));
}

TEST_F(PasswordHasherTest, RefusesWrongPassword) {
  auto encoded = hasher_.Hash(Secret("secret-1"));
  ASSERT_TRUE(encoded);
  EXPECT_FALSE(hasher_.Verify(*encoded, Secret("secret-2")));
  EXPECT_FALSE(hasher_.Verify(*encoded, Secret("secret-")));
  EXPECT_FALSE(hasher_.Verify(*encoded, Secret("secret-1 ")));
}

TEST_F(PasswordHasherTest, RefusesTamperedOrForeignEncodings) {
  auto encoded = hasher_.Hash(Secret("pw"));
  ASSERT_TRUE(encoded);
  const Secret pw("pw");

  std::string flipped = *encoded;  // last character of the tag
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(hasher_.Verify(flipped, pw));

  std::string other_cost = *encoded;  // t=1 -> t=2: a different tag
  other_cost.replace(other_cost.find("t=1"), 3, "t=2");
  EXPECT_FALSE(hasher_.Verify(other_cost, pw));

  std::string argon2i = *encoded;  // another variant is not accepted
  argon2i.replace(0, 10, "$argon2i$");
  EXPECT_FALSE(hasher_.Verify(argon2i, pw));

  EXPECT_FALSE(hasher_.Verify("", pw));
  EXPECT_FALSE(hasher_.Verify("$argon2id$", pw));
  EXPECT_FALSE(hasher_.Verify("$argon2id$v=19$m=64,t=1,p=1$!!$!!", pw));
  EXPECT_FALSE(hasher_.Verify(encoded->substr(0, encoded->size() - 5), pw));
  EXPECT_FALSE(hasher_.Verify("plaintext-pw", pw));
}

TEST_F(PasswordHasherTest, RefusesEmptyAndTooLongPasswords) {
  auto empty = hasher_.Hash(Secret(""));
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error(), core::Errc::kInvalidArgument);

  const std::string max(kMaxPasswordBytes, 'x');
  auto at_limit = hasher_.Hash(Secret(max));
  ASSERT_TRUE(at_limit);
  EXPECT_TRUE(hasher_.Verify(*at_limit, Secret(max)));

  auto too_long = hasher_.Hash(Secret(max + "x"));
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error(), core::Errc::kInvalidArgument);
  // Verify refuses it without work, even against a matching prefix.
  EXPECT_FALSE(hasher_.Verify(*at_limit, Secret(max + "x")));
  EXPECT_FALSE(hasher_.Verify(*at_limit, Secret("")));
}

TEST_F(PasswordHasherTest, DetectsParameterChanges) {
  auto encoded = hasher_.Hash(Secret("pw"));
  ASSERT_TRUE(encoded);

  Params more_memory = Params::ForTests();
  more_memory.memory_kib = 128;
  Params more_time = Params::ForTests();
  more_time.iterations = 2;
  Params longer_salt = Params::ForTests();
  longer_salt.salt_bytes = 32;
  Params longer_hash = Params::ForTests();
  longer_hash.hash_bytes = 64;
  for (const Params& p : {more_memory, more_time, longer_salt, longer_hash, Params{}}) {
    PasswordHasher other(random_, p);
    EXPECT_TRUE(other.NeedsRehash(*encoded));
    // The old hash still verifies: it carries its own parameters.
    EXPECT_TRUE(other.Verify(*encoded, Secret("pw")));
  }

  EXPECT_TRUE(hasher_.NeedsRehash(""));
  EXPECT_TRUE(hasher_.NeedsRehash("$2b$12$abcdefghijklmnopqrstuv"));  // bcrypt
  EXPECT_TRUE(hasher_.NeedsRehash("$argon2id$v=16$m=64,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$" +
                                  std::string(43, 'A')));
  EXPECT_TRUE(hasher_.NeedsRehash("$argon2id$v=19$m=64,t=1$AAAAAAAAAAAAAAAAAAAAAA$" +
                                  std::string(43, 'A')));
  EXPECT_TRUE(hasher_.NeedsRehash("$argon2id$v=19$m=64x,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$" +
                                  std::string(43, 'A')));
  EXPECT_FALSE(hasher_.NeedsRehash("$argon2id$v=19$m=64,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$" +
                                   std::string(43, 'A')));
}

TEST_F(PasswordHasherTest, DefaultsAreOwaspArgon2id) {
  const Params p;
  EXPECT_EQ(p.memory_kib, 19456U);
  EXPECT_EQ(p.iterations, 2U);
  EXPECT_EQ(p.parallelism, 1U);
  EXPECT_EQ(p.salt_bytes, 16U);
  EXPECT_EQ(p.hash_bytes, 32U);
}

// The dummy verify runs the same Argon2id work as a real one (so an unknown user is not answered
// measurably faster). Its cost is a performance property, measured, never asserted in a unit
// test; here: it can be called any number of times and leaves real verification intact.
TEST(PasswordHasherDummyTest, DummyVerifyIsHarmless) {
  testing::SequenceRandom random;
  PasswordHasher hasher(random, PasswordHasher::Params::ForTests());
  auto encoded = hasher.Hash(Secret("the real password"));
  ASSERT_TRUE(encoded);
  hasher.VerifyDummy(Secret("a guess"));
  hasher.VerifyDummy(Secret(""));
  hasher.VerifyDummy(Secret(std::string(2000, 'x')));
  EXPECT_TRUE(hasher.Verify(*encoded, Secret("the real password")));
  EXPECT_FALSE(hasher.Verify(*encoded, Secret("a guess")));
}

TEST_F(PasswordHasherTest, AsyncCallsCompleteOnThePool) {
  core::WorkerPool pool(2);
  std::promise<Result<std::string>> hashed;
  ASSERT_TRUE(hasher_.HashAsync(pool, Secret("async pw"),
                                [&](Result<std::string> r) { hashed.set_value(std::move(r)); }));
  auto encoded = hashed.get_future().get();
  ASSERT_TRUE(encoded);

  std::promise<bool> good;
  std::promise<bool> bad;
  std::promise<void> dummy;
  ASSERT_TRUE(hasher_.VerifyAsync(pool, *encoded, Secret("async pw"),
                                  [&](bool ok) { good.set_value(ok); }));
  ASSERT_TRUE(
      hasher_.VerifyAsync(pool, *encoded, Secret("nope"), [&](bool ok) { bad.set_value(ok); }));
  ASSERT_TRUE(hasher_.VerifyDummyAsync(pool, Secret("who"), [&] { dummy.set_value(); }));
  EXPECT_TRUE(good.get_future().get());
  EXPECT_FALSE(bad.get_future().get());
  dummy.get_future().get();
}

TEST_F(PasswordHasherTest, AsyncRefusedByAFullPoolNeverCallsDone) {
  std::optional<core::WorkerPool> pool;
  pool.emplace(1, /*max_queued=*/1);
  std::promise<void> release;
  auto gate = release.get_future().share();
  std::promise<void> started;
  ASSERT_TRUE(pool->Post([&, gate] {
    started.set_value();
    gate.wait();
  }));
  started.get_future().wait();  // the worker is busy; the queue is empty
  bool queued_called = false;
  ASSERT_TRUE(hasher_.HashAsync(
      *pool, Secret("a"), [&](Result<std::string>) { queued_called = true; }));  // fills the queue
  bool refused_called = false;
  EXPECT_FALSE(hasher_.VerifyAsync(*pool, "x", Secret("b"), [&](bool) { refused_called = true; }));
  release.set_value();
  // ~WorkerPool finishes the queued task.
  pool.reset();
  EXPECT_TRUE(queued_called);
  EXPECT_FALSE(refused_called);
}

}  // namespace
}  // namespace mcpauth::oauth
