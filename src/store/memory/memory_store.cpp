// MemoryStore: every table a std::map, one mutex around all of them. One lock makes every
// operation atomic — including the cross-table ones (rotation, revocation cascades) — which is
// the whole point of this backend: the same semantics as SQLite with nothing to set up. Scans
// are linear; it is meant for tests and demos, not for millions of rows. Every time, stored or
// passed in, is truncated to the microsecond first, as the SQL backends store it, so that
// comparisons come out the same everywhere.
#include "mcpauth/store/memory_store.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <tuple>
#include <utility>

#include "store/common.hpp"

namespace mcpauth::store {
namespace {

using detail::Truncate;

class MemoryStore final : public Store {
 public:
  std::string_view Backend() const override { return "memory"; }

  // ---- users ----

  Status CreateUser(const User& user) override {
    if (auto ok = detail::ValidateUser(user); !ok) {
      return ok;
    }
    std::lock_guard lock(mu_);
    const std::string folded = detail::AsciiLower(user.username);
    if (users_.contains(user.id) || usernames_.contains(folded)) {
      return Errc::kConflict;
    }
    User row = user;
    row.created_at = Truncate(row.created_at);
    row.locked_until = Truncate(row.locked_until);
    users_.emplace(row.id, row);
    usernames_.emplace(folded, row.id);
    return {};
  }

  Result<User> GetUser(std::string_view id) override {
    std::lock_guard lock(mu_);
    auto it = users_.find(std::string(id));
    if (it == users_.end()) {
      return Errc::kNotFound;
    }
    return it->second;
  }

  Result<User> FindUserByUsername(std::string_view username) override {
    std::lock_guard lock(mu_);
    auto it = usernames_.find(detail::AsciiLower(username));
    if (it == usernames_.end()) {
      return Errc::kNotFound;
    }
    return users_.at(it->second);
  }

  Result<std::vector<User>> ListUsers() override {
    std::lock_guard lock(mu_);
    std::vector<User> out;
    for (const auto& [id, user] : users_) {
      out.push_back(user);
    }
    return out;
  }

  Status SetPasswordHash(std::string_view id, std::string_view password_hash) override {
    if (auto ok = detail::ValidatePasswordHash(password_hash); !ok) {
      return ok;
    }
    std::lock_guard lock(mu_);
    User* user = FindUser(id);
    if (user == nullptr) {
      return Errc::kNotFound;
    }
    user->password_hash = std::string(password_hash);
    return {};
  }

  Status SetUserDisabled(std::string_view id, bool disabled) override {
    std::lock_guard lock(mu_);
    User* user = FindUser(id);
    if (user == nullptr) {
      return Errc::kNotFound;
    }
    user->disabled = disabled;
    return {};
  }

  Result<User> RecordLoginFailure(std::string_view id, TimePoint now,
                                  const LockoutPolicy& policy) override {
    if (auto ok = detail::ValidateLockoutPolicy(policy); !ok) {
      return ok.error();
    }
    now = Truncate(now);
    std::lock_guard lock(mu_);
    User* user = FindUser(id);
    if (user == nullptr) {
      return Errc::kNotFound;
    }
    if (user->failed_login_count + 1 >= policy.max_failures) {
      user->failed_login_count = 0;
      user->locked_until = Truncate(now + policy.lock_for);
    } else {
      ++user->failed_login_count;
    }
    return *user;
  }

  Status RecordLoginSuccess(std::string_view id) override {
    std::lock_guard lock(mu_);
    User* user = FindUser(id);
    if (user == nullptr) {
      return Errc::kNotFound;
    }
    user->failed_login_count = 0;
    user->locked_until.reset();
    return {};
  }

  Status DeleteUser(std::string_view id, TimePoint now) override {
    std::lock_guard lock(mu_);
    auto it = users_.find(std::string(id));
    if (it == users_.end()) {
      return Errc::kNotFound;
    }
    RevokeMatchingLocked(GrantFilter{.user_id = std::string(id)}, Truncate(now));
    std::erase_if(consents_, [&](const auto& kv) { return kv.first.first == id; });
    usernames_.erase(detail::AsciiLower(it->second.username));
    users_.erase(it);
    return {};
  }

