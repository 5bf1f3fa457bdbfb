// The OAuth client's decisions, free of I/O: which scopes to ask for, and what to do after the
// MCP server refused a request (refresh, authorize again with more scopes, or give up).
//
// Scope selection (MCP 2025-11-25 "Scope Selection Strategy", SPEC-CHECKLIST CL12):
//   1. the `scope` of the 401/403 challenge, if any (authoritative: no subset/superset
//      assumption about scopes_supported), united with scopes the user configured;
//   2. else the configured scopes; 3. else the PRM's scopes_supported; 4. else no `scope` at all.
// `offline_access` is added only if the authorization server lists it in scopes_supported and
// something else is being requested (MCP 2026-07-28 "Refresh Tokens"; conformance
// offline-access-not-supported fails a client that asks an AS not listing it).
//
// After a refused request, DecideNextStep() (MCP "Step-Up Authorization Flow", CL21, CL22):
//   401: a token obtained by a login in this very operation -> give up (no loop of browser
//        tabs, PEERS pain point 15); a stored token with a refresh token, not refreshed yet in
//        this operation -> refresh; otherwise -> authorize.
//   403 error="insufficient_scope": authorize with the union of the granted and the challenged
//        scopes (MCP 2026-07-28: SHOULD request the union); if the challenge names nothing we
//        lack, another authorization cannot help -> give up.
//   403 otherwise -> give up (Forbidden: not an authorization matter).
//   At most `max_authorizations` authorizations per operation (the conformance suite fails a
//   client making more than 3 in scope-retry-limit).
//
// Thread-safety: pure functions over value types.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "mcpauth/core/result.hpp"

namespace mcpauth::oauth::client {

// Splits a space-delimited scope string (RFC 6749 §3.3), dropping empty tokens and duplicates.
std::vector<std::string> SplitScopes(std::string_view scope);
std::string JoinScopes(const std::vector<std::string>& scopes);
// `a` followed by the members of `b` not in `a`.
std::vector<std::string> UnionScopes(const std::vector<std::string>& a,
                                     const std::vector<std::string>& b);
bool ContainsAllScopes(const std::vector<std::string>& have, const std::vector<std::string>& need);

inline constexpr std::string_view kOfflineAccess = "offline_access";

struct ScopeInputs {
  std::vector<std::string> configured;            // the user's --scope, if any
  std::vector<std::string> challenged;            // scope="..." of the WWW-Authenticate
  std::vector<std::string> prm_scopes_supported;  // Protected Resource Metadata
  std::vector<std::string> as_scopes_supported;   // authorization server metadata
  bool want_offline_access = true;                // we use refresh tokens
};

// The scopes of the authorization request; empty means: omit the `scope` parameter.
std::vector<std::string> SelectScopes(const ScopeInputs& in);

// What happened in this operation so far.
struct OperationState {
  int authorizations = 0;         // browser logins run for this operation
  bool token_from_login = false;  // the token sent last was obtained by a login just now
  bool refreshed = false;         // a refresh was already tried in this operation
};

// What the refused request tells us.
struct Refusal {
  int http_status = 401;            // 401 or 403
  std::string error;                // the challenge's `error`, if any
  std::vector<std::string> scopes;  // the challenge's `scope`, split
};

struct NextStep {
  enum class Kind { kRefresh, kAuthorize, kGiveUp };
  Kind kind = Kind::kGiveUp;
  std::vector<std::string> scopes;  // kAuthorize: what to request (empty: select afresh)
  ErrorCode error;                  // kGiveUp: why
};

NextStep DecideNextStep(const OperationState& state, const Refusal& refusal,
                        const std::vector<std::string>& granted_scopes, bool have_token,
                        bool have_refresh_token, int max_authorizations = 3);

}  // namespace mcpauth::oauth::client
