// Row readers shared by the SQL backends (SQLite, PostgreSQL): each builds a value from the
// columns of one result row, starting at column `o`, in the order of the SELECTs in the
// backend's sql.hpp (both backends list the columns in the same order).
//
// `Row` is the backend's row accessor: Text, OptText, Int, Bool, Time, OptTime and IsNull by
// zero-based column index (sqlite::Query, postgres::Row).
#pragma once

#include <utility>

#include "mcpauth/core/result.hpp"
#include "mcpauth/core/secret.hpp"
#include "mcpauth/store/errc.hpp"
#include "mcpauth/store/types.hpp"
#include "store/common.hpp"

namespace mcpauth::store::rows {

inline constexpr int kUserColumns = 7;
inline constexpr int kGrantColumns = 8;
inline constexpr int kCodeColumns = 10;
inline constexpr int kRefreshColumns = 7;

template <class Row>
Result<User> ReadUser(const Row& q, int o) {
  return User{.id = q.Text(o),
              .username = q.Text(o + 1),
              .password_hash = q.Text(o + 2),
              .created_at = q.Time(o + 3),
              .disabled = q.Bool(o + 4),
              .failed_login_count = static_cast<int>(q.Int(o + 5)),
              .locked_until = q.OptTime(o + 6)};
}

template <class Row>
Result<Client> ReadClient(const Row& q, int o) {
  auto redirect_uris = detail::DecodeStringList(q.Text(o + 3));
  auto grant_types = detail::DecodeStringList(q.Text(o + 4));
  auto source = detail::ParseSource(q.Text(o + 8));
  if (!redirect_uris || !grant_types || !source) {
    return Errc::kCorrupt;
  }
  return Client{.client_id = q.Text(o),
                .secret_hash = q.OptText(o + 1),
                .name = q.Text(o + 2),
                .redirect_uris = std::move(*redirect_uris),
                .grant_types = std::move(*grant_types),
                .token_endpoint_auth_method = q.Text(o + 5),
                .application_type = q.Text(o + 6),
                .metadata_json = q.Text(o + 7),
                .source = *source,
                .created_at = q.Time(o + 9),
                .expires_at = q.OptTime(o + 10)};
}

template <class Row>
Result<Grant> ReadGrant(const Row& q, int o) {
  return Grant{.id = q.Text(o),
               .user_id = q.Text(o + 1),
               .client_id = q.Text(o + 2),
               .scopes = detail::SplitScopes(q.Text(o + 3)),
               .resource = q.Text(o + 4),
               .created_at = q.Time(o + 5),
               .revoked_at = q.OptTime(o + 6),
               .last_used_at = q.OptTime(o + 7)};
}

template <class Row>
Result<RevokedGrant> ReadRevoked(const Row& q, int o) {
  return RevokedGrant{.grant_id = q.Text(o), .revoked_at = q.Time(o + 1)};
}

template <class Row>
Result<AuthorizationCode> ReadCode(const Row& q, int o) {
  return AuthorizationCode{.hash = q.Text(o),
                           .grant_id = q.Text(o + 1),
                           .redirect_uri = q.Text(o + 2),
                           .code_challenge = q.Text(o + 3),
                           .scopes = detail::SplitScopes(q.Text(o + 4)),
                           .resource = q.Text(o + 5),
                           .nonce = q.OptText(o + 6),
                           .created_at = q.Time(o + 7),
                           .expires_at = q.Time(o + 8),
                           .used_at = q.OptTime(o + 9)};
}

template <class Row>
Result<RefreshToken> ReadRefresh(const Row& q, int o) {
  return RefreshToken{.hash = q.Text(o),
                      .grant_id = q.Text(o + 1),
                      .parent_hash = q.OptText(o + 2),
                      .created_at = q.Time(o + 3),
                      .expires_at = q.Time(o + 4),
                      .used_at = q.OptTime(o + 5),
                      .superseded_at = q.OptTime(o + 6)};
}

template <class Row>
Result<SigningKey> ReadKey(const Row& q, int o) {
  auto state = detail::ParseKeyState(q.Text(o + 3));
  if (!state) {
    return state.error();
  }
  return SigningKey{.kid = q.Text(o),
                    .algorithm = q.Text(o + 1),
                    .private_key = Secret(q.Text(o + 2)),
                    .state = *state,
                    .created_at = q.Time(o + 4),
                    .not_before = q.Time(o + 5),
                    .retired_at = q.OptTime(o + 6)};
}

template <class Row>
Result<Consent> ReadConsent(const Row& q, int o) {
  return Consent{.user_id = q.Text(o),
                 .client_id = q.Text(o + 1),
                 .scopes = detail::SplitScopes(q.Text(o + 2)),
                 .granted_at = q.Time(o + 3)};
}

template <class Row>
Result<McpSession> ReadMcpSession(const Row& q, int o) {
  return McpSession{.id_hash = q.Text(o),
                    .principal_key = q.Text(o + 1),
                    .protocol_version = q.Text(o + 2),
                    .client_capabilities_json = q.Text(o + 3),
                    .client_info_json = q.Text(o + 4),
                    .created_at = q.Time(o + 5),
                    .expires_at = q.Time(o + 6)};
}

template <class Row>
Result<AuditEvent> ReadAudit(const Row& q, int o) {
  return AuditEvent{.id = q.Int(o),
                    .type = q.Text(o + 1),
                    .subject = q.Text(o + 2),
                    .client_id = q.Text(o + 3),
                    .grant_id = q.Text(o + 4),
                    .ip = q.Text(o + 5),
                    .time = q.Time(o + 6),
                    .detail_json = q.Text(o + 7)};
}

template <class Row>
Result<std::pair<AuthorizationCode, Grant>> ReadCodeWithGrant(const Row& q, int o) {
  auto code = ReadCode(q, o);
  auto grant = ReadGrant(q, o + kCodeColumns);
  if (!code || !grant) {
    return Errc::kCorrupt;
  }
  return std::pair{std::move(*code), std::move(*grant)};
}

// The token and its grant.
template <class Row>
Result<std::pair<RefreshToken, Grant>> ReadRefreshWithGrant(const Row& q, int o) {
  auto token = ReadRefresh(q, o);
  auto grant = ReadGrant(q, o + kRefreshColumns);
  if (!token || !grant) {
    return Errc::kCorrupt;
  }
  return std::pair{std::move(*token), std::move(*grant)};
}

// The token, its grant and (when the user still exists) the grant's user.
template <class Row>
Result<RefreshTokenContext> ReadRefreshContext(const Row& q, int o) {
  auto token = ReadRefresh(q, o);
  auto grant = ReadGrant(q, o + kRefreshColumns);
  if (!token || !grant) {
    return Errc::kCorrupt;
  }
  RefreshTokenContext context{std::move(*token), std::move(*grant), std::nullopt};
  const int user = o + kRefreshColumns + kGrantColumns;
  if (!q.IsNull(user)) {
    auto read = ReadUser(q, user);
    if (!read) {
      return read.error();
    }
    context.user = std::move(*read);
  }
  return context;
}

// The audit event a rotation asked for (RefreshRotation::audit), checked before anything is
// written: nullopt if none.
inline Result<std::optional<AuditEvent>> RotationAuditEvent(const RefreshRotation& r,
                                                            RotationOutcome outcome) {
  if (!r.audit) {
    return std::optional<AuditEvent>();
  }
  std::optional<AuditEvent> event = r.audit(outcome);
  if (event) {
    if (auto ok = detail::ValidateAuditEvent(*event); !ok) {
      return ok.error();
    }
  }
  return event;
}

}  // namespace mcpauth::store::rows