  // ---- clients ----

  Status CreateClient(const Client& client) override {
    if (auto ok = detail::ValidateClient(client); !ok) {
      return ok;
    }
    std::lock_guard lock(mu_);
    if (clients_.contains(client.client_id)) {
      return Errc::kConflict;
    }
    clients_.emplace(client.client_id, Normalized(client));
    return {};
  }

  Status PutClient(const Client& client) override {
    if (auto ok = detail::ValidateClient(client); !ok) {
      return ok;
    }
    std::lock_guard lock(mu_);
    clients_.insert_or_assign(client.client_id, Normalized(client));
    return {};
  }

  Result<Client> GetClient(std::string_view client_id) override {
    std::lock_guard lock(mu_);
    auto it = clients_.find(std::string(client_id));
    if (it == clients_.end()) {
      return Errc::kNotFound;
    }
    return it->second;
  }

  Result<std::vector<Client>> ListClients() override {
    std::lock_guard lock(mu_);
    std::vector<Client> out;
    for (const auto& [id, client] : clients_) {
      out.push_back(client);
    }
    return out;
  }

  Status DeleteClient(std::string_view client_id, TimePoint now) override {
    std::lock_guard lock(mu_);
    auto it = clients_.find(std::string(client_id));
    if (it == clients_.end()) {
      return Errc::kNotFound;
    }
    RevokeMatchingLocked(GrantFilter{.client_id = std::string(client_id)}, Truncate(now));
    std::erase_if(consents_, [&](const auto& kv) { return kv.first.second == client_id; });
    clients_.erase(it);
    return {};
  }

  // ---- grants ----

  Status CreateGrant(const Grant& grant) override {
    if (auto ok = detail::ValidateGrant(grant); !ok) {
      return ok;
    }
    std::lock_guard lock(mu_);
    if (grants_.contains(grant.id)) {
      return Errc::kConflict;
    }
    Grant row = grant;
    row.created_at = Truncate(row.created_at);
    row.last_used_at = Truncate(row.last_used_at);
    grants_.emplace(row.id, std::move(row));
    return {};
  }

  Result<Grant> GetGrant(std::string_view id) override {
    std::lock_guard lock(mu_);
    const Grant* grant = FindGrant(id);
    if (grant == nullptr) {
      return Errc::kNotFound;
    }
    return *grant;
  }

  Result<std::vector<Grant>> ListGrants(const GrantFilter& filter, bool include_revoked) override {
    std::lock_guard lock(mu_);
    std::vector<Grant> out;
    for (const auto& [id, grant] : grants_) {
      if (detail::Matches(filter, grant) && (include_revoked || !grant.revoked_at)) {
        out.push_back(grant);
      }
    }
    std::sort(out.begin(), out.end(), [](const Grant& a, const Grant& b) {
      return std::tie(a.created_at, a.id) < std::tie(b.created_at, b.id);
    });
    return out;
  }

  Status RevokeGrant(std::string_view id, TimePoint now) override {
    std::lock_guard lock(mu_);
    Grant* grant = FindGrant(id);
    if (grant == nullptr) {
      return Errc::kNotFound;
    }
    if (!grant->revoked_at) {
      grant->revoked_at = Truncate(now);
    }
    return {};
  }

  Result<int64_t> RevokeGrants(const GrantFilter& filter, TimePoint now) override {
    if (auto ok = detail::ValidateGrantFilterForRevoke(filter); !ok) {
      return ok.error();
    }
    std::lock_guard lock(mu_);
    return RevokeMatchingLocked(filter, Truncate(now));
  }

