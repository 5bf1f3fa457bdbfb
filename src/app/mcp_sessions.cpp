#include "app/mcp_sessions.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "mcpauth/core/log.hpp"
#include "mcpauth/core/token.hpp"

namespace mcpauth::app {
namespace {

using Outcome = mcp::SessionPersistence::Outcome;

Outcome From(const Status& status) {
  if (status) {
    return Outcome::kOk;
  }
  if (status.error() == store::Errc::kNotFound) {
    return Outcome::kNotFound;
  }
  log::Warn("mcp sessions: store: {}", status.error().message());
  return Outcome::kUnavailable;
}

// A stored JSON object; an empty one if the row does not hold an object (never fails a session
// over its client's self-description).
boost::json::object ParseObject(const std::string& text) {
  boost::system::error_code ec;
  auto value = boost::json::parse(text, ec);
  return !ec && value.is_object() ? std::move(value.as_object()) : boost::json::object();
}

}  // namespace

Outcome StoreSessionPersistence::Save(std::string_view id, const Record& record,
                                      Clock::TimePoint now) {
  return From(store_.CreateMcpSession(
      {.id_hash = core::TokenHash(id),
       .principal_key = record.principal_key,
       .protocol_version = record.protocol_version,
       .client_capabilities_json = boost::json::serialize(record.client_capabilities),
       .client_info_json = boost::json::serialize(record.client_info),
       .created_at = now,
       .expires_at = record.expires_at}));
}

Outcome StoreSessionPersistence::Load(std::string_view id, Clock::TimePoint now, Record& out) {
  auto row = store_.GetMcpSession(core::TokenHash(id), now);
  if (!row) {
    return From(row.error());
  }
  out = Record{.protocol_version = std::move(row->protocol_version),
               .client_capabilities = ParseObject(row->client_capabilities_json),
               .client_info = ParseObject(row->client_info_json),
               .principal_key = std::move(row->principal_key),
               .expires_at = row->expires_at};
  return Outcome::kOk;
}

Outcome StoreSessionPersistence::Touch(std::string_view id, Clock::TimePoint expires_at,
                                       Clock::TimePoint now) {
  return From(store_.TouchMcpSession(core::TokenHash(id), expires_at, now));
}

Outcome StoreSessionPersistence::Remove(std::string_view id) {
  return From(store_.DeleteMcpSession(core::TokenHash(id)));
}

}  // namespace mcpauth::app
