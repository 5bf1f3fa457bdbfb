#include "mcpauth/oauth/client/policy.hpp"

#include <algorithm>

#include "mcpauth/oauth/client/errc.hpp"

namespace mcpauth::oauth::client {

namespace {

bool Has(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

std::vector<std::string> SplitScopes(std::string_view scope) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < scope.size()) {
    const size_t end = std::min(scope.find(' ', pos), scope.size());
    if (end > pos) {
      std::string token(scope.substr(pos, end - pos));
      if (!Has(out, token)) {
        out.push_back(std::move(token));
      }
    }
    pos = end + 1;
  }
  return out;
}

std::string JoinScopes(const std::vector<std::string>& scopes) {
  std::string out;
  for (const auto& s : scopes) {
    if (!out.empty()) {
      out += ' ';
    }
    out += s;
  }
  return out;
}

std::vector<std::string> UnionScopes(const std::vector<std::string>& a,
                                     const std::vector<std::string>& b) {
  std::vector<std::string> out;
  for (const auto* list : {&a, &b}) {
    for (const auto& s : *list) {
      if (!s.empty() && !Has(out, s)) {
        out.push_back(s);
      }
    }
  }
  return out;
}

bool ContainsAllScopes(const std::vector<std::string>& have, const std::vector<std::string>& need) {
  return std::all_of(need.begin(), need.end(), [&](const std::string& s) { return Has(have, s); });
}

std::vector<std::string> SelectScopes(const ScopeInputs& in) {
  std::vector<std::string> scopes;
  if (!in.challenged.empty()) {
    scopes = UnionScopes(in.challenged, in.configured);
  } else if (!in.configured.empty()) {
    scopes = UnionScopes(in.configured, {});
  } else {
    scopes = UnionScopes(in.prm_scopes_supported, {});
  }
  // MCP 2026-07-28: resource servers SHOULD NOT list offline_access; whatever they list, it is
  // the authorization server's to grant, so it is asked for only when that server lists it.
  std::erase(scopes, std::string(kOfflineAccess));
  if (in.want_offline_access && !scopes.empty() && Has(in.as_scopes_supported, kOfflineAccess)) {
    scopes.emplace_back(kOfflineAccess);
  }
  return scopes;
}

NextStep DecideNextStep(const OperationState& state, const Refusal& refusal,
                        const std::vector<std::string>& granted_scopes, bool have_token,
                        bool have_refresh_token, int max_authorizations) {
  auto give_up = [](Errc e) { return NextStep{NextStep::Kind::kGiveUp, {}, make_error_code(e)}; };
  auto authorize = [&](std::vector<std::string> scopes) {
    if (state.authorizations >= max_authorizations) {
      return give_up(Errc::kTooManyAuthorizations);
    }
    return NextStep{NextStep::Kind::kAuthorize, std::move(scopes), {}};
  };

  if (refusal.http_status == 403) {
    if (refusal.error != "insufficient_scope") {
      return give_up(Errc::kForbidden);
    }
    // RFC 6750 §3.1 / MCP step-up: the challenge lists the scopes the operation needs. If we
    // already hold all of them, a new authorization would get the same answer: stop here
    // rather than loop (conformance scope-retry-limit).
    if (refusal.scopes.empty() || ContainsAllScopes(granted_scopes, refusal.scopes)) {
      return give_up(Errc::kInsufficientScope);
    }
    return authorize(UnionScopes(granted_scopes, refusal.scopes));
  }

  // 401 (anything else is treated the same: no usable token).
  if (state.token_from_login) {
    // The token was issued a moment ago for exactly this server and refused at once: another
    // round would open another browser tab with the same outcome.
    return give_up(Errc::kUnauthorizedAfterLogin);
  }
  if (have_token && have_refresh_token && !state.refreshed) {
    return NextStep{NextStep::Kind::kRefresh, {}, {}};
  }
  return authorize(refusal.scopes);
}

}  // namespace mcpauth::oauth::client