  Result<std::vector<RevokedGrant>> ListRevokedGrantsSince(TimePoint since) override {
    since = Truncate(since);
    std::lock_guard lock(mu_);
    std::vector<RevokedGrant> out;
    for (const auto& [id, grant] : grants_) {
      if (grant.revoked_at && *grant.revoked_at >= since) {
        out.push_back({id, *grant.revoked_at});
      }
    }
    std::sort(out.begin(), out.end(), [](const RevokedGrant& a, const RevokedGrant& b) {
      return std::tie(a.revoked_at, a.grant_id) < std::tie(b.revoked_at, b.grant_id);
    });
    return out;
  }

  // ---- codes ----

  Status CreateCode(const AuthorizationCode& code) override {
    if (auto ok = detail::ValidateCode(code); !ok) {
      return ok;
    }
    std::lock_guard lock(mu_);
    const Grant* grant = FindGrant(code.grant_id);
    if (grant == nullptr) {
      return Errc::kNotFound;
    }
    if (grant->revoked_at) {
      return Errc::kRevoked;
    }
    if (codes_.contains(code.hash)) {
      return Errc::kConflict;
    }
    AuthorizationCode row = code;
    row.created_at = Truncate(row.created_at);
    row.expires_at = Truncate(row.expires_at);
    codes_.emplace(row.hash, std::move(row));
    return {};
  }

  Result<ConsumedCode> ConsumeCode(std::string_view hash, TimePoint now) override {
    now = Truncate(now);
    std::lock_guard lock(mu_);
    auto it = codes_.find(std::string(hash));
    if (it == codes_.end()) {
      return Errc::kNotFound;
    }
    Grant& grant = grants_.at(it->second.grant_id);
    if (auto ok = detail::DecideConsume(it->second, grant, now); !ok) {
      return ok.error();
    }
    it->second.used_at = now;
    grant.last_used_at = now;
    return ConsumedCode{it->second, grant};
  }

  Result<AuthorizationCode> GetCode(std::string_view hash) override {
    std::lock_guard lock(mu_);
    auto it = codes_.find(std::string(hash));
    if (it == codes_.end()) {
      return Errc::kNotFound;
    }
    return it->second;
  }

  // ---- refresh tokens ----

  Status CreateRefreshToken(const RefreshToken& token) override {
    if (auto ok = detail::ValidateRefreshToken(token); !ok) {
      return ok;
    }
    std::lock_guard lock(mu_);
    const Grant* grant = FindGrant(token.grant_id);
    if (grant == nullptr) {
      return Errc::kNotFound;
    }
    if (grant->revoked_at) {
      return Errc::kRevoked;
    }
    if (refresh_.contains(token.hash)) {
      return Errc::kConflict;
    }
    RefreshToken row = token;
    row.created_at = Truncate(row.created_at);
    row.expires_at = Truncate(row.expires_at);
    refresh_.emplace(row.hash, std::move(row));
    return {};
  }

  Result<RefreshToken> GetRefreshToken(std::string_view hash) override {
    std::lock_guard lock(mu_);
    auto it = refresh_.find(std::string(hash));
    if (it == refresh_.end()) {
      return Errc::kNotFound;
    }
    return it->second;
  }

  Result<RefreshTokenContext> GetRefreshTokenContext(std::string_view hash) override {
    std::lock_guard lock(mu_);
    auto it = refresh_.find(std::string(hash));
    if (it == refresh_.end()) {
      return Errc::kNotFound;
    }
    const Grant* grant = FindGrant(it->second.grant_id);
    if (grant == nullptr) {
      return Errc::kNotFound;
    }
    const User* user = FindUser(grant->user_id);
    return RefreshTokenContext{it->second, *grant,
                               user != nullptr ? std::optional<User>(*user) : std::nullopt};
  }

