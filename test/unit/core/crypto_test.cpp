#include "mcpauth/core/crypto.hpp"

#include <gtest/gtest.h>

#include <string>

#include "mcpauth/core/token.hpp"

namespace mcpauth::core {
namespace {

std::string Hex(const Sha256Digest& d) { return HexEncode(d); }

TEST(Sha256Test, MatchesFips180Vectors) {
  EXPECT_EQ(Hex(Sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Hex(Sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Hex(Sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

struct HmacVector {
  std::string key;
  std::string data;
  const char* mac;
};

// RFC 4231 §4.2, §4.3, §4.7 (HMAC-SHA-256 outputs).
TEST(HmacSha256Test, MatchesRfc4231Vectors) {
  const HmacVector vectors[] = {
      {std::string(20, '\x0b'), "Hi There",
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {"Jefe", "what do ya want for nothing?",
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {std::string(131, '\xaa'),
       "This is a test using a larger than block-size key and a larger than block-size data. The "
       "key needs to be hashed before being used by the HMAC algorithm.",
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
  };
  for (const auto& v : vectors) {
    EXPECT_EQ(Hex(HmacSha256(v.key).Mac(v.data)), v.mac);
  }
}

TEST(HmacSha256Test, ReusedContextGivesSameMacEveryTime) {
  HmacSha256 mac("key");
  const auto first = mac.Mac("message");
  EXPECT_EQ(mac.Mac("other"), HmacSha256("key").Mac("other"));
  EXPECT_EQ(mac.Mac("message"), first);
  HmacSha256 copy = mac;
  EXPECT_EQ(copy.Mac("message"), first);
  HmacSha256 moved = std::move(copy);
  EXPECT_EQ(moved.Mac("message"), first);
}

TEST(ConstantTimeEqualsTest, ComparesContentAndLength) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
  EXPECT_FALSE(ConstantTimeEquals("", "a"));
  EXPECT_FALSE(ConstantTimeEquals(std::string("a\0b", 3), std::string("a\0c", 3)));
}

}  // namespace
}  // namespace mcpauth::core
