#include "mcpauth/core/token.hpp"

#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <type_traits>

#include "fakes/fake_clock.hpp"
#include "fakes/sequence_random.hpp"
#include "mcpauth/core/base64url.hpp"
#include "mcpauth/core/log.hpp"

namespace mcpauth::core {
namespace {

TEST(TokenTest, GeneratesA256BitBase64UrlToken) {
  testing::SequenceRandom random;
  const Secret token = GenerateToken(random);
  EXPECT_EQ(token.Reveal().size(), 43u);
  auto bytes = Base64UrlDecode(token.Reveal());
  ASSERT_TRUE(bytes.has_value());
  ASSERT_EQ(bytes->size(), 32u);
  for (int i = 0; i < 32; ++i) {
    EXPECT_EQ(static_cast<uint8_t>((*bytes)[i]), i);  // SequenceRandom's bytes, in order
  }
}

TEST(TokenTest, RealRandomTokensDiffer) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    seen.insert(std::string(GenerateToken(OpenSslRandom::Instance()).Reveal()));
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(TokenTest, HashIsHexSha256) {
  EXPECT_EQ(TokenHash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(TokenTest, GenerateIdHasRequestedEntropy) {
  testing::SequenceRandom random;
  EXPECT_EQ(GenerateId(random, 16).size(), 22u);
  EXPECT_EQ(GenerateId(random, 9).size(), 12u);
}

// A Secret must not be printable: neither fmt (spdlog) nor iostreams accept it.
template <class T>
concept Streamable = requires(std::ostream& os, const T& t) {
  os << t;
};

TEST(SecretTest, CannotBeFormattedOrStreamed) {
  static_assert(!fmt::is_formattable<Secret>::value, "a Secret must never reach a log line");
  static_assert(!Streamable<Secret>, "a Secret must never reach a stream");
  static_assert(fmt::is_formattable<std::string>::value);
  static_assert(Streamable<std::string>);
}

TEST(SecretTest, ComparesAndFingerprints) {
  const Secret a("token-value");
  const Secret b("token-value");
  const Secret c("token-valuf");
  EXPECT_TRUE(a == b);
  EXPECT_FALSE(a == c);
  EXPECT_EQ(a.Fingerprint().size(), 16u);
  EXPECT_EQ(a.Fingerprint(), TokenHash("token-value").substr(0, 16));
  EXPECT_EQ(a.Fingerprint().find("token"), std::string::npos);
}

TEST(SecretTest, MovedFromIsEmpty) {
  Secret a("x");
  Secret b = std::move(a);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): checking the wipe is the point
  EXPECT_EQ(b.Reveal(), "x");
}

TEST(FakeClockTest, MovesOnlyWhenTold) {
  testing::FakeClock clock(1000);
  EXPECT_EQ(clock.NowSeconds(), 1000);
  clock.Advance(std::chrono::seconds(5));
  EXPECT_EQ(clock.NowSeconds(), 1005);
}

TEST(LogTest, ParsesFormatsAndRejectsUnknownLevel) {
  log::Format f;
  EXPECT_TRUE(log::ParseFormat("json", f));
  EXPECT_EQ(f, log::Format::kJson);
  EXPECT_TRUE(log::ParseFormat("human", f));
  EXPECT_FALSE(log::ParseFormat("xml", f));
  EXPECT_FALSE(log::Init(log::Format::kJson, "loud"));
  EXPECT_TRUE(log::Init(log::Format::kHuman, "info"));
}

}  // namespace
}  // namespace mcpauth::core