  Result<RotatedRefresh> RotateRefreshToken(const RefreshRotation& rotation) override {
    if (auto ok = detail::ValidateRotation(rotation); !ok) {
      return ok.error();
    }
    const RefreshRotation& r = rotation;
    const TimePoint now = Truncate(r.now);
    std::lock_guard lock(mu_);
    auto it = refresh_.find(r.old_hash);
    if (it == refresh_.end()) {
      return Errc::kNotFound;
    }
    RefreshToken& old = it->second;
    Grant& grant = grants_.at(old.grant_id);
    // Children and siblings are of the presented token's grant, as SQLite looks them up.
    const bool child_used =
        old.used_at && std::any_of(refresh_.begin(), refresh_.end(), [&](const auto& kv) {
          return kv.second.grant_id == old.grant_id && kv.second.parent_hash == old.hash &&
                 kv.second.used_at;
        });
    auto outcome = detail::DecideRotation(old, grant, r, child_used);
    if (!outcome) {
      return outcome.error();
    }
    // The event is built and checked before anything changes, as SQLite does in its transaction.
    std::optional<AuditEvent> event;
    if (r.audit) {
      event = r.audit(*outcome);
      if (event) {
        if (auto ok = detail::ValidateAuditEvent(*event); !ok) {
          return ok.error();
        }
      }
    }
    if (*outcome == detail::RotationOutcome::kReplay) {
      // Security: a rotated token came back outside the grace rule — it was copied. Revoke the
      // grant, which ends every token of this lineage, the thief's and the client's alike.
      grant.revoked_at = now;
      if (event) {
        AppendAuditLocked(std::move(*event));
      }
      return Errc::kReplayDetected;
    }
    if (refresh_.contains(r.new_hash)) {
      return Errc::kConflict;
    }
    if (*outcome == detail::RotationOutcome::kRotate) {
      old.used_at = now;
      if (old.parent_hash) {
        for (auto& [hash, sibling] : refresh_) {
          if (sibling.grant_id == old.grant_id && sibling.parent_hash == old.parent_hash &&
              hash != old.hash && !sibling.used_at && !sibling.superseded_at) {
            sibling.superseded_at = now;
          }
        }
      }
    }
    RefreshToken successor{.hash = r.new_hash,
                           .grant_id = old.grant_id,
                           .parent_hash = old.hash,
                           .created_at = now,
                           .expires_at = Truncate(r.new_expires_at)};
    refresh_.emplace(successor.hash, successor);
    grant.last_used_at = now;
    if (event) {
      AppendAuditLocked(std::move(*event));
    }
    return RotatedRefresh{grant, std::move(successor), *outcome == detail::RotationOutcome::kGrace};
  }

  Result<PurgeCounts> PurgeExpired(TimePoint now, TimePoint revoked_before) override {
    now = Truncate(now);
    revoked_before = Truncate(revoked_before);
    std::lock_guard lock(mu_);
    auto purged_grant = [&](const std::string& grant_id) {
      const Grant& g = grants_.at(grant_id);
      return g.revoked_at && *g.revoked_at < revoked_before;
    };
    PurgeCounts counts;
    counts.codes = static_cast<int64_t>(std::erase_if(codes_, [&](const auto& kv) {
      return kv.second.expires_at <= now || purged_grant(kv.second.grant_id);
    }));
    counts.refresh_tokens = static_cast<int64_t>(std::erase_if(refresh_, [&](const auto& kv) {
      return kv.second.expires_at <= now || purged_grant(kv.second.grant_id);
    }));
    counts.grants = static_cast<int64_t>(
        std::erase_if(grants_, [&](const auto& kv) { return purged_grant(kv.first); }));
    return counts;
  }

  // ---- signing keys ----

  Status CreateSigningKey(const SigningKey& key) override {
    if (auto ok = detail::ValidateSigningKey(key); !ok) {
      return ok;
    }
    std::lock_guard lock(mu_);
    if (keys_.contains(key.kid) || (key.state == KeyState::kActive && ActiveKey() != nullptr)) {
      return Errc::kConflict;
    }
    SigningKey row = key;
    row.created_at = Truncate(row.created_at);
    row.not_before = Truncate(row.not_before);
    row.retired_at = Truncate(row.retired_at);
    keys_.emplace(row.kid, std::move(row));
    return {};
  }

  Result<SigningKey> GetSigningKey(std::string_view kid) override {
    std::lock_guard lock(mu_);
    auto it = keys_.find(std::string(kid));
    if (it == keys_.end()) {
      return Errc::kNotFound;
    }
    return it->second;
  }

