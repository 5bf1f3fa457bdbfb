// Scope selection (MCP "Scope Selection Strategy", CL12; 2026-07-28 offline_access) and the
// retry policy after a refused request (step-up, CL21, CL22).
#include "mcpauth/oauth/client/policy.hpp"

#include <gtest/gtest.h>

#include "mcpauth/oauth/client/errc.hpp"

namespace mcpauth::oauth::client {
namespace {

using Strings = std::vector<std::string>;

TEST(ScopesTest, SplitDropsEmptyTokensAndDuplicates) {
  EXPECT_EQ(SplitScopes(""), Strings{});
  EXPECT_EQ(SplitScopes("  a  b a c "), (Strings{"a", "b", "c"}));
  EXPECT_EQ(JoinScopes({"a", "b"}), "a b");
}

TEST(ScopesTest, UnionKeepsOrderOfFirstThenNewOnes) {
  EXPECT_EQ(UnionScopes({"mcp:read"}, {"mcp:read", "mcp:tools"}),
            (Strings{"mcp:read", "mcp:tools"}));
  EXPECT_TRUE(ContainsAllScopes({"a", "b"}, {"b"}));
  EXPECT_FALSE(ContainsAllScopes({"a"}, {"a", "b"}));
  EXPECT_TRUE(ContainsAllScopes({}, {}));
}

struct SelectionCase {
  const char* name;
  ScopeInputs in;
  Strings expected;
};

TEST(ScopesTest, SelectionFollowsTheSpecOrder) {
  const SelectionCase cases[] = {
      // conformance scope-from-www-authenticate: the challenge wins over scopes_supported.
      {"challenge",
       {.challenged = {"mcp:basic"}, .prm_scopes_supported = {"a", "b"}},
       {"mcp:basic"}},
      // conformance scope-from-scopes-supported: every PRM scope.
      {"prm",
       {.prm_scopes_supported = {"mcp:basic", "mcp:read", "mcp:write"}},
       {"mcp:basic", "mcp:read", "mcp:write"}},
      // conformance scope-omitted-when-undefined: nothing at all -> no scope parameter.
      {"nothing", {}, {}},
      {"configured beats prm", {.configured = {"x"}, .prm_scopes_supported = {"a"}}, {"x"}},
      {"configured joins challenge", {.configured = {"x"}, .challenged = {"a"}}, {"a", "x"}},
      // 2026-07-28: offline_access only when the AS lists it...
      {"offline listed",
       {.challenged = {"a"}, .as_scopes_supported = {"a", "offline_access"}},
       {"a", "offline_access"}},
      // ...never otherwise (conformance offline-access-not-supported), even if the PRM lists it.
      {"offline unlisted",
       {.prm_scopes_supported = {"a", "offline_access"}, .as_scopes_supported = {"a"}},
       {"a"}},
      {"offline not wanted",
       {.challenged = {"a"},
        .as_scopes_supported = {"offline_access"},
        .want_offline_access = false},
       {"a"}},
      // Never offline_access alone: that would replace the resource's default scopes.
      {"offline alone", {.as_scopes_supported = {"offline_access"}}, {}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(SelectScopes(c.in), c.expected) << c.name;
  }
}

NextStep Decide(OperationState state, int status, std::string error, Strings challenged,
                Strings granted, bool have_token = true, bool have_refresh = true) {
  return DecideNextStep(state, Refusal{status, std::move(error), std::move(challenged)}, granted,
                        have_token, have_refresh, 3);
}

TEST(RetryPolicyTest, FirstUnauthorizedWithoutTokenAuthorizesWithChallengedScopes) {
  auto step = Decide({}, 401, "", {"mcp:read"}, {}, false, false);
  EXPECT_EQ(step.kind, NextStep::Kind::kAuthorize);
  EXPECT_EQ(step.scopes, Strings{"mcp:read"});
}

TEST(RetryPolicyTest, UnauthorizedWithStoredTokenRefreshesFirst) {
  EXPECT_EQ(Decide({}, 401, "invalid_token", {}, {"a"}).kind, NextStep::Kind::kRefresh);
  // No refresh token: straight to the browser.
  EXPECT_EQ(Decide({}, 401, "invalid_token", {}, {"a"}, true, false).kind,
            NextStep::Kind::kAuthorize);
  // Already refreshed in this operation and still refused: authorize.
  EXPECT_EQ(Decide({.refreshed = true}, 401, "invalid_token", {}, {"a"}).kind,
            NextStep::Kind::kAuthorize);
}

TEST(RetryPolicyTest, UnauthorizedRightAfterLoginGivesUpInsteadOfLooping) {
  auto step =
      Decide({.authorizations = 1, .token_from_login = true}, 401, "invalid_token", {}, {"a"});
  EXPECT_EQ(step.kind, NextStep::Kind::kGiveUp);
  EXPECT_EQ(step.error, Errc::kUnauthorizedAfterLogin);
}

TEST(RetryPolicyTest, InsufficientScopeAuthorizesWithTheUnion) {
  auto step = Decide({}, 403, "insufficient_scope", {"mcp:read", "mcp:tools"},
                     {"mcp:read", "offline_access"});
  EXPECT_EQ(step.kind, NextStep::Kind::kAuthorize);
  EXPECT_EQ(step.scopes, (Strings{"mcp:read", "offline_access", "mcp:tools"}));
}

TEST(RetryPolicyTest, InsufficientScopeForScopesAlreadyGrantedGivesUp) {
  // conformance scope-retry-limit: the server keeps asking for what it got.
  auto step = Decide({.authorizations = 1, .token_from_login = true}, 403, "insufficient_scope",
                     {"mcp:admin"}, {"mcp:admin"});
  EXPECT_EQ(step.kind, NextStep::Kind::kGiveUp);
  EXPECT_EQ(step.error, Errc::kInsufficientScope);
  EXPECT_EQ(Decide({}, 403, "insufficient_scope", {}, {"a"}).error, Errc::kInsufficientScope);
}

TEST(RetryPolicyTest, AtMostThreeAuthorizationsPerOperation) {
  OperationState state;
  int authorizations = 0;
  Strings granted;
  // A server that asks for one more scope every time.
  for (int round = 0; round < 10; ++round) {
    auto step =
        DecideNextStep(state, Refusal{403, "insufficient_scope", {"s" + std::to_string(round)}},
                       granted, true, true, 3);
    if (step.kind != NextStep::Kind::kAuthorize) {
      EXPECT_EQ(step.error, Errc::kTooManyAuthorizations);
      break;
    }
    ++authorizations;
    ++state.authorizations;
    state.token_from_login = true;
    granted = step.scopes;
  }
  EXPECT_EQ(authorizations, 3);
}

TEST(RetryPolicyTest, ForbiddenForOtherReasonsIsNotAnAuthorizationMatter) {
  auto step = Decide({}, 403, "", {}, {"a"});
  EXPECT_EQ(step.kind, NextStep::Kind::kGiveUp);
  EXPECT_EQ(step.error, Errc::kForbidden);
}

}  // namespace
}  // namespace mcpauth::oauth::client
