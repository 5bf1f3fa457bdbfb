#include "mcpauth/jose/errc.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace mcpauth::jose {
namespace {

TEST(JoseErrcTest, CategoryIsNamedAndEveryValueHasItsOwnMessage) {
  EXPECT_STREQ(JoseCategory().name(), "mcpauth.jose");
  std::set<std::string> messages;
  for (int v = 0; v <= static_cast<int>(Errc::kCryptoFailure); ++v) {
    const std::string message = make_error_code(static_cast<Errc>(v)).message();
    EXPECT_NE(message, "unknown jose error") << v;
    messages.insert(message);
  }
  EXPECT_EQ(messages.size(), static_cast<size_t>(Errc::kCryptoFailure) + 1);
}

TEST(JoseErrcTest, ConvertsToResultError) {
  Result<int> r = Errc::kUnknownKid;
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error(), Errc::kUnknownKid);
  EXPECT_NE(r.error(), Errc::kBadSignature);
}

}  // namespace
}  // namespace mcpauth::jose