  Result<SigningKey> GetActiveSigningKey() override {
    std::lock_guard lock(mu_);
    const SigningKey* key = ActiveKey();
    if (key == nullptr) {
      return Errc::kNotFound;
    }
    return *key;
  }

  Result<std::vector<SigningKey>> ListSigningKeys() override {
    std::lock_guard lock(mu_);
    std::vector<SigningKey> out;
    for (const auto& [kid, key] : keys_) {
      out.push_back(key);
    }
    std::sort(out.begin(), out.end(), [](const SigningKey& a, const SigningKey& b) {
      return std::tie(a.created_at, a.kid) < std::tie(b.created_at, b.kid);
    });
    return out;
  }

  Status ActivateSigningKey(std::string_view kid, TimePoint now) override {
    now = Truncate(now);
    std::lock_guard lock(mu_);
    auto it = keys_.find(std::string(kid));
    if (it == keys_.end()) {
      return Errc::kNotFound;
    }
    SigningKey& key = it->second;
    if (key.state == KeyState::kActive) {
      return {};
    }
    if (key.state == KeyState::kRetired || now < key.not_before) {
      return Errc::kFailedPrecondition;
    }
    if (SigningKey* previous = ActiveKey(); previous != nullptr) {
      previous->state = KeyState::kRetired;
      previous->retired_at = Truncate(now);
    }
    key.state = KeyState::kActive;
    return {};
  }

  Status DeleteSigningKey(std::string_view kid) override {
    std::lock_guard lock(mu_);
    auto it = keys_.find(std::string(kid));
    if (it == keys_.end()) {
      return Errc::kNotFound;
    }
    if (it->second.state != KeyState::kRetired) {
      return Errc::kFailedPrecondition;
    }
    keys_.erase(it);
    return {};
  }

  // ---- consents ----

  Status PutConsent(const Consent& consent) override {
    if (auto ok = detail::ValidateConsent(consent); !ok) {
      return ok;
    }
    std::lock_guard lock(mu_);
    Consent row = consent;
    row.granted_at = Truncate(row.granted_at);
    consents_.insert_or_assign({row.user_id, row.client_id}, std::move(row));
    return {};
  }

  Result<Consent> GetConsent(std::string_view user_id, std::string_view client_id) override {
    std::lock_guard lock(mu_);
    auto it = consents_.find({std::string(user_id), std::string(client_id)});
    if (it == consents_.end()) {
      return Errc::kNotFound;
    }
    return it->second;
  }

  Result<std::vector<Consent>> ListConsents(std::string_view user_id) override {
    std::lock_guard lock(mu_);
    std::vector<Consent> out;
    for (const auto& [key, consent] : consents_) {
      if (key.first == user_id) {
        out.push_back(consent);  // the map orders by (user_id, client_id)
      }
    }
    return out;
  }

  Status DeleteConsent(std::string_view user_id, std::string_view client_id) override {
    std::lock_guard lock(mu_);
    if (consents_.erase({std::string(user_id), std::string(client_id)}) == 0) {
      return Errc::kNotFound;
    }
    return {};
  }

  // ---- MCP sessions ----

  Status CreateMcpSession(const McpSession& session) override {
    if (session.id_hash.empty()) {
      return Errc::kInvalidArgument;
    }
    McpSession row = session;
    row.created_at = Truncate(row.created_at);
    row.expires_at = Truncate(row.expires_at);
    std::lock_guard lock(mu_);
    if (!mcp_sessions_.emplace(row.id_hash, row).second) {
      return Errc::kConflict;
    }
    return {};
  }

  Result<McpSession> GetMcpSession(std::string_view id_hash, TimePoint now) override {
    std::lock_guard lock(mu_);
    auto it = mcp_sessions_.find(std::string(id_hash));
    if (it == mcp_sessions_.end() || Truncate(now) >= it->second.expires_at) {
      return Errc::kNotFound;
    }
    return it->second;
  }

