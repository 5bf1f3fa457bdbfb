#include "mcpauth/oauth/scopes.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mcpauth::oauth {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(ScopesTest, ScopeTokenCharactersPerRfc6749Section3_3) {
  EXPECT_TRUE(IsScopeToken("mcp:tools"));
  EXPECT_TRUE(IsScopeToken("offline_access"));
  EXPECT_TRUE(IsScopeToken("!"));
  EXPECT_TRUE(IsScopeToken("#[]^~"));
  EXPECT_TRUE(IsScopeToken("https://api.example.com/read?x=1"));
  EXPECT_FALSE(IsScopeToken(""));
  EXPECT_FALSE(IsScopeToken("a b"));
  EXPECT_FALSE(IsScopeToken("a\"b"));  // %x22 excluded
  EXPECT_FALSE(IsScopeToken("a\\b"));  // %x5C excluded
  EXPECT_FALSE(IsScopeToken("a\tb"));
  EXPECT_FALSE(IsScopeToken("a\x7f"));  // DEL
  EXPECT_FALSE(IsScopeToken(std::string("a\0b", 3)));
  EXPECT_FALSE(IsScopeToken("caf\xC3\xA9"));  // non-ASCII
}

TEST(ScopesTest, EveryByteClassifiedExactly) {
  for (int b = 0; b < 256; ++b) {
    const std::string token(1, static_cast<char>(b));
    const bool expected = b == 0x21 || (b >= 0x23 && b <= 0x5B) || (b >= 0x5D && b <= 0x7E);
    EXPECT_EQ(IsScopeToken(token), expected) << "byte " << b;
  }
}

TEST(ScopesTest, ParsesSpaceSeparatedList) {
  auto scopes = ParseScope("mcp:tools mcp:read offline_access");
  ASSERT_TRUE(scopes.has_value());
  EXPECT_THAT(*scopes, ElementsAre("mcp:tools", "mcp:read", "offline_access"));

  scopes = ParseScope("single");
  ASSERT_TRUE(scopes.has_value());
  EXPECT_THAT(*scopes, ElementsAre("single"));
}

TEST(ScopesTest, EmptyStringIsEmptyList) {
  auto scopes = ParseScope("");
  ASSERT_TRUE(scopes.has_value());
  EXPECT_THAT(*scopes, IsEmpty());
}

TEST(ScopesTest, DuplicatesRemovedFirstOrderKept) {
  auto scopes = ParseScope("b a b c a");
  ASSERT_TRUE(scopes.has_value());
  EXPECT_THAT(*scopes, ElementsAre("b", "a", "c"));
}

TEST(ScopesTest, RefusesBadSpacingAndCharacters) {
  for (std::string_view bad : {" a", "a ", "a  b", " ", "  ", "a\tb", "a\nb", "a \"b\"", "a\\b",
                               "a b\xC3\xA9", "a,b c\x01"}) {
    EXPECT_FALSE(ParseScope(bad).has_value()) << testing::PrintToString(std::string(bad));
  }
}

TEST(ScopesTest, TokenLimitCountsEveryToken) {
  EXPECT_TRUE(ParseScope("a b c", 3).has_value());
  EXPECT_FALSE(ParseScope("a b c d", 3).has_value());
  // Duplicates count too: the limit bounds the work, not the result.
  EXPECT_FALSE(ParseScope("a a a a", 3).has_value());
  EXPECT_FALSE(ParseScope("a", 0).has_value());
  EXPECT_TRUE(ParseScope("", 0).has_value());

  std::string many;
  for (int i = 0; i < 64; ++i) {
    many += (i == 0 ? "" : " ") + std::string("s") + std::to_string(i);
  }
  auto scopes = ParseScope(many);
  ASSERT_TRUE(scopes.has_value());
  EXPECT_EQ(scopes->size(), 64u);
  EXPECT_FALSE(ParseScope(many + " s64").has_value());  // default limit 64
}

TEST(ScopesTest, JoinRoundTrips) {
  const std::vector<std::string> scopes = {"mcp:tools", "offline_access", "x"};
  EXPECT_EQ(JoinScopes(scopes), "mcp:tools offline_access x");
  EXPECT_EQ(JoinScopes(std::vector<std::string>{}), "");
  EXPECT_EQ(JoinScopes(std::vector<std::string>{"one"}), "one");
  auto parsed = ParseScope(JoinScopes(scopes));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(*parsed, scopes);
}

TEST(ScopesTest, Subset) {
  const std::vector<std::string> set = {"a", "b", "c"};
  EXPECT_TRUE(IsSubset(std::vector<std::string>{}, set));
  EXPECT_TRUE(IsSubset(std::vector<std::string>{"a"}, set));
  EXPECT_TRUE(IsSubset(std::vector<std::string>{"c", "a"}, set));
  EXPECT_TRUE(IsSubset(set, set));
  EXPECT_FALSE(IsSubset(std::vector<std::string>{"d"}, set));
  EXPECT_FALSE(IsSubset(std::vector<std::string>{"a", "d"}, set));
  EXPECT_FALSE(IsSubset(std::vector<std::string>{"A"}, set));  // case-sensitive (RFC 6749 §3.3)
  EXPECT_FALSE(IsSubset(std::vector<std::string>{"a"}, std::vector<std::string>{}));
  EXPECT_TRUE(IsSubset(std::vector<std::string>{}, std::vector<std::string>{}));
}

TEST(ScopesTest, DescribesKnownScopesInPlainWords) {
  EXPECT_EQ(DescribeScope("mcp:tools"), "Call the server's tools");
  EXPECT_EQ(DescribeScope("mcp:read"), "Read resources and prompts");
  EXPECT_EQ(DescribeScope(kOfflineAccess), "Stay connected when you are away (refresh tokens)");
  for (std::string_view oidc : {"openid", "profile", "email"}) {
    const std::string d = DescribeScope(oidc);
    EXPECT_FALSE(d.empty());
    EXPECT_EQ(d.find("permission"), std::string::npos) << oidc;
  }
  EXPECT_NE(DescribeScope("email"), DescribeScope("profile"));
}

TEST(ScopesTest, DescribesUnknownScopeQuoted) {
  EXPECT_EQ(DescribeScope("billing:write"),
            "Use the permission \xE2\x80\x9C"
            "billing:write\xE2\x80\x9D");
  // Not escaped here: the page escapes.
  EXPECT_EQ(DescribeScope("<b>"), "Use the permission \xE2\x80\x9C<b>\xE2\x80\x9D");
  // Lookups are exact.
  EXPECT_NE(DescribeScope("MCP:TOOLS"), DescribeScope("mcp:tools"));
}

}  // namespace
}  // namespace mcpauth::oauth