  Status TouchMcpSession(std::string_view id_hash, TimePoint expires_at, TimePoint now) override {
    std::lock_guard lock(mu_);
    auto it = mcp_sessions_.find(std::string(id_hash));
    if (it == mcp_sessions_.end() || Truncate(now) >= it->second.expires_at) {
      return Errc::kNotFound;
    }
    it->second.expires_at = std::max(it->second.expires_at, Truncate(expires_at));
    return {};
  }

  Status DeleteMcpSession(std::string_view id_hash) override {
    std::lock_guard lock(mu_);
    if (mcp_sessions_.erase(std::string(id_hash)) == 0) {
      return Errc::kNotFound;
    }
    return {};
  }

  Result<int64_t> PurgeExpiredMcpSessions(TimePoint now) override {
    std::lock_guard lock(mu_);
    return static_cast<int64_t>(std::erase_if(mcp_sessions_, [&](const auto& entry) {
      return entry.second.expires_at <= Truncate(now);
    }));
  }

  // ---- audit ----

  Result<int64_t> AppendAudit(const AuditEvent& event) override {
    if (auto ok = detail::ValidateAuditEvent(event); !ok) {
      return ok.error();
    }
    std::lock_guard lock(mu_);
    return AppendAuditLocked(event);
  }

  Result<std::vector<AuditEvent>> ListAudit(const AuditQuery& query) override {
    if (auto ok = detail::ValidateAuditQuery(query); !ok) {
      return ok.error();
    }
    AuditQuery q = query;
    q.since = Truncate(q.since);
    std::lock_guard lock(mu_);
    std::vector<AuditEvent> out;
    for (size_t i = static_cast<size_t>(
             std::min<int64_t>(q.after_id, static_cast<int64_t>(audit_.size())));
         i < audit_.size() && out.size() < static_cast<size_t>(q.limit); ++i) {
      if (detail::Matches(q, audit_[i])) {
        out.push_back(audit_[i]);
      }
    }
    return out;
  }

 private:
  User* FindUser(std::string_view id) {
    auto it = users_.find(std::string(id));
    return it == users_.end() ? nullptr : &it->second;
  }

  Grant* FindGrant(std::string_view id) {
    auto it = grants_.find(std::string(id));
    return it == grants_.end() ? nullptr : &it->second;
  }

  SigningKey* ActiveKey() {
    for (auto& [kid, key] : keys_) {
      if (key.state == KeyState::kActive) {
        return &key;
      }
    }
    return nullptr;
  }

  int64_t RevokeMatchingLocked(const GrantFilter& filter, TimePoint now) {
    int64_t count = 0;
    for (auto& [id, grant] : grants_) {
      if (detail::Matches(filter, grant) && !grant.revoked_at) {
        grant.revoked_at = now;
        ++count;
      }
    }
    return count;
  }

  // Appends a validated event; returns its id.
  int64_t AppendAuditLocked(AuditEvent row) {
    row.id = static_cast<int64_t>(audit_.size()) + 1;
    row.time = Truncate(row.time);
    audit_.push_back(std::move(row));
    return audit_.back().id;
  }

  static Client Normalized(const Client& client) {
    Client row = client;
    row.created_at = Truncate(row.created_at);
    row.expires_at = Truncate(row.expires_at);
    return row;
  }

  std::mutex mu_;
  std::map<std::string, User> users_;
  std::map<std::string, std::string> usernames_;  // AsciiLower(username) -> id
  std::map<std::string, Client> clients_;
  std::map<std::string, Grant> grants_;
  std::map<std::string, AuthorizationCode> codes_;
  std::map<std::string, RefreshToken> refresh_;
  std::map<std::string, SigningKey> keys_;
  std::map<std::pair<std::string, std::string>, Consent> consents_;
  std::vector<AuditEvent> audit_;                   // append-only; id = index + 1
  std::map<std::string, McpSession> mcp_sessions_;  // by id_hash
};

}  // namespace

std::unique_ptr<Store> OpenMemoryStore() { return std::make_unique<MemoryStore>(); }

}  // namespace mcpauth::store
